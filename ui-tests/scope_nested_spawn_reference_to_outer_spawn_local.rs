// Proves: moving a *reference* to a spawned closure's local into a nested
// spawn does not help: the local does not live for `'scope` (E0597).
fn main() {
    forkscope::scope(|s| {
        s.spawn(|| {
            let a = String::from("abcd");
            let r = &a;
            s.spawn(move || r.len());
        });
    });
}

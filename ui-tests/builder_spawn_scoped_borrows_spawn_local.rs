// Proves: `Builder::spawn_scoped` has the same `'scope` bound as
// `Scope::spawn`: a nested spawn cannot borrow the outer spawn's local
// (E0373).
fn main() {
    forkscope::scope(|s| {
        s.spawn(|| {
            let a = String::from("abcd");
            let _ = forkscope::Builder::new().spawn_scoped(s, || a.len());
        });
    });
}

// Proves: a spawn made inside a spawned closure cannot borrow that closure's
// local: the outer closure may return (dropping `a`) while the inner spawn
// still runs, so `'scope` must not shrink to the outer closure's body (E0373).
fn main() {
    forkscope::scope(|s| {
        s.spawn(|| {
            let a = String::from("abcd");
            s.spawn(|| a.len());
        });
    });
}

// Proves: a `ScopedJoinHandle` of an inner scope cannot be moved into a spawn
// of an outer scope, which may outlive the inner one (lifetime error).
fn main() {
    forkscope::scope(|outer| {
        forkscope::scope(|inner| {
            let handle = inner.spawn(|| 1);
            outer.spawn(move || handle.join());
        });
    });
}

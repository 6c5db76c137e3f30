// Proves: a `ScopedJoinHandle` cannot be returned out of its scope (its
// `'scope` ends with `scope`) (lifetime error).
fn main() {
    let handle = forkscope::scope(|s| s.spawn(|| 1));
    drop(handle);
}

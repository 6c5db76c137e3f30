// Proves: a `ScopedJoinHandle` can be joined only once: `join` consumes it
// (E0382).
fn main() {
    forkscope::scope(|s| {
        let handle = s.spawn(|| 1);
        let _ = handle.join();
        let _ = handle.join();
    });
}

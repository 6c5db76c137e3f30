// Proves: a spawned closure cannot take a `MutexGuard` (not `Send`: it must be
// unlocked on the thread that locked it) (E0277).
use std::sync::Mutex;

fn main() {
    let mutex = Mutex::new(0);
    let guard = mutex.lock().unwrap();
    forkscope::scope(|s| {
        s.spawn(move || drop(guard));
    });
}

// Proves: spawned closures may capture the scope and spawn more threads that
// borrow from outside the scope.
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let count = AtomicUsize::new(0);
    forkscope::scope(|s| {
        s.spawn(|| {
            s.spawn(|| count.fetch_add(1, Ordering::Relaxed));
            count.fetch_add(1, Ordering::Relaxed);
        });
    });
    assert_eq!(count.into_inner(), 2);
}

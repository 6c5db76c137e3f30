//! The shared structures of the protocols that are not atomics: the injector
//! queue (`crossbeam_queue::ArrayQueue`) and the spin lock of the thread
//! cache's idle stack (`spin::mutex::SpinMutex`). Normally exactly those
//! types.
//!
//! Under `cfg(loom)` they are made visible to the model checker. Loom prunes
//! interleavings that differ only in the order of operations it does not see
//! conflict (partial-order reduction), so a queue it cannot see would make it
//! skip exactly the races the models are about (say, a push between another
//! thread's emptiness check and its sleep).
//!
//! - `ArrayQueue` keeps crossbeam's queue and announces each operation to loom
//!   on a marker atomic, with the same kind of access the real operation makes
//!   on the queue's indices: `push` and `pop` are SeqCst read-modify-writes (of
//!   `tail`, `head`), `is_empty` is a SeqCst load. Loom switches threads only
//!   at its own operations, so the marker and the queue operation right after
//!   it happen together.
//! - `SpinMutex` is loom's `Mutex`, and its `try_lock` blocks (its callers
//!   retry until they get the lock).

#[cfg(not(loom))]
pub(crate) use crossbeam_queue::ArrayQueue;
#[cfg(not(loom))]
pub(crate) use spin::mutex::{SpinMutex, SpinMutexGuard};

#[cfg(loom)]
pub(crate) use self::model::{ArrayQueue, SpinMutex, SpinMutexGuard};

#[cfg(loom)]
mod model {
    use loom::sync::atomic::{AtomicUsize, Ordering};

    pub(crate) struct ArrayQueue<T> {
        queue: crossbeam_queue::ArrayQueue<T>,
        marker: AtomicUsize,
    }

    impl<T> ArrayQueue<T> {
        pub(crate) fn new(capacity: usize) -> Self {
            ArrayQueue {
                queue: crossbeam_queue::ArrayQueue::new(capacity),
                marker: AtomicUsize::new(0),
            }
        }

        pub(crate) fn push(&self, value: T) -> Result<(), T> {
            self.marker.fetch_add(1, Ordering::SeqCst);
            self.queue.push(value)
        }

        pub(crate) fn pop(&self) -> Option<T> {
            self.marker.fetch_add(1, Ordering::SeqCst);
            self.queue.pop()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.marker.load(Ordering::SeqCst);
            self.queue.is_empty()
        }
    }

    pub(crate) struct SpinMutex<T>(loom::sync::Mutex<T>);

    pub(crate) type SpinMutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> SpinMutex<T> {
        pub(crate) fn new(value: T) -> Self {
            SpinMutex(loom::sync::Mutex::new(value))
        }

        /// Blocks: its callers retry until they get the lock anyway, and a
        /// retry loop would have loom explore unboundedly many failed tries.
        pub(crate) fn try_lock(&self) -> Option<SpinMutexGuard<'_, T>> {
            Some(self.0.lock().unwrap())
        }
    }
}

//! [`ScopedJoinHandle`].

use super::packet::Joinable;
use crate::backend::Payload;
use alloc::sync::Arc;
use core::fmt;

/// An owned permission to join on a scoped thread (block on its termination).
///
/// See [`Scope::spawn`](super::Scope::spawn).
pub struct ScopedJoinHandle<'scope, T> {
    pub(super) packet: Arc<dyn Joinable<T> + 'scope>,
}

// SAFETY: the handle only ever moves a `T` out of the packet (on `join`) and
// reads atomics; the closure inside is never touched by the handle.
unsafe impl<T: Send> Send for ScopedJoinHandle<'_, T> {}
// SAFETY: `&ScopedJoinHandle` only gives `is_finished` (an atomic load) and
// `thread` (a `OnceLock<Thread>`, written once by the running thread before it
// announces it; `Thread` is `Sync`).
unsafe impl<T: Send> Sync for ScopedJoinHandle<'_, T> {}

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the thread to finish and returns its result: `Ok` with the
    /// closure's value, or `Err` with the panic's payload if it panicked (the
    /// scope then does not panic on its behalf).
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// forkscope::scope(|s| {
    ///     let t = s.spawn(|| panic!("oh no"));
    ///     assert!(t.join().is_err());
    /// });
    /// # }
    /// ```
    pub fn join(self) -> Result<T, Payload> {
        self.packet.shared().wait_and_take()
    }

    /// Whether the thread has finished running its closure (without
    /// blocking). `join` will then return without waiting.
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// forkscope::scope(|s| {
    ///     let t = s.spawn(|| 7);
    ///     while !t.is_finished() {
    ///         core::hint::spin_loop();
    ///     }
    ///     assert_eq!(t.join().unwrap(), 7);
    /// });
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        self.packet.shared().is_finished()
    }

    /// The `std` thread that runs the spawned closure, as
    /// `std::thread::ScopedJoinHandle::thread`: `h.thread().unpark()` wakes a
    /// `std::thread::park()` in the closure.
    ///
    /// Waits until the closure has started on its thread (until then it is not
    /// known which cached thread takes it); that is at most a thread start.
    ///
    /// What differs from `std`, whose every spawn is a new thread:
    ///
    /// - The thread may be a cached one that ran earlier spawns and will run
    ///   later ones: its [`id`](std::thread::Thread::id) repeats across spawns
    ///   (never between two spawns that run at the same time), and an
    ///   `unpark` sent after the closure returned may be consumed by a later
    ///   spawn's `park` on that thread (`park` may return spuriously anyway).
    /// - [`name`](std::thread::Thread::name) is the name given with
    ///   [`Builder::name`](super::Builder::name) (such a spawn gets a thread
    ///   of its own, created with that name). An unnamed spawn reports the
    ///   name the backend gave the cached thread: none with
    ///   [`StdBackend`](crate::StdBackend), as with `std`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    ///
    /// let ready = AtomicBool::new(false);
    /// forkscope::scope(|s| {
    ///     let h = s.spawn(|| {
    ///         while !ready.load(Ordering::Acquire) {
    ///             std::thread::park();
    ///         }
    ///     });
    ///     ready.store(true, Ordering::Release);
    ///     h.thread().unpark();
    ///     h.join().unwrap();
    /// });
    /// ```
    #[cfg(all(feature = "std", not(loom)))]
    pub fn thread(&self) -> &std::thread::Thread {
        self.packet.shared().thread()
    }
}

impl<T> fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedJoinHandle")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

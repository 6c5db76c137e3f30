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
// SAFETY: `&ScopedJoinHandle` only gives `is_finished` (an atomic load).
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
}

impl<T> fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedJoinHandle")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

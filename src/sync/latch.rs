//! A one-shot flag whose owner may go to sleep on it.
//!
//! # Protocol
//!
//! States: `UNSET -> SET`, or `UNSET -> SLEEPY -> SET`.
//!
//! - The *owner* (the only thread that waits) probes the latch; before it
//!   sleeps it moves `UNSET -> SLEEPY`. If that exchange fails the latch is
//!   set and it does not sleep.
//! - The *setter* swaps in `SET` (Release, publishing the result it wrote
//!   before). The swap returns whether the owner announced it sleeps; then, and
//!   only then, the setter wakes the owner through a word it keeps alive itself
//!   (the owner's `Parker`), never through the latch.
//!
//! The latch usually lives in the owner's stack frame: after the swap the
//! setter must not touch it again, because the owner may return at once.

use super::atomic::{AtomicU32, Ordering};

const UNSET: u32 = 0;
const SLEEPY: u32 = 1;
const SET: u32 = 2;

pub(crate) struct CoreLatch {
    state: AtomicU32,
}

impl CoreLatch {
    #[inline]
    pub(crate) fn new() -> Self {
        CoreLatch {
            state: AtomicU32::new(UNSET),
        }
    }

    /// `true` once set; then the setter's writes before `set` are visible.
    #[inline]
    pub(crate) fn probe(&self) -> bool {
        // Acquire: pairs with the Release of `set`.
        self.state.load(Ordering::Acquire) == SET
    }

    /// Owner only: announces that it is about to sleep. Returns `false` if the
    /// latch is already set (do not sleep).
    #[inline]
    pub(crate) fn get_sleepy(&self) -> bool {
        // Acquire on failure: we then read the result the setter published.
        match self
            .state
            .compare_exchange(UNSET, SLEEPY, Ordering::Relaxed, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(state) => state != SET,
        }
    }

    /// Sets the latch. Returns `true` if the owner may be asleep and must be
    /// woken through its parker. The latch may be freed as soon as this
    /// returns.
    ///
    /// # Safety
    ///
    /// `this` must point to a live latch; after this call the caller must not
    /// use the pointer again.
    #[inline]
    pub(crate) unsafe fn set(this: *const Self) -> bool {
        // SAFETY: the caller guarantees `this` is live until we return; the
        // swap is our last access. AcqRel: Release publishes the result to
        // the owner's Acquire probe.
        unsafe { (*this).state.swap(SET, Ordering::AcqRel) == SLEEPY }
    }
}

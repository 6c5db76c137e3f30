//! A one-shot flag whose owner may go to sleep on it.
//!
//! # Protocol
//!
//! States: `UNSET -> SET`, or `UNSET -> SLEEPY -> SET`, and for a latch whose
//! owner sleeps on the latch word itself, `UNSET -> SLEEPY -> SET -> RELEASED`.
//!
//! - The *owner* (the only thread that waits) probes the latch; before it
//!   sleeps it moves `UNSET -> SLEEPY`. If that exchange fails the latch is
//!   set and it does not sleep.
//! - The *setter* swaps in `SET` (Release, publishing the result it wrote
//!   before). The swap returns whether the owner announced it sleeps; then, and
//!   only then, the setter wakes the owner, in one of two ways:
//!   - [`set`](CoreLatch::set): through a word the setter keeps alive itself
//!     (the owner's `Parker` in an `Arc`'d registry), never through the latch.
//!     After the swap the setter must not touch the latch again, because the
//!     owner may return at once.
//!   - [`set_and_wake`](CoreLatch::set_and_wake), for an owner that sleeps on
//!     the latch word ([`wait_on_word`](CoreLatch::wait_on_word)): the setter
//!     wakes the word, then stores `RELEASED` as its last touch. An owner that
//!     announced `SLEEPY` never returns before it reads `RELEASED`, so the
//!     word is alive for the whole wake call (the lesson of rust#98498) even
//!     though it lives on the owner's stack. This is how each thread outside
//!     a pool sleeps on its own word, and is woken by exactly the worker that
//!     finished its job.
//!
//! The latch usually lives in the owner's stack frame.

use super::atomic::{AtomicU32, Ordering};
use crate::Backend;

const UNSET: u32 = 0;
const SLEEPY: u32 = 1;
const SET: u32 = 2;
/// `set_and_wake` is done with the latch: its owner may free it.
const RELEASED: u32 = 3;

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
        // Acquire: pairs with the Release of the setter's swap.
        self.state.load(Ordering::Acquire) >= SET
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
            // Only the owner leaves UNSET for SLEEPY, so a failure read SET.
            Err(state) => state < SET,
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

    /// Sets a latch whose owner waits in [`wait_on_word`](Self::wait_on_word),
    /// waking it if it sleeps.
    ///
    /// # Safety
    ///
    /// `this` must point to a live latch whose owner waits with
    /// `wait_on_word`; after this call the caller must not use the pointer
    /// again.
    pub(crate) unsafe fn set_and_wake(this: *const Self, backend: &dyn Backend) {
        // SAFETY: the latch is live until our last access below: after the
        // swap, an owner that saw UNSET returns (then we never touch the latch
        // again), and an owner that announced SLEEPY waits for RELEASED.
        unsafe {
            // AcqRel: as in `set`.
            if (*this).state.swap(SET, Ordering::AcqRel) == SLEEPY {
                backend.wake_one(&(*this).state);
                // Release: nothing to publish beyond the swap's; the store
                // just has to come after the wake call, which it does in
                // program order. Our last touch of the latch.
                (*this).state.store(RELEASED, Ordering::Release);
            }
        }
    }

    /// Owner only: returns once the latch is set by
    /// [`set_and_wake`](Self::set_and_wake), spinning, then yielding, then
    /// sleeping on the latch word. Never returns while the setter may still
    /// touch the latch.
    pub(crate) fn wait_on_word(&self, backend: &dyn Backend) {
        if super::spin_then_yield(backend, || self.probe()) || !self.get_sleepy() {
            // Set before we announced we sleep: the setter saw UNSET and is
            // done with the latch.
            return;
        }
        loop {
            // Acquire: pairs with the setter's Release swap (the result).
            match self.state.load(Ordering::Acquire) {
                RELEASED => return,
                SLEEPY => backend.wait(&self.state, SLEEPY),
                // SET: the setter is between its swap and its last store (it
                // is waking us); give it the core.
                _ => super::yield_to_others(backend),
            }
        }
    }
}

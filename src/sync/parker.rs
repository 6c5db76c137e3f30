//! A single-owner sleep word.
//!
//! # Protocol
//!
//! The word holds one of three states: `EMPTY`, `NOTIFIED` (a wake-up is
//! pending) and `PARKED` (the owner sleeps or is about to). Only the owner
//! thread parks; any thread unparks.
//!
//! - `park`: `EMPTY -> PARKED` by decrementing (or `NOTIFIED -> EMPTY`, which
//!   consumes a pending wake-up and returns at once); then sleep while the word
//!   is `PARKED`, and return once a `NOTIFIED -> EMPTY` exchange succeeds.
//! - `unpark`: swap in `NOTIFIED`; if the old state was `PARKED`, wake the word.
//!
//! An `unpark` before `park` is never lost: it leaves `NOTIFIED`, and the next
//! `park` returns at once. A wake-up may be consumed by a later `park` than the
//! one it was meant for; callers re-check their condition in a loop.
//!
//! The unparker touches the word once more after the swap (the wake call), so
//! a `Parker` must be owned by something the unparker keeps alive (see the
//! module docs of `sync`).

use super::atomic::{AtomicU32, Ordering};
use crate::Backend;

const EMPTY: u32 = 0;
const NOTIFIED: u32 = 1;
const PARKED: u32 = u32::MAX;

pub(crate) struct Parker {
    state: AtomicU32,
}

impl Parker {
    pub(crate) fn new() -> Self {
        Parker {
            state: AtomicU32::new(EMPTY),
        }
    }

    /// Sleeps until [`unpark`](Self::unpark) is called (or a pending unpark is
    /// consumed). May return spuriously only if the backend's `wait` does and
    /// then only after an `unpark`; callers loop on their own condition anyway.
    pub(crate) fn park(&self, backend: &dyn Backend) {
        // Acquire: pairs with the Release swap in `unpark`, so whatever the
        // unparker wrote before unparking is visible once we return.
        if self.state.fetch_sub(1, Ordering::Acquire) == NOTIFIED {
            return;
        }
        loop {
            backend.wait(&self.state, PARKED);
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    /// Sleeps until unparked or until about `nanos` have passed. Returns
    /// `true` if it was unparked.
    pub(crate) fn park_timeout(&self, backend: &dyn Backend, nanos: u64) -> bool {
        // Acquire: as in `park`.
        if self.state.fetch_sub(1, Ordering::Acquire) == NOTIFIED {
            return true;
        }
        backend.wait_timeout(&self.state, PARKED, nanos);
        // Either an unpark arrived (NOTIFIED) or we leave PARKED ourselves;
        // the swap settles which, and always leaves the word EMPTY.
        self.state.swap(EMPTY, Ordering::Acquire) == NOTIFIED
    }

    /// Wakes the owner if it sleeps, or makes its next `park` return at once.
    pub(crate) fn unpark(&self, backend: &dyn Backend) {
        // Release: publishes what we wrote before unparking to the parker's
        // Acquire.
        if self.state.swap(NOTIFIED, Ordering::Release) == PARKED {
            backend.wake_one(&self.state);
        }
    }
}

//! A multi-waiter "condition changed" announcement.
//!
//! # Protocol
//!
//! The word is `epoch << 1 | sleepers`. A waiter that is about to sleep sets
//! the `sleepers` bit, re-checks its condition, and sleeps while the word is
//! unchanged. A notifier first makes the condition true (with its own atomic
//! write), then bumps the epoch and clears the bit in one read-modify-write; it
//! pays for a `wake_all` only if the bit was set.
//!
//! All accesses to the word are `SeqCst` read-modify-writes (plus loads).
//! The condition only needs to be written before the notifier's RMW and read
//! with at least Acquire: either the notifier's RMW comes after the waiter's
//! bit-setting CAS in the word's modification order (it sees the bit and
//! wakes; the changed word also makes the waiter's `wait` return), or before
//! it, and then the waiter's CAS or load reads from the notifier's RMW,
//! synchronizes with it, and its re-check sees the condition.

use super::atomic::{AtomicU32, Ordering};
use crate::Backend;

const SLEEPERS: u32 = 1;

pub(crate) struct Event {
    word: AtomicU32,
}

impl Event {
    pub(crate) fn new() -> Self {
        Event {
            word: AtomicU32::new(0),
        }
    }

    /// Returns once `done()` is true, sleeping through the backend if it is
    /// not true soon.
    pub(crate) fn wait_until(&self, backend: &dyn Backend, mut done: impl FnMut() -> bool) {
        if super::spin_then_yield(backend, &mut done) {
            return;
        }
        loop {
            let mut word = self.word.load(Ordering::SeqCst);
            if word & SLEEPERS == 0 {
                match self.word.compare_exchange(
                    word,
                    word | SLEEPERS,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => word |= SLEEPERS,
                    Err(_) => continue,
                }
            }
            if done() {
                return;
            }
            backend.wait(&self.word, word);
        }
    }

    /// Announces that a condition waiters may wait for has changed. Call it
    /// after the change, and only while `self` is kept alive by the caller.
    pub(crate) fn notify_all(&self, backend: &dyn Backend) {
        let prev = self
            .word
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                Some(w.wrapping_add(2) & !SLEEPERS)
            })
            .unwrap_or_else(|w| w);
        if prev & SLEEPERS != 0 {
            backend.wake_all(&self.word);
        }
    }
}

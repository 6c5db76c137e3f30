//! Blocking and hand-off building blocks, on core atomics and the backend.
//!
//! Everything that makes one thread wait for another lives here, so that the
//! scope and pool layers share one small set of audited protocols:
//!
//! - [`Parker`]: one thread sleeps, anyone wakes it (a futex word with std's
//!   parker states). Used by pool workers and cached threads.
//! - [`Event`]: any number of threads wait for a condition that someone else
//!   makes true and then announces. Used by scopes, join handles, threads
//!   waiting for work they injected into a pool, and pool shutdown.
//! - [`CoreLatch`]: a one-shot flag whose setter learns whether the owner went
//!   to sleep on it, so that a wake-up is paid only when somebody sleeps.
//! - [`JobRef`]: a type-erased pointer to a job and the function that runs it.
//! - [`ThreadCache`](thread_cache::ThreadCache): idle backend threads, handed
//!   jobs one at a time.
//! - [`slot`]: the current thread's forkscope word.
//! - [`fork`]: noticing `fork()`, so that a child does not wait for the
//!   parent's threads ([`PerProcess`](fork::PerProcess) state).
//! - [`spin_then_yield`]: the stage before every sleep (spin briefly, then
//!   yield for up to 20 µs).
//! - [`shim`]: the injector queue and the idle-stack lock, made visible to
//!   loom under `cfg(loom)` (the crossbeam and spin types otherwise).
//!
//! # Keeping woken words alive
//!
//! A thread that wakes another must not touch memory the woken thread may
//! free as soon as it sees the wake-up (rust#98498). Every protocol here
//! therefore wakes a word that is owned by something the waker holds alive
//! itself: a `Parker` in an `Arc`'d registry or thread record, an `Event` in
//! an `Arc`'d scope or packet. A latch on a stack frame is only ever *set*,
//! with one atomic swap, and never woken through.

use crate::Backend;

pub(crate) mod atomic;
mod event;
pub(crate) mod fork;
mod job;
mod latch;
mod parker;
pub(crate) mod shim;
pub(crate) mod slot;
pub(crate) mod thread_cache;

pub(crate) use event::Event;
pub(crate) use job::JobRef;
pub(crate) use latch::CoreLatch;
pub(crate) use parker::Parker;

/// How long a waiter keeps yielding its time slice before it sleeps. Long
/// enough that a scope whose threads finish soon, and a cached thread that
/// gets a new job soon, skip a futex round trip (measured with
/// `benches/scope.rs`: 20 us does as well there as 100 us did), short enough
/// that an idle thread burns little CPU before it parks.
const YIELD_FOR_NANOS: u64 = 20_000;
/// Without a clock: this many yields instead.
const YIELDS_WITHOUT_CLOCK: u32 = if cfg!(loom) { 1 } else { 256 };
const SPIN_ROUNDS: u32 = if cfg!(loom) { 1 } else { 16 };

/// The stages of a wait before sleeping: a short spin (the other side is
/// often only a few hundred nanoseconds away), then yielding the time slice
/// (so that spinning never keeps the thread we wait for off a core) for up to
/// `YIELD_FOR_NANOS`. Returns whether `done()` became true; if not, the
/// caller goes to sleep.
pub(crate) fn spin_then_yield(backend: &dyn Backend, mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..SPIN_ROUNDS {
        if done() {
            return true;
        }
        spin(4);
    }
    let start = backend.now_nanos();
    let mut yields = 0u32;
    loop {
        if done() {
            return true;
        }
        backend.yield_now();
        yields += 1;
        let give_up = match start {
            // Read the clock every 8 yields only. A clock that went back
            // (a broken backend, see `Backend::now_nanos`) counts as the
            // time being up: with a difference saturating at 0 the waiter
            // would yield forever instead of sleeping
            // (`tests/bad_input.rs: a_backend_whose_clock_goes_backwards_*`).
            Some(start) => {
                yields.is_multiple_of(8)
                    && backend
                        .now_nanos()
                        .and_then(|now| now.checked_sub(start))
                        .is_none_or(|spent| spent >= YIELD_FOR_NANOS)
            }
            None => yields >= YIELDS_WITHOUT_CLOCK,
        };
        if give_up {
            return done();
        }
    }
}

/// Gives the core to other threads while waiting for one of them to take a
/// step that is only a few instructions away. Under loom a real loom yield:
/// the waiter must not be scheduled again until another thread progressed
/// (a no-op would make the model spin forever).
#[inline]
pub(crate) fn yield_to_others(backend: &dyn Backend) {
    #[cfg(loom)]
    {
        let _ = backend;
        loom::thread::yield_now();
    }
    #[cfg(not(loom))]
    backend.yield_now();
}

/// Spins for a short while with `spin_loop` hints: the first stage of every
/// wait, cheaper than a sleep when the other side is only a few hundred
/// nanoseconds away.
#[cfg(not(loom))]
#[inline]
pub(crate) fn spin(rounds: u32) {
    for _ in 0..rounds {
        core::hint::spin_loop();
    }
}

/// Under loom a spin is nothing. It has no effect on shared state, and loom
/// explores every order of the atomics around it anyway; a loom yield would
/// even hide schedules, since a yielding thread may not run again until
/// another thread has taken a step (so it could never get ahead of a thread
/// paused between two of its operations). Every spin loop is bounded or ends
/// in a blocking wait, so none spins forever under loom.
#[cfg(loom)]
#[inline]
pub(crate) fn spin(rounds: u32) {
    let _ = rounds;
}

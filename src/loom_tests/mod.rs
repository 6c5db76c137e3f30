//! Loom model checks of the wait/wake and hand-off protocols, on the crate's
//! real code.
//!
//! Under `cfg(loom)` the protocols' atomics are loom's (`sync::atomic`), spins
//! are a single yield (`sync::spin` and the `SPIN_ROUNDS` constants), and the
//! current thread's slot is a loom thread-local; everything else is the code
//! that ships. Run:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --lib
//! ```
//!
//! (`CARGO_TARGET_DIR` keeps the loom build from evicting the normal one.)
//!
//! The models of the `sync` primitives are in `sync_models.rs`; those of the
//! pool, which need its private functions, in `pool/loom_tests.rs`.
//!
//! # The backend
//!
//! [`LoomBackend`] starts loom threads and emulates a futex with a loom
//! `Mutex` + `Condvar`. Its `wait` ends only on a `wake_*` of the *same word*
//! issued after the wait began (never spuriously, never because some other
//! word was woken), so a lost wake-up is a thread that sleeps forever, which
//! loom reports as a deadlock. A yield-based `wait` would hide exactly the bugs
//! these models look for.
//!
//! # What loom sees, and what it does not
//!
//! - The injector (`crossbeam_queue::ArrayQueue`) and the thread cache's idle
//!   stack (a spin lock) are not loom-instrumented; `sync::shim` makes each of
//!   their operations visible under `cfg(loom)` (a marker atomic per queue
//!   operation, loom's `Mutex` for the lock). Without that, loom's
//!   partial-order reduction skips the interleavings that differ only in queue
//!   or lock order: the thread-cache model ran 3 executions instead of dozens
//!   and missed a dropped job. Loom does not check crossbeam's queue itself.
//! - Spins and backend yields are no-ops under loom (see `sync::spin`): a loom
//!   yield keeps the yielding thread off the CPU until another thread has
//!   taken a step, which forbids the schedules where a spinner gets ahead.
//! - Loom treats SeqCst loads, stores and read-modify-writes as
//!   Acquire/Release/AcqRel (SeqCst fences are modelled). That can only add
//!   behaviours (false alarms), never hide one.
//! - Loom 0.7.3 does not order a plain store after a concurrent
//!   read-modify-write that read an earlier value (tokio-rs/loom#254), which
//!   also only adds (impossible) behaviours; one model that hits it is
//!   ignored, see `slot_reused_frame_address_is_handed_out_once_per_round`.
//! - The bounded models (`model_bounded`) explore only schedules with few
//!   preemptions; `LOOM_MAX_PREEMPTIONS=n` raises their bound for a deeper
//!   run (the two-worker pool model takes about 3 minutes at 2).
//!
//! Each model was checked against deliberately broken variants of the code it
//! covers (a missing wake-up, a Relaxed ordering where Acquire/Release is
//! needed, a check-then-act instead of a CAS, ...): every such bug fails at
//! least one model.

mod sync_models;

use crate::backend::{Backend, SpawnError, ThreadSpec};
use crate::sync::atomic::{AtomicU32, Ordering};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use core::cell::Cell;
use loom::sync::{Condvar, Mutex};
use std::vec::Vec;

/// How the model backend answers `wait_timeout` and `now_nanos`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timeouts {
    /// Timeouts never fire (`wait_timeout` is `wait`) and there is no clock.
    Never,
    /// Every timeout fires at once (after a loom yield) and the clock says
    /// it has: each `now_nanos` is a second after the previous one.
    Immediate,
}

/// What the model backend does with `spawn`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spawn {
    /// A loom thread, joined by [`model`] at the end of each execution.
    Thread,
    /// Reports success and drops the thread's `main` unrun: a registry whose
    /// workers never start, for models that play the workers themselves.
    Never,
}

/// A [`Backend`] for loom models. See the module docs.
pub(crate) struct LoomBackend {
    timeouts: Timeouts,
    spawn: Spawn,
}

/// Threads, no timeouts: the backend of most models.
pub(crate) static LOOM: LoomBackend = LoomBackend {
    timeouts: Timeouts::Never,
    spawn: Spawn::Thread,
};

/// Threads, and every timeout fires at once (idle cached threads retire as
/// soon as they can).
pub(crate) static LOOM_TIMEOUTS_FIRE: LoomBackend = LoomBackend {
    timeouts: Timeouts::Immediate,
    spawn: Spawn::Thread,
};

/// No threads ever start.
pub(crate) static LOOM_NO_THREADS: LoomBackend = LoomBackend {
    timeouts: Timeouts::Never,
    spawn: Spawn::Never,
};

/// No threads ever start, and every timeout fires (after letting another
/// thread take a step): the pool's watcher, played by a model thread.
pub(crate) static LOOM_NO_THREADS_TIMEOUTS_FIRE: LoomBackend = LoomBackend {
    timeouts: Timeouts::Immediate,
    spawn: Spawn::Never,
};

/// The emulated futex: per word address, how many wake calls it has seen.
struct Futex {
    wakes: Mutex<BTreeMap<usize, u64>>,
    woken: Condvar,
}

loom::lazy_static! {
    static ref FUTEX: Futex = Futex {
        wakes: Mutex::new(BTreeMap::new()),
        woken: Condvar::new(),
    };
    /// Threads started through the backend, joined at the end of the model
    /// (loom drops its statics when the model's main thread returns, so no
    /// thread may still be running then). Not a loom lock: it is never held
    /// across a loom operation.
    static ref SPAWNED: std::sync::Mutex<Vec<loom::thread::JoinHandle<()>>> =
        std::sync::Mutex::new(Vec::new());
    /// The clock of `Timeouts::Immediate`.
    static ref CLOCK: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);
}

loom::thread_local! {
    static SLOT: Cell<usize> = Cell::new(0);
}

fn key(word: &AtomicU32) -> usize {
    word as *const AtomicU32 as usize
}

impl LoomBackend {
    fn wake(&self, word: &AtomicU32) {
        let mut wakes = FUTEX.wakes.lock().unwrap();
        *wakes.entry(key(word)).or_insert(0) += 1;
        FUTEX.woken.notify_all();
    }
}

impl Backend for LoomBackend {
    fn spawn(&self, _spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        match self.spawn {
            Spawn::Thread => {
                let handle = loom::thread::spawn(main);
                SPAWNED.lock().unwrap().push(handle);
            }
            Spawn::Never => drop(main),
        }
        Ok(())
    }

    fn wait(&self, word: &AtomicU32, expected: u32) {
        // The comparison happens under the lock that `wake` takes, so a wake
        // that follows a change of the word is never missed.
        let mut wakes = FUTEX.wakes.lock().unwrap();
        if word.load(Ordering::SeqCst) != expected {
            return;
        }
        let key = key(word);
        let seen = wakes.get(&key).copied().unwrap_or(0);
        while wakes.get(&key).copied().unwrap_or(0) == seen {
            wakes = FUTEX.woken.wait(wakes).unwrap();
        }
    }

    fn wait_timeout(&self, word: &AtomicU32, expected: u32, _timeout_nanos: u64) {
        match self.timeouts {
            Timeouts::Never => self.wait(word, expected),
            // The time passes for the others: a timed sleep in a loop (the
            // pool's watcher) lets another thread take a step before it
            // looks again, as a real timed sleep would, instead of giving
            // loom an unbounded loop to explore.
            Timeouts::Immediate => loom::thread::yield_now(),
        }
    }

    fn wake_one(&self, word: &AtomicU32) {
        // Wakes every waiter of the word; forkscope only `wake_one`s words
        // with a single waiter (a parker's).
        self.wake(word);
    }

    fn wake_all(&self, word: &AtomicU32) {
        self.wake(word);
    }

    fn yield_now(&self) {
        // Nothing, like `sync::spin` under loom (see there): a loom yield
        // would forbid the schedules where the yielding thread gets ahead.
    }

    fn slot(&self) -> usize {
        SLOT.with(Cell::get)
    }

    fn set_slot(&self, value: usize) {
        SLOT.with(|s| s.set(value));
    }

    fn available_parallelism(&self) -> usize {
        2
    }

    fn now_nanos(&self) -> Option<u64> {
        match self.timeouts {
            Timeouts::Never => None,
            Timeouts::Immediate => Some(
                CLOCK.fetch_add(
                    crate::sync::thread_cache::IDLE_TIMEOUT_NANOS,
                    core::sync::atomic::Ordering::Relaxed,
                ) + crate::sync::thread_cache::IDLE_TIMEOUT_NANOS,
            ),
        }
    }
}

/// A loom `UnsafeCell` the models share between threads (also through the
/// pool's `Send` closures). Nothing makes its accesses exclusive but the
/// protocol under test, and loom reports any two that are not ordered by
/// happens-before: that is the point.
pub(crate) struct RaceCell(loom::cell::UnsafeCell<u32>);

// SAFETY: see above; loom checks every access.
unsafe impl Sync for RaceCell {}

impl RaceCell {
    pub(crate) fn new(value: u32) -> Self {
        RaceCell(loom::cell::UnsafeCell::new(value))
    }

    pub(crate) fn get(&self) -> u32 {
        // SAFETY: a plain read; loom checks it does not race with a write.
        self.0.with(|p| unsafe { *p })
    }

    pub(crate) fn set(&self, value: u32) {
        // SAFETY: a plain write; loom checks it does not race with any access.
        self.0.with_mut(|p| unsafe { *p = value })
    }
}

/// Joins every thread started through the backends, including those started
/// meanwhile by the threads being joined.
pub(crate) fn join_spawned() {
    loop {
        // Pop before joining: the joined thread may spawn (and lock) too.
        let next = SPAWNED.lock().unwrap().pop();
        match next {
            Some(handle) => handle.join().unwrap(),
            None => return,
        }
    }
}

/// Checks `f` in every interleaving, then joins the backend's threads.
/// (Unbounded even if `LOOM_MAX_PREEMPTIONS` is set; that only changes the
/// bounded models.)
pub(crate) fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.check(move || {
        f();
        join_spawned();
    });
}

/// Like [`model`], but explores only interleavings with at most `preemptions`
/// preemptive thread switches, for models whose full space is too large. (Most
/// concurrency bugs need only two or three.) `LOOM_MAX_PREEMPTIONS`, if set,
/// overrides the bound, for deeper runs.
pub(crate) fn model_bounded(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = builder.preemption_bound.or(Some(preemptions));
    builder.check(move || {
        f();
        join_spawned();
    });
}

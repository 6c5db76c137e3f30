//! Bad input gets a clear error or panic, and leaves nothing behind.
//!
//! One test per input:
//!
//! - `ThreadPoolBuilder::num_threads` beyond the maximum (65 535), up to
//!   `usize::MAX`, and `num_threads(0)` on a backend that claims more:
//!   `build` returns `SpawnError::TooManyThreads` before it allocates or
//!   starts anything (rayon clamps to its maximum instead and then starts
//!   that many threads; forkscope says no, since a request that large is a
//!   mistake).
//! - `stack_size(0)` (pool and scoped `Builder`): rounded up to the
//!   platform's minimum by the backend, and the threads run.
//! - absurd stack sizes (`usize::MAX`, `1 << 50`): the backend's `spawn`
//!   fails, `build` / `spawn_scoped` return `SpawnError::Refused`, no thread
//!   is left and the closure is dropped unrun.
//! - `set_global_backend` twice: the second call returns
//!   `Err(BackendAlreadySet)` and the first backend stays in effect.
//! - three misbehaving backends (`tests/common/wrap_backend.rs`): an
//!   `available_parallelism` of 0, a `wait` that returns at once every time
//!   (a spurious wake-up per call), a `now_nanos` that runs backwards. On
//!   each, a pool runs joins, a scope and an iterator with the right results,
//!   and drops, leaving no thread, and with the backwards clock a thread
//!   waiting for the pool still goes to sleep; each run is bounded by a watchdog
//!   ([`within_a_minute`]) so that a hang fails the test instead of the CI
//!   job.
//!
//! Bad input that has its test elsewhere (not repeated here):
//!
//! - `par_chunks(0)`, `par_chunks_exact(0)`, `par_windows(0)`:
//!   `tests/iter.rs: zero_chunk_and_window_sizes_panic_with_a_message`;
//! - `step_by(0)`: `tests/iter.rs: step_by_zero_panics_like_std`;
//! - `with_min_len(0)` (means 1, like `with_min_len(1)`): `tests/iter.rs:
//!   length_bounds_keep_results_and_the_largest_min_len_means_one_piece`;
//! - `chunks(0)` on an indexed iterator: `tests/iter.rs`, the test of
//!   `zip_eq` and `chunks` panics next to
//!   `the_new_indexed_adapters_split_correctly_at_every_point`;
//! - `par_rchunks(0)` and friends: `tests/sort.rs:
//!   zero_rchunk_sizes_panic_with_a_message`;
//! - a NUL in a thread name: `tests/hardening.rs`;
//! - a `Builder::stack_size` below the minimum (1, 100 001): `tests/scope.rs:
//!   builder_stack_size_below_the_minimum_is_rounded_up`.
//!
//! This binary's global backend is [`GLOBAL`], a forwarding wrapper of the
//! binary's own backend, installed by the first [`setup`] of the process;
//! the pool tests each have a backend of their own.

mod common;

use common::wrap_backend::WrapBackend;
use forkscope::prelude::*;
use forkscope::{
    Backend, BackendAlreadySet, Builder, SpawnError, ThreadPool, ThreadPoolBuilder, scope,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

/// The binary's global backend.
static GLOBAL: WrapBackend = WrapBackend::new();
/// What the one `set_global_backend(&GLOBAL)` of the process returned.
static INSTALLED: OnceLock<Result<(), BackendAlreadySet>> = OnceLock::new();

/// Installs [`GLOBAL`] as the global backend, once per process; every test
/// calls it first, and nothing uses forkscope before it.
fn setup() {
    INSTALLED.get_or_init(|| forkscope::set_global_backend(&GLOBAL));
}

/// The bound on a run that must finish: a hang becomes a test failure with
/// a message. Not a timing assertion; the work takes well under a second.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `f` on a thread of its own and returns its result; fails the test
/// if `f` has not returned after [`WATCHDOG`] (the thread is then left
/// behind, hung), and resumes its panic if it panicked.
fn within_a_minute<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, result) = mpsc::channel();
    let runner = std::thread::spawn(move || {
        let r = f();
        let _ = done.send(());
        r
    });
    match result.recv_timeout(WATCHDOG) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match runner.join() {
            Ok(r) => r,
            Err(payload) => std::panic::resume_unwind(payload),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {WATCHDOG:?}: a hang")
        }
    }
}

const N: u64 = if cfg!(miri) { 200 } else { 20_000 };

/// The sum of `lo..hi` by a `join` tree.
fn tree_sum(lo: u64, hi: u64) -> u64 {
    if hi - lo <= 16 {
        return (lo..hi).sum();
    }
    let mid = lo + (hi - lo) / 2;
    let (a, b) = forkscope::join(|| tree_sum(lo, mid), || tree_sum(mid, hi));
    a + b
}

/// Runs joins, a scope and iterators on `pool` (and cold joins into it from
/// two outside threads) and checks every result against sequential code.
fn exercise(pool: &Arc<ThreadPool>) {
    let expected = N * (N - 1) / 2;
    assert_eq!(pool.install(|| tree_sum(0, N)), expected, "join tree");
    let spawned: u64 = pool.install(|| {
        scope(|s| {
            let handles: Vec<_> = (0..4u64).map(|i| s.spawn(move || i * 10)).collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        })
    });
    assert_eq!(spawned, 60, "scope inside install");
    let v: Vec<u64> = (0..N).collect();
    assert_eq!(
        pool.install(|| v.par_iter().map(|x| x * 2).sum::<u64>()),
        2 * expected,
        "par_iter sum"
    );
    let collected: Vec<u64> = pool.install(|| v.par_iter().map(|x| x + 1).collect());
    assert!(collected.iter().copied().eq(1..=N), "par_iter collect");
    let outside: Vec<_> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || pool.join(|| tree_sum(0, N / 2), || tree_sum(N / 2, N)))
        })
        .collect();
    for t in outside {
        let (a, b) = t.join().unwrap();
        assert_eq!(a + b, expected, "cold join from an outside thread");
    }
}

/// Builds a pool of `threads` workers (0: the backend's parallelism) on
/// `backend`, exercises it, drops it and checks that no thread of the
/// backend is left; all under the watchdog. Returns the pool's size.
fn run_a_pool_on(what: &'static str, backend: &'static WrapBackend, threads: usize) -> usize {
    within_a_minute(what, move || {
        let pool = Arc::new(
            ThreadPoolBuilder::new()
                .num_threads(threads)
                .backend(backend)
                .build()
                .unwrap_or_else(|e| panic!("{what}: build failed: {e}")),
        );
        let size = pool.current_num_threads();
        exercise(&pool);
        drop(Arc::into_inner(pool).expect("the outside threads are done"));
        backend.wait_for_no_live_threads();
        size
    })
}

// ---------------------------------------------------------------------------
// ThreadPoolBuilder::num_threads

#[test]
fn num_threads_beyond_the_maximum_is_an_error_and_starts_nothing() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new();
    for requested in [usize::MAX, 1 << 40, u32::MAX as usize, 65_536] {
        let result = ThreadPoolBuilder::new()
            .num_threads(requested)
            .backend(&BACKEND)
            .build();
        let err = result.expect_err("a pool that large is refused");
        assert_eq!(
            err,
            SpawnError::TooManyThreads {
                requested,
                max: 65_535
            }
        );
        let message = err.to_string();
        assert!(
            message.contains(&requested.to_string()) && message.contains("65535"),
            "{message}"
        );
    }
    assert_eq!(BACKEND.spawns(), 0, "a thread was started");
}

#[test]
fn more_donated_seats_than_the_maximum_is_an_error_and_starts_nothing() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new();
    for (donated, current) in [(usize::MAX, true), (usize::MAX, false), (65_535, true)] {
        let builder = ThreadPoolBuilder::new()
            .num_threads(2)
            .donated_threads(donated)
            .backend(&BACKEND);
        let builder = if current {
            builder.use_current_thread()
        } else {
            builder
        };
        let err = builder.build().expect_err("that many seats are refused");
        assert!(
            matches!(err, SpawnError::TooManyThreads { max: 65_535, .. }),
            "{err:?}"
        );
    }
    assert_eq!(BACKEND.spawns(), 0, "a thread was started");
}

#[test]
fn num_threads_zero_on_a_backend_claiming_absurd_parallelism_is_an_error() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new().parallelism(usize::MAX);
    let err = ThreadPoolBuilder::new()
        .backend(&BACKEND)
        .build()
        .expect_err("a pool that large is refused");
    assert_eq!(
        err,
        SpawnError::TooManyThreads {
            requested: usize::MAX,
            max: 65_535
        }
    );
    assert_eq!(BACKEND.spawns(), 0, "a thread was started");
}

// ---------------------------------------------------------------------------
// stack sizes

#[test]
#[cfg_attr(miri, ignore = "Miri does not model stack sizes")]
fn stack_size_zero_is_rounded_up_to_the_minimum_and_the_threads_run() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new();
    within_a_minute("stack_size(0)", || {
        let pool = ThreadPoolBuilder::new()
            .num_threads(2)
            .stack_size(0)
            .backend(&BACKEND)
            .build()
            .expect("the backend rounds 0 up");
        // The minimum is small (16 KiB with glibc): a debug build's join
        // recursion of a few levels already overflows it, so only a token
        // of work runs here. (That is what a minimal stack means.)
        assert_eq!(pool.join(|| 1, || 2), (1, 2));
        assert_eq!(pool.install(|| 40 + 2), 42);
        drop(pool);
        BACKEND.wait_for_no_live_threads();
        let on_a_minimal_stack = scope(|s| {
            Builder::new()
                .stack_size(0)
                .spawn_scoped(s, || 7)
                .expect("the backend rounds 0 up")
                .join()
                .unwrap()
        });
        assert_eq!(on_a_minimal_stack, 7);
    });
}

/// Sizes no system can give: the whole address space, and 1 PiB (more than
/// x86-64's 128 TiB of user address space, and than any machine's memory).
const ABSURD_STACKS: [usize; 2] = [usize::MAX, 1 << 50];

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri does not model stack sizes: the spawn would succeed"
)]
fn absurd_pool_stack_sizes_make_build_return_refused_and_leave_no_thread() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new();
    let mut spawns = 0;
    for size in ABSURD_STACKS {
        let result = ThreadPoolBuilder::new()
            .num_threads(3)
            .stack_size(size)
            .backend(&BACKEND)
            .build();
        match result {
            Err(SpawnError::Refused(why)) => assert!(!why.is_empty()),
            other => panic!("stack_size({size}): expected a refusal, got {other:?}"),
        }
        // The first worker's spawn failed; no other was attempted.
        spawns += 1;
        assert_eq!(BACKEND.spawns(), spawns, "stack_size({size})");
        BACKEND.wait_for_no_live_threads();
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri does not model stack sizes: the spawn would succeed"
)]
fn absurd_scoped_stack_sizes_return_refused_and_drop_the_closure() {
    setup();
    let probe = Arc::new(());
    let ran = AtomicBool::new(false);
    scope(|s| {
        for size in ABSURD_STACKS {
            let captured = probe.clone();
            let err = Builder::new()
                .stack_size(size)
                .spawn_scoped(s, || {
                    ran.store(true, Ordering::SeqCst);
                    drop(captured);
                })
                .expect_err("no thread has such a stack");
            assert!(matches!(err, SpawnError::Refused(_)), "{err:?}");
            assert_eq!(Arc::strong_count(&probe), 1, "the closure was kept");
        }
        // The scope goes on.
        assert_eq!(s.spawn(|| 3).join().unwrap(), 3);
    });
    assert!(!ran.load(Ordering::SeqCst));
}

// ---------------------------------------------------------------------------
// set_global_backend

#[test]
fn set_global_backend_twice_returns_already_set_and_the_first_stays() {
    setup();
    static OTHER: WrapBackend = WrapBackend::new();
    assert_eq!(
        INSTALLED.get(),
        Some(&Ok(())),
        "the first set_global_backend of the process failed"
    );
    assert_eq!(
        forkscope::set_global_backend(&OTHER),
        Err(BackendAlreadySet)
    );
    assert_eq!(
        forkscope::set_global_backend(&GLOBAL),
        Err(BackendAlreadySet)
    );
    let global: &dyn Backend = &GLOBAL;
    assert!(std::ptr::addr_eq(
        forkscope::global_backend().unwrap(),
        global
    ));
    // Work still goes to the first: a fresh thread is started through it.
    let before = GLOBAL.spawns();
    let value = scope(|s| {
        Builder::new()
            .fresh_thread(true)
            .spawn_scoped(s, || 11)
            .unwrap()
            .join()
            .unwrap()
    });
    assert_eq!(value, 11);
    assert!(GLOBAL.spawns() > before, "the spawn did not use GLOBAL");
    assert_eq!(OTHER.spawns(), 0, "the second backend was used");
}

// ---------------------------------------------------------------------------
// Misbehaving backends

#[test]
fn a_backend_with_no_parallelism_gives_a_working_pool_of_one() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new().parallelism(0);
    let size = run_a_pool_on("available_parallelism() == 0", &BACKEND, 0);
    assert_eq!(size, 1);
    assert_eq!(BACKEND.spawns(), 1);
}

#[test]
fn a_backend_whose_wait_returns_at_once_runs_everything_and_drops_its_pool() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new().waits_return_at_once();
    let threads = if cfg!(miri) { 2 } else { 3 };
    let size = run_a_pool_on("wait returns at once", &BACKEND, threads);
    assert_eq!(size, threads);
}

#[test]
fn a_thread_waiting_on_a_pool_whose_wait_returns_at_once_loops_until_its_job_is_done() {
    setup();
    // The caller's wait on its job's latch returns at once, every time:
    // it must call again (a spurious wake-up is not a wake-up) until the
    // job is really done. 100 calls: it loops, and did not take the first
    // return for the end.
    static BACKEND: WrapBackend = WrapBackend::new().waits_return_at_once();
    a_caller_waits_for_a_busy_pool_of_one(
        "an outside caller of a pool whose wait returns at once",
        &BACKEND,
        || BACKEND.wait_calls() >= 100,
    );
}

#[test]
fn a_backend_whose_clock_goes_backwards_runs_everything_and_drops_its_pool() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new().clock_goes_backwards();
    let threads = if cfg!(miri) { 2 } else { 3 };
    let size = run_a_pool_on("now_nanos goes backwards", &BACKEND, threads);
    assert_eq!(size, threads);
    assert!(BACKEND.clock_reads() > 0, "the clock was never read");
}

#[test]
fn a_thread_waiting_on_a_pool_whose_clock_goes_backwards_still_goes_to_sleep() {
    setup();
    // The caller yields for a while, then sleeps in `wait`. Its yielding is
    // bounded by the clock, and a clock that went back counts as the time
    // being up (with a difference saturating at 0 it would yield forever).
    static BACKEND: WrapBackend = WrapBackend::new().clock_goes_backwards();
    a_caller_waits_for_a_busy_pool_of_one(
        "an outside caller of a backwards-clock pool",
        &BACKEND,
        || BACKEND.waiting() > 0,
    );
}

/// A pool of one worker on `backend`, busy with the job of an outside
/// caller that waits for it; once the job runs, waits (under the watchdog)
/// until `seen()` holds, then lets the job finish and checks the caller's
/// result and that the pool drops. While the job runs, nobody but the
/// caller uses `backend`: the worker runs the job, which sleeps through
/// std, not the backend.
fn a_caller_waits_for_a_busy_pool_of_one(
    what: &'static str,
    backend: &'static WrapBackend,
    seen: fn() -> bool,
) {
    within_a_minute(what, move || {
        let pool = Arc::new(
            ThreadPoolBuilder::new()
                .num_threads(1)
                .backend(backend)
                .build()
                .unwrap(),
        );
        let started = Arc::new(AtomicBool::new(false));
        let release = Arc::new(AtomicBool::new(false));
        let caller = {
            let (pool, started, release) = (pool.clone(), started.clone(), release.clone());
            std::thread::spawn(move || {
                pool.install(|| {
                    started.store(true, Ordering::SeqCst);
                    while !release.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    5
                })
            })
        };
        while !started.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        // (Bounded by the watchdog.)
        while !seen() {
            std::thread::sleep(Duration::from_millis(1));
        }
        release.store(true, Ordering::SeqCst);
        assert_eq!(caller.join().unwrap(), 5);
        drop(Arc::into_inner(pool).unwrap());
        backend.wait_for_no_live_threads();
    });
}

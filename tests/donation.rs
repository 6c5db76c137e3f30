//! Threads the pool did not start: donated threads (`donated_threads`,
//! `DonationHandle`), the install seat (`use_current_thread`), and pools on
//! backends of their own.
//!
//! - A pool of donated seats only, on a backend that refuses every spawn,
//!   never calls `spawn`, and runs `join`, iterators and `install` once
//!   threads are donated (the whole `tests/join.rs` and `tests/iter.rs` also
//!   run on such pools: `FORKSCOPE_TEST_POOLS=donated`, see
//!   `common/pools.rs`).
//! - Shutdown with donated threads inside (busy or asleep) returns them all
//!   `Ok(())`; a thread arriving later is told the pool shut down.
//! - A job that panics on a donated thread reaches its caller, and the
//!   donated thread keeps working.
//! - Errors: every seat taken, a thread that is a worker already.
//! - The install seat: the calling thread is worker 0 while in `install`;
//!   a pool of one install seat starts no thread and still runs work
//!   handed in by other threads (nothing waits for a thread that never
//!   comes).
//! - Two pools on two backends with separate per-thread slots: each worker
//!   finds its own pool.
//! - A spawn handler (`spawn_handler`, as rayon's) starts the pool's
//!   threads; one that fails fails the build, and the threads it started
//!   leave.
mod common;

use common::setup;
use common::wrap_backend::WrapBackend;
use forkscope::prelude::*;
use forkscope::{DonateError, ThreadPoolBuilder};
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// A bound on waits for something that must happen; not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(60);

fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
    a + b
}

const FIB_N: u64 = if cfg!(miri) { 8 } else { 20 };
const FIB: u64 = if cfg!(miri) { 21 } else { 6765 };
const N: u64 = if cfg!(miri) { 100 } else { 100_000 };

thread_local! {
    static SLOT_A: Cell<usize> = const { Cell::new(0) };
    static SLOT_B: Cell<usize> = const { Cell::new(0) };
}

/// Starts `n` threads (not through forkscope) that donate themselves.
fn donate(
    handle: &forkscope::DonationHandle,
    n: usize,
) -> Vec<thread::JoinHandle<Result<(), DonateError>>> {
    (0..n)
        .map(|_| {
            let handle = handle.clone();
            thread::spawn(move || handle.donate_current_thread())
        })
        .collect()
}

fn all_ok(donors: Vec<thread::JoinHandle<Result<(), DonateError>>>) {
    for donor in donors {
        assert_eq!(donor.join().expect("donated thread panicked"), Ok(()));
    }
}

/// Waits (bounded) until `done` holds.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "{what} within {PATIENCE:?}");
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_pool_of_donated_threads_only_never_spawns_and_runs_joins_and_iterators() {
    setup();
    static REFUSING: WrapBackend = WrapBackend::new();
    let _refuse = REFUSING.refusing();
    let pool = ThreadPoolBuilder::new()
        .num_threads(3)
        .donated_threads(3)
        .backend(&REFUSING)
        .build()
        .expect("a pool that starts no thread needs no spawn");
    assert_eq!(pool.current_num_threads(), 3);
    assert_eq!(pool.donation_handle().seats(), 3);
    let donors = donate(&pool.donation_handle(), 3);
    assert_eq!(pool.install(|| fib(FIB_N)), FIB);
    let sum: u64 = pool.install(|| (0..N).into_par_iter().map(|x| x * 2).sum());
    assert_eq!(sum, N * (N - 1));
    let v: Vec<u64> = pool.install(|| (0..N).into_par_iter().filter(|x| x % 3 == 0).collect());
    assert_eq!(v, (0..N).filter(|x| x % 3 == 0).collect::<Vec<_>>());
    // Each donated thread is a worker of the pool, with its seat's index.
    let seen: Vec<Option<usize>> = pool.install(|| {
        (0..64u32)
            .into_par_iter()
            .with_max_len(1)
            .map(|_| forkscope::current_thread_index())
            .collect()
    });
    assert!(seen.iter().all(|i| matches!(i, Some(0..3))), "{seen:?}");
    drop(pool);
    all_ok(donors);
    assert_eq!(REFUSING.spawns(), 0);
}

#[test]
fn dropping_the_pool_returns_busy_and_sleeping_donated_threads() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(3)
        .donated_threads(2)
        .build()
        .unwrap();
    let donors = donate(&pool.donation_handle(), 2);
    // One donated thread busy in a job while the pool is dropped, the other
    // (and the started one) asleep or looking for work.
    let release = AtomicBool::new(false);
    let started = AtomicBool::new(false);
    let busy = {
        let (release, started) = (&release, &started);
        let pool = &pool;
        thread::scope(|s| {
            let h = s.spawn(move || {
                pool.install(|| {
                    started.store(true, Ordering::SeqCst);
                    while !release.load(Ordering::SeqCst) {
                        thread::yield_now();
                    }
                    forkscope::current_thread_index()
                })
            });
            eventually("the job started", || started.load(Ordering::SeqCst));
            release.store(true, Ordering::SeqCst);
            h.join().unwrap()
        })
    };
    assert!(busy.is_some());
    thread::sleep(Duration::from_millis(if cfg!(miri) { 2 } else { 50 }));
    let handle = pool.donation_handle();
    drop(pool);
    all_ok(donors);
    assert_eq!(
        handle.donate_current_thread(),
        Err(DonateError::ShutDown),
        "a thread arriving after shutdown"
    );
}

#[test]
fn a_pool_dropped_before_any_thread_was_donated_shuts_down() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .donated_threads(2)
        .build()
        .unwrap();
    let handle = pool.donation_handle();
    drop(pool);
    assert_eq!(handle.donate_current_thread(), Err(DonateError::ShutDown));
}

#[test]
fn a_job_panicking_on_a_donated_thread_reaches_its_caller_and_the_thread_stays() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .donated_threads(2)
        .build()
        .unwrap();
    let donors = donate(&pool.donation_handle(), 2);
    for round in 0..if cfg!(miri) { 2 } else { 20 } {
        let err = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| -> u32 { panic!("job {round} (deliberate)") })
        }))
        .expect_err("the panic reaches install's caller");
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert_eq!(msg, format!("job {round} (deliberate)"));
        // A `b` that panics on whichever donated thread took it.
        let err = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| forkscope::join(|| fib(FIB_N), || panic!("b (deliberate)")))
        }))
        .expect_err("b's panic reaches join's caller");
        assert_eq!(err.downcast_ref::<&str>(), Some(&"b (deliberate)"));
    }
    // Both donated threads still serve the pool.
    assert_eq!(pool.install(|| fib(FIB_N)), FIB);
    drop(pool);
    all_ok(donors);
}

#[test]
fn donating_to_a_full_pool_or_from_a_worker_is_an_error() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .donated_threads(1)
        .build()
        .unwrap();
    let handle = pool.donation_handle();
    let donors = donate(&handle, 1);
    // Wait until the donated thread took the seat: then it is a worker,
    // index 0 (the started thread is index 1).
    let indices = || {
        pool.install(|| {
            (0..64u32)
                .into_par_iter()
                .with_max_len(1)
                .map(|_| forkscope::current_thread_index().unwrap())
                .collect::<Vec<_>>()
        })
    };
    eventually("the donated thread ran a piece", || indices().contains(&0));
    assert_eq!(
        handle.donate_current_thread(),
        Err(DonateError::NoVacantSeat)
    );
    let inner = handle.clone();
    assert_eq!(
        pool.install(move || inner.donate_current_thread()),
        Err(DonateError::AlreadyWorker)
    );
    assert!(!DonateError::NoVacantSeat.to_string().is_empty());
    drop(pool);
    all_ok(donors);
}

#[test]
fn the_install_seat_makes_the_caller_worker_zero() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .use_current_thread()
        .build()
        .unwrap();
    let me = thread::current().id();
    let (index, here) =
        pool.install(|| (forkscope::current_thread_index(), thread::current().id()));
    assert_eq!((index, here), (Some(0), me));
    assert_eq!(
        forkscope::current_thread_index(),
        None,
        "only while in install"
    );
    assert_eq!(pool.install(|| fib(FIB_N)), FIB);
    let sum: u64 = pool.install(|| (0..N).into_par_iter().sum());
    assert_eq!(sum, N * (N - 1) / 2);
    // A panic leaves the seat free for the next call.
    assert!(
        panic::catch_unwind(AssertUnwindSafe(|| pool.install(|| panic!("(deliberate)")))).is_err()
    );
    assert_eq!(pool.install(forkscope::current_thread_index), Some(0));
}

#[test]
fn a_pool_of_one_install_seat_starts_nothing_and_runs_everybodys_work() {
    setup();
    static REFUSING: WrapBackend = WrapBackend::new();
    let _refuse = REFUSING.refusing();
    let pool = ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .backend(&REFUSING)
        .build()
        .expect("no thread to start");
    assert_eq!(pool.install(|| fib(FIB_N)), FIB);
    // Several outside threads at once: one holds the seat, the others hand
    // their work in; whoever leaves the seat, or finds it vacant after
    // handing work in, runs what is waiting.
    let threads = if cfg!(miri) { 3 } else { 8 };
    let rounds = if cfg!(miri) { 3 } else { 300 };
    let barrier = Barrier::new(threads);
    thread::scope(|s| {
        for t in 0..threads {
            let (pool, barrier) = (&pool, &barrier);
            s.spawn(move || {
                barrier.wait();
                for r in 0..rounds {
                    let (i, v) = pool.install(|| (forkscope::current_thread_index(), t * r));
                    assert_eq!((i, v), (Some(0), t * r));
                }
            });
        }
    });
    assert_eq!(REFUSING.spawns(), 0);
}

#[test]
fn two_pools_on_two_backends_each_find_their_own_workers() {
    setup();
    static A: WrapBackend = WrapBackend::new().own_slot(&SLOT_A);
    static B: WrapBackend = WrapBackend::new().own_slot(&SLOT_B);
    let a = ThreadPoolBuilder::new()
        .num_threads(2)
        .backend(&A)
        .build()
        .unwrap();
    let b = ThreadPoolBuilder::new()
        .num_threads(3)
        .backend(&B)
        .build()
        .unwrap();
    assert_eq!(A.spawns(), 2);
    assert_eq!(B.spawns(), 3);
    let (in_a, in_b_from_a) = a.install(|| {
        (
            forkscope::current_num_threads(),
            b.install(|| {
                (
                    forkscope::current_num_threads(),
                    SLOT_A.with(Cell::get),
                    SLOT_B.with(Cell::get),
                )
            }),
        )
    });
    assert_eq!(in_a, 2);
    let (threads_b, slot_a, slot_b) = in_b_from_a;
    assert_eq!(threads_b, 3);
    // Without `std` forkscope keeps its per-thread word in the backend's
    // slot (with `std`, in a thread-local of its own, so neither is used).
    if cfg!(not(feature = "std")) {
        assert_eq!(slot_a, 0, "a worker of B has nothing in A's slot");
        assert_ne!(slot_b, 0, "a worker of B is found through B's slot");
    }
    assert_eq!(a.install(|| fib(FIB_N)), FIB);
    assert_eq!(b.install(|| fib(FIB_N)), FIB);
    let sum: u64 = b.install(|| (0..N).into_par_iter().map(|x| x + 1).sum());
    assert_eq!(sum, N * (N + 1) / 2);
    drop((a, b));
}

#[test]
fn a_spawn_handler_starts_the_pools_threads_as_rayons_does() {
    setup();
    static BACKEND: WrapBackend = WrapBackend::new();
    let pool = ThreadPoolBuilder::new()
        .num_threads(3)
        .backend(&BACKEND)
        .thread_name(|i| format!("handled-{i}"))
        .spawn_handler(|thread| {
            let mut b = thread::Builder::new();
            if let Some(name) = thread.name() {
                b = b.name(name.to_owned());
            }
            if let Some(size) = thread.stack_size() {
                b = b.stack_size(size);
            }
            // (`?` alone converts the io::Error with `std`; this test also
            // runs without forkscope's `std` feature.)
            b.spawn(|| thread.run())
                .map_err(|e| forkscope::SpawnError::Refused(e.to_string()))?;
            Ok(())
        })
        .build()
        .expect("three threads started by the handler");
    assert_eq!(pool.install(|| fib(FIB_N)), FIB);
    let names: Vec<(usize, String)> = pool.install(|| {
        (0..64u32)
            .into_par_iter()
            .with_max_len(1)
            .map(|_| {
                let index = forkscope::current_thread_index().unwrap();
                (index, thread::current().name().unwrap_or("").to_owned())
            })
            .collect()
    });
    assert!(
        names
            .iter()
            .all(|(i, name)| *name == format!("handled-{i}")),
        "{names:?}"
    );
    drop(pool);
    assert_eq!(BACKEND.spawns(), 0, "the backend started no thread");
}

#[test]
fn a_failing_spawn_handler_fails_the_build_and_its_started_threads_leave() {
    setup();
    static LEFT: AtomicUsize = AtomicUsize::new(0);
    let mut kept = Vec::new();
    let builders = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stash = builders.clone();
    let err = ThreadPoolBuilder::new()
        .num_threads(3)
        .spawn_handler(move |thread| match thread.index() {
            0 => {
                thread::spawn(move || {
                    thread.run();
                    LEFT.fetch_add(1, Ordering::SeqCst);
                });
                Ok(())
            }
            1 => {
                // Run only after the build failed.
                stash.lock().unwrap().push(thread);
                Ok(())
            }
            _ => Err(forkscope::SpawnError::Refused("no more threads".into())),
        })
        .build()
        .expect_err("the handler refused the third thread");
    assert_eq!(
        err,
        forkscope::SpawnError::Refused("no more threads".into())
    );
    eventually("the started thread left the failed pool", || {
        LEFT.load(Ordering::SeqCst) == 1
    });
    kept.append(&mut builders.lock().unwrap());
    for late in kept {
        assert_eq!(late.index(), 1);
        late.run(); // the pool is shut: returns at once
    }
}

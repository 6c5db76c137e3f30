//! Fork-join on a backend written without `std::thread` (raw pthreads, see
//! `common/pthread_backend.rs`): the global pool, joins from threads outside
//! any pool, panics, and a `ThreadPool` built on the backend explicitly. Only
//! built by `cargo test --no-default-features`.
#![cfg(not(feature = "std"))]

#[path = "common/pthread_backend.rs"]
mod common;

use common::PthreadBackend;
use forkscope::{Backend, Payload, ThreadPoolBuilder};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

fn panic_message(payload: &Payload) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "<non-string payload>"
    }
}

/// `native`, or `miri` when running under Miri (which is ~1000x slower).
const fn size(native: u64, miri: u64) -> u64 {
    if cfg!(miri) { miri } else { native }
}

fn fib_seq(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_seq(n - 1) + fib_seq(n - 2)
    }
}

fn fib_join(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib_join(n - 1), || fib_join(n - 2));
    a + b
}

#[test]
fn fib_via_join_matches_sequential() {
    common::install();
    let n = size(20, 10);
    assert_eq!(fib_join(n), fib_seq(n));
}

#[test]
fn join_borrows_and_mutates_disjoint_halves() {
    common::install();
    let mut v: Vec<u64> = (0..size(10_000, 500)).collect();
    fn double_all(s: &mut [u64]) {
        if s.len() <= 64 {
            s.iter_mut().for_each(|x| *x *= 2);
            return;
        }
        let (l, r) = s.split_at_mut(s.len() / 2);
        forkscope::join(|| double_all(l), || double_all(r));
    }
    double_all(&mut v);
    assert!(v.iter().enumerate().all(|(i, &x)| x == 2 * i as u64));
}

/// Threads started by the backend itself (not `std::thread`, not a pool
/// worker) take the cold path: hand the pair to the global pool and block.
#[test]
fn join_from_four_external_backend_threads() {
    common::install();
    const FIB_A: u64 = size(18, 8);
    const FIB_B: u64 = size(10, 5);
    let results: Arc<[AtomicU64; 4]> = Arc::new(Default::default());
    let latches: Vec<_> = (0..4)
        .map(|i| {
            let results = results.clone();
            common::spawn_external(move || {
                assert_eq!(forkscope::current_thread_index(), None);
                let (a, b) = forkscope::join(|| fib_join(FIB_A + i as u64), || fib_join(FIB_B));
                results[i].store(a + b, Ordering::SeqCst);
            })
        })
        .collect();
    for latch in &latches {
        latch.wait(60);
    }
    for (i, r) in results.iter().enumerate() {
        assert_eq!(
            r.load(Ordering::SeqCst),
            fib_seq(FIB_A + i as u64) + fib_seq(FIB_B),
            "thread {i}"
        );
    }
    assert_eq!(common::escaped_panics(), 0);
}

#[test]
fn a_panic_in_b_is_resumed_after_both_halves_ran() {
    common::install();
    let a_ran = AtomicBool::new(false);
    let b_ran = AtomicBool::new(false);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        forkscope::join(
            || {
                a_ran.store(true, Ordering::SeqCst);
                fib_join(size(15, 8))
            },
            || {
                b_ran.store(true, Ordering::SeqCst);
                panic!("b boom")
            },
        )
    }));
    let payload = result.expect_err("join must resume b's panic");
    assert_eq!(panic_message(&payload), "b boom");
    assert!(a_ran.load(Ordering::SeqCst));
    assert!(b_ran.load(Ordering::SeqCst));
}

#[test]
fn a_panic_in_a_still_runs_b_and_a_wins_over_b() {
    common::install();
    let b_ran = AtomicBool::new(false);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        forkscope::join(
            || -> u32 { panic!("a boom") },
            || {
                fib_join(size(15, 8));
                b_ran.store(true, Ordering::SeqCst);
                panic!("b boom")
            },
        )
    }));
    let payload = result.expect_err("join must resume a panic");
    assert_eq!(panic_message(&payload), "a boom");
    assert!(b_ran.load(Ordering::SeqCst));
}

#[test]
fn a_panic_deep_in_a_join_tree_reaches_the_caller() {
    common::install();
    /// Panics at one node only (the first to reach `n == 7`).
    fn tree(n: u64, count: &AtomicUsize) -> u64 {
        if n == 7 && count.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("leaf boom");
        }
        if n < 2 {
            return n;
        }
        let (a, b) = forkscope::join(|| tree(n - 1, count), || tree(n - 2, count));
        a + b
    }
    let count = AtomicUsize::new(0);
    let result = panic::catch_unwind(AssertUnwindSafe(|| tree(size(16, 9), &count)));
    assert_eq!(panic_message(&result.expect_err("must panic")), "leaf boom");
    assert!(count.load(Ordering::SeqCst) >= 1);
    // The pool is still usable afterwards.
    assert_eq!(fib_join(size(15, 8)), fib_seq(size(15, 8)));
}

#[test]
fn a_pool_on_the_pthread_backend_installs_and_joins() {
    common::install();
    let before = common::threads_created();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .backend(&PthreadBackend)
        .build()
        .expect("pool on the pthread backend");
    assert!(
        common::threads_created() - before >= 2,
        "workers come from PthreadBackend::spawn"
    );
    assert_eq!(pool.current_num_threads(), 2);

    let (index, slot, threads) = pool.install(|| {
        (
            forkscope::current_thread_index(),
            PthreadBackend.slot(),
            forkscope::current_num_threads(),
        )
    });
    assert!(matches!(index, Some(0 | 1)), "{index:?}");
    assert_ne!(slot, 0, "a worker keeps its pointer in the backend's slot");
    assert_eq!(threads, 2);

    let n = size(20, 10);
    assert_eq!(pool.install(|| fib_join(n)), fib_seq(n));
    let (a, b) = pool.join(|| fib_join(n - 4), || fib_join(n - 3));
    assert_eq!((a, b), (fib_seq(n - 4), fib_seq(n - 3)));

    let caught = panic::catch_unwind(AssertUnwindSafe(|| pool.install(|| panic!("install boom"))));
    assert_eq!(
        panic_message(&caught.expect_err("install resumes")),
        "install boom"
    );
    assert_eq!(pool.install(|| fib_join(10)), 55);

    drop(pool);
    assert_eq!(PthreadBackend.slot(), 0, "the caller's slot is untouched");
    assert_eq!(common::escaped_panics(), 0);
}

/// With enough work, both workers of a 2-thread pool take part: sleeping
/// workers are woken through the backend's futex.
#[test]
#[cfg_attr(miri, ignore = "a liveness test sized for native speed")]
fn a_long_join_tree_recruits_every_worker_of_the_pool() {
    common::install();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .backend(&PthreadBackend)
        .build()
        .unwrap();
    let seen = [AtomicBool::new(false), AtomicBool::new(false)];
    fn tree(n: u64, seen: &[AtomicBool; 2]) -> u64 {
        if let Some(i) = forkscope::current_thread_index() {
            seen[i].store(true, Ordering::Relaxed);
        }
        if n < 2 {
            return n;
        }
        let (a, b) = forkscope::join(|| tree(n - 1, seen), || tree(n - 2, seen));
        a + b
    }
    let start = PthreadBackend.now_nanos().unwrap();
    let mut rounds = 0;
    while !seen.iter().all(|s| s.load(Ordering::Relaxed)) {
        assert_eq!(pool.install(|| tree(22, &seen)), fib_seq(22));
        rounds += 1;
        let waited = PthreadBackend.now_nanos().unwrap() - start;
        assert!(
            waited < 20_000_000_000,
            "a worker never took part after {rounds} rounds"
        );
    }
}

/// The watcher works on a backend that is not std's: with both workers of a
/// pool asleep, a `join` whose `a` spins (no further joins) until `b` has
/// run finishes, because a sleeping worker wakes on its timed wait
/// (`Backend::wait_timeout`, the futex with a timeout) and takes `b`.
#[test]
fn a_that_spins_until_b_runs_finishes_with_workers_asleep() {
    common::install();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .backend(&PthreadBackend)
        .build()
        .unwrap();
    pool.install(|| ());
    let sleep_until = PthreadBackend.now_nanos().unwrap() + size(100_000_000, 20_000_000);
    while PthreadBackend.now_nanos().unwrap() < sleep_until {
        PthreadBackend.yield_now();
    }
    let flag = AtomicBool::new(false);
    let deadline = PthreadBackend.now_nanos().unwrap() + 20_000_000_000;
    let (a, b) = pool.install(|| {
        forkscope::join(
            || {
                while !flag.load(Ordering::SeqCst) {
                    assert!(
                        PthreadBackend.now_nanos().unwrap() < deadline,
                        "b never ran on the other worker"
                    );
                    core::hint::spin_loop();
                }
                forkscope::current_thread_index()
            },
            || {
                flag.store(true, Ordering::SeqCst);
                forkscope::current_thread_index()
            },
        )
    });
    assert!(a.is_some() && b.is_some());
    assert_ne!(a, b, "b ran on the other worker");
}

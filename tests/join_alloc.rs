//! A `join` allocates nothing, hot or cold: its jobs live on the stack
//! (`docs/architecture.md`, "Zero allocations per `join`; one per spawn").
//! A counting global allocator checks it once the pools are
//! running: cold joins from a thread outside the pool (`ThreadPool::join`,
//! `forkscope::join` into the global pool, `install`), and hot joins on the
//! workers, stolen or not.
//!
//! Every allocation of the process is counted, whichever thread makes it, so
//! this binary holds a single test: nothing else may run while it counts.
//!
//! With `--no-default-features` the same test runs on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::setup;
use forkscope::ThreadPoolBuilder;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// The system allocator, counting allocations while `COUNTING` is set.
struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

impl CountingAllocator {
    fn count() {
        if COUNTING.load(Ordering::SeqCst) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

// SAFETY: forwards every call to `System` unchanged; counting touches only
// atomics and never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// How many allocations the whole process made while `f` ran.
fn allocations_during(f: impl FnOnce()) -> usize {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
    a + b
}
/// A join on a pool worker whose `a` does not return before `b` started on
/// another thread. Returns the two threads' ids.
fn join_with_b_stolen() -> (ThreadId, ThreadId) {
    let b_started = AtomicBool::new(false);
    forkscope::join(
        || {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !b_started.load(Ordering::SeqCst) {
                assert!(Instant::now() < deadline, "b was never stolen");
                // Each tiny join is a chance to hand out the frame of `b`.
                forkscope::join(std::hint::spin_loop, std::hint::spin_loop);
            }
            thread::current().id()
        },
        || {
            b_started.store(true, Ordering::SeqCst);
            thread::current().id()
        },
    )
}

/// Waits until the threads `{prefix}0` .. `{prefix}{n - 1}` have started:
/// std names a new thread (visible in `/proc`) after its start-up
/// allocations. Linux only; elsewhere the warm-up joins have to do.
fn wait_until_started(prefix: &str, n: usize) {
    if !cfg!(target_os = "linux") || cfg!(miri) {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut names = Vec::new();
        for entry in std::fs::read_dir("/proc/self/task").unwrap() {
            let comm = std::fs::read_to_string(entry.unwrap().path().join("comm"));
            names.push(comm.unwrap_or_default().trim_end().to_owned());
        }
        if (0..n).all(|i| names.contains(&format!("{prefix}{i}"))) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{prefix}* threads did not start: {names:?}"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

const COLD_JOINS: usize = if cfg!(miri) { 10 } else { 1000 };
const FIB_N: u64 = if cfg!(miri) { 8 } else { 22 };
const FIB_RESULT: u64 = if cfg!(miri) { 21 } else { 17_711 };

#[test]
fn joins_allocate_nothing_once_the_pools_are_running() {
    setup();
    // Warm up: start the pool and the global pool, and let every lazily
    // initialised piece of std (thread-locals, clocks, ...) settle.
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name(|i| format!("alloc-pool-{i}"))
        .build()
        .unwrap();
    assert_eq!(pool.install(|| fib(FIB_N)), FIB_RESULT);
    assert_eq!(pool.join(|| 1, || 2), (1, 2));
    let (a, b) = pool.install(join_with_b_stolen);
    assert_ne!(a, b);
    assert_eq!(forkscope::join(|| 1, || 2), (1, 2));
    let (a, b) = forkscope::join(join_with_b_stolen, || ()).0;
    assert_ne!(a, b);
    assert_eq!(fib(FIB_N), FIB_RESULT);
    // A worker that the OS starts late would make std's thread start-up
    // allocation (its stack-overflow handler's thread info) land in a count.
    wait_until_started("alloc-pool-", 2);
    wait_until_started("forkscope-", forkscope::current_num_threads());

    // The counter sees allocations at all.
    let one_box = allocations_during(|| drop(std::hint::black_box(Box::new(1u8))));
    assert_eq!(one_box, 1, "the counting allocator counts");

    let expected_sum: usize = (0..COLD_JOINS).map(|i| 2 * i + 1).sum();
    let mut counts = Vec::with_capacity(8);

    let mut sum = 0;
    let n = allocations_during(|| {
        for i in 0..COLD_JOINS {
            let (a, b) = pool.join(|| i, || i + 1);
            sum += a + b;
        }
    });
    assert_eq!(sum, expected_sum);
    counts.push(("cold ThreadPool::join from the main thread", n));

    let mut fib_on_pool = 0;
    let n = allocations_during(|| fib_on_pool = pool.install(|| fib(FIB_N)));
    assert_eq!(fib_on_pool, FIB_RESULT);
    counts.push(("install(fib) on a 2-thread pool: hot joins", n));

    // A join whose `b` is certainly stolen, so the share / steal / latch /
    // wake path runs while counting.
    let mut threads = None;
    let n = allocations_during(|| threads = Some(pool.install(join_with_b_stolen)));
    let (a_thread, b_thread) = threads.unwrap();
    assert_ne!(a_thread, b_thread, "b was stolen");
    counts.push(("a join whose b is stolen", n));

    let mut global_sum = 0;
    let n = allocations_during(|| {
        for i in 0..COLD_JOINS {
            let (a, b) = forkscope::join(|| i, || i + 1);
            global_sum += a + b;
        }
    });
    assert_eq!(global_sum, expected_sum);
    counts.push(("cold forkscope::join into the global pool", n));

    let mut fib_global = 0;
    let n = allocations_during(|| fib_global = fib(FIB_N));
    assert_eq!(fib_global, FIB_RESULT);
    counts.push(("fib via forkscope::join from outside: global pool", n));

    assert!(
        counts.iter().all(|&(_, n)| n == 0),
        "joins allocated (what, allocations): {counts:?}"
    );
}

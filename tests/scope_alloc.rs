//! The allocation promise of `scope` (`docs/architecture.md`, "Zero
//! allocations per `join`; one per spawn"): a spawn on a reused (cached)
//! thread costs one heap allocation (closure, result and completion event in
//! one packet), and a scope one more (its shared `Arc<ScopeData>`).
//!
//! A counting global allocator counts every allocation in the process while
//! enabled, and those of each thread separately. This binary holds a single
//! test, so nothing else allocates while it measures (libtest's main thread
//! only waits for it).
//!
//! With `--no-default-features` the same test runs on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::setup;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALL_THREADS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // A const-initialized `Cell<usize>` has no destructor, so it can be used
    // from inside the allocator at any point of a thread's life.
    static THIS_THREAD: Cell<usize> = const { Cell::new(0) };
}

impl Counting {
    fn count(&self) {
        // Relaxed: the flag is flipped by the measuring thread, which then
        // synchronizes with everything it measures (scope joins all spawns).
        if COUNTING.load(Ordering::Relaxed) {
            ALL_THREADS.fetch_add(1, Ordering::Relaxed);
        }
        let _ = THIS_THREAD.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: forwards to the system allocator; counting touches no heap memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations made while running `f`: (by this thread, by all threads).
fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize, usize) {
    let local_before = THIS_THREAD.with(Cell::get);
    ALL_THREADS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let result = f();
    COUNTING.store(false, Ordering::SeqCst);
    let local = THIS_THREAD.with(Cell::get) - local_before;
    (result, local, ALL_THREADS.load(Ordering::SeqCst))
}

#[test]
#[cfg_attr(miri, ignore = "relies on cached threads staying idle for a while")]
fn a_spawn_on_a_cached_thread_allocates_once() {
    setup();
    const N: usize = 8;

    // Warm up: N spawns that wait for each other leave N threads idle in the
    // cache (and set up the cache itself, which allocates once).
    let barrier = Barrier::new(N);
    forkscope::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                barrier.wait();
            });
        }
    });
    // A cached thread is back in the cache before its spawn counts as done,
    // so all N are idle now (and stay for the 1 s idle timeout).

    let data: [usize; N] = std::array::from_fn(|i| i * 3);

    // Unjoined spawns: results dropped by the threads.
    let ((), local, global) = allocations(|| {
        forkscope::scope(|s| {
            for x in &data {
                s.spawn(move || *x + 1);
            }
        });
    });
    assert!(
        local <= N + 1,
        "{N} unjoined spawns: {local} allocations on the spawning thread"
    );
    assert!(
        global <= N + 1,
        "{N} unjoined spawns: {global} allocations in all threads"
    );

    // Joined spawns: results moved out through the handles (no heap needed
    // for the handles themselves: an array).
    let (sum, local, global) = allocations(|| {
        forkscope::scope(|s| {
            let handles: [_; N] = std::array::from_fn(|i| {
                let x = &data[i];
                s.spawn(move || *x * 2)
            });
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum::<usize>()
        })
    });
    assert_eq!(sum, data.iter().map(|x| x * 2).sum::<usize>());
    assert!(
        local <= N + 1,
        "{N} joined spawns: {local} allocations on the spawning thread"
    );
    assert!(
        global <= N + 1,
        "{N} joined spawns: {global} allocations in all threads"
    );

    // The counter works: at least the packets were counted.
    assert!(local >= N, "{N} spawns counted only {local} allocations");
}

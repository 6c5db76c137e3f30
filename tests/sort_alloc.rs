//! The parallel sorts' allocations: the stable sort allocates its buffer
//! once, the unstable sort nothing, and `par_sort_by_cached_key` its vector
//! of keys once, inside a pool and from outside any pool, once the pools
//! are running. A counting global allocator checks it; one test per binary,
//! since every allocation of the process is counted.
#![cfg(feature = "std")]

use forkscope::ThreadPoolBuilder;
use forkscope::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to `System` unchanged; counting touches only
// atomics and never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::SeqCst) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::SeqCst) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
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

fn allocations_of(f: impl FnOnce()) -> usize {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

#[test]
fn stable_sorts_allocate_once_and_unstable_ones_never() {
    let n: u64 = if cfg!(miri) { 100 } else { 100_003 };
    let v: Vec<u64> = (0..n)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20)
        .collect();
    let mut expected = v.clone();
    expected.sort();
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    // Warm up the global pool, thread-locals and the pools' first jobs.
    forkscope::join(|| (), || ());
    pool.install(|| v.clone().par_sort());
    let mut w = v.clone();
    type Case = (&'static str, usize, fn(&mut [u64]));
    let cases: [Case; 6] = [
        ("par_sort", 1, |w| w.par_sort()),
        ("par_sort_by", 1, |w| w.par_sort_by(|a, b| a.cmp(b))),
        ("par_sort_by_key", 1, |w| w.par_sort_by_key(|x| *x)),
        ("par_sort_by_cached_key", 1, |w| {
            w.par_sort_by_cached_key(|x| *x)
        }),
        ("par_sort_unstable", 0, |w| w.par_sort_unstable()),
        ("par_sort_unstable_by_key", 0, |w| {
            w.par_sort_unstable_by_key(|x| *x)
        }),
    ];
    for (what, allowed, sort) in cases {
        w.copy_from_slice(&v);
        let inside = allocations_of(|| pool.install(|| sort(&mut w)));
        assert_eq!(w, expected, "{what}");
        assert_eq!(inside, allowed, "{what} inside a pool");
        w.copy_from_slice(&v);
        let outside = allocations_of(|| sort(&mut w));
        assert_eq!(w, expected, "{what}");
        assert_eq!(outside, allowed, "{what} from outside any pool");
    }
}

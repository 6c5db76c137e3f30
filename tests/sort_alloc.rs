//! The parallel sorts' allocations: the stable sort allocates its buffer
//! once, the unstable sort nothing, and `par_sort_by_cached_key` its vector
//! of keys once, inside a pool and from outside any pool, once the pools
//! are running. A counting global allocator checks it; one test per binary,
//! since every allocation of the process is counted.
//!
//! With `--no-default-features` the same test runs on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::setup;
use forkscope::ThreadPoolBuilder;
use forkscope::prelude::*;

#[path = "common/counting_alloc.rs"]
mod counting;
use counting::allocations_of;

#[test]
fn stable_sorts_allocate_once_and_unstable_ones_never() {
    setup();
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

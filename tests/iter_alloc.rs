//! The reductions and searches allocate nothing, and an indexed `collect`
//! allocates its output once. A counting global
//! allocator checks it, inside a pool and from outside any pool, once the
//! pools are running. One test per binary: every allocation of the process
//! is counted.
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

fn operations(v: &[u64]) -> u64 {
    let mut acc = v.par_iter().sum::<u64>();
    acc ^= v.par_iter().map(|x| x * 3).sum::<u64>();
    acc ^= v.par_iter().count() as u64;
    acc ^= v.par_iter().map(|&x| x).reduce(|| 0, |a, b| a ^ b);
    acc ^= v.par_iter().min().copied().unwrap_or(0);
    acc ^= v.par_iter().max().copied().unwrap_or(0);
    acc ^= v
        .par_iter()
        .zip(v.par_iter())
        .map(|(a, b)| a * b)
        .sum::<u64>();
    v.par_iter().for_each(|x| {
        std::hint::black_box(x);
    });
    let last = v.len() as u64 - 1;
    acc ^= v
        .par_iter()
        .find_any(|&&x| x == last / 2)
        .copied()
        .unwrap_or(0);
    acc ^= v
        .par_iter()
        .find_first(|&&x| x % 1000 == 999)
        .copied()
        .unwrap_or(0);
    acc ^= v
        .par_iter()
        .find_last(|&&x| x % 1000 == 1)
        .copied()
        .unwrap_or(0);
    acc ^= v.par_iter().position_first(|&x| x == last).unwrap_or(0) as u64;
    acc ^= u64::from(v.par_iter().any(|&x| x == last));
    acc ^= u64::from(v.par_iter().all(|&x| x <= last));
    acc ^= v.par_iter().min_by_key(|&&x| x % 7).copied().unwrap_or(0);
    acc ^= v
        .par_iter()
        .max_by(|a, b| (*a % 5).cmp(&(*b % 5)))
        .copied()
        .unwrap_or(0);
    acc ^= v
        .par_iter()
        .fold(|| 0u64, |a, &x| a ^ x)
        .reduce(|| 0, |a, b| a ^ b);
    acc ^= v.par_iter().map_with(3u64, |k, &x| x * *k).sum::<u64>();
    v.par_iter().for_each_init(
        || 1u64,
        |k, x| {
            std::hint::black_box(*x * *k);
        },
    );
    acc
}

#[test]
fn reductions_and_searches_never_allocate_and_indexed_collect_allocates_once() {
    setup();
    let n = if cfg!(miri) { 500 } else { 200_000 };
    let v: Vec<u64> = (0..n).collect();
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    // Warm up: the global pool (started here for sure: the calls from
    // outside may or may not reach it, depending on how fast they are),
    // thread-locals, the pools' first jobs.
    forkscope::join(|| (), || ());
    let expected = operations(&v);
    assert_eq!(pool.install(|| operations(&v)), expected);
    let reps = if cfg!(miri) { 2 } else { 20 };
    let inside = allocations_of(|| {
        pool.install(|| {
            for _ in 0..reps {
                assert_eq!(operations(&v), expected);
            }
        })
    });
    assert_eq!(inside, 0, "reductions inside a pool allocated");
    let outside = allocations_of(|| {
        for _ in 0..reps {
            assert_eq!(operations(&v), expected);
        }
    });
    assert_eq!(outside, 0, "reductions from outside any pool allocated");
    let mut out = Vec::new();
    let collect =
        allocations_of(|| pool.install(|| v.par_iter().map(|x| x + 1).collect_into_vec(&mut out)));
    assert_eq!(collect, 1, "collect_into_vec allocates its output once");
    assert_eq!(out.len(), v.len());
    let again =
        allocations_of(|| pool.install(|| v.par_iter().map(|x| x + 2).collect_into_vec(&mut out)));
    assert_eq!(
        again, 0,
        "collect_into_vec reuses a vector with enough capacity"
    );
    let collected = allocations_of(|| {
        let c: Vec<u64> = pool.install(|| v.par_iter().map(|x| x + 1).collect());
        assert_eq!(c.len(), v.len());
    });
    assert_eq!(collected, 1, "an indexed collect allocates its output once");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let unzipped = allocations_of(|| {
        pool.install(|| {
            v.par_iter()
                .map(|&x| (x, x))
                .unzip_into_vecs(&mut a, &mut b)
        })
    });
    assert_eq!(unzipped, 2, "unzip_into_vecs allocates each output once");
}

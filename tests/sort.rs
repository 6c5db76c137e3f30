//! The sorts and the remaining slice iterators against std: every
//! `par_sort*` against `sort` / `sort_unstable` on random, sorted,
//! reversed, all-equal, sawtooth and few-distinct inputs of sizes 0, 1, 2,
//! 3, 7, 64, 1000 and 100_003 plus the sizes around the sequential
//! thresholds (smaller under Miri, where the library's thresholds shrink
//! too, so that short inputs take the parallel paths), in pools of 1, 2
//! and 3 threads (2 and 3 under Miri) and from outside any pool;
//! stability; the cached key's call count; comparators that panic at the
//! k-th call, with items that log their drops; and `par_split*`,
//! `par_rchunks*`, `par_chunk_by*` against std's `split`, `rchunks`,
//! `chunk_by`.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;
use common::setup;

use forkscope::prelude::*;
use forkscope::{ThreadPool, ThreadPoolBuilder};
use std::cmp::Ordering;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};

/// Sizes for the sorts: the brief's, and both sides of the library's
/// sequential thresholds (8192 unstable, 4096 stable).
const SIZES: &[usize] = if cfg!(miri) {
    &[0, 1, 2, 3, 7, 33]
} else {
    &[0, 1, 2, 3, 7, 64, 1000, 4095, 4096, 8191, 8192, 100_003]
};

/// Pools of 1, 2 and 3 threads; under Miri only 2 and 3 (in a pool of
/// one, the sorts are std's, on the worker).
fn pools() -> Vec<ThreadPool> {
    let sizes: &[usize] = if cfg!(miri) { &[2, 3] } else { &[1, 2, 3] };
    sizes
        .iter()
        .copied()
        .map(|n| ThreadPoolBuilder::new().num_threads(n).build().unwrap())
        .collect()
}

/// Runs `check` from outside any pool and inside each of `pools()`.
fn everywhere(check: impl Fn() + Sync) {
    check();
    for pool in pools() {
        pool.install(&check);
    }
}

/// [`everywhere`], but under Miri only in a pool of 3: for the iterators
/// written in safe code, whose every place Miri spends seconds on.
fn everywhere_but_in_miri(check: impl Fn() + Sync) {
    if cfg!(miri) {
        let pool = ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        pool.install(&check);
    } else {
        everywhere(check);
    }
}

fn quiet<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    panic::catch_unwind(AssertUnwindSafe(f))
}

/// Runs `f` with the panic message printer off.
fn silently<R>(f: impl FnOnce() -> R) -> R {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let r = quiet(f);
    panic::set_hook(hook);
    r.unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// splitmix64: well-spread values from a counter.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const PATTERNS: [&str; 6] = [
    "random",
    "sorted",
    "reversed",
    "all equal",
    "sawtooth",
    "few distinct",
];

fn pattern(name: &str, n: usize) -> Vec<u64> {
    let n64 = n as u64;
    (0..n64)
        .map(|i| match name {
            "random" => mix(i),
            "sorted" => i,
            "reversed" => n64 - i,
            "all equal" => 7,
            "sawtooth" => i % (n64 / 7 + 3),
            "few distinct" => mix(i) % 4,
            _ => unreachable!(),
        })
        .collect()
}

/// A key with ties: the top 10 bits, so that a stable and an unstable
/// sort by it can differ.
fn coarse(x: &u64) -> u64 {
    x >> 54 | (x & 3)
}

/// Every pattern at every size, with a name for the messages.
fn inputs() -> Vec<(String, Vec<u64>)> {
    PATTERNS
        .iter()
        .flat_map(|name| {
            SIZES
                .iter()
                .map(move |&n| (format!("{name}, n = {n}"), pattern(name, n)))
        })
        .collect()
}

#[test]
fn stable_sorts_give_exactly_what_std_sort_gives() {
    setup();
    let cases: Vec<_> = inputs()
        .into_iter()
        .map(|(what, v)| {
            let mut sorted = v.clone();
            sorted.sort();
            let mut by_key = v.clone();
            by_key.sort_by_key(coarse);
            let mut desc = v.clone();
            desc.sort_by_key(|x| std::cmp::Reverse(coarse(x)));
            (what, v, sorted, by_key, desc)
        })
        .collect();
    everywhere(|| {
        for (what, v, sorted, by_key, desc) in &cases {
            let mut w = v.clone();
            w.par_sort();
            assert_eq!(&w, sorted, "par_sort: {what}");
            let mut w = v.clone();
            w.par_sort_by_key(coarse);
            assert_eq!(&w, by_key, "par_sort_by_key: {what}");
            let mut w = v.clone();
            w.par_sort_by_cached_key(coarse);
            assert_eq!(&w, by_key, "par_sort_by_cached_key: {what}");
            let mut w = v.clone();
            w.par_sort_by(|a, b| coarse(b).cmp(&coarse(a)));
            assert_eq!(&w, desc, "par_sort_by: {what}");
        }
    });
}

/// Whether `w` holds the items of `v`, with the same count of each.
fn same_items<T: Ord + Clone>(v: &[T], w: &[T]) -> bool {
    let (mut v, mut w) = (v.to_vec(), w.to_vec());
    v.sort();
    w.sort();
    v == w
}

#[test]
fn unstable_sorts_sort_like_std_sort_unstable() {
    setup();
    let key_order = |w: &[u64]| w.iter().map(coarse).collect::<Vec<_>>();
    let cases: Vec<_> = inputs()
        .into_iter()
        .map(|(what, v)| {
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let mut by_key = v.clone();
            by_key.sort_unstable_by_key(coarse);
            let by_key = key_order(&by_key);
            (what, v, sorted, by_key)
        })
        .collect();
    everywhere(|| {
        for (what, v, sorted, by_key) in &cases {
            let mut w = v.clone();
            w.par_sort_unstable();
            assert_eq!(&w, sorted, "par_sort_unstable: {what}");
            let mut w = v.clone();
            w.par_sort_unstable_by(|a, b| b.cmp(a));
            w.reverse();
            assert_eq!(&w, sorted, "par_sort_unstable_by: {what}");
            // Equal keys may come in any order: compare the keys, and that
            // nothing was lost.
            let mut w = v.clone();
            w.par_sort_unstable_by_key(coarse);
            assert_eq!(&key_order(&w), by_key, "par_sort_unstable_by_key: {what}");
            assert!(same_items(v, &w), "par_sort_unstable_by_key: {what}");
        }
    });
}

#[test]
fn strings_sort_like_std_in_every_pool() {
    setup();
    let n = if cfg!(miri) { 24 } else { 30_011 };
    let v: Vec<String> = (0..n as u64)
        .map(|i| (mix(i) % 100_000).to_string())
        .collect();
    let mut sorted = v.clone();
    sorted.sort();
    everywhere(|| {
        let mut w = v.clone();
        w.par_sort();
        assert_eq!(w, sorted);
        let mut w = v.clone();
        w.par_sort_unstable();
        assert_eq!(w, sorted);
        let mut w = v.clone();
        w.par_sort_by_cached_key(|s| s.len());
        let mut expected = v.clone();
        expected.sort_by_key(|s| s.len());
        assert_eq!(w, expected);
    });
}

#[test]
fn stable_sorts_keep_equal_keys_in_input_order() {
    setup();
    let n = if cfg!(miri) { 40 } else { 100_003 };
    // (key, position): few keys, so long runs of ties.
    let v: Vec<(u8, usize)> = (0..n).map(|i| ((mix(i as u64) % 5) as u8, i)).collect();
    let kept_order = |w: &[(u8, usize)]| {
        w.windows(2)
            .all(|p| p[0].0 < p[1].0 || (p[0].0 == p[1].0 && p[0].1 < p[1].1))
    };
    everywhere(|| {
        let mut w = v.clone();
        w.par_sort_by_key(|p| p.0);
        assert!(kept_order(&w), "par_sort_by_key");
        let mut w = v.clone();
        w.par_sort_by(|a, b| a.0.cmp(&b.0));
        assert!(kept_order(&w), "par_sort_by");
        let mut w = v.clone();
        w.par_sort_by_cached_key(|p| p.0);
        assert!(kept_order(&w), "par_sort_by_cached_key");
        // Descending keys, ties still in input order.
        let mut w = v.clone();
        w.par_sort_by(|a, b| b.0.cmp(&a.0));
        assert!(w.windows(2).all(|p| p[0].0 > p[1].0 || p[0].1 < p[1].1));
    });
}

#[test]
fn par_sort_by_cached_key_calls_the_key_function_once_per_item() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = pattern("random", n);
            let calls = AtomicUsize::new(0);
            let mut w = v.clone();
            w.par_sort_by_cached_key(|x| {
                calls.fetch_add(1, Relaxed);
                coarse(x)
            });
            // std's calls it for no item of a slice too short to sort.
            let expected_calls = if n < 2 { 0 } else { n };
            assert_eq!(calls.into_inner(), expected_calls, "n = {n}");
            let mut expected = v.clone();
            expected.sort_by_key(coarse);
            assert_eq!(w, expected);
        }
    });
}

#[test]
fn zero_sized_and_large_items_sort() {
    setup();
    let n = if cfg!(miri) { 20 } else { 20_000 };
    everywhere(|| {
        let mut units = vec![(); n];
        units.par_sort();
        units.par_sort_unstable();
        assert_eq!(units.len(), n);
        let v: Vec<[u64; 9]> = (0..n as u64).map(|i| [mix(i) % 97; 9]).collect();
        let mut expected = v.clone();
        expected.sort();
        let mut w = v.clone();
        w.par_sort();
        assert_eq!(w, expected);
        let mut w = v.clone();
        w.par_sort_unstable();
        assert_eq!(w, expected);
    });
}

// ---------------------------------------------------------------------------
// Panics in the comparison
// ---------------------------------------------------------------------------

/// What the items of one panicking sort share: how often each was dropped,
/// and the comparison counter that panics at call `at`.
struct Log {
    drops: Vec<AtomicU32>,
    calls: AtomicUsize,
    at: usize,
}

impl Log {
    fn new(n: usize, at: usize) -> Log {
        Log {
            drops: (0..n).map(|_| AtomicU32::new(0)).collect(),
            calls: AtomicUsize::new(0),
            at,
        }
    }

    /// Counts a comparison (or a key computed), panicking at the `at`-th.
    fn tick(&self) {
        let call = self.calls.fetch_add(1, Relaxed);
        assert!(call != self.at, "comparison {call}");
    }

    fn items(&self, keys: &[u64]) -> Vec<Logged<'_>> {
        keys.iter()
            .enumerate()
            .map(|(id, &key)| Logged { key, id, log: self })
            .collect()
    }
}

/// An item that logs its drop, and whose comparisons tick its log.
struct Logged<'a> {
    key: u64,
    id: usize,
    log: &'a Log,
}

impl Drop for Logged<'_> {
    fn drop(&mut self) {
        self.log.drops[self.id].fetch_add(1, Relaxed);
    }
}

impl PartialEq for Logged<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Logged<'_> {}
impl PartialOrd for Logged<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Logged<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.log.tick();
        self.key.cmp(&other.key)
    }
}

/// A sort key whose comparisons tick the log.
struct Key<'a>(u64, &'a Log);

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key<'_> {}
impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.1.tick();
        self.0.cmp(&other.0)
    }
}

type Sorter = for<'a, 'b> fn(&'b mut [Logged<'a>]);

/// Every sort, each counting its comparisons through the log.
const SORTERS: [(&str, Sorter); 8] = [
    ("par_sort", |v| v.par_sort()),
    ("par_sort_by", |v| v.par_sort_by(|a, b| a.cmp(b))),
    ("par_sort_by_key", |v| {
        v.par_sort_by_key(|x| Key(x.key, x.log))
    }),
    ("par_sort_by_cached_key", |v| {
        v.par_sort_by_cached_key(|x| Key(x.key, x.log))
    }),
    ("par_sort_by_cached_key's key function", |v| {
        v.par_sort_by_cached_key(|x| {
            x.log.tick();
            x.key
        })
    }),
    ("par_sort_unstable", |v| v.par_sort_unstable()),
    ("par_sort_unstable_by", |v| {
        v.par_sort_unstable_by(|a, b| a.cmp(b))
    }),
    ("par_sort_unstable_by_key", |v| {
        v.par_sort_unstable_by_key(|x| Key(x.key, x.log))
    }),
];

/// The calls at which to panic, of `total`: the first ones (the in-order
/// check), spread through the sort, and the last ones (in the final merge,
/// for the merge sort).
fn panic_points(total: usize) -> Vec<usize> {
    let mut at: Vec<usize> = if cfg!(miri) {
        vec![0, total / 2, total - 1]
    } else {
        vec![
            0,
            1,
            2,
            total / 100,
            total / 10,
            total / 3,
            total / 2,
            total * 2 / 3,
            total * 9 / 10,
            total - total / 100,
            total - 2,
            total - 1,
        ]
    };
    at.retain(|&k| k < total);
    at.dedup();
    at
}

/// Sorts with `sort`, panicking at each of `panic_points`, and checks that
/// the panic arrives, and that the slice then holds every item once and
/// nothing was dropped; then that dropping the slice drops each item once.
fn check_panics(what: &str, keys: &[u64], sort: Sorter) {
    let n = keys.len();
    let log = Log::new(n, usize::MAX);
    let mut v = log.items(keys);
    sort(&mut v);
    assert!(v.windows(2).all(|p| p[0].key <= p[1].key), "{what}: sorted");
    let total = log.calls.load(Relaxed);
    drop(v);
    for at in panic_points(total) {
        let log = Log::new(n, at);
        let mut v = log.items(keys);
        let r = quiet(|| sort(&mut v));
        assert!(
            r.is_err(),
            "{what}: the panic at call {at} of {total} is lost"
        );
        let dropped = |log: &Log| {
            log.drops
                .iter()
                .map(|d| d.load(Relaxed))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            dropped(&log),
            vec![0; n],
            "{what}: dropped during the sort (panic at {at})"
        );
        let mut ids: Vec<usize> = v.iter().map(|x| x.id).collect();
        ids.sort_unstable();
        assert!(
            ids.iter().copied().eq(0..n),
            "{what}: not a permutation after a panic at call {at} of {total}"
        );
        drop(v);
        assert_eq!(dropped(&log), vec![1; n], "{what}: (panic at {at})");
    }
}

#[test]
fn a_comparison_that_panics_at_any_call_leaves_every_item_once() {
    setup();
    let n = if cfg!(miri) { 24 } else { 12_000 };
    // Under Miri, in the pools only: the global pool runs the same code.
    let outside = (!cfg!(miri)).then(|| (String::from("outside"), None));
    let places: Vec<(String, Option<ThreadPool>)> = outside
        .into_iter()
        .chain(
            pools()
                .into_iter()
                .map(|p| (format!("pool of {}", p.current_num_threads()), Some(p))),
        )
        .collect();
    silently(|| {
        let names: &[&str] = if cfg!(miri) {
            &["random"]
        } else {
            &["random", "few distinct"]
        };
        for &name in names {
            let keys = pattern(name, n);
            for (sort_name, sort) in SORTERS {
                for (place, pool) in &places {
                    let what = format!("{sort_name}, {name}, {place}");
                    match pool {
                        Some(pool) => pool.install(|| check_panics(&what, &keys, sort)),
                        None => check_panics(&what, &keys, sort),
                    }
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------
// par_split, par_rchunks, par_chunk_by
// ---------------------------------------------------------------------------

/// Slices with separators (multiples of 5) here and there, in runs, at
/// both ends, and not at all.
fn split_inputs(n: usize) -> Vec<Vec<u64>> {
    let mut inputs = vec![
        pattern("random", n).iter().map(|x| x % 11).collect(),
        vec![5; n],
    ];
    if !cfg!(miri) {
        inputs.extend([vec![1; n], pattern("sawtooth", n)]);
    }
    let mut ends: Vec<u64> = pattern("random", n).iter().map(|x| x % 4 + 1).collect();
    if let Some(first) = ends.first_mut() {
        *first = 0;
    }
    if let Some(last) = ends.last_mut() {
        *last = 0;
    }
    inputs.push(ends);
    inputs
}

fn is_separator(x: &u64) -> bool {
    x.is_multiple_of(5)
}

fn joined(a: &u64, b: &u64) -> bool {
    a / 3 == b / 3
}

const SPLIT_SIZES: &[usize] = if cfg!(miri) {
    &[0, 1, 20]
} else {
    &[0, 1, 2, 3, 7, 64, 1000, 100_003]
};

#[test]
fn par_split_and_par_chunk_by_give_std_sub_slices() {
    setup();
    everywhere_but_in_miri(|| {
        for &n in SPLIT_SIZES {
            for v in split_inputs(n) {
                let got: Vec<&[u64]> = v.par_split(is_separator).collect();
                assert_eq!(got, v.split(is_separator).collect::<Vec<_>>(), "n = {n}");
                let got: Vec<&[u64]> = v.par_split_inclusive(is_separator).collect();
                let expected: Vec<_> = v.split_inclusive(is_separator).collect();
                assert_eq!(got, expected, "n = {n}");
                let got: Vec<&[u64]> = v.par_chunk_by(joined).collect();
                assert_eq!(got, v.chunk_by(joined).collect::<Vec<_>>(), "n = {n}");
                assert_eq!(
                    v.par_split(is_separator).count(),
                    v.split(is_separator).count()
                );
                let lens: usize = v.par_chunk_by(joined).map(<[u64]>::len).sum();
                assert_eq!(lens, n);
            }
        }
    });
}

#[test]
fn mutable_splits_and_chunk_by_hand_out_std_sub_slices() {
    setup();
    everywhere_but_in_miri(|| {
        for &n in SPLIT_SIZES {
            for v in split_inputs(n) {
                let (mut got, mut expected) = (v.clone(), v.clone());
                got.par_split_mut(is_separator).for_each(|s| s.reverse());
                expected.split_mut(is_separator).for_each(|s| s.reverse());
                assert_eq!(got, expected, "split_mut, n = {n}");
                let (mut got, mut expected) = (v.clone(), v.clone());
                got.par_split_inclusive_mut(is_separator)
                    .for_each(|s| s.rotate_left(1));
                expected
                    .split_inclusive_mut(is_separator)
                    .for_each(|s| s.rotate_left(1));
                assert_eq!(got, expected, "split_inclusive_mut, n = {n}");
                let (mut got, mut expected) = (v.clone(), v.clone());
                got.par_chunk_by_mut(joined).for_each(|s| s.rotate_left(1));
                expected.chunk_by_mut(joined).for_each(|s| s.rotate_left(1));
                assert_eq!(got, expected, "chunk_by_mut, n = {n}");
                let mut pieces = v.clone();
                assert_eq!(
                    pieces.par_chunk_by_mut(joined).count(),
                    v.chunk_by(joined).count()
                );
            }
        }
    });
}

#[test]
fn par_rchunks_give_std_rchunks() {
    setup();
    everywhere_but_in_miri(|| {
        for &n in SPLIT_SIZES {
            let v = pattern("random", n);
            let sizes = if cfg!(miri) {
                vec![1, 3, n + 1]
            } else {
                vec![1, 2, 3, 64, n.max(1), n + 1]
            };
            for size in sizes {
                let got: Vec<&[u64]> = v.par_rchunks(size).collect();
                assert_eq!(got, v.rchunks(size).collect::<Vec<_>>());
                let mut got = Vec::new();
                v.par_rchunks(size).rev().collect_into_vec(&mut got);
                assert_eq!(got, v.rchunks(size).rev().collect::<Vec<_>>());
                let exact = v.par_rchunks_exact(size);
                assert_eq!(exact.remainder(), v.rchunks_exact(size).remainder());
                assert_eq!(exact.len(), v.rchunks_exact(size).len());
                let got: Vec<&[u64]> = exact.collect();
                assert_eq!(got, v.rchunks_exact(size).collect::<Vec<_>>());
                let mut got = Vec::new();
                v.par_rchunks_exact(size)
                    .enumerate()
                    .map(|(i, c)| (i, c[0]))
                    .collect_into_vec(&mut got);
                let expected: Vec<_> = v
                    .rchunks_exact(size)
                    .enumerate()
                    .map(|(i, c)| (i, c[0]))
                    .collect();
                assert_eq!(got, expected);

                let (mut got, mut expected) = (v.clone(), v.clone());
                got.par_rchunks_mut(size).for_each(|c| c.rotate_left(1));
                expected.rchunks_mut(size).for_each(|c| c.rotate_left(1));
                assert_eq!(got, expected);
                let (mut got, mut expected) = (v.clone(), v.clone());
                let mut chunks = got.par_rchunks_exact_mut(size);
                chunks.remainder().reverse();
                let rem = chunks.take_remainder();
                assert!(chunks.remainder().is_empty());
                chunks.for_each(|c| c.rotate_left(1));
                rem.iter_mut().for_each(|x| *x += 1);
                let mut std_chunks = expected.rchunks_exact_mut(size);
                std_chunks.by_ref().for_each(|c| c.rotate_left(1));
                let std_rem = std_chunks.into_remainder();
                std_rem.reverse();
                std_rem.iter_mut().for_each(|x| *x += 1);
                assert_eq!(got, expected, "rchunks_exact_mut of {size} over {n}");
            }
        }
    });
}

#[test]
fn rchunks_split_correctly_at_every_point() {
    setup();
    let v: Vec<u64> = (0..if cfg!(miri) { 11 } else { 23 }).collect();
    let sizes: &[usize] = if cfg!(miri) {
        &[2, 5]
    } else {
        &[1, 2, 5, 23, 30]
    };
    for &size in sizes {
        for at in 0..=v.len().div_ceil(size) {
            // The first `at` chunks and the rest, as two indexed halves.
            let left: Vec<&[u64]> = v.par_rchunks(size).take(at).collect();
            let right: Vec<&[u64]> = v.par_rchunks(size).skip(at).collect();
            let all: Vec<&[u64]> = left.into_iter().chain(right).collect();
            assert_eq!(all, v.rchunks(size).collect::<Vec<_>>(), "{size} at {at}");
            let mut w = v.clone();
            w.par_rchunks_mut(size)
                .skip(at)
                .for_each(|c| c.iter_mut().for_each(|x| *x += 100));
            let mut expected = v.clone();
            expected
                .rchunks_mut(size)
                .skip(at)
                .for_each(|c| c.iter_mut().for_each(|x| *x += 100));
            assert_eq!(w, expected);
        }
    }
}

#[test]
fn zero_rchunk_sizes_panic_with_a_message() {
    setup();
    let mut v = [1, 2, 3];
    let message = |r: std::thread::Result<()>| {
        let payload = r.expect_err("should panic");
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    };
    silently(|| {
        for r in [
            quiet(|| drop(v.par_rchunks(0))),
            quiet(|| drop(v.par_rchunks_exact(0))),
        ] {
            assert_eq!(message(r), "chunk size must be non-zero");
        }
        assert_eq!(
            message(quiet(|| drop(v.par_rchunks_mut(0)))),
            "chunk size must be non-zero"
        );
        assert_eq!(
            message(quiet(|| drop(v.par_rchunks_exact_mut(0)))),
            "chunk size must be non-zero"
        );
    });
}

//! Parallel iterators against the sequential result: every source ×
//! adapter × operation built so far, on sizes 0, 1, 2, 3, 7, 64, 1000 and
//! 100_003 (smaller under Miri), in pools of 1, 2 and 3 threads and from
//! outside any pool; a checker that splits every indexed producer at every
//! point; panics in closures; and collect's drop accounting.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::iter_support::{SIZES, everywhere, pools, quiet, sink, values};
use common::setup;
use forkscope::ThreadPoolBuilder;
use forkscope::iter::plumbing::{Producer, ProducerCallback};
use forkscope::prelude::*;
use std::num::Wrapping;
use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn slice_sum_count_min_max_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            assert_eq!(v.par_iter().sum::<u64>(), v.iter().sum::<u64>(), "n = {n}");
            assert_eq!(v.par_iter().count(), n);
            assert_eq!(v.par_iter().min(), v.iter().min());
            assert_eq!(v.par_iter().max(), v.iter().max());
        }
    });
}

#[test]
fn map_reduce_and_product_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let seq: u64 = v.iter().map(|x| x * 3 + 1).sum();
            assert_eq!(v.par_iter().map(|x| x * 3 + 1).sum::<u64>(), seq);
            assert_eq!(
                v.par_iter().map(|&x| x).reduce(|| 0, |a, b| a ^ b),
                v.iter().fold(0, |a, b| a ^ b)
            );
            assert_eq!(
                v.par_iter().map(|&x| x).reduce_with(u64::max),
                v.iter().copied().max()
            );
            let seq_product: Wrapping<u64> = v.iter().map(|&x| Wrapping(x | 1)).product();
            assert_eq!(
                v.par_iter()
                    .map(|&x| Wrapping(x | 1))
                    .product::<Wrapping<u64>>(),
                seq_product
            );
        }
    });
}

#[test]
fn cloned_copied_and_inspect_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let words: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            let mut out = Vec::new();
            words.par_iter().cloned().collect_into_vec(&mut out);
            assert_eq!(out, words);
            assert_eq!(v.par_iter().copied().sum::<u64>(), v.iter().sum::<u64>());
            let seen = AtomicUsize::new(0);
            let total: u64 = v
                .par_iter()
                .inspect(|_| {
                    seen.fetch_add(1, Ordering::Relaxed);
                })
                .sum();
            assert_eq!((total, seen.into_inner()), (v.iter().sum::<u64>(), n));
        }
    });
}

#[test]
fn rev_skip_take_step_by_and_chain_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let w = values(n / 3 + 1);
            let collect = |it: &mut dyn FnMut(&mut Vec<u64>)| {
                let mut out = Vec::new();
                it(&mut out);
                out
            };
            assert_eq!(
                collect(&mut |o| v.par_iter().copied().rev().collect_into_vec(o)),
                v.iter().copied().rev().collect::<Vec<_>>()
            );
            for k in [0, 1, n / 2, n, n + 3] {
                assert_eq!(
                    collect(&mut |o| v.par_iter().copied().skip(k).collect_into_vec(o)),
                    v.iter().copied().skip(k).collect::<Vec<_>>(),
                    "skip {k} of {n}"
                );
                assert_eq!(
                    collect(&mut |o| v.par_iter().copied().take(k).collect_into_vec(o)),
                    v.iter().copied().take(k).collect::<Vec<_>>(),
                    "take {k} of {n}"
                );
            }
            for step in [1, 2, 3, 7, n.max(1), n + 5] {
                assert_eq!(
                    collect(&mut |o| v.par_iter().copied().step_by(step).collect_into_vec(o)),
                    v.iter().copied().step_by(step).collect::<Vec<_>>(),
                    "step_by {step} of {n}"
                );
            }
            assert_eq!(
                collect(&mut |o| v
                    .par_iter()
                    .copied()
                    .chain(w.par_iter().copied())
                    .collect_into_vec(o)),
                v.iter().chain(&w).copied().collect::<Vec<_>>()
            );
            assert_eq!(
                v.par_iter()
                    .chain(w.par_iter())
                    .rev()
                    .skip(1)
                    .step_by(2)
                    .copied()
                    .sum::<u64>(),
                v.iter().chain(&w).rev().skip(1).step_by(2).sum::<u64>()
            );
        }
    });
}

#[test]
fn chunks_and_windows_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            for size in [1, 2, 3, 64, n.max(1), n + 1] {
                let sums = |out: &mut Vec<u64>, it: &mut dyn FnMut(&mut Vec<u64>)| it(out);
                let mut got = Vec::new();
                sums(&mut got, &mut |o| {
                    v.par_chunks(size)
                        .map(|c| c.iter().sum())
                        .collect_into_vec(o)
                });
                assert_eq!(
                    got,
                    v.chunks(size).map(|c| c.iter().sum()).collect::<Vec<u64>>()
                );
                sums(&mut got, &mut |o| {
                    v.par_chunks_exact(size)
                        .map(|c| c.iter().sum())
                        .collect_into_vec(o)
                });
                assert_eq!(
                    got,
                    v.chunks_exact(size)
                        .map(|c| c.iter().sum())
                        .collect::<Vec<u64>>()
                );
                sums(&mut got, &mut |o| {
                    v.par_windows(size)
                        .map(|w| w[0] ^ w[w.len() - 1])
                        .collect_into_vec(o)
                });
                assert_eq!(
                    got,
                    v.windows(size)
                        .map(|w| w[0] ^ w[w.len() - 1])
                        .collect::<Vec<u64>>(),
                    "windows of {size} over {n}"
                );
                let mut m = v.clone();
                m.par_chunks_mut(size).for_each(|c| c.reverse());
                let mut expected = v.clone();
                expected.chunks_mut(size).for_each(|c| c.reverse());
                assert_eq!(m, expected);
                let mut m = v.clone();
                let mut chunks = m.par_chunks_exact_mut(size);
                let rem = chunks.take_remainder();
                chunks.for_each(|c| c.reverse());
                rem.iter_mut().for_each(|x| *x += 1);
                let mut expected = v.clone();
                let mut std_chunks = expected.chunks_exact_mut(size);
                std_chunks.by_ref().for_each(|c| c.reverse());
                std_chunks.into_remainder().iter_mut().for_each(|x| *x += 1);
                assert_eq!(m, expected);
                assert_eq!(
                    v.par_chunks_exact(size).remainder(),
                    v.chunks_exact(size).remainder()
                );
            }
        }
    });
}

#[test]
fn empty_once_repeat_n_and_option_sources() {
    setup();
    everywhere(|| {
        assert_eq!(forkscope::iter::empty::<u64>().count(), 0);
        assert_eq!(forkscope::iter::once(5u64).map(|x| x * 2).sum::<u64>(), 10);
        assert_eq!(Some(7u64).into_par_iter().sum::<u64>(), 7);
        assert_eq!(None::<u64>.into_par_iter().count(), 0);
        for &n in SIZES {
            let mut out = Vec::new();
            forkscope::iter::repeat_n(String::from("x"), n).collect_into_vec(&mut out);
            assert_eq!(out, vec![String::from("x"); n]);
        }
    });
    let v = values(9);
    check_every_split(forkscope::iter::empty::<u64>, Vec::new());
    check_every_split(|| forkscope::iter::once(3u8), vec![3]);
    check_every_split(|| Some(&v).into_par_iter(), vec![&v]);
    check_every_split(|| forkscope::iter::repeat_n(2u32, 11), vec![2; 11]);
}

#[test]
fn zero_chunk_and_window_sizes_panic_with_a_message() {
    setup();
    let v = [1, 2, 3];
    for (what, r) in [
        (
            "chunk size must be non-zero",
            quiet(|| v.par_chunks(0).count()),
        ),
        (
            "chunk size must be non-zero",
            quiet(|| v.par_chunks_exact(0).count()),
        ),
        (
            "window size must be non-zero",
            quiet(|| v.par_windows(0).count()),
        ),
    ] {
        assert_eq!(r.unwrap_err().downcast_ref::<&str>(), Some(&what));
    }
}

#[test]
fn step_by_zero_panics_like_std() {
    setup();
    let r = quiet(|| (0..3u32).into_par_iter().step_by(0).count());
    let message = r.unwrap_err();
    assert_eq!(
        message.downcast_ref::<&str>(),
        Some(&"assertion failed: step != 0")
    );
}

#[test]
fn zip_and_enumerate_line_up() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let a = values(n);
            let b: Vec<u64> = values(n + 5).into_iter().rev().collect();
            let seq: u64 = a.iter().zip(&b).map(|(x, y)| x ^ y).sum();
            assert_eq!(
                a.par_iter()
                    .zip(b.par_iter())
                    .map(|(x, y)| x ^ y)
                    .sum::<u64>(),
                seq
            );
            assert_eq!(a.par_iter().zip(&b).count(), n, "zip stops at the shorter");
            let mut pairs = Vec::new();
            a.par_iter().enumerate().collect_into_vec(&mut pairs);
            assert_eq!(pairs, a.iter().enumerate().collect::<Vec<_>>());
        }
    });
}

#[test]
fn collect_into_vec_keeps_order_and_reuses_the_vector() {
    setup();
    everywhere(|| {
        let mut out = vec![7u64; 3];
        for &n in SIZES {
            let v = values(n);
            v.par_iter().map(|x| x + 1).collect_into_vec(&mut out);
            assert_eq!(out, v.iter().map(|x| x + 1).collect::<Vec<_>>());
        }
    });
}

#[test]
fn par_iter_mut_and_for_each_touch_every_item_once() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let mut v = values(n);
            let expected: Vec<u64> = v.iter().map(|x| x * 2).collect();
            v.par_iter_mut().for_each(|x| *x *= 2);
            assert_eq!(v, expected);
            let seen = AtomicUsize::new(0);
            v.par_iter().for_each(|_| {
                seen.fetch_add(1, Ordering::Relaxed);
            });
            assert_eq!(seen.into_inner(), n);
        }
    });
}

#[test]
fn integer_ranges_match_sequential_up_to_their_limits() {
    setup();
    everywhere(|| {
        assert_eq!(
            (0..u8::MAX).into_par_iter().map(u64::from).sum::<u64>(),
            (0..u8::MAX).map(u64::from).sum::<u64>()
        );
        assert_eq!(
            (i8::MIN..i8::MAX)
                .into_par_iter()
                .map(i64::from)
                .sum::<i64>(),
            (i8::MIN..i8::MAX).map(i64::from).sum::<i64>()
        );
        assert_eq!((i16::MIN..i16::MAX).into_par_iter().count(), 65_535);
        let big = if cfg!(miri) { 1_000 } else { 3_000_000 };
        let (lo, hi) = (i32::MAX - big, i32::MAX);
        assert_eq!(
            (lo..hi).into_par_iter().map(i64::from).sum::<i64>(),
            (lo..hi).map(i64::from).sum::<i64>()
        );
        assert_eq!(
            (u32::MAX - 10..u32::MAX).into_par_iter().max(),
            Some(u32::MAX - 1)
        );
        assert_eq!((5usize..5).into_par_iter().count(), 0);
        assert_eq!(
            (isize::MIN..isize::MIN + 3).into_par_iter().min(),
            Some(isize::MIN)
        );
    });
}

#[test]
fn inclusive_ranges_match_sequential_up_to_the_maximum() {
    setup();
    everywhere(|| {
        assert_eq!(
            (0..=u8::MAX).into_par_iter().map(u64::from).sum::<u64>(),
            (0..=u8::MAX).map(u64::from).sum::<u64>()
        );
        assert_eq!((i8::MIN..=i8::MAX).into_par_iter().count(), 256);
        assert_eq!(
            (u16::MAX - 3..=u16::MAX).into_par_iter().max(),
            Some(u16::MAX)
        );
        assert_eq!(
            (i32::MAX - 2..=i32::MAX).into_par_iter().min(),
            Some(i32::MAX - 2)
        );
        let (hi, lo) = (std::hint::black_box(5u32), 4);
        assert_eq!((hi..=lo).into_par_iter().count(), 0);
        assert_eq!((7u32..=7).into_par_iter().sum::<u32>(), 7);
        let mut out = Vec::new();
        (u32::MAX - 4..=u32::MAX)
            .into_par_iter()
            .rev()
            .collect_into_vec(&mut out);
        assert_eq!(out, (u32::MAX - 4..=u32::MAX).rev().collect::<Vec<_>>());
    });
    check_every_split(|| (250u8..=255).into_par_iter(), (250u8..=255).collect());
    check_every_split(|| (-3i16..=4).into_par_iter(), (-3i16..=4).collect());
}

#[test]
fn zero_sized_items_are_counted_and_collected() {
    setup();
    everywhere(|| {
        let units = vec![(); 10_007];
        assert_eq!(units.par_iter().count(), 10_007);
        let mut out = Vec::new();
        units.par_iter().map(|&u| u).collect_into_vec(&mut out);
        assert_eq!(out.len(), 10_007);
    });
}

#[test]
fn length_bounds_keep_results_and_the_largest_min_len_means_one_piece() {
    setup();
    everywhere(|| {
        let v = values(SIZES[SIZES.len() - 1]);
        let seq: u64 = v.iter().sum();
        assert_eq!(v.par_iter().with_min_len(usize::MAX).sum::<u64>(), seq);
        assert_eq!(v.par_iter().with_min_len(0).sum::<u64>(), seq);
        assert_eq!(
            v.par_iter().with_max_len(1).with_min_len(1).sum::<u64>(),
            seq
        );
        assert_eq!(v.par_iter().with_max_len(3).map(|x| x + 1).count(), v.len());
    });
}

#[test]
fn nested_parallel_iterators_and_iterators_in_scope_threads() {
    setup();
    let rows: Vec<Vec<u64>> = (0..50).map(|r| values(r * 7)).collect();
    let seq: u64 = rows.iter().map(|r| r.iter().sum::<u64>()).sum();
    everywhere(|| {
        assert_eq!(
            rows.par_iter()
                .map(|r| r.par_iter().sum::<u64>())
                .sum::<u64>(),
            seq
        );
    });
    forkscope::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    rows.par_iter()
                        .map(|r| r.par_iter().sum::<u64>())
                        .sum::<u64>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), seq);
        }
    });
}

// ---------------------------------------------------------------------------
// Every producer split at every point
// ---------------------------------------------------------------------------

/// Splits the producer at `index`, then collects the left piece forwards
/// and the right one backwards (reversed again), so that `into_iter`'s
/// `DoubleEndedIterator` and `ExactSizeIterator` are checked too.
struct SplitAt<T> {
    index: usize,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> ProducerCallback<T> for SplitAt<T> {
    type Output = Vec<T>;
    fn callback<P: Producer<Item = T>>(self, producer: P) -> Vec<T> {
        let (left, right) = producer.split_at(self.index);
        let left = left.into_iter();
        let right = right.into_iter();
        let lens = (left.len(), right.len());
        let mut out: Vec<T> = left.collect();
        let mut back: Vec<T> = right.rev().collect();
        back.reverse();
        assert_eq!((out.len(), back.len()), lens, "ExactSizeIterator lengths");
        out.append(&mut back);
        out
    }
}

fn check_every_split<I>(make: impl Fn() -> I, expected: Vec<I::Item>)
where
    I: IndexedParallelIterator,
    I::Item: PartialEq + std::fmt::Debug,
{
    assert_eq!(make().len(), expected.len());
    for index in 0..=expected.len() {
        let got = make().with_producer(SplitAt {
            index,
            _marker: std::marker::PhantomData,
        });
        assert_eq!(got, expected, "split at {index}");
    }
}

#[test]
fn every_indexed_producer_splits_correctly_at_every_point() {
    setup();
    let v = values(23);
    let w = values(30);
    check_every_split(|| v.par_iter(), v.iter().collect());
    check_every_split(|| (3u8..40).into_par_iter(), (3u8..40).collect());
    check_every_split(|| (-20i32..9).into_par_iter(), (-20i32..9).collect());
    check_every_split(
        || v.par_iter().map(|x| x + 1),
        v.iter().map(|x| x + 1).collect(),
    );
    check_every_split(
        || v.par_iter().zip(w.par_iter()),
        v.iter().zip(&w).collect(),
    );
    check_every_split(
        || w.par_iter().zip(v.par_iter()),
        w.iter().zip(&v).collect(),
    );
    check_every_split(|| v.par_iter().enumerate(), v.iter().enumerate().collect());
    check_every_split(|| v.par_iter().copied(), v.clone());
    check_every_split(
        || v.par_iter().cloned().map(|x| x * 2),
        v.iter().map(|x| x * 2).collect(),
    );
    check_every_split(|| v.par_iter().inspect(|_| ()), v.iter().collect());
    check_every_split(|| v.par_iter().rev(), v.iter().rev().collect());
    check_every_split(|| v.par_iter().skip(5), v.iter().skip(5).collect());
    check_every_split(|| v.par_iter().take(9), v.iter().take(9).collect());
    check_every_split(|| v.par_iter().step_by(3), v.iter().step_by(3).collect());
    check_every_split(
        || v.par_iter().step_by(3).rev(),
        v.iter().step_by(3).rev().collect(),
    );
    check_every_split(
        || v.par_iter().chain(w.par_iter()),
        v.iter().chain(&w).collect(),
    );
    check_every_split(
        || (0u8..0).into_par_iter().chain(3u8..9),
        (3u8..9).collect(),
    );
    check_every_split(|| v.par_iter().with_min_len(4), v.iter().collect());
    check_every_split(|| v.par_iter().with_max_len(2), v.iter().collect());
    let mut m = values(23);
    let expected: Vec<u64> = m.clone();
    for index in 0..=m.len() {
        let got: Vec<u64> = m.par_iter_mut().map(|x| *x).with_producer(SplitAt {
            index,
            _marker: std::marker::PhantomData,
        });
        assert_eq!(got, expected);
    }
}

// ---------------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------------

#[test]
fn a_panic_in_map_or_for_each_reaches_the_caller_and_the_pool_still_works() {
    setup();
    let n = if cfg!(miri) { 64 } else { 100_003 };
    let v = values(n);
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let r = quiet(|| {
        pool.install(|| {
            v.par_iter()
                .enumerate()
                .map(|(i, x)| if i == n / 2 { panic!("item {i}") } else { *x })
                .sum::<u64>()
        })
    });
    let r2 = quiet(|| {
        v.par_iter()
            .for_each(|x| assert!(*x != v[n - 1], "last item"))
    });
    panic::set_hook(hook);
    assert!(r.is_err() && r2.is_err());
    assert_eq!(
        pool.install(|| v.par_iter().sum::<u64>()),
        v.iter().sum::<u64>()
    );
}

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Held by the tests that count `Tracked`s, which must not run at once.
static TRACKING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Counts its live instances.
struct Tracked(u64);

impl Tracked {
    fn new(x: u64) -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Tracked(x)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn owning_iteration_moves_every_item_out_once_even_when_cut_short() {
    setup();
    let _tracking = TRACKING.lock().unwrap_or_else(|e| e.into_inner());
    let n = if cfg!(miri) { 64 } else { 10_003 };
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    for pool in pools() {
        pool.install(|| {
            let make = || (0..n as u64).map(Tracked::new).collect::<Vec<_>>();
            let total: u64 = make().into_par_iter().map(|t| t.0).sum();
            assert_eq!(total, (0..n as u64).sum::<u64>());
            assert_eq!(LIVE.load(Ordering::SeqCst), 0);
            // Items not handed out (take, skip) are dropped too.
            assert_eq!(make().into_par_iter().take(3).count(), 3);
            assert_eq!(make().into_par_iter().skip(n - 2).rev().count(), 2);
            assert_eq!(LIVE.load(Ordering::SeqCst), 0);
            // A panic half-way: the items not yet taken are dropped.
            let r = quiet(|| {
                make()
                    .into_par_iter()
                    .for_each(|t| assert!(t.0 != n as u64 / 2, "item {}", t.0))
            });
            assert!(r.is_err());
            assert_eq!(LIVE.load(Ordering::SeqCst), 0, "every item dropped once");
            let boxed: Box<[Tracked]> = make().into_boxed_slice();
            assert_eq!(boxed.into_par_iter().count(), n);
            assert_eq!(LIVE.load(Ordering::SeqCst), 0);
        });
    }
    panic::set_hook(hook);
    let arr = [String::from("a"), String::from("b")];
    let mut out = Vec::new();
    arr.into_par_iter().collect_into_vec(&mut out);
    assert_eq!(out, ["a", "b"]);
    let v: Vec<String> = values(23).iter().map(|x| x.to_string()).collect();
    check_every_split(|| v.clone().into_par_iter(), v.clone());
}

#[test]
fn collect_that_panics_half_way_drops_exactly_the_items_written() {
    setup();
    let _tracking = TRACKING.lock().unwrap_or_else(|e| e.into_inner());
    let n = if cfg!(miri) { 64 } else { 100_003 };
    let v = values(n);
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    for pool in pools() {
        let mut out = Vec::new();
        let r = quiet(|| {
            pool.install(|| {
                v.par_iter()
                    .enumerate()
                    .map(|(i, &x)| {
                        if i == n / 2 {
                            panic!("item {i}");
                        }
                        Tracked::new(x)
                    })
                    .collect_into_vec(&mut out)
            })
        });
        assert!(r.is_err());
        assert!(out.is_empty());
        assert_eq!(
            LIVE.load(Ordering::SeqCst),
            0,
            "every written item was dropped once"
        );
        pool.install(|| {
            v.par_iter()
                .map(|&x| Tracked::new(x))
                .collect_into_vec(&mut out)
        });
        assert_eq!(LIVE.load(Ordering::SeqCst), n);
        drop(out);
        assert_eq!(LIVE.load(Ordering::SeqCst), 0);
    }
    panic::set_hook(hook);
}

// ---------------------------------------------------------------------------
// Coarse items
// ---------------------------------------------------------------------------

/// Each item waits (busy, calling nothing of forkscope) until a second item
/// runs alongside it, or `hold` passed; returns the most that ran at once.
fn coarse_items_at_once(items: u32, hold: std::time::Duration) -> usize {
    let running = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    (0..items).into_par_iter().for_each(|_| {
        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
        most.fetch_max(now, Ordering::SeqCst);
        let start = std::time::Instant::now();
        while start.elapsed() < hold && running.load(Ordering::SeqCst) < 2 {
            std::hint::spin_loop();
        }
        running.fetch_sub(1, Ordering::SeqCst);
    });
    most.into_inner()
}

#[test]
fn a_few_expensive_items_run_on_two_workers_inside_install_and_from_outside() {
    setup();
    let hold = std::time::Duration::from_millis(if cfg!(miri) { 3000 } else { 200 });
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| ());
    std::thread::sleep(std::time::Duration::from_millis(if cfg!(miri) {
        20
    } else {
        100
    }));
    assert_eq!(pool.install(|| coarse_items_at_once(8, hold)), 2);
    if forkscope::current_num_threads() == 2 {
        assert_eq!(
            coarse_items_at_once(8, hold),
            2,
            "from outside, on the global pool"
        );
    }
}

// ---------------------------------------------------------------------------
// An unindexed iterator of one's own
// ---------------------------------------------------------------------------

/// `start..end`, split in halves down to 100 items: a parallel iterator that
/// does not say where its items are (only `UnindexedProducer`).
struct Halves(std::ops::Range<u64>);

impl forkscope::iter::plumbing::UnindexedProducer for Halves {
    type Item = u64;
    fn split(self) -> (Self, Option<Self>) {
        let (start, end) = (self.0.start, self.0.end);
        if end - start <= 100 {
            return (self, None);
        }
        let mid = start + (end - start) / 2;
        (Halves(start..mid), Some(Halves(mid..end)))
    }
    fn fold_with<F: forkscope::iter::plumbing::Folder<u64>>(self, folder: F) -> F {
        folder.consume_iter(self.0)
    }
}

impl ParallelIterator for Halves {
    type Item = u64;
    fn drive_unindexed<C>(self, consumer: C) -> C::Result
    where
        C: forkscope::iter::plumbing::UnindexedConsumer<u64>,
    {
        forkscope::iter::plumbing::bridge_unindexed(self, consumer)
    }
}

#[test]
fn an_unindexed_producer_of_ones_own_splits_and_matches_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let n = n as u64;
            assert_eq!(
                Halves(0..n).map(|x| x * 3).sum::<u64>(),
                (0..n).map(|x| x * 3).sum::<u64>()
            );
            assert_eq!(Halves(0..n).count(), n as usize);
            assert_eq!(Halves(0..n).max(), (0..n).max());
            assert_eq!(
                Halves(0..n)
                    .chain(Halves(n..2 * n))
                    .reduce(|| 0, |a, b| a ^ b),
                (0..2 * n).fold(0, |a, b| a ^ b)
            );
        }
    });
}

// ---------------------------------------------------------------------------
// map_with / map_init, fold, searches, collect
// ---------------------------------------------------------------------------

#[test]
fn map_with_map_init_and_their_for_each_forms_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let seq: Vec<u64> = v.iter().map(|x| x + 10).collect();
            let got: Vec<u64> = v.par_iter().map_with(10u64, |ten, x| x + *ten).collect();
            assert_eq!(got, seq);
            // Each piece's state is its own: a per-piece counter only grows.
            let got: Vec<(u64, u64)> = v
                .par_iter()
                .map_with(0u64, |seen, &x| {
                    *seen += 1;
                    (x, *seen)
                })
                .collect();
            assert_eq!(got.iter().map(|p| p.0).collect::<Vec<_>>(), v);
            assert!(got.iter().all(|p| p.1 >= 1));
            let inits = AtomicUsize::new(0);
            let got: Vec<u64> = v
                .par_iter()
                .map_init(
                    || {
                        inits.fetch_add(1, Ordering::Relaxed);
                        Vec::<u64>::new()
                    },
                    |buf, &x| {
                        buf.push(x);
                        x * 2
                    },
                )
                .rev()
                .collect();
            assert_eq!(got, v.iter().rev().map(|x| x * 2).collect::<Vec<_>>());
            assert!(
                inits.into_inner() <= n.max(1),
                "init once per piece at most"
            );
            let total = AtomicUsize::new(0);
            v.par_iter().for_each_with(3usize, |three, &x| {
                total.fetch_add(x as usize % 7 + *three, Ordering::Relaxed);
            });
            let total2 = AtomicUsize::new(0);
            v.par_iter().for_each_init(
                || 3usize,
                |three, &x| {
                    total2.fetch_add(x as usize % 7 + *three, Ordering::Relaxed);
                },
            );
            let seq = v.iter().map(|&x| x as usize % 7 + 3).sum::<usize>();
            assert_eq!((total.into_inner(), total2.into_inner()), (seq, seq));
        }
    });
}

#[test]
fn fold_keeps_every_item_once_and_in_order() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            assert_eq!(
                v.par_iter().fold(|| 0u64, |a, &x| a + x).sum::<u64>(),
                v.iter().sum::<u64>()
            );
            assert_eq!(
                v.par_iter().fold_with(0u64, |a, &x| a + x).sum::<u64>(),
                v.iter().sum::<u64>()
            );
            // The accumulators come out in order: concatenated, they are
            // the input.
            let pieces: Vec<Vec<u64>> = v
                .par_iter()
                .fold(Vec::new, |mut acc, &x| {
                    acc.push(x);
                    acc
                })
                .collect();
            assert_eq!(pieces.concat(), v);
            let pieces: Vec<Vec<u64>> = Halves(0..n as u64)
                .fold_with(Vec::new(), |mut acc, x| {
                    acc.push(x);
                    acc
                })
                .collect();
            assert_eq!(pieces.concat(), (0..n as u64).collect::<Vec<_>>());
        }
    });
}

/// While the pool's other worker is busy nobody asks for work, so the whole
/// input stays one piece, folded chunk after chunk into one folder
/// (`Consumer::continue_folder`): `fold` makes one accumulator, an
/// unindexed `collect` one vector, and the in-place `collect` and the
/// searches still see every item in order.
#[test]
fn a_piece_nobody_splits_has_one_folder_for_all_its_chunks() {
    use std::sync::atomic::AtomicBool;
    setup();
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let n: usize = if cfg!(miri) { 3000 } else { 100_003 };
    let (busy, done) = (AtomicBool::new(false), AtomicBool::new(false));
    let wait_for = |flag: &AtomicBool| {
        while !flag.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
    };
    pool.install(|| {
        forkscope::join(
            || {
                // Releases the other half even if an assertion fails.
                struct Release<'a>(&'a AtomicBool);
                impl Drop for Release<'_> {
                    fn drop(&mut self) {
                        self.0.store(true, Ordering::SeqCst);
                    }
                }
                let _release = Release(&done);
                // The other half runs on the other worker from here on.
                wait_for(&busy);
                let accumulators: Vec<usize> =
                    (0..n).into_par_iter().fold(|| 0, |a, _| a + 1).collect();
                assert_eq!(accumulators, [n]);
                let lists = (0..n)
                    .into_par_iter()
                    .filter(|x| x % 3 == 0)
                    .collect_vec_list();
                assert_eq!(lists.len(), 1);
                assert_eq!(lists.front().unwrap().len(), n.div_ceil(3));
                let doubled: Vec<usize> = (0..n).into_par_iter().map(|x| 2 * x).collect();
                assert!(doubled.iter().enumerate().all(|(i, &x)| x == 2 * i));
                assert_eq!(
                    (0..n).into_par_iter().position_first(|x| x == n - 2),
                    Some(n - 2)
                );
                assert_eq!(
                    (0..n).into_par_iter().find_last(|x| x % 1000 == 7),
                    Some((n - 8) / 1000 * 1000 + 7)
                );
            },
            || {
                busy.store(true, Ordering::SeqCst);
                wait_for(&done);
            },
        )
    });
}

#[test]
fn min_max_by_and_by_key_pick_first_and_last_of_equals_like_std() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            // Many equal keys: the index tells which one was returned.
            let v: Vec<(u64, usize)> = values(n)
                .into_iter()
                .enumerate()
                .map(|(i, x)| (x % 5, i))
                .collect();
            let by_key = |p: &&(u64, usize)| p.0;
            assert_eq!(v.par_iter().min_by_key(by_key), v.iter().min_by_key(by_key));
            assert_eq!(v.par_iter().max_by_key(by_key), v.iter().max_by_key(by_key));
            let cmp = |a: &&(u64, usize), b: &&(u64, usize)| a.0.cmp(&b.0);
            assert_eq!(v.par_iter().min_by(cmp), v.iter().min_by(cmp));
            assert_eq!(v.par_iter().max_by(cmp), v.iter().max_by(cmp));
            let keys: Vec<u64> = v.iter().map(|p| p.0).collect();
            assert_eq!(
                keys.par_iter().enumerate().map(|(i, k)| (k, i)).min(),
                keys.iter().enumerate().map(|(i, k)| (k, i)).min()
            );
        }
    });
}

#[test]
fn searches_find_what_sequential_finds() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let probes: Vec<u64> = [0, 1, n / 2, n.saturating_sub(1)]
                .iter()
                .filter(|&&i| i < n)
                .map(|&i| v[i])
                .chain([u64::MAX])
                .collect();
            for &target in &probes {
                let is = |x: &&u64| **x == target;
                assert_eq!(v.par_iter().find_first(is), v.iter().find(is), "n = {n}");
                assert_eq!(v.par_iter().find_last(is), v.iter().rev().find(is));
                assert_eq!(v.par_iter().find_any(is).is_some(), v.contains(&target));
                assert_eq!(
                    v.par_iter().position_first(|x| *x == target),
                    v.iter().position(|x| *x == target)
                );
                assert_eq!(
                    v.par_iter().position_last(|x| *x == target),
                    v.iter().rposition(|x| *x == target)
                );
                match v.par_iter().position_any(|x| *x == target) {
                    Some(i) => assert_eq!(v[i], target),
                    None => assert!(!v.contains(&target)),
                }
                assert_eq!(v.par_iter().any(|x| *x == target), v.contains(&target));
                assert_eq!(
                    v.par_iter().all(|x| *x != target),
                    v.iter().all(|x| *x != target)
                );
                // Through an adapter that reverses, a chain, and an
                // unindexed source (nominal positions).
                assert_eq!(v.par_iter().rev().find_first(is), v.iter().rev().find(is));
                assert_eq!(
                    v.par_iter().chain(v.par_iter().rev()).find_last(is),
                    v.iter().chain(v.iter().rev()).rev().find(is)
                );
            }
            let m = (n / 3) as u64;
            let is_m3 = |x: &u64| x % 3 == m % 3 && *x >= m;
            assert_eq!(
                Halves(0..n as u64).find_first(is_m3),
                (0..n as u64).find(is_m3)
            );
            assert_eq!(
                Halves(0..n as u64).find_last(is_m3),
                (0..n as u64).rev().find(is_m3)
            );
        }
    });
}

/// Runs `search` over `n` items whose only matches are `matches`, counting
/// how many items it looked at.
fn items_visited(n: usize, search: impl FnOnce(&(dyn Fn(usize) -> bool + Sync))) -> usize {
    let visited = AtomicUsize::new(0);
    search(&|i| {
        visited.fetch_add(1, Ordering::Relaxed);
        i == n / 100
    });
    visited.into_inner()
}

#[test]
fn searches_stop_the_other_pieces_early() {
    setup();
    let n = if cfg!(miri) { 2_000 } else { 1_000_000 };
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let check = |what: &str, visited: usize| {
        assert!(visited < n / 4, "{what} looked at {visited} of {n} items");
    };
    pool.install(|| {
        check(
            "find_first",
            items_visited(n, |hit| {
                assert_eq!(
                    (0..n).into_par_iter().find_first(|&i| hit(i)),
                    Some(n / 100)
                );
            }),
        );
        check(
            "find_any",
            items_visited(n, |hit| {
                assert_eq!((0..n).into_par_iter().find_any(|&i| hit(i)), Some(n / 100));
            }),
        );
        check(
            "any",
            items_visited(n, |hit| assert!((0..n).into_par_iter().any(hit))),
        );
        check(
            "all",
            items_visited(n, |hit| assert!(!(0..n).into_par_iter().all(|i| !hit(i)))),
        );
        check(
            "position_first",
            items_visited(n, |hit| {
                assert_eq!((0..n).into_par_iter().position_first(hit), Some(n / 100));
            }),
        );
        // (find_last stops the pieces before a match, but every piece after
        // it must be searched to the end, front to back, as in rayon: no
        // bound like the above holds for it.)
    });
    // From outside any pool, too.
    check(
        "find_first from outside",
        items_visited(n, |hit| {
            assert_eq!(
                (0..n).into_par_iter().find_first(|&i| hit(i)),
                Some(n / 100)
            );
        }),
    );
}

#[test]
fn collect_and_par_extend_keep_order_indexed_or_not() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let got: Vec<u64> = v.par_iter().map(|x| x ^ 1).collect();
            assert_eq!(got, v.iter().map(|x| x ^ 1).collect::<Vec<_>>());
            let got: Vec<(usize, &u64)> = v.par_iter().enumerate().rev().collect();
            assert_eq!(got, v.iter().enumerate().rev().collect::<Vec<_>>());
            // Not indexed: an unindexed source, a chain with one.
            let got: Vec<u64> = Halves(0..n as u64).map(|x| x * 2).collect();
            assert_eq!(got, (0..n as u64).map(|x| x * 2).collect::<Vec<_>>());
            let got: Vec<u64> = v.par_iter().copied().chain(Halves(0..n as u64)).collect();
            assert_eq!(
                got,
                v.iter().copied().chain(0..n as u64).collect::<Vec<_>>()
            );
            let mut ext = vec![7u64, 8];
            ext.par_extend(v.par_iter().copied());
            ext.par_extend(Halves(0..3));
            let expected: Vec<u64> = [7, 8]
                .into_iter()
                .chain(v.iter().copied())
                .chain(0..3)
                .collect();
            assert_eq!(ext, expected);
            let seen = AtomicUsize::new(0);
            let () = v
                .par_iter()
                .map(|_| {
                    seen.fetch_add(1, Ordering::Relaxed);
                })
                .collect();
            assert_eq!(seen.into_inner(), n);
            let (mut a, mut b) = (vec![1u64], Vec::new());
            v.par_iter()
                .map(|&x| (x, x.to_string()))
                .unzip_into_vecs(&mut a, &mut b);
            assert_eq!(a, v);
            assert_eq!(b, v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        }
    });
}

#[test]
fn chunks_and_zip_eq_adapters_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            for size in [1, 2, 3, 64, n.max(1), n + 1] {
                let got: Vec<Vec<u64>> = v.par_iter().copied().chunks(size).collect();
                assert_eq!(got, v.chunks(size).map(<[u64]>::to_vec).collect::<Vec<_>>());
                let got: Vec<Vec<u64>> = v.par_iter().copied().chunks(size).rev().collect();
                assert_eq!(
                    got,
                    v.chunks(size)
                        .rev()
                        .map(<[u64]>::to_vec)
                        .collect::<Vec<_>>()
                );
            }
            let w: Vec<u64> = v.iter().rev().copied().collect();
            assert_eq!(
                v.par_iter()
                    .zip_eq(w.par_iter())
                    .map(|(a, b)| a ^ b)
                    .sum::<u64>(),
                v.iter().zip(&w).map(|(a, b)| a ^ b).sum::<u64>()
            );
        }
    });
    let r = quiet(|| (0..3u32).into_par_iter().zip_eq(0..4u32).count());
    let message = r.unwrap_err();
    let message = message
        .downcast_ref::<String>()
        .map(String::as_str)
        .or(message.downcast_ref::<&str>().copied())
        .unwrap();
    assert!(
        message.contains("iterators must have the same length"),
        "{message}"
    );
    let r = quiet(|| (0..3u32).into_par_iter().chunks(0).count());
    assert_eq!(
        r.unwrap_err().downcast_ref::<&str>(),
        Some(&"chunk_size must not be zero")
    );
}

#[test]
fn the_new_indexed_adapters_split_correctly_at_every_point() {
    setup();
    let v = values(23);
    let w = values(23);
    for size in [1, 2, 5, 23, 30] {
        check_every_split(
            || v.par_iter().copied().chunks(size),
            v.chunks(size).map(<[u64]>::to_vec).collect(),
        );
    }
    check_every_split(
        || v.par_iter().zip_eq(w.par_iter()),
        v.iter().zip(&w).collect(),
    );
    check_every_split(
        || v.par_iter().map_with(5u64, |five, x| x + *five),
        v.iter().map(|x| x + 5).collect(),
    );
    check_every_split(
        || v.par_iter().map_init(|| 5u64, |five, x| x + *five),
        v.iter().map(|x| x + 5).collect(),
    );
}

#[test]
fn collect_and_unzip_that_panic_half_way_drop_exactly_the_items_written() {
    setup();
    let _tracking = TRACKING.lock().unwrap_or_else(|e| e.into_inner());
    let n = if cfg!(miri) { 64 } else { 100_003 };
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let tracked = |i: usize| {
        if i == n / 2 {
            panic!("item {i}");
        }
        Tracked::new(i as u64)
    };
    for pool in pools() {
        pool.install(|| {
            let r = quiet(|| (0..n).into_par_iter().map(tracked).collect::<Vec<_>>());
            assert!(r.is_err());
            assert_eq!(LIVE.load(Ordering::SeqCst), 0, "indexed collect");
            let r = quiet(|| {
                Halves(0..n as u64)
                    .map(|i| tracked(i as usize))
                    .collect::<Vec<_>>()
            });
            assert!(r.is_err());
            assert_eq!(LIVE.load(Ordering::SeqCst), 0, "unindexed collect");
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let r = quiet(|| {
                (0..n)
                    .into_par_iter()
                    .map(|i| (tracked(i), Tracked::new(0)))
                    .unzip_into_vecs(&mut a, &mut b)
            });
            assert!(r.is_err());
            assert_eq!(LIVE.load(Ordering::SeqCst), 0, "unzip_into_vecs");
            let all: Vec<Tracked> = (0..n)
                .into_par_iter()
                .map(|i| Tracked::new(i as u64))
                .collect();
            assert_eq!(LIVE.load(Ordering::SeqCst), n);
            drop(all);
            assert_eq!(LIVE.load(Ordering::SeqCst), 0);
        });
    }
    panic::set_hook(hook);
}

#[test]
fn a_panic_in_any_kind_of_closure_reaches_the_caller_and_the_pool_still_works() {
    setup();
    let n = if cfg!(miri) { 64 } else { 10_003 };
    let v: Vec<u64> = (0..n as u64).collect();
    let bad = n as u64 / 2;
    let boom = |x: u64| if x == bad { panic!("item {x}") } else { x };
    let first = std::sync::atomic::AtomicBool::new(true);
    // Panics the first time only (for closures called once per piece).
    let once = || assert!(!first.swap(false, Ordering::Relaxed), "init");
    type Case<'a> = (&'static str, Box<dyn Fn() + Sync + 'a>);
    let cases: Vec<Case> = vec![
        (
            "map_with",
            Box::new(|| sink(v.par_iter().map_with(1, |k, &x| boom(x) * *k).sum::<u64>())),
        ),
        (
            "map_init",
            Box::new(|| sink(v.par_iter().map_init(once, |(), &x| x).sum::<u64>())),
        ),
        (
            "for_each_with",
            Box::new(|| v.par_iter().for_each_with(0, |_, &x| sink(boom(x)))),
        ),
        (
            "for_each_init",
            Box::new(|| v.par_iter().for_each_init(once, |(), _| ())),
        ),
        (
            "inspect",
            Box::new(|| sink(v.par_iter().inspect(|&&x| sink(boom(x))).count())),
        ),
        (
            "fold identity",
            Box::new(|| sink(v.par_iter().fold(|| boom(bad), |a, &x| a + x).count())),
        ),
        (
            "fold op",
            Box::new(|| sink(v.par_iter().fold(|| 0, |a, &x| a + boom(x)).sum::<u64>())),
        ),
        (
            "fold_with op",
            Box::new(|| sink(v.par_iter().fold_with(0, |a, &x| a + boom(x)).count())),
        ),
        (
            "reduce op",
            Box::new(|| sink(v.par_iter().copied().reduce(|| 0, |a, b| boom(a.max(b))))),
        ),
        (
            "reduce_with op",
            // Both sides: item `bad` reaches the op as `a` if it starts a
            // piece of several items, as `b` if it follows another in its
            // piece, and as a whole piece's result if it is one alone.
            Box::new(|| sink(v.par_iter().copied().reduce_with(|a, b| boom(a) + boom(b)))),
        ),
        (
            "min_by",
            Box::new(|| sink(v.par_iter().min_by(|a, b| boom(**a).cmp(&boom(**b))))),
        ),
        (
            "max_by_key",
            Box::new(|| sink(v.par_iter().max_by_key(|&&x| boom(x)))),
        ),
        (
            "find_first",
            Box::new(|| sink(v.par_iter().find_first(|&&x| boom(x) == u64::MAX))),
        ),
        (
            "find_last",
            Box::new(|| sink(v.par_iter().find_last(|&&x| boom(x) == u64::MAX))),
        ),
        (
            "any",
            Box::new(|| sink(v.par_iter().any(|&x| boom(x) == u64::MAX))),
        ),
        (
            "position_first",
            Box::new(|| sink(v.par_iter().position_first(|&x| boom(x) == u64::MAX))),
        ),
        (
            "collect",
            Box::new(|| sink(v.par_iter().map(|&x| boom(x)).collect::<Vec<_>>())),
        ),
        (
            "chunks",
            Box::new(|| {
                sink(
                    v.par_iter()
                        .chunks(7)
                        .map(|c| c.iter().map(|&&x| boom(x)).sum::<u64>())
                        .count(),
                )
            }),
        ),
    ];
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut lost = Vec::new();
    for pool in pools() {
        for (what, case) in &cases {
            first.store(true, Ordering::Relaxed);
            if quiet(|| pool.install(case)).is_ok() {
                lost.push(format!(
                    "{what} in a pool of {}",
                    pool.current_num_threads()
                ));
            }
        }
        let sum = quiet(|| pool.install(|| v.par_iter().sum::<u64>()));
        assert!(sum.is_ok_and(|s| s == v.iter().sum::<u64>()));
    }
    first.store(true, Ordering::Relaxed);
    if quiet(&cases[0].1).is_ok() {
        lost.push(String::from("map_with from outside any pool"));
    }
    panic::set_hook(hook);
    assert!(lost.is_empty(), "panics lost: {lost:?}");
}

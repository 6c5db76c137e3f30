//! The sources that are not indexed, or not always: ranges of 64- and
//! 128-bit integers, inclusive ranges of those and of `usize`/`isize`, and
//! `repeat`; and the ranges of `char`. Results are checked against the
//! sequential iterators near each type's `MIN` and `MAX`, on empty and
//! exhausted ranges, in pools of 1, 2 and 3 threads and from outside any
//! pool; the `opt_len` promise (split only at indices, exactly `len` items)
//! with a consumer that checks it; and ranges too long to iterate, with a
//! consumer that stops early.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::iter_support::everywhere;
use common::setup;
use forkscope::iter::plumbing::{
    Consumer, Folder, Producer, ProducerCallback, Reducer, UnindexedConsumer,
};
use forkscope::iter::{repeat, repeat_n};
use forkscope::prelude::*;
use std::fmt::Debug;
use std::hint::black_box;
use std::iter::Sum;
use std::num::Wrapping;
use std::ops::{BitXor, RangeInclusive};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

const SIZES: &[usize] = if cfg!(miri) {
    &[0, 7]
} else {
    &[0, 1, 2, 3, 7, 64, 1000, 10_007]
};

// ---------------------------------------------------------------------------
// Consumers that check the plumbing
// ---------------------------------------------------------------------------

/// A consumer for an iterator whose `opt_len` is `Some`: it must receive
/// the items of `expected` in order, be split only with `split_at`
/// (`split_off_left` panics), and each piece must get exactly its share.
/// Its result is the number of items fed.
struct Exact<'a, T> {
    expected: &'a [T],
}

struct ExactFolder<'a, T> {
    rest: &'a [T],
    fed: usize,
}

struct AddCounts;

impl Reducer<usize> for AddCounts {
    fn reduce(self, left: usize, right: usize) -> usize {
        left + right
    }
}

impl<'a, T: PartialEq + Debug + Send + Sync> Consumer<T> for Exact<'a, T> {
    type Folder = ExactFolder<'a, T>;
    type Reducer = AddCounts;
    type Result = usize;
    fn split_at(self, index: usize) -> (Self, Self, AddCounts) {
        let len = self.expected.len();
        assert!(index <= len, "split_at({index}) on a piece of {len}");
        let (left, right) = self.expected.split_at(index);
        (
            Exact { expected: left },
            Exact { expected: right },
            AddCounts,
        )
    }
    fn into_folder(self) -> ExactFolder<'a, T> {
        ExactFolder {
            rest: self.expected,
            fed: 0,
        }
    }
    fn full(&self) -> bool {
        false
    }
}

impl<T: PartialEq + Debug + Send + Sync> UnindexedConsumer<T> for Exact<'_, T> {
    fn split_off_left(&self) -> Self {
        panic!("split_off_left on an iterator whose opt_len is Some")
    }
    fn to_reducer(&self) -> AddCounts {
        panic!("to_reducer on an iterator whose opt_len is Some")
    }
}

impl<T: PartialEq + Debug> Folder<T> for ExactFolder<'_, T> {
    type Result = usize;
    fn consume(mut self, item: T) -> Self {
        let (want, rest) = self
            .rest
            .split_first()
            .unwrap_or_else(|| panic!("{item:?} after the piece's last item"));
        assert_eq!(&item, want);
        self.rest = rest;
        self.fed += 1;
        self
    }
    fn complete(self) -> usize {
        assert!(self.rest.is_empty(), "missing {:?}", self.rest);
        self.fed
    }
    fn full(&self) -> bool {
        false
    }
}

/// Drives `iter` into an [`Exact`] consumer of `expected`; returns the
/// number of items fed.
fn drive_exact<I>(iter: I, expected: &[I::Item]) -> usize
where
    I: ParallelIterator,
    I::Item: PartialEq + Debug + Sync,
{
    assert_eq!(iter.opt_len(), Some(expected.len()));
    iter.drive_unindexed(Exact { expected })
}

/// A consumer that records the items it is fed and is full once it has
/// `limit` of them (each folder stops after the item that reached it).
struct StopAfter<'a, T> {
    seen: &'a Mutex<Vec<T>>,
    count: &'a AtomicUsize,
    limit: usize,
}

impl<T> Clone for StopAfter<'_, T> {
    fn clone(&self) -> Self {
        StopAfter { ..*self }
    }
}

struct Unit;

impl Reducer<()> for Unit {
    fn reduce(self, _: (), _: ()) {}
}

impl<T: Send> Consumer<T> for StopAfter<'_, T> {
    type Folder = Self;
    type Reducer = Unit;
    type Result = ();
    fn split_at(self, _index: usize) -> (Self, Self, Unit) {
        (self.clone(), self, Unit)
    }
    fn into_folder(self) -> Self {
        self
    }
    fn full(&self) -> bool {
        self.count.load(Ordering::Relaxed) >= self.limit
    }
}

impl<T: Send> UnindexedConsumer<T> for StopAfter<'_, T> {
    fn split_off_left(&self) -> Self {
        self.clone()
    }
    fn to_reducer(&self) -> Unit {
        Unit
    }
}

impl<T> Folder<T> for StopAfter<'_, T> {
    type Result = ();
    fn consume(self, item: T) -> Self {
        self.seen.lock().unwrap().push(item);
        self.count.fetch_add(1, Ordering::Relaxed);
        self
    }
    fn complete(self) {}
    fn full(&self) -> bool {
        self.count.load(Ordering::Relaxed) >= self.limit
    }
}

/// The items `iter` feeds to a consumer that stops after `limit`, sorted.
fn first_items<I>(iter: I, limit: usize) -> Vec<I::Item>
where
    I: IntoParallelIterator,
    I::Item: Ord,
{
    let (seen, count) = (Mutex::new(Vec::new()), AtomicUsize::new(0));
    iter.into_par_iter().drive_unindexed(StopAfter {
        seen: &seen,
        count: &count,
        limit,
    });
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    seen
}

/// Checks the items `first_items` saw: at least `limit`, not many more (one
/// more per piece), each once, all in `range`, and `range`'s first among
/// them (the leftmost piece starts there).
fn check_first_items<T: Ord + Copy + Debug>(seen: &[T], limit: usize, range: RangeInclusive<T>) {
    assert!(
        (limit..limit + 1000).contains(&seen.len()),
        "{} items",
        seen.len()
    );
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "an item seen twice");
    assert!(
        seen.iter().all(|x| range.contains(x)),
        "an item out of range"
    );
    assert_eq!(seen.first(), Some(range.start()));
}

// ---------------------------------------------------------------------------
// Checks against the sequential iterator
// ---------------------------------------------------------------------------

/// `range` as a parallel iterator against its sequential items: `opt_len`,
/// every item exactly once (`for_each`), the `opt_len` promise, and (but
/// under Miri, where each run is slow) `count`, `min` and `max`.
fn matches_sequential<R, T>(range: R)
where
    R: IntoParallelIterator<Item = T> + IntoIterator<Item = T> + Clone + Debug,
    T: Ord + Copy + Debug + Send + Sync,
{
    let expected: Vec<T> = range.clone().into_iter().collect();
    let par = || range.clone().into_par_iter();
    assert_eq!(par().opt_len(), Some(expected.len()), "{range:?}");
    let seen = Mutex::new(Vec::new());
    par().for_each(|x| seen.lock().unwrap().push(x));
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(seen, expected, "{range:?}");
    assert_eq!(drive_exact(par(), &expected), expected.len(), "{range:?}");
    if cfg!(miri) {
        return;
    }
    assert_eq!(par().count(), expected.len(), "{range:?}");
    assert_eq!(par().min(), expected.iter().min().copied(), "{range:?}");
    assert_eq!(par().max(), expected.iter().max().copied(), "{range:?}");
}

/// [`matches_sequential`], and `sum` (wrapping) and (but under Miri) an
/// xor `reduce`.
fn integers_match_sequential<R, T>(range: R)
where
    R: IntoParallelIterator<Item = T> + IntoIterator<Item = T> + Clone + Debug,
    T: Ord + Copy + Debug + Send + Sync + Default + BitXor<Output = T>,
    Wrapping<T>: Sum + Send + PartialEq + Debug,
{
    matches_sequential(range.clone());
    let par = || range.clone().into_par_iter();
    assert_eq!(
        par().map(Wrapping).sum::<Wrapping<T>>(),
        range.clone().into_iter().map(Wrapping).sum::<Wrapping<T>>(),
        "{range:?}"
    );
    if cfg!(miri) {
        return;
    }
    assert_eq!(
        par().reduce(T::default, |a, b| a ^ b),
        range.clone().into_iter().fold(T::default(), |a, b| a ^ b),
        "{range:?}"
    );
}

/// `range` after it was iterated to its end (`is_empty` but not reversed).
fn exhausted<T>(mut range: RangeInclusive<T>) -> RangeInclusive<T>
where
    RangeInclusive<T>: Iterator,
{
    range.by_ref().for_each(drop);
    range
}

// ---------------------------------------------------------------------------
// Integer ranges
// ---------------------------------------------------------------------------

#[test]
fn wide_ranges_match_sequential_at_min_max_and_when_empty() {
    setup();
    macro_rules! check {
        ($($t:ty),*) => {{$(
            for &n in SIZES {
                let n = n as $t;
                integers_match_sequential(<$t>::MIN..<$t>::MIN + n);
                integers_match_sequential(<$t>::MAX - n..<$t>::MAX);
                if !cfg!(miri) {
                    integers_match_sequential(<$t>::MAX / 2 - n..<$t>::MAX / 2 + n);
                }
            }
            integers_match_sequential(black_box(<$t>::MAX)..<$t>::MIN);
            integers_match_sequential(black_box(5 as $t)..5);
        )*}};
    }
    everywhere(|| check!(u64, i64, u128, i128));
}

#[test]
fn wide_inclusive_ranges_match_sequential_at_min_max_and_when_empty() {
    setup();
    macro_rules! check {
        ($($t:ty),*) => {{$(
            for &n in SIZES {
                let n = n as $t;
                integers_match_sequential(<$t>::MIN..=<$t>::MIN + n);
                integers_match_sequential(<$t>::MAX - n..=<$t>::MAX);
                if !cfg!(miri) {
                    integers_match_sequential(<$t>::MAX / 2 - n..=<$t>::MAX / 2 + n);
                }
            }
            integers_match_sequential(black_box(5 as $t)..=3);
            integers_match_sequential(black_box(<$t>::MAX)..=<$t>::MIN);
            integers_match_sequential(exhausted(<$t>::MAX - 3..=<$t>::MAX));
            integers_match_sequential(exhausted(<$t>::MIN..=<$t>::MIN));
            assert_eq!(exhausted(<$t>::MAX..=<$t>::MAX).into_par_iter().opt_len(), Some(0));
        )*}};
    }
    everywhere(|| check!(u64, i64, u128, i128, usize, isize));
}

#[test]
fn opt_len_is_none_exactly_when_the_length_does_not_fit_usize() {
    setup();
    let fits = usize::MAX as u128;
    assert_eq!((0..fits).into_par_iter().opt_len(), Some(usize::MAX));
    assert_eq!((0..=fits - 1).into_par_iter().opt_len(), Some(usize::MAX));
    assert_eq!((0..=fits).into_par_iter().opt_len(), None);
    assert_eq!((0..fits + 1).into_par_iter().opt_len(), None);
    assert_eq!((i128::MIN..i128::MAX).into_par_iter().opt_len(), None);
    assert_eq!((u128::MIN..=u128::MAX).into_par_iter().opt_len(), None);
    assert_eq!((usize::MIN..=usize::MAX).into_par_iter().opt_len(), None);
    assert_eq!((isize::MIN..=isize::MAX).into_par_iter().opt_len(), None);
    assert_eq!((1..=usize::MAX).into_par_iter().opt_len(), Some(usize::MAX));
    assert_eq!(
        (isize::MIN + 1..=isize::MAX).into_par_iter().opt_len(),
        Some(usize::MAX)
    );
    #[cfg(target_pointer_width = "64")]
    {
        assert_eq!((0..=u64::MAX).into_par_iter().opt_len(), None);
        assert_eq!((i64::MIN..=i64::MAX).into_par_iter().opt_len(), None);
        assert_eq!((0..u64::MAX).into_par_iter().opt_len(), Some(usize::MAX));
        assert_eq!(
            (i64::MIN..i64::MAX).into_par_iter().opt_len(),
            Some(usize::MAX)
        );
        assert_eq!(
            (-2..=i64::MAX).into_par_iter().opt_len(),
            Some(i64::MAX as usize + 3)
        );
    }
}

#[test]
fn ranges_longer_than_usize_run_unindexed_until_the_consumer_is_full() {
    setup();
    let limit = if cfg!(miri) { 10 } else { 100 };
    everywhere(|| {
        // `bridge_unindexed` splits at least once, so the right half's
        // first item is among those seen.
        let seen = first_items(0..=u64::MAX, limit);
        check_first_items(&seen, limit, 0..=u64::MAX);
        assert!(seen.contains(&(1 << 63)), "the right half did not run");
        let seen = first_items(usize::MIN..=usize::MAX, limit);
        check_first_items(&seen, limit, usize::MIN..=usize::MAX);
        assert!(seen.contains(&(1 << (usize::BITS - 1))));

        let seen = first_items(isize::MIN..=isize::MAX, limit);
        check_first_items(&seen, limit, isize::MIN..=isize::MAX);
        let seen = first_items(i64::MIN..=i64::MAX, limit);
        check_first_items(&seen, limit, i64::MIN..=i64::MAX);
        let seen = first_items(u128::MIN..=u128::MAX, limit);
        check_first_items(&seen, limit, u128::MIN..=u128::MAX);
        let seen = first_items(i128::MIN..i128::MAX, limit);
        check_first_items(&seen, limit, i128::MIN..=i128::MAX - 1);
        assert!(seen.contains(&0), "the right half did not run");
        let seen = first_items(-7..i128::MAX, limit);
        check_first_items(&seen, limit, -7..=i128::MAX - 1);
    });
}

#[test]
fn a_range_longer_than_i64_max_whose_length_fits_stops_early_from_its_start() {
    setup();
    // `(-2..=i64::MAX)` has `i64::MAX + 3` items: indexed on a 64-bit
    // target, with offsets past `i64::MAX` from the start.
    let limit = 50;
    everywhere(|| {
        let seen = first_items((-2..=i64::MAX).into_par_iter().map(|x| x), limit);
        check_first_items(&seen, limit, -2..=i64::MAX);
        let seen = first_items(u64::MAX - (1 << 40)..=u64::MAX, limit);
        check_first_items(&seen, limit, u64::MAX - (1 << 40)..=u64::MAX);
    });
}

#[test]
fn known_lengths_split_the_consumer_only_at_indices_also_through_map() {
    setup();
    let n = if cfg!(miri) { 300 } else { 100_003 };
    everywhere(|| {
        let expected: Vec<u64> = (u64::MAX - n..=u64::MAX).map(|x| !x).collect();
        let par = (u64::MAX - n..=u64::MAX).into_par_iter().map(|x| !x);
        assert_eq!(drive_exact(par, &expected), n as usize + 1);

        let expected: Vec<i128> = (i128::MIN..i128::MIN + n as i128).collect();
        let par = (i128::MIN..i128::MIN + n as i128).into_par_iter();
        assert_eq!(drive_exact(par, &expected), n as usize);
    });
}

// ---------------------------------------------------------------------------
// char ranges
// ---------------------------------------------------------------------------

struct SplitAt<T> {
    index: usize,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> ProducerCallback<T> for SplitAt<T> {
    type Output = Vec<T>;
    fn callback<P: Producer<Item = T>>(self, producer: P) -> Vec<T> {
        let (left, right) = producer.split_at(self.index);
        let (left, right) = (left.into_iter(), right.into_iter());
        let lens = (left.len(), right.len());
        let mut out: Vec<T> = left.collect();
        let mut back: Vec<T> = right.rev().collect();
        back.reverse();
        assert_eq!((out.len(), back.len()), lens, "ExactSizeIterator lengths");
        out.append(&mut back);
        out
    }
}

/// Splits `make()`'s producer at every index and checks both sides.
fn check_every_split<I>(make: impl Fn() -> I, expected: Vec<I::Item>)
where
    I: IndexedParallelIterator,
    I::Item: PartialEq + Debug,
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
fn char_ranges_skip_the_surrogate_gap_and_match_sequential() {
    setup();
    let below = '\u{D7FE}';
    let above = '\u{E001}';
    everywhere(|| {
        matches_sequential('a'..'q');
        matches_sequential(below..'\u{E000}');
        matches_sequential(below..=above);
        matches_sequential('\u{D7FF}'..='\u{D7FF}');
        matches_sequential('\u{E000}'..='\u{E001}');
        matches_sequential('\u{10FFF0}'..=char::MAX);
        matches_sequential(char::MAX..=char::MAX);
        matches_sequential('\0'..'\0');
        matches_sequential(black_box('z')..'a');
        matches_sequential(black_box('z')..='a');
        matches_sequential(exhausted('x'..='z'));
        matches_sequential(exhausted(char::MAX..=char::MAX));
        let wide = if cfg!(miri) {
            '\u{D7F0}'..='\u{E00F}'
        } else {
            '\0'..=char::MAX
        };
        matches_sequential(wide);
        let mut v = Vec::new();
        (below..=above)
            .into_par_iter()
            .rev()
            .collect_into_vec(&mut v);
        assert_eq!(v, ['\u{E001}', '\u{E000}', '\u{D7FF}', '\u{D7FE}']);
    });
    assert_eq!(('\0'..=char::MAX).into_par_iter().len(), 0x11_0000 - 0x800);
    assert_eq!(('\0'..char::MAX).into_par_iter().len(), 0x11_0000 - 0x801);
    check_every_split(|| (below..above).into_par_iter(), (below..above).collect());
    check_every_split(
        || (below..=above).into_par_iter(),
        (below..=above).collect(),
    );
    check_every_split(
        || ('\u{10FFFA}'..=char::MAX).into_par_iter(),
        ('\u{10FFFA}'..=char::MAX).collect(),
    );
}

// ---------------------------------------------------------------------------
// repeat
// ---------------------------------------------------------------------------

#[test]
fn repeat_take_and_zip_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            assert_eq!(repeat(3u64).take(n).sum::<u64>(), 3 * n as u64);
            assert_eq!(repeat(()).take(n).count(), n);
            let mut v = Vec::new();
            repeat(String::from("ab")).take(n).collect_into_vec(&mut v);
            assert_eq!(v, vec![String::from("ab"); n]);

            let w: Vec<u32> = (0..n as u32).collect();
            let mut pairs = Vec::new();
            repeat('x').zip(w.par_iter()).collect_into_vec(&mut pairs);
            assert_eq!(pairs, w.iter().map(|i| ('x', i)).collect::<Vec<_>>());
            assert_eq!(
                repeat(2u32)
                    .zip(0..n as u32)
                    .map(|(a, b)| a * b)
                    .sum::<u32>(),
                w.iter().map(|b| 2 * b).sum::<u32>()
            );
            assert_eq!(repeat(1u8).zip(repeat_n(0u8, n)).len(), n);
        }
    });
}

#[test]
fn repeat_runs_until_the_consumer_is_full() {
    setup();
    let limit = if cfg!(miri) { 10 } else { 100 };
    everywhere(|| {
        let (seen, count) = (Mutex::new(Vec::new()), AtomicUsize::new(0));
        repeat(String::from("ab")).drive_unindexed(StopAfter {
            seen: &seen,
            count: &count,
            limit,
        });
        let seen = seen.into_inner().unwrap();
        assert!((limit..limit + 1000).contains(&seen.len()));
        assert!(seen.iter().all(|s| s == "ab"));
        assert_eq!(repeat(7u8).opt_len(), None);
    });
}

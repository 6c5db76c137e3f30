//! The parallel iterator traits.

use super::consumers::{
    Add, CountConsumer, ForEachConsumer, Multiply, ReduceConsumer, SumConsumer,
};
use super::plumbing::{Consumer, ProducerCallback, UnindexedConsumer};
use super::try_ops::Try;
use super::{
    Chain, Chunks, Cloned, Copied, Enumerate, Filter, FilterMap, FlatMap, FlatMapIter, Flatten,
    FlattenIter, Fold, FoldWith, FromParallelIterator, Inspect, Map, MapInit, MapWith, MaxLen,
    MinLen, PanicFuse, Rev, Skip, SkipAny, StepBy, Take, TakeAny, TryFold, TryFoldWith, Update,
    WhileSome, Zip, ZipEq,
};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::iter::{Product, Sum};

/// A parallel version of [`Iterator`]: its items are produced and consumed
/// in pieces on the pool's workers.
///
/// Closures given to its methods are `Fn + Sync + Send`: any worker may call
/// them, at the same time. Called from a thread outside any pool, the first
/// items run on the calling thread (for up to about 20 µs) and the rest on
/// the global pool, so closures may also run on the calling thread, where
/// [`current_thread_index`](crate::current_thread_index) is `None`.
///
/// Items must not wait for each other. A piece is folded in order on one
/// thread, and split only between items: an item that blocks until a later
/// item of the same iterator has run waits forever if both landed in one
/// piece. (rayon gives no guarantee either; it splits before folding, so
/// such code often works there on more than one thread.) Where items must
/// meet, `with_max_len(1)` splits every item into a piece of its own before
/// any runs, so that idle workers take the others.
pub trait ParallelIterator: Sized + Send {
    /// The items.
    type Item: Send;

    /// Runs the iterator into `consumer` (the plumbing under every
    /// operation).
    fn drive_unindexed<C>(self, consumer: C) -> C::Result
    where
        C: UnindexedConsumer<Self::Item>;

    /// The exact number of items, if known.
    ///
    /// Returning `Some(len)` is a promise that `drive_unindexed` produces
    /// exactly `len` items and splits its consumer only with
    /// [`Consumer::split_at`], never
    /// [`split_off_left`](UnindexedConsumer::split_off_left): `collect`
    /// then writes the items in place with a consumer that cannot be split
    /// any other way.
    fn opt_len(&self) -> Option<usize> {
        None
    }

    /// Calls `op` on every item.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let total = AtomicU64::new(0);
    /// (0..100u32).into_par_iter().for_each(|i| {
    ///     total.fetch_add(u64::from(i), Ordering::Relaxed);
    /// });
    /// assert_eq!(total.into_inner(), 4950);
    /// ```
    fn for_each<OP>(self, op: OP)
    where
        OP: Fn(Self::Item) + Sync + Send,
    {
        self.drive_unindexed(ForEachConsumer::new(&op))
    }

    /// Calls `op` on every item with a `&mut` to a clone of `init` (one
    /// clone per piece of the iterator, so `op` can reuse a buffer or a
    /// sender without locking).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// use std::sync::mpsc::channel;
    /// let (sender, receiver) = channel();
    /// (0..5u32).into_par_iter().for_each_with(sender, |s, x| s.send(x).unwrap());
    /// let mut got: Vec<u32> = receiver.iter().collect();
    /// got.sort();
    /// assert_eq!(got, [0, 1, 2, 3, 4]);
    /// ```
    fn for_each_with<OP, T>(self, init: T, op: OP)
    where
        OP: Fn(&mut T, Self::Item) + Sync + Send,
        T: Send + Clone,
    {
        self.map_with(init, op).for_each(drop)
    }

    /// Calls `op` on every item with a `&mut` to a value that `init` makes
    /// once per piece of the iterator (for state that cannot be cloned,
    /// such as a random number generator).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let total = AtomicUsize::new(0);
    /// (0..100usize).into_par_iter().for_each_init(Vec::new, |buf, x| {
    ///     buf.push(x);
    ///     total.fetch_add(x, Ordering::Relaxed);
    /// });
    /// assert_eq!(total.into_inner(), 4950);
    /// ```
    fn for_each_init<OP, INIT, T>(self, init: INIT, op: OP)
    where
        OP: Fn(&mut T, Self::Item) + Sync + Send,
        INIT: Fn() -> T + Sync + Send,
    {
        self.map_init(init, op).for_each(drop)
    }

    /// Applies `map_op` to every item.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let squares: Vec<u32> = {
    ///     let mut v = Vec::new();
    ///     (0..5u32).into_par_iter().map(|i| i * i).collect_into_vec(&mut v);
    ///     v
    /// };
    /// assert_eq!(squares, [0, 1, 4, 9, 16]);
    /// ```
    fn map<F, R>(self, map_op: F) -> Map<Self, F>
    where
        F: Fn(Self::Item) -> R + Sync + Send,
        R: Send,
    {
        Map::new(self, map_op)
    }

    /// Applies `map_op` to every item with a `&mut` to a clone of `init`,
    /// one clone per piece of the iterator.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (0..4u32).into_par_iter().map_with(10, |ten, x| x * *ten).collect();
    /// assert_eq!(v, [0, 10, 20, 30]);
    /// ```
    fn map_with<F, T, R>(self, init: T, map_op: F) -> MapWith<Self, T, F>
    where
        F: Fn(&mut T, Self::Item) -> R + Sync + Send,
        T: Send + Clone,
        R: Send,
    {
        MapWith::new(self, init, map_op)
    }

    /// Applies `map_op` to every item with a `&mut` to a value that `init`
    /// makes once per piece of the iterator.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<String> = (0..3u32)
    ///     .into_par_iter()
    ///     .map_init(String::new, |buf, x| {
    ///         buf.clear();
    ///         buf.push_str(&x.to_string());
    ///         buf.clone()
    ///     })
    ///     .collect();
    /// assert_eq!(v, ["0", "1", "2"]);
    /// ```
    fn map_init<F, INIT, T, R>(self, init: INIT, map_op: F) -> MapInit<Self, INIT, F>
    where
        F: Fn(&mut T, Self::Item) -> R + Sync + Send,
        INIT: Fn() -> T + Sync + Send,
        R: Send,
    {
        MapInit::new(self, init, map_op)
    }

    /// Clones every item (of an iterator over references).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let words = vec![String::from("a"), String::from("b")];
    /// let mut owned = Vec::new();
    /// words.par_iter().cloned().collect_into_vec(&mut owned);
    /// assert_eq!(owned, words);
    /// ```
    fn cloned<'a, T>(self) -> Cloned<Self>
    where
        T: 'a + Clone + Send + Sync,
        Self: ParallelIterator<Item = &'a T>,
    {
        Cloned::new(self)
    }

    /// Copies every item (of an iterator over references).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([1u8, 2, 3].par_iter().copied().map(u32::from).sum::<u32>(), 6);
    /// ```
    fn copied<'a, T>(self) -> Copied<Self>
    where
        T: 'a + Copy + Send + Sync,
        Self: ParallelIterator<Item = &'a T>,
    {
        Copied::new(self)
    }

    /// Calls `inspect_op` with a reference to every item, passing the item
    /// on.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let seen = AtomicUsize::new(0);
    /// let sum: u32 = (0..10u32).into_par_iter().inspect(|_| {
    ///     seen.fetch_add(1, Ordering::Relaxed);
    /// }).sum();
    /// assert_eq!((sum, seen.into_inner()), (45, 10));
    /// ```
    fn inspect<OP>(self, inspect_op: OP) -> Inspect<Self, OP>
    where
        OP: Fn(&Self::Item) + Sync + Send,
    {
        Inspect::new(self, inspect_op)
    }

    /// The items of `self`, then those of `chain`. Indexed when both are.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = Vec::new();
    /// (0..3u32).into_par_iter().chain(7..9u32).collect_into_vec(&mut v);
    /// assert_eq!(v, [0, 1, 2, 7, 8]);
    /// ```
    fn chain<C>(self, chain: C) -> Chain<Self, C::Iter>
    where
        C: super::IntoParallelIterator<Item = Self::Item>,
    {
        Chain::new(self, chain.into_par_iter())
    }

    /// The items for which `filter_op` is true. Not indexed: how many pass
    /// is known only afterwards.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let evens: Vec<u32> = (0..10u32).into_par_iter().filter(|x| x % 2 == 0).collect();
    /// assert_eq!(evens, [0, 2, 4, 6, 8]);
    /// ```
    fn filter<P>(self, filter_op: P) -> Filter<Self, P>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        Filter::new(self, filter_op)
    }

    /// The `Some` results of `filter_op` on every item.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let words = ["1", "x", "22", ""];
    /// let n: Vec<u32> = words.par_iter().filter_map(|w| w.parse().ok()).collect();
    /// assert_eq!(n, [1, 22]);
    /// ```
    fn filter_map<F, R>(self, filter_op: F) -> FilterMap<Self, F>
    where
        F: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        FilterMap::new(self, filter_op)
    }

    /// The items of the parallel iterators that `map_op` makes of every
    /// item, in order; a big inner iterator is split across the pool too.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (1..4u32).into_par_iter().flat_map(|n| 0..n).collect();
    /// assert_eq!(v, [0, 0, 1, 0, 1, 2]);
    /// ```
    fn flat_map<F, PI>(self, map_op: F) -> FlatMap<Self, F>
    where
        F: Fn(Self::Item) -> PI + Sync + Send,
        PI: super::IntoParallelIterator,
    {
        FlatMap::new(self, map_op)
    }

    /// The items of the sequential iterators that `map_op` makes of every
    /// item, in order (cheaper than `flat_map` for small inner iterators:
    /// each runs inside its piece).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<char> = ["ab", "", "c"].par_iter().flat_map_iter(|s| s.chars()).collect();
    /// assert_eq!(v, ['a', 'b', 'c']);
    /// ```
    fn flat_map_iter<F, SI>(self, map_op: F) -> FlatMapIter<Self, F>
    where
        F: Fn(Self::Item) -> SI + Sync + Send,
        SI: IntoIterator,
        SI::Item: Send,
    {
        FlatMapIter::new(self, map_op)
    }

    /// The items of every item's parallel iterator, in order.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let nested = vec![vec![1, 2], vec![], vec![3]];
    /// let flat: Vec<i32> = nested.into_par_iter().flatten().collect();
    /// assert_eq!(flat, [1, 2, 3]);
    /// ```
    fn flatten(self) -> Flatten<Self>
    where
        Self::Item: super::IntoParallelIterator,
    {
        Flatten::new(self)
    }

    /// The items of every item's sequential iterator, in order.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let nested = vec![vec![1, 2], vec![], vec![3]];
    /// let flat: Vec<i32> = nested.into_par_iter().flatten_iter().collect();
    /// assert_eq!(flat, [1, 2, 3]);
    /// ```
    fn flatten_iter(self) -> FlattenIter<Self>
    where
        Self::Item: IntoIterator,
        <Self::Item as IntoIterator>::Item: Send,
    {
        FlattenIter::new(self)
    }

    /// Folds the items of every piece of the iterator into an accumulator
    /// of its own, starting from `identity()`; the accumulators are the
    /// items of the returned iterator (how many depends on how the work was
    /// split), usually reduced again.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let (count, total) = (1..=100u64)
    ///     .collect::<Vec<_>>()
    ///     .par_iter()
    ///     .fold(|| (0usize, 0u64), |(n, s), &x| (n + 1, s + x))
    ///     .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    /// assert_eq!((count, total), (100, 5050));
    /// ```
    fn fold<T, ID, F>(self, identity: ID, fold_op: F) -> Fold<Self, ID, F>
    where
        F: Fn(T, Self::Item) -> T + Sync + Send,
        ID: Fn() -> T + Sync + Send,
        T: Send,
    {
        Fold::new(self, identity, fold_op)
    }

    /// [`fold`](Self::fold), every piece starting from a clone of `init`.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let total: u32 = (0..10u32).into_par_iter().fold_with(0, |a, x| a + x).sum();
    /// assert_eq!(total, 45);
    /// ```
    fn fold_with<F, T>(self, init: T, fold_op: F) -> FoldWith<Self, T, F>
    where
        F: Fn(T, Self::Item) -> T + Sync + Send,
        T: Send + Clone,
    {
        FoldWith::new(self, init, fold_op)
    }

    /// [`fold`](Self::fold) with a fallible `fold_op`: a piece stops at its
    /// first failure, which becomes its item.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let total: Option<u32> = (1..100u32)
    ///     .into_par_iter()
    ///     .try_fold(|| 0u32, |a, x| a.checked_add(x))
    ///     .try_reduce(|| 0, |a, b| a.checked_add(b));
    /// assert_eq!(total, Some(4950));
    /// ```
    fn try_fold<T, R, ID, F>(self, identity: ID, fold_op: F) -> TryFold<Self, ID, F>
    where
        F: Fn(T, Self::Item) -> R + Sync + Send,
        ID: Fn() -> T + Sync + Send,
        R: Try<Output = T> + Send,
    {
        TryFold::new(self, identity, fold_op)
    }

    /// [`try_fold`](Self::try_fold), every piece starting from a clone of
    /// `init`.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let r: Result<u32, String> = (0..10u32)
    ///     .into_par_iter()
    ///     .try_fold_with(0, |a, x| if x < 20 { Ok(a + x) } else { Err(format!("{x}")) })
    ///     .try_reduce(|| 0, |a, b| Ok(a + b));
    /// assert_eq!(r, Ok(45));
    /// ```
    fn try_fold_with<F, T, R>(self, init: T, fold_op: F) -> TryFoldWith<Self, T, F>
    where
        F: Fn(T, Self::Item) -> R + Sync + Send,
        R: Try<Output = T> + Send,
        T: Clone + Send,
    {
        TryFoldWith::new(self, init, fold_op)
    }

    /// Calls `op` on every item until one fails; the first failure seen
    /// stops the other pieces and is returned (which one, if several
    /// pieces fail, is not specified).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let r = (0..100u32).into_par_iter().try_for_each(|x| if x == 50 { Err(x) } else { Ok(()) });
    /// assert_eq!(r, Err(50));
    /// ```
    fn try_for_each<OP, R>(self, op: OP) -> R
    where
        OP: Fn(Self::Item) -> R + Sync + Send,
        R: Try<Output = ()> + Send,
    {
        self.map(op).try_reduce(|| (), |(), ()| R::from_output(()))
    }

    /// [`try_for_each`](Self::try_for_each) with a `&mut` to a clone of
    /// `init` per piece.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// use std::sync::mpsc::channel;
    /// let (sender, receiver) = channel();
    /// let r = (0..5u32).into_par_iter().try_for_each_with(sender, |s, x| s.send(x));
    /// assert!(r.is_ok());
    /// assert_eq!(receiver.iter().count(), 5);
    /// ```
    fn try_for_each_with<OP, T, R>(self, init: T, op: OP) -> R
    where
        OP: Fn(&mut T, Self::Item) -> R + Sync + Send,
        T: Send + Clone,
        R: Try<Output = ()> + Send,
    {
        self.map_with(init, op)
            .try_reduce(|| (), |(), ()| R::from_output(()))
    }

    /// [`try_for_each`](Self::try_for_each) with a `&mut` to a value that
    /// `init` makes once per piece.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let r: Option<()> = (0..5u32).into_par_iter().try_for_each_init(Vec::new, |buf, x| {
    ///     buf.push(x);
    ///     (x < 5).then_some(())
    /// });
    /// assert_eq!(r, Some(()));
    /// ```
    fn try_for_each_init<OP, INIT, T, R>(self, init: INIT, op: OP) -> R
    where
        OP: Fn(&mut T, Self::Item) -> R + Sync + Send,
        INIT: Fn() -> T + Sync + Send,
        R: Try<Output = ()> + Send,
    {
        self.map_init(init, op)
            .try_reduce(|| (), |(), ()| R::from_output(()))
    }

    /// Reduces fallible items with a fallible `op`, every piece starting
    /// from `identity()`; stops at the first failure seen.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let sum = (1..=10u8).into_par_iter().map(Some).try_reduce(|| 0, |a, b| a.checked_add(b));
    /// assert_eq!(sum, Some(55));
    /// let overflow = (1..=100u8).into_par_iter().map(Some).try_reduce(|| 0, |a, b| a.checked_add(b));
    /// assert_eq!(overflow, None);
    /// ```
    fn try_reduce<T, OP, ID>(self, identity: ID, op: OP) -> Self::Item
    where
        OP: Fn(T, T) -> Self::Item + Sync + Send,
        ID: Fn() -> T + Sync + Send,
        Self::Item: Try<Output = T>,
    {
        super::try_ops::try_reduce(self, Some(&identity), &op)
            .expect("with an identity, every piece has a value")
    }

    /// [`try_reduce`](Self::try_reduce) without an identity: `None` if
    /// there are no items.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let r = (1..5u32).into_par_iter().map(Ok::<u32, ()>).try_reduce_with(|a, b| Ok(a * b));
    /// assert_eq!(r, Some(Ok(24)));
    /// ```
    fn try_reduce_with<T, OP>(self, op: OP) -> Option<Self::Item>
    where
        OP: Fn(T, T) -> Self::Item + Sync + Send,
        Self::Item: Try<Output = T>,
    {
        super::try_ops::try_reduce(self, None::<&fn() -> T>, &op)
    }

    /// The sum of the items (`S::sum` of each piece, then of the pieces).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u64> = (1..=100).collect();
    /// assert_eq!(v.par_iter().sum::<u64>(), 5050);
    /// ```
    fn sum<S>(self) -> S
    where
        S: Send + Sum<Self::Item> + Sum<S>,
    {
        self.drive_unindexed(SumConsumer::<S, Add>::new())
    }

    /// The product of the items.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((1..=10u64).collect::<Vec<_>>().par_iter().product::<u64>(), 3_628_800);
    /// ```
    fn product<P>(self) -> P
    where
        P: Send + Product<Self::Item> + Product<P>,
    {
        self.drive_unindexed(SumConsumer::<P, Multiply>::new())
    }

    /// The number of items.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((0..1000u32).into_par_iter().count(), 1000);
    /// ```
    fn count(self) -> usize {
        self.drive_unindexed(CountConsumer)
    }

    /// Reduces the items with `op`, starting every piece from `identity()`.
    /// `op` must be associative; `identity()` must be its neutral element.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let longest = ["a", "abc", "ab"].par_iter().map(|s| s.len()).reduce(|| 0, usize::max);
    /// assert_eq!(longest, 3);
    /// ```
    fn reduce<OP, ID>(self, identity: ID, op: OP) -> Self::Item
    where
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
        ID: Fn() -> Self::Item + Sync + Send,
    {
        self.drive_unindexed(ReduceConsumer::new(&identity, &op))
    }

    /// Reduces the items with `op`; `None` if there are none.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((1..5u32).into_par_iter().reduce_with(|a, b| a * b), Some(24));
    /// assert_eq!((1..1u32).into_par_iter().reduce_with(|a, b| a * b), None);
    /// ```
    fn reduce_with<OP>(self, op: OP) -> Option<Self::Item>
    where
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
    {
        let merge = |a: Option<Self::Item>, b: Option<Self::Item>| match (a, b) {
            (Some(a), Some(b)) => Some(op(a, b)),
            (a, None) => a,
            (None, b) => b,
        };
        self.map(Some).reduce(|| None, merge)
    }

    /// The smallest item; the first of several equal ones, as
    /// [`Iterator::min`] (pieces are reduced in order).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([3, 1, 2].par_iter().min(), Some(&1));
    /// ```
    fn min(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.reduce_with(core::cmp::min)
    }

    /// The smallest item by `compare`; the first of several equal ones.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let m = [2.5f64, -1.0, 7.0].par_iter().min_by(|a, b| a.total_cmp(b));
    /// assert_eq!(m, Some(&-1.0));
    /// ```
    fn min_by<F>(self, compare: F) -> Option<Self::Item>
    where
        F: Fn(&Self::Item, &Self::Item) -> Ordering + Sync + Send,
    {
        self.reduce_with(|a, b| core::cmp::min_by(a, b, &compare))
    }

    /// The item with the smallest key; the first of several equal ones.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let shortest = ["ccc", "a", "bb", "d"].par_iter().min_by_key(|s| s.len());
    /// assert_eq!(shortest, Some(&"a"));
    /// ```
    fn min_by_key<K, F>(self, key: F) -> Option<Self::Item>
    where
        K: Ord + Send,
        F: Fn(&Self::Item) -> K + Sync + Send,
    {
        self.map(|item| (key(&item), item))
            .reduce_with(|a, b| core::cmp::min_by(a, b, |a, b| a.0.cmp(&b.0)))
            .map(|(_, item)| item)
    }

    /// The largest item; the last of several equal ones, as
    /// [`Iterator::max`].
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([3, 1, 2].par_iter().max(), Some(&3));
    /// ```
    fn max(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.reduce_with(core::cmp::max)
    }

    /// The largest item by `compare`; the last of several equal ones.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let m = [2.5f64, -1.0, 7.0].par_iter().max_by(|a, b| a.total_cmp(b));
    /// assert_eq!(m, Some(&7.0));
    /// ```
    fn max_by<F>(self, compare: F) -> Option<Self::Item>
    where
        F: Fn(&Self::Item, &Self::Item) -> Ordering + Sync + Send,
    {
        self.reduce_with(|a, b| core::cmp::max_by(a, b, &compare))
    }

    /// The item with the largest key; the last of several equal ones.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let longest = ["a", "bb", "cc", "d"].par_iter().max_by_key(|s| s.len());
    /// assert_eq!(longest, Some(&"cc"));
    /// ```
    fn max_by_key<K, F>(self, key: F) -> Option<Self::Item>
    where
        K: Ord + Send,
        F: Fn(&Self::Item) -> K + Sync + Send,
    {
        self.map(|item| (key(&item), item))
            .reduce_with(|a, b| core::cmp::max_by(a, b, |a, b| a.0.cmp(&b.0)))
            .map(|(_, item)| item)
    }

    /// Some item that matches `predicate`, not necessarily the first: the
    /// first match any piece finds stops the others.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (0..1000).collect();
    /// let hit = v.par_iter().find_any(|&&x| x % 100 == 99).unwrap();
    /// assert_eq!(hit % 100, 99);
    /// ```
    fn find_any<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        super::find::find_any(self, &predicate)
    }

    /// The first item that matches `predicate`. Pieces after a match stop
    /// early; those before it run on.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (0..1000).collect();
    /// assert_eq!(v.par_iter().find_first(|&&x| x % 100 == 99), Some(&99));
    /// ```
    fn find_first<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        super::find::find_first(self, &predicate)
    }

    /// The last item that matches `predicate`. Pieces before a match stop
    /// early; those after it run on.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (0..1000).collect();
    /// assert_eq!(v.par_iter().find_last(|&&x| x % 100 == 99), Some(&999));
    /// ```
    fn find_last<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        super::find::find_last(self, &predicate)
    }

    /// Some `Some` result of `predicate` on an item, not necessarily the
    /// first; the first one found stops the others.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let r = ["x", "7", "y"].par_iter().find_map_any(|s| s.parse::<u32>().ok());
    /// assert_eq!(r, Some(7));
    /// ```
    fn find_map_any<P, R>(self, predicate: P) -> Option<R>
    where
        P: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        self.filter_map(predicate).find_any(|_| true)
    }

    /// The `Some` result of `predicate` on the first item that gives one.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let r = ["x", "7", "8"].par_iter().find_map_first(|s| s.parse::<u32>().ok());
    /// assert_eq!(r, Some(7));
    /// ```
    fn find_map_first<P, R>(self, predicate: P) -> Option<R>
    where
        P: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        self.filter_map(predicate).find_first(|_| true)
    }

    /// The `Some` result of `predicate` on the last item that gives one.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let r = ["x", "7", "8"].par_iter().find_map_last(|s| s.parse::<u32>().ok());
    /// assert_eq!(r, Some(8));
    /// ```
    fn find_map_last<P, R>(self, predicate: P) -> Option<R>
    where
        P: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        self.filter_map(predicate).find_last(|_| true)
    }

    /// The items up to a `None` (pieces stop as soon as any sees one; items
    /// of other pieces after it in order may or may not come out, as in
    /// rayon).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (0..10u32).into_par_iter().map(Some).while_some().collect();
    /// assert_eq!(v.len(), 10);
    /// let v: Vec<u32> = [Some(1), None, Some(3)].into_par_iter().while_some().collect();
    /// assert!(!v.contains(&2) && v.len() <= 2);
    /// ```
    fn while_some<T>(self) -> WhileSome<Self>
    where
        Self: ParallelIterator<Item = Option<T>>,
        T: Send,
    {
        WhileSome::new(self)
    }

    /// Stops every piece as soon as one panics (the panic still reaches
    /// the caller), instead of letting the others run to their end.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((0..100u32).into_par_iter().panic_fuse().sum::<u32>(), 4950);
    /// ```
    fn panic_fuse(self) -> PanicFuse<Self> {
        PanicFuse::new(self)
    }

    /// At most `n` items, whichever the pieces reach first (not the first
    /// `n` in order: `take` on an indexed iterator gives those).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (0..100u32).into_par_iter().filter(|x| x % 3 == 0).take_any(5).collect();
    /// assert!(v.len() == 5 && v.iter().all(|x| x % 3 == 0));
    /// ```
    fn take_any(self, n: usize) -> TakeAny<Self> {
        TakeAny::new(self, n)
    }

    /// All but `n` items, whichever the pieces reach first.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<u32> = (0..100u32).into_par_iter().skip_any(90).collect();
    /// assert_eq!(v.len(), 10);
    /// ```
    fn skip_any(self, n: usize) -> SkipAny<Self> {
        SkipAny::new(self, n)
    }

    /// Changes every item in place with `update_op`, passing it on.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<String> = ["a", "b"].par_iter().map(|s| s.to_string()).update(|s| s.push('!')).collect();
    /// assert_eq!(v, ["a!", "b!"]);
    /// ```
    fn update<F>(self, update_op: F) -> Update<Self, F>
    where
        F: Fn(&mut Self::Item) + Sync + Send,
    {
        Update::new(self, update_op)
    }

    /// Whether any item matches `predicate`; stops at the first match found.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert!((0..1000u32).into_par_iter().any(|x| x == 500));
    /// assert!(!(0..1000u32).into_par_iter().any(|x| x == 5000));
    /// ```
    fn any<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.map(predicate).find_any(|&matched| matched).is_some()
    }

    /// Whether every item matches `predicate`; stops at the first item
    /// found that does not.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert!((0..1000u32).into_par_iter().all(|x| x < 1000));
    /// assert!(!(0..1000u32).into_par_iter().all(|x| x != 500));
    /// ```
    fn all<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.map(predicate).find_any(|&matched| !matched).is_none()
    }

    /// Every piece's items in a vector of its own, the vectors in order:
    /// the cheapest way to gather the items of an unindexed iterator when
    /// one vector is not needed.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let list = (0..100u32).into_par_iter().filter(|x| x % 2 == 0).collect_vec_list();
    /// assert_eq!(list.into_iter().flatten().collect::<Vec<_>>(), (0..100).step_by(2).collect::<Vec<_>>());
    /// ```
    fn collect_vec_list(self) -> alloc::collections::LinkedList<Vec<Self::Item>> {
        super::collect::collect_pieces(self)
    }

    /// Splits pairs into two collections, in order for ordered ones.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let (a, b): (Vec<u32>, Vec<char>) = [(1, 'a'), (2, 'b')].into_par_iter().unzip();
    /// assert_eq!((a, b), (vec![1, 2], vec!['a', 'b']));
    /// ```
    fn unzip<A, B, FromA, FromB>(self) -> (FromA, FromB)
    where
        Self: ParallelIterator<Item = (A, B)>,
        FromA: Default + Send + super::ParallelExtend<A>,
        FromB: Default + Send + super::ParallelExtend<B>,
        A: Send,
        B: Send,
    {
        super::collections::unzip_with(self, |(a, b)| (Some(a), Some(b)))
    }

    /// The items for which `predicate` is true, and the others, each
    /// collection in order for ordered ones.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let (even, odd): (Vec<u32>, Vec<u32>) = (0..6u32).into_par_iter().partition(|x| x % 2 == 0);
    /// assert_eq!((even, odd), (vec![0, 2, 4], vec![1, 3, 5]));
    /// ```
    fn partition<A, B, P>(self, predicate: P) -> (A, B)
    where
        A: Default + Send + super::ParallelExtend<Self::Item>,
        B: Default + Send + super::ParallelExtend<Self::Item>,
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        super::collections::unzip_with(self, |item| {
            if predicate(&item) {
                (Some(item), None)
            } else {
                (None, Some(item))
            }
        })
    }

    /// Sends every item left or right, as `predicate` says, each collection
    /// in order for ordered ones.
    ///
    /// ```
    /// use forkscope::iter::Either;
    /// use forkscope::prelude::*;
    /// let (n, s): (Vec<u32>, Vec<&str>) = ["1", "x", "2"]
    ///     .into_par_iter()
    ///     .partition_map(|w| w.parse::<u32>().map_or(Either::Right(w), Either::Left));
    /// assert_eq!((n, s), (vec![1, 2], vec!["x"]));
    /// ```
    fn partition_map<A, B, P, L, R>(self, predicate: P) -> (A, B)
    where
        A: Default + Send + super::ParallelExtend<L>,
        B: Default + Send + super::ParallelExtend<R>,
        P: Fn(Self::Item) -> super::Either<L, R> + Sync + Send,
        L: Send,
        R: Send,
    {
        super::collections::unzip_with(self, |item| match predicate(item) {
            super::Either::Left(l) => (Some(l), None),
            super::Either::Right(r) => (None, Some(r)),
        })
    }

    /// Collects the items into a collection, in order for ordered ones
    /// (see [`FromParallelIterator`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let squares: Vec<u32> = (0..5u32).into_par_iter().map(|x| x * x).collect();
    /// assert_eq!(squares, [0, 1, 4, 9, 16]);
    /// ```
    fn collect<C>(self) -> C
    where
        C: FromParallelIterator<Self::Item>,
    {
        C::from_par_iter(self)
    }
}

/// A parallel iterator that knows its exact length and can be split at
/// any index, so that it can be zipped, enumerated and collected in place.
#[allow(clippy::len_without_is_empty)] // rayon's trait has no is_empty either
pub trait IndexedParallelIterator: ParallelIterator {
    /// The exact number of items.
    fn len(&self) -> usize;

    /// Runs the iterator into an indexed `consumer`.
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result;

    /// Calls `callback` with this iterator's producer.
    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output;

    /// Pairs the items of `self` and `other`, up to the shorter length.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let (a, b) = (vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]);
    /// let dot: f64 = a.par_iter().zip(b.par_iter()).map(|(x, y)| x * y).sum();
    /// assert_eq!(dot, 32.0);
    /// ```
    fn zip<Z>(self, other: Z) -> Zip<Self, Z::Iter>
    where
        Z: super::IntoParallelIterator,
        Z::Iter: IndexedParallelIterator,
    {
        Zip::new(self, other.into_par_iter())
    }

    /// Pairs the items of `self` and `other`, which must have the same
    /// length.
    ///
    /// # Panics
    ///
    /// If the lengths differ.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let pairs: Vec<(u32, char)> = (0..3u32).into_par_iter().zip_eq(['a', 'b', 'c']).collect();
    /// assert_eq!(pairs, [(0, 'a'), (1, 'b'), (2, 'c')]);
    /// ```
    fn zip_eq<Z>(self, other: Z) -> ZipEq<Self, Z::Iter>
    where
        Z: super::IntoParallelIterator,
        Z::Iter: IndexedParallelIterator,
    {
        ZipEq::new(self, other.into_par_iter())
    }

    /// Pairs every item with its index.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = Vec::new();
    /// ["a", "b"].par_iter().enumerate().collect_into_vec(&mut v);
    /// assert_eq!(v, [(0, &"a"), (1, &"b")]);
    /// ```
    fn enumerate(self) -> Enumerate<Self> {
        Enumerate::new(self)
    }

    /// The items in reverse order.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = Vec::new();
    /// (0..4u32).into_par_iter().rev().collect_into_vec(&mut v);
    /// assert_eq!(v, [3, 2, 1, 0]);
    /// ```
    fn rev(self) -> Rev<Self> {
        Rev::new(self)
    }

    /// All but the first `n` items.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((0..10u32).into_par_iter().skip(7).sum::<u32>(), 7 + 8 + 9);
    /// ```
    fn skip(self, n: usize) -> Skip<Self> {
        Skip::new(self, n)
    }

    /// The first `n` items.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((0..10u32).into_par_iter().take(3).sum::<u32>(), 0 + 1 + 2);
    /// ```
    fn take(self, n: usize) -> Take<Self> {
        Take::new(self, n)
    }

    /// Every `step`-th item, starting with the first.
    ///
    /// # Panics
    ///
    /// If `step` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = Vec::new();
    /// (0..10u32).into_par_iter().step_by(4).collect_into_vec(&mut v);
    /// assert_eq!(v, [0, 4, 8]);
    /// ```
    fn step_by(self, step: usize) -> StepBy<Self> {
        StepBy::new(self, step)
    }

    /// The items in vectors of `chunk_size` (the last one shorter if the
    /// length is not a multiple).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let chunks: Vec<Vec<u32>> = (0..5u32).into_par_iter().chunks(2).collect();
    /// assert_eq!(chunks, [vec![0, 1], vec![2, 3], vec![4]]);
    /// ```
    fn chunks(self, chunk_size: usize) -> Chunks<Self> {
        Chunks::new(self, chunk_size)
    }

    /// The index of some item that matches `predicate` (not necessarily
    /// the first); stops at the first match found.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v = [1, 5, 3, 5];
    /// let i = v.par_iter().position_any(|&x| x == 5).unwrap();
    /// assert!(i == 1 || i == 3);
    /// ```
    fn position_any<P>(self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        super::find::position(self, predicate, super::find::Which::Any)
    }

    /// The index of the first item that matches `predicate`.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([1, 5, 3, 5].par_iter().position_first(|&x| x == 5), Some(1));
    /// ```
    fn position_first<P>(self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        super::find::position(self, predicate, super::find::Which::First)
    }

    /// The index of the last item that matches `predicate`.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([1, 5, 3, 5].par_iter().position_last(|&x| x == 5), Some(3));
    /// ```
    fn position_last<P>(self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        super::find::position(self, predicate, super::find::Which::Last)
    }

    /// Never splits pieces below `min` items (use it when items are cheap
    /// and splitting is not worth it below some size).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((0..100u32).into_par_iter().with_min_len(10).sum::<u32>(), 4950);
    /// ```
    fn with_min_len(self, min: usize) -> MinLen<Self> {
        MinLen::new(self, min)
    }

    /// Splits pieces until they have at most `max` items (use it when items
    /// are expensive: each piece can then go to another worker).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!((0..100u32).into_par_iter().with_max_len(1).sum::<u32>(), 4950);
    /// ```
    fn with_max_len(self, max: usize) -> MaxLen<Self> {
        MaxLen::new(self, max)
    }

    /// Collects the items into `target`, in order, replacing its contents.
    /// Allocates at most once (when `target`'s capacity is too small) and
    /// writes every item in place.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = vec![9, 9];
    /// (0..4u32).into_par_iter().collect_into_vec(&mut v);
    /// assert_eq!(v, [0, 1, 2, 3]);
    /// ```
    fn collect_into_vec(self, target: &mut Vec<Self::Item>) {
        super::collect::collect_into_vec(self, target);
    }

    /// Splits pairs into two vectors, in order, replacing their contents;
    /// every half written in place, at most one allocation per vector.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let (mut evens, mut odds) = (Vec::new(), Vec::new());
    /// (0..4u32).into_par_iter().map(|i| (2 * i, 2 * i + 1)).unzip_into_vecs(&mut evens, &mut odds);
    /// assert_eq!((evens, odds), (vec![0, 2, 4, 6], vec![1, 3, 5, 7]));
    /// ```
    fn unzip_into_vecs<A, B>(self, left: &mut Vec<A>, right: &mut Vec<B>)
    where
        Self: IndexedParallelIterator<Item = (A, B)>,
        A: Send,
        B: Send,
    {
        super::collect::unzip_into_vecs(self, left, right);
    }
}

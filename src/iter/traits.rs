//! The parallel iterator traits.

use super::consumers::{
    Add, CountConsumer, ForEachConsumer, Multiply, ReduceConsumer, SumConsumer,
};
use super::plumbing::{Consumer, ProducerCallback, UnindexedConsumer};
use super::{
    Chain, Cloned, Copied, Enumerate, Inspect, Map, MaxLen, MinLen, Rev, Skip, StepBy, Take, Zip,
};
use alloc::vec::Vec;
use core::iter::{Product, Sum};

/// A parallel version of [`Iterator`]: its items are produced and consumed
/// in pieces on the pool's workers.
///
/// Closures given to its methods are `Fn + Sync + Send`: any worker may call
/// them, at the same time. Called from a thread outside any pool, the first
/// items run on the calling thread (for up to about 20 µs) and the rest on
/// the global pool, so closures may also run on the calling thread, where
/// [`current_thread_index`](crate::current_thread_index) is `None`.
pub trait ParallelIterator: Sized + Send {
    /// The items.
    type Item: Send;

    /// Runs the iterator into `consumer` (the plumbing under every
    /// operation).
    fn drive_unindexed<C>(self, consumer: C) -> C::Result
    where
        C: UnindexedConsumer<Self::Item>;

    /// The exact number of items, if known. An iterator that returns
    /// `Some(len)` promises that `drive_unindexed` splits the consumer only
    /// with [`Consumer::split_at`], never
    /// [`UnindexedConsumer::split_off_left`], and feeds it exactly `len`
    /// items (a `collect` that writes them in place relies on it).
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

    /// The smallest item (the first of equal ones is not guaranteed).
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

    /// The largest item.
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
}

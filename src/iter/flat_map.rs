//! `flat_map` and `flatten`: every item becomes a parallel iterator of its
//! own, driven in turn (each into a consumer split off to the left of what
//! is still to come), so that a big inner iterator splits across the pool
//! like any other. For inner iterators that are small or sequential,
//! `flat_map_iter` / `flatten_iter` (in `filter.rs`) are cheaper.

use super::plumbing::{Consumer, Folder, Reducer, UnindexedConsumer};
use super::{IntoParallelIterator, ParallelIterator};

/// [`ParallelIterator::flat_map`].
#[derive(Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct FlatMap<I, F> {
    base: I,
    map_op: F,
}

impl<I, F> FlatMap<I, F> {
    pub(super) fn new(base: I, map_op: F) -> Self {
        FlatMap { base, map_op }
    }
}

impl<I: core::fmt::Debug, F> core::fmt::Debug for FlatMap<I, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FlatMap").field("base", &self.base).finish()
    }
}

impl<I, F, PI> ParallelIterator for FlatMap<I, F>
where
    I: ParallelIterator,
    F: Fn(I::Item) -> PI + Sync + Send,
    PI: IntoParallelIterator,
{
    type Item = PI::Item;

    fn drive_unindexed<C: UnindexedConsumer<PI::Item>>(self, consumer: C) -> C::Result {
        self.base.drive_unindexed(FlatMapConsumer {
            base: consumer,
            map_op: &|item| (self.map_op)(item).into_par_iter(),
        })
    }
}

/// [`ParallelIterator::flatten`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Flatten<I> {
    base: I,
}

impl<I> Flatten<I> {
    pub(super) fn new(base: I) -> Self {
        Flatten { base }
    }
}

impl<I> ParallelIterator for Flatten<I>
where
    I: ParallelIterator,
    I::Item: IntoParallelIterator,
{
    type Item = <I::Item as IntoParallelIterator>::Item;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.base.drive_unindexed(FlatMapConsumer {
            base: consumer,
            map_op: &<I::Item as IntoParallelIterator>::into_par_iter,
        })
    }
}

/// Drives every item's parallel iterator (from `map_op`) into a consumer
/// split off `base`, and reduces the results in order.
struct FlatMapConsumer<'f, C, F> {
    base: C,
    map_op: &'f F,
}

impl<'f, T, C, F, PI> Consumer<T> for FlatMapConsumer<'f, C, F>
where
    F: Fn(T) -> PI + Sync,
    PI: ParallelIterator,
    C: UnindexedConsumer<PI::Item>,
{
    type Folder = FlatMapFolder<'f, C, F, C::Result>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        let map_op = self.map_op;
        (
            FlatMapConsumer { base: left, map_op },
            FlatMapConsumer {
                base: right,
                map_op,
            },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        FlatMapFolder {
            base: self.base,
            map_op: self.map_op,
            done: None,
        }
    }

    fn full(&self) -> bool {
        self.base.full()
    }

    /// The folder drives the next items' iterators into consumers split
    /// off its own, whose positions also come before everything after
    /// this consumer's: all that the order needs.
    fn can_continue(&self, _folder: &Self::Folder) -> bool {
        true
    }
}

impl<T, C, F, PI> UnindexedConsumer<T> for FlatMapConsumer<'_, C, F>
where
    F: Fn(T) -> PI + Sync,
    PI: ParallelIterator,
    C: UnindexedConsumer<PI::Item>,
{
    fn split_off_left(&self) -> Self {
        FlatMapConsumer {
            base: self.base.split_off_left(),
            map_op: self.map_op,
        }
    }

    fn to_reducer(&self) -> C::Reducer {
        self.base.to_reducer()
    }
}

/// Holds the consumer for the items still to come, and the reduced result
/// of the inner iterators driven so far.
struct FlatMapFolder<'f, C, F, R> {
    base: C,
    map_op: &'f F,
    done: Option<R>,
}

impl<T, C, F, PI> Folder<T> for FlatMapFolder<'_, C, F, C::Result>
where
    F: Fn(T) -> PI + Sync,
    PI: ParallelIterator,
    C: UnindexedConsumer<PI::Item>,
{
    type Result = C::Result;

    fn consume(self, item: T) -> Self {
        let result = (self.map_op)(item).drive_unindexed(self.base.split_off_left());
        let done = match self.done {
            None => result,
            Some(before) => self.base.to_reducer().reduce(before, result),
        };
        FlatMapFolder {
            done: Some(done),
            ..self
        }
    }

    fn complete(self) -> C::Result {
        match self.done {
            Some(done) => done,
            None => self.base.into_folder().complete(),
        }
    }

    fn full(&self) -> bool {
        self.base.full()
    }
}

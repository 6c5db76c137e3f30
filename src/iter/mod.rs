//! Parallel iterators: the producer / consumer design on top of
//! [`join`](crate::join). [`plumbing`] has the traits for writing a
//! producer of one's own.
//!
//! Names, signatures and bounds follow rayon's, so that
//! `use forkscope::prelude::*` can replace `use rayon::prelude::*`.
//!
//! ```
//! use forkscope::prelude::*;
//! let v: Vec<u64> = (0..10_000).collect();
//! let w: Vec<u64> = v.iter().map(|x| x * 2).collect();
//! let dot: u64 = v.par_iter().zip(w.par_iter()).map(|(a, b)| a * b).sum();
//! assert_eq!(dot, v.iter().zip(&w).map(|(a, b)| a * b).sum());
//! ```
//!
#![doc = include_str!("README.md")]

/// Implements `ParallelIterator` for an indexed iterator through `bridge`
/// and its `len`: `impl[generics] Type where [bounds] => Item`.
macro_rules! parallel_iterator_via_bridge {
    (impl[$($gen:tt)*] $ty:ty $(where [$($bounds:tt)*])? => $item:ty) => {
        impl<$($gen)*> $crate::iter::ParallelIterator for $ty
        $(where $($bounds)*)?
        {
            type Item = $item;
            fn drive_unindexed<C>(self, consumer: C) -> C::Result
            where
                C: $crate::iter::plumbing::UnindexedConsumer<Self::Item>,
            {
                $crate::iter::plumbing::bridge(self, consumer)
            }
            fn opt_len(&self) -> Option<usize> {
                Some($crate::iter::IndexedParallelIterator::len(self))
            }
        }
    };
}

mod chain;
mod chunks;
mod collect;
mod collections;
mod consumers;
mod filter;
mod find;
mod flat_map;
mod fold;
mod len;
mod map;
mod par_bridge;
pub mod plumbing;
mod range;
mod rev;
mod single;
mod slice;
pub(crate) mod slice_chunks;
mod sort;
mod stop;
pub(crate) mod string;
mod traits;
mod try_ops;
mod vec;
mod zip;

pub use chain::Chain;
pub use chunks::Chunks;
pub use collections::Either;
pub use filter::{Filter, FilterMap, FlatMapIter, FlattenIter};
pub use flat_map::{FlatMap, Flatten};
pub use fold::{Fold, FoldWith};
pub use len::{MaxLen, MinLen};
pub use map::{Cloned, Copied, Inspect, Map, MapInit, MapWith, Update};
pub use par_bridge::{IterBridge, ParallelBridge};
pub use rev::{Rev, Skip, StepBy, Take};
pub use single::{Empty, Once, Repeat, RepeatN, empty, once, repeat, repeat_n};
pub use slice_chunks::{ParallelSlice, ParallelSliceMut};
pub use stop::{PanicFuse, SkipAny, TakeAny, WhileSome};
pub use traits::{IndexedParallelIterator, ParallelIterator};
pub use try_ops::{TryFold, TryFoldWith};
pub use zip::{Enumerate, Zip, ZipEq};

/// The iterator types of the sources (`par_iter` on slices, `into_par_iter`
/// on ranges).
pub mod sources {
    pub use super::range::{InclusiveIter as RangeInclusiveIter, Iter as RangeIter};
    pub use super::slice::{Iter as SliceIter, IterMut as SliceIterMut};
    pub use super::vec::IntoIter as VecIntoIter;
}

/// Converts a value into a parallel iterator (`into_par_iter`).
pub trait IntoParallelIterator {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items.
    type Item: Send;

    /// The parallel iterator.
    fn into_par_iter(self) -> Self::Iter;
}

impl<I: ParallelIterator> IntoParallelIterator for I {
    type Iter = I;
    type Item = I::Item;
    fn into_par_iter(self) -> I {
        self
    }
}

/// `par_iter()`: a parallel iterator over `&T` of a collection.
pub trait IntoParallelRefIterator<'data> {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items, usually `&'data T`.
    type Item: Send + 'data;

    /// Iterates over the collection by reference, in parallel.
    fn par_iter(&'data self) -> Self::Iter;
}

impl<'data, I: 'data + ?Sized> IntoParallelRefIterator<'data> for I
where
    &'data I: IntoParallelIterator,
{
    type Iter = <&'data I as IntoParallelIterator>::Iter;
    type Item = <&'data I as IntoParallelIterator>::Item;
    fn par_iter(&'data self) -> Self::Iter {
        self.into_par_iter()
    }
}

/// `par_iter_mut()`: a parallel iterator over `&mut T` of a collection.
pub trait IntoParallelRefMutIterator<'data> {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items, usually `&'data mut T`.
    type Item: Send + 'data;

    /// Iterates over the collection by mutable reference, in parallel.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = vec![1, 2, 3];
    /// v.par_iter_mut().for_each(|x| *x *= 10);
    /// assert_eq!(v, [10, 20, 30]);
    /// ```
    fn par_iter_mut(&'data mut self) -> Self::Iter;
}

impl<'data, I: 'data + ?Sized> IntoParallelRefMutIterator<'data> for I
where
    &'data mut I: IntoParallelIterator,
{
    type Iter = <&'data mut I as IntoParallelIterator>::Iter;
    type Item = <&'data mut I as IntoParallelIterator>::Item;
    fn par_iter_mut(&'data mut self) -> Self::Iter {
        self.into_par_iter()
    }
}

/// Builds a collection from a parallel iterator (`collect`).
///
/// `Vec<T>` collects in order: written in place, with one allocation, when
/// the iterator knows its length (every indexed iterator), else piece by
/// piece and appended in order.
pub trait FromParallelIterator<T: Send> {
    /// The collection of `par_iter`'s items.
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = T>;
}

/// Extends a collection with the items of a parallel iterator
/// (`par_extend`).
pub trait ParallelExtend<T: Send> {
    /// Adds `par_iter`'s items, in order for ordered collections.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = vec![0u32];
    /// v.par_extend((1..4u32).into_par_iter());
    /// assert_eq!(v, [0, 1, 2, 3]);
    /// ```
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = T>;
}

impl<T: Send> ParallelExtend<T> for alloc::vec::Vec<T> {
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = T>,
    {
        collect::extend_vec(par_iter.into_par_iter(), self);
    }
}

impl<T: Send> FromParallelIterator<T> for alloc::vec::Vec<T> {
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = T>,
    {
        let mut v = alloc::vec::Vec::new();
        v.par_extend(par_iter);
        v
    }
}

/// Runs the iterator for its side effects.
impl FromParallelIterator<()> for () {
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = ()>,
    {
        par_iter.into_par_iter().for_each(drop);
    }
}

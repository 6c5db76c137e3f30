//! [`ParallelSlice`] and [`ParallelSliceMut`]: iterators over sub-slices,
//! and the sorts.
//!
//! - Here: `par_chunks`, `par_chunks_exact` (`ChunksExact`, with its
//!   remainder), `par_windows` and
//!   `par_chunks_mut`, `par_chunks_exact_mut`, indexed iterators. Safe
//!   code: a producer of chunks splits its slice at a multiple of the chunk
//!   size.
//! - `rchunks.rs`: the same counted from the end (`par_rchunks*`).
//! - `split.rs`: the unindexed ones, cut where a predicate says
//!   (`par_split*`, `par_chunk_by*`).
//! - `../sort.rs`: the `par_sort*` methods' algorithms.

/// The iterator impls of an `*Exact*` chunks iterator: a whole number of
/// chunks in its `chunks` field (the inner, non-exact iterator over the
/// slice cut to whole chunks), which it hands out as they are.
macro_rules! exact_chunks_iterator {
    ($name:ident, $bound:ident, $item:ty) => {
        parallel_iterator_via_bridge!(impl['data, T: $bound + 'data] $name<'data, T> => $item);

        impl<'data, T: $bound + 'data> IndexedParallelIterator for $name<'data, T> {
            fn len(&self) -> usize {
                self.chunks.len()
            }
            fn drive<C: Consumer<$item>>(self, consumer: C) -> C::Result {
                bridge(self, consumer)
            }
            fn with_producer<CB: ProducerCallback<$item>>(self, callback: CB) -> CB::Output {
                self.chunks.with_producer(callback)
            }
        }
    };
}

mod rchunks;
mod split;

pub use rchunks::{RChunks, RChunksExact, RChunksExactMut, RChunksMut};
pub use split::{ChunkBy, ChunkByMut, Split, SplitInclusive, SplitInclusiveMut, SplitMut};

use super::IndexedParallelIterator;
use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};
use super::sort;
use core::cmp::Ordering;

/// Parallel iterators over sub-slices of a slice.
pub trait ParallelSlice<T: Sync> {
    /// The slice.
    fn as_parallel_slice(&self) -> &[T];

    /// Chunks of `chunk_size` items (the last one may be shorter).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let sums: Vec<u32> = {
    ///     let mut v = Vec::new();
    ///     [1, 2, 3, 4, 5].par_chunks(2).map(|c| c.iter().sum()).collect_into_vec(&mut v);
    ///     v
    /// };
    /// assert_eq!(sums, [3, 7, 5]);
    /// ```
    fn par_chunks(&self, chunk_size: usize) -> Chunks<'_, T> {
        assert!(chunk_size != 0, "chunk size must be non-zero");
        Chunks {
            slice: self.as_parallel_slice(),
            size: chunk_size,
        }
    }

    /// Chunks of exactly `chunk_size` items; a shorter rest is left out
    /// (see [`ChunksExact::remainder`]).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([1, 2, 3, 4, 5].par_chunks_exact(2).count(), 2);
    /// ```
    fn par_chunks_exact(&self, chunk_size: usize) -> ChunksExact<'_, T> {
        assert!(chunk_size != 0, "chunk size must be non-zero");
        let slice = self.as_parallel_slice();
        // Cut to whole chunks: then every chunk is exact.
        let (whole, rem) = slice.split_at(slice.len() - slice.len() % chunk_size);
        ChunksExact {
            chunks: Chunks {
                slice: whole,
                size: chunk_size,
            },
            rem,
        }
    }

    /// Every window of `window_size` consecutive items.
    ///
    /// # Panics
    ///
    /// If `window_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let rises: i32 = [1, 2, 4, 8].par_windows(2).map(|w| w[1] - w[0]).sum();
    /// assert_eq!(rises, 7);
    /// ```
    fn par_windows(&self, window_size: usize) -> Windows<'_, T> {
        assert!(window_size != 0, "window size must be non-zero");
        Windows {
            slice: self.as_parallel_slice(),
            size: window_size,
        }
    }

    /// Chunks of `chunk_size` items counted from the end: the first chunk
    /// is the last `chunk_size` items, and the last one (it may be shorter)
    /// starts the slice.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut firsts = Vec::new();
    /// [1, 2, 3, 4, 5].par_rchunks(2).map(|c| c[0]).collect_into_vec(&mut firsts);
    /// assert_eq!(firsts, [4, 2, 1]);
    /// ```
    fn par_rchunks(&self, chunk_size: usize) -> RChunks<'_, T> {
        RChunks::new(self.as_parallel_slice(), chunk_size)
    }

    /// Chunks of exactly `chunk_size` items counted from the end; the
    /// first `len % chunk_size` items are left out (see
    /// [`RChunksExact::remainder`]).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut firsts = Vec::new();
    /// [1, 2, 3, 4, 5].par_rchunks_exact(2).map(|c| c[0]).collect_into_vec(&mut firsts);
    /// assert_eq!(firsts, [4, 2]);
    /// ```
    fn par_rchunks_exact(&self, chunk_size: usize) -> RChunksExact<'_, T> {
        RChunksExact::new(self.as_parallel_slice(), chunk_size)
    }

    /// The sub-slices between the items that `separator` picks, as
    /// [`slice::split`] (the separators themselves are left out; two in a
    /// row, or one at either end, give an empty sub-slice).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let sums: Vec<i32> = [1, 2, 0, 3, 0, 0, 4]
    ///     .par_split(|x| *x == 0)
    ///     .map(|part| part.iter().sum())
    ///     .collect();
    /// assert_eq!(sums, [3, 3, 0, 4]);
    /// ```
    fn par_split<P>(&self, separator: P) -> Split<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        Split::new(self.as_parallel_slice(), separator)
    }

    /// The sub-slices that end with an item that `separator` picks (and a
    /// last one without, if the slice does not end with one), as
    /// [`slice::split_inclusive`].
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let lens: Vec<usize> = [1, 0, 2, 3, 0, 4]
    ///     .par_split_inclusive(|x| *x == 0)
    ///     .map(|part| part.len())
    ///     .collect();
    /// assert_eq!(lens, [2, 3, 1]);
    /// ```
    fn par_split_inclusive<P>(&self, separator: P) -> SplitInclusive<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        SplitInclusive::new(self.as_parallel_slice(), separator)
    }

    /// The runs of neighbours that `pred` joins, as [`slice::chunk_by`]: a
    /// run ends between `a` and `b` where `pred(a, b)` is false.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let runs: Vec<&[i32]> = [1, 1, 2, 3, 3, 3].par_chunk_by(|a, b| a == b).collect();
    /// assert_eq!(runs, [&[1, 1][..], &[2], &[3, 3, 3]]);
    /// ```
    fn par_chunk_by<F>(&self, pred: F) -> ChunkBy<'_, T, F>
    where
        F: Fn(&T, &T) -> bool + Send + Sync,
    {
        ChunkBy::new(self.as_parallel_slice(), pred)
    }
}

impl<T: Sync> ParallelSlice<T> for [T] {
    fn as_parallel_slice(&self) -> &[T] {
        self
    }
}

/// Parallel iterators over mutable sub-slices of a slice.
pub trait ParallelSliceMut<T: Send> {
    /// The slice.
    fn as_parallel_slice_mut(&mut self) -> &mut [T];

    /// Mutable chunks of `chunk_size` items (the last one may be shorter).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// v.par_chunks_mut(2).for_each(|c| c.reverse());
    /// assert_eq!(v, [2, 1, 4, 3, 5]);
    /// ```
    fn par_chunks_mut(&mut self, chunk_size: usize) -> ChunksMut<'_, T> {
        assert!(chunk_size != 0, "chunk size must be non-zero");
        ChunksMut {
            slice: self.as_parallel_slice_mut(),
            size: chunk_size,
        }
    }

    /// Mutable chunks of exactly `chunk_size` items; a shorter rest is left
    /// out (see [`ChunksExactMut::take_remainder`]).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// v.par_chunks_exact_mut(2).for_each(|c| c.swap(0, 1));
    /// assert_eq!(v, [2, 1, 4, 3, 5]);
    /// ```
    fn par_chunks_exact_mut(&mut self, chunk_size: usize) -> ChunksExactMut<'_, T> {
        assert!(chunk_size != 0, "chunk size must be non-zero");
        let slice = self.as_parallel_slice_mut();
        let at = slice.len() - slice.len() % chunk_size;
        let (whole, rem) = slice.split_at_mut(at);
        ChunksExactMut {
            chunks: ChunksMut {
                slice: whole,
                size: chunk_size,
            },
            rem,
        }
    }

    /// Mutable chunks of `chunk_size` items counted from the end (the last
    /// one, at the start of the slice, may be shorter).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// v.par_rchunks_mut(2).for_each(|c| c.reverse());
    /// assert_eq!(v, [1, 3, 2, 5, 4]);
    /// ```
    fn par_rchunks_mut(&mut self, chunk_size: usize) -> RChunksMut<'_, T> {
        RChunksMut::new(self.as_parallel_slice_mut(), chunk_size)
    }

    /// Mutable chunks of exactly `chunk_size` items counted from the end;
    /// the first `len % chunk_size` items are left out (see
    /// [`RChunksExactMut::take_remainder`]).
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// v.par_rchunks_exact_mut(2).for_each(|c| c.reverse());
    /// assert_eq!(v, [1, 3, 2, 5, 4]);
    /// ```
    fn par_rchunks_exact_mut(&mut self, chunk_size: usize) -> RChunksExactMut<'_, T> {
        RChunksExactMut::new(self.as_parallel_slice_mut(), chunk_size)
    }

    /// The mutable sub-slices between the items that `separator` picks, as
    /// [`slice::split_mut`].
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [3, 1, 0, 2, 5, 4];
    /// v.par_split_mut(|x| *x == 0).for_each(|part| part.sort());
    /// assert_eq!(v, [1, 3, 0, 2, 4, 5]);
    /// ```
    fn par_split_mut<P>(&mut self, separator: P) -> SplitMut<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        SplitMut::new(self.as_parallel_slice_mut(), separator)
    }

    /// The mutable sub-slices that end with an item that `separator` picks
    /// (and a last one without), as [`slice::split_inclusive_mut`].
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [3, 1, 0, 2, 5, 4];
    /// v.par_split_inclusive_mut(|x| *x == 0).for_each(|part| part.sort());
    /// assert_eq!(v, [0, 1, 3, 2, 4, 5]);
    /// ```
    fn par_split_inclusive_mut<P>(&mut self, separator: P) -> SplitInclusiveMut<'_, T, P>
    where
        P: Fn(&T) -> bool + Sync + Send,
    {
        SplitInclusiveMut::new(self.as_parallel_slice_mut(), separator)
    }

    /// The mutable runs of neighbours that `pred` joins, as
    /// [`slice::chunk_by_mut`].
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 2, 4, 6];
    /// // Runs of rising items, each reversed.
    /// v.par_chunk_by_mut(|a, b| a < b).for_each(|run| run.reverse());
    /// assert_eq!(v, [3, 2, 1, 6, 4, 2]);
    /// ```
    fn par_chunk_by_mut<F>(&mut self, pred: F) -> ChunkByMut<'_, T, F>
    where
        F: Fn(&T, &T) -> bool + Send + Sync,
    {
        ChunkByMut::new(self.as_parallel_slice_mut(), pred)
    }

    /// Sorts the slice, in parallel, keeping equal items in their order
    /// (stable). A parallel merge sort, with a buffer as long as the slice
    /// allocated once; slices shorter than a few thousand items (and any
    /// in a pool of one thread) are sorted by [`slice::sort`] on the
    /// calling thread instead, without touching the pool.
    ///
    /// If a comparison panics, the panic reaches the caller and the slice
    /// holds its items in some order (none lost or duplicated).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [5, -3, 2, 8, -1];
    /// v.par_sort();
    /// assert_eq!(v, [-3, -1, 2, 5, 8]);
    /// ```
    fn par_sort(&mut self)
    where
        T: Ord,
    {
        sort::stable(self.as_parallel_slice_mut(), <[T]>::sort, &T::lt);
    }

    /// Sorts the slice by `compare`, stably and in parallel, as
    /// [`par_sort`](Self::par_sort). `compare` must be a total order.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [5, -3, 2, 8, -1];
    /// v.par_sort_by(|a, b| b.cmp(a));
    /// assert_eq!(v, [8, 5, 2, -1, -3]);
    /// ```
    fn par_sort_by<F>(&mut self, compare: F)
    where
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        sort::stable(
            self.as_parallel_slice_mut(),
            |v| v.sort_by(&compare),
            &|a, b| compare(a, b) == Ordering::Less,
        );
    }

    /// Sorts the slice by the keys `f` gives, stably and in parallel, as
    /// [`par_sort`](Self::par_sort). `f` is called twice per comparison;
    /// see [`par_sort_by_cached_key`](Self::par_sort_by_cached_key) for an
    /// expensive key.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [5i32, -3, 2, 8, -1];
    /// v.par_sort_by_key(|x| x.abs());
    /// assert_eq!(v, [-1, 2, -3, 5, 8]);
    /// ```
    fn par_sort_by_key<K, F>(&mut self, f: F)
    where
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        sort::stable(
            self.as_parallel_slice_mut(),
            |v| v.sort_by_key(&f),
            &|a, b| f(a) < f(b),
        );
    }

    /// Sorts the slice by the keys `f` gives, stably and in parallel,
    /// calling `f` exactly once per item: the keys are computed in
    /// parallel into a vector of `(key, position)`, that vector is sorted,
    /// and the items are then moved into place by swaps. Short slices are
    /// sorted by [`slice::sort_by_cached_key`] on the calling thread.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [5, -3, 2, 8, -1];
    /// v.par_sort_by_cached_key(|x| x.to_string());
    /// assert_eq!(v, [-1, -3, 2, 5, 8]);
    /// ```
    fn par_sort_by_cached_key<K, F>(&mut self, f: F)
    where
        F: Fn(&T) -> K + Sync,
        K: Ord + Send,
    {
        sort::by_cached_key(self.as_parallel_slice_mut(), &f);
    }

    /// Sorts the slice, in parallel, without keeping equal items in order
    /// (unstable), and without allocating. A parallel quicksort; slices
    /// shorter than a few thousand items (and any in a pool of one thread)
    /// are sorted by [`slice::sort_unstable`] on the calling thread
    /// instead, without touching the pool.
    ///
    /// If a comparison panics, the panic reaches the caller and the slice
    /// holds its items in some order (none lost or duplicated).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [5, -3, 2, 8, -1];
    /// v.par_sort_unstable();
    /// assert_eq!(v, [-3, -1, 2, 5, 8]);
    /// ```
    fn par_sort_unstable(&mut self)
    where
        T: Ord,
    {
        sort::unstable(self.as_parallel_slice_mut(), &<[T]>::sort_unstable, &T::lt);
    }

    /// Sorts the slice by `compare`, unstably and in parallel, as
    /// [`par_sort_unstable`](Self::par_sort_unstable). `compare` must be a
    /// total order.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [5, -3, 2, 8, -1];
    /// v.par_sort_unstable_by(|a, b| b.cmp(a));
    /// assert_eq!(v, [8, 5, 2, -1, -3]);
    /// ```
    fn par_sort_unstable_by<F>(&mut self, compare: F)
    where
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        sort::unstable(
            self.as_parallel_slice_mut(),
            &|v: &mut [T]| v.sort_unstable_by(&compare),
            &|a, b| compare(a, b) == Ordering::Less,
        );
    }

    /// Sorts the slice by the keys `f` gives, unstably and in parallel, as
    /// [`par_sort_unstable`](Self::par_sort_unstable). `f` is called twice
    /// per comparison.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [5i32, -3, 2, 8, -1];
    /// v.par_sort_unstable_by_key(|x| x.abs());
    /// assert_eq!(v, [-1, 2, -3, 5, 8]);
    /// ```
    fn par_sort_unstable_by_key<K, F>(&mut self, f: F)
    where
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        sort::unstable(
            self.as_parallel_slice_mut(),
            &|v: &mut [T]| v.sort_unstable_by_key(&f),
            &|a, b| f(a) < f(b),
        );
    }
}

impl<T: Send> ParallelSliceMut<T> for [T] {
    fn as_parallel_slice_mut(&mut self) -> &mut [T] {
        self
    }
}

/// [`ParallelSlice::par_chunks`] and [`ParallelSlice::par_chunks_exact`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Chunks<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<T> Clone for Chunks<'_, T> {
    fn clone(&self) -> Self {
        Chunks { ..*self }
    }
}

parallel_iterator_via_bridge!(impl['data, T: Sync + 'data] Chunks<'data, T> => &'data [T]);

impl<'data, T: Sync + 'data> IndexedParallelIterator for Chunks<'data, T> {
    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }
    fn drive<C: Consumer<&'data [T]>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<&'data [T]>>(self, callback: CB) -> CB::Output {
        callback.callback(ChunksProducer {
            slice: self.slice,
            size: self.size,
        })
    }
}

struct ChunksProducer<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<'data, T: Sync + 'data> Producer for ChunksProducer<'data, T> {
    type Item = &'data [T];
    type IntoIter = core::slice::Chunks<'data, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.slice.chunks(self.size)
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.size).min(self.slice.len());
        let (left, right) = self.slice.split_at(at);
        let size = self.size;
        (
            ChunksProducer { slice: left, size },
            ChunksProducer { slice: right, size },
        )
    }
}

/// [`ParallelSliceMut::par_chunks_mut`] and
/// [`ParallelSliceMut::par_chunks_exact_mut`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct ChunksMut<'data, T> {
    slice: &'data mut [T],
    size: usize,
}

parallel_iterator_via_bridge!(impl['data, T: Send + 'data] ChunksMut<'data, T> => &'data mut [T]);

impl<'data, T: Send + 'data> IndexedParallelIterator for ChunksMut<'data, T> {
    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }
    fn drive<C: Consumer<&'data mut [T]>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<&'data mut [T]>>(self, callback: CB) -> CB::Output {
        callback.callback(ChunksMutProducer {
            slice: self.slice,
            size: self.size,
        })
    }
}

struct ChunksMutProducer<'data, T> {
    slice: &'data mut [T],
    size: usize,
}

impl<'data, T: Send + 'data> Producer for ChunksMutProducer<'data, T> {
    type Item = &'data mut [T];
    type IntoIter = core::slice::ChunksMut<'data, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.slice.chunks_mut(self.size)
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.size).min(self.slice.len());
        let (left, right) = self.slice.split_at_mut(at);
        let size = self.size;
        (
            ChunksMutProducer { slice: left, size },
            ChunksMutProducer { slice: right, size },
        )
    }
}

/// [`ParallelSlice::par_chunks_exact`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct ChunksExact<'data, T> {
    /// A whole number of chunks: the slice without its last `len % size`
    /// items.
    chunks: Chunks<'data, T>,
    rem: &'data [T],
}

impl<'data, T> ChunksExact<'data, T> {
    /// The items no chunk holds: the last `len % chunk_size` of the slice.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([1, 2, 3, 4, 5].par_chunks_exact(2).remainder(), [5]);
    /// ```
    pub fn remainder(&self) -> &'data [T] {
        self.rem
    }
}

impl<T> Clone for ChunksExact<'_, T> {
    fn clone(&self) -> Self {
        ChunksExact {
            chunks: self.chunks.clone(),
            rem: self.rem,
        }
    }
}

exact_chunks_iterator!(ChunksExact, Sync, &'data [T]);

/// [`ParallelSliceMut::par_chunks_exact_mut`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct ChunksExactMut<'data, T> {
    /// A whole number of chunks, as in [`ChunksExact`].
    chunks: ChunksMut<'data, T>,
    rem: &'data mut [T],
}

impl<'data, T> ChunksExactMut<'data, T> {
    /// The items no chunk holds (the last `len % chunk_size`), for as long
    /// as the slice was borrowed. Consumes the iterator: see
    /// [`take_remainder`](Self::take_remainder) to keep it.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// v.par_chunks_exact_mut(2).into_remainder()[0] = 9;
    /// assert_eq!(v, [1, 2, 3, 4, 9]);
    /// ```
    pub fn into_remainder(self) -> &'data mut [T] {
        self.rem
    }

    /// The items no chunk holds, borrowed from the iterator.
    pub fn remainder(&mut self) -> &mut [T] {
        self.rem
    }

    /// The items no chunk holds, for as long as the slice was borrowed; the
    /// iterator's remainder is empty afterwards.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// let mut chunks = v.par_chunks_exact_mut(2);
    /// let rem = chunks.take_remainder();
    /// chunks.for_each(|c| c.swap(0, 1));
    /// rem[0] = 9;
    /// assert_eq!(v, [2, 1, 4, 3, 9]);
    /// ```
    pub fn take_remainder(&mut self) -> &'data mut [T] {
        core::mem::take(&mut self.rem)
    }
}

exact_chunks_iterator!(ChunksExactMut, Send, &'data mut [T]);

/// [`ParallelSlice::par_windows`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Windows<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<T> Clone for Windows<'_, T> {
    fn clone(&self) -> Self {
        Windows { ..*self }
    }
}

parallel_iterator_via_bridge!(impl['data, T: Sync + 'data] Windows<'data, T> => &'data [T]);

impl<'data, T: Sync + 'data> IndexedParallelIterator for Windows<'data, T> {
    fn len(&self) -> usize {
        (self.slice.len() + 1).saturating_sub(self.size)
    }
    fn drive<C: Consumer<&'data [T]>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<&'data [T]>>(self, callback: CB) -> CB::Output {
        callback.callback(WindowsProducer {
            slice: self.slice,
            size: self.size,
        })
    }
}

struct WindowsProducer<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<'data, T: Sync + 'data> Producer for WindowsProducer<'data, T> {
    type Item = &'data [T];
    type IntoIter = core::slice::Windows<'data, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.slice.windows(self.size)
    }
    /// The first `index` windows end at `index + size - 1`; the rest start
    /// at `index`: the two pieces overlap by `size - 1` items.
    fn split_at(self, index: usize) -> (Self, Self) {
        let left_end = (index + self.size - 1).min(self.slice.len());
        let right_start = index.min(self.slice.len());
        let size = self.size;
        (
            WindowsProducer {
                slice: &self.slice[..left_end],
                size,
            },
            WindowsProducer {
                slice: &self.slice[right_start..],
                size,
            },
        )
    }
}

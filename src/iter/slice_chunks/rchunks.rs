//! `par_rchunks`, `par_rchunks_exact` and their `_mut` forms: chunks counted
//! from the end of the slice. Safe code: the first `index` items of a
//! producer are the last `index` chunks, so `split_at` keeps the *tail* of
//! the slice on the left and the head on the right.

use crate::iter::IndexedParallelIterator;
use crate::iter::plumbing::{Consumer, Producer, ProducerCallback, bridge};

/// [`ParallelSlice::par_rchunks`](super::ParallelSlice::par_rchunks).
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct RChunks<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<'data, T> RChunks<'data, T> {
    pub(super) fn new(slice: &'data [T], size: usize) -> Self {
        assert!(size != 0, "chunk size must be non-zero");
        RChunks { slice, size }
    }
}

impl<T> Clone for RChunks<'_, T> {
    fn clone(&self) -> Self {
        RChunks { ..*self }
    }
}

parallel_iterator_via_bridge!(impl['data, T: Sync + 'data] RChunks<'data, T> => &'data [T]);

impl<'data, T: Sync + 'data> IndexedParallelIterator for RChunks<'data, T> {
    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }
    fn drive<C: Consumer<&'data [T]>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<&'data [T]>>(self, callback: CB) -> CB::Output {
        callback.callback(RChunksProducer {
            slice: self.slice,
            size: self.size,
        })
    }
}

/// [`ParallelSlice::par_rchunks_exact`](super::ParallelSlice::par_rchunks_exact).
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct RChunksExact<'data, T> {
    /// A whole number of chunks: the slice without its first
    /// `len % size` items.
    chunks: RChunks<'data, T>,
    rem: &'data [T],
}

impl<'data, T> RChunksExact<'data, T> {
    pub(super) fn new(slice: &'data [T], size: usize) -> Self {
        assert!(size != 0, "chunk size must be non-zero");
        let (rem, whole) = slice.split_at(slice.len() % size);
        RChunksExact {
            chunks: RChunks { slice: whole, size },
            rem,
        }
    }

    /// The items no chunk holds: the first `len % chunk_size` of the slice.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([1, 2, 3, 4, 5].par_rchunks_exact(2).remainder(), [1]);
    /// ```
    pub fn remainder(&self) -> &'data [T] {
        self.rem
    }
}

impl<T> Clone for RChunksExact<'_, T> {
    fn clone(&self) -> Self {
        RChunksExact {
            chunks: self.chunks.clone(),
            rem: self.rem,
        }
    }
}

exact_chunks_iterator!(RChunksExact, Sync, &'data [T]);

struct RChunksProducer<'data, T> {
    slice: &'data [T],
    size: usize,
}

impl<'data, T: Sync + 'data> Producer for RChunksProducer<'data, T> {
    type Item = &'data [T];
    type IntoIter = core::slice::RChunks<'data, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.slice.rchunks(self.size)
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let tail = index.saturating_mul(self.size).min(self.slice.len());
        let (head, tail) = self.slice.split_at(self.slice.len() - tail);
        let size = self.size;
        (
            RChunksProducer { slice: tail, size },
            RChunksProducer { slice: head, size },
        )
    }
}

/// [`ParallelSliceMut::par_rchunks_mut`](super::ParallelSliceMut::par_rchunks_mut).
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct RChunksMut<'data, T> {
    slice: &'data mut [T],
    size: usize,
}

impl<'data, T> RChunksMut<'data, T> {
    pub(super) fn new(slice: &'data mut [T], size: usize) -> Self {
        assert!(size != 0, "chunk size must be non-zero");
        RChunksMut { slice, size }
    }
}

parallel_iterator_via_bridge!(impl['data, T: Send + 'data] RChunksMut<'data, T> => &'data mut [T]);

impl<'data, T: Send + 'data> IndexedParallelIterator for RChunksMut<'data, T> {
    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.size)
    }
    fn drive<C: Consumer<&'data mut [T]>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<&'data mut [T]>>(self, callback: CB) -> CB::Output {
        callback.callback(RChunksMutProducer {
            slice: self.slice,
            size: self.size,
        })
    }
}

/// [`ParallelSliceMut::par_rchunks_exact_mut`](super::ParallelSliceMut::par_rchunks_exact_mut).
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct RChunksExactMut<'data, T> {
    /// A whole number of chunks, as in [`RChunksExact`].
    chunks: RChunksMut<'data, T>,
    rem: &'data mut [T],
}

impl<'data, T> RChunksExactMut<'data, T> {
    pub(super) fn new(slice: &'data mut [T], size: usize) -> Self {
        assert!(size != 0, "chunk size must be non-zero");
        let (rem, whole) = slice.split_at_mut(slice.len() % size);
        RChunksExactMut {
            chunks: RChunksMut { slice: whole, size },
            rem,
        }
    }

    /// The items no chunk holds (the first `len % chunk_size`), for as long
    /// as the slice was borrowed. Consumes the iterator: see
    /// [`take_remainder`](Self::take_remainder) to keep it.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// v.par_rchunks_exact_mut(2).into_remainder()[0] = 9;
    /// assert_eq!(v, [9, 2, 3, 4, 5]);
    /// ```
    pub fn into_remainder(self) -> &'data mut [T] {
        self.rem
    }

    /// The items no chunk holds, borrowed from the iterator.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// let mut chunks = v.par_rchunks_exact_mut(2);
    /// chunks.remainder()[0] = 9;
    /// chunks.for_each(|c| c.swap(0, 1));
    /// assert_eq!(v, [9, 3, 2, 5, 4]);
    /// ```
    pub fn remainder(&mut self) -> &mut [T] {
        self.rem
    }

    /// The items no chunk holds, for as long as the slice was borrowed; the
    /// iterator's remainder is empty afterwards.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut v = [1, 2, 3, 4, 5];
    /// let mut chunks = v.par_rchunks_exact_mut(2);
    /// let rem = chunks.take_remainder();
    /// chunks.for_each(|c| c.swap(0, 1));
    /// rem[0] = 9;
    /// assert_eq!(v, [9, 3, 2, 5, 4]);
    /// ```
    pub fn take_remainder(&mut self) -> &'data mut [T] {
        core::mem::take(&mut self.rem)
    }
}

exact_chunks_iterator!(RChunksExactMut, Send, &'data mut [T]);

struct RChunksMutProducer<'data, T> {
    slice: &'data mut [T],
    size: usize,
}

impl<'data, T: Send + 'data> Producer for RChunksMutProducer<'data, T> {
    type Item = &'data mut [T];
    type IntoIter = core::slice::RChunksMut<'data, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.slice.rchunks_mut(self.size)
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let tail = index.saturating_mul(self.size).min(self.slice.len());
        let at = self.slice.len() - tail;
        let (head, tail) = self.slice.split_at_mut(at);
        let size = self.size;
        (
            RChunksMutProducer { slice: tail, size },
            RChunksMutProducer { slice: head, size },
        )
    }
}

//! `par_chunks`, `par_chunks_exact`, `par_windows` ([`ParallelSlice`]) and
//! `par_chunks_mut`, `par_chunks_exact_mut` ([`ParallelSliceMut`]): indexed
//! iterators over sub-slices. Safe code: a producer of chunks splits its
//! slice at a multiple of the chunk size.

use super::IndexedParallelIterator;
use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};

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

    /// Chunks of exactly `chunk_size` items; a shorter rest is left out.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!([1, 2, 3, 4, 5].par_chunks_exact(2).count(), 2);
    /// ```
    fn par_chunks_exact(&self, chunk_size: usize) -> Chunks<'_, T> {
        assert!(chunk_size != 0, "chunk size must be non-zero");
        let slice = self.as_parallel_slice();
        let whole = slice.len() - slice.len() % chunk_size;
        // Cut to whole chunks: then every chunk is exact.
        Chunks {
            slice: &slice[..whole],
            size: chunk_size,
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
    /// out.
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
    fn par_chunks_exact_mut(&mut self, chunk_size: usize) -> ChunksMut<'_, T> {
        assert!(chunk_size != 0, "chunk size must be non-zero");
        let slice = self.as_parallel_slice_mut();
        let whole = slice.len() - slice.len() % chunk_size;
        ChunksMut {
            slice: &mut slice[..whole],
            size: chunk_size,
        }
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

//! `chunks` on an indexed iterator: its items gathered into vectors of
//! `size` (the last one shorter). A chunk of the producer is a piece of the
//! base producer split off at a multiple of `size`, collected when the
//! sequential iterator reaches it.

use super::IndexedParallelIterator;
use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};
use alloc::vec::Vec;

/// [`IndexedParallelIterator::chunks`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Chunks<I> {
    base: I,
    size: usize,
}

impl<I> Chunks<I> {
    pub(super) fn new(base: I, size: usize) -> Self {
        assert!(size != 0, "chunk_size must not be zero");
        Chunks { base, size }
    }
}

parallel_iterator_via_bridge!(impl[I: IndexedParallelIterator] Chunks<I> => Vec<I::Item>);

impl<I: IndexedParallelIterator> IndexedParallelIterator for Chunks<I> {
    fn len(&self) -> usize {
        self.base.len().div_ceil(self.size)
    }

    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }

    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        struct Callback<CB> {
            callback: CB,
            size: usize,
            len: usize,
        }
        impl<T, CB: ProducerCallback<Vec<T>>> ProducerCallback<T> for Callback<CB> {
            type Output = CB::Output;
            fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
                self.callback.callback(ChunkProducer {
                    base,
                    size: self.size,
                    len: self.len,
                })
            }
        }
        let len = self.base.len();
        self.base.with_producer(Callback {
            callback,
            size: self.size,
            len,
        })
    }
}

/// `len` items of the base, in chunks of `size`.
struct ChunkProducer<P> {
    base: P,
    size: usize,
    len: usize,
}

impl<P: Producer> Producer for ChunkProducer<P> {
    type Item = Vec<P::Item>;
    type IntoIter = ChunkSeq<P>;

    fn into_iter(self) -> ChunkSeq<P> {
        ChunkSeq {
            base: (self.len > 0).then_some(self.base),
            size: self.size,
            len: self.len,
        }
    }

    fn min_len(&self) -> usize {
        self.base.min_len().div_ceil(self.size)
    }

    fn max_len(&self) -> usize {
        (self.base.max_len() / self.size).max(1)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.size).min(self.len);
        let (left, right) = self.base.split_at(at);
        (
            ChunkProducer {
                base: left,
                size: self.size,
                len: at,
            },
            ChunkProducer {
                base: right,
                size: self.size,
                len: self.len - at,
            },
        )
    }
}

/// A piece's chunks, one after another (or from the back: the last chunk
/// holds what is left over after the full ones).
struct ChunkSeq<P> {
    /// The items not yet handed out (`None` once there are none).
    base: Option<P>,
    size: usize,
    len: usize,
}

impl<P: Producer> Iterator for ChunkSeq<P> {
    type Item = Vec<P::Item>;

    fn next(&mut self) -> Option<Vec<P::Item>> {
        let base = self.base.take()?;
        let take = self.size.min(self.len);
        let (chunk, rest) = base.split_at(take);
        self.len -= take;
        if self.len > 0 {
            self.base = Some(rest);
        }
        Some(chunk.into_iter().collect())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len.div_ceil(self.size);
        (n, Some(n))
    }
}

impl<P: Producer> DoubleEndedIterator for ChunkSeq<P> {
    fn next_back(&mut self) -> Option<Vec<P::Item>> {
        let base = self.base.take()?;
        let last = match self.len % self.size {
            0 => self.size,
            short => short,
        };
        let (rest, chunk) = base.split_at(self.len - last);
        self.len -= last;
        if self.len > 0 {
            self.base = Some(rest);
        }
        Some(chunk.into_iter().collect())
    }
}

impl<P: Producer> ExactSizeIterator for ChunkSeq<P> {}

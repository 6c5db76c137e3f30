//! The traits a parallel iterator is built from, and `bridge`, which runs a
//! producer into a consumer on the pool. See `src/iter/README.md` for how
//! data flows through them.
//!
//! - A [`Producer`] is a splittable sequential iterator of known length:
//!   [`split_at`](Producer::split_at) cuts it at an exact index (so that
//!   `zip` can cut both sides at the same place), and
//!   [`into_iter`](Producer::into_iter) turns a piece into an ordinary
//!   iterator for a leaf.
//! - A [`ProducerCallback`] receives the producer of an indexed iterator
//!   ([`IndexedParallelIterator::with_producer`](super::IndexedParallelIterator::with_producer)).
//!   The callback shape lets a producer borrow from the iterator that owns
//!   shared state (the closure of a `map`) for as long as the callback runs,
//!   and no longer.
//! - A [`Consumer`] is the other end: it splits alongside the producer, turns
//!   each piece into a [`Folder`] that takes items one by one, and its
//!   [`Reducer`] combines the pieces' results.
//! - [`bridge_producer_consumer`] drives the two together: it folds the
//!   producer sequentially in growing chunks and splits the rest in two,
//!   through [`join`](crate::join), only when the pool can use the work.
//!
//! A producer for a collection of one's own, plugged into the standard
//! adapters and operations:
//!
//! ```
//! use forkscope::iter::plumbing::{bridge, Consumer, Producer, ProducerCallback};
//! use forkscope::iter::{IndexedParallelIterator, ParallelIterator};
//!
//! /// The squares of `0..n`.
//! struct Squares { n: u32 }
//!
//! /// A piece of it: the squares of `start..end`.
//! struct SquaresProducer { start: u32, end: u32 }
//!
//! impl Producer for SquaresProducer {
//!     type Item = u64;
//!     type IntoIter = std::iter::Map<std::ops::Range<u32>, fn(u32) -> u64>;
//!     fn into_iter(self) -> Self::IntoIter {
//!         (self.start..self.end).map(|i| u64::from(i) * u64::from(i))
//!     }
//!     fn split_at(self, index: usize) -> (Self, Self) {
//!         let mid = self.start + index as u32;
//!         (SquaresProducer { start: self.start, end: mid }, SquaresProducer { start: mid, end: self.end })
//!     }
//! }
//!
//! impl ParallelIterator for Squares {
//!     type Item = u64;
//!     fn drive_unindexed<C>(self, consumer: C) -> C::Result
//!     where
//!         C: forkscope::iter::plumbing::UnindexedConsumer<u64>,
//!     {
//!         bridge(self, consumer)
//!     }
//!     fn opt_len(&self) -> Option<usize> {
//!         Some(self.n as usize)
//!     }
//! }
//!
//! impl IndexedParallelIterator for Squares {
//!     fn len(&self) -> usize {
//!         self.n as usize
//!     }
//!     fn drive<C: Consumer<u64>>(self, consumer: C) -> C::Result {
//!         bridge(self, consumer)
//!     }
//!     fn with_producer<CB: ProducerCallback<u64>>(self, callback: CB) -> CB::Output {
//!         callback.callback(SquaresProducer { start: 0, end: self.n })
//!     }
//! }
//!
//! let total: u64 = Squares { n: 1000 }.map(|x| x % 7).sum();
//! assert_eq!(total, (0..1000u64).map(|i| i * i % 7).sum::<u64>());
//! ```

mod bridge;

pub use bridge::{bridge, bridge_producer_consumer, bridge_unindexed};

/// A splittable sequential source of a known number of items: the leaves
/// of a parallel iterator.
pub trait Producer: Send + Sized {
    /// The items produced.
    type Item;
    /// The sequential iterator a piece turns into.
    type IntoIter: Iterator<Item = Self::Item> + DoubleEndedIterator + ExactSizeIterator;

    /// The sequential iterator over this piece's items.
    fn into_iter(self) -> Self::IntoIter;

    /// Pieces are not split below this many items (default 1).
    fn min_len(&self) -> usize {
        1
    }

    /// Pieces are split until they have at most this many items (default
    /// `usize::MAX`).
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// Splits into the first `index` items and the rest.
    fn split_at(self, index: usize) -> (Self, Self);

    /// Feeds this piece's items into `folder`, stopping early if it is
    /// [`full`](Folder::full). Override it when a piece can be folded faster
    /// than through `into_iter`.
    fn fold_with<F>(self, folder: F) -> F
    where
        F: Folder<Self::Item>,
    {
        folder.consume_iter(self.into_iter())
    }
}

/// Receives the producer of an indexed parallel iterator, for as long as the
/// call lasts.
pub trait ProducerCallback<T> {
    /// What the callback returns.
    type Output;

    /// Runs with the iterator's producer.
    fn callback<P>(self, producer: P) -> Self::Output
    where
        P: Producer<Item = T>;
}

/// A splittable source of an unknown number of items (for iterators that
/// cannot say how long they are).
pub trait UnindexedProducer: Send + Sized {
    /// The items produced.
    type Item;

    /// Splits off a second piece, if this one can be split.
    fn split(self) -> (Self, Option<Self>);

    /// Feeds this piece's items into `folder`.
    fn fold_with<F>(self, folder: F) -> F
    where
        F: Folder<Self::Item>;
}

/// The receiving end of a parallel iterator: splits along with the
/// producer, folds each piece, and reduces the pieces' results.
pub trait Consumer<Item>: Send + Sized {
    /// Folds one piece.
    type Folder: Folder<Item, Result = Self::Result>;
    /// Combines the results of two adjacent pieces.
    type Reducer: Reducer<Self::Result>;
    /// The result of a piece, and of the whole.
    type Result: Send;

    /// Splits into a consumer of the first `index` items, one of the rest,
    /// and the reducer that combines their results (left, then right).
    fn split_at(self, index: usize) -> (Self, Self, Self::Reducer);

    /// The folder of a piece that is not split further.
    fn into_folder(self) -> Self::Folder;

    /// Whether no more items are wanted (a search that found its answer).
    fn full(&self) -> bool;

    /// Whether [`continue_folder`](Self::continue_folder) may carry
    /// `folder`, the folder of the items just before this consumer's, on
    /// into this consumer's items. Not in rayon; the default, `false`, is
    /// always correct.
    ///
    /// `bridge` folds a piece in chunks, cutting consumer and producer at
    /// each chunk so that the rest can still be split if the pool asks for
    /// work. Where a consumer can say yes here, the chunks of a piece share
    /// one folder and one result (one vector of a `collect`, one
    /// accumulator of a `fold`) instead of one per chunk.
    ///
    /// `folder` came from a consumer split off this one's left neighbour
    /// (`split_at`, then `into_folder` or `continue_folder`) and has taken
    /// every item of its range unless it became [`full`](Folder::full).
    fn can_continue(&self, folder: &Self::Folder) -> bool {
        let _ = folder;
        false
    }

    /// Carries `folder` on into this consumer's items: the folder returned
    /// takes them next, and its result stands for both ranges (the reducer
    /// of the split between them is not used). Only called after
    /// [`can_continue`](Self::can_continue) said yes; the default keeps
    /// `folder` as it is, which is right for a consumer whose pieces are
    /// interchangeable (a sum, a `for_each`).
    fn continue_folder(self, folder: Self::Folder) -> Self::Folder {
        folder
    }
}

/// A consumer that can also be split without knowing where (for
/// unindexed producers).
pub trait UnindexedConsumer<Item>: Consumer<Item> {
    /// A consumer for items that come before all of `self`'s.
    fn split_off_left(&self) -> Self;

    /// A reducer for the results of `split_off_left` and `self`.
    fn to_reducer(&self) -> Self::Reducer;
}

/// Takes the items of one piece, in order.
pub trait Folder<Item>: Sized {
    /// What the piece's fold results in.
    type Result;

    /// Takes one item.
    fn consume(self, item: Item) -> Self;

    /// Takes every item of `iter`, stopping early once [`full`](Self::full).
    fn consume_iter<I>(mut self, iter: I) -> Self
    where
        I: IntoIterator<Item = Item>,
    {
        for item in iter {
            self = self.consume(item);
            if self.full() {
                break;
            }
        }
        self
    }

    /// The piece's result.
    fn complete(self) -> Self::Result;

    /// Whether no more items are wanted.
    fn full(&self) -> bool;
}

/// Combines the results of two adjacent pieces, the left one first.
pub trait Reducer<Result> {
    /// `left` came from the items before `right`'s.
    fn reduce(self, left: Result, right: Result) -> Result;
}

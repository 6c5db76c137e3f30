//! The ranges whose length may not fit in `usize`: `Range` of `u64`, `i64`,
//! `u128`, `i128`, and `RangeInclusive` of those and of `usize`, `isize`
//! (`usize::MIN..=usize::MAX` has one item more than `usize::MAX`). As in
//! rayon, they are [`ParallelIterator`]s but not indexed.
//!
//! Their items are described as a [`Span`] `first..=last`, or none. Then:
//!
//! - If the length fits in `usize`, `opt_len` returns it, and the span is
//!   driven as an indexed producer ([`Offsets`]: `first + i` for the
//!   indices `i` of a piece) through `bridge_producer_consumer`. That keeps
//!   the promise of `opt_len`: the consumer is split with
//!   `Consumer::split_at` only, and receives exactly that many items.
//! - Otherwise `opt_len` is `None`, and the span is an `UnindexedProducer`
//!   that halves itself, driven through `bridge_unindexed`. Such a range
//!   cannot be iterated to its end (2^64 items at a nanosecond each take
//!   about 585 years), but a consumer that stops early (a search) can run
//!   over it.

use super::super::ParallelIterator;
use super::super::plumbing::{
    Folder, Producer, UnindexedConsumer, UnindexedProducer, bridge_producer_consumer,
    bridge_unindexed,
};
use super::{InclusiveIter, Iter};
use core::ops::Range;

/// An unindexed span is split only into halves of at least this many
/// items: fewer cost less to fold than the `join` of a split. (Spans on
/// the unindexed path are longer than `usize::MAX`, and `bridge_unindexed`
/// splits a few times per thread, so their pieces are never near it.)
const MIN_PIECE: usize = 1024;

/// The items `first..=last` of a nonempty range.
#[derive(Debug, Clone, Copy)]
struct Span<T> {
    first: T,
    last: T,
}

/// The items `first + i` for `i` in `indices`, of a range whose length fits
/// in `usize`: the indexed producer, and the sequential iterator of a piece.
#[derive(Debug, Clone)]
struct Offsets<T> {
    first: T,
    indices: Range<usize>,
}

/// Implements `Span` and `Offsets` for each `type => unsigned type of the
/// same width`, in which offsets are added (wrapping, so that `i64::MIN +
/// u64::MAX` comes out as `i64::MAX`).
macro_rules! spans {
    ($($t:ty => $wide:ty),* $(,)?) => {$(
        impl Span<$t> {
            /// The span of `range`, if it has items.
            fn of_range(range: &Range<$t>) -> Option<Self> {
                (range.start < range.end).then(|| Span {
                    first: range.start,
                    last: range.end - 1,
                })
            }

            /// The span of an inclusive range's items, if any.
            fn of_inclusive(iter: &InclusiveIter<$t>) -> Option<Self> {
                if iter.then_max {
                    Some(Span { first: iter.range.start, last: <$t>::MAX })
                } else {
                    Self::of_range(&iter.range)
                }
            }

            /// The item `offset` places after `first`.
            fn offset(first: $t, offset: $wide) -> $t {
                (first as $wide).wrapping_add(offset) as $t
            }

            /// The number of items after the first (the length less one,
            /// which cannot overflow).
            fn steps(&self) -> $wide {
                (self.last as $wide).wrapping_sub(self.first as $wide)
            }

            /// The number of items, if it fits in `usize`.
            fn len(&self) -> Option<usize> {
                usize::try_from(self.steps()).ok()?.checked_add(1)
            }

            /// `ParallelIterator::opt_len` of the range with these items.
            fn opt_len(span: Option<Self>) -> Option<usize> {
                span.map_or(Some(0), |span| span.len())
            }

            /// `ParallelIterator::drive_unindexed` of the range with these
            /// items: indexed when `opt_len` is `Some` (see the module docs).
            fn drive<C: UnindexedConsumer<$t>>(span: Option<Self>, consumer: C) -> C::Result {
                let Some(span) = span else {
                    return consumer.into_folder().complete();
                };
                match span.len() {
                    Some(len) => {
                        let producer = Offsets { first: span.first, indices: 0..len };
                        bridge_producer_consumer(len, producer, consumer)
                    }
                    None => bridge_unindexed(span, consumer),
                }
            }
        }

        impl UnindexedProducer for Span<$t> {
            type Item = $t;

            /// Halves the span, if both halves have `MIN_PIECE` items.
            fn split(self) -> (Self, Option<Self>) {
                let steps = self.steps();
                if steps < (2 * MIN_PIECE - 1) as $wide {
                    return (self, None);
                }
                // The left half has `steps / 2 + 1` items, the right one
                // `steps - steps / 2`.
                let left_last = Self::offset(self.first, steps / 2);
                let right_first = Self::offset(self.first, steps / 2 + 1);
                (
                    Span { first: self.first, last: left_last },
                    Some(Span { first: right_first, last: self.last }),
                )
            }

            fn fold_with<F: Folder<$t>>(self, folder: F) -> F {
                folder.consume_iter(self.first..=self.last)
            }
        }

        impl Offsets<$t> {
            fn at(&self, index: usize) -> $t {
                Span::<$t>::offset(self.first, index as $wide)
            }
        }

        impl Iterator for Offsets<$t> {
            type Item = $t;
            fn next(&mut self) -> Option<$t> {
                let index = self.indices.next()?;
                Some(self.at(index))
            }
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.indices.size_hint()
            }
        }

        impl DoubleEndedIterator for Offsets<$t> {
            fn next_back(&mut self) -> Option<$t> {
                let index = self.indices.next_back()?;
                Some(self.at(index))
            }
        }

        impl ExactSizeIterator for Offsets<$t> {}

        impl Producer for Offsets<$t> {
            type Item = $t;
            type IntoIter = Self;
            fn into_iter(self) -> Self {
                self
            }
            fn split_at(self, index: usize) -> (Self, Self) {
                let mid = self.indices.start + index;
                (
                    Offsets { first: self.first, indices: self.indices.start..mid },
                    Offsets { first: self.first, indices: mid..self.indices.end },
                )
            }
        }
    )*};
}

spans! {
    u64 => u64, u128 => u128, usize => usize,
    i64 => u64, i128 => u128, isize => usize,
}

macro_rules! unindexed_range {
    ($($t:ty),* $(,)?) => {$(
        /// Indexed while the length fits in `usize` (see the module docs).
        impl ParallelIterator for Iter<$t> {
            type Item = $t;
            fn drive_unindexed<C: UnindexedConsumer<$t>>(self, consumer: C) -> C::Result {
                Span::<$t>::drive(Span::<$t>::of_range(&self.range), consumer)
            }
            fn opt_len(&self) -> Option<usize> {
                Span::<$t>::opt_len(Span::<$t>::of_range(&self.range))
            }
        }
    )*};
}

unindexed_range! { u64, i64, u128, i128 }

macro_rules! unindexed_inclusive_range {
    ($($t:ty),* $(,)?) => {$(
        /// Indexed while the length fits in `usize` (see the module docs).
        impl ParallelIterator for InclusiveIter<$t> {
            type Item = $t;
            fn drive_unindexed<C: UnindexedConsumer<$t>>(self, consumer: C) -> C::Result {
                Span::<$t>::drive(Span::<$t>::of_inclusive(&self), consumer)
            }
            fn opt_len(&self) -> Option<usize> {
                Span::<$t>::opt_len(Span::<$t>::of_inclusive(self))
            }
        }
    )*};
}

unindexed_inclusive_range! { u64, i64, u128, i128, usize, isize }

/// The unindexed path on spans short enough to iterate (the public ranges
/// take it only when they are longer than `usize::MAX`).
#[cfg(all(test, feature = "std", not(loom)))]
mod tests {
    use super::*;
    use crate::ThreadPoolBuilder;
    use std::vec::Vec;

    /// A span run as an unindexed iterator whatever its length.
    struct Unindexed<T>(Span<T>);

    impl<T: Send> ParallelIterator for Unindexed<T>
    where
        Span<T>: UnindexedProducer<Item = T>,
    {
        type Item = T;
        fn drive_unindexed<C: UnindexedConsumer<T>>(self, consumer: C) -> C::Result {
            bridge_unindexed(self.0, consumer)
        }
    }

    /// Splits `span` as far as it goes and returns the pieces in order.
    fn pieces<T>(span: Span<T>) -> Vec<Span<T>>
    where
        Span<T>: UnindexedProducer,
    {
        match span.split() {
            (whole, None) => Vec::from([whole]),
            (left, Some(right)) => {
                let mut all = pieces(left);
                all.extend(pieces(right));
                all
            }
        }
    }

    #[test]
    fn a_span_splits_into_adjacent_halves_of_at_least_min_piece() {
        let first = i64::MAX - 10_000;
        let pieces = pieces(Span {
            first,
            last: i64::MAX,
        });
        assert!(pieces.len() > 1);
        assert_eq!(pieces[0].first, first);
        assert_eq!(pieces[pieces.len() - 1].last, i64::MAX);
        for pair in pieces.windows(2) {
            assert_eq!(pair[0].last + 1, pair[1].first);
        }
        for piece in &pieces {
            let len = piece.len().unwrap();
            assert!((MIN_PIECE..2 * MIN_PIECE).contains(&len), "{piece:?}");
        }
        let short = Span {
            first: 0u128,
            last: 2 * MIN_PIECE as u128 - 2,
        };
        assert!(short.split().1.is_none());
        let (left, right) = Span {
            first: 0u128,
            last: 2 * MIN_PIECE as u128 - 1,
        }
        .split();
        assert_eq!(
            (left.last, right.map(|r| r.first)),
            (MIN_PIECE as u128 - 1, Some(MIN_PIECE as u128))
        );
    }

    #[test]
    fn the_unindexed_path_matches_sequential_in_pools_and_outside() {
        let check = || {
            let (first, last) = (u128::MAX - 9_999, u128::MAX);
            let span = || Unindexed(Span { first, last });
            assert_eq!(span().count(), 10_000);
            assert_eq!(span().min(), Some(first));
            assert_eq!(span().max(), Some(last));
            let low = |x: u128| (x % 1_000) as u64;
            assert_eq!(
                span().map(low).sum::<u64>(),
                (first..=last).map(low).sum::<u64>()
            );
            let signed = || {
                Unindexed(Span {
                    first: isize::MIN,
                    last: isize::MIN + 4_999,
                })
            };
            assert_eq!(signed().count(), 5_000);
            assert_eq!(signed().reduce(|| isize::MAX, |a, b| a.min(b)), isize::MIN);
        };
        check();
        for threads in 1..=3 {
            let pool = ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(check);
        }
    }
}

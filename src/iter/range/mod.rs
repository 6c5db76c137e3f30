//! `into_par_iter` on ranges of integers and of `char`, as in rayon.
//!
//! - Indexed, here: `Range` of the 8-, 16- and 32-bit types and of
//!   `usize`/`isize`, and `RangeInclusive` of the 8-, 16- and 32-bit types,
//!   whose length always fits in `usize` (but for `0..=u32::MAX` on a 32-bit
//!   target, where `len` panics).
//! - Only [`ParallelIterator`], in `range/unindexed.rs`: `Range` of the 64-
//!   and 128-bit types, and `RangeInclusive` of those and of `usize`/`isize`,
//!   whose length may not fit in `usize`.
//! - Indexed, in `range/chars.rs`: `Range<char>` and `RangeInclusive<char>`,
//!   which skip the surrogate code points.

use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};
use core::ops::{Range, RangeInclusive};

mod chars;
mod unindexed;

/// A parallel iterator over a range of integers or chars.
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Iter<T> {
    range: Range<T>,
}

struct RangeProducer<T> {
    range: Range<T>,
}

macro_rules! into_iter {
    ($($t:ty),* $(,)?) => {$(
        impl IntoParallelIterator for Range<$t> {
            type Iter = Iter<$t>;
            type Item = $t;
            fn into_par_iter(self) -> Iter<$t> {
                Iter { range: self }
            }
        }
    )*};
}

into_iter! { u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, char }

macro_rules! indexed_range {
    ($($t:ty => $wide:ty),* $(,)?) => {$(
        parallel_iterator_via_bridge!(impl[] Iter<$t> => $t);

        impl IndexedParallelIterator for Iter<$t> {
            fn len(&self) -> usize {
                self.range.len()
            }
            fn drive<C: Consumer<$t>>(self, consumer: C) -> C::Result {
                bridge(self, consumer)
            }
            fn with_producer<CB: ProducerCallback<$t>>(self, callback: CB) -> CB::Output {
                callback.callback(RangeProducer { range: self.range })
            }
        }

        impl Producer for RangeProducer<$t> {
            type Item = $t;
            type IntoIter = Range<$t>;
            fn into_iter(self) -> Range<$t> {
                self.range
            }
            fn split_at(self, index: usize) -> (Self, Self) {
                // `index` <= len, which fits in the type's width: the
                // middle is in range, computed without overflow.
                let mid = (self.range.start as $wide).wrapping_add(index as $wide) as $t;
                (
                    RangeProducer { range: self.range.start..mid },
                    RangeProducer { range: mid..self.range.end },
                )
            }
        }
    )*};
}

indexed_range! {
    u8 => u8, u16 => u16, u32 => u32, usize => usize,
    i8 => u8, i16 => u16, i32 => u32, isize => usize,
}

/// A parallel iterator over an inclusive range of integers or chars.
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct InclusiveIter<T> {
    /// The same items as a half-open range, when the end is below the
    /// type's maximum; otherwise the range `start..MAX` followed by `MAX`.
    /// An empty (or exhausted) range is `start..start`.
    range: Range<T>,
    then_max: bool,
}

macro_rules! into_inclusive_iter {
    ($($t:ty),* $(,)?) => {$(
        impl IntoParallelIterator for RangeInclusive<$t> {
            type Iter = InclusiveIter<$t>;
            type Item = $t;
            fn into_par_iter(self) -> InclusiveIter<$t> {
                let (start, end) = (*self.start(), *self.end());
                // `is_empty` is also true of an exhausted range.
                if self.is_empty() {
                    InclusiveIter { range: start..start, then_max: false }
                } else if end < <$t>::MAX {
                    InclusiveIter { range: start..end + 1, then_max: false }
                } else {
                    InclusiveIter { range: start..end, then_max: true }
                }
            }
        }
    )*};
}

into_inclusive_iter! { u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize }

macro_rules! indexed_inclusive_range {
    ($($t:ty),* $(,)?) => {$(
        parallel_iterator_via_bridge!(impl[] InclusiveIter<$t> => $t);

        impl IndexedParallelIterator for InclusiveIter<$t> {
            /// # Panics
            ///
            /// If the length does not fit in `usize` (`0..=u32::MAX` on a
            /// 32-bit target).
            fn len(&self) -> usize {
                self.range
                    .len()
                    .checked_add(usize::from(self.then_max))
                    .expect("forkscope: the inclusive range is longer than usize::MAX")
            }
            fn drive<C: Consumer<$t>>(self, consumer: C) -> C::Result {
                bridge(self, consumer)
            }
            fn with_producer<CB: ProducerCallback<$t>>(self, callback: CB) -> CB::Output {
                if self.then_max {
                    let max = super::once(<$t>::MAX);
                    let range = Iter { range: self.range };
                    IndexedParallelIterator::with_producer(
                        ParallelIterator::chain(range, max),
                        callback,
                    )
                } else {
                    callback.callback(RangeProducer { range: self.range })
                }
            }
        }
    )*};
}

// The inclusive ranges that are indexed (the length of one of usize or
// isize can exceed usize::MAX: those are in `unindexed`, as in rayon).
indexed_inclusive_range! { u8, u16, u32, i8, i16, i32 }

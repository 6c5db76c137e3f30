//! `Range<char>` and `RangeInclusive<char>`: indexed, as in rayon. Their
//! items are the chars of the range in order; the surrogate code points
//! `0xD800..0xE000` are not chars, so they are skipped.
//!
//! Each char is numbered by its *position* among all chars: its code point,
//! less the gap's `0x800` above the gap. A range of chars is then a range
//! of positions, a `Range<u32>` that splits like any other range, mapped
//! back to chars.

use super::super::plumbing::{Consumer, ProducerCallback, bridge};
use super::super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};
use super::{InclusiveIter, Iter};
use core::ops::{Range, RangeInclusive};

/// The first surrogate code point, and how many there are.
const GAP_START: u32 = 0xD800;
const GAP_LEN: u32 = 0x800;

/// The position of `c` among all chars.
fn position(c: char) -> u32 {
    let code = u32::from(c);
    if code < GAP_START {
        code
    } else {
        code - GAP_LEN
    }
}

/// The char at `position` (below `0x10F800`, the number of chars).
fn char_at(position: u32) -> char {
    let code = if position < GAP_START {
        position
    } else {
        position + GAP_LEN
    };
    char::from_u32(code).expect("forkscope: a char position is below 0x10F800")
}

/// The positions of the chars in `range`, and of `char::MAX` after them if
/// `then_max`.
fn positions(range: &Range<char>, then_max: bool) -> Range<u32> {
    let (start, end) = (position(range.start), position(range.end));
    start..end.max(start) + u32::from(then_max)
}

impl IntoParallelIterator for RangeInclusive<char> {
    type Iter = InclusiveIter<char>;
    type Item = char;
    fn into_par_iter(self) -> InclusiveIter<char> {
        let (start, end) = (*self.start(), *self.end());
        // `is_empty` is also true of an exhausted range.
        if self.is_empty() {
            InclusiveIter {
                range: start..start,
                then_max: false,
            }
        } else if end < char::MAX {
            let after_end = char_at(position(end) + 1);
            InclusiveIter {
                range: start..after_end,
                then_max: false,
            }
        } else {
            InclusiveIter {
                range: start..end,
                then_max: true,
            }
        }
    }
}

parallel_iterator_via_bridge!(impl[] Iter<char> => char);

impl IndexedParallelIterator for Iter<char> {
    fn len(&self) -> usize {
        positions(&self.range, false).len()
    }
    fn drive<C: Consumer<char>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<char>>(self, callback: CB) -> CB::Output {
        let range = positions(&self.range, false);
        Iter { range }.map(char_at).with_producer(callback)
    }
}

parallel_iterator_via_bridge!(impl[] InclusiveIter<char> => char);

impl IndexedParallelIterator for InclusiveIter<char> {
    fn len(&self) -> usize {
        positions(&self.range, self.then_max).len()
    }
    fn drive<C: Consumer<char>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<char>>(self, callback: CB) -> CB::Output {
        let range = positions(&self.range, self.then_max);
        Iter { range }.map(char_at).with_producer(callback)
    }
}

//! The searches: `find_any`, `find_first`, `find_last`, and everything
//! built on them (`any`, `all`, `position_*`). A search stops the other
//! pieces early through one shared word, without allocating.
//!
//! # Positions
//!
//! `find_first` must not stop a piece whose items come before the match
//! found so far, and must stop those after it. Every consumer therefore
//! stands for a range `lo..hi` of *positions*, the root for
//! `0..usize::MAX`: `split_at(index)` gives the left side `lo..lo + index`
//! (exact when the producer is indexed, since then `index` counts the items
//! before the cut), `split_off_left` halves the range (nominal: the items
//! of an unindexed piece are not counted). The folder of a consumer files
//! every match it finds at its `lo`. Positions never decrease from one item
//! to the next in the iterator's order, and a strictly smaller position
//! belongs to a strictly earlier piece, so:
//!
//! - `find_first` records the smallest position with a match (`fetch_min`);
//!   a consumer whose `lo` is above it, or a folder that found its first
//!   match, stops.
//! - `find_last` records the largest (`fetch_max`); a consumer stops when
//!   the record is above its `hi` (strictly: a range cut down to nothing can
//!   still hold items at position `hi`), a folder when it is above its own
//!   position. A folder goes on past its own matches, keeping the last.
//!
//! The record only prunes work. Which match is returned is decided by the
//! reducers, which keep the left result (`find_first`) or the right one
//! (`find_last`) of every pair, so the answer is exact even where positions
//! tie.
//!
//! All accesses to the record are `Relaxed`: it carries no data (each match
//! travels in its piece's result, through `join`), only a hint of where
//! searching is no longer needed.

use super::plumbing::{Consumer, Folder, Reducer, UnindexedConsumer};
use super::{IndexedParallelIterator, ParallelIterator};
use core::sync::atomic::{AtomicUsize, Ordering};

/// Which match a search wants.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    Any,
    First,
    Last,
}

/// Runs a search for an item matching `predicate`.
fn search<I, P>(iter: I, predicate: &P, which: Which) -> Option<I::Item>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync,
{
    // Any: 0 until a match. First: the smallest position with a match,
    // usize::MAX if none. Last: one more than the largest position with a
    // match, 0 if none.
    let record = AtomicUsize::new(if which == Which::First { usize::MAX } else { 0 });
    iter.drive_unindexed(FindConsumer {
        predicate,
        record: &record,
        which,
        span: Span::ROOT,
    })
}

pub(super) fn find_any<I, P>(iter: I, predicate: &P) -> Option<I::Item>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync,
{
    search(iter, predicate, Which::Any)
}

pub(super) fn find_first<I, P>(iter: I, predicate: &P) -> Option<I::Item>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync,
{
    search(iter, predicate, Which::First)
}

pub(super) fn find_last<I, P>(iter: I, predicate: &P) -> Option<I::Item>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync,
{
    search(iter, predicate, Which::Last)
}

/// The index of the item a search for `predicate` finds (`position_*`).
pub(super) fn position<I, P>(iter: I, predicate: P, which: Which) -> Option<usize>
where
    I: IndexedParallelIterator,
    P: Fn(I::Item) -> bool + Sync + Send,
{
    let matched = iter.map(predicate).enumerate();
    search(matched, &|&(_, matched): &(usize, bool)| matched, which).map(|(i, _)| i)
}

/// The positions `lo..hi` a consumer stands for (see the module docs).
#[derive(Clone, Copy)]
pub(super) struct Span {
    pub(super) lo: usize,
    pub(super) hi: usize,
}

impl Span {
    /// The whole iterator's.
    pub(super) const ROOT: Span = Span {
        lo: 0,
        hi: usize::MAX,
    };

    /// `self` and `next` as one span, if `next` starts where `self` ends
    /// (`Consumer::continue_folder`).
    pub(super) fn joined(self, next: Span) -> Option<Span> {
        (self.hi == next.lo).then_some(Span {
            lo: self.lo,
            hi: next.hi,
        })
    }

    /// The first `index` positions and the rest (`Consumer::split_at`).
    pub(super) fn split_at(self, index: usize) -> (Span, Span) {
        let mid = self.lo.saturating_add(index).min(self.hi);
        (
            Span {
                lo: self.lo,
                hi: mid,
            },
            Span {
                lo: mid,
                hi: self.hi,
            },
        )
    }

    /// The left half (`UnindexedConsumer::split_off_left`: the consumer
    /// that keeps `self` cannot shrink, but its positions stay above the
    /// left's, which is all the order needs).
    pub(super) fn left_half(self) -> Span {
        Span {
            lo: self.lo,
            hi: self.lo + (self.hi - self.lo) / 2,
        }
    }
}

struct FindConsumer<'f, P> {
    predicate: &'f P,
    record: &'f AtomicUsize,
    which: Which,
    span: Span,
}

impl<P> Clone for FindConsumer<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for FindConsumer<'_, P> {}

impl<P> FindConsumer<'_, P> {
    fn with_span(self, span: Span) -> Self {
        FindConsumer { span, ..self }
    }

    /// Whether a match elsewhere makes this consumer's whole range useless.
    fn beaten(&self) -> bool {
        let record = self.record.load(Ordering::Relaxed);
        match self.which {
            Which::Any => record != 0,
            Which::First => record < self.span.lo,
            Which::Last => record > self.span.hi.saturating_add(1),
        }
    }
}

impl<'f, T, P> Consumer<T> for FindConsumer<'f, P>
where
    T: Send,
    P: Fn(&T) -> bool + Sync,
{
    type Folder = FindFolder<'f, P, T>;
    type Reducer = FindReducer;
    type Result = Option<T>;

    fn split_at(self, index: usize) -> (Self, Self, FindReducer) {
        let (left, right) = self.span.split_at(index);
        (
            self.with_span(left),
            self.with_span(right),
            FindReducer(self.which),
        )
    }

    fn into_folder(self) -> Self::Folder {
        FindFolder {
            consumer: self,
            found: None,
        }
    }

    fn full(&self) -> bool {
        self.beaten()
    }

    /// A folder found nothing yet (it would be full) and may search on into
    /// the positions right after its own: they are one range now.
    fn can_continue(&self, folder: &Self::Folder) -> bool {
        folder.consumer.span.joined(self.span).is_some()
    }

    fn continue_folder(self, mut folder: Self::Folder) -> Self::Folder {
        folder.consumer.span = folder
            .consumer
            .span
            .joined(self.span)
            .expect("checked by can_continue");
        folder
    }
}

impl<T, P> UnindexedConsumer<T> for FindConsumer<'_, P>
where
    T: Send,
    P: Fn(&T) -> bool + Sync,
{
    fn split_off_left(&self) -> Self {
        self.with_span(self.span.left_half())
    }

    fn to_reducer(&self) -> FindReducer {
        FindReducer(self.which)
    }
}

struct FindFolder<'f, P, T> {
    consumer: FindConsumer<'f, P>,
    found: Option<T>,
}

impl<T, P: Fn(&T) -> bool> Folder<T> for FindFolder<'_, P, T> {
    type Result = Option<T>;

    fn consume(mut self, item: T) -> Self {
        if (self.consumer.predicate)(&item) {
            let c = &self.consumer;
            match c.which {
                Which::Any => c.record.store(1, Ordering::Relaxed),
                Which::First => {
                    c.record.fetch_min(c.span.lo, Ordering::Relaxed);
                }
                Which::Last => {
                    c.record
                        .fetch_max(c.span.lo.saturating_add(1), Ordering::Relaxed);
                }
            }
            self.found = Some(item);
        }
        self
    }

    fn complete(self) -> Option<T> {
        self.found
    }

    fn full(&self) -> bool {
        let c = &self.consumer;
        match c.which {
            Which::Any | Which::First => self.found.is_some() || c.beaten(),
            // Beaten by a match at a later position than this folder's.
            Which::Last => c.record.load(Ordering::Relaxed) > c.span.lo.saturating_add(1),
        }
    }
}

/// Keeps the left result of a `find_first` (or `find_any`), the right one
/// of a `find_last`.
struct FindReducer(Which);

impl<T> Reducer<Option<T>> for FindReducer {
    fn reduce(self, left: Option<T>, right: Option<T>) -> Option<T> {
        match self.0 {
            Which::Any | Which::First => left.or(right),
            Which::Last => right.or(left),
        }
    }
}

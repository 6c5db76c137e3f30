//! `par_split`, `par_split_inclusive`, `par_chunk_by` and their `_mut`
//! forms: sub-slices between the places a predicate picks. How many there
//! are is only known by looking at every item, so these are *unindexed*
//! iterators ([`UnindexedProducer`], run by [`bridge_unindexed`]).
//!
//! # How a piece splits
//!
//! A piece of the slice is split at the place nearest its middle where the
//! sequential iterator would end a sub-slice anyway: a separator (`split`),
//! the item after a separator (`split_inclusive`), or a boundary between
//! two neighbours the predicate does not join (`chunk_by`). The search goes
//! outwards from the middle, one item each way at a time, so it reads about
//! twice the distance to the nearest place, and the whole piece only when
//! there is none (then the piece is folded as a whole).
//!
//! Cutting there keeps the sub-slices exactly those of std: the pieces of
//! the two halves, left then right, are the pieces of the whole (a
//! separator between them ends the left half's last piece and begins the
//! right half's first one). `bridge_unindexed` splits only about as deep as
//! the pool has threads, so a piece is searched a few times at most.
//!
//! Safe code: pieces come from `split_at` / `split_at_mut`.

use crate::iter::ParallelIterator;
use crate::iter::plumbing::{Folder, UnindexedConsumer, UnindexedProducer, bridge_unindexed};
use core::fmt;

/// A piece of the slice being split: `&[T]` or `&mut [T]`.
trait Piece: Send + Sized {
    type Item;
    fn items(&self) -> &[Self::Item];
    /// `self[..end]` and `self[start..]`, for `end <= start`.
    fn cut(self, end: usize, start: usize) -> (Self, Self);
}

impl<T: Sync> Piece for &[T] {
    type Item = T;
    fn items(&self) -> &[T] {
        self
    }
    fn cut(self, end: usize, start: usize) -> (Self, Self) {
        (&self[..end], &self[start..])
    }
}

impl<T: Send> Piece for &mut [T] {
    type Item = T;
    fn items(&self) -> &[T] {
        self
    }
    fn cut(self, end: usize, start: usize) -> (Self, Self) {
        let (left, right) = self.split_at_mut(start);
        (&mut left[..end], right)
    }
}

/// Where a piece may be cut, and how an uncut piece yields its sub-slices.
trait Rule<S: Piece>: Copy + Send {
    /// The cut nearest `items.len() / 2`, as `(end of the left piece,
    /// start of the right one)`, or `None` if there is no place to cut.
    fn cut_near_middle(self, items: &[S::Item]) -> Option<(usize, usize)>;
    /// Feeds the piece's sub-slices, in order, to `folder`.
    fn fold<F: Folder<S>>(self, piece: S, folder: F) -> F;
}

/// The index in `lo..hi` nearest `mid` for which `found` holds, looking at
/// `mid`, `mid - 1`, `mid + 1`, `mid - 2`, ... in turn.
fn nearest(lo: usize, hi: usize, mid: usize, found: impl Fn(usize) -> bool) -> Option<usize> {
    let (mut up, mut down) = (mid.max(lo), mid.max(lo));
    while up < hi || down > lo {
        if up < hi {
            if found(up) {
                return Some(up);
            }
            up += 1;
        }
        if down > lo {
            down -= 1;
            if found(down) {
                return Some(down);
            }
        }
    }
    None
}

/// `split`: a separator ends the piece before it and begins the one after;
/// it belongs to neither.
struct Separator<'p, P>(&'p P);

/// `split_inclusive`: a separator ends the piece it belongs to.
struct Terminator<'p, P>(&'p P);

/// `chunk_by`: a piece ends between two neighbours `a`, `b` for which
/// `pred(a, b)` is false.
struct Boundary<'p, P>(&'p P);

// Copies of a reference, whatever `P` is (a derive would ask `P: Copy`).
macro_rules! copy_rule {
    ($($rule:ident),*) => {$(
        impl<P> Clone for $rule<'_, P> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<P> Copy for $rule<'_, P> {}
    )*};
}
copy_rule!(Separator, Terminator, Boundary);

macro_rules! rules_for {
    ($piece:ty, $split:ident, $split_inclusive:ident, $chunk_by:ident) => {
        impl<'data, 'p, T, P> Rule<$piece> for Separator<'p, P>
        where
            $piece: Piece<Item = T>,
            P: Fn(&T) -> bool + Sync,
        {
            fn cut_near_middle(self, items: &[T]) -> Option<(usize, usize)> {
                let at = nearest(0, items.len(), items.len() / 2, |i| (self.0)(&items[i]))?;
                Some((at, at + 1))
            }
            fn fold<F: Folder<$piece>>(self, piece: $piece, folder: F) -> F {
                folder.consume_iter(piece.$split(self.0))
            }
        }

        impl<'data, 'p, T, P> Rule<$piece> for Terminator<'p, P>
        where
            $piece: Piece<Item = T>,
            P: Fn(&T) -> bool + Sync,
        {
            fn cut_near_middle(self, items: &[T]) -> Option<(usize, usize)> {
                let at = nearest(0, items.len(), items.len() / 2, |i| (self.0)(&items[i]))?;
                Some((at + 1, at + 1))
            }
            fn fold<F: Folder<$piece>>(self, piece: $piece, folder: F) -> F {
                folder.consume_iter(piece.$split_inclusive(self.0))
            }
        }

        impl<'data, 'p, T, P> Rule<$piece> for Boundary<'p, P>
        where
            $piece: Piece<Item = T>,
            P: Fn(&T, &T) -> bool + Sync,
        {
            fn cut_near_middle(self, items: &[T]) -> Option<(usize, usize)> {
                // A boundary at `i` lies between items `i - 1` and `i`.
                let joined = |i: usize| (self.0)(&items[i - 1], &items[i]);
                let at = nearest(1, items.len(), items.len() / 2, |i| !joined(i))?;
                Some((at, at))
            }
            fn fold<F: Folder<$piece>>(self, piece: $piece, folder: F) -> F {
                folder.consume_iter(piece.$chunk_by(self.0))
            }
        }
    };
}

rules_for!(&'data [T], split, split_inclusive, chunk_by);
rules_for!(&'data mut [T], split_mut, split_inclusive_mut, chunk_by_mut);

/// A piece and the rule that cuts it.
struct CutProducer<S, R> {
    piece: S,
    rule: R,
}

impl<S: Piece, R: Rule<S>> UnindexedProducer for CutProducer<S, R> {
    type Item = S;

    fn split(self) -> (Self, Option<Self>) {
        match self.rule.cut_near_middle(self.piece.items()) {
            Some((end, start)) => {
                let (left, right) = self.piece.cut(end, start);
                let rule = self.rule;
                (
                    CutProducer { piece: left, rule },
                    Some(CutProducer { piece: right, rule }),
                )
            }
            None => (self, None),
        }
    }

    fn fold_with<F: Folder<S>>(self, folder: F) -> F {
        self.rule.fold(self.piece, folder)
    }
}

/// Defines one of the iterators: its struct, `Debug`, `ParallelIterator`
/// through a `CutProducer` with the given rule, and `Clone` for the shared
/// ones.
macro_rules! cut_iterator {
    (
        $(#[$doc:meta])* $name:ident, $slice:ty, $bound:ident,
        $rule:ident, ($($args:tt)*) $(, $clone:ident)?
    ) => {
        $(#[$doc])*
        #[must_use = "iterators are lazy and do nothing unless consumed"]
        pub struct $name<'data, T, P> {
            slice: $slice,
            pred: P,
        }

        impl<'data, T, P> $name<'data, T, P> {
            pub(super) fn new(slice: $slice, pred: P) -> Self {
                $name { slice, pred }
            }
        }

        impl<T: fmt::Debug, P> fmt::Debug for $name<'_, T, P> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("slice", &self.slice)
                    .finish_non_exhaustive()
            }
        }

        $(
            impl<T, P: $clone> $clone for $name<'_, T, P> {
                fn clone(&self) -> Self {
                    $name {
                        slice: self.slice,
                        pred: self.pred.clone(),
                    }
                }
            }
        )?

        impl<'data, T: $bound + 'data, P> ParallelIterator for $name<'data, T, P>
        where
            P: Fn($($args)*) -> bool + Sync + Send,
        {
            type Item = $slice;

            fn drive_unindexed<C: UnindexedConsumer<$slice>>(self, consumer: C) -> C::Result {
                let producer = CutProducer {
                    piece: self.slice,
                    rule: $rule(&self.pred),
                };
                bridge_unindexed(producer, consumer)
            }
        }
    };
}

cut_iterator!(
    /// [`ParallelSlice::par_split`](super::ParallelSlice::par_split).
    Split, &'data [T], Sync, Separator, (&T), Clone
);
cut_iterator!(
    /// [`ParallelSlice::par_split_inclusive`](super::ParallelSlice::par_split_inclusive).
    SplitInclusive, &'data [T], Sync, Terminator, (&T), Clone
);
cut_iterator!(
    /// [`ParallelSlice::par_chunk_by`](super::ParallelSlice::par_chunk_by).
    ChunkBy, &'data [T], Sync, Boundary, (&T, &T), Clone
);
cut_iterator!(
    /// [`ParallelSliceMut::par_split_mut`](super::ParallelSliceMut::par_split_mut).
    SplitMut, &'data mut [T], Send, Separator, (&T)
);
cut_iterator!(
    /// [`ParallelSliceMut::par_split_inclusive_mut`](super::ParallelSliceMut::par_split_inclusive_mut).
    SplitInclusiveMut, &'data mut [T], Send, Terminator, (&T)
);
cut_iterator!(
    /// [`ParallelSliceMut::par_chunk_by_mut`](super::ParallelSliceMut::par_chunk_by_mut).
    ChunkByMut, &'data mut [T], Send, Boundary, (&T, &T)
);

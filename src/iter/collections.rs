//! `collect` / `par_extend` into the collections besides `Vec` (which
//! writes in place, `collect.rs`), `unzip` / `partition` /
//! `partition_map`, and `collect` into `Option` / `Result`.
//!
//! Every collection but `Vec` is built the way rayon builds it: each piece
//! collects its items into a vector of its own, the vectors are linked in
//! order (no copy while reducing), and the collection is extended with them
//! one after another on the calling thread. For a map or a set that last
//! step is the insertions themselves, which cannot be shared out anyway.

use super::collect::collect_pieces;
use super::find::Span;
use super::plumbing::{Consumer, Folder, Reducer, UnindexedConsumer};
use super::{FromParallelIterator, IntoParallelIterator, ParallelExtend, ParallelIterator};
use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap, LinkedList, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Implements `ParallelExtend` and `FromParallelIterator` for collections
/// that are extended with the pieces' vectors in order, after reserving
/// room for all the items (`reserve` gets the collection and the count).
macro_rules! extend_by_pieces {
    ($(impl[$($gen:tt)*] $coll:ty, $item:ty $(where [$($bounds:tt)*])? ; reserve = $reserve:expr;)*) => {$(
        impl<$($gen)*> ParallelExtend<$item> for $coll
        $(where $($bounds)*)?
        {
            fn par_extend<I>(&mut self, par_iter: I)
            where
                I: IntoParallelIterator<Item = $item>,
            {
                let pieces = collect_pieces(par_iter.into_par_iter());
                let reserve: fn(&mut Self, usize) = $reserve;
                reserve(self, pieces.iter().map(Vec::len).sum());
                for piece in pieces {
                    self.extend(piece);
                }
            }
        }

        impl<$($gen)*> FromParallelIterator<$item> for $coll
        $(where $($bounds)*)?
        {
            fn from_par_iter<I>(par_iter: I) -> Self
            where
                I: IntoParallelIterator<Item = $item>,
            {
                let mut collection = Self::default();
                collection.par_extend(par_iter);
                collection
            }
        }
    )*};
}

extend_by_pieces! {
    impl[T: Send] VecDeque<T>, T; reserve = VecDeque::reserve;
    impl['a, T: 'a + Copy + Send + Sync] VecDeque<T>, &'a T; reserve = VecDeque::reserve;
    impl[T: Send] LinkedList<T>, T; reserve = |_, _| ();
    impl['a, T: 'a + Copy + Send + Sync] LinkedList<T>, &'a T; reserve = |_, _| ();
    impl[T: Ord + Send] BinaryHeap<T>, T; reserve = BinaryHeap::reserve;
    impl['a, T: 'a + Ord + Copy + Send + Sync] BinaryHeap<T>, &'a T; reserve = BinaryHeap::reserve;
    impl[T: Ord + Send] BTreeSet<T>, T; reserve = |_, _| ();
    impl['a, T: 'a + Ord + Copy + Send + Sync] BTreeSet<T>, &'a T; reserve = |_, _| ();
    impl[K: Ord + Send, V: Send] BTreeMap<K, V>, (K, V); reserve = |_, _| ();
    impl['a, K: 'a + Ord + Copy + Send + Sync, V: 'a + Copy + Send + Sync] BTreeMap<K, V>, (&'a K, &'a V); reserve = |_, _| ();
    impl[] String, char; reserve = String::reserve;
    impl['a] String, &'a char; reserve = String::reserve;
    impl['a] String, &'a str; reserve = |_, _| ();
    impl[] String, String; reserve = |_, _| ();
    impl[] String, Box<str>; reserve = |_, _| ();
    impl['a] String, alloc::borrow::Cow<'a, str>; reserve = |_, _| ();
}

#[cfg(feature = "std")]
extend_by_pieces! {
    impl[K: Eq + core::hash::Hash + Send, V: Send, S: core::hash::BuildHasher + Default + Send]
        std::collections::HashMap<K, V, S>, (K, V); reserve = std::collections::HashMap::reserve;
    impl['a, K: 'a + Eq + core::hash::Hash + Copy + Send + Sync, V: 'a + Copy + Send + Sync, S: core::hash::BuildHasher + Default + Send]
        std::collections::HashMap<K, V, S>, (&'a K, &'a V); reserve = std::collections::HashMap::reserve;
    impl[T: Eq + core::hash::Hash + Send, S: core::hash::BuildHasher + Default + Send]
        std::collections::HashSet<T, S>, T; reserve = std::collections::HashSet::reserve;
    impl['a, T: 'a + Eq + core::hash::Hash + Copy + Send + Sync, S: core::hash::BuildHasher + Default + Send]
        std::collections::HashSet<T, S>, &'a T; reserve = std::collections::HashSet::reserve;
}

/// The items in order, in place (see `Vec`'s `ParallelExtend`).
impl<'a, T: 'a + Copy + Send + Sync> ParallelExtend<&'a T> for Vec<T> {
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = &'a T>,
    {
        self.par_extend(par_iter.into_par_iter().copied());
    }
}

impl<T: Send> FromParallelIterator<T> for Box<[T]> {
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = T>,
    {
        Vec::from_par_iter(par_iter).into_boxed_slice()
    }
}

/// Unit pieces: runs the iterator for its side effects, keeps nothing.
impl ParallelExtend<()> for () {
    fn par_extend<I>(&mut self, par_iter: I)
    where
        I: IntoParallelIterator<Item = ()>,
    {
        par_iter.into_par_iter().for_each(drop);
    }
}

// ---- unzip / partition ---------------------------------------------------------

/// Either of two values, for `partition_map` (rayon re-exports the
/// `either` crate's type; this one has the same variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Either<L, R> {
    /// A value of the first kind.
    Left(L),
    /// A value of the second kind.
    Right(R),
}

/// Splits every item into what goes left and what goes right, collects
/// both sides piece by piece, and extends `FromA` / `FromB` with them.
pub(super) fn unzip_with<I, A, B, FromA, FromB, S>(iter: I, split: S) -> (FromA, FromB)
where
    I: ParallelIterator,
    A: Send,
    B: Send,
    FromA: Default + Send + ParallelExtend<A>,
    FromB: Default + Send + ParallelExtend<B>,
    S: Fn(I::Item) -> (Option<A>, Option<B>) + Sync,
{
    let pieces = iter.drive_unindexed(SplitConsumer { split: &split });
    let (mut lefts, mut rights) = (Vec::new(), Vec::new());
    for (left, right) in pieces {
        lefts.push(left);
        rights.push(right);
    }
    let (mut a, mut b) = (FromA::default(), FromB::default());
    a.par_extend(lefts.into_par_iter().flatten_iter());
    b.par_extend(rights.into_par_iter().flatten_iter());
    (a, b)
}

struct SplitConsumer<'f, S> {
    split: &'f S,
}

impl<S> Clone for SplitConsumer<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S> Copy for SplitConsumer<'_, S> {}

#[derive(Clone, Copy, Default)]
struct Append;

impl<T> Reducer<LinkedList<T>> for Append {
    fn reduce(self, mut left: LinkedList<T>, mut right: LinkedList<T>) -> LinkedList<T> {
        left.append(&mut right);
        left
    }
}

impl<'f, T, A: Send, B: Send, S> Consumer<T> for SplitConsumer<'f, S>
where
    S: Fn(T) -> (Option<A>, Option<B>) + Sync,
{
    type Folder = SplitFolder<'f, S, A, B>;
    type Reducer = Append;
    type Result = LinkedList<(Vec<A>, Vec<B>)>;

    fn split_at(self, _index: usize) -> (Self, Self, Append) {
        (self, self, Append)
    }

    fn into_folder(self) -> Self::Folder {
        SplitFolder {
            split: self.split,
            left: Vec::new(),
            right: Vec::new(),
        }
    }

    fn full(&self) -> bool {
        false
    }

    /// A piece's chunks all go into one pair of vectors.
    fn can_continue(&self, _folder: &Self::Folder) -> bool {
        true
    }
}

impl<T, A: Send, B: Send, S> UnindexedConsumer<T> for SplitConsumer<'_, S>
where
    S: Fn(T) -> (Option<A>, Option<B>) + Sync,
{
    fn split_off_left(&self) -> Self {
        *self
    }

    fn to_reducer(&self) -> Append {
        Append
    }
}

struct SplitFolder<'f, S, A, B> {
    split: &'f S,
    left: Vec<A>,
    right: Vec<B>,
}

impl<T, A, B, S> Folder<T> for SplitFolder<'_, S, A, B>
where
    S: Fn(T) -> (Option<A>, Option<B>),
{
    type Result = LinkedList<(Vec<A>, Vec<B>)>;

    fn consume(mut self, item: T) -> Self {
        let (a, b) = (self.split)(item);
        self.left.extend(a);
        self.right.extend(b);
        self
    }

    fn complete(self) -> Self::Result {
        let mut list = LinkedList::new();
        list.push_back((self.left, self.right));
        list
    }

    fn full(&self) -> bool {
        false
    }
}

// ---- Option and Result ---------------------------------------------------------

/// `Ok` items pass on into `C`; the first `Err` in the iterator's order is
/// kept, and pieces after it stop early.
impl<C, T, E> FromParallelIterator<Result<T, E>> for Result<C, E>
where
    C: FromParallelIterator<T>,
    T: Send,
    E: Send,
{
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = Result<T, E>>,
    {
        let first = FirstFailure::new();
        let collection = C::from_par_iter(Successes {
            base: par_iter.into_par_iter(),
            first: &first,
        });
        match first.into_inner() {
            Some(e) => Err(e),
            None => Ok(collection),
        }
    }
}

/// `Some` items pass on into `C`; any `None` makes the whole `None`, and
/// pieces after it stop early.
impl<C, T> FromParallelIterator<Option<T>> for Option<C>
where
    C: FromParallelIterator<T>,
    T: Send,
{
    fn from_par_iter<I>(par_iter: I) -> Self
    where
        I: IntoParallelIterator<Item = Option<T>>,
    {
        let items = par_iter.into_par_iter().map(|item| item.ok_or(()));
        Result::<C, ()>::from_par_iter(items).ok()
    }
}

/// The failure at the smallest position seen so far (positions as in
/// `find.rs`): `record` for pieces to test cheaply, the failure itself
/// behind a lock (taken once per failure, rare by nature).
struct FirstFailure<E> {
    record: AtomicUsize,
    failure: spin::Mutex<Option<(usize, E)>>,
}

impl<E> FirstFailure<E> {
    fn new() -> Self {
        FirstFailure {
            record: AtomicUsize::new(usize::MAX),
            failure: spin::Mutex::new(None),
        }
    }

    /// Whether a failure before `span` was seen (Relaxed: a hint to stop).
    fn before(&self, span: Span) -> bool {
        self.record.load(Ordering::Relaxed) < span.lo
    }

    fn offer(&self, position: usize, failure: E) {
        let mut kept = self.failure.lock();
        if kept.as_ref().is_none_or(|(at, _)| position < *at) {
            *kept = Some((position, failure));
            self.record.fetch_min(position, Ordering::Relaxed);
        }
    }

    fn into_inner(self) -> Option<E> {
        self.failure.into_inner().map(|(_, failure)| failure)
    }
}

/// The `Ok` items of `base`, recording its first `Err` in `first`.
struct Successes<'f, I, E> {
    base: I,
    first: &'f FirstFailure<E>,
}

impl<I, T, E> ParallelIterator for Successes<'_, I, E>
where
    I: ParallelIterator<Item = Result<T, E>>,
    T: Send,
    E: Send,
{
    type Item = T;

    fn drive_unindexed<C: UnindexedConsumer<T>>(self, consumer: C) -> C::Result {
        self.base.drive_unindexed(SuccessConsumer {
            base: consumer,
            first: self.first,
            span: Span::ROOT,
        })
    }
}

struct SuccessConsumer<'f, C, E> {
    base: C,
    first: &'f FirstFailure<E>,
    span: Span,
}

impl<'f, T, E: Send, C: Consumer<T>> Consumer<Result<T, E>> for SuccessConsumer<'f, C, E> {
    type Folder = SuccessFolder<'f, C::Folder, E>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        let (left_span, right_span) = self.span.split_at(index);
        let first = self.first;
        (
            SuccessConsumer {
                base: left,
                first,
                span: left_span,
            },
            SuccessConsumer {
                base: right,
                first,
                span: right_span,
            },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        SuccessFolder {
            base: self.base.into_folder(),
            first: self.first,
            span: self.span,
            failed: false,
        }
    }

    fn full(&self) -> bool {
        self.first.before(self.span) || self.base.full()
    }

    fn can_continue(&self, folder: &Self::Folder) -> bool {
        folder.span.joined(self.span).is_some() && self.base.can_continue(&folder.base)
    }

    /// A failure in the joined range is offered at its start, as if the
    /// range had never been cut: no other piece lies inside it.
    fn continue_folder(self, folder: Self::Folder) -> Self::Folder {
        SuccessFolder {
            base: self.base.continue_folder(folder.base),
            span: folder
                .span
                .joined(self.span)
                .expect("checked by can_continue"),
            ..folder
        }
    }
}

impl<T, E: Send, C: UnindexedConsumer<T>> UnindexedConsumer<Result<T, E>>
    for SuccessConsumer<'_, C, E>
{
    fn split_off_left(&self) -> Self {
        SuccessConsumer {
            base: self.base.split_off_left(),
            first: self.first,
            span: self.span.left_half(),
        }
    }

    fn to_reducer(&self) -> C::Reducer {
        self.base.to_reducer()
    }
}

struct SuccessFolder<'f, G, E> {
    base: G,
    first: &'f FirstFailure<E>,
    span: Span,
    failed: bool,
}

impl<T, E, G: Folder<T>> Folder<Result<T, E>> for SuccessFolder<'_, G, E> {
    type Result = G::Result;

    fn consume(self, item: Result<T, E>) -> Self {
        match item {
            Ok(item) => SuccessFolder {
                base: self.base.consume(item),
                ..self
            },
            Err(failure) => {
                self.first.offer(self.span.lo, failure);
                SuccessFolder {
                    failed: true,
                    ..self
                }
            }
        }
    }

    fn complete(self) -> G::Result {
        self.base.complete()
    }

    fn full(&self) -> bool {
        self.failed || self.first.before(self.span) || self.base.full()
    }
}

//! The consumers of the operations that reduce a parallel iterator to one
//! value: `for_each`, `sum`/`product`, `count`, `reduce`. None allocates.

use super::plumbing::{Consumer, Folder, Reducer, UnindexedConsumer};
use core::iter::{Product, Sum};
use core::marker::PhantomData;

/// Implements `UnindexedConsumer` for a consumer that is `Copy`: every
/// piece gets the same consumer, and its reducer.
macro_rules! copy_unindexed_consumer {
    ($([$($gen:tt)*] $ty:ty, $item:ty;)*) => {$(
        impl<$($gen)*> UnindexedConsumer<$item> for $ty
        where
            $ty: Consumer<$item> + Copy,
            <$ty as Consumer<$item>>::Reducer: Default,
        {
            fn split_off_left(&self) -> Self {
                *self
            }
            fn to_reducer(&self) -> Self::Reducer {
                Default::default()
            }
        }
    )*};
}

// ---- for_each ---------------------------------------------------------------

pub(super) struct ForEachConsumer<'f, F> {
    op: &'f F,
}

impl<F> Clone for ForEachConsumer<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for ForEachConsumer<'_, F> {}

impl<'f, F> ForEachConsumer<'f, F> {
    pub(super) fn new(op: &'f F) -> Self {
        ForEachConsumer { op }
    }
}

/// Combines two `()` results, or two counts.
#[derive(Default)]
pub(super) struct UnitReducer;

impl Reducer<()> for UnitReducer {
    fn reduce(self, _: (), _: ()) {}
}

impl<F: Fn(T) + Sync, T> Consumer<T> for ForEachConsumer<'_, F> {
    type Folder = Self;
    type Reducer = UnitReducer;
    type Result = ();
    fn split_at(self, _index: usize) -> (Self, Self, UnitReducer) {
        (self, self, UnitReducer)
    }
    fn into_folder(self) -> Self {
        self
    }
    fn full(&self) -> bool {
        false
    }
    /// One accumulator for the whole piece.
    fn can_continue(&self, _folder: &Self::Folder) -> bool {
        true
    }
}

impl<F: Fn(T), T> Folder<T> for ForEachConsumer<'_, F> {
    type Result = ();
    fn consume(self, item: T) -> Self {
        (self.op)(item);
        self
    }
    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        iter.into_iter().for_each(self.op);
        self
    }
    fn complete(self) {}
    fn full(&self) -> bool {
        false
    }
}

copy_unindexed_consumer! { ['f, F: Fn(T) + Sync, T] ForEachConsumer<'f, F>, T; }

// ---- sum and product ---------------------------------------------------------

/// How `sum` / `product` accumulate: `Add` or `Multiply`.
pub(super) trait Accumulate<S, T> {
    fn of<I: Iterator<Item = T>>(iter: I) -> S;
}

/// How two accumulated values combine.
pub(super) trait Combine<S> {
    fn two(a: S, b: S) -> S;
}

pub(super) struct Add;
pub(super) struct Multiply;

impl<S: Sum<T>, T> Accumulate<S, T> for Add {
    fn of<I: Iterator<Item = T>>(iter: I) -> S {
        iter.sum()
    }
}
impl<S: Sum<S>> Combine<S> for Add {
    fn two(a: S, b: S) -> S {
        [a, b].into_iter().sum()
    }
}
impl<S: Product<T>, T> Accumulate<S, T> for Multiply {
    fn of<I: Iterator<Item = T>>(iter: I) -> S {
        iter.product()
    }
}
impl<S: Product<S>> Combine<S> for Multiply {
    fn two(a: S, b: S) -> S {
        [a, b].into_iter().product()
    }
}

pub(super) struct SumConsumer<S, A> {
    _marker: PhantomData<fn() -> (S, A)>,
}

impl<S, A> SumConsumer<S, A> {
    pub(super) fn new() -> Self {
        SumConsumer {
            _marker: PhantomData,
        }
    }
}

impl<S, A> Clone for SumConsumer<S, A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S, A> Copy for SumConsumer<S, A> {}

pub(super) struct SumReducer<A>(PhantomData<fn() -> A>);

impl<A> Default for SumReducer<A> {
    fn default() -> Self {
        SumReducer(PhantomData)
    }
}

impl<S, A: Combine<S>> Reducer<S> for SumReducer<A> {
    fn reduce(self, left: S, right: S) -> S {
        A::two(left, right)
    }
}

impl<S: Send, A: Accumulate<S, T> + Combine<S>, T> Consumer<T> for SumConsumer<S, A> {
    type Folder = SumFolder<S, A>;
    type Reducer = SumReducer<A>;
    type Result = S;
    fn split_at(self, _index: usize) -> (Self, Self, SumReducer<A>) {
        (self, self, SumReducer::default())
    }
    fn into_folder(self) -> SumFolder<S, A> {
        SumFolder {
            acc: A::of(core::iter::empty()),
            _marker: PhantomData,
        }
    }
    fn full(&self) -> bool {
        false
    }
    /// One accumulator for the whole piece.
    fn can_continue(&self, _folder: &Self::Folder) -> bool {
        true
    }
}

copy_unindexed_consumer! { [S: Send, A: Accumulate<S, T> + Combine<S>, T] SumConsumer<S, A>, T; }

pub(super) struct SumFolder<S, A> {
    acc: S,
    _marker: PhantomData<fn() -> A>,
}

impl<S, A: Accumulate<S, T> + Combine<S>, T> Folder<T> for SumFolder<S, A> {
    type Result = S;
    fn consume(self, item: T) -> Self {
        self.consume_iter(core::iter::once(item))
    }
    /// The whole piece at once: the leaf loop is the sequential `sum`.
    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        SumFolder {
            acc: A::two(self.acc, A::of(iter.into_iter())),
            _marker: PhantomData,
        }
    }
    fn complete(self) -> S {
        self.acc
    }
    fn full(&self) -> bool {
        false
    }
}

// ---- count -------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(super) struct CountConsumer;

#[derive(Default)]
pub(super) struct CountReducer;

impl Reducer<usize> for CountReducer {
    fn reduce(self, left: usize, right: usize) -> usize {
        left + right
    }
}

/// Counts the items of a piece.
pub(super) struct CountFolder(usize);

impl<T> Consumer<T> for CountConsumer {
    type Folder = CountFolder;
    type Reducer = CountReducer;
    type Result = usize;
    fn split_at(self, _index: usize) -> (Self, Self, CountReducer) {
        (self, self, CountReducer)
    }
    fn into_folder(self) -> CountFolder {
        CountFolder(0)
    }
    fn full(&self) -> bool {
        false
    }
    /// One accumulator for the whole piece.
    fn can_continue(&self, _folder: &Self::Folder) -> bool {
        true
    }
}

copy_unindexed_consumer! { [T] CountConsumer, T; }

impl<T> Folder<T> for CountFolder {
    type Result = usize;
    fn consume(self, _item: T) -> Self {
        CountFolder(self.0 + 1)
    }
    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        CountFolder(self.0 + iter.into_iter().count())
    }
    fn complete(self) -> usize {
        self.0
    }
    fn full(&self) -> bool {
        false
    }
}

// ---- reduce ------------------------------------------------------------------

pub(super) struct ReduceConsumer<'f, ID, OP> {
    identity: &'f ID,
    op: &'f OP,
}

impl<ID, OP> Clone for ReduceConsumer<'_, ID, OP> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<ID, OP> Copy for ReduceConsumer<'_, ID, OP> {}

impl<'f, ID, OP> ReduceConsumer<'f, ID, OP> {
    pub(super) fn new(identity: &'f ID, op: &'f OP) -> Self {
        ReduceConsumer { identity, op }
    }
}

impl<'f, T, ID, OP> Consumer<T> for ReduceConsumer<'f, ID, OP>
where
    T: Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> T + Sync,
{
    type Folder = ReduceFolder<'f, T, OP>;
    type Reducer = Self;
    type Result = T;
    fn split_at(self, _index: usize) -> (Self, Self, Self) {
        (self, self, self)
    }
    fn into_folder(self) -> Self::Folder {
        ReduceFolder {
            acc: (self.identity)(),
            op: self.op,
        }
    }
    fn full(&self) -> bool {
        false
    }
    /// One accumulator for the whole piece.
    fn can_continue(&self, _folder: &Self::Folder) -> bool {
        true
    }
}

impl<T, ID, OP> UnindexedConsumer<T> for ReduceConsumer<'_, ID, OP>
where
    T: Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> T + Sync,
{
    fn split_off_left(&self) -> Self {
        *self
    }
    fn to_reducer(&self) -> Self {
        *self
    }
}

impl<T, ID, OP: Fn(T, T) -> T> Reducer<T> for ReduceConsumer<'_, ID, OP> {
    fn reduce(self, left: T, right: T) -> T {
        (self.op)(left, right)
    }
}

pub(super) struct ReduceFolder<'f, T, OP> {
    acc: T,
    op: &'f OP,
}

impl<T, OP: Fn(T, T) -> T> Folder<T> for ReduceFolder<'_, T, OP> {
    type Result = T;
    fn consume(self, item: T) -> Self {
        ReduceFolder {
            acc: (self.op)(self.acc, item),
            op: self.op,
        }
    }
    fn complete(self) -> T {
        self.acc
    }
    fn full(&self) -> bool {
        false
    }
}

//! `map` and the adapters that, like it, turn each item into one item:
//! `map_with`, `map_init`, `cloned`, `copied`, `inspect`, `update`. The per-item
//! operation (an [`ItemOp`]) is owned by the adapter and borrowed by the
//! producer, consumer and folder that apply it, for the duration of the
//! `with_producer` callback or the `drive` call (the ownership argument of
//! the producer design). The forwarding of `Producer`, `Consumer` and
//! `Folder` is written once, here.

use super::plumbing::{Consumer, Folder, Producer, ProducerCallback, UnindexedConsumer};
use super::{IndexedParallelIterator, ParallelIterator};

/// An operation that turns each item into one item. Every piece of the
/// producer, consumer and folder carries a clone of it (a reference to the
/// adapter's closure, plus a seed for `map_with` / `map_init`), and
/// [`start`](ItemOp::start)s it when the piece is folded.
pub(super) trait ItemOp<T>: Clone + Send {
    type Output: Send;
    /// The operation as one piece applies it (with its state, if any).
    type Running: RunOp<T, Output = Self::Output>;
    fn start(self) -> Self::Running;
}

/// An operation being applied to the items of one piece, in order.
pub(super) trait RunOp<T> {
    type Output;
    fn apply(&mut self, item: T) -> Self::Output;
}

/// An operation without per-piece state.
pub(super) trait StatelessOp<T>: Copy + Send + Sync {
    type Output: Send;
    fn apply(&self, item: T) -> Self::Output;
}

impl<T, O: StatelessOp<T>> ItemOp<T> for O {
    type Output = O::Output;
    type Running = O;
    fn start(self) -> O {
        self
    }
}

impl<T, O: StatelessOp<T>> RunOp<T> for O {
    type Output = O::Output;
    #[inline]
    fn apply(&mut self, item: T) -> O::Output {
        StatelessOp::apply(self, item)
    }
}

/// Where a piece's state comes from: a clone of a value (`map_with`,
/// `fold_with`), or a call of an init closure (`map_init`, `fold`). The
/// seed is cloned for every piece split off, and started (the value moved
/// out, or the closure called) once per piece, when it is folded.
pub(super) trait Seed: Clone + Send {
    type State;
    fn start(self) -> Self::State;
}

/// A value cloned for every piece.
#[derive(Clone)]
pub(super) struct CloneSeed<T>(pub(super) T);

impl<T: Clone + Send> Seed for CloneSeed<T> {
    type State = T;
    fn start(self) -> T {
        self.0
    }
}

/// A closure called once per piece.
pub(super) struct InitSeed<'f, INIT>(pub(super) &'f INIT);

impl<INIT> Clone for InitSeed<'_, INIT> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<INIT> Copy for InitSeed<'_, INIT> {}

impl<T, INIT: Fn() -> T + Sync> Seed for InitSeed<'_, INIT> {
    type State = T;
    fn start(self) -> T {
        (self.0)()
    }
}

/// Declares an adapter over an `ItemOp`: the struct, its constructor, and
/// the `ParallelIterator` / `IndexedParallelIterator` impls, which hand the
/// base iterator a consumer or a producer callback that applies the op.
macro_rules! item_op_adapter {
    (
        $(#[$doc:meta])*
        $name:ident<I $(, $f:ident)*> { $($field:ident: $fty:ty),* }
        impl[$($gen:tt)*] item($item:ty) where [$($bounds:tt)*]
        op = $op:expr;
    ) => {
        $(#[$doc])*
        #[derive(Clone)]
        #[must_use = "iterator adapters are lazy and do nothing unless consumed"]
        pub struct $name<I $(, $f)*> {
            base: I,
            $($field: $fty),*
        }

        impl<I $(, $f)*> $name<I $(, $f)*> {
            pub(super) fn new(base: I $(, $field: $fty)*) -> Self {
                $name { base $(, $field)* }
            }
        }

        impl<I: core::fmt::Debug $(, $f)*> core::fmt::Debug for $name<I $(, $f)*> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name)).field("base", &self.base).finish()
            }
        }

        impl<$($gen)* I $(, $f)*> ParallelIterator for $name<I $(, $f)*>
        where
            I: ParallelIterator,
            $($bounds)*
        {
            type Item = $item;

            fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
                let $name { base $(, $field)* } = self;
                base.drive_unindexed(OpConsumer { base: consumer, op: $op })
            }

            fn opt_len(&self) -> Option<usize> {
                self.base.opt_len()
            }
        }

        impl<$($gen)* I $(, $f)*> IndexedParallelIterator for $name<I $(, $f)*>
        where
            I: IndexedParallelIterator,
            $($bounds)*
        {
            fn len(&self) -> usize {
                self.base.len()
            }

            fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
                let $name { base $(, $field)* } = self;
                base.drive(OpConsumer { base: consumer, op: $op })
            }

            fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
                let $name { base $(, $field)* } = self;
                base.with_producer(OpCallback { callback, op: $op })
            }
        }
    };
}

item_op_adapter! {
    /// [`ParallelIterator::map`].
    Map<I, F> { map_op: F }
    impl[R,] item(R) where [F: Fn(I::Item) -> R + Sync + Send, R: Send,]
    op = FnOp(&map_op);
}

item_op_adapter! {
    /// [`ParallelIterator::map_with`].
    MapWith<I, T, F> { item: T, map_op: F }
    impl[R,] item(R) where [T: Clone + Send, F: Fn(&mut T, I::Item) -> R + Sync + Send, R: Send,]
    op = SeededOp { seed: CloneSeed(item), op: &map_op };
}

item_op_adapter! {
    /// [`ParallelIterator::map_init`].
    MapInit<I, INIT, F> { init: INIT, map_op: F }
    impl[T, R,] item(R) where [INIT: Fn() -> T + Sync + Send, F: Fn(&mut T, I::Item) -> R + Sync + Send, R: Send,]
    op = SeededOp { seed: InitSeed(&init), op: &map_op };
}

item_op_adapter! {
    /// [`ParallelIterator::cloned`].
    Cloned<I> {}
    impl['a, T,] item(T) where [I: ParallelIterator<Item = &'a T>, T: 'a + Clone + Send + Sync,]
    op = ClonedOp;
}

item_op_adapter! {
    /// [`ParallelIterator::copied`].
    Copied<I> {}
    impl['a, T,] item(T) where [I: ParallelIterator<Item = &'a T>, T: 'a + Copy + Send + Sync,]
    op = CopiedOp;
}

item_op_adapter! {
    /// [`ParallelIterator::inspect`].
    Inspect<I, F> { inspect_op: F }
    impl[] item(I::Item) where [F: Fn(&I::Item) + Sync + Send,]
    op = InspectOp(&inspect_op);
}

item_op_adapter! {
    /// [`ParallelIterator::update`].
    Update<I, F> { update_op: F }
    impl[] item(I::Item) where [F: Fn(&mut I::Item) + Sync + Send,]
    op = UpdateOp(&update_op);
}

/// `map`'s closure as an `ItemOp`.
struct FnOp<'f, F>(&'f F);

impl<F> Clone for FnOp<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for FnOp<'_, F> {}

impl<T, R: Send, F: Fn(T) -> R + Sync> StatelessOp<T> for FnOp<'_, F> {
    type Output = R;
    fn apply(&self, item: T) -> R {
        (self.0)(item)
    }
}

/// `cloned`.
#[derive(Clone, Copy)]
struct ClonedOp;

impl<'a, T: Clone + Send + Sync + 'a> StatelessOp<&'a T> for ClonedOp {
    type Output = T;
    fn apply(&self, item: &'a T) -> T {
        item.clone()
    }
}

/// `copied`.
#[derive(Clone, Copy)]
struct CopiedOp;

impl<'a, T: Copy + Send + Sync + 'a> StatelessOp<&'a T> for CopiedOp {
    type Output = T;
    fn apply(&self, item: &'a T) -> T {
        *item
    }
}

/// `inspect`'s closure: sees each item, passes it on.
struct InspectOp<'f, F>(&'f F);

impl<F> Clone for InspectOp<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for InspectOp<'_, F> {}

impl<T: Send, F: Fn(&T) + Sync> StatelessOp<T> for InspectOp<'_, F> {
    type Output = T;
    fn apply(&self, item: T) -> T {
        (self.0)(&item);
        item
    }
}

/// `map_with` / `map_init`'s closure, with the piece's state from `seed`.
struct SeededOp<'f, S, F> {
    seed: S,
    op: &'f F,
}

impl<S: Clone, F> Clone for SeededOp<'_, S, F> {
    fn clone(&self) -> Self {
        SeededOp {
            seed: self.seed.clone(),
            op: self.op,
        }
    }
}

impl<'f, T, R, S, F> ItemOp<T> for SeededOp<'f, S, F>
where
    R: Send,
    S: Seed,
    F: Fn(&mut S::State, T) -> R + Sync,
{
    type Output = R;
    type Running = Seeded<'f, S::State, F>;
    fn start(self) -> Self::Running {
        Seeded {
            state: self.seed.start(),
            op: self.op,
        }
    }
}

/// A piece's state and the closure that maps with it.
struct Seeded<'f, S, F> {
    state: S,
    op: &'f F,
}

impl<T, R, S, F: Fn(&mut S, T) -> R> RunOp<T> for Seeded<'_, S, F> {
    type Output = R;
    #[inline]
    fn apply(&mut self, item: T) -> R {
        (self.op)(&mut self.state, item)
    }
}

/// `update`'s closure: changes each item in place, passes it on.
struct UpdateOp<'f, F>(&'f F);

impl<F> Clone for UpdateOp<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for UpdateOp<'_, F> {}

impl<T: Send, F: Fn(&mut T) + Sync> StatelessOp<T> for UpdateOp<'_, F> {
    type Output = T;
    fn apply(&self, mut item: T) -> T {
        (self.0)(&mut item);
        item
    }
}

/// Hands the base's producer on, wrapped so that it applies the op.
struct OpCallback<CB, O> {
    callback: CB,
    op: O,
}

impl<T, CB, O> ProducerCallback<T> for OpCallback<CB, O>
where
    O: ItemOp<T>,
    CB: ProducerCallback<O::Output>,
{
    type Output = CB::Output;
    fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
        self.callback.callback(OpProducer { base, op: self.op })
    }
}

struct OpProducer<P, O> {
    base: P,
    op: O,
}

impl<P, O> Producer for OpProducer<P, O>
where
    P: Producer,
    O: ItemOp<P::Item>,
{
    type Item = O::Output;
    type IntoIter = OpIter<P::IntoIter, O::Running>;

    fn into_iter(self) -> Self::IntoIter {
        OpIter {
            base: self.base.into_iter(),
            op: self.op.start(),
        }
    }
    fn min_len(&self) -> usize {
        self.base.min_len()
    }
    fn max_len(&self) -> usize {
        self.base.max_len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        let op = self.op.clone();
        (
            OpProducer { base: left, op },
            OpProducer {
                base: right,
                op: self.op,
            },
        )
    }
    fn fold_with<G: Folder<O::Output>>(self, folder: G) -> G {
        self.base
            .fold_with(OpFolder {
                base: folder,
                op: self.op.start(),
            })
            .base
    }
}

/// A producer piece's sequential iterator: the base's, with the op applied.
struct OpIter<I, R> {
    base: I,
    op: R,
}

impl<I: Iterator, R: RunOp<I::Item>> Iterator for OpIter<I, R> {
    type Item = R::Output;
    #[inline]
    fn next(&mut self) -> Option<R::Output> {
        self.base.next().map(|item| self.op.apply(item))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.base.size_hint()
    }
    #[inline]
    fn fold<B, G: FnMut(B, R::Output) -> B>(self, init: B, mut g: G) -> B {
        let mut op = self.op;
        self.base
            .fold(init, move |acc, item| g(acc, op.apply(item)))
    }
}

impl<I: DoubleEndedIterator, R: RunOp<I::Item>> DoubleEndedIterator for OpIter<I, R> {
    #[inline]
    fn next_back(&mut self) -> Option<R::Output> {
        self.base.next_back().map(|item| self.op.apply(item))
    }
}

impl<I: ExactSizeIterator, R: RunOp<I::Item>> ExactSizeIterator for OpIter<I, R> {}

struct OpConsumer<C, O> {
    base: C,
    op: O,
}

impl<T, C, O> Consumer<T> for OpConsumer<C, O>
where
    O: ItemOp<T>,
    C: Consumer<O::Output>,
{
    type Folder = OpFolder<C::Folder, O::Running>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        let op = self.op.clone();
        (
            OpConsumer { base: left, op },
            OpConsumer {
                base: right,
                op: self.op,
            },
            reducer,
        )
    }
    fn into_folder(self) -> Self::Folder {
        OpFolder {
            base: self.base.into_folder(),
            op: self.op.start(),
        }
    }
    fn full(&self) -> bool {
        self.base.full()
    }
    fn can_continue(&self, folder: &Self::Folder) -> bool {
        self.base.can_continue(&folder.base)
    }
    /// The running op goes on too (a `map_init` value serves the whole
    /// piece).
    fn continue_folder(self, folder: Self::Folder) -> Self::Folder {
        OpFolder {
            base: self.base.continue_folder(folder.base),
            op: folder.op,
        }
    }
}

impl<T, C, O> UnindexedConsumer<T> for OpConsumer<C, O>
where
    O: ItemOp<T>,
    C: UnindexedConsumer<O::Output>,
{
    fn split_off_left(&self) -> Self {
        OpConsumer {
            base: self.base.split_off_left(),
            op: self.op.clone(),
        }
    }
    fn to_reducer(&self) -> C::Reducer {
        self.base.to_reducer()
    }
}

struct OpFolder<G, R> {
    base: G,
    op: R,
}

impl<T, G, R> Folder<T> for OpFolder<G, R>
where
    R: RunOp<T>,
    G: Folder<R::Output>,
{
    type Result = G::Result;
    fn consume(mut self, item: T) -> Self {
        let out = self.op.apply(item);
        OpFolder {
            base: self.base.consume(out),
            op: self.op,
        }
    }
    fn consume_iter<It: IntoIterator<Item = T>>(mut self, iter: It) -> Self {
        let op = &mut self.op;
        let base = self
            .base
            .consume_iter(iter.into_iter().map(|item| op.apply(item)));
        OpFolder { base, op: self.op }
    }
    fn complete(self) -> G::Result {
        self.base.complete()
    }
    fn full(&self) -> bool {
        self.base.full()
    }
}

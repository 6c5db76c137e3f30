//! `fold` and `fold_with`: every piece folds its items into an accumulator
//! of its own, and the accumulators are the items of a new (unindexed)
//! parallel iterator, one per piece. How many pieces there are depends on
//! how the pool split the work, so the result is usually reduced again
//! (`fold(..).sum()`, `fold(..).reduce(..)`).

use super::ParallelIterator;
use super::map::{CloneSeed, InitSeed, Seed};
use super::plumbing::{Consumer, Folder, UnindexedConsumer};

/// [`ParallelIterator::fold`].
#[derive(Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Fold<I, ID, F> {
    base: I,
    identity: ID,
    fold_op: F,
}

impl<I, ID, F> Fold<I, ID, F> {
    pub(super) fn new(base: I, identity: ID, fold_op: F) -> Self {
        Fold {
            base,
            identity,
            fold_op,
        }
    }
}

impl<I: core::fmt::Debug, ID, F> core::fmt::Debug for Fold<I, ID, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Fold").field("base", &self.base).finish()
    }
}

impl<I, ID, F, T> ParallelIterator for Fold<I, ID, F>
where
    I: ParallelIterator,
    ID: Fn() -> T + Sync + Send,
    F: Fn(T, I::Item) -> T + Sync + Send,
    T: Send,
{
    type Item = T;

    fn drive_unindexed<C: UnindexedConsumer<T>>(self, consumer: C) -> C::Result {
        self.base.drive_unindexed(FoldConsumer {
            base: consumer,
            seed: InitSeed(&self.identity),
            fold_op: &self.fold_op,
        })
    }
}

/// [`ParallelIterator::fold_with`].
#[derive(Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct FoldWith<I, T, F> {
    base: I,
    item: T,
    fold_op: F,
}

impl<I, T, F> FoldWith<I, T, F> {
    pub(super) fn new(base: I, item: T, fold_op: F) -> Self {
        FoldWith {
            base,
            item,
            fold_op,
        }
    }
}

impl<I: core::fmt::Debug, T: core::fmt::Debug, F> core::fmt::Debug for FoldWith<I, T, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FoldWith")
            .field("base", &self.base)
            .field("item", &self.item)
            .finish()
    }
}

impl<I, T, F> ParallelIterator for FoldWith<I, T, F>
where
    I: ParallelIterator,
    F: Fn(T, I::Item) -> T + Sync + Send,
    T: Clone + Send,
{
    type Item = T;

    fn drive_unindexed<C: UnindexedConsumer<T>>(self, consumer: C) -> C::Result {
        self.base.drive_unindexed(FoldConsumer {
            base: consumer,
            seed: CloneSeed(self.item),
            fold_op: &self.fold_op,
        })
    }
}

/// Consumes the base's items: each piece's folder starts an accumulator
/// from `seed` and, when complete, hands it as one item to the folder of
/// the consumer below.
struct FoldConsumer<'f, C, S, F> {
    base: C,
    seed: S,
    fold_op: &'f F,
}

impl<'f, T, C, S, F> Consumer<T> for FoldConsumer<'f, C, S, F>
where
    S: Seed,
    C: Consumer<S::State>,
    F: Fn(S::State, T) -> S::State + Sync,
{
    type Folder = FoldFolder<'f, C::Folder, S::State, F>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        let fold_op = self.fold_op;
        let seed = self.seed.clone();
        (
            FoldConsumer {
                base: left,
                seed,
                fold_op,
            },
            FoldConsumer {
                base: right,
                seed: self.seed,
                fold_op,
            },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        FoldFolder {
            base: self.base.into_folder(),
            acc: self.seed.start(),
            fold_op: self.fold_op,
        }
    }

    fn full(&self) -> bool {
        self.base.full()
    }

    fn can_continue(&self, folder: &Self::Folder) -> bool {
        self.base.can_continue(&folder.base)
    }

    /// One accumulator for the whole piece, as if it had not been cut.
    fn continue_folder(self, folder: Self::Folder) -> Self::Folder {
        FoldFolder {
            base: self.base.continue_folder(folder.base),
            acc: folder.acc,
            fold_op: folder.fold_op,
        }
    }
}

impl<T, C, S, F> UnindexedConsumer<T> for FoldConsumer<'_, C, S, F>
where
    S: Seed,
    C: UnindexedConsumer<S::State>,
    F: Fn(S::State, T) -> S::State + Sync,
{
    fn split_off_left(&self) -> Self {
        FoldConsumer {
            base: self.base.split_off_left(),
            seed: self.seed.clone(),
            fold_op: self.fold_op,
        }
    }

    fn to_reducer(&self) -> C::Reducer {
        self.base.to_reducer()
    }
}

struct FoldFolder<'f, G, A, F> {
    base: G,
    acc: A,
    fold_op: &'f F,
}

impl<T, G, A, F> Folder<T> for FoldFolder<'_, G, A, F>
where
    G: Folder<A>,
    F: Fn(A, T) -> A,
{
    type Result = G::Result;

    fn consume(self, item: T) -> Self {
        FoldFolder {
            acc: (self.fold_op)(self.acc, item),
            ..self
        }
    }

    /// The whole piece in one sequential `fold`, stopping only if the
    /// consumer below wants no more (the only way this folder is full).
    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        let base = &self.base;
        let acc = iter
            .into_iter()
            .take_while(|_| !base.full())
            .fold(self.acc, self.fold_op);
        FoldFolder { acc, ..self }
    }

    fn complete(self) -> G::Result {
        self.base.consume(self.acc).complete()
    }

    fn full(&self) -> bool {
        self.base.full()
    }
}

//! The fallible operations: `try_fold` / `try_fold_with` (an adapter) and
//! `try_reduce` / `try_reduce_with` (under `try_for_each*` too), over any
//! [`Try`] type (`Option`, `Result`, `ControlFlow`). The first failure any
//! piece meets stops the others, through one shared word, like the
//! searches; which failure is returned when several pieces fail is not
//! specified (as in rayon).

use super::ParallelIterator;
use super::map::{CloneSeed, InitSeed, Seed};
use super::plumbing::{Consumer, Folder, Reducer, UnindexedConsumer};
use core::convert::Infallible;
use core::ops::ControlFlow;
use core::sync::atomic::{AtomicBool, Ordering};

/// Stable stand-in for `core::ops::Try`: the types a fallible operation
/// may return. Implemented for `Option<T>`, `Result<T, E>` and
/// `ControlFlow<B, C>`; sealed (its module is private), as rayon's.
pub trait Try {
    /// The value of a success.
    type Output;
    /// What a failure carries on (`Option<Infallible>`, `Result<Infallible, E>`).
    type Residual;
    /// A success.
    fn from_output(output: Self::Output) -> Self;
    /// A failure.
    fn from_residual(residual: Self::Residual) -> Self;
    /// Success or failure.
    fn branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

impl<T> Try for Option<T> {
    type Output = T;
    type Residual = Option<Infallible>;
    fn from_output(output: T) -> Self {
        Some(output)
    }
    fn from_residual(_: Option<Infallible>) -> Self {
        None
    }
    fn branch(self) -> ControlFlow<Option<Infallible>, T> {
        match self {
            Some(output) => ControlFlow::Continue(output),
            None => ControlFlow::Break(None),
        }
    }
}

impl<T, E> Try for Result<T, E> {
    type Output = T;
    type Residual = Result<Infallible, E>;
    fn from_output(output: T) -> Self {
        Ok(output)
    }
    fn from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(e) => Err(e),
        }
    }
    fn branch(self) -> ControlFlow<Result<Infallible, E>, T> {
        match self {
            Ok(output) => ControlFlow::Continue(output),
            Err(e) => ControlFlow::Break(Err(e)),
        }
    }
}

impl<B, C> Try for ControlFlow<B, C> {
    type Output = C;
    type Residual = ControlFlow<B, Infallible>;
    fn from_output(output: C) -> Self {
        ControlFlow::Continue(output)
    }
    fn from_residual(residual: ControlFlow<B, Infallible>) -> Self {
        match residual {
            ControlFlow::Break(b) => ControlFlow::Break(b),
        }
    }
    fn branch(self) -> ControlFlow<ControlFlow<B, Infallible>, C> {
        match self {
            ControlFlow::Continue(c) => ControlFlow::Continue(c),
            ControlFlow::Break(b) => ControlFlow::Break(ControlFlow::Break(b)),
        }
    }
}

// ---- try_reduce / try_reduce_with ---------------------------------------------

/// Reduces the items (each a `Try`) with `op`, each piece starting from
/// `identity()` (`try_reduce`) or from its first item (`try_reduce_with`,
/// `identity` `None`); `None` if there were no items and no identity.
pub(super) fn try_reduce<I, T, ID, OP>(iter: I, identity: Option<&ID>, op: &OP) -> Option<I::Item>
where
    I: ParallelIterator,
    I::Item: Try<Output = T>,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> I::Item + Sync,
{
    let failed = AtomicBool::new(false);
    iter.drive_unindexed(TryReduceConsumer {
        identity,
        op,
        failed: &failed,
    })
}

struct TryReduceConsumer<'f, ID, OP> {
    identity: Option<&'f ID>,
    op: &'f OP,
    failed: &'f AtomicBool,
}

impl<ID, OP> Clone for TryReduceConsumer<'_, ID, OP> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<ID, OP> Copy for TryReduceConsumer<'_, ID, OP> {}

impl<'f, T, R, ID, OP> Consumer<R> for TryReduceConsumer<'f, ID, OP>
where
    R: Try<Output = T> + Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> R + Sync,
{
    type Folder = TryReduceFolder<'f, ID, OP, T, R::Residual>;
    type Reducer = Self;
    type Result = Option<R>;

    fn split_at(self, _index: usize) -> (Self, Self, Self) {
        (self, self, self)
    }

    fn into_folder(self) -> Self::Folder {
        TryReduceFolder {
            consumer: self,
            acc: ControlFlow::Continue(self.identity.map(|identity| identity())),
        }
    }

    fn full(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// One accumulator for the whole piece.
    fn can_continue(&self, _folder: &Self::Folder) -> bool {
        true
    }
}

impl<T, R, ID, OP> UnindexedConsumer<R> for TryReduceConsumer<'_, ID, OP>
where
    R: Try<Output = T> + Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> R + Sync,
{
    fn split_off_left(&self) -> Self {
        *self
    }

    fn to_reducer(&self) -> Self {
        *self
    }
}

impl<T, R, ID, OP> Reducer<Option<R>> for TryReduceConsumer<'_, ID, OP>
where
    R: Try<Output = T>,
    OP: Fn(T, T) -> R,
{
    fn reduce(self, left: Option<R>, right: Option<R>) -> Option<R> {
        let (left, right) = match (left, right) {
            (None, one) | (one, None) => return one,
            (Some(left), Some(right)) => (left, right),
        };
        Some(match (left.branch(), right.branch()) {
            (ControlFlow::Continue(a), ControlFlow::Continue(b)) => (self.op)(a, b),
            (ControlFlow::Break(failure), _) | (_, ControlFlow::Break(failure)) => {
                R::from_residual(failure)
            }
        })
    }
}

struct TryReduceFolder<'f, ID, OP, T, F> {
    consumer: TryReduceConsumer<'f, ID, OP>,
    /// The piece's value so far (`None`: no item yet, no identity), or its
    /// failure.
    acc: ControlFlow<F, Option<T>>,
}

impl<T, R, ID, OP> Folder<R> for TryReduceFolder<'_, ID, OP, T, R::Residual>
where
    R: Try<Output = T>,
    OP: Fn(T, T) -> R,
{
    type Result = Option<R>;

    fn consume(self, item: R) -> Self {
        let ControlFlow::Continue(acc) = self.acc else {
            return self;
        };
        let next = match (acc, item.branch()) {
            (_, ControlFlow::Break(failure)) => ControlFlow::Break(failure),
            (None, ControlFlow::Continue(b)) => ControlFlow::Continue(b),
            (Some(a), ControlFlow::Continue(b)) => (self.consumer.op)(a, b).branch(),
        };
        if next.is_break() {
            self.consumer.failed.store(true, Ordering::Relaxed);
        }
        TryReduceFolder {
            consumer: self.consumer,
            acc: next.map_continue(Some),
        }
    }

    fn complete(self) -> Option<R> {
        match self.acc {
            ControlFlow::Continue(acc) => acc.map(R::from_output),
            ControlFlow::Break(failure) => Some(R::from_residual(failure)),
        }
    }

    fn full(&self) -> bool {
        self.acc.is_break() || self.consumer.failed.load(Ordering::Relaxed)
    }
}

// ---- try_fold / try_fold_with --------------------------------------------------

/// [`ParallelIterator::try_fold`].
#[derive(Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct TryFold<I, ID, F> {
    base: I,
    identity: ID,
    fold_op: F,
}

impl<I, ID, F> TryFold<I, ID, F> {
    pub(super) fn new(base: I, identity: ID, fold_op: F) -> Self {
        TryFold {
            base,
            identity,
            fold_op,
        }
    }
}

impl<I: core::fmt::Debug, ID, F> core::fmt::Debug for TryFold<I, ID, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TryFold").field("base", &self.base).finish()
    }
}

impl<I, ID, F, T, R> ParallelIterator for TryFold<I, ID, F>
where
    I: ParallelIterator,
    ID: Fn() -> T + Sync + Send,
    F: Fn(T, I::Item) -> R + Sync + Send,
    R: Try<Output = T> + Send,
{
    type Item = R;

    fn drive_unindexed<C: UnindexedConsumer<R>>(self, consumer: C) -> C::Result {
        self.base.drive_unindexed(TryFoldConsumer {
            base: consumer,
            seed: InitSeed(&self.identity),
            fold_op: &self.fold_op,
        })
    }
}

/// [`ParallelIterator::try_fold_with`].
#[derive(Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct TryFoldWith<I, T, F> {
    base: I,
    item: T,
    fold_op: F,
}

impl<I, T, F> TryFoldWith<I, T, F> {
    pub(super) fn new(base: I, item: T, fold_op: F) -> Self {
        TryFoldWith {
            base,
            item,
            fold_op,
        }
    }
}

impl<I: core::fmt::Debug, T, F> core::fmt::Debug for TryFoldWith<I, T, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TryFoldWith")
            .field("base", &self.base)
            .finish()
    }
}

impl<I, T, F, R> ParallelIterator for TryFoldWith<I, T, F>
where
    I: ParallelIterator,
    T: Clone + Send,
    F: Fn(T, I::Item) -> R + Sync + Send,
    R: Try<Output = T> + Send,
{
    type Item = R;

    fn drive_unindexed<C: UnindexedConsumer<R>>(self, consumer: C) -> C::Result {
        self.base.drive_unindexed(TryFoldConsumer {
            base: consumer,
            seed: CloneSeed(self.item),
            fold_op: &self.fold_op,
        })
    }
}

/// Like `fold`'s consumer, but a piece stops at its first failure, which
/// becomes its accumulator (each piece stops on its own; a failure is not
/// shared: the reduction that follows decides).
struct TryFoldConsumer<'f, C, S, F> {
    base: C,
    seed: S,
    fold_op: &'f F,
}

impl<'f, T, R, C, S, F> Consumer<T> for TryFoldConsumer<'f, C, S, F>
where
    S: Seed,
    R: Try<Output = S::State>,
    C: Consumer<R>,
    F: Fn(S::State, T) -> R + Sync,
{
    type Folder = TryFoldFolder<'f, C::Folder, S::State, R::Residual, F>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        let seed = self.seed.clone();
        let fold_op = self.fold_op;
        (
            TryFoldConsumer {
                base: left,
                seed,
                fold_op,
            },
            TryFoldConsumer {
                base: right,
                seed: self.seed,
                fold_op,
            },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        TryFoldFolder {
            base: self.base.into_folder(),
            acc: ControlFlow::Continue(self.seed.start()),
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
        TryFoldFolder {
            base: self.base.continue_folder(folder.base),
            acc: folder.acc,
            fold_op: folder.fold_op,
        }
    }
}

impl<T, R, C, S, F> UnindexedConsumer<T> for TryFoldConsumer<'_, C, S, F>
where
    S: Seed,
    R: Try<Output = S::State>,
    C: UnindexedConsumer<R>,
    F: Fn(S::State, T) -> R + Sync,
{
    fn split_off_left(&self) -> Self {
        TryFoldConsumer {
            base: self.base.split_off_left(),
            seed: self.seed.clone(),
            fold_op: self.fold_op,
        }
    }

    fn to_reducer(&self) -> C::Reducer {
        self.base.to_reducer()
    }
}

struct TryFoldFolder<'f, G, A, B, F> {
    base: G,
    acc: ControlFlow<B, A>,
    fold_op: &'f F,
}

impl<T, R, G, A, F> Folder<T> for TryFoldFolder<'_, G, A, R::Residual, F>
where
    R: Try<Output = A>,
    G: Folder<R>,
    F: Fn(A, T) -> R,
{
    type Result = G::Result;

    fn consume(self, item: T) -> Self {
        let acc = match self.acc {
            ControlFlow::Continue(acc) => (self.fold_op)(acc, item).branch(),
            failed => failed,
        };
        TryFoldFolder { acc, ..self }
    }

    fn complete(self) -> G::Result {
        let result = match self.acc {
            ControlFlow::Continue(acc) => R::from_output(acc),
            ControlFlow::Break(failure) => R::from_residual(failure),
        };
        self.base.consume(result).complete()
    }

    fn full(&self) -> bool {
        self.acc.is_break() || self.base.full()
    }
}

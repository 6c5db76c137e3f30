//! The adapters that turn each item into any number of items, on the
//! consumer side: `filter`, `filter_map`, `flat_map_iter`, `flatten_iter`.
//! They cannot know how many items come out, so they are never indexed:
//! they wrap the consumer they are driven with, and leave the producer (and
//! its splitting) alone. Each is an [`ExpandOp`]; the forwarding of
//! `Consumer` and `Folder` is written once, here.

use super::ParallelIterator;
use super::plumbing::{Consumer, Folder, UnindexedConsumer};

/// Turns one item into an iterator of items (for `filter`, an `Option`).
pub(super) trait ExpandOp<T>: Copy + Send + Sync {
    type Output: Send;
    type Expanded: IntoIterator<Item = Self::Output>;

    fn expand(&self, item: T) -> Self::Expanded;

    /// A whole leaf's items (overridden where std has a tighter loop than
    /// `flat_map`, such as `filter`).
    fn expand_all<I: Iterator<Item = T>>(self, iter: I) -> impl Iterator<Item = Self::Output> {
        iter.flat_map(move |item| self.expand(item))
    }
}

/// Declares an adapter over an `ExpandOp`: the struct, its constructor and
/// its `ParallelIterator` impl, which hands the base a consumer that
/// expands every item.
macro_rules! expand_adapter {
    (
        $(#[$doc:meta])*
        $name:ident<I $(, $f:ident)?> { $($field:ident: $fty:ty)? }
        impl[$($gen:tt)*] item($item:ty) where [$($bounds:tt)*]
        op = $op:expr;
    ) => {
        $(#[$doc])*
        #[derive(Clone)]
        #[must_use = "iterator adapters are lazy and do nothing unless consumed"]
        pub struct $name<I $(, $f)?> {
            base: I,
            $($field: $fty)?
        }

        impl<I $(, $f)?> $name<I $(, $f)?> {
            pub(super) fn new(base: I $(, $field: $fty)?) -> Self {
                $name { base $(, $field)? }
            }
        }

        impl<I: core::fmt::Debug $(, $f)?> core::fmt::Debug for $name<I $(, $f)?> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name)).field("base", &self.base).finish()
            }
        }

        impl<$($gen)* I $(, $f)?> ParallelIterator for $name<I $(, $f)?>
        where
            I: ParallelIterator,
            $($bounds)*
        {
            type Item = $item;

            fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
                let $name { base $(, $field)? } = self;
                base.drive_unindexed(ExpandConsumer { base: consumer, op: $op })
            }
        }
    };
}

expand_adapter! {
    /// [`ParallelIterator::filter`].
    Filter<I, P> { filter_op: P }
    impl[] item(I::Item) where [P: Fn(&I::Item) -> bool + Sync + Send,]
    op = FilterOp(&filter_op);
}

expand_adapter! {
    /// [`ParallelIterator::filter_map`].
    FilterMap<I, F> { filter_op: F }
    impl[R,] item(R) where [F: Fn(I::Item) -> Option<R> + Sync + Send, R: Send,]
    op = FilterMapOp(&filter_op);
}

expand_adapter! {
    /// [`ParallelIterator::flat_map_iter`].
    FlatMapIter<I, F> { map_op: F }
    impl[SI,] item(SI::Item) where [
        F: Fn(I::Item) -> SI + Sync + Send,
        SI: IntoIterator,
        SI::Item: Send,
    ]
    op = FlatMapOp(&map_op);
}

expand_adapter! {
    /// [`ParallelIterator::flatten_iter`].
    FlattenIter<I> {}
    impl[] item(<I::Item as IntoIterator>::Item) where [
        I::Item: IntoIterator,
        <I::Item as IntoIterator>::Item: Send,
    ]
    op = FlattenOp;
}

struct FilterOp<'f, P>(&'f P);

impl<P> Clone for FilterOp<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for FilterOp<'_, P> {}

impl<T: Send, P: Fn(&T) -> bool + Sync> ExpandOp<T> for FilterOp<'_, P> {
    type Output = T;
    type Expanded = Option<T>;
    fn expand(&self, item: T) -> Option<T> {
        (self.0)(&item).then_some(item)
    }
    fn expand_all<I: Iterator<Item = T>>(self, iter: I) -> impl Iterator<Item = T> {
        iter.filter(self.0)
    }
}

struct FilterMapOp<'f, F>(&'f F);

impl<F> Clone for FilterMapOp<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for FilterMapOp<'_, F> {}

impl<T, R: Send, F: Fn(T) -> Option<R> + Sync> ExpandOp<T> for FilterMapOp<'_, F> {
    type Output = R;
    type Expanded = Option<R>;
    fn expand(&self, item: T) -> Option<R> {
        (self.0)(item)
    }
    fn expand_all<I: Iterator<Item = T>>(self, iter: I) -> impl Iterator<Item = R> {
        iter.filter_map(self.0)
    }
}

struct FlatMapOp<'f, F>(&'f F);

impl<F> Clone for FlatMapOp<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for FlatMapOp<'_, F> {}

impl<T, SI, F> ExpandOp<T> for FlatMapOp<'_, F>
where
    F: Fn(T) -> SI + Sync,
    SI: IntoIterator,
    SI::Item: Send,
{
    type Output = SI::Item;
    type Expanded = SI;
    fn expand(&self, item: T) -> SI {
        (self.0)(item)
    }
}

#[derive(Clone, Copy)]
struct FlattenOp;

impl<T: IntoIterator> ExpandOp<T> for FlattenOp
where
    T::Item: Send,
{
    type Output = T::Item;
    type Expanded = T;
    fn expand(&self, item: T) -> T {
        item
    }
}

struct ExpandConsumer<C, O> {
    base: C,
    op: O,
}

impl<T, C, O> Consumer<T> for ExpandConsumer<C, O>
where
    O: ExpandOp<T>,
    C: Consumer<O::Output>,
{
    type Folder = ExpandFolder<C::Folder, O>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        // `index` counts the base's items; the consumer below only needs
        // the two sides in order (it cannot be one that writes in place:
        // this iterator's `opt_len` is `None`).
        let (left, right, reducer) = self.base.split_at(index);
        let op = self.op;
        (
            ExpandConsumer { base: left, op },
            ExpandConsumer { base: right, op },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        ExpandFolder {
            base: self.base.into_folder(),
            op: self.op,
        }
    }

    fn full(&self) -> bool {
        self.base.full()
    }

    fn can_continue(&self, folder: &Self::Folder) -> bool {
        self.base.can_continue(&folder.base)
    }

    fn continue_folder(self, folder: Self::Folder) -> Self::Folder {
        ExpandFolder {
            base: self.base.continue_folder(folder.base),
            op: folder.op,
        }
    }
}

impl<T, C, O> UnindexedConsumer<T> for ExpandConsumer<C, O>
where
    O: ExpandOp<T>,
    C: UnindexedConsumer<O::Output>,
{
    fn split_off_left(&self) -> Self {
        ExpandConsumer {
            base: self.base.split_off_left(),
            op: self.op,
        }
    }

    fn to_reducer(&self) -> C::Reducer {
        self.base.to_reducer()
    }
}

struct ExpandFolder<G, O> {
    base: G,
    op: O,
}

impl<T, G, O> Folder<T> for ExpandFolder<G, O>
where
    O: ExpandOp<T>,
    G: Folder<O::Output>,
{
    type Result = G::Result;

    fn consume(self, item: T) -> Self {
        ExpandFolder {
            base: self.base.consume_iter(self.op.expand(item)),
            op: self.op,
        }
    }

    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        ExpandFolder {
            base: self.base.consume_iter(self.op.expand_all(iter.into_iter())),
            op: self.op,
        }
    }

    fn complete(self) -> G::Result {
        self.base.complete()
    }

    fn full(&self) -> bool {
        self.base.full()
    }
}

//! Adapters whose pieces share one word that can stop them all:
//! `while_some` (a `None` was seen), `take_any` / `skip_any` (a count of
//! items taken or skipped, in whatever order pieces run) and `panic_fuse`
//! (a piece panicked). The word is only a hint to stop early (`Relaxed`:
//! it carries no data, which travels in the pieces' results through
//! `join`), except for the counts of `take_any` / `skip_any`, whose
//! read-modify-writes decide alone which items pass.

use super::ParallelIterator;
use super::plumbing::{Consumer, Folder, UnindexedConsumer};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How a stopping adapter treats items, given its shared word.
pub(super) trait StopOp<T>: Copy + Send + Sync {
    type Output: Send;

    /// Whether no more items are wanted.
    fn stopped(&self) -> bool;

    /// Feeds one item to `folder` (or not), perhaps stopping the others.
    fn feed<F: Folder<Self::Output>>(&self, folder: F, item: T) -> F;

    /// Feeds a leaf's items (one by one through `feed`, checking `stopped`
    /// before each, unless overridden).
    fn feed_all<F, I>(&self, folder: F, iter: I) -> F
    where
        F: Folder<Self::Output>,
        I: Iterator<Item = T>,
    {
        let mut folder = folder;
        for item in iter {
            if self.stopped() || folder.full() {
                break;
            }
            folder = self.feed(folder, item);
        }
        folder
    }
}

/// Declares a stopping adapter: the struct, its constructor and its
/// `ParallelIterator` impl, which creates the shared word on its stack and
/// hands the base a consumer with the op.
macro_rules! stop_adapter {
    (
        $(#[$doc:meta])*
        $name:ident<I> { $($field:ident: $fty:ty)? }
        impl[$($gen:tt)*] item($item:ty) where [$($bounds:tt)*]
        word = $word:expr;
        op = |$w:ident| $op:expr;
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use = "iterator adapters are lazy and do nothing unless consumed"]
        pub struct $name<I> {
            base: I,
            $($field: $fty)?
        }

        impl<I> $name<I> {
            pub(super) fn new(base: I $(, $field: $fty)?) -> Self {
                $name { base $(, $field)? }
            }
        }

        impl<$($gen)* I> ParallelIterator for $name<I>
        where
            I: ParallelIterator,
            $($bounds)*
        {
            type Item = $item;

            fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
                #[allow(unused_variables)]
                let $name { base $(, $field)? } = self;
                let word = $word;
                let $w = &word;
                base.drive_unindexed(StopConsumer { base: consumer, op: $op })
            }
        }
    };
}

stop_adapter! {
    /// [`ParallelIterator::while_some`].
    WhileSome<I> {}
    impl[T,] item(T) where [I: ParallelIterator<Item = Option<T>>, T: Send,]
    word = AtomicBool::new(false);
    op = |seen_none| WhileSomeOp(seen_none);
}

stop_adapter! {
    /// [`ParallelIterator::take_any`].
    TakeAny<I> { n: usize }
    impl[] item(I::Item) where []
    word = AtomicUsize::new(0);
    op = |taken| TakeAnyOp { taken, n };
}

stop_adapter! {
    /// [`ParallelIterator::skip_any`].
    SkipAny<I> { n: usize }
    impl[] item(I::Item) where []
    word = AtomicUsize::new(0);
    op = |skipped| SkipAnyOp { skipped, n };
}

stop_adapter! {
    /// [`ParallelIterator::panic_fuse`].
    PanicFuse<I> {}
    impl[] item(I::Item) where []
    word = AtomicBool::new(false);
    op = |panicked| PanicFuseOp(panicked);
}

#[derive(Clone, Copy)]
struct WhileSomeOp<'w>(&'w AtomicBool);

impl<T: Send> StopOp<Option<T>> for WhileSomeOp<'_> {
    type Output = T;
    fn stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    fn feed<F: Folder<T>>(&self, folder: F, item: Option<T>) -> F {
        match item {
            Some(item) => folder.consume(item),
            None => {
                self.0.store(true, Ordering::Relaxed);
                folder
            }
        }
    }
}

#[derive(Clone, Copy)]
struct TakeAnyOp<'w> {
    taken: &'w AtomicUsize,
    n: usize,
}

impl<T: Send> StopOp<T> for TakeAnyOp<'_> {
    type Output = T;
    fn stopped(&self) -> bool {
        self.taken.load(Ordering::Relaxed) >= self.n
    }
    fn feed<F: Folder<T>>(&self, folder: F, item: T) -> F {
        // Relaxed: the count alone decides; nothing else is published.
        let n = self.n;
        let take = self
            .taken
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                (t < n).then_some(t + 1)
            })
            .is_ok();
        if take { folder.consume(item) } else { folder }
    }
}

#[derive(Clone, Copy)]
struct SkipAnyOp<'w> {
    skipped: &'w AtomicUsize,
    n: usize,
}

impl<T: Send> StopOp<T> for SkipAnyOp<'_> {
    type Output = T;
    fn stopped(&self) -> bool {
        false
    }
    fn feed<F: Folder<T>>(&self, folder: F, item: T) -> F {
        // Relaxed: the count alone decides; nothing else is published.
        let n = self.n;
        let skip = self.skipped.load(Ordering::Relaxed) < n
            && self
                .skipped
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                    (s < n).then_some(s + 1)
                })
                .is_ok();
        if skip { folder } else { folder.consume(item) }
    }
    /// Once `n` items are skipped, the rest of the leaf goes through whole.
    fn feed_all<F, I>(&self, folder: F, iter: I) -> F
    where
        F: Folder<T>,
        I: Iterator<Item = T>,
    {
        let mut folder = folder;
        let mut iter = iter;
        while self.skipped.load(Ordering::Relaxed) < self.n {
            match iter.next() {
                Some(item) => folder = self.feed(folder, item),
                None => return folder,
            }
            if folder.full() {
                return folder;
            }
        }
        folder.consume_iter(iter)
    }
}

#[derive(Clone, Copy)]
struct PanicFuseOp<'w>(&'w AtomicBool);

/// Sets the fuse if dropped, which happens only while a panic unwinds
/// through the folder (it is forgotten otherwise).
struct Fuse<'w>(&'w AtomicBool);

impl Drop for Fuse<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl<T: Send> StopOp<T> for PanicFuseOp<'_> {
    type Output = T;
    fn stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    fn feed<F: Folder<T>>(&self, folder: F, item: T) -> F {
        let fuse = Fuse(self.0);
        let folder = folder.consume(item);
        core::mem::forget(fuse);
        folder
    }
}

struct StopConsumer<C, O> {
    base: C,
    op: O,
}

impl<T, C, O> Consumer<T> for StopConsumer<C, O>
where
    O: StopOp<T>,
    C: Consumer<O::Output>,
{
    type Folder = StopFolder<C::Folder, O>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        let op = self.op;
        (
            StopConsumer { base: left, op },
            StopConsumer { base: right, op },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        StopFolder {
            base: self.base.into_folder(),
            op: self.op,
        }
    }

    fn full(&self) -> bool {
        self.op.stopped() || self.base.full()
    }

    fn can_continue(&self, folder: &Self::Folder) -> bool {
        self.base.can_continue(&folder.base)
    }

    fn continue_folder(self, folder: Self::Folder) -> Self::Folder {
        StopFolder {
            base: self.base.continue_folder(folder.base),
            op: folder.op,
        }
    }
}

impl<T, C, O> UnindexedConsumer<T> for StopConsumer<C, O>
where
    O: StopOp<T>,
    C: UnindexedConsumer<O::Output>,
{
    fn split_off_left(&self) -> Self {
        StopConsumer {
            base: self.base.split_off_left(),
            op: self.op,
        }
    }

    fn to_reducer(&self) -> C::Reducer {
        self.base.to_reducer()
    }
}

struct StopFolder<G, O> {
    base: G,
    op: O,
}

impl<T, G, O> Folder<T> for StopFolder<G, O>
where
    O: StopOp<T>,
    G: Folder<O::Output>,
{
    type Result = G::Result;

    fn consume(self, item: T) -> Self {
        StopFolder {
            base: self.op.feed(self.base, item),
            op: self.op,
        }
    }

    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        StopFolder {
            base: self.op.feed_all(self.base, iter.into_iter()),
            op: self.op,
        }
    }

    fn complete(self) -> G::Result {
        self.base.complete()
    }

    fn full(&self) -> bool {
        self.op.stopped() || self.base.full()
    }
}

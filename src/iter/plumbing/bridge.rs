//! `bridge`: runs a producer into a consumer, splitting through `join`.
//!
//! # How it splits
//!
//! A piece is folded *sequentially in chunks* whose size grows fourfold
//! from the producer's `min_len` up to `MAX_CHUNK`. Between two
//! chunks it asks the pool whether more work is wanted (`SplitProbe` in
//! `pool/mod.rs`): the worker's shared slot is empty (nothing of it is on
//! offer) and the pool's coarse idle clock advanced since the piece started
//! (a hungry worker looked for work, which it does every few microseconds,
//! or the watcher woke, every 50 µs: the piece has run for a while and
//! somebody can take work). Only then is the rest split in two halves
//! through `join`, each folded the same way; a half that another worker
//! takes starts again from small chunks, so it splits again soon if there
//! is still demand.
//!
//! So a small input inside a pool is never split (a 1k-element sum costs a
//! few chunk boundaries, not a cross-core hand-off), a big one splits as
//! deep as idle workers ask, and each chunk is an ordinary sequential fold
//! of the producer's `into_iter`. `with_max_len` forces splits until pieces
//! are short enough; `with_min_len` bounds every chunk and half from below.
//!
//! Called from outside any pool, the first chunks run on the calling thread
//! for up to `COLD_INLINE_NANOS`; only what is left then goes to the global
//! pool, so a tiny iterator called from `main` never wakes it. There the
//! boundaries read the clock instead of asking the pool: after the first
//! chunk, the rest is estimated from the time per item so far, and runs
//! here at once if it fits in the budget (`ColdBudget::next_chunk`).

use super::{Consumer, Folder, Producer, Reducer, UnindexedConsumer, UnindexedProducer};
use crate::iter::IndexedParallelIterator;
use crate::pool::{ColdBudget, Place, SplitProbe};

/// The largest chunk folded between two looks at the pool's demand (unless
/// `min_len` is larger): a few microseconds of light items (2 us of
/// `sqrt`), so that a long fold notices demand soon and the last pieces of
/// a split come out even; each boundary costs a few nanoseconds (2% of a
/// chunk of a `u64` sum). 4096 gave 1.14x instead of 1.24x on a 10k-item
/// `map(sqrt).sum()` on 2 threads, and no gain on plain sums.
const MAX_CHUNK: usize = 1024;

/// Runs an indexed parallel iterator into a consumer: its producer, through
/// [`bridge_producer_consumer`].
pub fn bridge<I, C>(par_iter: I, consumer: C) -> C::Result
where
    I: IndexedParallelIterator,
    C: Consumer<I::Item>,
{
    struct Callback<C> {
        len: usize,
        consumer: C,
    }
    impl<T, C: Consumer<T>> super::ProducerCallback<T> for Callback<C> {
        type Output = C::Result;
        fn callback<P: Producer<Item = T>>(self, producer: P) -> C::Result {
            bridge_producer_consumer(self.len, producer, self.consumer)
        }
    }
    let len = par_iter.len();
    par_iter.with_producer(Callback { len, consumer })
}

/// Runs `producer` (of `len` items) into `consumer`, in parallel as far as
/// the pool asks for work (see the module docs).
pub fn bridge_producer_consumer<P, C>(len: usize, producer: P, consumer: C) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    let min = producer.min_len().max(1);
    match SplitProbe::current() {
        Place::Worker(probe) => {
            let max = producer.max_len().max(min);
            if len > max && len / 2 >= min {
                return split_in_two(len, producer, consumer);
            }
            let cap = MAX_CHUNK.max(min);
            // Chunks grow fourfold; before every chunk but a last one, ask
            // whether to split.
            fold_in_chunks(
                len,
                producer,
                consumer,
                split_in_two,
                |folded, left, chunk| {
                    let size = if folded == 0 {
                        chunk
                    } else {
                        chunk.saturating_mul(4).min(cap)
                    };
                    let split = left > size && left / 2 >= min && probe.wants_split();
                    (!split).then_some(size)
                },
            )
        }
        Place::LoneWorker => producer.fold_with(consumer.into_folder()).complete(),
        Place::Outside => {
            let mut budget = ColdBudget::start();
            fold_in_chunks(
                len,
                producer,
                consumer,
                in_global_pool,
                |folded, left, chunk| budget.next_chunk(folded, left, chunk),
            )
        }
    }
}

/// Folds `producer` into `consumer` here, chunk after chunk, the first of
/// `min_len` items. Before each, `next(items folded, items left, size of
/// the previous chunk)` gives the size of the next (the rest if it is
/// larger), or `None` to hand the rest to `elsewhere` (split it in two, or
/// run it on the global pool).
///
/// Each chunk is cut off both sides with `split_at`, so that the rest stays
/// a consumer that can still be split. Its items go on into the folder of
/// the chunk before when the consumer can carry it on
/// (`Consumer::can_continue`): then a piece has one folder and one result,
/// however many chunks it took. Otherwise the chunk gets a folder of its
/// own, and the results are combined, left to right, with the reducers of
/// the splits between them.
fn fold_in_chunks<P, C>(
    len: usize,
    producer: P,
    consumer: C,
    elsewhere: fn(usize, P, C) -> C::Result,
    mut next: impl FnMut(usize, usize, usize) -> Option<usize>,
) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    let (mut producer, mut consumer, mut left) = (producer, consumer, len);
    let mut chunk = producer.min_len().max(1);
    let mut folded = 0;
    // The results of the folders closed so far, reduced, with the reducer
    // that joins them to what follows.
    let mut done: Option<(C::Result, C::Reducer)> = None;
    // The latest chunk's folder, with the reducer that joins its result to
    // what `consumer` makes of the rest.
    let mut open: Option<(C::Folder, C::Reducer)> = None;
    loop {
        let size = if consumer.full() {
            // Whatever is left stops at once.
            left
        } else {
            match next(folded, left, chunk) {
                Some(size) => size,
                None => {
                    let before = close(done, open);
                    return combine(before, elsewhere(left, producer, consumer));
                }
            }
        };
        if size >= left {
            let last = producer.fold_with(carry_on(&mut done, open, consumer));
            return combine(done, last.complete());
        }
        let (head, rest) = producer.split_at(size);
        let (c_head, c_rest, reducer) = consumer.split_at(size);
        let folder = head.fold_with(carry_on(&mut done, open.take(), c_head));
        open = Some((folder, reducer));
        (producer, consumer, left) = (rest, c_rest, left - size);
        (folded, chunk) = (folded + size, size);
    }
}

/// The folder for `consumer`'s items: the open one carried on, if it still
/// takes items and the consumer can carry it; else a new one, after the
/// open one is closed into `done`.
fn carry_on<T, C: Consumer<T>>(
    done: &mut Option<(C::Result, C::Reducer)>,
    open: Option<(C::Folder, C::Reducer)>,
    consumer: C,
) -> C::Folder {
    match open {
        // The reducer between the two is not needed: one folder spans both.
        Some((folder, _)) if !folder.full() && consumer.can_continue(&folder) => {
            consumer.continue_folder(folder)
        }
        open => {
            *done = close(done.take(), open);
            consumer.into_folder()
        }
    }
}

/// `done` with the open folder's result reduced onto it, and the open
/// folder's reducer to join that to what follows.
fn close<R, Red: Reducer<R>, F: Folder<Item, Result = R>, Item>(
    done: Option<(R, Red)>,
    open: Option<(F, Red)>,
) -> Option<(R, Red)> {
    match open {
        Some((folder, reducer)) => Some((combine(done, folder.complete()), reducer)),
        None => done,
    }
}

fn combine<R, Red: Reducer<R>>(left: Option<(R, Red)>, right: R) -> R {
    match left {
        Some((left, reducer)) => reducer.reduce(left, right),
        None => right,
    }
}

/// Runs the rest of an iterator called from outside any pool on the global
/// pool.
fn in_global_pool<P, C>(len: usize, producer: P, consumer: C) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    crate::pool::in_global_pool(move || bridge_producer_consumer(len, producer, consumer))
}

/// Splits producer and consumer at the middle and runs the halves through
/// `join`; each half asks the pool of the thread it runs on.
fn split_in_two<P, C>(len: usize, producer: P, consumer: C) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    let mid = len / 2;
    let (left_p, right_p) = producer.split_at(mid);
    let (left_c, right_c, reducer) = consumer.split_at(mid);
    let (left, right) = crate::join(
        || bridge_producer_consumer(mid, left_p, left_c),
        || bridge_producer_consumer(len - mid, right_p, right_c),
    );
    reducer.reduce(left, right)
}

/// Runs an unindexed producer into a consumer. An unindexed producer cannot
/// be cut into chunks, so this splits the way rayon does: into about as
/// many pieces as the pool has threads, and again that many from a piece
/// that another worker took (`FnContext::migrated`); each piece is folded
/// sequentially.
pub fn bridge_unindexed<P, C>(producer: P, consumer: C) -> C::Result
where
    P: UnindexedProducer,
    C: UnindexedConsumer<P::Item>,
{
    unindexed(producer, consumer, crate::current_num_threads())
}

fn unindexed<P, C>(producer: P, consumer: C, splits: usize) -> C::Result
where
    P: UnindexedProducer,
    C: UnindexedConsumer<P::Item>,
{
    if splits == 0 || consumer.full() {
        return producer.fold_with(consumer.into_folder()).complete();
    }
    match producer.split() {
        (left, Some(right)) => {
            let left_c = consumer.split_off_left();
            let reducer = consumer.to_reducer();
            let next = |migrated: bool| {
                if migrated {
                    crate::current_num_threads().max(splits / 2)
                } else {
                    splits / 2
                }
            };
            let (l, r) = crate::join_context(
                |ctx| unindexed(left, left_c, next(ctx.migrated())),
                |ctx| unindexed(right, consumer, next(ctx.migrated())),
            );
            reducer.reduce(l, r)
        }
        (whole, None) => whole.fold_with(consumer.into_folder()).complete(),
    }
}

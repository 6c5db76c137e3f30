//! `bridge`: runs a producer into a consumer, splitting through `join`.
//!
//! # How it splits
//!
//! A piece is folded *sequentially in chunks* whose size grows fourfold
//! from the producer's `min_len` up to `MAX_CHUNK` (eightfold and without a
//! cap outside a pool, where each boundary reads the clock). Between two
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
//! pool, so a tiny iterator called from `main` never wakes it.

use super::{Consumer, Folder, Producer, Reducer, UnindexedConsumer, UnindexedProducer};
use crate::iter::IndexedParallelIterator;
use crate::pool::{ColdBudget, Place, SplitProbe};

/// The largest chunk folded between two looks at the pool's demand (unless
/// `min_len` is larger): a few microseconds of cheap items, so that a long
/// fold notices demand soon; each boundary costs a few nanoseconds.
const MAX_CHUNK: usize = 4096;

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
            let growth = Growth {
                factor: 4,
                cap: MAX_CHUNK.max(min),
                ask_before_last: false,
            };
            fold_in_chunks(len, producer, consumer, growth, split_in_two, |rest, _| {
                rest / 2 >= min && probe.wants_split()
            })
        }
        Place::LoneWorker => producer.fold_with(consumer.into_folder()).complete(),
        Place::Outside => {
            let budget = ColdBudget::start();
            // Faster growth than on a worker: each boundary reads the clock.
            let growth = Growth {
                factor: 8,
                cap: usize::MAX,
                ask_before_last: true,
            };
            // Only after a first chunk, then before a last one too: a last
            // chunk of expensive items belongs on the pool as well.
            fold_in_chunks(
                len,
                producer,
                consumer,
                growth,
                in_global_pool,
                |_, first| !first && budget.spent(),
            )
        }
    }
}

/// How chunk sizes grow from `min_len`, and whether to ask for the rest to
/// go elsewhere before a last chunk too.
struct Growth {
    factor: usize,
    cap: usize,
    ask_before_last: bool,
}

/// Folds `producer` into `consumer` here, in chunks growing by `growth`,
/// until `elsewhere_now(items left, whether no chunk was folded yet)` says
/// to hand the rest to `elsewhere` (split it in two, or run it on the
/// global pool). Each chunk is cut off both sides with `split_at`, folded,
/// and its result combined, left to right, with the reducer of its split.
fn fold_in_chunks<P, C>(
    len: usize,
    producer: P,
    consumer: C,
    growth: Growth,
    elsewhere: fn(usize, P, C) -> C::Result,
    mut elsewhere_now: impl FnMut(usize, bool) -> bool,
) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    let (mut producer, mut consumer, mut len) = (producer, consumer, len);
    let mut chunk = producer.min_len().max(1);
    let mut results: Option<(C::Result, C::Reducer)> = None;
    loop {
        let last_chunk = len <= chunk || consumer.full();
        if (!last_chunk || growth.ask_before_last)
            && !consumer.full()
            && elsewhere_now(len, results.is_none())
        {
            return combine(results, elsewhere(len, producer, consumer));
        }
        if last_chunk {
            let last = producer.fold_with(consumer.into_folder()).complete();
            return combine(results, last);
        }
        let (head, rest) = producer.split_at(chunk);
        let (c_head, c_rest, reducer) = consumer.split_at(chunk);
        let folded = head.fold_with(c_head.into_folder()).complete();
        results = Some(match results {
            None => (folded, reducer),
            Some((acc, previous)) => (previous.reduce(acc, folded), reducer),
        });
        (producer, consumer, len) = (rest, c_rest, len - chunk);
        chunk = chunk.saturating_mul(growth.factor).min(growth.cap);
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

//! The sorts of [`ParallelSliceMut`](super::ParallelSliceMut): where they
//! run, and the two algorithms.
//!
//! - **Stable** (`par_sort*`, [`merge`]): a merge sort that splits in two
//!   through [`join`](crate::join), sorts runs of a few items by insertion,
//!   and merges in parallel (the longer run is cut at its middle, the other
//!   where that item belongs, and the two halves merge through `join`;
//!   each piece merges from both ends at once).
//!   Elements move between the slice and one buffer of the slice's length,
//!   allocated once; `merge.rs` explains how they get back on a panic.
//! - **Unstable** (`par_sort_unstable*`, [`quick`]): a quicksort that
//!   partitions around a ninther, sorts both sides through `join`, and hands
//!   pieces below a few thousand items, and any piece after too many bad
//!   splits, to `slice::sort_unstable_by`. Safe code, no allocation.
//! - **Cached key** (`par_sort_by_cached_key`): the keys, paired with
//!   their positions, are computed in parallel into one vector, sorted
//!   unstably (the positions make every pair distinct, so the order is the
//!   stable one), and the permutation is applied in place by swaps.
//!
//! # When a sort is sequential
//!
//! A slice shorter than [`SEQUENTIAL_BELOW`] (or
//! [`SEQUENTIAL_BELOW_STABLE`] for the stable sort) is sorted by std's own
//! sort on the calling thread: the pool is not touched (no hand-off, no
//! wake-up). So is any slice on the only worker of a pool of one thread,
//! or called from outside any pool when the global pool has one thread
//! (or there is no backend): parallel sorting there would only add work.
//! Otherwise a call from outside runs on the global pool (one hand-off for
//! the whole sort) and a call on a worker runs where it is. Under Miri all
//! the thresholds (these and those of `merge.rs` and `quick.rs`) are a few
//! items, so that short inputs take the parallel paths.
//!
//! # Panics in the comparison
//!
//! If a comparison (or a key function) panics, in whatever piece it runs,
//! the panic reaches the caller once both halves of every `join` under way
//! finished, and the slice holds the same elements as before, in some
//! order: none is lost or duplicated, so each is dropped exactly once.

mod merge;
mod quick;

use crate::iter::{IndexedParallelIterator, IntoParallelRefMutIterator, ParallelIterator};
use crate::pool::{Place, SplitProbe, in_global_pool};
use alloc::vec::Vec;

/// Slices shorter than this are sorted sequentially by std's unstable sort
/// (and `par_sort_by_cached_key`'s by `sort_by_cached_key`). Measured once,
/// random `u64`s in a pool of 2 threads on 2 cores: the parallel quicksort
/// is 0.93x as fast as `sort_unstable` at 4096 items (one partition, then
/// two leaves), 1.34x at 8192, 1.64x at 16384.
pub(crate) const SEQUENTIAL_BELOW: usize = if cfg!(miri) { 16 } else { 8192 };

/// Slices shorter than this are sorted sequentially by std's stable sort.
/// Measured as above: the parallel merge sort is 0.68x as fast as `sort`
/// at 2048 items, 1.13x at 4096, 1.32x at 8192.
pub(crate) const SEQUENTIAL_BELOW_STABLE: usize = if cfg!(miri) { 16 } else { 4096 };

/// How a sort runs, given the slice's length and where it was called.
enum Run {
    /// std's sort, here.
    Sequential,
    /// The parallel sort, here (a worker of a pool of two or more).
    Here,
    /// The parallel sort, on the global pool (called from outside).
    GlobalPool,
}

fn how_to_run(len: usize, sequential_below: usize) -> Run {
    if len < sequential_below {
        return Run::Sequential;
    }
    match SplitProbe::current() {
        Place::Worker(_) => Run::Here,
        Place::LoneWorker => Run::Sequential,
        Place::Outside if crate::current_num_threads() > 1 => Run::GlobalPool,
        Place::Outside => Run::Sequential,
    }
}

/// Sorts `v` with `parallel` where `how_to_run` says, or with `sequential`.
fn run<T: Send>(
    v: &mut [T],
    sequential_below: usize,
    sequential: impl FnOnce(&mut [T]),
    parallel: impl FnOnce(&mut [T]) + Send,
) {
    // The sort is long (tens of microseconds at least): on a worker, a
    // sleeping worker is woken and the first half on offer taken at first
    // sight, as `bridge` does for a piece that ran for a while. Otherwise
    // a sleeper would only see it on the watcher's next looks (up to
    // 100 us), as long as the whole sort of a few thousand items.
    let on_worker = |v: &mut [T]| {
        if let Place::Worker(probe) = SplitProbe::current() {
            probe.split_now();
        }
        parallel(v);
    };
    match how_to_run(v.len(), sequential_below) {
        Run::Sequential => sequential(v),
        Run::Here => on_worker(v),
        Run::GlobalPool => in_global_pool(move || on_worker(v)),
    }
}

/// The stable sort of `v` by `is_less`; `sequential` is std's sort by the
/// same order, for short slices.
pub(crate) fn stable<T, F>(v: &mut [T], sequential: impl FnOnce(&mut [T]), is_less: &F)
where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
{
    if size_of::<T>() == 0 {
        // Every order of zero-sized items is the same; the merge sort
        // measures its runs by pointer distance, which they do not have.
        return sequential(v);
    }
    run(v, SEQUENTIAL_BELOW_STABLE, sequential, |v| {
        merge::sort(v, is_less)
    });
}

/// The unstable sort of `v` by `is_less`; `leaf` is std's unstable sort by
/// the same order, for short slices and for the pieces of the quicksort.
pub(crate) fn unstable<T, F, L>(v: &mut [T], leaf: &L, is_less: &F)
where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
    L: Fn(&mut [T]) + Sync,
{
    run(v, SEQUENTIAL_BELOW, leaf, |v| quick::sort(v, leaf, is_less));
}

/// `par_sort_by_cached_key`: `f` is called exactly once per element.
pub(crate) fn by_cached_key<T, K, F>(v: &mut [T], f: &F)
where
    T: Send,
    K: Ord + Send,
    F: Fn(&T) -> K + Sync,
{
    run(
        v,
        SEQUENTIAL_BELOW,
        |v| v.sort_by_cached_key(f),
        |v| {
            let mut keys: Vec<(K, usize)> = v
                .par_iter_mut()
                .enumerate()
                .map(|(i, x)| (f(x), i))
                .collect();
            let is_less = |a: &(K, usize), b: &(K, usize)| a < b;
            quick::sort(&mut keys, &<[(K, usize)]>::sort_unstable, &is_less);
            apply_permutation(v, &mut keys);
        },
    );
}

/// Puts the item at `from[i].1` at `i`, for every `i`, by swaps, one cycle
/// of the permutation at a time. Going round the cycle from `start`, each
/// swap fills the place `at` with its item and moves the item that was at
/// `start` on to `source`; when the cycle closes, that item is where it
/// belongs. A filled place's entry is set to its own position, so a
/// finished cycle is a run of fixed points that later starts pass over.
/// `from`'s positions must be a permutation of `0..v.len()`.
fn apply_permutation<T, K>(v: &mut [T], from: &mut [(K, usize)]) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let source = from[at].1;
            from[at].1 = at;
            if source == start {
                break;
            }
            v.swap(at, source);
            at = source;
        }
    }
}

//! `collect_into_vec`: every item written in place into the target's spare
//! capacity. The only `unsafe` of the iterator layer besides `join`.
//!
//! Each piece gets a disjoint range of the uninitialized target, as a raw
//! pointer derived from one pointer to the whole target (so that merged
//! results may reach their right neighbour's items: a pointer derived from
//! a piece's own sub-slice could not, under Stacked Borrows). Its folder
//! writes items one after another and counts them; its result owns
//! the items written so far and drops them if it is dropped (a panic
//! elsewhere unwinds through the reductions). Reducing two results merges
//! them only if they are adjacent in memory; `collect_into_vec` then checks
//! that exactly `len` items were written before it takes ownership.

use super::IndexedParallelIterator;
use super::plumbing::{Consumer, Folder, Reducer};
use alloc::vec::Vec;
use core::marker::PhantomData;
use core::mem::{self, MaybeUninit};
use core::ptr;

pub(super) fn collect_into_vec<I, T>(iter: I, target: &mut Vec<T>)
where
    I: IndexedParallelIterator<Item = T>,
    T: Send,
{
    target.clear();
    let len = iter.len();
    target.reserve(len);
    let spare = &mut target.spare_capacity_mut()[..len];
    let result = iter.drive(CollectConsumer {
        start: spare.as_mut_ptr().cast::<T>(),
        len,
        _marker: PhantomData,
    });
    let written = result.initialized;
    assert_eq!(
        written, len,
        "forkscope: an indexed parallel iterator produced {written} items, not the {len} its len() promised"
    );
    // The items now belong to the vector.
    mem::forget(result);
    // SAFETY: the `len` slots after the (cleared) start were all written
    // (checked just above: the merged result covers them, contiguously from
    // the start of the spare capacity), and nothing else owns them now.
    unsafe { target.set_len(len) };
}

/// Consumes a piece into the `len` uninitialized slots from `start`, which
/// it has exclusive access to for `'c`.
struct CollectConsumer<'c, T> {
    start: *mut T,
    len: usize,
    _marker: PhantomData<&'c mut [MaybeUninit<T>]>,
}

// SAFETY: the consumer stands for exclusive access to its slots (like the
// `&mut [MaybeUninit<T>]` it was made from), and moves `T`s into them.
unsafe impl<T: Send> Send for CollectConsumer<'_, T> {}

/// The items one piece wrote: `initialized` of them from `start`, inside a
/// piece of `total` slots. Owns those items until it is merged or dropped.
struct CollectResult<'c, T> {
    start: *mut T,
    total: usize,
    initialized: usize,
    _marker: PhantomData<&'c mut T>,
}

// SAFETY: a CollectResult owns the `T`s it has written (moving it moves
// them to another thread), and holds exclusive access to its slots.
unsafe impl<T: Send> Send for CollectResult<'_, T> {}

impl<T> Drop for CollectResult<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the first `initialized` slots from `start` were written by
        // this result's folder and are owned by it alone.
        unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.start, self.initialized)) };
    }
}

impl<'c, T: Send> Consumer<T> for CollectConsumer<'c, T> {
    type Folder = CollectResult<'c, T>;
    type Reducer = CollectReducer;
    type Result = CollectResult<'c, T>;

    fn split_at(self, index: usize) -> (Self, Self, CollectReducer) {
        assert!(index <= self.len, "forkscope: collect split out of bounds");
        let right = CollectConsumer {
            // SAFETY: `index <= len`, so the result is in bounds (or one past
            // the end) of this consumer's slots.
            start: unsafe { self.start.add(index) },
            len: self.len - index,
            _marker: PhantomData,
        };
        let left = CollectConsumer {
            start: self.start,
            len: index,
            _marker: PhantomData,
        };
        (left, right, CollectReducer)
    }

    fn into_folder(self) -> CollectResult<'c, T> {
        CollectResult {
            start: self.start,
            total: self.len,
            initialized: 0,
            _marker: PhantomData,
        }
    }

    fn full(&self) -> bool {
        false
    }
}

impl<'c, T> Folder<T> for CollectResult<'c, T> {
    type Result = Self;

    fn consume(mut self, item: T) -> Self {
        assert!(
            self.initialized < self.total,
            "forkscope: an indexed parallel iterator produced more items than its len() promised"
        );
        // SAFETY: in bounds (checked above) of this piece's slots, which
        // nobody else writes, and not yet written.
        unsafe { self.start.add(self.initialized).write(item) };
        self.initialized += 1;
        self
    }

    fn complete(self) -> Self {
        self
    }

    fn full(&self) -> bool {
        false
    }
}

struct CollectReducer;

impl<'c, T> Reducer<CollectResult<'c, T>> for CollectReducer {
    fn reduce(
        self,
        mut left: CollectResult<'c, T>,
        right: CollectResult<'c, T>,
    ) -> CollectResult<'c, T> {
        // Merge only if `left` is complete and `right` starts where it ends
        // (always, for a well-behaved producer); otherwise `right`'s items
        // are dropped with it and the final count check fails.
        // SAFETY: `start + total` is one past `left`'s slots, in bounds of
        // the target allocation.
        if left.initialized == left.total && unsafe { left.start.add(left.total) } == right.start {
            left.total += right.total;
            left.initialized += right.initialized;
            mem::forget(right);
        }
        left
    }
}

//! Collecting into vectors (`collect_into_vec`, `unzip_into_vecs`, and
//! `collect` / `par_extend` of an iterator that knows its length): every
//! item written in place into the target's spare capacity. With `vec.rs`,
//! the only `unsafe` of the iterator layer besides `join`.
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

use super::plumbing::{Consumer, Folder, Reducer, UnindexedConsumer};
use super::{IndexedParallelIterator, ParallelIterator};
use alloc::collections::LinkedList;
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
    append_in_place(target, len, |consumer| iter.drive(consumer));
}

/// `par_extend` / `collect` into a vector: in place when the iterator knows
/// its length, else through a list of per-piece vectors.
pub(super) fn extend_vec<I, T>(iter: I, target: &mut Vec<T>)
where
    I: ParallelIterator<Item = T>,
    T: Send,
{
    match iter.opt_len() {
        // `opt_len`'s contract: the iterator splits the consumer only at
        // indices and produces exactly `len` items.
        Some(len) => append_in_place(target, len, |consumer| iter.drive_unindexed(consumer)),
        None => {
            let mut pieces = collect_pieces(iter);
            if target.is_empty() && pieces.len() == 1 {
                // One piece (one thread did it all): it is the result.
                *target = pieces.pop_front().expect("one piece");
                return;
            }
            target.reserve(pieces.iter().map(Vec::len).sum());
            for mut piece in pieces {
                target.append(&mut piece);
            }
        }
    }
}

/// Every piece's items in a vector of its own, the vectors in order
/// (`collect_vec_list`, and the collections other than `Vec`).
pub(super) fn collect_pieces<I: ParallelIterator>(iter: I) -> LinkedList<Vec<I::Item>> {
    iter.drive_unindexed(ListConsumer)
}

pub(super) fn unzip_into_vecs<I, A, B>(iter: I, left: &mut Vec<A>, right: &mut Vec<B>)
where
    I: IndexedParallelIterator<Item = (A, B)>,
    A: Send,
    B: Send,
{
    left.clear();
    right.clear();
    let len = iter.len();
    append_in_place(left, len, |a| {
        let mut a_result = None;
        append_in_place(right, len, |b| {
            let (a, b) = iter.drive(UnzipConsumer { a, b });
            a_result = Some(a);
            b
        });
        a_result.expect("the drive above returned")
    });
}

/// Appends `len` items to `target`, written in place by the consumer that
/// `drive` is given; checks that exactly `len` were written.
fn append_in_place<T, F>(target: &mut Vec<T>, len: usize, drive: F)
where
    T: Send,
    F: for<'c> FnOnce(CollectConsumer<'c, T>) -> CollectResult<'c, T>,
{
    target.reserve(len);
    let old_len = target.len();
    let spare = &mut target.spare_capacity_mut()[..len];
    let result = drive(CollectConsumer {
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
    // SAFETY: the `len` slots after the old end were all written (checked
    // just above: the merged result covers them, contiguously from the
    // start of the spare capacity), and nothing else owns them now.
    unsafe { target.set_len(old_len + len) };
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

    /// If `folder` wrote all its slots and this consumer's slots follow
    /// them, the folder goes on writing into them.
    fn can_continue(&self, folder: &CollectResult<'c, T>) -> bool {
        // SAFETY: `start + total` is one past the folder's slots, in bounds
        // of the target allocation.
        folder.initialized == folder.total
            && unsafe { folder.start.add(folder.total) } == self.start
    }

    fn continue_folder(self, mut folder: CollectResult<'c, T>) -> CollectResult<'c, T> {
        // The folder now stands for both ranges of slots, contiguous
        // (checked by `can_continue`), and this consumer's exclusive access
        // to its slots passes to it.
        folder.total += self.len;
        folder
    }
}

/// Only for iterators whose `opt_len()` is `Some`, which by contract split
/// their consumer only at indices.
impl<T: Send> UnindexedConsumer<T> for CollectConsumer<'_, T> {
    fn split_off_left(&self) -> Self {
        panic!(
            "forkscope: a parallel iterator whose opt_len() is Some split its consumer without an index"
        )
    }

    fn to_reducer(&self) -> CollectReducer {
        CollectReducer
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

// ---- unindexed: a list of per-piece vectors ------------------------------------

/// Collects each piece into a vector of its own; the pieces' vectors are
/// linked in order.
#[derive(Clone, Copy)]
struct ListConsumer;

struct ListFolder<T>(Vec<T>);

#[derive(Default)]
struct ListReducer;

impl<T: Send> Consumer<T> for ListConsumer {
    type Folder = ListFolder<T>;
    type Reducer = ListReducer;
    type Result = LinkedList<Vec<T>>;

    fn split_at(self, _index: usize) -> (Self, Self, ListReducer) {
        (self, self, ListReducer)
    }

    fn into_folder(self) -> ListFolder<T> {
        ListFolder(Vec::new())
    }

    fn full(&self) -> bool {
        false
    }

    /// A piece's chunks all go into one vector.
    fn can_continue(&self, _folder: &ListFolder<T>) -> bool {
        true
    }
}

impl<T: Send> UnindexedConsumer<T> for ListConsumer {
    fn split_off_left(&self) -> Self {
        ListConsumer
    }

    fn to_reducer(&self) -> ListReducer {
        ListReducer
    }
}

impl<T> Folder<T> for ListFolder<T> {
    type Result = LinkedList<Vec<T>>;

    fn consume(mut self, item: T) -> Self {
        self.0.push(item);
        self
    }

    fn consume_iter<I: IntoIterator<Item = T>>(mut self, iter: I) -> Self {
        self.0.extend(iter);
        self
    }

    fn complete(self) -> LinkedList<Vec<T>> {
        let mut list = LinkedList::new();
        if !self.0.is_empty() {
            list.push_back(self.0);
        }
        list
    }

    fn full(&self) -> bool {
        false
    }
}

impl<T> Reducer<LinkedList<Vec<T>>> for ListReducer {
    fn reduce(
        self,
        mut left: LinkedList<Vec<T>>,
        mut right: LinkedList<Vec<T>>,
    ) -> LinkedList<Vec<T>> {
        left.append(&mut right);
        left
    }
}

// ---- unzip: two consumers side by side -------------------------------------------

/// Sends the first half of every pair to `a`, the second to `b`.
struct UnzipConsumer<CA, CB> {
    a: CA,
    b: CB,
}

struct UnzipFolder<FA, FB> {
    a: FA,
    b: FB,
}

struct UnzipReducer<RA, RB> {
    a: RA,
    b: RB,
}

impl<A, B, CA: Consumer<A>, CB: Consumer<B>> Consumer<(A, B)> for UnzipConsumer<CA, CB> {
    type Folder = UnzipFolder<CA::Folder, CB::Folder>;
    type Reducer = UnzipReducer<CA::Reducer, CB::Reducer>;
    type Result = (CA::Result, CB::Result);

    fn split_at(self, index: usize) -> (Self, Self, Self::Reducer) {
        let (a_left, a_right, a) = self.a.split_at(index);
        let (b_left, b_right, b) = self.b.split_at(index);
        (
            UnzipConsumer {
                a: a_left,
                b: b_left,
            },
            UnzipConsumer {
                a: a_right,
                b: b_right,
            },
            UnzipReducer { a, b },
        )
    }

    fn into_folder(self) -> Self::Folder {
        UnzipFolder {
            a: self.a.into_folder(),
            b: self.b.into_folder(),
        }
    }

    fn full(&self) -> bool {
        self.a.full() && self.b.full()
    }

    fn can_continue(&self, folder: &Self::Folder) -> bool {
        // Both sides, or neither (each side's check assumes a folder that
        // still takes items).
        !folder.a.full()
            && !folder.b.full()
            && self.a.can_continue(&folder.a)
            && self.b.can_continue(&folder.b)
    }

    fn continue_folder(self, folder: Self::Folder) -> Self::Folder {
        UnzipFolder {
            a: self.a.continue_folder(folder.a),
            b: self.b.continue_folder(folder.b),
        }
    }
}

impl<A, B, FA: Folder<A>, FB: Folder<B>> Folder<(A, B)> for UnzipFolder<FA, FB> {
    type Result = (FA::Result, FB::Result);

    fn consume(self, (a, b): (A, B)) -> Self {
        UnzipFolder {
            a: self.a.consume(a),
            b: self.b.consume(b),
        }
    }

    fn complete(self) -> Self::Result {
        (self.a.complete(), self.b.complete())
    }

    fn full(&self) -> bool {
        self.a.full() && self.b.full()
    }
}

impl<A, B, RA: Reducer<A>, RB: Reducer<B>> Reducer<(A, B)> for UnzipReducer<RA, RB> {
    fn reduce(self, left: (A, B), right: (A, B)) -> (A, B) {
        (
            self.a.reduce(left.0, right.0),
            self.b.reduce(left.1, right.1),
        )
    }
}

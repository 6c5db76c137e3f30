//! The stable sort: a parallel merge sort between the slice and one buffer.
//!
//! # Where the elements are
//!
//! The slice `v` and a buffer `buf` of the same length, allocated once as a
//! `Vec` whose length stays 0 (dropping it frees the memory and drops
//! nothing). Elements are *moved* with `ptr::copy_nonoverlapping`; a place
//! moved from is logically uninitialized and is not read again. The one
//! rule is that **every element is in exactly one place**, and each
//! function below says where the elements are when it returns and when it
//! unwinds:
//!
//! - `sort_into(range, dest)` sorts the elements of `v[range]` into
//!   `dest[range]` (`dest` is `v` or `buf`). It sorts the two halves into
//!   the *other* array, then merges them into `dest`, so that each level
//!   of the recursion moves every element once. **If it unwinds, all the
//!   range's elements are in `v[range]`**, in some order.
//! - `merge(a, b, out)` moves the elements of two sorted runs into `out`,
//!   merged, the items of `a` before equal ones of `b`. **On return and on
//!   unwind alike, every element of both runs is in `out`**, sorted or in
//!   some order.
//!
//! # The guards that keep these promises on unwind
//!
//! - [`Hole`]: a merge under way, from both ends at once: the unmerged
//!   middle of each run and the gap between the merged front and the
//!   merged back of `out`, as long as the two middles together. Its drop
//!   moves the rest of `a`, then the rest of `b`, into the gap. After a
//!   finished merge one of the two is empty and this moves the other;
//!   after a panic in a comparison it fills `out` in some order. A
//!   parallel merge holds one over both whole runs while it searches for
//!   its split point, and forgets it once the two halves start: each half
//!   then keeps the promise for its part (`join` runs both to the end,
//!   even when one panics).
//! - [`BackToSlice`]: moves a range from `buf` back to `v`. `sort_into`
//!   holds one over each half that it sorts into `buf`, armed only when the
//!   half returned (a half that unwound is in `v` already, one that never
//!   ran was never moved), and one over its merge when it merges into
//!   `buf`.
//!
//! A panic anywhere thus leaves every unwinding `sort_into` with its range
//! in `v`, up to the top one, whose range is the whole slice.
//!
//! Zero-sized items never come here (`sort.rs` hands them to std's sort):
//! the runs are measured by pointer distance.

use alloc::vec::Vec;
use core::mem;
use core::ptr;
use core::slice;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// Ranges up to this long are sorted by insertion, in `v`.
const RUN: usize = if cfg!(miri) { 4 } else { 16 };

/// Ranges (and merges) at least this long split in two through `join`;
/// shorter ones run their halves one after the other. (Small under Miri,
/// so that its short inputs take every path.)
const PARALLEL_FROM: usize = if cfg!(miri) { 12 } else { 2048 };

/// Sorts `v` stably by `is_less`, in parallel.
pub(super) fn sort<T, F>(v: &mut [T], is_less: &F)
where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
{
    // In order, or strictly in reverse order (so that reversing keeps
    // equal items in order): no buffer needed.
    if v.is_sorted_by(|a, b| !is_less(b, a)) {
        return;
    }
    if v.is_sorted_by(|a, b| is_less(b, a)) {
        v.reverse();
        return;
    }
    assert!(
        size_of::<T>() != 0,
        "zero-sized items are sorted by std's sort"
    );
    let len = v.len();
    let mut scratch = Vec::<T>::with_capacity(len);
    let (v, buf) = (Ptr(v.as_mut_ptr()), Ptr(scratch.as_mut_ptr()));
    // SAFETY: `v` points to the `len` initialized elements of the slice,
    // which this call borrows exclusively; `buf` to room for `len` of them
    // in a fresh allocation, so the two do not overlap. `sort_into` with
    // `Dest::Slice` leaves every element in `v` (sorted on return, in some
    // order on unwind) and `buf` logically empty, as `scratch`, of length
    // 0, expects when it is freed.
    unsafe { sort_into(v, buf, len, Dest::Slice, is_less) };
}

/// Where `sort_into` leaves its sorted range.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dest {
    Slice,
    Buffer,
}

impl Dest {
    fn other(self) -> Dest {
        match self {
            Dest::Slice => Dest::Buffer,
            Dest::Buffer => Dest::Slice,
        }
    }
}

/// Sorts the `len` elements at `v` into `dest`'s range (see the module
/// docs).
///
/// # Safety
///
/// `v` and `buf` each point to room for `len` elements, the two ranges do
/// not overlap, and this call has exclusive use of both. `v`'s range holds
/// initialized elements, `buf`'s none. On return the elements are sorted in
/// `dest`'s range and the other range is logically uninitialized; on
/// unwind they are all in `v`'s range.
unsafe fn sort_into<T, F>(v: Ptr<T>, buf: Ptr<T>, len: usize, dest: Dest, is_less: &F)
where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
{
    if len <= RUN {
        // SAFETY: `v`'s range is initialized and ours alone (contract).
        insertion_sort(unsafe { slice::from_raw_parts_mut(v.0, len) }, is_less);
        if dest == Dest::Buffer {
            // SAFETY: moves the sorted elements to `buf`'s range, which is
            // ours and does not overlap; `v`'s range is then logically
            // uninitialized, as the contract says for `Dest::Buffer`.
            unsafe { ptr::copy_nonoverlapping(v.0, buf.0, len) };
        }
        return;
    }
    let mid = len / 2;
    let (l, r) = (mid, len - mid);
    let halves = dest.other();
    let done = [AtomicBool::new(false), AtomicBool::new(false)];
    let (l_done, r_done) = (&done[0], &done[1]);
    // If one half unwinds, a half sorted into `buf` goes back to `v`.
    let undo_halves = (halves == Dest::Buffer).then(|| {
        [
            BackToSlice::new(buf, v, l, Some(l_done)),
            BackToSlice::new(buf.add(mid), v.add(mid), r, Some(r_done)),
        ]
    });
    let left = move || {
        // SAFETY: the first `mid` places of both ranges, which the right
        // half does not touch: initialized in `v`, ours alone.
        unsafe { sort_into(v, buf, l, halves, is_less) };
        l_done.store(true, Relaxed);
    };
    let right = move || {
        // SAFETY: the places from `mid` on, as for the left half.
        unsafe { sort_into(v.add(mid), buf.add(mid), r, halves, is_less) };
        r_done.store(true, Relaxed);
    };
    // `done` is read (by the guards, on unwind) only after `join` returned
    // or unwound, that is after both closures finished and their writes,
    // on whatever thread, became visible here (as their results would):
    // Relaxed is enough.
    if len >= PARALLEL_FROM {
        crate::join(left, right);
    } else {
        left();
        right();
    }
    mem::forget(undo_halves);

    // Both halves are sorted in `halves`' ranges; merge them into `dest`'s.
    let (src, dst) = match dest {
        Dest::Slice => (buf, v),
        Dest::Buffer => (v, buf),
    };
    // If the merge unwinds into `buf`, its elements go back to `v`.
    let undo_merge = (dest == Dest::Buffer).then(|| BackToSlice::new(buf, v, len, None));
    // SAFETY: `src`'s range holds the two sorted runs, `dst`'s is room
    // for both; the ranges are ours alone and do not overlap.
    unsafe { merge(src, l, src.add(mid), r, dst, is_less, len >= PARALLEL_FROM) };
    mem::forget(undo_merge);
}

/// Moves the sorted runs at `a` (`a_len` elements) and at `b` (`b_len`)
/// into `out`, merged, with the items of `a` before equal ones of `b`.
/// With `parallel`, a long merge splits in two through `join`.
///
/// # Safety
///
/// Both runs are initialized; `out` is room for `a_len + b_len` elements;
/// the three ranges do not overlap, and the call has exclusive use of all
/// of them. On return *and on unwind*, every element of the runs is in
/// `out` (sorted on return) and the runs' places are logically
/// uninitialized.
unsafe fn merge<T, F>(
    a: Ptr<T>,
    a_len: usize,
    b: Ptr<T>,
    b_len: usize,
    out: Ptr<T>,
    is_less: &F,
    parallel: bool,
) where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
{
    // From here on the hole has the runs: whatever happens, it fills `out`.
    let hole = Hole {
        a: a.0,
        a_end: a.0.wrapping_add(a_len),
        b: b.0,
        b_end: b.0.wrapping_add(b_len),
        out: out.0,
        out_end: out.0.wrapping_add(a_len + b_len),
    };
    if !parallel || a_len + b_len < PARALLEL_FROM || a_len == 0 || b_len == 0 {
        // SAFETY: the hole's runs and room are as `merge`'s contract says.
        unsafe { hole.merge(is_less) };
        return;
    }
    // SAFETY: both runs are initialized, and nobody writes them while this
    // call has them (contract); the slices are gone before the halves run.
    let (run_a, run_b) = unsafe {
        (
            slice::from_raw_parts(a.0.cast_const(), a_len),
            slice::from_raw_parts(b.0.cast_const(), b_len),
        )
    };
    // Cut the longer run at its middle and the other where that item would
    // go: `run_a[..i]` and `run_b[..j]` all belong before the rest. An item
    // of `b` equal to `run_a[i]` goes after it; one of `a` equal to
    // `run_b[j]` before it.
    let (i, j) = if a_len >= b_len {
        let i = a_len / 2;
        (i, run_b.partition_point(|x| is_less(x, &run_a[i])))
    } else {
        let j = b_len / 2;
        (run_a.partition_point(|x| !is_less(&run_b[j], x)), j)
    };
    // The halves take over the promise for their parts; `join` runs both
    // to the end even if one panics, so together they fill `out`.
    mem::forget(hole);
    crate::join(
        // SAFETY: `a[..i]` and `b[..j]` into `out[..i + j]`: initialized
        // runs and room, disjoint from the other half's parts.
        move || unsafe { merge(a, i, b, j, out, is_less, true) },
        // SAFETY: the rest of both runs into the rest of `out`.
        move || unsafe {
            let (a, b, out) = (a.add(i), b.add(j), out.add(i + j));
            merge(a, a_len - i, b, b_len - j, out, is_less, true)
        },
    );
}

/// A merge under way, from both ends at once: the unmerged middle of run
/// `a` (`a..a_end`) and of run `b` (`b..b_end`), and the gap between the
/// merged front and the merged back of the output (`out..out_end`), which
/// has room for exactly the unmerged elements. Dropping it moves what is
/// left of `a`, then what is left of `b`, into the gap.
///
/// Merging from both ends gives two chains of comparisons that do not
/// wait for each other: with keys behind pointers (strings), whose loads
/// miss the cache, the two chains' misses overlap.
struct Hole<T> {
    a: *mut T,
    a_end: *mut T,
    b: *mut T,
    b_end: *mut T,
    out: *mut T,
    out_end: *mut T,
}

impl<T> Hole<T> {
    /// Merges until one run is used up; the drop then moves the other.
    ///
    /// # Safety
    ///
    /// The hole is as its type's docs say, with both runs sorted and
    /// initialized, and its ranges are this thread's alone.
    unsafe fn merge<F: Fn(&T, &T) -> bool>(mut self, is_less: &F) {
        // SAFETY (of every dereference below): while neither run is used
        // up, `a`, `b` and the places just before `a_end` and `b_end` hold
        // initialized, unmerged elements (the hole's invariant).
        let used_up = |h: &Self| h.a == h.a_end || h.b == h.b_end;
        if !used_up(&self) {
            // SAFETY: see above: the last of `a` and the first of `b`.
            let (last_a, first_b) = unsafe { (&*self.a_end.sub(1), &*self.b) };
            if !is_less(first_b, last_a) {
                // Already in order: the drop moves `a`, then `b`.
                return;
            }
        }
        while !used_up(&self) {
            // At the front, the smaller head; `a`'s if they are equal.
            // SAFETY: see above: the first unmerged element of each run.
            let (first_a, first_b) = unsafe { (&*self.a, &*self.b) };
            let take_b = is_less(first_b, first_a);
            let from = if take_b { self.b } else { self.a };
            // SAFETY: the gap has room for every unmerged element, so for
            // this one at its front; the place moved from leaves the
            // unmerged range right after, so it is never read again. If
            // `is_less` panicked, the hole is unchanged.
            unsafe { ptr::copy_nonoverlapping(from, self.out, 1) };
            self.out = self.out.wrapping_add(1);
            self.a = self.a.wrapping_add(usize::from(!take_b));
            self.b = self.b.wrapping_add(usize::from(take_b));
            if used_up(&self) {
                break;
            }
            // At the back, the larger tail; `b`'s if they are equal.
            // SAFETY: see above: the last unmerged element of each run.
            let (last_a, last_b) = unsafe { (&*self.a_end.sub(1), &*self.b_end.sub(1)) };
            let take_a = is_less(last_b, last_a);
            let from = if take_a { last_a } else { last_b };
            self.out_end = self.out_end.wrapping_sub(1);
            // SAFETY: as at the front, at the back of the gap.
            unsafe { ptr::copy_nonoverlapping(from, self.out_end, 1) };
            self.a_end = self.a_end.wrapping_sub(usize::from(take_a));
            self.b_end = self.b_end.wrapping_sub(usize::from(!take_a));
        }
    }
}

impl<T> Drop for Hole<T> {
    fn drop(&mut self) {
        // SAFETY: the hole's invariant: `a..a_end` and `b..b_end` hold the
        // unmerged, initialized elements, in `src` (`merge` is never called
        // for zero-sized `T`, so these are byte distances), and the gap
        // `out..out_end` in `dst` has room for exactly them. Each is moved
        // once; the hole is not used again.
        unsafe {
            let a_left = self.a_end.offset_from_unsigned(self.a);
            let b_left = self.b_end.offset_from_unsigned(self.b);
            debug_assert_eq!(a_left + b_left, self.out_end.offset_from_unsigned(self.out));
            ptr::copy_nonoverlapping(self.a, self.out, a_left);
            ptr::copy_nonoverlapping(self.b, self.out.add(a_left), b_left);
        }
    }
}

/// Dropped while unwinding: moves `len` elements from `from` (in `buf`)
/// back to `to` (in `v`), if `done` is `None` or set.
struct BackToSlice<'a, T> {
    from: *mut T,
    to: *mut T,
    len: usize,
    done: Option<&'a AtomicBool>,
}

impl<'a, T> BackToSlice<'a, T> {
    fn new(from: Ptr<T>, to: Ptr<T>, len: usize, done: Option<&'a AtomicBool>) -> Self {
        BackToSlice {
            from: from.0,
            to: to.0,
            len,
            done,
        }
    }
}

impl<T> Drop for BackToSlice<'_, T> {
    fn drop(&mut self) {
        if self.done.is_some_and(|done| !done.load(Relaxed)) {
            return;
        }
        // SAFETY: a `BackToSlice` is dropped only on unwind (it is
        // forgotten otherwise), and only when its range's elements are in
        // `buf`: a half that returned into `buf` (it set `done`), or a merge
        // into `buf`, which fills `out` even when it unwinds. `to` is the
        // same range of `v`, logically uninitialized then, and ours.
        unsafe { ptr::copy_nonoverlapping(self.from, self.to, self.len) };
    }
}

/// A pointer into `v` or `buf` that may cross to the other half of a
/// `join`.
struct Ptr<T>(*mut T);

impl<T> Clone for Ptr<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Ptr<T> {}

impl<T> Ptr<T> {
    /// `count` elements further on (arithmetic only: reading or writing
    /// there is up to the caller's contract).
    fn add(self, count: usize) -> Self {
        Ptr(self.0.wrapping_add(count))
    }
}

// SAFETY: a `Ptr` reaches another thread only inside a `join` half that has
// exclusive use of the places it points to (`sort_into` and `merge` give
// their halves disjoint ranges), so sending one sends exclusive access to
// `T`s, as sending a `&mut [T]` does: sound for `T: Send`.
unsafe impl<T: Send> Send for Ptr<T> {}

/// Stable insertion sort, in safe code: a panic in `is_less` leaves `v` a
/// permutation of itself.
fn insertion_sort<T, F: Fn(&T, &T) -> bool>(v: &mut [T], is_less: &F) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && is_less(&v[j], &v[j - 1]) {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

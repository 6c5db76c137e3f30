//! The unstable sort: a parallel quicksort, in safe code (a panic in a
//! comparison leaves the slice a permutation of itself by construction:
//! elements only ever move by `swap`).
//!
//! A piece longer than [`PIECE`] is partitioned around the median of three
//! medians of three (Tukey's ninther), and its two sides are sorted through
//! `join`; shorter pieces go to the leaf sort (std's `sort_unstable_by`).
//! Two ideas from pattern-defeating quicksort (Peters, 2021):
//!
//! - **Bad splits are counted.** A split leaving less than an eighth of
//!   the piece on one side spends one of about `log2(len)` allowed; a piece
//!   that finds none left goes to the leaf sort, whose worst case is
//!   `O(n log n)`, so this one's is too.
//! - **Runs of equal items finish at once.** The pivot of a split is
//!   handed to the right side as its *floor*: every item there is at least
//!   as large. When a piece's pivot equals its floor, the items equal to
//!   it are gathered at the front, and are then in place; only the larger
//!   ones are sorted further. So few distinct values cost a few passes.

/// Pieces up to this long go to the leaf sort. (Small under Miri, so that
/// its short inputs take every path.)
const PIECE: usize = if cfg!(miri) { 12 } else { 2048 };

/// Sorts `v` by `is_less`, in parallel; `leaf` sorts the short pieces (by
/// the same order).
pub(super) fn sort<T, F, L>(v: &mut [T], leaf: &L, is_less: &F)
where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
    L: Fn(&mut [T]) + Sync,
{
    // In order, or in reverse order (equal items may swap: the sort is
    // unstable): no partition needed.
    if v.is_sorted_by(|a, b| !is_less(b, a)) {
        return;
    }
    if v.is_sorted_by(|a, b| !is_less(a, b)) {
        v.reverse();
        return;
    }
    let bad_splits_allowed = usize::BITS - v.len().leading_zeros();
    sort_piece(v, None, bad_splits_allowed, leaf, is_less);
}

/// Sorts `v`, all of whose items are at least `floor` if there is one.
fn sort_piece<'a, T, F, L>(
    v: &'a mut [T],
    floor: Option<&'a mut T>,
    bad_splits_allowed: u32,
    leaf: &L,
    is_less: &F,
) where
    T: Send,
    F: Fn(&T, &T) -> bool + Sync,
    L: Fn(&mut [T]) + Sync,
{
    let len = v.len();
    if len <= PIECE || bad_splits_allowed == 0 {
        leaf(v);
        return;
    }
    let pivot_at = ninther(v, is_less);
    v.swap(0, pivot_at);
    let (pivot, rest) = v.split_at_mut(1);
    let pivot = &pivot[0];
    if floor.as_deref().is_some_and(|floor| !is_less(floor, pivot)) {
        // The pivot equals the floor, and so does every item not above it.
        let equal = partition(rest, |x| !is_less(pivot, x));
        return sort_piece(&mut rest[equal..], floor, bad_splits_allowed, leaf, is_less);
    }
    let less = partition(rest, |x| is_less(x, pivot));
    // `v[1..=less]` is below the pivot, the rest not: put the pivot between.
    v.swap(0, less);
    let (left, right) = v.split_at_mut(less);
    let (pivot, right) = right.split_at_mut(1);
    let bad = left.len().min(right.len()) < len / 8;
    let allowed = bad_splits_allowed - u32::from(bad);
    crate::join(
        move || sort_piece(left, floor, allowed, leaf, is_less),
        move || sort_piece(right, Some(&mut pivot[0]), allowed, leaf, is_less),
    );
}

/// Moves the items for which `goes_left` holds to the front, and returns
/// how many there are. Branch-free Lomuto: every item is swapped with the
/// first place after the front, which grows by one when the item belongs
/// to it (swapping two items of the back does no harm).
fn partition<T>(v: &mut [T], goes_left: impl Fn(&T) -> bool) -> usize {
    let mut front = 0;
    for i in 0..v.len() {
        let left = goes_left(&v[i]);
        v.swap(front, i);
        front += usize::from(left);
    }
    front
}

/// The index of the median of the medians of three neighbours at a
/// quarter, half and three quarters of `v` (at least 9 items long).
fn ninther<T, F: Fn(&T, &T) -> bool>(v: &[T], is_less: &F) -> usize {
    let q = v.len() / 4;
    let median = |a: usize, b: usize, c: usize| median_of_three(v, a, b, c, is_less);
    median(
        median(q - 1, q, q + 1),
        median(2 * q - 1, 2 * q, 2 * q + 1),
        median(3 * q - 1, 3 * q, 3 * q + 1),
    )
}

/// The index, of `a`, `b` and `c`, whose item is between the other two.
fn median_of_three<T, F: Fn(&T, &T) -> bool>(
    v: &[T],
    mut a: usize,
    mut b: usize,
    mut c: usize,
    is_less: &F,
) -> usize {
    // Sort the three indices by their items.
    if is_less(&v[b], &v[a]) {
        core::mem::swap(&mut a, &mut b);
    }
    if is_less(&v[c], &v[b]) {
        core::mem::swap(&mut b, &mut c);
        if is_less(&v[b], &v[a]) {
            core::mem::swap(&mut a, &mut b);
        }
    }
    b
}

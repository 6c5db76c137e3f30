//! Owning iteration: `into_par_iter` on `Vec<T>`, `Box<[T]>` and `[T; N]`
//! moves every item out exactly once.
//!
//! The vector's length is set to 0 before anything is handed out, so the
//! vector itself only frees its buffer when it is dropped. The items are
//! owned meanwhile by [`DrainProducer`]s, each over a disjoint part of the
//! buffer: turning one into its sequential iterator moves items out as they
//! are taken, and whatever a producer or iterator did not hand out (a
//! consumer that stopped early, a panic unwinding) is dropped with it.

use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};
use super::{IndexedParallelIterator, IntoParallelIterator};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr;

/// A parallel iterator that moves the items out of a vector.
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct IntoIter<T> {
    vec: Vec<T>,
}

impl<T: Send> IntoParallelIterator for Vec<T> {
    type Iter = IntoIter<T>;
    type Item = T;
    /// ```
    /// use forkscope::prelude::*;
    /// let words = vec![String::from("a"), String::from("bc")];
    /// assert_eq!(words.into_par_iter().map(|s| s.len()).sum::<usize>(), 3);
    /// ```
    fn into_par_iter(self) -> IntoIter<T> {
        IntoIter { vec: self }
    }
}

impl<T: Send> IntoParallelIterator for Box<[T]> {
    type Iter = IntoIter<T>;
    type Item = T;
    fn into_par_iter(self) -> IntoIter<T> {
        IntoIter { vec: self.into() }
    }
}

impl<T: Send, const N: usize> IntoParallelIterator for [T; N] {
    type Iter = IntoIter<T>;
    type Item = T;
    /// (Through a vector: one allocation, as rayon.)
    fn into_par_iter(self) -> IntoIter<T> {
        IntoIter {
            vec: Vec::from(self),
        }
    }
}

parallel_iterator_via_bridge!(impl[T: Send] IntoIter<T> => T);

impl<T: Send> IndexedParallelIterator for IntoIter<T> {
    fn len(&self) -> usize {
        self.vec.len()
    }
    fn drive<C: Consumer<T>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<T>>(mut self, callback: CB) -> CB::Output {
        let len = self.vec.len();
        // SAFETY: from here on the producers own the `len` items (the vector
        // keeps only its buffer, which outlives the callback: `self.vec` is
        // dropped after it returns, or during unwinding after the producers
        // were dropped).
        unsafe { self.vec.set_len(0) };
        let items = ptr::slice_from_raw_parts_mut(self.vec.as_mut_ptr(), len);
        // SAFETY: `items` covers initialized elements that nothing else owns
        // or references now; the buffer is alive for the whole call.
        let producer = unsafe { DrainProducer::new(items) };
        callback.callback(producer)
    }
}

/// Owns the items of a part of the buffer.
struct DrainProducer<T> {
    items: *mut [T],
}

// SAFETY: a DrainProducer owns its items (moving it moves them), so it is
// `Send` exactly when they are.
unsafe impl<T: Send> Send for DrainProducer<T> {}

impl<T> DrainProducer<T> {
    /// # Safety
    ///
    /// `items` are initialized, owned by nobody else, and stay allocated
    /// for as long as the producer (and what it turns into) lives.
    unsafe fn new(items: *mut [T]) -> Self {
        DrainProducer { items }
    }

    /// Gives up the items without dropping them.
    fn take(&mut self) -> *mut [T] {
        let items = self.items;
        self.items = ptr::slice_from_raw_parts_mut(items.cast::<T>(), 0);
        items
    }
}

impl<T> Drop for DrainProducer<T> {
    fn drop(&mut self) {
        // SAFETY: the producer still owns these items (`take` empties it).
        unsafe { ptr::drop_in_place(self.items) };
    }
}

impl<T: Send> Producer for DrainProducer<T> {
    type Item = T;
    type IntoIter = Drain<T>;

    fn into_iter(mut self) -> Drain<T> {
        let items = self.take();
        Drain {
            start: items.cast::<T>(),
            end: items.len(),
            next: 0,
        }
    }

    fn split_at(mut self, index: usize) -> (Self, Self) {
        let items = self.take();
        assert!(index <= items.len(), "forkscope: split out of bounds");
        let start = items.cast::<T>();
        // SAFETY: both parts are disjoint sub-ranges of items this producer
        // owned; ownership passes to the two new producers.
        unsafe {
            (
                DrainProducer::new(ptr::slice_from_raw_parts_mut(start, index)),
                DrainProducer::new(ptr::slice_from_raw_parts_mut(
                    start.add(index),
                    items.len() - index,
                )),
            )
        }
    }
}

/// Moves items out of a part of the buffer: `start[next..end]` are still
/// owned here.
struct Drain<T> {
    start: *mut T,
    next: usize,
    end: usize,
}

impl<T> Iterator for Drain<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        // SAFETY: `next < end`: an item still owned here, read once (then
        // no longer in `next..end`).
        let item = unsafe { self.start.add(self.next).read() };
        self.next += 1;
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl<T> DoubleEndedIterator for Drain<T> {
    fn next_back(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        self.end -= 1;
        // SAFETY: the old `end - 1` was still owned here; read once.
        Some(unsafe { self.start.add(self.end).read() })
    }
}

impl<T> ExactSizeIterator for Drain<T> {}

impl<T> Drop for Drain<T> {
    fn drop(&mut self) {
        // SAFETY: `start[next..end]` are the items not handed out.
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(
                self.start.add(self.next),
                self.end - self.next,
            ))
        };
    }
}

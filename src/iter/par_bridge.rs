//! `par_bridge`: a sequential iterator fed to the pool. Its items are
//! pulled, one at a time under a lock, by as many pieces as the pool has
//! threads (`bridge_unindexed`'s split); a piece whose worker finds the
//! lock taken waits on an `Event`, spinning and yielding briefly, then
//! sleeping through the backend, so a pool waiting on a slow iterator (a
//! channel, a socket) burns no CPU. Items come out in no particular order.

use super::ParallelIterator;
use super::plumbing::{Folder, UnindexedConsumer, UnindexedProducer, bridge_unindexed};
use crate::sync::Event;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Turns a sequential iterator into a parallel one (`par_bridge`).
pub trait ParallelBridge: Sized {
    /// A parallel iterator over this iterator's items, in no particular
    /// order.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// use std::sync::mpsc::channel;
    /// let (sender, receiver) = channel();
    /// std::thread::spawn(move || (0..100u32).for_each(|i| sender.send(i).unwrap()));
    /// let mut got: Vec<u32> = receiver.into_iter().par_bridge().map(|x| x * 2).collect();
    /// got.sort();
    /// assert_eq!(got, (0..100).map(|x| x * 2).collect::<Vec<_>>());
    /// ```
    fn par_bridge(self) -> IterBridge<Self>;
}

impl<T: Iterator + Send> ParallelBridge for T
where
    T::Item: Send,
{
    fn par_bridge(self) -> IterBridge<Self> {
        IterBridge { iter: self }
    }
}

/// [`ParallelBridge::par_bridge`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct IterBridge<I> {
    iter: I,
}

impl<I: Iterator + Send> ParallelIterator for IterBridge<I>
where
    I::Item: Send,
{
    type Item = I::Item;

    fn drive_unindexed<C: UnindexedConsumer<I::Item>>(self, consumer: C) -> C::Result {
        let shared = Shared {
            iter: spin::Mutex::new(Some(self.iter)),
            turn: Event::new(),
            splits: AtomicUsize::new(crate::current_num_threads()),
        };
        bridge_unindexed(Puller { shared: &shared }, consumer)
    }
}

struct Shared<I> {
    /// The iterator, `None` once it returned `None` (never called again).
    iter: spin::Mutex<Option<I>>,
    /// Announced after every release of `iter`, for the pieces waiting.
    turn: Event,
    /// How many more pieces may be split off.
    splits: AtomicUsize,
}

impl<I: Iterator> Shared<I> {
    /// The next item, `None` at the end.
    fn next(&self) -> Option<I::Item> {
        let mut pulled = None;
        let mut take_turn = || match self.iter.try_lock() {
            Some(mut iter) => {
                pulled = Some(iter.as_mut().and_then(Iterator::next));
                if matches!(pulled, Some(None)) {
                    *iter = None;
                }
                true
            }
            None => false,
        };
        match crate::pool::current_backend() {
            Some(backend) => {
                self.turn.wait_until(backend, take_turn);
                self.turn.notify_all(backend);
            }
            // No backend: no other thread can hold the lock.
            None => while !take_turn() {},
        }
        pulled.flatten()
    }
}

/// A piece: pulls items until the iterator ends or its folder is full.
struct Puller<'s, I> {
    shared: &'s Shared<I>,
}

impl<I: Iterator + Send> UnindexedProducer for Puller<'_, I>
where
    I::Item: Send,
{
    type Item = I::Item;

    fn split(self) -> (Self, Option<Self>) {
        // Relaxed: a count of pieces, nothing else depends on it.
        let more = self
            .shared
            .splits
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        let other = more.then_some(Puller {
            shared: self.shared,
        });
        (self, other)
    }

    fn fold_with<F: Folder<I::Item>>(self, mut folder: F) -> F {
        while !folder.full() {
            match self.shared.next() {
                Some(item) => folder = folder.consume(item),
                None => break,
            }
        }
        folder
    }
}

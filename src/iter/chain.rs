//! `chain`: the items of one iterator, then those of another. Indexed when
//! both are: its producer splits the first side, or the second, or between
//! them.

use super::plumbing::{Consumer, Producer, ProducerCallback, Reducer, UnindexedConsumer, bridge};
use super::{IndexedParallelIterator, ParallelIterator};

/// [`ParallelIterator::chain`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Chain<A, B> {
    a: A,
    b: B,
}

impl<A, B> Chain<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        Chain { a, b }
    }
}

impl<A, B> ParallelIterator for Chain<A, B>
where
    A: ParallelIterator,
    B: ParallelIterator<Item = A::Item>,
{
    type Item = A::Item;

    /// Both sides at once, through `join`: the first into a consumer split
    /// off to its left (at its length when it knows it, so that a chain
    /// that knows its length splits only at indices, as `opt_len`
    /// promises).
    fn drive_unindexed<C: UnindexedConsumer<A::Item>>(self, consumer: C) -> C::Result {
        let (left, right, reducer) = match self.a.opt_len() {
            Some(a_len) => consumer.split_at(a_len),
            None => {
                let reducer = consumer.to_reducer();
                (consumer.split_off_left(), consumer, reducer)
            }
        };
        let (a, b) = crate::join(
            || self.a.drive_unindexed(left),
            || self.b.drive_unindexed(right),
        );
        reducer.reduce(a, b)
    }

    fn opt_len(&self) -> Option<usize> {
        self.a.opt_len()?.checked_add(self.b.opt_len()?)
    }
}

impl<A, B> IndexedParallelIterator for Chain<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator<Item = A::Item>,
{
    fn len(&self) -> usize {
        self.a
            .len()
            .checked_add(self.b.len())
            .expect("forkscope: chain's length overflows usize")
    }

    fn drive<C: Consumer<A::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }

    fn with_producer<CB: ProducerCallback<A::Item>>(self, callback: CB) -> CB::Output {
        struct CallbackA<CB, B> {
            callback: CB,
            a_len: usize,
            b: B,
        }
        impl<CB, B> ProducerCallback<B::Item> for CallbackA<CB, B>
        where
            B: IndexedParallelIterator,
            CB: ProducerCallback<B::Item>,
        {
            type Output = CB::Output;
            fn callback<PA: Producer<Item = B::Item>>(self, a: PA) -> CB::Output {
                self.b.with_producer(CallbackB {
                    callback: self.callback,
                    a_len: self.a_len,
                    a,
                })
            }
        }
        struct CallbackB<CB, PA> {
            callback: CB,
            a_len: usize,
            a: PA,
        }
        impl<CB, PA> ProducerCallback<PA::Item> for CallbackB<CB, PA>
        where
            PA: Producer,
            CB: ProducerCallback<PA::Item>,
        {
            type Output = CB::Output;
            fn callback<PB: Producer<Item = PA::Item>>(self, b: PB) -> CB::Output {
                self.callback.callback(ChainProducer {
                    a: self.a,
                    b,
                    a_len: self.a_len,
                })
            }
        }
        let a_len = self.a.len();
        self.a.with_producer(CallbackA {
            callback,
            a_len,
            b: self.b,
        })
    }
}

struct ChainProducer<A, B> {
    a: A,
    b: B,
    a_len: usize,
}

impl<A, B> Producer for ChainProducer<A, B>
where
    A: Producer,
    B: Producer<Item = A::Item>,
{
    type Item = A::Item;
    type IntoIter = ChainIter<A::IntoIter, B::IntoIter>;

    fn into_iter(self) -> Self::IntoIter {
        ChainIter {
            a: self.a.into_iter(),
            b: self.b.into_iter(),
        }
    }
    fn min_len(&self) -> usize {
        self.a.min_len().max(self.b.min_len())
    }
    fn max_len(&self) -> usize {
        self.a.max_len().min(self.b.max_len())
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        if index <= self.a_len {
            let (a_left, a_right) = self.a.split_at(index);
            let (b_none, b) = self.b.split_at(0);
            (
                ChainProducer {
                    a: a_left,
                    b: b_none,
                    a_len: index,
                },
                ChainProducer {
                    a: a_right,
                    b,
                    a_len: self.a_len - index,
                },
            )
        } else {
            let (b_left, b_right) = self.b.split_at(index - self.a_len);
            let (a, a_none) = self.a.split_at(self.a_len);
            (
                ChainProducer {
                    a,
                    b: b_left,
                    a_len: self.a_len,
                },
                ChainProducer {
                    a: a_none,
                    b: b_right,
                    a_len: 0,
                },
            )
        }
    }
    fn fold_with<F: super::plumbing::Folder<A::Item>>(self, folder: F) -> F {
        let folder = self.a.fold_with(folder);
        if folder.full() {
            return folder;
        }
        self.b.fold_with(folder)
    }
}

/// `a`'s items, then `b`'s, from both ends, with an exact length (which
/// `core::iter::Chain` does not promise).
struct ChainIter<A, B> {
    a: A,
    b: B,
}

impl<A: Iterator, B: Iterator<Item = A::Item>> Iterator for ChainIter<A, B> {
    type Item = A::Item;
    fn next(&mut self) -> Option<A::Item> {
        self.a.next().or_else(|| self.b.next())
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let (a_lo, a_hi) = self.a.size_hint();
        let (b_lo, b_hi) = self.b.size_hint();
        let hi = match (a_hi, b_hi) {
            (Some(x), Some(y)) => x.checked_add(y),
            _ => None,
        };
        (a_lo.saturating_add(b_lo), hi)
    }
    fn fold<Acc, F: FnMut(Acc, A::Item) -> Acc>(self, init: Acc, mut f: F) -> Acc {
        let acc = self.a.fold(init, &mut f);
        self.b.fold(acc, f)
    }
}

impl<A, B> DoubleEndedIterator for ChainIter<A, B>
where
    A: DoubleEndedIterator,
    B: DoubleEndedIterator<Item = A::Item>,
{
    fn next_back(&mut self) -> Option<A::Item> {
        self.b.next_back().or_else(|| self.a.next_back())
    }
}

impl<A, B> ExactSizeIterator for ChainIter<A, B>
where
    A: ExactSizeIterator,
    B: ExactSizeIterator<Item = A::Item>,
{
}

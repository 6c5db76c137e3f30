//! `rev`, `skip`, `take`, `step_by`: indexed adapters that change which
//! items a producer yields, by splitting it at computed indices.

use super::IndexedParallelIterator;
use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};

// ---- rev ---------------------------------------------------------------------

/// [`IndexedParallelIterator::rev`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Rev<I> {
    base: I,
}

impl<I> Rev<I> {
    pub(super) fn new(base: I) -> Self {
        Rev { base }
    }
}

parallel_iterator_via_bridge!(impl[I: IndexedParallelIterator] Rev<I> => I::Item);

impl<I: IndexedParallelIterator> IndexedParallelIterator for Rev<I> {
    fn len(&self) -> usize {
        self.base.len()
    }
    fn drive<C: Consumer<I::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<I::Item>>(self, callback: CB) -> CB::Output {
        struct Callback<CB> {
            callback: CB,
            len: usize,
        }
        impl<T, CB: ProducerCallback<T>> ProducerCallback<T> for Callback<CB> {
            type Output = CB::Output;
            fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
                self.callback.callback(RevProducer {
                    base,
                    len: self.len,
                })
            }
        }
        let len = self.base.len();
        self.base.with_producer(Callback { callback, len })
    }
}

struct RevProducer<P> {
    base: P,
    len: usize,
}

impl<P: Producer> Producer for RevProducer<P> {
    type Item = P::Item;
    type IntoIter = core::iter::Rev<P::IntoIter>;
    fn into_iter(self) -> Self::IntoIter {
        self.base.into_iter().rev()
    }
    fn min_len(&self) -> usize {
        self.base.min_len()
    }
    fn max_len(&self) -> usize {
        self.base.max_len()
    }
    /// The first `index` reversed items are the base's last `index`.
    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(self.len - index);
        (
            RevProducer {
                base: right,
                len: index,
            },
            RevProducer {
                base: left,
                len: self.len - index,
            },
        )
    }
}

// ---- skip and take -------------------------------------------------------------

/// [`IndexedParallelIterator::skip`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Skip<I> {
    base: I,
    n: usize,
}

/// [`IndexedParallelIterator::take`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Take<I> {
    base: I,
    n: usize,
}

impl<I: IndexedParallelIterator> Skip<I> {
    pub(super) fn new(base: I, n: usize) -> Self {
        let n = n.min(base.len());
        Skip { base, n }
    }
}

impl<I: IndexedParallelIterator> Take<I> {
    pub(super) fn new(base: I, n: usize) -> Self {
        let n = n.min(base.len());
        Take { base, n }
    }
}

/// Hands on one side of the base's producer, cut at `at`.
struct Side<CB> {
    callback: CB,
    at: usize,
    keep_right: bool,
}

impl<T, CB: ProducerCallback<T>> ProducerCallback<T> for Side<CB> {
    type Output = CB::Output;
    fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
        let (left, right) = base.split_at(self.at);
        if self.keep_right {
            self.callback.callback(right)
        } else {
            self.callback.callback(left)
        }
    }
}

parallel_iterator_via_bridge!(impl[I: IndexedParallelIterator] Skip<I> => I::Item);
parallel_iterator_via_bridge!(impl[I: IndexedParallelIterator] Take<I> => I::Item);

impl<I: IndexedParallelIterator> IndexedParallelIterator for Skip<I> {
    fn len(&self) -> usize {
        self.base.len() - self.n
    }
    fn drive<C: Consumer<I::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<I::Item>>(self, callback: CB) -> CB::Output {
        self.base.with_producer(Side {
            callback,
            at: self.n,
            keep_right: true,
        })
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for Take<I> {
    fn len(&self) -> usize {
        self.n
    }
    fn drive<C: Consumer<I::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<I::Item>>(self, callback: CB) -> CB::Output {
        self.base.with_producer(Side {
            callback,
            at: self.n,
            keep_right: false,
        })
    }
}

// ---- step_by ---------------------------------------------------------------------

/// [`IndexedParallelIterator::step_by`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct StepBy<I> {
    base: I,
    step: usize,
}

impl<I> StepBy<I> {
    pub(super) fn new(base: I, step: usize) -> Self {
        assert!(step != 0, "assertion failed: step != 0");
        StepBy { base, step }
    }
}

parallel_iterator_via_bridge!(impl[I: IndexedParallelIterator] StepBy<I> => I::Item);

impl<I: IndexedParallelIterator> IndexedParallelIterator for StepBy<I> {
    fn len(&self) -> usize {
        self.base.len().div_ceil(self.step)
    }
    fn drive<C: Consumer<I::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<I::Item>>(self, callback: CB) -> CB::Output {
        struct Callback<CB> {
            callback: CB,
            step: usize,
            base_len: usize,
        }
        impl<T, CB: ProducerCallback<T>> ProducerCallback<T> for Callback<CB> {
            type Output = CB::Output;
            fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
                self.callback.callback(StepByProducer {
                    base,
                    step: self.step,
                    base_len: self.base_len,
                })
            }
        }
        let base_len = self.base.len();
        self.base.with_producer(Callback {
            callback,
            step: self.step,
            base_len,
        })
    }
}

struct StepByProducer<P> {
    base: P,
    step: usize,
    /// The base producer's length.
    base_len: usize,
}

impl<P: Producer> Producer for StepByProducer<P> {
    type Item = P::Item;
    type IntoIter = core::iter::StepBy<P::IntoIter>;
    fn into_iter(self) -> Self::IntoIter {
        self.base.into_iter().step_by(self.step)
    }
    fn min_len(&self) -> usize {
        self.base.min_len().div_ceil(self.step)
    }
    fn max_len(&self) -> usize {
        (self.base.max_len() / self.step).max(1)
    }
    /// Item `index` of the stepped sequence is the base's `index * step`.
    fn split_at(self, index: usize) -> (Self, Self) {
        let at = index.saturating_mul(self.step).min(self.base_len);
        let (left, right) = self.base.split_at(at);
        let step = self.step;
        (
            StepByProducer {
                base: left,
                step,
                base_len: at,
            },
            StepByProducer {
                base: right,
                step,
                base_len: self.base_len - at,
            },
        )
    }
}

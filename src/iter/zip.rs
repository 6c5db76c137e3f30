//! `zip` and `enumerate`: the adapters that split two sources at the same
//! index (the reason `Producer::split_at` takes an exact index).

use super::IndexedParallelIterator;
use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};

/// [`IndexedParallelIterator::zip`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Zip<A, B> {
    a: A,
    b: B,
}

impl<A, B> Zip<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        Zip { a, b }
    }
}

parallel_iterator_via_bridge!(
    impl[A: IndexedParallelIterator, B: IndexedParallelIterator] Zip<A, B> => (A::Item, B::Item)
);

impl<A: IndexedParallelIterator, B: IndexedParallelIterator> IndexedParallelIterator for Zip<A, B> {
    fn len(&self) -> usize {
        self.a.len().min(self.b.len())
    }
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        // The producer of `a` is received first; inside its callback the
        // producer of `b`; inside that one both are alive together.
        struct CallbackA<CB, B> {
            callback: CB,
            b: B,
            len: usize,
        }
        impl<CB, ITEM, B> ProducerCallback<ITEM> for CallbackA<CB, B>
        where
            B: IndexedParallelIterator,
            CB: ProducerCallback<(ITEM, B::Item)>,
        {
            type Output = CB::Output;
            fn callback<PA: Producer<Item = ITEM>>(self, a: PA) -> CB::Output {
                self.b.with_producer(CallbackB {
                    callback: self.callback,
                    a,
                    len: self.len,
                })
            }
        }
        struct CallbackB<CB, PA> {
            callback: CB,
            a: PA,
            len: usize,
        }
        impl<CB, PA, ITEM> ProducerCallback<ITEM> for CallbackB<CB, PA>
        where
            PA: Producer,
            CB: ProducerCallback<(PA::Item, ITEM)>,
        {
            type Output = CB::Output;
            fn callback<PB: Producer<Item = ITEM>>(self, b: PB) -> CB::Output {
                // Both cut to the common length, so that their iterators
                // line up from both ends.
                let (a, _) = self.a.split_at(self.len);
                let (b, _) = b.split_at(self.len);
                self.callback.callback(ZipProducer { a, b })
            }
        }
        let len = self.len();
        self.a.with_producer(CallbackA {
            callback,
            b: self.b,
            len,
        })
    }
}

struct ZipProducer<A, B> {
    a: A,
    b: B,
}

impl<A: Producer, B: Producer> Producer for ZipProducer<A, B> {
    type Item = (A::Item, B::Item);
    type IntoIter = core::iter::Zip<A::IntoIter, B::IntoIter>;
    fn into_iter(self) -> Self::IntoIter {
        self.a.into_iter().zip(self.b.into_iter())
    }
    fn min_len(&self) -> usize {
        self.a.min_len().max(self.b.min_len())
    }
    fn max_len(&self) -> usize {
        self.a.max_len().min(self.b.max_len())
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (a_left, a_right) = self.a.split_at(index);
        let (b_left, b_right) = self.b.split_at(index);
        (
            ZipProducer {
                a: a_left,
                b: b_left,
            },
            ZipProducer {
                a: a_right,
                b: b_right,
            },
        )
    }
}

/// [`IndexedParallelIterator::enumerate`].
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct Enumerate<I> {
    base: I,
}

impl<I> Enumerate<I> {
    pub(super) fn new(base: I) -> Self {
        Enumerate { base }
    }
}

parallel_iterator_via_bridge!(impl[I: IndexedParallelIterator] Enumerate<I> => (usize, I::Item));

impl<I: IndexedParallelIterator> IndexedParallelIterator for Enumerate<I> {
    fn len(&self) -> usize {
        self.base.len()
    }
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        struct Callback<CB> {
            callback: CB,
        }
        impl<ITEM, CB: ProducerCallback<(usize, ITEM)>> ProducerCallback<ITEM> for Callback<CB> {
            type Output = CB::Output;
            fn callback<P: Producer<Item = ITEM>>(self, base: P) -> CB::Output {
                self.callback
                    .callback(EnumerateProducer { base, offset: 0 })
            }
        }
        self.base.with_producer(Callback { callback })
    }
}

struct EnumerateProducer<P> {
    base: P,
    offset: usize,
}

impl<P: Producer> Producer for EnumerateProducer<P> {
    type Item = (usize, P::Item);
    type IntoIter = core::iter::Zip<core::ops::Range<usize>, P::IntoIter>;
    fn into_iter(self) -> Self::IntoIter {
        let base = self.base.into_iter();
        (self.offset..self.offset + base.len()).zip(base)
    }
    fn min_len(&self) -> usize {
        self.base.min_len()
    }
    fn max_len(&self) -> usize {
        self.base.max_len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        (
            EnumerateProducer {
                base: left,
                offset: self.offset,
            },
            EnumerateProducer {
                base: right,
                offset: self.offset + index,
            },
        )
    }
}

/// [`IndexedParallelIterator::zip_eq`]: a [`Zip`] of two iterators of the
/// same length.
#[derive(Debug, Clone)]
#[must_use = "iterator adapters are lazy and do nothing unless consumed"]
pub struct ZipEq<A, B> {
    zip: Zip<A, B>,
}

impl<A: IndexedParallelIterator, B: IndexedParallelIterator> ZipEq<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        let (a_len, b_len) = (a.len(), b.len());
        assert_eq!(a_len, b_len, "iterators must have the same length");
        ZipEq {
            zip: Zip::new(a, b),
        }
    }
}

parallel_iterator_via_bridge!(
    impl[A: IndexedParallelIterator, B: IndexedParallelIterator] ZipEq<A, B> => (A::Item, B::Item)
);

impl<A: IndexedParallelIterator, B: IndexedParallelIterator> IndexedParallelIterator
    for ZipEq<A, B>
{
    fn len(&self) -> usize {
        self.zip.len()
    }
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.zip.drive(consumer)
    }
    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        self.zip.with_producer(callback)
    }
}

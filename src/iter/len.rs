//! `with_min_len` and `with_max_len`: bounds on the pieces `bridge` makes.

use super::IndexedParallelIterator;
use super::plumbing::{Consumer, Producer, ProducerCallback, bridge};

macro_rules! length_bound {
    ($(#[$doc:meta])* $name:ident, $producer:ident, $field:ident, $method:ident, $other:ident, $combine:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use = "iterator adapters are lazy and do nothing unless consumed"]
        pub struct $name<I> {
            base: I,
            $field: usize,
        }

        impl<I> $name<I> {
            pub(super) fn new(base: I, $field: usize) -> Self {
                $name { base, $field }
            }
        }

        parallel_iterator_via_bridge!(impl[I: IndexedParallelIterator] $name<I> => I::Item);

        impl<I: IndexedParallelIterator> IndexedParallelIterator for $name<I> {
            fn len(&self) -> usize {
                self.base.len()
            }
            fn drive<C: Consumer<I::Item>>(self, consumer: C) -> C::Result {
                bridge(self, consumer)
            }
            fn with_producer<CB: ProducerCallback<I::Item>>(self, callback: CB) -> CB::Output {
                struct Callback<CB> {
                    callback: CB,
                    $field: usize,
                }
                impl<T, CB: ProducerCallback<T>> ProducerCallback<T> for Callback<CB> {
                    type Output = CB::Output;
                    fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
                        self.callback.callback($producer { base, $field: self.$field })
                    }
                }
                let $field = self.$field;
                self.base.with_producer(Callback { callback, $field })
            }
        }

        struct $producer<P> {
            base: P,
            $field: usize,
        }

        impl<P: Producer> Producer for $producer<P> {
            type Item = P::Item;
            type IntoIter = P::IntoIter;
            fn into_iter(self) -> P::IntoIter {
                self.base.into_iter()
            }
            fn $method(&self) -> usize {
                let combine: fn(usize, usize) -> usize = $combine;
                combine(self.base.$method(), self.$field)
            }
            fn $other(&self) -> usize {
                self.base.$other()
            }
            fn split_at(self, index: usize) -> (Self, Self) {
                let (left, right) = self.base.split_at(index);
                let $field = self.$field;
                ($producer { base: left, $field }, $producer { base: right, $field })
            }
            fn fold_with<F: super::plumbing::Folder<P::Item>>(self, folder: F) -> F {
                self.base.fold_with(folder)
            }
        }
    };
}

length_bound!(
    /// [`IndexedParallelIterator::with_min_len`]: pieces of at least `min`
    /// items.
    MinLen, MinLenProducer, min, min_len, max_len, usize::max
);
length_bound!(
    /// [`IndexedParallelIterator::with_max_len`]: pieces of at most `max`
    /// items.
    MaxLen, MaxLenProducer, max, max_len, min_len, usize::min
);

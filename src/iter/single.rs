//! Sources of zero, one, `n` or endless copies of an item: [`empty`],
//! [`once`], [`repeat_n`], [`repeat`], and `Option<T>` as a parallel
//! iterator of at most one item.

use super::plumbing::{
    Consumer, Folder, Producer, ProducerCallback, UnindexedConsumer, UnindexedProducer, bridge,
    bridge_unindexed,
};
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator, Zip};

/// A parallel iterator with no items: [`empty`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Empty<T> {
    _marker: core::marker::PhantomData<fn() -> T>,
}

impl<T> Clone for Empty<T> {
    fn clone(&self) -> Self {
        empty()
    }
}

/// A parallel iterator with no items.
///
/// ```
/// use forkscope::prelude::*;
/// assert_eq!(forkscope::iter::empty::<u32>().sum::<u32>(), 0);
/// ```
pub fn empty<T>() -> Empty<T> {
    Empty {
        _marker: core::marker::PhantomData,
    }
}

parallel_iterator_via_bridge!(impl[T: Send] Empty<T> => T);

impl<T: Send> IndexedParallelIterator for Empty<T> {
    fn len(&self) -> usize {
        0
    }
    fn drive<C: Consumer<T>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<T>>(self, callback: CB) -> CB::Output {
        callback.callback(OptionProducer { item: None })
    }
}

/// A parallel iterator over at most one item: [`once`], and `Option<T>`.
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Once<T> {
    item: Option<T>,
}

/// A parallel iterator over exactly one item.
///
/// ```
/// use forkscope::prelude::*;
/// let mut v = Vec::new();
/// (0..2u32).into_par_iter().chain(forkscope::iter::once(9)).collect_into_vec(&mut v);
/// assert_eq!(v, [0, 1, 9]);
/// ```
pub fn once<T: Send>(item: T) -> Once<T> {
    Once { item: Some(item) }
}

impl<T: Send> IntoParallelIterator for Option<T> {
    type Iter = Once<T>;
    type Item = T;
    /// The item, if there is one.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!(Some(3).into_par_iter().sum::<i32>(), 3);
    /// assert_eq!(None::<i32>.into_par_iter().count(), 0);
    /// ```
    fn into_par_iter(self) -> Once<T> {
        Once { item: self }
    }
}

impl<'a, T: Sync> IntoParallelIterator for &'a Option<T> {
    type Iter = Once<&'a T>;
    type Item = &'a T;
    /// A reference to the item, if there is one (`par_iter`).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!(Some(3).par_iter().copied().sum::<i32>(), 3);
    /// ```
    fn into_par_iter(self) -> Once<&'a T> {
        Once {
            item: self.as_ref(),
        }
    }
}

impl<'a, T: Send> IntoParallelIterator for &'a mut Option<T> {
    type Iter = Once<&'a mut T>;
    type Item = &'a mut T;
    /// A mutable reference to the item, if there is one (`par_iter_mut`).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let mut x = Some(3);
    /// x.par_iter_mut().for_each(|x| *x += 1);
    /// assert_eq!(x, Some(4));
    /// ```
    fn into_par_iter(self) -> Once<&'a mut T> {
        Once {
            item: self.as_mut(),
        }
    }
}

parallel_iterator_via_bridge!(impl[T: Send] Once<T> => T);

impl<T: Send> IndexedParallelIterator for Once<T> {
    fn len(&self) -> usize {
        usize::from(self.item.is_some())
    }
    fn drive<C: Consumer<T>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<T>>(self, callback: CB) -> CB::Output {
        callback.callback(OptionProducer { item: self.item })
    }
}

struct OptionProducer<T> {
    item: Option<T>,
}

impl<T: Send> Producer for OptionProducer<T> {
    type Item = T;
    type IntoIter = core::option::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.item.into_iter()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let none = OptionProducer { item: None };
        if index == 0 {
            (none, self)
        } else {
            (self, none)
        }
    }
}

/// `n` clones of an item: [`repeat_n`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct RepeatN<T> {
    item: T,
    count: usize,
}

/// A parallel iterator over `count` clones of `item` (`item` itself is the
/// last of them).
///
/// ```
/// use forkscope::prelude::*;
/// assert_eq!(forkscope::iter::repeat_n(String::from("ab"), 3).map(|s| s.len()).sum::<usize>(), 6);
/// ```
pub fn repeat_n<T: Clone + Send>(item: T, count: usize) -> RepeatN<T> {
    RepeatN { item, count }
}

parallel_iterator_via_bridge!(impl[T: Clone + Send] RepeatN<T> => T);

impl<T: Clone + Send> IndexedParallelIterator for RepeatN<T> {
    fn len(&self) -> usize {
        self.count
    }
    fn drive<C: Consumer<T>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }
    fn with_producer<CB: ProducerCallback<T>>(self, callback: CB) -> CB::Output {
        callback.callback(RepeatNProducer {
            item: self.item,
            count: self.count,
        })
    }
}

struct RepeatNProducer<T> {
    item: T,
    count: usize,
}

impl<T: Clone + Send> Producer for RepeatNProducer<T> {
    type Item = T;
    type IntoIter = core::iter::RepeatN<T>;
    fn into_iter(self) -> Self::IntoIter {
        core::iter::repeat_n(self.item, self.count)
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        (
            RepeatNProducer {
                item: self.item.clone(),
                count: index,
            },
            RepeatNProducer {
                item: self.item,
                count: self.count - index,
            },
        )
    }
}

/// Endless clones of an item: [`repeat`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Repeat<T> {
    item: T,
}

/// A parallel iterator over endless clones of `item`.
///
/// It never ends on its own: an operation that takes every item (`sum`,
/// `for_each`, `count`, ...) on it never returns. Bound it first with
/// [`take`](Repeat::take) or [`zip`](Repeat::zip), or drive it into a
/// consumer that stops once it is
/// [`full`](crate::iter::plumbing::Consumer::full) (none of the operations
/// here does that yet).
///
/// ```
/// use forkscope::prelude::*;
/// use forkscope::iter::repeat;
/// assert_eq!(repeat(3u32).take(4).sum::<u32>(), 12);
///
/// let names = ["a", "b", "c"];
/// let mut pairs = Vec::new();
/// repeat(0).zip(names.par_iter()).collect_into_vec(&mut pairs);
/// assert_eq!(pairs, [(0, &"a"), (0, &"b"), (0, &"c")]);
/// ```
pub fn repeat<T: Clone + Send>(item: T) -> Repeat<T> {
    Repeat { item }
}

impl<T: Clone + Send> Repeat<T> {
    /// The first `n` clones: [`repeat_n(item, n)`](repeat_n), an indexed
    /// iterator.
    pub fn take(self, n: usize) -> RepeatN<T> {
        repeat_n(self.item, n)
    }

    /// Pairs a clone with each item of `other`: `take` as many as `other`
    /// has, zipped with it.
    pub fn zip<Z>(self, other: Z) -> Zip<RepeatN<T>, Z::Iter>
    where
        Z: IntoParallelIterator,
        Z::Iter: IndexedParallelIterator,
    {
        let other = other.into_par_iter();
        let n = other.len();
        self.take(n).zip(other)
    }
}

impl<T: Clone + Send> ParallelIterator for Repeat<T> {
    type Item = T;
    fn drive_unindexed<C: UnindexedConsumer<T>>(self, consumer: C) -> C::Result {
        bridge_unindexed(RepeatProducer { item: self.item }, consumer)
    }
}

/// A piece of [`Repeat`]: splits into two by cloning, as often as asked.
struct RepeatProducer<T> {
    item: T,
}

impl<T: Clone + Send> UnindexedProducer for RepeatProducer<T> {
    type Item = T;
    fn split(self) -> (Self, Option<Self>) {
        let left = RepeatProducer {
            item: self.item.clone(),
        };
        (left, Some(self))
    }
    /// Feeds clones to `folder` until it is full.
    fn fold_with<F: Folder<T>>(self, folder: F) -> F {
        folder.consume_iter(core::iter::repeat(self.item))
    }
}

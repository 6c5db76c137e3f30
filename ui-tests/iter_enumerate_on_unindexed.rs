// Proves: `enumerate` (like `zip` and `collect_into_vec`) exists only on
// indexed iterators: an iterator that cannot say where its items are
// cannot number them (E0599).
use forkscope::iter::plumbing::UnindexedConsumer;
use forkscope::prelude::*;

/// A parallel iterator that is not indexed.
struct Unindexed;

impl ParallelIterator for Unindexed {
    type Item = u32;
    fn drive_unindexed<C: UnindexedConsumer<u32>>(self, consumer: C) -> C::Result {
        (0..3u32).into_par_iter().drive_unindexed(consumer)
    }
}

fn main() {
    let _ = Unindexed.enumerate();
}

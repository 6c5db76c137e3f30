// Proves: `zip` needs both sides indexed: an iterator that cannot be cut
// at an exact index cannot be paired item by item, neither as the
// receiver (E0599) nor as the argument (E0277).
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
    let _ = Unindexed.zip(0..3u32);
    let _ = (0..3u32).into_par_iter().zip(Unindexed);
}

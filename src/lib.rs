//! forkscope: scoped threads and fork-join parallelism for `std` and `no_std`
//! runtimes.
//!
//! - [`scope`]: `std::thread::scope`'s API and semantics, on threads reused
//!   from a cache.
//! - [`join`] and [`ThreadPool`]: fork-join on a work-distributing pool; a
//!   `join` whose second half is not stolen costs a few nanoseconds and no
//!   allocation.
//! - [`Backend`]: the one trait through which forkscope reaches the platform.
//!   With the `std` feature (default) [`StdBackend`] is used; without it,
//!   install yours with [`set_global_backend`].
//!
//! The examples in this documentation run on the default [`StdBackend`], so
//! those that start threads are tested only with the `std` feature; without
//! it, the same code works once a backend is installed.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! let data = vec![1u64, 2, 3, 4, 5, 6, 7, 8];
//! let (left, right) = data.split_at(4);
//! let total = forkscope::scope(|s| {
//!     let l = s.spawn(|| left.iter().sum::<u64>());
//!     let r = s.spawn(|| right.iter().sum::<u64>());
//!     l.join().unwrap() + r.join().unwrap()
//! });
//! assert_eq!(total, 36);
//!
//! let (a, b) = forkscope::join(|| data[0] * 10, || data[7] * 10);
//! assert_eq!((a, b), (10, 80));
//! # }
//! ```
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(any(feature = "std", test, loom))]
extern crate std;

// forkscope's synchronization is built on atomic read-modify-write operations
// (compare-and-swap, swap, fetch-add) on 8-bit, 32-bit and pointer-sized
// words, and so are `spin` and `crossbeam-queue`, which Cargo.toml only
// builds where these exist. Elsewhere the crate is empty but for this error,
// so that it is the only one a user sees.
#[cfg(not(all(
    target_has_atomic = "8",
    target_has_atomic = "32",
    target_has_atomic = "ptr"
)))]
compile_error!(
    "forkscope needs atomic compare-and-swap on 8-bit, 32-bit and pointer-sized words, \
     which this target does not have (thumbv6m-none-eabi, for Cortex-M0/M0+, is such a \
     target). Build for a target with atomic compare-and-swap, such as \
     thumbv7m-none-eabi (Cortex-M3 and later) or riscv32imac-unknown-none-elf."
);

/// Expands to its items on targets with the atomics forkscope needs (see the
/// `compile_error!` above), and to nothing elsewhere.
macro_rules! with_atomic_cas {
    ($($item:item)*) => {
        $(
            #[cfg(all(
                target_has_atomic = "8",
                target_has_atomic = "32",
                target_has_atomic = "ptr"
            ))]
            $item
        )*
    };
}

with_atomic_cas! {
    pub mod backend;
    pub mod iter;
    mod pool;
    pub mod prelude;

    /// Parallel iterators over slices: [`ParallelSlice`](slice::ParallelSlice)
    /// and [`ParallelSliceMut`](slice::ParallelSliceMut), as `rayon::slice`.
    pub mod slice {
        pub use crate::iter::slice_chunks::{
            ChunkBy, ChunkByMut, Chunks, ChunksExact, ChunksExactMut, ChunksMut, ParallelSlice, ParallelSliceMut, RChunks,
            RChunksExact, RChunksExactMut, RChunksMut, Split, SplitInclusive,
            SplitInclusiveMut, SplitMut, Windows,
        };
        pub use crate::iter::sources::{SliceIter as Iter, SliceIterMut as IterMut};
    }

    /// Parallel iterators over strings: [`ParallelString`](str::ParallelString),
    /// as `rayon::str`.
    pub mod str {
        pub use crate::iter::string::{
            Bytes, CharIndices, Chars, EncodeUtf16, Lines, MatchIndices, Matches,
            ParallelString, Split, SplitAsciiWhitespace, SplitInclusive, SplitTerminator,
            SplitWhitespace,
        };
    }
    mod scope;
    mod sync;

    #[cfg(all(test, loom))]
    mod loom_tests;

    #[cfg(all(feature = "std", not(loom)))]
    pub use backend::StdBackend;
    pub use backend::{
        Backend, BackendAlreadySet, Payload, SpawnError, ThreadSpec, global_backend,
        set_global_backend,
    };
    pub use pool::{
        DonateError, DonationHandle, FnContext, ThreadBuilder, ThreadPool, ThreadPoolBuilder, current_num_threads,
        current_thread_index, join, join_context,
    };
    pub use scope::{Builder, Scope, ScopedJoinHandle, scope};

    /// The README's examples, compiled and run as doctests.
    #[cfg(all(doctest, feature = "std"))]
    #[doc = include_str!("../README.md")]
    struct ReadmeDoctests;
}

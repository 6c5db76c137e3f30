//! The atomics the protocols use: `core`'s, or loom's under `cfg(loom)` so that
//! the model checker can explore every interleaving of them.
//!
//! [`AtomicU32`] is also the futex word of the [`Backend`](crate::Backend)
//! trait: normally exactly `core::sync::atomic::AtomicU32`, so backends name
//! core's type; under `cfg(loom)` the protocols' words are loom atomics and the
//! test backend waits on those (see `src/loom_tests`).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering, fence,
};

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering, fence,
};

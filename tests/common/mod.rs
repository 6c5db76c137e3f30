//! What the test binaries share, declared by each of them as `mod common;`:
//! the backend they run on, and the helpers that depend on it.
//!
//! With the `std` feature a binary runs on forkscope's default, `StdBackend`.
//! Without it (`cargo test --no-default-features`) forkscope has no backend
//! of its own, and the binaries run on the pthread test backend of
//! [`pthread_backend`], written without `std::thread`: every test calls
//! [`setup`] first, which installs it (the first call in a process does; the
//! others find it installed).
//!
//! The allocation tests also include `counting_alloc.rs` by `#[path]`; it is
//! not a module of this one because it replaces the global allocator.
#![allow(dead_code)] // each test binary uses a different part

#[cfg(not(feature = "std"))]
pub mod pthread_backend;

pub mod iter_support;
pub mod pools;
pub mod wrap_backend;

use forkscope::Backend;

/// Makes forkscope's global backend the one [`backend`] returns: installs the
/// pthread test backend without `std`; with `std` there is nothing to do.
pub fn setup() {
    #[cfg(not(feature = "std"))]
    pthread_backend::install();
}

/// The backend this binary runs on: `StdBackend` with `std`, the pthread
/// test backend without. For test backends that wrap it, and for pools built
/// on it explicitly.
pub fn backend() -> &'static dyn Backend {
    #[cfg(feature = "std")]
    {
        &forkscope::StdBackend
    }
    #[cfg(not(feature = "std"))]
    {
        &pthread_backend::PthreadBackend
    }
}

/// The current thread's name: with `std`, the name std gave it; on the
/// pthread backend, the name the OS keeps (at most 15 bytes, see
/// `pthread_backend::current_thread_name`).
pub fn current_thread_name() -> Option<String> {
    #[cfg(feature = "std")]
    {
        std::thread::current().name().map(str::to_owned)
    }
    #[cfg(not(feature = "std"))]
    {
        pthread_backend::current_thread_name()
    }
}

/// Checks that no panic unwound out of a closure forkscope ran into the
/// backend's thread main (forkscope catches them all). The pthread backend
/// counts such panics; `StdBackend` cannot, so with `std` this checks nothing.
pub fn assert_no_panic_escaped() {
    #[cfg(not(feature = "std"))]
    assert_eq!(
        pthread_backend::escaped_panics(),
        0,
        "a panic unwound out of a thread main into the backend"
    );
}

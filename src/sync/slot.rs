//! The current thread's forkscope word: a pool worker keeps a pointer to its
//! `WorkerThread` here; everywhere else it is 0.
//!
//! With `std` it is a `thread_local!` of our own (one `fs`-relative load on
//! the `join` hot path, whatever backend the pool uses). Without `std` it is
//! the global backend's [`slot`](crate::Backend::slot); a thread with no
//! backend installed reads 0.

#[cfg(all(feature = "std", not(loom)))]
mod imp {
    extern crate std;
    use core::cell::Cell;

    std::thread_local! {
        static SLOT: Cell<usize> = const { Cell::new(0) };
    }

    #[inline(always)]
    pub(crate) fn get() -> usize {
        SLOT.with(Cell::get)
    }

    #[inline]
    pub(crate) fn set(value: usize) {
        SLOT.with(|s| s.set(value));
    }
}

#[cfg(all(not(feature = "std"), not(loom)))]
mod imp {
    #[inline(always)]
    pub(crate) fn get() -> usize {
        crate::backend::global_backend().map_or(0, |b| b.slot())
    }

    #[inline]
    pub(crate) fn set(value: usize) {
        if let Some(b) = crate::backend::global_backend() {
            b.set_slot(value);
        }
    }
}

/// Under loom every model thread runs on the same OS thread, so the slot must
/// be loom's thread-local to be per model thread.
#[cfg(loom)]
mod imp {
    use core::cell::Cell;

    loom::thread_local! {
        static SLOT: Cell<usize> = Cell::new(0);
    }

    #[inline(always)]
    pub(crate) fn get() -> usize {
        SLOT.with(Cell::get)
    }

    #[inline]
    pub(crate) fn set(value: usize) {
        SLOT.with(|s| s.set(value));
    }
}

pub(crate) use imp::{get, set};

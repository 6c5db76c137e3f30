//! The current thread's forkscope word: a pool worker keeps a pointer to its
//! `WorkerThread` here; everywhere else it is 0.
//!
//! With `std` it is a `thread_local!` of our own (one `fs`-relative load on
//! the `join` hot path, whatever backend the pool uses). Without `std` it is
//! a backend's [`slot`](crate::Backend::slot): a worker writes it through
//! its own pool's backend, and a read asks the global backend first, then
//! every other backend a pool was built on ([`register`]), so that two pools
//! on two backends work with no global backend installed and a worker of
//! either finds its own pool. A program with one backend pays one virtual
//! call (and, on threads outside any pool, one more atomic load) per read.

/// With `std` the word is a `thread_local!` of our own; under loom every
/// model thread runs on the same OS thread, so it must be loom's
/// thread-local to be per model thread. Either way the backend is not asked.
#[cfg(any(feature = "std", loom))]
mod imp {
    use core::cell::Cell;

    #[cfg(not(loom))]
    extern crate std;
    #[cfg(not(loom))]
    std::thread_local! {
        static SLOT: Cell<usize> = const { Cell::new(0) };
    }
    #[cfg(loom)]
    loom::thread_local! {
        static SLOT: Cell<usize> = Cell::new(0);
    }

    #[inline(always)]
    pub(crate) fn get() -> usize {
        SLOT.with(Cell::get)
    }

    #[inline]
    pub(crate) fn set(_: &'static dyn crate::Backend, value: usize) {
        SLOT.with(|s| s.set(value));
    }

    pub(crate) fn register(_: &'static dyn crate::Backend) {}
}

#[cfg(all(not(feature = "std"), not(loom)))]
mod imp {
    use crate::Backend;
    use alloc::boxed::Box;
    use core::ptr;
    use core::sync::atomic::{AtomicPtr, Ordering};

    /// A backend other than the global one that some pool runs on. Nodes
    /// are leaked on purpose: the list only grows, by one node per distinct
    /// backend (a backend is `'static` anyway), so readers never see a
    /// node go away.
    struct Node {
        backend: &'static dyn Backend,
        next: *const Node,
    }

    /// The head of the list of pool backends (see [`register`]).
    static OTHERS: AtomicPtr<Node> = AtomicPtr::new(ptr::null_mut());

    #[inline(always)]
    pub(crate) fn get() -> usize {
        if let Some(b) = crate::backend::global_backend() {
            let value = b.slot();
            if value != 0 {
                return value;
            }
        }
        // Acquire: pairs with the Release of `register`'s push, so the
        // node's fields are visible.
        let head = OTHERS.load(Ordering::Acquire);
        if head.is_null() {
            return 0;
        }
        others(head)
    }

    /// The first non-zero slot among the pool backends of the list.
    #[cold]
    fn others(mut node: *const Node) -> usize {
        while !node.is_null() {
            // SAFETY: nodes are leaked, never freed; published with Release
            // (see `register`) and read after an Acquire load of the head.
            let n = unsafe { &*node };
            let value = n.backend.slot();
            if value != 0 {
                return value;
            }
            node = n.next;
        }
        0
    }

    #[inline]
    pub(crate) fn set(backend: &'static dyn Backend, value: usize) {
        backend.set_slot(value);
    }

    /// Makes the slots of `backend` visible to [`get`]: called for the
    /// backend of every pool before any thread acts as one of its workers.
    /// The global backend needs no entry.
    pub(crate) fn register(backend: &'static dyn Backend) {
        // (`ptr::eq` on `&dyn` compares the vtables too, which may be
        // duplicated across codegen units: at worst a backend gets a second
        // node, which only costs a second read.)
        let known = |b: &'static dyn Backend| ptr::eq(b, backend);
        if crate::backend::global_backend().is_some_and(known) {
            return;
        }
        let mut head = OTHERS.load(Ordering::Acquire);
        loop {
            let mut node = head.cast_const();
            while !node.is_null() {
                // SAFETY: as in `others`.
                let n = unsafe { &*node };
                if known(n.backend) {
                    return;
                }
                node = n.next;
            }
            let new = Box::into_raw(Box::new(Node {
                backend,
                next: head,
            }));
            // Release: publishes the node's fields to `get`'s Acquire load;
            // Acquire on failure: the nodes pushed meanwhile, to search again.
            match OTHERS.compare_exchange(head, new, Ordering::Release, Ordering::Acquire) {
                Ok(_) => return,
                Err(now) => {
                    // SAFETY: `new` was never published; we own it.
                    drop(unsafe { Box::from_raw(new) });
                    head = now;
                }
            }
        }
    }
}

pub(crate) use imp::{get, register, set};

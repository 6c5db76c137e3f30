//! Noticing `fork()`: state that belongs to the process's threads.
//!
//! A child made by `fork()` has one thread, the one that called it. The
//! parent's other threads, forkscope's cached threads and pool workers among
//! them, do not exist in the child, but the memory that describes them does:
//! a child that posted a job to an idle cached thread, or injected work into
//! the global pool, would wait for a thread that is not there.
//!
//! # Protocol
//!
//! The process has a *generation*, bumped in every forked child. With `std`
//! on Unix, forkscope registers a `pthread_atfork` child handler that does
//! this, the first time it creates state tied to threads ([`watch`]); the
//! handler runs in the child before `fork` returns there, when the child is
//! still a single thread, and only increments an atomic (it must be
//! async-signal-safe).
//!
//! Process-wide state tied to threads (the global thread cache, the global
//! pool) lives in a [`PerProcess`]: one lazily initialized instance per
//! generation. A child's first use finds the instance of the parent's
//! generation, installs a fresh, empty one, and starts new threads from
//! there. The parent's instance is leaked in the child, not dropped: it
//! describes threads that no longer exist, and the thread that called `fork`
//! may still hold references to it (if it forked from inside a spawned
//! closure or a pool job, it goes on running that job in the child). In the
//! parent the generation never changes, so it costs one load and compare.
//!
//! State a user owns (a `ThreadPool`) records the generation it was made in
//! and checks it where it would otherwise wait for its threads.
//!
//! Without `std`, on other platforms and under Miri the generation never
//! changes: a runtime that can fork must not use forkscope state across a
//! fork (see the `Backend` docs).

use alloc::boxed::Box;
use core::convert::Infallible;
use core::ptr;
// Not loom's atomics: these words are not part of any modelled protocol, and
// they live in statics.
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

static GENERATION: AtomicU32 = AtomicU32::new(0);

/// The generation of the current process: 0 in a process that was not
/// forked (or whose forks forkscope cannot see), one more in each forked
/// child.
#[inline]
pub(crate) fn generation() -> u32 {
    // Relaxed: the only writer is the child handler, which runs on the
    // child's only thread before any of its code; every thread the child
    // starts later is ordered after it by its creation.
    GENERATION.load(Ordering::Relaxed)
}

/// Makes sure forks are noticed from now on, and returns the current
/// generation. Called whenever state tied to threads is created.
pub(crate) fn watch() -> u32 {
    #[cfg(all(feature = "std", unix, not(loom), not(miri)))]
    atfork::register();
    generation()
}

#[cfg(all(feature = "std", unix, not(loom), not(miri)))]
mod atfork {
    extern crate std;
    use core::sync::atomic::Ordering;

    extern "C" fn in_child() {
        // Relaxed: see `generation`. An atomic increment is
        // async-signal-safe, as a handler after `fork` must be.
        super::GENERATION.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn register() {
        static REGISTERED: std::sync::Once = std::sync::Once::new();
        REGISTERED.call_once(|| {
            // SAFETY: `in_child` is an `extern "C" fn()` that lives for the
            // whole program and only touches an atomic. If registration fails
            // (ENOMEM), forks are simply not noticed, as on other platforms.
            unsafe {
                libc::pthread_atfork(None, None, Some(in_child));
            }
        });
    }
}

/// A lazily initialized value with one instance per process generation: a
/// forked child gets a fresh one on its first use (see the module docs).
pub(crate) struct PerProcess<T: 'static> {
    /// The current generation's instance (leaked, never freed), or null.
    current: AtomicPtr<Instance<T>>,
}

struct Instance<T> {
    generation: u32,
    value: spin::Once<T>,
}

impl<T: Send + Sync + 'static> PerProcess<T> {
    pub(crate) const fn new() -> Self {
        PerProcess {
            current: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The value of this process, if it was initialized.
    #[inline]
    pub(crate) fn get(&'static self) -> Option<&'static T> {
        self.instance().value.get()
    }

    /// The value of this process, initialized by `init` if needed (one caller
    /// runs it, the others wait for it).
    #[inline]
    pub(crate) fn get_or_init(&'static self, init: impl FnOnce() -> T) -> &'static T {
        match self.get_or_try_init(|| Ok::<T, Infallible>(init())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Like [`get_or_init`](Self::get_or_init); if `init` fails, nothing is
    /// stored and the next call tries again.
    #[inline]
    pub(crate) fn get_or_try_init<E>(
        &'static self,
        init: impl FnOnce() -> Result<T, E>,
    ) -> Result<&'static T, E> {
        self.instance().value.try_call_once(init)
    }

    #[inline]
    fn instance(&'static self) -> &'static Instance<T> {
        // Acquire: pairs with the Release of the exchange that installed it,
        // so the instance's fields are initialized.
        let current = self.current.load(Ordering::Acquire);
        // SAFETY: a non-null pointer here was installed by `replace`, from
        // `Box::into_raw`, and is never freed.
        match unsafe { current.as_ref() } {
            Some(instance) if instance.generation == generation() => instance,
            _ => self.replace(current),
        }
    }

    /// Installs an instance of the current generation in place of `seen`
    /// (null, or an instance of an older generation, which is leaked).
    #[cold]
    fn replace(&'static self, mut seen: *mut Instance<T>) -> &'static Instance<T> {
        let fresh = Box::into_raw(Box::new(Instance {
            generation: watch(),
            value: spin::Once::new(),
        }));
        loop {
            // AcqRel: Release publishes the new instance; Acquire (also on
            // failure) reads another thread's instance.
            match self
                .current
                .compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire)
            {
                // SAFETY: installed, so never freed from now on.
                Ok(_) => return unsafe { &*fresh },
                Err(other) => {
                    // SAFETY: as in `instance`; not null, since the pointer
                    // only ever changes from null or an instance to an
                    // instance, and it is not `seen`.
                    let other_ref = unsafe { &*other };
                    if other_ref.generation == generation() {
                        // Another thread installed one first; ours was never
                        // shared.
                        // SAFETY: `fresh` came from `Box::into_raw` above and
                        // was not installed.
                        drop(unsafe { Box::from_raw(fresh) });
                        return other_ref;
                    }
                    seen = other;
                }
            }
        }
    }
}

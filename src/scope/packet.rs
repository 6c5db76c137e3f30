//! The one allocation of a spawn: closure, result and completion event
//! together.

use super::ScopeData;
use crate::backend::{Backend, Payload};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Event, JobRef};
use alloc::sync::Arc;
use core::cell::UnsafeCell;

/// What a [`ScopedJoinHandle`](super::ScopedJoinHandle) sees of a packet,
/// with the closure's type erased.
pub(super) trait Joinable<T> {
    fn shared(&self) -> &Shared<T>;
}

/// The part of a packet the handle and the running thread share.
pub(super) struct Shared<T> {
    /// Set (SeqCst, for `Event`) once `result` is written.
    finished: AtomicBool,
    finished_event: Event,
    result: UnsafeCell<Option<Result<T, Payload>>>,
    /// The scope's data. Valid for as long as the packet can be dropped: the
    /// thread drops its reference before it decrements the running count, and
    /// a handle cannot outlive the scope (it is dropped inside it, or leaked).
    scope: *const ScopeData,
    backend: &'static dyn Backend,
    /// The thread running the spawn, set (and announced on
    /// `finished_event`) before the closure starts.
    #[cfg(all(feature = "std", not(loom)))]
    thread: std::sync::OnceLock<std::thread::Thread>,
}

impl<T> Shared<T> {
    pub(super) fn is_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    /// Blocks until the thread stored its result, then takes it.
    pub(super) fn wait_and_take(&self) -> Result<T, Payload> {
        self.finished_event
            .wait_until(self.backend, || self.is_finished());
        // SAFETY: `finished` is set only after the result was written, and
        // the thread never touches `result` again; the handle (our caller)
        // takes it once, since `join` consumes the handle.
        unsafe { (*self.result.get()).take() }
            .expect("forkscope: result of a finished thread missing")
    }

    /// Blocks until the running thread published itself, then returns it.
    #[cfg(all(feature = "std", not(loom)))]
    pub(super) fn thread(&self) -> &std::thread::Thread {
        // `OnceLock::get` is an Acquire load, as the Event protocol needs.
        self.finished_event
            .wait_until(self.backend, || self.thread.get().is_some());
        self.thread
            .get()
            .expect("forkscope: the running thread was not published")
    }

    /// The running thread's step 0: tells the handle who runs the spawn.
    #[cfg(all(feature = "std", not(loom)))]
    fn publish_thread(&self) {
        // `set` fails only if it was set already, which cannot happen: one
        // thread runs the spawn, once.
        let _ = self.thread.set(std::thread::current());
        self.finished_event.notify_all(self.backend);
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        // A panic nobody joined makes the scope panic (std's rule).
        if matches!(self.result.get_mut(), Some(Err(_))) {
            // SAFETY: see the field's comment: the scope data is alive while a
            // packet can still be dropped.
            unsafe { (*self.scope).mark_panicked() };
        }
    }
}

pub(super) struct Packet<T, F> {
    shared: Shared<T>,
    /// Taken once, by the running thread.
    func: UnsafeCell<Option<F>>,
    /// The running thread's own reference to the scope, taken by it; keeps
    /// the scope data alive across its final wake-up.
    scope_ref: UnsafeCell<Option<Arc<ScopeData>>>,
}

impl<T, F> Joinable<T> for Packet<T, F> {
    fn shared(&self) -> &Shared<T> {
        &self.shared
    }
}

impl<T, F: FnOnce() -> T> Packet<T, F> {
    pub(super) fn new(scope: &Arc<ScopeData>, backend: &'static dyn Backend, f: F) -> Self {
        Packet {
            shared: Shared {
                finished: AtomicBool::new(false),
                finished_event: Event::new(),
                result: UnsafeCell::new(None),
                scope: Arc::as_ptr(scope),
                backend,
                #[cfg(all(feature = "std", not(loom)))]
                thread: std::sync::OnceLock::new(),
            },
            func: UnsafeCell::new(Some(f)),
            scope_ref: UnsafeCell::new(Some(scope.clone())),
        }
    }

    /// The thread's side of a spawn, steps 1 to 3 of the protocol in
    /// `scope`'s module docs. Returns step 4, which the thread cache runs once
    /// the thread is idle again.
    ///
    /// # Safety
    ///
    /// `data` comes from `Arc::into_raw` of an `Arc<Packet<T, F>>` whose
    /// reference this call consumes; called once per packet, and the returned
    /// completion executed once.
    pub(super) unsafe fn execute(data: *const ()) -> JobRef {
        // SAFETY: by the contract above.
        let packet = unsafe { Arc::from_raw(data.cast::<Packet<T, F>>()) };
        // SAFETY: only the running thread touches `func` and `scope_ref`
        // after the spawn, and it runs once.
        let (f, scope) = unsafe {
            (
                (*packet.func.get())
                    .take()
                    .expect("forkscope: spawn ran twice"),
                (*packet.scope_ref.get())
                    .take()
                    .expect("forkscope: spawn ran twice"),
            )
        };
        let backend = packet.shared.backend;

        // 0. Say which thread runs it, for `ScopedJoinHandle::thread`.
        #[cfg(all(feature = "std", not(loom)))]
        packet.shared.publish_thread();

        // 1. Run the closure; it is consumed (captures dropped) inside.
        let mut f = Some(f);
        let mut value = None;
        let caught = backend.catch_unwind(&mut || value = f.take().map(|f| f()));
        let result = caught.map(|()| value.take().expect("forkscope: closure did not run"));

        // 2. Publish the result.
        // SAFETY: the handle reads `result` only after `finished` is set below.
        unsafe { *packet.shared.result.get() = Some(result) };
        packet.shared.finished.store(true, Ordering::SeqCst);
        packet.shared.finished_event.notify_all(backend);

        // 3. Drop our reference: if the handle is gone, the result goes now.
        // A result whose drop panics counts as a panic of the thread.
        let mut packet = Some(packet);
        if backend.catch_unwind(&mut || drop(packet.take())).is_err() {
            scope.mark_panicked();
        }

        // 4. Later: done. The last touch of the scope, through our own Arc.
        // SAFETY: `finish` consumes the Arc reference made here, once.
        unsafe { JobRef::new(Arc::into_raw(scope).cast(), finish) }
    }

    /// Instead of `execute`, for a spawn that never ran (the thread could not
    /// be started, or the backend panicked): gives back the packet reference
    /// and the running count the job held, so the scope goes on as if the
    /// spawn had not been attempted. The closure is dropped here, before the
    /// count, so its captures do not outlive what the scope waits for.
    ///
    /// # Safety
    ///
    /// As for `execute`, which is then never called.
    pub(super) unsafe fn cancel(data: *const ()) {
        /// Decrements the running count even if dropping the closure panics.
        struct Finish(Arc<ScopeData>);
        impl Drop for Finish {
            fn drop(&mut self) {
                ScopeData::decrement_running(&self.0);
            }
        }

        // SAFETY: by the contract above.
        let packet = unsafe { Arc::from_raw(data.cast::<Packet<T, F>>()) };
        // SAFETY: the spawn never runs, so nobody else touches `func` or
        // `scope_ref`; this is the one cancellation.
        let (f, scope) = unsafe {
            (
                (*packet.func.get()).take(),
                (*packet.scope_ref.get())
                    .take()
                    .expect("forkscope: spawn cancelled twice"),
            )
        };
        let _finish = Finish(scope);
        drop(f);
        drop(packet);
    }
}

/// Step 4 of a spawn: tells the scope one spawn is over.
///
/// # Safety
///
/// `scope` comes from `Arc::into_raw` of an `Arc<ScopeData>`, consumed here.
unsafe fn finish(scope: *const ()) {
    // SAFETY: caller contract.
    let scope = unsafe { Arc::from_raw(scope.cast::<ScopeData>()) };
    ScopeData::decrement_running(&scope);
}

// SAFETY: the packet crosses to the running thread, which moves `F` out of it
// (needs `F: Send`) and moves a `T` into it for the handle's thread (needs
// `T: Send`). The Arc<ScopeData> is Send + Sync.
unsafe impl<T: Send, F: Send> Send for Packet<T, F> {}
// SAFETY: shared access is split by the protocol: `func` and `scope_ref` are
// only touched by the running thread, `result` by the running thread before
// `finished` and by the handle after it.
unsafe impl<T: Send, F: Send> Sync for Packet<T, F> {}

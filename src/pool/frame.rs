//! The jobs of the pool: join frames on a worker's stack, and injected jobs
//! on an outside thread's stack.

use super::registry::Registry;
use super::worker::WorkerThread;
use crate::backend::{Backend, Payload};
use crate::sync::{CoreLatch, Parker};
use alloc::sync::Arc;
use core::cell::{Cell, UnsafeCell};
use core::mem::{ManuallyDrop, MaybeUninit};

/// The result slot of a job.
pub(super) enum JobResult<T> {
    None,
    Ok(T),
    Panic(Payload),
}

impl<T> JobResult<T> {
    /// Runs `f`, catching a panic through the backend.
    pub(super) fn call(backend: &dyn Backend, f: impl FnOnce() -> T) -> Self {
        let mut f = Some(f);
        let mut value = None;
        match backend.catch_unwind(&mut || value = f.take().map(|f| f())) {
            Ok(()) => value.map_or(JobResult::None, JobResult::Ok),
            Err(payload) => JobResult::Panic(payload),
        }
    }

    /// The value, or the panic resumed through the backend.
    pub(super) fn into_return_value(self, backend: &dyn Backend) -> T {
        match self {
            JobResult::Ok(value) => value,
            JobResult::Panic(payload) => backend.resume_unwind(payload),
            JobResult::None => unreachable!("forkscope: a job's result was read before it ran"),
        }
    }
}

/// How many low bits of a frame's address are always zero (`FrameHead` is
/// aligned to 8): a published frame's slot value carries a tag there (see
/// `FrameHead::prepare_to_share`): a publication count in `COUNT_MASK` and
/// the `URGENT` bit.
pub(super) const TAG_MASK: usize = 0b111;
const COUNT_MASK: usize = 0b011;
/// Set in a slot value whose frame is to be taken at first sight (see
/// `WorkerThread::offer_next_at_once`).
const URGENT: usize = 0b100;

/// The type-independent part of a join frame: what the owner's private list
/// and a thief need. Only ever accessed through raw pointers, because the
/// owner and a thief use it at the same time (each its own fields).
#[repr(C, align(8))]
pub(super) struct FrameHead {
    /// Runs `b` on a thief (the frame's monomorphized `execute_stolen`).
    /// SAFETY contract: see `FrameHead::execute`.
    execute: unsafe fn(*const FrameHead),
    /// Owner only: the next older frame of the owner (shared or private).
    pub(super) older: Cell<*const FrameHead>,
    /// Owner only: null while the frame is private; once it was moved to the
    /// shared slot, the (tagged) value it was published as.
    pub(super) published_as: Cell<*const FrameHead>,
    /// Set by the thief when `b` has run. Initialized by `prepare_to_share`.
    /// (Interior mutability: the owner reaches its frames through pointers
    /// derived from shared references.)
    latch: UnsafeCell<MaybeUninit<CoreLatch>>,
    /// The owner's parker, in the registry: how the thief wakes the owner.
    /// Initialized by `prepare_to_share`.
    owner_parker: Cell<MaybeUninit<*const Parker>>,
}

impl FrameHead {
    /// Owner only, before publishing the frame: fills in what a thief needs
    /// besides `execute`, and returns the value to publish: the frame's
    /// address with `count` (its low bits) and `urgent` in its low bits.
    /// (Frames that are never shared, nearly all of them, skip these
    /// stores.)
    ///
    /// The count tells a thief that watches a slot (`LOOK_EVERY` in
    /// `worker.rs`) that a frame at the same stack address as before is a new
    /// one; `urgent` lets it take the frame without watching. A thief never
    /// relies on either for correctness, only to judge whether to take the
    /// frame now.
    ///
    /// # Safety
    ///
    /// `this` is one of the caller's private frames, alive.
    pub(super) unsafe fn prepare_to_share(
        this: *const FrameHead,
        owner_parker: *const Parker,
        count: usize,
        urgent: bool,
    ) -> *const FrameHead {
        let tag = (count & COUNT_MASK) | if urgent { URGENT } else { 0 };
        let published = this.map_addr(|addr| addr | tag);
        // SAFETY: only the owner touches a private frame; these fields are not
        // behind a shared reference anywhere yet.
        unsafe {
            (*(*this).latch.get()).write(CoreLatch::new());
            (*this).owner_parker.set(MaybeUninit::new(owner_parker));
            (*this).published_as.set(published);
        }
        published
    }

    /// Whether a published slot value asks to be taken at first sight.
    pub(super) fn is_urgent(published: *const FrameHead) -> bool {
        published.addr() & URGENT != 0
    }

    /// The frame a published slot value (see `prepare_to_share`) points to.
    pub(super) fn untag(published: *const FrameHead) -> *const FrameHead {
        published.map_addr(|addr| addr & !TAG_MASK)
    }

    /// The latch of a shared frame.
    ///
    /// # Safety
    ///
    /// The frame was prepared by `prepare_to_share`.
    pub(super) unsafe fn latch(&self) -> &CoreLatch {
        // SAFETY: initialized by `prepare_to_share` (caller contract).
        unsafe { (*self.latch.get()).assume_init_ref() }
    }

    /// Runs the frame's `b` on a thief.
    ///
    /// # Safety
    ///
    /// `this` was taken from a worker's shared slot by a successful swap, and
    /// the caller is a worker of the same registry.
    pub(super) unsafe fn execute(this: *const FrameHead) {
        // SAFETY: forwarded; the frame is alive until its latch is set.
        unsafe { ((*this).execute)(this) }
    }
}

/// A `join`'s frame: `b` and its result, on the owner's stack.
#[repr(C)]
pub(super) struct JoinFrame<B, RB> {
    pub(super) head: FrameHead,
    func: UnsafeCell<ManuallyDrop<B>>,
    /// Written by a thief only; read by the owner after the latch is set.
    result: UnsafeCell<MaybeUninit<JobResult<RB>>>,
}

impl<B: FnOnce() -> RB, RB> JoinFrame<B, RB> {
    #[inline(always)]
    pub(super) fn new(b: B, older: *const FrameHead) -> Self {
        JoinFrame {
            head: FrameHead {
                execute: Self::execute_stolen,
                older: Cell::new(older),
                published_as: Cell::new(core::ptr::null()),
                latch: UnsafeCell::new(MaybeUninit::uninit()),
                owner_parker: Cell::new(MaybeUninit::uninit()),
            },
            func: UnsafeCell::new(ManuallyDrop::new(b)),
            result: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// Runs `b` on the owner. Consumes the closure.
    ///
    /// # Safety
    ///
    /// Called at most once, and only if no thief took the frame.
    #[inline(always)]
    pub(super) unsafe fn run_inline(&self) -> RB {
        // SAFETY: the closure is still in place (not run, not stolen), and
        // is taken exactly once.
        let b = unsafe { ManuallyDrop::take(&mut *self.func.get()) };
        b()
    }

    /// The thief's result, after the latch was observed set.
    ///
    /// # Safety
    ///
    /// The frame was stolen and its latch is set.
    pub(super) unsafe fn take_result(&self) -> JobResult<RB> {
        // SAFETY: the thief wrote the result before its Release set, which the
        // owner's Acquire probe observed; the thief no longer touches it, and
        // the owner reads it once.
        unsafe { (*self.result.get()).assume_init_read() }
    }

    /// A thief's run of `b`; the `execute` of every `JoinFrame<B, RB>`.
    ///
    /// # Safety
    ///
    /// As for [`FrameHead::execute`]: `this` heads a live, prepared
    /// `JoinFrame<B, RB>` taken from a slot by a successful swap, and the
    /// caller is a worker of the owner's registry.
    unsafe fn execute_stolen(this: *const FrameHead) {
        // `head` is the first field of a repr(C) struct.
        let this = this.cast::<Self>();
        // SAFETY: the thief is a worker (caller contract) ...
        let worker = unsafe { WorkerThread::current_unchecked() };
        let backend = worker.registry().backend();
        // SAFETY: ... that won the swap, so it alone runs `b`; the owner
        // waits for the latch before touching `func` or `result` again, and
        // keeps the frame alive until then.
        unsafe {
            let b = ManuallyDrop::take(&mut *(*this).func.get());
            (*(*this).result.get()).write(JobResult::call(backend, b));
            // Shared frames were prepared before they were published.
            let owner_parker = (*this).head.owner_parker.get().assume_init();
            if CoreLatch::set((*(*this).head.latch.get()).as_ptr()) {
                // The parker belongs to the registry, which our worker keeps
                // alive; the frame itself may already be gone.
                (*owner_parker).unpark(backend);
            }
        }
    }
}

/// Who waits for an [`InjectedJob`], and so how to wake it.
pub(super) enum Waiter {
    /// A thread outside any pool, sleeping on the job's latch word
    /// (`CoreLatch::wait_on_word`): the worker that runs the job wakes it and
    /// no other thread.
    Thread,
    /// Worker `index` of another pool, which keeps working for its own pool
    /// while it waits (so pools that call into each other cannot deadlock)
    /// and sleeps on its own parker. The executing worker takes this `Arc`
    /// before it sets the latch: the waiting worker may return, and its pool
    /// be dropped, as soon as the latch is set, but the parker to wake must
    /// stay alive until the wake-up is done.
    Worker {
        registry: Arc<Registry>,
        index: usize,
    },
}

/// A job injected from outside the pool: lives on the injecting thread's
/// stack, which waits until `latch` is set.
pub(super) struct InjectedJob<F, R> {
    latch: CoreLatch,
    /// Taken by the executing worker.
    waiter: UnsafeCell<Option<Waiter>>,
    func: UnsafeCell<Option<F>>,
    result: UnsafeCell<JobResult<R>>,
}

impl<F: FnOnce(&WorkerThread) -> R + Send, R: Send> InjectedJob<F, R> {
    pub(super) fn new(f: F, waiter: Waiter) -> Self {
        InjectedJob {
            latch: CoreLatch::new(),
            waiter: UnsafeCell::new(Some(waiter)),
            func: UnsafeCell::new(Some(f)),
            result: UnsafeCell::new(JobResult::None),
        }
    }

    /// Set once a worker ran the job.
    pub(super) fn latch(&self) -> &CoreLatch {
        &self.latch
    }

    /// # Safety
    ///
    /// After the latch was observed set.
    pub(super) unsafe fn take_result(&self) -> JobResult<R> {
        // SAFETY: the worker wrote the result before setting the latch.
        unsafe { core::mem::replace(&mut *self.result.get(), JobResult::None) }
    }

    /// # Safety
    ///
    /// `this` points to a live `InjectedJob<F, R>`, executed once, by a worker
    /// of the pool it was injected into.
    pub(super) unsafe fn execute(this: *const ()) {
        // SAFETY: caller contract.
        let (this, worker) = unsafe { (&*this.cast::<Self>(), WorkerThread::current_unchecked()) };
        let registry: &Registry = worker.registry();
        // SAFETY: executed once, so the closure is still there.
        let f = unsafe { (*this.func.get()).take() }.expect("forkscope: injected job ran twice");
        let result = JobResult::call(registry.backend(), || f(worker));
        // SAFETY: the waiter reads the result only after the latch is set.
        unsafe { *this.result.get() = result };
        // SAFETY: executed once: we alone touch `waiter`.
        let waiter =
            unsafe { (*this.waiter.get()).take() }.expect("forkscope: injected job ran twice");
        match waiter {
            // The waiting thread sleeps on the latch word and does not return
            // before `set_and_wake` is done with it.
            // SAFETY: `this` is live, and the thread waits in `wait_on_word`.
            Waiter::Thread => unsafe { CoreLatch::set_and_wake(&this.latch, registry.backend()) },
            // After the set the waiting worker may free the job: the wake-up
            // goes through its registry, which our `Arc` keeps alive.
            Waiter::Worker {
                registry: waiting,
                index,
            } => {
                // SAFETY: `this` is live until the set, our last touch of it.
                if unsafe { CoreLatch::set(&this.latch) } {
                    waiting.parker(index).unpark(waiting.backend());
                }
            }
        }
    }
}

//! The state a pool's workers share: shared-frame slots, sleep state, the
//! injector for outside work, and shutdown.

use super::frame::{FrameHead, InjectedJob, Waiter};
use super::worker::WorkerThread;
use crate::backend::{Backend, SpawnError, ThreadSpec};
use crate::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering, fence};
use crate::sync::shim::ArrayQueue;
use crate::sync::{CoreLatch, Event, JobRef, Parker};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ptr;

const HALF_BITS: u32 = usize::BITS / 2;
const ONE_HUNGRY: usize = 1;
const HUNGRY_MASK: usize = (1 << HALF_BITS) - 1;
const ONE_SLEEPER: usize = 1 << HALF_BITS;

/// How many outside jobs may wait in the injector before injecting threads
/// back off.
const INJECTOR_CAPACITY: usize = 1024;

/// Keeps a value on a cache line of its own (128 bytes covers the adjacent-
/// line prefetcher of x86 and the line size of recent ARM cores).
#[repr(align(128))]
pub(super) struct CachePadded<T>(pub(super) T);

/// What other threads may touch of one worker.
struct WorkerShared {
    /// The worker's one shared join frame, or null.
    slot: AtomicPtr<FrameHead>,
    parker: Parker,
    /// Whether the worker is (about to be) parked in `sleep`; the waker that
    /// swaps it to false owns the wake-up.
    sleeping: AtomicBool,
}

pub(crate) struct Registry {
    backend: &'static dyn Backend,
    workers: Box<[CachePadded<WorkerShared>]>,
    /// Demand for work, read by every `join`: the number of workers looking
    /// for work (*hungry*; owners share frames while it is non-zero) in the
    /// low half, the number of sleeping workers in the high half. One word,
    /// so that the hot path tests both with one load.
    demand: CachePadded<AtomicUsize>,
    injector: ArrayQueue<JobRef>,
    /// Outside threads wait here for their injected jobs.
    external: Event,
    terminating: AtomicBool,
    /// Workers that left their loop; the pool's drop waits for all.
    exited: AtomicUsize,
    exited_event: Event,
}

/// Thread names and stack size for a pool's workers.
pub(super) struct WorkerSpec {
    pub(super) name: Option<alloc::boxed::Box<dyn FnMut(usize) -> String>>,
    pub(super) stack_size: Option<usize>,
}

impl Registry {
    /// Creates a registry and starts its `n` workers.
    pub(super) fn start(
        backend: &'static dyn Backend,
        n: usize,
        mut spec: WorkerSpec,
    ) -> Result<Arc<Registry>, SpawnError> {
        let n = n.max(1);
        let registry = Arc::new(Registry {
            backend,
            workers: (0..n)
                .map(|_| {
                    CachePadded(WorkerShared {
                        slot: AtomicPtr::new(ptr::null_mut()),
                        parker: Parker::new(),
                        sleeping: AtomicBool::new(false),
                    })
                })
                .collect::<Vec<_>>()
                .into_boxed_slice(),
            demand: CachePadded(AtomicUsize::new(0)),
            injector: ArrayQueue::new(INJECTOR_CAPACITY),
            external: Event::new(),
            terminating: AtomicBool::new(false),
            exited: AtomicUsize::new(0),
            exited_event: Event::new(),
        });
        for index in 0..n {
            let thread_spec = ThreadSpec {
                name: spec.name.as_mut().map(|f| f(index)),
                stack_size: spec.stack_size,
            };
            let worker_registry = registry.clone();
            let started = backend.spawn(
                &thread_spec,
                Box::new(move || {
                    WorkerThread::run(&worker_registry, index);
                    worker_registry.worker_exited();
                }),
            );
            if let Err(e) = started {
                // Stop the workers already started; the ones never started
                // count as exited.
                registry.exited.fetch_add(n - index, Ordering::SeqCst);
                registry.terminate();
                registry.wait_for_exit();
                return Err(e);
            }
        }
        Ok(registry)
    }

    /// The global pool, started on first use; `None` without a backend.
    pub(super) fn global() -> Option<&'static Arc<Registry>> {
        static GLOBAL: spin::Once<Arc<Registry>> = spin::Once::new();
        if let Some(registry) = GLOBAL.get() {
            return Some(registry);
        }
        let backend = crate::backend::global_backend()?;
        Some(GLOBAL.call_once(|| {
            let spec = WorkerSpec {
                name: Some(Box::new(|i| alloc::format!("forkscope-{i}"))),
                stack_size: None,
            };
            Registry::start(backend, backend.available_parallelism(), spec).unwrap_or_else(|e| {
                panic!("forkscope: could not start the global thread pool: {e}")
            })
        }))
    }

    #[inline]
    pub(crate) fn backend(&self) -> &'static dyn Backend {
        self.backend
    }

    #[inline]
    pub(crate) fn num_threads(&self) -> usize {
        self.workers.len()
    }

    #[inline]
    pub(super) fn parker(&self, index: usize) -> &Parker {
        &self.workers[index].0.parker
    }

    pub(super) fn demand_word(&self) -> *const AtomicUsize {
        &self.demand.0
    }

    pub(super) fn add_hungry(&self) {
        // Relaxed: the hungry count is a hint to share; correctness never
        // depends on it (a frame is shared or not, and stealing is by swap).
        self.demand.0.fetch_add(ONE_HUNGRY, Ordering::Relaxed);
    }

    pub(super) fn remove_hungry(&self) {
        self.demand.0.fetch_sub(ONE_HUNGRY, Ordering::Relaxed);
    }

    pub(super) fn is_hungry(&self) -> bool {
        self.demand.0.load(Ordering::Relaxed) & HUNGRY_MASK != 0
    }

    pub(super) fn slot_is_empty(&self, index: usize) -> bool {
        // Relaxed: only the owner stores non-null, so a null it reads stays
        // null until it publishes.
        self.workers[index].0.slot.load(Ordering::Relaxed).is_null()
    }

    /// Owner only: offers `frame` to thieves. The slot is empty.
    pub(super) fn publish(&self, index: usize, frame: *const FrameHead) {
        // Release: the frame's contents (the closure `b`) travel with the
        // pointer to the thief's Acquire swap.
        self.workers[index]
            .0
            .slot
            .store(frame.cast_mut(), Ordering::Release);
    }

    /// Owner only: takes `frame` back if no thief took it.
    pub(super) fn reclaim(&self, index: usize, frame: *const FrameHead) -> bool {
        // Relaxed: on success nothing was transferred (the frame was ours
        // all along); the RMW on the slot decides between us and a thief.
        self.workers[index]
            .0
            .slot
            .compare_exchange(
                frame.cast_mut(),
                ptr::null_mut(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    /// Takes `victim`'s shared frame, if any.
    pub(super) fn steal(&self, victim: usize) -> Option<*const FrameHead> {
        let slot = &self.workers[victim].0.slot;
        // Relaxed load first, so scanning an empty slot does not write its
        // cache line; Acquire swap pairs with `publish`'s Release.
        if slot.load(Ordering::Relaxed).is_null() {
            return None;
        }
        let frame = slot.swap(ptr::null_mut(), Ordering::Acquire);
        (!frame.is_null()).then_some(frame.cast_const())
    }

    pub(super) fn pop_injected(&self) -> Option<JobRef> {
        if self.injector.is_empty() {
            return None;
        }
        self.injector.pop()
    }

    // ---- sleeping and waking -----------------------------------------------

    /// Parks worker `index` until it is woken.
    ///
    /// With `recruitable`, the worker counts as sleeping: work injected from
    /// outside, a busy owner, or shutdown wake it; it does not park if work is
    /// visible already. With a `latch`, setting the latch wakes it too, and it
    /// does not park if the latch is set. Returns on any wake-up; callers loop.
    pub(super) fn sleep(&self, index: usize, latch: Option<&CoreLatch>, recruitable: bool) {
        let me = &self.workers[index].0;
        let mut park = true;
        if recruitable {
            me.sleeping.store(true, Ordering::SeqCst);
            self.demand.0.fetch_add(ONE_SLEEPER, Ordering::SeqCst);
            // SeqCst fence: pairs with the fence in `inject` (and
            // `terminate`'s SeqCst store): either we see the new work here,
            // or the other side sees us sleeping and wakes us.
            fence(Ordering::SeqCst);
            let work_visible = !self.injector.is_empty()
                || self
                    .workers
                    .iter()
                    .any(|w| !w.0.slot.load(Ordering::Relaxed).is_null());
            park = !work_visible && (latch.is_some() || !self.is_terminating());
        }
        if let Some(latch) = latch {
            // After this, the setter unparks us (or the latch is set already).
            park = park && latch.get_sleepy();
        }
        if park {
            me.parker.park(self.backend);
        }
        // Whoever swaps `sleeping` back to false also takes us out of the
        // count: us here, or a waker (which then unparks us).
        if recruitable && me.sleeping.swap(false, Ordering::SeqCst) {
            self.demand.0.fetch_sub(ONE_SLEEPER, Ordering::SeqCst);
        }
    }

    fn sleepers(&self) -> usize {
        self.demand.0.load(Ordering::SeqCst) >> HALF_BITS
    }

    /// Wakes one sleeping worker, if any. Returns whether one was woken.
    pub(super) fn wake_one(&self) -> bool {
        if self.sleepers() == 0 {
            return false;
        }
        for worker in self.workers.iter() {
            let w = &worker.0;
            if w.sleeping.load(Ordering::Relaxed) && w.sleeping.swap(false, Ordering::SeqCst) {
                self.demand.0.fetch_sub(ONE_SLEEPER, Ordering::SeqCst);
                w.parker.unpark(self.backend);
                return true;
            }
        }
        false
    }

    /// An owner with work to spare: wake a sleeper if nobody is looking for
    /// work already.
    pub(super) fn recruit_sleeper(&self) {
        if !self.is_hungry() {
            self.wake_one();
        }
    }

    // ---- work from outside -------------------------------------------------

    /// Pushes a job for the workers and makes sure one will look at it.
    fn inject(&self, job: JobRef) {
        let mut job = job;
        loop {
            match self.injector.push(job) {
                Ok(()) => break,
                Err(back) => {
                    // Full: let the workers drain it.
                    job = back;
                    self.wake_one();
                    self.backend.yield_now();
                }
            }
        }
        // SeqCst fence: pairs with the one in `sleep`.
        fence(Ordering::SeqCst);
        if !self.is_hungry() {
            self.wake_one();
        }
    }

    /// Runs `op` on a worker of this pool, from a thread that is not one,
    /// blocking until it is done. Resumes `op`'s panic.
    ///
    /// A worker of another pool keeps working for its own pool meanwhile.
    pub(super) fn in_worker_cold<F, R>(&self, op: F) -> R
    where
        F: FnOnce(&WorkerThread) -> R + Send,
        R: Send,
    {
        let current = WorkerThread::current();
        debug_assert!(current.is_none_or(|w| !ptr::eq(w.registry(), self)));
        let waiter = match current {
            Some(worker) => Waiter::Worker {
                registry: worker.registry_arc(),
                index: worker.index(),
            },
            None => Waiter::Thread,
        };
        let job = InjectedJob::new(op, waiter);
        // SAFETY: the job lives on our stack until its latch is set, which
        // the executing worker does as its last touch of it; it is executed
        // once (the injector hands each entry out once); `F` and `R` are Send.
        let job_ref = unsafe {
            JobRef::new(
                &job as *const InjectedJob<F, R> as *const (),
                InjectedJob::<F, R>::execute,
            )
        };
        self.inject(job_ref);
        match current {
            Some(worker) => worker.wait_until(job.latch()),
            None => self
                .external
                .wait_until(self.backend, || job.latch().probe()),
        }
        // SAFETY: the latch is set.
        unsafe { job.take_result() }.into_return_value(self.backend)
    }

    pub(super) fn notify_external(&self) {
        self.external.notify_all(self.backend);
    }

    // ---- shutdown ----------------------------------------------------------

    pub(super) fn is_terminating(&self) -> bool {
        self.terminating.load(Ordering::SeqCst)
    }

    /// Asks every worker to leave its loop once there is no work left.
    pub(super) fn terminate(&self) {
        self.terminating.store(true, Ordering::SeqCst);
        for worker in self.workers.iter() {
            let w = &worker.0;
            if w.sleeping.swap(false, Ordering::SeqCst) {
                self.demand.0.fetch_sub(ONE_SLEEPER, Ordering::SeqCst);
            }
            w.parker.unpark(self.backend);
        }
    }

    fn worker_exited(&self) {
        // SeqCst: the Event protocol.
        self.exited.fetch_add(1, Ordering::SeqCst);
        self.exited_event.notify_all(self.backend);
    }

    /// Blocks until every worker left its loop.
    pub(super) fn wait_for_exit(&self) {
        let n = self.num_threads();
        self.exited_event
            .wait_until(self.backend, || self.exited.load(Ordering::SeqCst) >= n);
    }
}

/// Hooks for the loom models (`pool/loom_tests.rs`), which drive the real
/// protocol functions from model threads.
#[cfg(all(test, loom))]
impl Registry {
    pub(super) fn inject_for_model(&self, job: JobRef) {
        self.inject(job);
    }
}

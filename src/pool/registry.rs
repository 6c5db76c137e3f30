//! The state a pool's workers share: shared-frame slots, sleep state, the
//! injector for outside work, and shutdown.

use super::frame::{FrameHead, InjectedJob, Waiter};
use super::worker::WorkerThread;
use crate::backend::{Backend, SpawnError, ThreadSpec};
use crate::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering, fence};
use crate::sync::fork::{self, PerProcess};
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

/// The most workers (seats) a pool may have. The demand word counts hungry
/// and sleeping workers in its two halves (16 bits each on 32-bit targets),
/// and every seat gets a 128-byte record up front: a request beyond this is
/// a mistake whose allocation alone could abort the process.
pub(super) const MAX_NUM_THREADS: usize = u16::MAX as usize;

/// How many outside jobs may wait in the injector before injecting threads
/// back off.
const INJECTOR_CAPACITY: usize = 1024;

/// How long the watcher sleeps between two looks at the shared slots: the
/// bound on how long a published frame can wait while a worker sleeps (plus
/// the backend's wake-up latency), and what an otherwise idle worker pays
/// while others run: one timed wake-up per interval.
pub(super) const WATCH_NANOS: u64 = 50_000;

/// Keeps a value on a cache line of its own (128 bytes covers the adjacent-
/// line prefetcher of x86 and the line size of recent ARM cores).
#[repr(align(128))]
pub(super) struct CachePadded<T>(pub(super) T);

/// A seat held by a thread: one the pool started, or a donated or
/// installing thread while it works there.
const SEAT_TAKEN: usize = 0;
/// A seat waiting for a thread to enter (see `take_seat`).
const SEAT_VACANT: usize = 1;
/// A seat closed at shutdown: no thread will enter it.
const SEAT_CLOSED: usize = 2;

/// What other threads may touch of one worker.
struct WorkerShared {
    /// Who works in this seat (`SEAT_*`). A seat the pool starts a thread
    /// for is taken for good; the others go vacant -> taken -> vacant ...,
    /// and are closed at shutdown once vacant.
    seat: AtomicUsize,
    /// The worker's one shared join frame, or null.
    slot: AtomicPtr<FrameHead>,
    parker: Parker,
    /// Whether the worker is (about to be) parked in `sleep`; the waker that
    /// swaps it to false owns the wake-up.
    sleeping: AtomicBool,
}

pub(crate) struct Registry {
    backend: &'static dyn Backend,
    /// Whether seat 0 is for threads in `install` (see `WorkerSpec`).
    install_seat: bool,
    /// The seats for donated threads.
    donated: core::ops::Range<usize>,
    workers: Box<[CachePadded<WorkerShared>]>,
    /// Demand for work: the number of workers looking for work (*hungry*)
    /// in the low half, the number of sleeping workers in the high half.
    /// Read when a job is injected or started (wake a sleeper only if nobody
    /// is hungry) and by `wake_one`; `join` never reads it.
    demand: CachePadded<AtomicUsize>,
    /// How many workers are running a job they took in their loop (an
    /// injected job or a stolen frame), helpers of a waiting owner included
    /// in their outer job. While it is non-zero and workers sleep, one of the
    /// sleepers is the *watcher* (see `sleep`).
    active: CachePadded<AtomicUsize>,
    /// Whether a sleeping worker holds the watcher's role.
    watching: AtomicBool,
    /// A coarse clock that `bridge` reads to tell a piece of work that has
    /// run for a while: advanced by every look of a hungry worker for work
    /// (a few microseconds apart) and every timed wake-up of the watcher
    /// (`WATCH_NANOS` apart). Only idle workers write it.
    idle_ticks: AtomicUsize,
    injector: ArrayQueue<JobRef>,
    terminating: AtomicBool,
    /// Workers that left their loop; the pool's drop waits for all.
    exited: AtomicUsize,
    exited_event: Event,
    /// The process generation the workers were started in (see
    /// `sync::fork`): in a forked child they do not exist.
    generation: u32,
}

/// Thread names and stack size for a pool's workers, and which seats the
/// pool leaves to threads it does not start.
pub(super) struct WorkerSpec {
    pub(super) name: Option<alloc::boxed::Box<dyn FnMut(usize) -> String>>,
    pub(super) stack_size: Option<usize>,
    /// Seat 0 is for a thread outside any pool while it is in `install`
    /// (`ThreadPoolBuilder::use_current_thread`).
    pub(super) install_seat: bool,
    /// How many seats (after the install seat) are for donated threads
    /// (`ThreadPoolBuilder::donated_threads`).
    pub(super) donated: usize,
    /// Starts the threads of the other seats instead of the backend
    /// (`ThreadPoolBuilder::spawn_handler`).
    pub(super) handler: Option<SpawnHandler>,
}

/// What `ThreadPoolBuilder::spawn_handler` keeps.
pub(super) type SpawnHandler = Box<dyn FnMut(super::ThreadBuilder) -> Result<(), SpawnError>>;

impl WorkerSpec {
    /// Seats the pool does not start a thread for: the lowest indices.
    fn reserved(&self) -> usize {
        usize::from(self.install_seat).saturating_add(self.donated)
    }
}

impl Registry {
    /// Creates a registry with `n` seats (at least one, and at least the
    /// reserved ones) and starts a worker for each one the spec does not
    /// reserve. More than `MAX_NUM_THREADS` seats: `TooManyThreads`.
    ///
    /// If a worker cannot be started (the backend refuses, a name has a NUL
    /// byte) or something panics on the way (the `name` closure, the
    /// backend's `spawn`), the workers already started are stopped and waited
    /// for before the error is returned or the panic goes on.
    pub(super) fn start(
        backend: &'static dyn Backend,
        n: usize,
        mut spec: WorkerSpec,
    ) -> Result<Arc<Registry>, SpawnError> {
        let reserved = spec.reserved();
        let n = n.max(reserved).max(1);
        if n > MAX_NUM_THREADS {
            // Before anything is allocated or started.
            return Err(SpawnError::TooManyThreads {
                requested: n,
                max: MAX_NUM_THREADS,
            });
        }
        // Before any thread acts as a worker (`WorkerThread::current` must
        // find it through this backend's slots).
        crate::sync::slot::register(backend);
        let registry = Arc::new(Registry {
            backend,
            install_seat: spec.install_seat,
            donated: usize::from(spec.install_seat)..reserved,
            workers: (0..n)
                .map(|index| {
                    CachePadded(WorkerShared {
                        seat: AtomicUsize::new(if index < reserved || spec.handler.is_some() {
                            SEAT_VACANT
                        } else {
                            SEAT_TAKEN
                        }),
                        slot: AtomicPtr::new(ptr::null_mut()),
                        parker: Parker::new(),
                        sleeping: AtomicBool::new(false),
                    })
                })
                .collect::<Vec<_>>()
                .into_boxed_slice(),
            demand: CachePadded(AtomicUsize::new(0)),
            active: CachePadded(AtomicUsize::new(0)),
            watching: AtomicBool::new(false),
            idle_ticks: AtomicUsize::new(0),
            injector: ArrayQueue::new(INJECTOR_CAPACITY),
            terminating: AtomicBool::new(false),
            exited: AtomicUsize::new(0),
            exited_event: Event::new(),
            generation: fork::watch(),
        });

        /// Until disarmed, stops the pool on drop: on an error return and on
        /// unwind alike. Workers never handed to the backend count as exited;
        /// each one that was counts itself (its `ExitNotice`), whether it ran,
        /// was dropped unrun, or is still starting. (Reserved seats, and
        /// those of a spawn handler, are closed by `terminate` once vacant:
        /// `started` counts only the seats the backend starts.)
        struct StopOnFailure<'a> {
            registry: &'a Registry,
            handed_over: usize,
            started: usize,
            armed: bool,
        }
        impl Drop for StopOnFailure<'_> {
            fn drop(&mut self) {
                if self.armed {
                    let never = self.started - self.handed_over;
                    // SeqCst: the Event protocol (as in `worker_exited`).
                    self.registry.exited.fetch_add(never, Ordering::SeqCst);
                    self.registry.terminate();
                    self.registry.wait_for_exit();
                }
            }
        }
        let mut guard = StopOnFailure {
            registry: &registry,
            handed_over: 0,
            started: if spec.handler.is_some() { 0 } else { n - reserved },
            armed: true,
        };

        for index in reserved..n {
            let name = spec.name.as_mut().map(|f| f(index));
            if name.as_deref().is_some_and(|name| name.contains('\0')) {
                return Err(SpawnError::InvalidName);
            }
            if let Some(handler) = spec.handler.as_mut() {
                // The handler's thread enters the seat with `ThreadBuilder::run`.
                handler(super::ThreadBuilder {
                    registry: registry.clone(),
                    index,
                    name,
                    stack_size: spec.stack_size,
                })?;
                continue;
            }
            let thread_spec = ThreadSpec {
                name,
                stack_size: spec.stack_size,
            };
            let notice = ExitNotice(registry.clone());
            guard.handed_over += 1;
            // If the backend fails or panics, it drops this closure, and the
            // notice in it counts the worker as exited.
            backend.spawn(
                &thread_spec,
                Box::new(move || WorkerThread::run(&notice.0, index)),
            )?;
        }
        guard.armed = false;
        drop(guard);
        Ok(registry)
    }

    /// The global pool, started on first use; `None` without a backend. A
    /// forked child gets a pool of its own (see `sync::fork`).
    ///
    /// # Panics
    ///
    /// If its workers cannot be started (a later call tries again).
    pub(super) fn global() -> Option<&'static Arc<Registry>> {
        static GLOBAL: PerProcess<Arc<Registry>> = PerProcess::new();
        if let Some(registry) = GLOBAL.get() {
            return Some(registry);
        }
        let backend = crate::backend::global_backend()?;
        let registry = GLOBAL.get_or_try_init(|| {
            let spec = WorkerSpec {
                name: Some(Box::new(|i| alloc::format!("forkscope-{i}"))),
                stack_size: None,
                install_seat: false,
                donated: 0,
                handler: None,
            };
            // (A backend may claim absurd parallelism: the global pool
            // takes what it can have rather than failing every cold join.)
            let n = backend.available_parallelism().min(MAX_NUM_THREADS);
            Registry::start(backend, n, spec)
        });
        match registry {
            Ok(registry) => Some(registry),
            Err(e) => panic!("forkscope: could not start the global thread pool: {e}"),
        }
    }

    /// Whether the workers exist in this process: `false` in a child forked
    /// after they started.
    #[inline]
    pub(super) fn in_this_process(&self) -> bool {
        self.generation == fork::generation()
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

    /// Worker `index`'s shared slot, which only that worker fills.
    pub(super) fn slot_of(&self, index: usize) -> *const AtomicPtr<FrameHead> {
        &self.workers[index].0.slot
    }

    pub(super) fn add_hungry(&self) {
        // Relaxed: the hungry count is a hint to share; correctness never
        // depends on it (a frame is shared or not, and stealing is by swap).
        self.demand.0.fetch_add(ONE_HUNGRY, Ordering::Relaxed);
    }

    pub(super) fn remove_hungry(&self) {
        self.demand.0.fetch_sub(ONE_HUNGRY, Ordering::Relaxed);
    }

    pub(crate) fn idle_ticks(&self) -> usize {
        // Relaxed: a coarse clock, read as a hint.
        self.idle_ticks.load(Ordering::Relaxed)
    }

    /// An idle worker looked for work: the coarse clock advances.
    pub(super) fn tick(&self) {
        // Relaxed: a coarse clock, read as a hint.
        self.idle_ticks.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn is_hungry(&self) -> bool {
        self.demand.0.load(Ordering::Relaxed) & HUNGRY_MASK != 0
    }

    #[cfg(all(test, loom))]
    pub(super) fn slot_is_empty(&self, index: usize) -> bool {
        self.workers[index].0.slot.load(Ordering::Relaxed).is_null()
    }

    /// Owner only: offers `frame` (a tagged value from
    /// `FrameHead::prepare_to_share`) to thieves. The slot is empty.
    pub(super) fn publish(&self, index: usize, frame: *const FrameHead) {
        // Release: the frame's contents (the closure `b`) travel with the
        // pointer to the thief's Acquire swap.
        self.workers[index]
            .0
            .slot
            .store(frame.cast_mut(), Ordering::Release);
    }

    /// Owner only: takes `frame` (the value it was published as) back if no
    /// thief took it.
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

    /// What `victim`'s shared slot holds (null if nothing, else a tagged frame
    /// pointer), without taking it.
    pub(super) fn peek(&self, victim: usize) -> *const FrameHead {
        // Relaxed: a hint; taking the frame is `steal`'s Acquire swap.
        self.workers[victim].0.slot.load(Ordering::Relaxed)
    }

    /// Takes `victim`'s shared frame, if any (its untagged address).
    pub(super) fn steal(&self, victim: usize) -> Option<*const FrameHead> {
        let slot = &self.workers[victim].0.slot;
        // Relaxed load first, so scanning an empty slot does not write its
        // cache line; Acquire swap pairs with `publish`'s Release.
        if slot.load(Ordering::Relaxed).is_null() {
            return None;
        }
        let frame = slot.swap(ptr::null_mut(), Ordering::Acquire);
        (!frame.is_null()).then(|| FrameHead::untag(frame))
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
    /// outside, a worker that starts a job, or shutdown wake it; it does not
    /// park if work is visible already; and it may become the watcher (see
    /// `park_or_watch`). With a `latch`, setting the latch wakes it too, and it
    /// does not park if the latch is set. Returns on any wake-up; callers loop.
    pub(super) fn sleep(&self, index: usize, latch: Option<&CoreLatch>, recruitable: bool) {
        let me = &self.workers[index].0;
        let mut park = true;
        if recruitable {
            me.sleeping.store(true, Ordering::SeqCst);
            self.demand.0.fetch_add(ONE_SLEEPER, Ordering::SeqCst);
            // SeqCst fence: pairs with the fence in `inject` (and
            // `terminate`'s SeqCst store): either we see the new job here,
            // or the other side sees us sleeping and wakes us. (Published
            // frames are the watcher's business, see `park_or_watch`.)
            fence(Ordering::SeqCst);
            park = self.injector.is_empty() && (latch.is_some() || !self.is_terminating());
        }
        if let Some(latch) = latch {
            // After this, the setter unparks us (or the latch is set already).
            park = park && latch.get_sleepy();
        }
        if park {
            if recruitable {
                self.park_or_watch(index, latch);
            } else {
                me.parker.park(self.backend);
            }
        }
        // Whoever swaps `sleeping` back to false also takes us out of the
        // count: us here, or a waker (which then unparks us).
        if recruitable && me.sleeping.swap(false, Ordering::SeqCst) {
            self.demand.0.fetch_sub(ONE_SLEEPER, Ordering::SeqCst);
        }
    }

    /// A recruitable sleeper parks; but while some other worker is active and
    /// no other sleeper watches, it is the *watcher*: it sleeps `WATCH_NANOS`
    /// at a time and, each time, looks at the injector and the shared slots.
    /// It returns (to take the work) when a job was injected, or when a slot
    /// holds the very frame it held at the previous look: a frame whose
    /// owner has been running its `a` for at least `WATCH_NANOS` without
    /// taking it back, so worth a hand-off. So a frame published by an owner
    /// that then runs for long without calling `join` reaches a sleeping
    /// worker within two intervals (plus the wake-up latency), no `join`
    /// ever pays for a wake-up, and the short-lived frames of fine-grained
    /// joins never make the watcher spin. Once no other worker is active,
    /// the watcher parks for good: an idle pool uses no CPU.
    ///
    /// The hand-over between "the last watcher stops" and "a worker starts a
    /// job" is a Dekker pair on (`watching`, `active`), with a SeqCst fence
    /// on each side: the watcher clears `watching`, fences, and reads
    /// `active`; `start_job` increments `active`, fences, and reads
    /// `watching`. At least one of them
    /// sees the other: the watcher keeps watching, or the starter wakes a
    /// sleeper (which becomes the watcher when it finds nothing to do).
    ///
    /// Only other workers' jobs count: an owner waiting on `latch` is itself
    /// inside an active job, and a pool of one worker has nobody to watch.
    fn park_or_watch(&self, index: usize, latch: Option<&CoreLatch>) {
        let parker = &self.workers[index].0.parker;
        let own_jobs = usize::from(latch.is_some());
        let others_active = || self.active.0.load(Ordering::SeqCst) > own_jobs;
        while self.num_threads() > 1
            && others_active()
            && self
                .watching
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            let mut seen = ptr::null();
            let woken = loop {
                let unparked = parker.park_timeout(self.backend, WATCH_NANOS);
                self.tick();
                if unparked
                    || !self.injector.is_empty()
                    || latch.map_or_else(|| self.is_terminating(), CoreLatch::probe)
                {
                    break true;
                }
                // (Under loom at first sight: a second look only multiplies
                // the interleavings.)
                let frame = self.first_published_frame();
                if !frame.is_null() && (frame == seen || FrameHead::is_urgent(frame) || cfg!(loom))
                {
                    break true;
                }
                seen = frame;
                if !others_active() {
                    break false;
                }
            };
            self.watching.store(false, Ordering::SeqCst);
            if woken {
                return;
            }
            // SeqCst fence: the Dekker pair with `start_job` (a fence, not
            // just SeqCst accesses, so that loom checks it too).
            fence(Ordering::SeqCst);
        }
        parker.park(self.backend);
    }

    /// The (tagged) value of the first non-empty shared slot, or null.
    fn first_published_frame(&self) -> *const FrameHead {
        self.workers
            .iter()
            .map(|w| w.0.slot.load(Ordering::Relaxed).cast_const())
            .find(|frame| !frame.is_null())
            .unwrap_or(ptr::null())
    }

    /// Wakes a sleeper for work that is known to be long, unless a worker is
    /// already looking for work.
    pub(crate) fn wake_one_unless_hungry(&self) {
        if !self.is_hungry() {
            self.wake_one();
        }
    }

    /// A worker took a job in its loop: counts it active and, if nobody is
    /// looking for work, makes sure somebody will: a sleeper is woken if
    /// there is no watcher, or if the job is a stolen frame (an owner had
    /// work to spare, there may be more: pass the wake-up on). Paid per
    /// stolen frame or injected job, never per `join`.
    pub(super) fn start_job(&self, stolen: bool) {
        self.active.0.fetch_add(1, Ordering::SeqCst);
        // SeqCst fence: the Dekker pair with `park_or_watch`.
        fence(Ordering::SeqCst);
        let hungry = self.demand.0.load(Ordering::SeqCst) & HUNGRY_MASK != 0;
        if !hungry && (stolen || !self.watching.load(Ordering::SeqCst)) {
            self.wake_one();
        }
    }

    /// The job `start_job` counted is done.
    pub(super) fn end_job(&self) {
        self.active.0.fetch_sub(1, Ordering::SeqCst);
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
    pub(super) fn in_worker_cold<F, R>(self: &Arc<Self>, op: F) -> R
    where
        F: FnOnce(&WorkerThread) -> R + Send,
        R: Send,
    {
        assert!(
            self.in_this_process(),
            "forkscope: this thread pool was built before fork(); its worker threads \
             do not exist in this child process (build a new pool in the child)"
        );
        let current = WorkerThread::current();
        debug_assert!(current.is_none_or(|w| !ptr::eq(w.registry(), &**self)));
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
        if current.is_none() {
            // A job injected while the install seat's holder is leaving it
            // would wait for the next `install`: see `drain_install_seat`.
            self.drain_install_seat();
        }
        match current {
            Some(worker) => worker.wait_until(job.latch()),
            // Our own word: the worker that runs the job wakes exactly us.
            None => job.latch().wait_on_word(self.backend),
        }
        // SAFETY: the latch is set.
        unsafe { job.take_result() }.into_return_value(self.backend)
    }

    // ---- seats for threads the pool did not start --------------------------

    /// How many seats are for donated threads.
    pub(super) fn donated_seats(&self) -> usize {
        self.donated.len()
    }

    /// Enters seat `index` if it is vacant. SeqCst: the Dekker pairs of
    /// `leave_seat` with `terminate`, and of `drain_install_seat` with
    /// `inject`.
    pub(super) fn take_seat(&self, index: usize) -> bool {
        self.workers[index]
            .0
            .seat
            .compare_exchange(SEAT_VACANT, SEAT_TAKEN, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// The thread in seat `index` (taken with `take_seat`) leaves it. The
    /// seat is vacant again, or closed if the pool is shutting down:
    /// `terminate` sets `terminating` then closes the vacant seats, we make
    /// the seat vacant then read `terminating` (SeqCst, a Dekker pair), so
    /// one of us closes it, and the exchange in `close_seat` makes it one.
    pub(super) fn leave_seat(&self, index: usize) {
        self.workers[index].0.seat.store(SEAT_VACANT, Ordering::SeqCst);
        if self.is_terminating() {
            self.close_seat(index);
        }
    }

    /// Closes seat `index` if vacant; a closed seat counts as an exited
    /// worker for `wait_for_exit`.
    fn close_seat(&self, index: usize) {
        let seat = &self.workers[index].0.seat;
        // SeqCst: see `leave_seat`.
        if seat
            .compare_exchange(SEAT_VACANT, SEAT_CLOSED, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            self.worker_exited();
        }
    }

    /// Runs the injected jobs in the install seat while there are any and
    /// the seat is free, as worker 0. Called by a thread outside any pool
    /// after it injected a job, and by the install seat's holder after it
    /// left the seat: the injector pushes, fences (in `inject`) and reads
    /// the seat here; the holder makes the seat vacant, fences and reads the
    /// injector here (SeqCst, a Dekker pair). So either the holder sees the
    /// job, or the injecting thread finds the seat vacant; a pool whose only
    /// threads come through `install` never leaves a job behind.
    ///
    /// A thread that runs its own job here sets its own latch before it
    /// ever announced sleeping on it, so the job's wake-up is a plain store.
    pub(super) fn drain_install_seat(self: &Arc<Self>) {
        if !self.install_seat {
            return;
        }
        loop {
            fence(Ordering::SeqCst);
            if self.injector.is_empty() || !self.take_seat(0) {
                return;
            }
            WorkerThread::act_as_worker(self, 0, WorkerThread::run_injected_jobs);
            self.leave_seat(0);
        }
    }

    /// A thread outside any pool runs `op` as worker 0 if the install seat
    /// is vacant; gives `op` back if not.
    pub(super) fn in_install_seat<R, F: FnOnce() -> R>(self: &Arc<Self>, op: F) -> Result<R, F> {
        if !self.install_seat || !self.take_seat(0) {
            return Err(op);
        }
        /// Ends the job, leaves the seat (and runs what was injected
        /// meanwhile) on return and on unwind.
        struct Leave<'a>(&'a Arc<Registry>);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.end_job();
                self.0.leave_seat(0);
                self.0.drain_install_seat();
            }
        }
        // `op` is a job like an injected one: counted active, so that a
        // sleeper is woken (or watches) to take the halves it publishes.
        self.start_job(false);
        let _leave = Leave(self);
        Ok(WorkerThread::act_as_worker(self, 0, |_| op()))
    }

    /// The calling thread (outside any pool) enters a vacant donated seat
    /// and works there until the pool shuts down.
    pub(super) fn donate(self: &Arc<Self>) -> Result<(), super::DonateError> {
        use super::DonateError;
        assert!(
            self.in_this_process(),
            "forkscope: this thread pool was built before fork(); build a new pool in the child"
        );
        if WorkerThread::current().is_some() {
            return Err(DonateError::AlreadyWorker);
        }
        if self.is_terminating() {
            return Err(DonateError::ShutDown);
        }
        let Some(index) = self.donated.clone().find(|&i| self.take_seat(i)) else {
            return Err(if self.is_terminating() {
                DonateError::ShutDown
            } else {
                DonateError::NoVacantSeat
            });
        };
        self.serve(index);
        Ok(())
    }

    /// The calling thread, in seat `index` (taken), runs the worker loop
    /// until the pool shuts down, and leaves the seat: also if a panic
    /// unwinds out of the loop (a backend that does not catch panics), when
    /// the seat is vacant for another thread, or closed at shutdown.
    pub(super) fn serve(self: &Arc<Self>, index: usize) {
        struct Leave<'a>(&'a Registry, usize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.leave_seat(self.1);
            }
        }
        let _leave = Leave(self, index);
        WorkerThread::run(self, index);
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
        for index in 0..self.num_threads() {
            self.close_seat(index);
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

/// Held by a worker's main closure: counts the worker as exited when it is
/// dropped, that is when the worker left its loop (or unwound out of it), or
/// when the backend dropped the closure without running it. The last touch
/// of the registry by that thread, through its own `Arc`.
struct ExitNotice(Arc<Registry>);

impl Drop for ExitNotice {
    fn drop(&mut self) {
        self.0.worker_exited();
    }
}

/// Hooks for the loom models (`pool/loom_tests.rs`), which drive the real
/// protocol functions from model threads.
#[cfg(all(test, loom))]
impl Registry {
    pub(super) fn is_watched_for_model(&self) -> bool {
        self.watching.load(Ordering::SeqCst)
    }

    pub(super) fn inject_for_model(&self, job: JobRef) {
        self.inject(job);
    }
}

//! A cache of idle backend threads that run one job at a time.
//!
//! # Protocol
//!
//! Each cached thread owns a `Record`: a state word, a one-job mailbox and a
//! [`Parker`]. States: `POSTED` (a job is in the mailbox or running), `IDLE`
//! (waiting in the idle stack), `RETIRED` (the thread has exited).
//!
//! - A thread that finished a job stores `IDLE` and pushes (a clone of) its
//!   record onto the idle stack; if the stack is full it exits instead.
//! - A spawner pops a record (so it alone holds it), writes the mailbox, and
//!   exchanges `IDLE -> POSTED` (Release: the mailbox write travels with it),
//!   then unparks the thread. If the exchange fails the thread has retired:
//!   the spawner takes its job back out of the mailbox, drops the record and
//!   tries the next one, or starts a new thread.
//! - An idle thread spins, then parks with a timeout. When the backend has a
//!   clock and the thread has been idle for `IDLE_TIMEOUT_NANOS`, it exchanges
//!   `IDLE -> RETIRED` and exits; losing that exchange means a job was posted
//!   meanwhile, so it runs it.
//!
//! The mailbox is only read by the thread after it saw `POSTED` (Acquire),
//! and only written by a spawner that popped the record, which happens after
//! the thread's push (the lock orders the two).

use super::atomic::{AtomicU32, Ordering};
use super::fork::PerProcess;
use super::{JobRef, Parker};
use core::mem::ManuallyDrop;

/// A job for a cached thread. Running it returns the job's *completion*:
/// the part that announces it is over, which the thread runs only after it is
/// back in the idle stack, so that whoever waits for that announcement and
/// then spawns again finds the thread already idle.
///
/// A `ThreadJob` owns its job: dropping one that was never run *cancels* it
/// (its `cancel` function gives back what the job holds). So a spawn that
/// fails anywhere, with an error or with a panic (in the backend's `spawn`, in
/// an allocation), leaves nothing behind: whoever holds the job at that point
/// (the spawner, a closure handed to the backend, a thread record) drops it.
pub(crate) struct ThreadJob {
    data: *const (),
    // SAFETY contract: exactly one of `run(data)` and `cancel(data)` is
    // called, once, per `ThreadJob::new`; `run` when the job runs.
    run: unsafe fn(*const ()) -> JobRef,
    // SAFETY contract: `cancel(data)` instead of `run`, once, when the job is
    // dropped without running; it gives back what the job holds.
    cancel: unsafe fn(*const ()),
}

// SAFETY: created only for jobs whose data may be run or cancelled on another
// thread (see `ThreadJob::new`'s callers).
unsafe impl Send for ThreadJob {}

impl ThreadJob {
    /// # Safety
    ///
    /// `run(data)` must be sound to call once, from any thread, and so must
    /// `execute` of the completion it returns; `cancel(data)` must be sound to
    /// call instead, once, from any thread, if the job never runs.
    pub(crate) const unsafe fn new(
        data: *const (),
        run: unsafe fn(*const ()) -> JobRef,
        cancel: unsafe fn(*const ()),
    ) -> Self {
        ThreadJob { data, run, cancel }
    }

    /// Runs the job (not its completion).
    fn run(self) -> JobRef {
        let job = ManuallyDrop::new(self);
        // SAFETY: `self` is consumed, so this is the job's only run, and
        // `ManuallyDrop` keeps its `cancel` from being called too.
        unsafe { (job.run)(job.data) }
    }

    /// Runs the job and then its completion.
    fn run_to_completion(self) {
        // SAFETY: the completion of the job just run, executed once.
        unsafe { self.run().execute() }
    }
}

impl Drop for ThreadJob {
    fn drop(&mut self) {
        // SAFETY: a job is dropped only if it never ran (`run` consumes it
        // without dropping); this is its only cancellation.
        unsafe { (self.cancel)(self.data) }
    }
}
use super::shim::{SpinMutex, SpinMutexGuard};
use crate::backend::{Backend, SpawnError, ThreadSpec};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

const POSTED: u32 = 0;
const IDLE: u32 = 1;
const RETIRED: u32 = 2;

/// How long an idle cached thread waits for work before it exits.
pub(crate) const IDLE_TIMEOUT_NANOS: u64 = 1_000_000_000;

struct Record {
    state: AtomicU32,
    mailbox: UnsafeCell<Option<ThreadJob>>,
    parker: Parker,
}

// SAFETY: the mailbox is handed between threads by the state protocol above
// (only the popper writes it, only the owner thread reads it after POSTED);
// everything else is atomic.
unsafe impl Sync for Record {}
// SAFETY: as above; a ThreadJob is Send.
unsafe impl Send for Record {}

pub(crate) struct ThreadCache {
    backend: &'static dyn Backend,
    /// Idle threads, most recently idle last. A stack, not a queue: spawns
    /// reuse the threads that went idle last (their stacks are warm), and
    /// the ones at the bottom stay unused long enough to time out, so a
    /// burst of spawns does not leave its threads behind forever. A spin lock
    /// held for one push or pop (no allocation: the capacity is reserved).
    idle: SpinMutex<Vec<Arc<Record>>>,
    capacity: usize,
}

impl ThreadCache {
    pub(crate) fn new(backend: &'static dyn Backend) -> Self {
        let capacity = backend.available_parallelism().saturating_mul(4).max(64);
        ThreadCache {
            backend,
            idle: SpinMutex::new(Vec::with_capacity(capacity)),
            capacity,
        }
    }

    /// The cache of the global backend, `None` if there is no backend. A
    /// forked child gets a fresh, empty cache: the parent's idle threads do
    /// not exist there (see `sync::fork`).
    pub(crate) fn global() -> Option<&'static ThreadCache> {
        static GLOBAL: PerProcess<ThreadCache> = PerProcess::new();
        let backend = crate::backend::global_backend()?;
        Some(GLOBAL.get_or_init(|| ThreadCache::new(backend)))
    }

    pub(crate) fn backend(&self) -> &'static dyn Backend {
        self.backend
    }

    /// Runs `job` on a thread of its own: an idle cached one if there is one,
    /// else a new thread that joins the cache afterwards.
    ///
    /// On error (or a panic) the job has not run and never will: it was
    /// dropped, which cancelled it.
    pub(crate) fn execute(&'static self, mut job: ThreadJob) -> Result<(), SpawnError> {
        while let Some(record) = self.pop_idle() {
            // SAFETY: we popped the record, so no other spawner holds it, and
            // its thread reads the mailbox only after seeing POSTED below.
            unsafe { *record.mailbox.get() = Some(job) };
            // Release: publishes the mailbox write to the thread's Acquire.
            if record
                .state
                .compare_exchange(IDLE, POSTED, Ordering::Release, Ordering::Relaxed)
                .is_ok()
            {
                record.parker.unpark(self.backend);
                return Ok(());
            }
            // RETIRED: the thread is gone and never reads its mailbox again;
            // take the job back and forget the record.
            // SAFETY: we wrote the mailbox above, and nobody else touches it
            // now that its thread retired.
            job = match unsafe { (*record.mailbox.get()).take() } {
                Some(job) => job,
                None => unreachable!("forkscope: a retired thread took a job"),
            };
        }
        // If anything below fails or panics, the record (and with it the job
        // in its mailbox) is dropped, which cancels the job.
        let record = Arc::new(Record {
            state: AtomicU32::new(POSTED),
            mailbox: UnsafeCell::new(Some(job)),
            parker: Parker::new(),
        });
        self.backend
            .spawn(&ThreadSpec::default(), Box::new(move || self.run(record)))
    }

    /// Starts a thread with a specific spec (name, stack size) that runs
    /// `job` and exits: such threads are never cached, since a later spawn
    /// would see the wrong name or stack size.
    /// As with `execute`, a failed spawn drops (cancels) the job.
    pub(crate) fn execute_once(&self, spec: &ThreadSpec, job: ThreadJob) -> Result<(), SpawnError> {
        self.backend
            .spawn(spec, Box::new(move || job.run_to_completion()))
    }

    /// Locks the idle stack. The lock is held for a push, a pop or a short
    /// scan, so spin a little; then yield, in case its holder was preempted.
    fn lock_idle(&self) -> SpinMutexGuard<'_, Vec<Arc<Record>>> {
        let mut tries = 0u32;
        loop {
            if let Some(guard) = self.idle.try_lock() {
                return guard;
            }
            tries += 1;
            if tries < 64 {
                super::spin(4);
            } else {
                self.backend.yield_now();
            }
        }
    }

    fn pop_idle(&self) -> Option<Arc<Record>> {
        self.lock_idle().pop()
    }

    /// Returns `false` if the cache is full.
    fn push_idle(&self, record: &Arc<Record>) -> bool {
        let mut idle = self.lock_idle();
        if idle.len() == self.capacity {
            return false;
        }
        idle.push(record.clone());
        true
    }

    /// The main loop of a cached thread. `record` is POSTED on entry.
    fn run(&'static self, record: Arc<Record>) {
        loop {
            // SAFETY: state is POSTED and we are the record's thread: the
            // spawner's write happened before its Release exchange, which our
            // Acquire load (or the spawn itself) ordered before this read.
            let job = unsafe { (*record.mailbox.get()).take() };
            let completion = job.map(ThreadJob::run);
            record.state.store(IDLE, Ordering::Relaxed);
            // Back to the cache first, then announce the job's end: a scope
            // that spawns again as soon as it sees its threads finish finds
            // this one idle instead of starting a new thread. (If the cache is
            // full this thread is surplus: nobody can post to it, since its
            // record is in no stack, and it exits after the completion.)
            let cached = self.push_idle(&record);
            if let Some(completion) = completion {
                // SAFETY: the completion of the job we ran, run once.
                unsafe { completion.execute() };
            }
            if !cached {
                return;
            }
            if !self.wait_for_job(&record) {
                return;
            }
        }
    }

    /// Waits until a job is posted (`true`) or the thread retires (`false`).
    fn wait_for_job(&self, record: &Record) -> bool {
        // Acquire: pairs with the spawner's Release exchange.
        let posted = || record.state.load(Ordering::Acquire) == POSTED;
        // Stay awake a little first: a scope that spawns again soon should
        // find us awake and pay no futex wake-up.
        if super::spin_then_yield(self.backend, posted) {
            return true;
        }
        let start = self.backend.now_nanos();
        loop {
            let unparked = record.parker.park_timeout(self.backend, IDLE_TIMEOUT_NANOS);
            if posted() {
                return true;
            }
            if unparked {
                continue;
            }
            let timed_out = match (start, self.backend.now_nanos()) {
                (Some(start), Some(now)) => now.saturating_sub(start) >= IDLE_TIMEOUT_NANOS,
                _ => false,
            };
            if timed_out
                && record
                    .state
                    .compare_exchange(IDLE, RETIRED, Ordering::Acquire, Ordering::Acquire)
                    .is_ok()
            {
                // Leave the stack too (unless a spawner popped us already and
                // is about to find us retired), so that dead records do not
                // take the places of live threads.
                self.lock_idle().retain(|r| !core::ptr::eq(&**r, record));
                return false;
            }
        }
    }
}

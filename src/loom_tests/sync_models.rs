//! Models of the `sync` primitives: `Parker`, `Event`, `CoreLatch` and the
//! thread cache's hand-off.

use super::{LOOM, LOOM_TIMEOUTS_FIRE, RaceCell, model, model_bounded};
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::thread_cache::{ThreadCache, ThreadJob};
use crate::sync::{CoreLatch, Event, JobRef, Parker};
use alloc::boxed::Box;
use alloc::sync::Arc;
use loom::thread;

// ---- Parker ----------------------------------------------------------------

/// An unpark before, during or after the park: the parked thread always
/// returns, after the unpark (our futex never wakes spuriously), and sees
/// what the unparker wrote before unparking.
#[test]
fn parker_unpark_is_never_lost_and_publishes_prior_writes() {
    model(|| {
        let parker = Arc::new(Parker::new());
        let data = Arc::new(RaceCell::new(0));
        let unparker = thread::spawn({
            let (parker, data) = (parker.clone(), data.clone());
            move || {
                data.set(7);
                parker.unpark(&LOOM);
            }
        });
        parker.park(&LOOM);
        // Loom flags this read if the unparker's write does not happen before.
        assert_eq!(data.get(), 7);
        unparker.join().unwrap();
    });
}

/// Two unparks for two parks in a row: the second park is not satisfied by a
/// wake-up the first one already consumed, and nothing is lost either way.
#[test]
fn parker_two_rounds_each_park_returns_after_its_unpark() {
    model(|| {
        let parker = Arc::new(Parker::new());
        let round = Arc::new(AtomicUsize::new(0));
        let unparker = thread::spawn({
            let (parker, round) = (parker.clone(), round.clone());
            move || {
                for r in 1..=2 {
                    round.store(r, Ordering::Relaxed);
                    parker.unpark(&LOOM);
                }
            }
        });
        // A park may consume a wake-up meant for an earlier one, so loop on
        // the condition, as every caller does.
        for r in 1..=2 {
            while round.load(Ordering::Relaxed) < r {
                parker.park(&LOOM);
            }
        }
        unparker.join().unwrap();
    });
}

/// `park_timeout` with a timeout that never fires behaves like `park`: it
/// returns `true`, after the unpark.
#[test]
fn parker_park_timeout_without_timeout_returns_unparked() {
    model(|| {
        let parker = Arc::new(Parker::new());
        let data = Arc::new(RaceCell::new(0));
        let unparker = thread::spawn({
            let (parker, data) = (parker.clone(), data.clone());
            move || {
                data.set(7);
                parker.unpark(&LOOM);
            }
        });
        assert!(parker.park_timeout(&LOOM, 1_000));
        assert_eq!(data.get(), 7);
        unparker.join().unwrap();
    });
}

/// `park_timeout` whose timeout fires at once, racing an unpark: if it
/// reports the unpark, the unparker's writes are visible; if not, the unpark
/// is still pending and the next `park` returns. Either way the parker word is
/// left consistent.
#[test]
fn parker_timed_out_park_does_not_lose_a_racing_unpark() {
    model(|| {
        let parker = Arc::new(Parker::new());
        let data = Arc::new(RaceCell::new(0));
        let unparker = thread::spawn({
            let (parker, data) = (parker.clone(), data.clone());
            move || {
                data.set(7);
                parker.unpark(&LOOM_TIMEOUTS_FIRE);
            }
        });
        if !parker.park_timeout(&LOOM_TIMEOUTS_FIRE, 1_000) {
            parker.park(&LOOM_TIMEOUTS_FIRE);
        }
        assert_eq!(data.get(), 7);
        unparker.join().unwrap();
    });
}

// ---- Event -----------------------------------------------------------------

/// The Event protocol: the notifier makes its condition true (SeqCst), then
/// `notify_all`s; the waiter returns and sees what was written before.
#[test]
fn event_waiter_always_sees_the_condition_and_returns() {
    model(|| {
        let event = Arc::new(Event::new());
        let flag = Arc::new(AtomicBool::new(false));
        let data = Arc::new(RaceCell::new(0));
        let notifier = thread::spawn({
            let (event, flag, data) = (event.clone(), flag.clone(), data.clone());
            move || {
                data.set(7);
                flag.store(true, Ordering::SeqCst);
                event.notify_all(&LOOM);
            }
        });
        event.wait_until(&LOOM, || flag.load(Ordering::SeqCst));
        assert_eq!(data.get(), 7);
        notifier.join().unwrap();
    });
}

/// Two waiters on one event: one `notify_all` wakes both (a sleeper bit set
/// by one waiter and seen by the notifier must cover the other too).
#[test]
fn event_one_notify_wakes_two_waiters() {
    model_bounded(4, || {
        let event = Arc::new(Event::new());
        let flag = Arc::new(AtomicBool::new(false));
        let waiter = thread::spawn({
            let (event, flag) = (event.clone(), flag.clone());
            move || event.wait_until(&LOOM, || flag.load(Ordering::SeqCst))
        });
        let notifier = thread::spawn({
            let (event, flag) = (event.clone(), flag.clone());
            move || {
                flag.store(true, Ordering::SeqCst);
                event.notify_all(&LOOM);
            }
        });
        event.wait_until(&LOOM, || flag.load(Ordering::SeqCst));
        waiter.join().unwrap();
        notifier.join().unwrap();
    });
}

/// Two conditions announced one after the other on one event (like a scope
/// whose threads finish one by one): the waiter for both returns.
#[test]
fn event_two_notifiers_waiter_for_both_returns() {
    model_bounded(4, || {
        let event = Arc::new(Event::new());
        let done = Arc::new(AtomicUsize::new(0));
        let notifiers: [_; 2] = core::array::from_fn(|_| {
            let (event, done) = (event.clone(), done.clone());
            thread::spawn(move || {
                done.fetch_add(1, Ordering::SeqCst);
                event.notify_all(&LOOM);
            })
        });
        event.wait_until(&LOOM, || done.load(Ordering::SeqCst) == 2);
        for n in notifiers {
            n.join().unwrap();
        }
    });
}

// ---- CoreLatch + Parker: the stolen-frame hand-off --------------------------

/// A join frame's thief-facing part, on the heap so that the owner can free
/// and reuse its memory as soon as it sees the latch set (as `join` returns
/// and the next `join` puts a new frame at the same stack address).
struct Frame {
    latch: CoreLatch,
    result: RaceCell,
}

/// The hand-off of a stolen join frame (`JoinFrame::execute_stolen` and the
/// owner's wait): the setter writes the result, sets the latch and unparks the
/// owner's parker (kept alive by the setter's own `Arc`) only if `set`
/// reported a sleeper. The owner probes, announces it sleeps with
/// `get_sleepy`, parks. Checks that the owner always wakes, reads the result
/// without a data race, and that the setter does not touch the frame after
/// `set`: the owner overwrites the frame with a fresh one as soon as it sees
/// the latch set, and that fresh latch must stay untouched.
#[test]
fn latch_owner_wakes_reads_result_and_frame_is_free_after_set() {
    model(|| {
        let parker = Arc::new(Parker::new());
        let mut frame = Box::new(Frame {
            latch: CoreLatch::new(),
            result: RaceCell::new(0),
        });
        let frame_addr = &*frame as *const Frame as usize;
        let setter = thread::spawn({
            let parker = parker.clone();
            move || {
                let frame = frame_addr as *const Frame;
                // SAFETY: the owner keeps the frame until the latch is set.
                unsafe {
                    (*frame).result.set(42);
                    if CoreLatch::set(&raw const (*frame).latch) {
                        parker.unpark(&LOOM);
                    }
                }
            }
        });
        // The owner's side, as in `WorkerThread::wait_until` / `Registry::sleep`.
        while !frame.latch.probe() {
            if frame.latch.get_sleepy() {
                parker.park(&LOOM);
            }
        }
        assert_eq!(frame.result.get(), 42);
        // The frame's memory is reused right away, while the setter may still
        // be unparking.
        *frame = Frame {
            latch: CoreLatch::new(),
            result: RaceCell::new(0),
        };
        setter.join().unwrap();
        assert!(!frame.latch.probe());
        assert!(
            frame.latch.get_sleepy(),
            "the setter touched a reused frame"
        );
        assert_eq!(frame.result.get(), 0);
    });
}

/// An outside thread's wait for its injected job (`CoreLatch::wait_on_word`)
/// against the worker that ran it (`CoreLatch::set_and_wake`): the waiter
/// sleeps on the latch word itself, which lives in its own stack frame. The
/// waiter always returns, sees the result, is woken at most once, and the
/// setter is done with the latch when it does: the waiter reuses the memory
/// for a fresh latch at once, which must stay untouched (a setter that stored
/// `RELEASED` before its wake call, or woke after it, would be caught here).
#[test]
fn latch_wait_on_word_returns_once_woken_and_latch_is_free_after() {
    model(|| {
        let mut frame = Box::new(Frame {
            latch: CoreLatch::new(),
            result: RaceCell::new(0),
        });
        let frame_addr = &*frame as *const Frame as usize;
        let setter = thread::spawn(move || {
            let frame = frame_addr as *const Frame;
            // SAFETY: the waiter keeps the frame until `set_and_wake` is
            // done with it.
            unsafe {
                (*frame).result.set(42);
                CoreLatch::set_and_wake(&raw const (*frame).latch, &LOOM);
            }
        });
        frame.latch.wait_on_word(&LOOM);
        assert_eq!(frame.result.get(), 42);
        *frame = Frame {
            latch: CoreLatch::new(),
            result: RaceCell::new(0),
        };
        setter.join().unwrap();
        assert!(!frame.latch.probe(), "the setter touched a reused latch");
        assert!(frame.latch.get_sleepy());
    });
}

// ---- The thread cache ------------------------------------------------------

/// A job for the thread cache: counts its runs and its completions, and reads
/// what the spawner wrote before posting it.
struct CountedJob {
    runs: AtomicUsize,
    completions: AtomicUsize,
    input: RaceCell,
}

impl CountedJob {
    fn new() -> Arc<Self> {
        Arc::new(CountedJob {
            runs: AtomicUsize::new(0),
            completions: AtomicUsize::new(0),
            input: RaceCell::new(0),
        })
    }

    /// Writes the input, then makes the job's `ThreadJob`.
    fn post(self: &Arc<Self>, input: u32) -> ThreadJob {
        self.input.set(input);
        // SAFETY: the job is kept alive (by the model) until every thread
        // that could run it is joined, and may run on any thread.
        unsafe { ThreadJob::new(Arc::as_ptr(self).cast(), Self::run, Self::cancel) }
    }

    /// Every job of the model is run: a cancellation is a bug.
    ///
    /// # Safety
    ///
    /// None needed; it only panics.
    unsafe fn cancel(_this: *const ()) {
        panic!("a posted job was cancelled");
    }

    /// # Safety
    ///
    /// `this` is the job `post` made, run once.
    unsafe fn run(this: *const ()) -> JobRef {
        // SAFETY: see `post`.
        let job = unsafe { &*this.cast::<CountedJob>() };
        // Loom flags this read if the spawner's write does not happen before
        // (the mailbox hand-off: Release exchange IDLE -> POSTED, Acquire load).
        assert_ne!(job.input.get(), 0);
        assert_eq!(
            job.runs.fetch_add(1, Ordering::Relaxed),
            0,
            "a job ran twice"
        );
        // SAFETY: as for the job.
        unsafe { JobRef::new(this, Self::complete) }
    }

    /// # Safety
    ///
    /// `this` is the job `post` made, completed once.
    unsafe fn complete(this: *const ()) {
        // SAFETY: see `post`.
        let job = unsafe { &*this.cast::<CountedJob>() };
        assert_eq!(
            job.runs.load(Ordering::Relaxed),
            1,
            "completed before it ran"
        );
        job.completions.fetch_add(1, Ordering::Relaxed);
    }
}

/// The thread cache's hand-off: a spawner pops an idle thread's record,
/// writes the mailbox and exchanges `IDLE -> POSTED`, racing the idle thread's
/// timeout exchange `IDLE -> RETIRED` (timeouts fire at once here, so the idle
/// thread retires as soon as it can). Exactly one exchange wins: each job runs
/// (and completes) exactly once, on the cached thread if the spawner won, else
/// on a new one. Runs the real `ThreadCache::execute` and cached-thread loop;
/// the second post may also land while the first job's completion is still
/// running (the thread re-enters the idle stack before it).
#[test]
fn thread_cache_post_races_retire_job_runs_exactly_once() {
    model(|| {
        let cache: &'static ThreadCache =
            Box::leak(Box::new(ThreadCache::new(&LOOM_TIMEOUTS_FIRE)));
        let (first, second) = (CountedJob::new(), CountedJob::new());
        // Starts a thread (nothing is idle) ...
        cache.execute(first.post(1)).unwrap();
        // ... which, after the first job, may be busy, idle, retiring or gone.
        cache.execute(second.post(2)).unwrap();
        super::join_spawned();
        for job in [&first, &second] {
            assert_eq!(job.runs.load(Ordering::Relaxed), 1);
            assert_eq!(job.completions.load(Ordering::Relaxed), 1);
        }
        // SAFETY: every thread that used the cache has been joined.
        drop(unsafe { Box::from_raw(cache as *const ThreadCache as *mut ThreadCache) });
    });
}

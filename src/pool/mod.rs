//! Fork-join: [`join`], [`ThreadPool`], [`ThreadPoolBuilder`].
//!
//! # Design
//!
//! `join(a, b)` on a pool worker keeps `b` in a *private* frame on its own
//! stack and runs `a`. Other workers cannot see private frames, so when nobody
//! asks for work a `join` costs a few plain loads and stores: no atomic
//! read-modify-write, no fence, no shared cache line written (the hot path in
//! [`WorkerThread::join`](worker::WorkerThread)). Work is handed out only on
//! demand (Acar, Charguéraud, Rainey, PPoPP 2013, and the heartbeat idea of
//! chili / Spice, but driven by demand rather than a timer).
//!
//! # Protocol
//!
//! Per worker `W` (see `registry.rs` and `worker.rs`):
//!
//! - **Private frames.** `W` links its join frames from `newest` down through
//!   `older` pointers; `oldest_private` marks the oldest frame nobody else can
//!   see. Only `W` reads or writes these links. `W` keeps at most twice
//!   the pool's thread count (4 to 16) private frames: a `join` made with that many
//!   runs `a` then `b` without a frame, since thieves only take the *oldest*
//!   frame and the joins deep in a recursion are nearly all of its joins.
//! - **Demand.** One word per pool counts the workers looking for work
//!   (*hungry*: idle ones, and owners waiting for a stolen half) and the
//!   sleeping ones. `W` reads it (Relaxed) on every `join`; it is only
//!   written when workers run out of work or find some, so while everybody is
//!   busy the read stays a cache hit.
//! - **Sharing.** When workers are hungry and `W`'s one-frame `shared` slot
//!   is empty, `W` unlinks its *oldest* private frame (the biggest piece of
//!   work), fills in the fields a thief needs, and stores its pointer in the
//!   slot (Release).
//! - **Stealing.** A hungry worker swaps a non-null slot to null (Acquire) and
//!   runs the frame's `b`: it writes the result, then sets the frame's
//!   [`CoreLatch`](crate::sync::CoreLatch) and, only if `W` announced that it
//!   sleeps, unparks `W`'s parker (which lives in the registry, kept alive by
//!   the thief's own `Arc`). The thief touches the frame no more after the set.
//! - **Reclaiming.** When `a` returns and `W`'s frame is still private, `W`
//!   pops it and runs `b` inline. If it was shared, `W` tries to exchange its
//!   slot from the frame back to null: success means nobody stole it (run `b`
//!   inline); failure means a thief owns it, and `W` waits for the latch,
//!   helping with other work meanwhile (nested at most `MAX_HELP_DEPTH`
//!   deep, so stacks stay bounded). Exactly one of the thief's swap and `W`'s
//!   exchange succeeds, so `b` runs exactly once; the frame is only freed
//!   (`join` returns) after `b` finished.
//! - **Panics.** If `a` panics, a drop guard still reclaims or waits for `b`,
//!   runs it if needed (catching its panic), and lets `a`'s panic continue; a
//!   frame never outlives its `join`. If `b` panics on a thief the payload is
//!   carried back and resumed on `W`.
//! - **Sleeping.** A worker that found nothing for a while (spinning, then
//!   yielding) marks itself `sleeping`, counts itself in the demand word,
//!   re-checks the injector and the slots, and parks. An owner waiting for a
//!   stolen half sleeps the same way, and is also woken by the latch.
//!   Injecting work wakes one sleeper unless a worker is already hungry; an
//!   owner that sees sleepers wakes one only after it has been busy for
//!   `RECRUIT_AFTER_NANOS` (20 µs, by the backend's clock; without a clock,
//!   every `RECRUIT_CHECK_INTERVAL_NO_CLOCK` joins), so a tiny workload never
//!   pays for a futex wake-up but a long one recruits every worker; a thief
//!   that stole passes the wake-up on.
//! - **Outside the pool.** A thread that is not a worker of the pool wraps its
//!   work in a job on its own stack, pushes it to the pool's injector
//!   (`crossbeam_queue::ArrayQueue`, no allocation) and waits until the job's
//!   latch is set: a plain thread on the pool's external
//!   [`Event`](crate::sync::Event), a worker of another pool by working for
//!   its own pool and then sleeping on its own parker (whose registry the
//!   waker keeps alive with an `Arc`), so pools calling into each other
//!   cannot deadlock.

mod builder;
mod frame;
#[cfg(all(test, loom))]
mod loom_tests;
mod registry;
mod worker;

pub use builder::{ThreadPool, ThreadPoolBuilder};

use registry::Registry;
use worker::WorkerThread;

/// Runs `a` and `b`, potentially in parallel, and returns both results.
///
/// On a pool worker this is the fork-join hot path: `b` is offered to idle
/// workers only if one asks for work, and otherwise runs right after `a` on
/// this thread, at the cost of a few nanoseconds and no allocation. From any
/// other thread the pair is handed to the global pool and this thread blocks
/// until both have run. Without a backend (`no_std`, none installed), `a`
/// then `b` run here.
///
/// # Panics
///
/// Both closures always run to completion. If either panics, the panic is
/// resumed after both finished; if both panic, `a`'s payload wins and `b`'s is
/// dropped.
///
/// ```
/// fn fib(n: u64) -> u64 {
///     if n < 2 {
///         return n;
///     }
///     let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
///     a + b
/// }
/// assert_eq!(fib(20), 6765);
/// ```
#[inline]
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    match WorkerThread::current() {
        // SAFETY: `current` returns the calling thread's own worker.
        Some(worker) => unsafe { worker.join(a, b) },
        None => join_cold(a, b),
    }
}

#[cold]
fn join_cold<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    match Registry::global() {
        // SAFETY: the closure runs on a worker of `registry`, as `join` needs.
        Some(registry) => registry.in_worker_cold(|worker| unsafe { worker.join(a, b) }),
        None => (a(), b()),
    }
}

/// The index of the current thread in its pool (`0..current_num_threads()`),
/// or `None` if the current thread is not a pool worker.
///
/// ```
/// assert_eq!(forkscope::current_thread_index(), None);
/// let pool = forkscope::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// let index = pool.install(forkscope::current_thread_index);
/// assert!(matches!(index, Some(0 | 1)));
/// ```
pub fn current_thread_index() -> Option<usize> {
    WorkerThread::current().map(WorkerThread::index)
}

/// The number of threads of the pool the current thread works for, or of the
/// global pool when called from outside any pool (1 without a backend).
///
/// ```
/// assert!(forkscope::current_num_threads() >= 1);
/// ```
pub fn current_num_threads() -> usize {
    match WorkerThread::current() {
        Some(worker) => worker.registry().num_threads(),
        None => Registry::global().map_or(1, |r| r.num_threads()),
    }
}

//! Fork-join: [`join`], [`ThreadPool`], [`ThreadPoolBuilder`].
//!
//! # Design
//!
//! `join(a, b)` on a pool worker keeps `b` in a frame on its own stack and
//! runs `a`. Each worker has one *shared slot* that other workers can see;
//! every other frame is *private*, seen by nobody else. A `join` whose slot
//! is occupied costs a few plain loads and stores: no atomic
//! read-modify-write, no fence, no shared cache line written (the hot path
//! in [`WorkerThread::join`](worker::WorkerThread)). Ideas from Acar,
//! Charguéraud, Rainey (PPoPP 2013, private deques) and from heartbeat
//! scheduling (chili, Spice), with the promotion done by the owner whenever
//! its slot is empty rather than on a timer.
//!
//! # Protocol
//!
//! Per worker `W` (see `registry.rs` and `worker.rs`):
//!
//! - **Frames.** `W` links its join frames from `newest` down through
//!   `older` pointers; `oldest_private` marks the oldest frame nobody else can
//!   see. Only `W` reads or writes these links. Besides the one in its slot,
//!   `W` keeps at most `PRIVATE_FRAMES` (1) private frames (none in a pool
//!   of one); a `join` made with that many runs `a` then `b` with no frame
//!   at all. Since a framed join costs a few nanoseconds more, and a join is
//!   framed whenever fewer than that many private frames are on its path,
//!   each extra frame makes a large share of a recursion's joins framed.
//! - **Publication.** On every `join`, `W` reads its own slot (Relaxed; only
//!   `W` fills it, thieves only empty it). If the slot is empty, `W` moves
//!   its *oldest* private frame (the biggest piece of work; often the frame
//!   just pushed) into it: fills in what a thief needs and stores the
//!   frame's address, tagged with a publication count in its low bits, with
//!   Release. A published frame stays in the slot for the whole run of its
//!   `a` unless stolen, so a recursion publishes O(depth) frames, not
//!   O(joins), and an owner that then runs for a long time without calling
//!   `join` again still has its biggest pending half on offer.
//! - **Stealing.** A hungry worker spins briefly, then yields, and looks at
//!   the other slots every few microseconds (`LOOK_EVERY` yield rounds); it
//!   swaps a slot to null (Acquire) only if it holds the same tagged value
//!   as at its previous look: frames that their owners take back within
//!   microseconds are cheaper left to them than handed over, and fewer looks
//!   leave the owners' slot lines alone. The thief runs `b`,
//!   writes the result, then sets the frame's [`CoreLatch`](crate::sync::CoreLatch)
//!   and, only if `W` announced that it sleeps, unparks `W`'s parker (which
//!   lives in the registry, kept alive by the thief's own `Arc`). The thief
//!   touches the frame no more after the set.
//! - **Reclaiming.** When `a` returns and its frame is still private, `W`
//!   pops it and runs `b` inline. If it was published, `W` tries to exchange
//!   its slot from the published value back to null: success means nobody
//!   stole it (run `b` inline); failure means a thief owns it, and `W` waits
//!   for the latch, helping with other work meanwhile (nested at most
//!   `MAX_HELP_DEPTH` deep, so stacks stay bounded). Exactly one of the
//!   thief's swap and `W`'s exchange succeeds, so `b` runs exactly once; the
//!   frame is only freed (`join` returns) after `b` finished.
//! - **Panics.** If `a` panics, a drop guard still reclaims or waits for `b`,
//!   runs it if needed (catching its panic), and lets `a`'s panic continue; a
//!   frame never outlives its `join`. If `b` panics on a thief the payload is
//!   carried back and resumed on `W`.
//! - **Sleeping.** A worker that found nothing for a while (spinning, then
//!   yielding) marks itself `sleeping`, counts itself in the demand word
//!   (hungry and sleeping counts), re-checks the injector, and parks. An
//!   owner waiting for a stolen half sleeps the same way, and is also woken
//!   by the latch.
//! - **The watcher: bounded hand-out of coarse work.** While some worker
//!   runs a job it took in its loop (`active` > 0) and others sleep, exactly
//!   one sleeper is the *watcher*: it sleeps `WATCH_NANOS` (50 µs) at a time
//!   on a timed wait and then looks at the injector and the slots; it wakes
//!   up for good for an injected job, or for a frame that was already
//!   published at its previous look. So **a frame that nobody takes reaches
//!   a sleeping worker within 2 × 50 µs plus the backend's wake-up latency
//!   (and one look of the woken worker, a few µs), even if its owner never
//!   calls `join` again**; and no `join` ever pays for a wake-up. When no
//!   job is active the watcher parks without a timeout, so an idle pool
//!   uses no CPU. The watcher needs [`Backend::wait_timeout`](crate::Backend::wait_timeout);
//!   on a backend without timeouts it parks until woken, and coarse halves
//!   are then only handed out to workers that are awake.
//! - **Wake-ups.** They are paid per job, never per `join`: injecting a job
//!   wakes one sleeper unless a worker is already hungry; a worker that
//!   starts a job wakes one sleeper if nobody is hungry and either there is
//!   no watcher (so one appears) or the job is a stolen frame (an owner had
//!   work to spare, there may be more). The hand-over between the last
//!   watcher stopping and a job starting is a Dekker pair (SeqCst accesses
//!   and fences on `watching` and `active`), so the pool never runs a job
//!   with sleepers and neither a watcher nor a wake-up under way.
//! - **Outside the pool.** A thread that is not a worker of the pool wraps its
//!   work in a job on its own stack, pushes it to the pool's injector
//!   (`crossbeam_queue::ArrayQueue`, no allocation) and waits until the job's
//!   latch is set. A plain thread sleeps on the latch word itself
//!   ([`CoreLatch::wait_on_word`](crate::sync::CoreLatch)), and the worker
//!   that ran the job wakes exactly that thread, then releases the latch
//!   (the waiter does not return before), so hundreds of callers are never
//!   woken all at once. A worker of another pool keeps working for its own
//!   pool meanwhile and then sleeps on its own parker (whose registry the
//!   waker keeps alive with an `Arc`), so pools calling into each other
//!   cannot deadlock.
//!
//! # When `a` waits for `b`
//!
//! An `a` that blocks until its own `b` has run (a flag, a channel, a
//! barrier) finishes when `b` is published, that is when the `join` is made
//! while its worker's slot is empty, and another worker is free to take it.
//! The slot is empty at the first `join` of an `install`, of a cold `join`
//! and of a stolen half, and after the worker's published frame was taken;
//! so the outermost `join` of any of these may block on its `b` in a pool
//! of two or more threads. A `join` made while the slot holds an older
//! frame keeps `b` private (or runs it frameless), and `b` is published at
//! the worker's next `join` at the earliest: an `a` there that blocks
//! without calling `join` never sees its `b` run. Nor does one on a pool of
//! one thread (as with rayon), or when every other worker is blocked too.

mod builder;
mod frame;
#[cfg(all(test, loom))]
mod loom_tests;
mod registry;
mod worker;

pub use builder::{DonateError, DonationHandle, ThreadBuilder, ThreadPool, ThreadPoolBuilder};

use registry::Registry;
use worker::WorkerThread;

/// Runs `a` and `b`, potentially in parallel, and returns both results.
///
/// On a pool worker this is the fork-join hot path: `b` stays on this
/// thread's stack, where an idle worker may take it if it stays there a few
/// microseconds (the outermost pending half of each worker is on offer);
/// otherwise it runs right after `a` on this thread, at the cost of a few
/// nanoseconds and no allocation. From any
/// other thread the pair is handed to the global pool and this thread blocks
/// until both have run. Without a backend (`no_std`, none installed), `a`
/// then `b` run here.
///
/// `a` may block until `b` has run (a flag, a channel) when the pool has
/// two or more threads and this `join` is the outermost one of its job (the
/// first `join` inside `install`, a cold `join` from outside, or the first
/// `join` of a half another worker took): `b` is then on offer to the other
/// workers for the whole run of `a`. A `join` nested inside another keeps
/// its `b` on this thread until this thread calls `join` again, so an `a`
/// there that blocks on its `b` never returns; neither does one on a pool
/// of one thread (as with rayon).
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

/// What a closure of [`join_context`] learns about where it runs.
#[derive(Debug, Clone, Copy)]
pub struct FnContext {
    migrated: bool,
}

impl FnContext {
    /// Whether the closure runs on another thread than the one that called
    /// `join_context` (its half was taken by another worker, or the call came
    /// from outside the pool). A recursion can use it to split more when its
    /// work is being spread out.
    #[inline]
    pub fn migrated(&self) -> bool {
        self.migrated
    }
}

/// [`join`], with each closure told whether it was migrated to another
/// thread ([`FnContext::migrated`]).
///
/// ```
/// # #[cfg(feature = "std")] {
/// let (a, b) = forkscope::join_context(|ctx| ctx.migrated(), |_| 2);
/// // From outside any pool both halves run on pool workers.
/// assert!(a);
/// assert_eq!(b, 2);
/// # }
/// ```
pub fn join_context<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce(FnContext) -> RA + Send,
    B: FnOnce(FnContext) -> RB + Send,
    RA: Send,
    RB: Send,
{
    let caller = WorkerThread::current().map(|w| w as *const WorkerThread as usize);
    let here = move || FnContext {
        migrated: WorkerThread::current().map(|w| w as *const WorkerThread as usize) != caller,
    };
    join(move || a(here()), move || b(here()))
}

/// Where `bridge` runs, and so how it may split (see
/// `iter/plumbing/bridge.rs`).
pub(crate) enum Place {
    /// Not on a pool worker.
    Outside,
    /// On the only worker of its pool: nobody to split for.
    LoneWorker,
    /// On a worker of a pool of two or more.
    Worker(SplitProbe),
}

/// Answers `bridge`'s question between two chunks of a sequential fold:
/// does the pool want more work from this piece now?
pub(crate) struct SplitProbe {
    worker: &'static WorkerThread,
    /// The pool's idle clock when the piece started.
    ticks: usize,
}

impl SplitProbe {
    /// Where the calling thread is.
    #[inline]
    pub(crate) fn current() -> Place {
        match WorkerThread::current() {
            None => Place::Outside,
            Some(worker) if worker.registry().num_threads() < 2 => Place::LoneWorker,
            Some(worker) => Place::Worker(SplitProbe {
                worker,
                ticks: worker.registry().idle_ticks(),
            }),
        }
    }

    /// Whether splitting the rest now would give the pool work it can use:
    /// nothing of this worker is on offer (its shared slot is empty, so the
    /// split's second half would be published), and the pool's coarse idle
    /// clock advanced since the piece started: some worker looked for work
    /// meanwhile (hungry workers look every few microseconds, the watcher
    /// every 50 us), so the piece has run for a while and somebody can take
    /// the half. A piece shorter than a tick (a 1k-element sum) is then
    /// never split. A few plain loads.
    ///
    /// When no worker is hungry (only the watcher's tick moved the clock),
    /// a sleeping worker is woken too: the piece is known to run for long,
    /// so the wake-up is worth paying, and the half gets help within the
    /// wake-up latency rather than after the watcher's next two looks.
    ///
    /// On `true` the caller splits at once, and the half it publishes is
    /// marked to be taken at first sight (see `LOOK_EVERY` in `worker.rs`):
    /// a worker asked for it, and it is big.
    #[inline]
    pub(crate) fn wants_split(&self) -> bool {
        let registry = self.worker.registry();
        if !self.worker.shared_slot_is_empty() || registry.idle_ticks() == self.ticks {
            return false;
        }
        self.split_now();
        true
    }

    /// Out of line: the boundaries that do not split stay a few loads.
    /// Also for work known to be long before it starts (a parallel sort):
    /// its first half is then taken, and a sleeper woken, at once.
    #[cold]
    #[inline(never)]
    pub(crate) fn split_now(&self) {
        self.worker.registry().wake_one_unless_hungry();
        self.worker.offer_next_at_once();
    }
}

/// How long an iterator called from outside any pool runs on the calling
/// thread before it hands what is left to the global pool: long enough that
/// a tiny iterator never pays for waking the pool (a few microseconds),
/// short enough that a long one is in parallel soon.
const COLD_INLINE_NANOS: u64 = 20_000;
/// Without a clock: this many chunk boundaries.
const COLD_INLINE_CHUNKS: u32 = 12;

/// The calling thread's share of an iterator called from outside any pool.
pub(crate) struct ColdBudget {
    start: Option<u64>,
    chunks: u32,
}

impl ColdBudget {
    pub(crate) fn start() -> Self {
        ColdBudget {
            start: crate::backend::global_backend().and_then(|b| b.now_nanos()),
            chunks: 0,
        }
    }

    /// How many of the `left` items to fold next on the calling thread,
    /// after `folded` were (in chunks, the last of `chunk` items), or
    /// `None` to hand them all to the pool.
    ///
    /// The first chunk always runs here. Then, from the time spent so far
    /// (less one clock read's own cost), the rest is estimated at the same
    /// cost per item: if it fits in what is left of the budget, and is at
    /// most `COLD_EXTRAPOLATION` times what was measured, it all runs here
    /// with no further clock reads (a 1k-element sum reads the clock
    /// twice). Once the budget is spent, the rest goes to the pool. In
    /// between, chunks grow eightfold, so the clock is read O(log n) times.
    /// Without a clock, a fixed number of chunks runs here.
    pub(crate) fn next_chunk(&mut self, folded: usize, left: usize, chunk: usize) -> Option<usize> {
        self.chunks += 1;
        if folded == 0 {
            return Some(chunk);
        }
        let grown = chunk.saturating_mul(8);
        let now = crate::backend::global_backend().and_then(|b| b.now_nanos());
        let (Some(start), Some(now)) = (self.start, now) else {
            return (self.chunks < COLD_INLINE_CHUNKS).then_some(grown);
        };
        let spent = now.saturating_sub(start);
        if spent >= COLD_INLINE_NANOS {
            return None;
        }
        let work = spent.saturating_sub(clock_cost()).max(1);
        // (left * work / folded <= budget left, without a division.)
        let fits = left <= folded.saturating_mul(COLD_EXTRAPOLATION)
            && (left as u64).saturating_mul(work)
                <= (COLD_INLINE_NANOS - spent).saturating_mul(folded as u64);
        Some(if fits { left } else { grown })
    }
}

/// How far the estimate of `ColdBudget::next_chunk` may reach beyond what
/// it measured: from one item, at most this many more run without another
/// look at the clock (a clock too coarse to time one item reads 0 for it).
const COLD_EXTRAPOLATION: usize = 1024;

/// The backend's cost of one clock read, measured once: the least of a few
/// differences between back-to-back reads (0 for a coarse clock).
fn clock_cost() -> u64 {
    // A plain cached number in a core atomic (not the loom-checked ones:
    // it orders nothing); Relaxed, and recomputed harmlessly if two threads
    // race to fill it. usize::MAX: not measured yet.
    static COST: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(usize::MAX);
    let cost = COST.load(core::sync::atomic::Ordering::Relaxed);
    if cost != usize::MAX {
        return cost as u64;
    }
    let read = || crate::backend::global_backend().and_then(|b| b.now_nanos());
    let cost = (0..4)
        .filter_map(|_| {
            let first = read()?;
            Some(read()?.saturating_sub(first))
        })
        .min()
        .unwrap_or(0);
    let cost = usize::try_from(cost).unwrap_or(usize::MAX - 1);
    COST.store(cost, core::sync::atomic::Ordering::Relaxed);
    cost as u64
}

/// The backend of the current worker's pool, or the global one on a thread
/// outside any pool.
pub(crate) fn current_backend() -> Option<&'static dyn crate::Backend> {
    match WorkerThread::current() {
        Some(worker) => Some(worker.registry().backend()),
        None => crate::backend::global_backend(),
    }
}

/// Runs `op` on the global pool from a thread outside any pool (or right
/// here without a backend).
pub(crate) fn in_global_pool<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    match Registry::global() {
        Some(registry) => registry.in_worker_cold(|_| op()),
        None => op(),
    }
}

/// The index of the current thread in its pool (`0..current_num_threads()`),
/// or `None` if the current thread is not a pool worker.
///
/// ```
/// assert_eq!(forkscope::current_thread_index(), None);
/// # #[cfg(feature = "std")] {
/// let pool = forkscope::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// let index = pool.install(forkscope::current_thread_index);
/// assert!(matches!(index, Some(0 | 1)));
/// # }
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

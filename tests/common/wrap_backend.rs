//! [`WrapBackend`]: the binary's own backend ([`super::backend`]: `StdBackend`
//! with `std`, the pthread test backend without), wrapped so that a test can
//! count the threads it starts, make its `spawn` refuse or panic, and make it
//! misbehave in the ways a real platform might: no parallelism, `wait` that
//! returns at once, a clock that runs backwards.
//!
//! Used by `tests/hardening.rs`, `tests/scope_failing_backend.rs` and
//! `tests/bad_input.rs`. Each test that needs its own counts declares a
//! `static` of its own:
//!
//! ```ignore
//! static BACKEND: WrapBackend = WrapBackend::new().refusing_call(2);
//! ```

use forkscope::{Backend, Payload, SpawnError, ThreadSpec};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::LocalKey;
use std::time::{Duration, Instant};

/// The reason a [`WrapBackend`] gives when it refuses a spawn.
pub const REFUSAL: &str = "refused by the test backend";
/// The message a [`WrapBackend`] panics with in `spawn`.
pub const BACKEND_PANIC: &str = "the test backend panics in spawn";

/// No `spawn` call has this index.
const NEVER: usize = usize::MAX;

/// How long [`WrapBackend::wait_for_no_live_threads`] waits; generous, the
/// machine is shared. Not a timing assertion: a bound on hangs.
const PATIENCE: Duration = Duration::from_secs(30);

/// What `wait` and `wait_timeout` do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waits {
    Forward,
    /// Return at once, every time: the futex degenerates into a spurious
    /// wake-up per call (as the trait's default `wait` does).
    ReturnAtOnce,
}

/// What `now_nanos` reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clock {
    Forward,
    /// A fixed point minus the inner clock: every read is at most the
    /// previous one, so time only ever goes back.
    Backwards,
}

/// The clock of [`Clock::Backwards`] counts down from here (about 146
/// years in nanoseconds, so it never reaches 0 in a test run).
const BACKWARDS_FROM: u64 = 1 << 62;

/// A backend that forwards to the binary's own backend, counting and
/// failing as it is configured. All counters are SeqCst: tests read them
/// from other threads and want the plain interleaving.
pub struct WrapBackend {
    /// Calls of `spawn`.
    spawns: AtomicUsize,
    /// Threads started and not yet returned from their main: counted from
    /// the `spawn` call (so a thread still starting counts) until the main
    /// closure is dropped, having run or not. In an `Arc` (made on first
    /// use, so that `new` stays `const`) because each thread's main holds it.
    live: OnceLock<Arc<AtomicUsize>>,
    /// Spawns refused.
    refused: AtomicUsize,
    /// The `spawn` call (0-based) that is refused, or `NEVER`.
    refuse_at: usize,
    /// The `spawn` call (0-based) that panics, or `NEVER`.
    panic_at: usize,
    /// While set, every `spawn` is refused.
    refuse_all: AtomicBool,
    /// While set, every `spawn` panics.
    panic_all: AtomicBool,
    /// What `available_parallelism` returns; `None`: the inner backend's.
    parallelism: Option<usize>,
    waits: Waits,
    clock: Clock,
    /// Calls of `wait` and `wait_timeout`.
    wait_calls: AtomicU64,
    /// Threads inside `wait` or `wait_timeout` right now.
    waiting: AtomicUsize,
    /// Calls of `now_nanos`.
    clock_reads: AtomicU64,
    /// A per-thread word of this backend's own for `slot`; `None`: the
    /// inner backend's.
    own_slot: Option<&'static LocalKey<Cell<usize>>>,
}

impl WrapBackend {
    /// Forwards everything, counts spawns and live threads.
    pub const fn new() -> WrapBackend {
        WrapBackend {
            spawns: AtomicUsize::new(0),
            live: OnceLock::new(),
            refused: AtomicUsize::new(0),
            refuse_at: NEVER,
            panic_at: NEVER,
            refuse_all: AtomicBool::new(false),
            panic_all: AtomicBool::new(false),
            parallelism: None,
            waits: Waits::Forward,
            clock: Clock::Forward,
            wait_calls: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            clock_reads: AtomicU64::new(0),
            own_slot: None,
        }
    }

    /// Keeps the per-thread word in `key` instead of the inner backend's
    /// slot, as a second backend with storage of its own would.
    pub const fn own_slot(mut self, key: &'static LocalKey<Cell<usize>>) -> WrapBackend {
        self.own_slot = Some(key);
        self
    }

    /// Refuses the `spawn` call number `call` (0-based).
    pub const fn refusing_call(mut self, call: usize) -> WrapBackend {
        self.refuse_at = call;
        self
    }

    /// Panics in the `spawn` call number `call` (0-based), dropping `main`.
    pub const fn panicking_call(mut self, call: usize) -> WrapBackend {
        self.panic_at = call;
        self
    }

    /// `available_parallelism` returns `n`.
    pub const fn parallelism(mut self, n: usize) -> WrapBackend {
        self.parallelism = Some(n);
        self
    }

    /// `wait` and `wait_timeout` return at once, every time.
    pub const fn waits_return_at_once(mut self) -> WrapBackend {
        self.waits = Waits::ReturnAtOnce;
        self
    }

    /// `now_nanos` runs backwards.
    pub const fn clock_goes_backwards(mut self) -> WrapBackend {
        self.clock = Clock::Backwards;
        self
    }

    /// Calls of `spawn` so far.
    pub fn spawns(&self) -> usize {
        self.spawns.load(Ordering::SeqCst)
    }

    /// Threads started and not finished (see the field).
    pub fn live(&self) -> usize {
        self.live_count().load(Ordering::SeqCst)
    }

    fn live_count(&self) -> &Arc<AtomicUsize> {
        self.live.get_or_init(Arc::default)
    }

    /// Spawns refused so far.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Calls of `wait` and `wait_timeout` so far.
    pub fn wait_calls(&self) -> u64 {
        self.wait_calls.load(Ordering::SeqCst)
    }

    /// Threads inside `wait` or `wait_timeout` right now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Calls of `now_nanos` so far.
    pub fn clock_reads(&self) -> u64 {
        self.clock_reads.load(Ordering::SeqCst)
    }

    /// Waits until no thread of this backend is alive; panics if some still
    /// are after a generous bound.
    pub fn wait_for_no_live_threads(&self) {
        let deadline = Instant::now() + PATIENCE;
        while self.live() != 0 {
            assert!(
                Instant::now() < deadline,
                "{} threads still alive after {PATIENCE:?}",
                self.live()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Every `spawn` is refused until the guard is dropped.
    pub fn refusing(&self) -> FlagGuard<'_> {
        FlagGuard::set(&self.refuse_all)
    }

    /// Every `spawn` panics until the guard is dropped.
    pub fn panicking(&self) -> FlagGuard<'_> {
        FlagGuard::set(&self.panic_all)
    }

    /// Turns both `refusing` and `panicking` off (for a test that starts
    /// after another one failed with a guard alive).
    pub fn reset_failures(&self) {
        self.refuse_all.store(false, Ordering::SeqCst);
        self.panic_all.store(false, Ordering::SeqCst);
    }
}

impl Default for WrapBackend {
    fn default() -> Self {
        WrapBackend::new()
    }
}

/// Keeps a failure flag of a [`WrapBackend`] set while it lives (and clears
/// it on unwind too).
pub struct FlagGuard<'a>(&'a AtomicBool);

impl<'a> FlagGuard<'a> {
    fn set(flag: &'a AtomicBool) -> FlagGuard<'a> {
        flag.store(true, Ordering::SeqCst);
        FlagGuard(flag)
    }
}

impl Drop for FlagGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Takes one thread off the live count when dropped: when the thread's main
/// returns or unwinds, or when the main is dropped without running.
struct LiveThread(Arc<AtomicUsize>);

impl Drop for LiveThread {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn inner() -> &'static dyn Backend {
    super::backend()
}

impl Backend for WrapBackend {
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        let call = self.spawns.fetch_add(1, Ordering::SeqCst);
        if call == self.panic_at || self.panic_all.load(Ordering::SeqCst) {
            // `main` is dropped while this unwinds.
            panic!("{BACKEND_PANIC}");
        }
        if call == self.refuse_at || self.refuse_all.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            // The contract: on error, `main` is dropped unrun.
            drop(main);
            return Err(SpawnError::Refused(REFUSAL.into()));
        }
        let count = self.live_count();
        count.fetch_add(1, Ordering::SeqCst);
        let live = LiveThread(count.clone());
        // If the inner backend refuses, it drops the closure and with it
        // the guard, which takes the thread off the count again.
        inner().spawn(
            spec,
            Box::new(move || {
                let _live = live;
                main();
            }),
        )
    }
    fn wait(&self, word: &AtomicU32, expected: u32) {
        self.wait_calls.fetch_add(1, Ordering::SeqCst);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        match self.waits {
            Waits::Forward => inner().wait(word, expected),
            Waits::ReturnAtOnce => core::hint::spin_loop(),
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }
    fn wait_timeout(&self, word: &AtomicU32, expected: u32, timeout_nanos: u64) {
        self.wait_calls.fetch_add(1, Ordering::SeqCst);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        match self.waits {
            Waits::Forward => inner().wait_timeout(word, expected, timeout_nanos),
            Waits::ReturnAtOnce => core::hint::spin_loop(),
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }
    fn wake_one(&self, word: &AtomicU32) {
        inner().wake_one(word)
    }
    fn wake_all(&self, word: &AtomicU32) {
        inner().wake_all(word)
    }
    fn yield_now(&self) {
        inner().yield_now()
    }
    fn slot(&self) -> usize {
        match self.own_slot {
            Some(key) => key.with(Cell::get),
            None => inner().slot(),
        }
    }
    fn set_slot(&self, value: usize) {
        match self.own_slot {
            Some(key) => key.with(|s| s.set(value)),
            None => inner().set_slot(value),
        }
    }
    fn available_parallelism(&self) -> usize {
        self.parallelism
            .unwrap_or_else(|| inner().available_parallelism())
    }
    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
        inner().catch_unwind(f)
    }
    fn resume_unwind(&self, payload: Payload) -> ! {
        inner().resume_unwind(payload)
    }
    fn now_nanos(&self) -> Option<u64> {
        let reads = self.clock_reads.fetch_add(1, Ordering::SeqCst);
        match self.clock {
            Clock::Forward => inner().now_nanos(),
            // Without an inner clock, the number of reads stands in for time.
            Clock::Backwards => Some(BACKWARDS_FROM - inner().now_nanos().unwrap_or(reads)),
        }
    }
}

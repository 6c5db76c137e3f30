//! Stress with fault injection: random trees of `scope`, `join`, `install`
//! on three pools and parallel iterators, with panics injected at random
//! points and a global backend that refuses every Nth `spawn`. One pool has
//! an install seat (`use_current_thread`), one a donated thread.
//!
//! What each run checks:
//!
//! - **Every panic surfaces where the API says.** Each node of a tree may
//!   panic (at its start or its end) with an [`Injected`] payload naming it,
//!   and the construct that ran it catches the panic and checks the payload:
//!   `join` resumes `a`'s panic, else `b`'s, after both halves ran once;
//!   `install` resumes its closure's; `ScopedJoinHandle::join` returns the
//!   thread's payload as `Err`; `scope` resumes its closure's panic, else
//!   panics with "a scoped thread panicked" if an unjoined thread panicked,
//!   and only after every thread it started has finished; an iterator resumes
//!   one of its items' panics; a sort whose comparison panics leaves every
//!   item once. A refused spawn is an `Err` from `Builder::spawn_scoped` and
//!   a panic from `Scope::spawn` (src/scope/mod.rs, src/scope/builder.rs);
//!   either way its closure is dropped without running and the scope goes on
//!   (the tree then runs that child inline, so the checksum does not depend
//!   on which spawn was refused). A pool build that meets a refusal fails
//!   and is retried.
//! - **Nothing is lost or run twice.** Every node returns a checksum computed
//!   from its seed and its children's results (or the payloads it caught);
//!   each tree's checksum is compared with the same tree evaluated
//!   sequentially (`Mode::Seq`, which does not touch forkscope), and the
//!   constructs count how often each child ran.
//! - **Nothing hangs.** The work runs on a thread of its own; the test's
//!   thread is a watchdog that, past a generous bound, prints the nodes in
//!   flight (kind, depth, seed) and the backend's counters, and aborts the
//!   process (a hung test must not hang CI).
//! - **Nothing leaks.** After the pools are dropped and the idle cached
//!   threads retired, the backend's live threads are back to the global
//!   pool's workers, and the heap allocations made by the threads taking part
//!   (see [`tagged`]) are back to the baseline measured after a warm-up.
//!
//! The seed is printed at the start and read from `FORKSCOPE_STRESS_SEED`
//! if set (decimal or `0x` hex); the whole binary runs for about
//! `FORKSCOPE_STRESS_SECS` seconds (default 14, split between its tests);
//! under Miri a handful of small trees only. Given the seed, the trees are
//! the same in every run; which spawns are refused and where work runs
//! depends on scheduling.
//!
//! The global backend is the [`Stress`] wrapper of `common::backend()`
//! (`StdBackend` with `std`, the pthread test backend without); it is
//! installed by [`setup`] before anything else touches forkscope. The tests
//! share it, the thread cache, the global pool and the counters, so they run
//! one at a time ([`SERIAL`]).
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use forkscope::prelude::*;
use forkscope::{
    Backend, Builder, Payload, ScopedJoinHandle, SpawnError, ThreadPool, ThreadPoolBuilder,
    ThreadSpec,
};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, MutexGuard, Once, mpsc};
use std::thread;
use std::time::{Duration, Instant};

// ---- the counting allocator ---------------------------------------------------

/// A global allocator that counts the live allocations (and bytes) made by
/// *participating* threads: the test's work thread and every thread the
/// [`Stress`] backend starts (pool workers, scoped threads). Each allocation
/// carries a header saying whether it was counted, so that its free is
/// counted too, on whatever thread it happens. Threads of the test harness
/// (which allocate for their own bookkeeping while a test runs) do not take
/// part, so they cannot disturb the measure.
#[cfg_attr(miri, allow(dead_code))] // the allocator is not installed there
mod tagged {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicIsize, Ordering};

    /// The header before each block: the tag (a `usize`), padded so that the
    /// block keeps its alignment.
    const HEADER: usize = 16;

    static LIVE_ALLOCS: AtomicIsize = AtomicIsize::new(0);
    static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

    thread_local! {
        // Const-initialized and without a destructor: usable from inside the
        // allocator at any point of a thread's life.
        static PARTICIPANT: Cell<bool> = const { Cell::new(false) };
    }

    /// Counts this thread's allocations from now on.
    pub fn participate() {
        PARTICIPANT.with(|p| p.set(true));
    }

    fn participant() -> bool {
        PARTICIPANT.try_with(Cell::get).unwrap_or(false)
    }

    /// The live counted allocations and bytes.
    pub fn live() -> (isize, isize) {
        (
            LIVE_ALLOCS.load(Ordering::SeqCst),
            LIVE_BYTES.load(Ordering::SeqCst),
        )
    }

    /// The header's size for `layout` (a multiple of its alignment) and the
    /// layout of the whole block; `None` if that overflows.
    fn outer(layout: Layout) -> Option<(usize, Layout)> {
        let offset = layout.align().max(HEADER);
        let size = layout.size().checked_add(offset)?;
        Some((offset, Layout::from_size_align(size, offset).ok()?))
    }

    struct Tagged;

    /// The `System` block of a block handed out `offset` bytes into it.
    fn base_of(block: *mut u8, offset: usize) -> *mut u8 {
        block.wrapping_sub(offset)
    }

    /// Where the tag of a block `offset` bytes into `base` is: the 8 bytes
    /// `HEADER` before the block, inside the header, aligned to 16 since
    /// the block is aligned to `offset >= 16`.
    fn tag_of(base: *mut u8, offset: usize) -> *mut usize {
        base.wrapping_add(offset - HEADER).cast()
    }

    // SAFETY: every block handed out is `offset` bytes into a `System` block
    // of layout `outer(layout)`, aligned to `offset` (a multiple of
    // `layout.align()`), with `layout.size()` bytes after it; the tag lives
    // in the header, before the block. `dealloc` and `realloc` recompute the
    // same `offset` from the same layout's alignment (the caller's
    // contract), so they find the `System` block and the tag.
    unsafe impl GlobalAlloc for Tagged {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let Some((offset, outer)) = outer(layout) else {
                return std::ptr::null_mut();
            };
            // SAFETY: `outer` has a non-zero size (at least HEADER).
            let base = unsafe { System.alloc(outer) };
            if base.is_null() {
                return base;
            }
            let tagged = participant();
            // SAFETY: the tag's place is inside the block just allocated,
            // aligned (see `tag_of`).
            unsafe { tag_of(base, offset).write(usize::from(tagged)) };
            if tagged {
                // SeqCst: a counter, read by the test after it synchronized
                // with every thread whose allocations it counts; the
                // strongest order keeps the argument trivial.
                LIVE_ALLOCS.fetch_add(1, Ordering::SeqCst);
                LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::SeqCst);
            }
            // SAFETY: `offset < outer.size()`.
            unsafe { base.add(offset) }
        }

        unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
            let (offset, outer) = outer(layout).expect("a layout that was allocated");
            let base = base_of(block, offset);
            // SAFETY: `block` came from `alloc` (or `realloc`) with this
            // layout (the caller's contract), so its tag is where `alloc`
            // wrote it.
            let tagged = unsafe { tag_of(base, offset).read() } != 0;
            if tagged {
                LIVE_ALLOCS.fetch_sub(1, Ordering::SeqCst);
                LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::SeqCst);
            }
            // SAFETY: the `System` block `alloc` made, with its layout.
            unsafe { System.dealloc(base, outer) }
        }

        unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let (offset, outer) = outer(layout).expect("a layout that was allocated");
            let Some(new_outer_size) = new_size.checked_add(offset) else {
                return std::ptr::null_mut();
            };
            // SAFETY: the `System` block `alloc` made, with its layout; the
            // new size is non-zero and (the caller's contract) does not
            // overflow when rounded to the alignment. The header moves with
            // the block, so the tag stays the one of the first allocation.
            let base = unsafe { System.realloc(base_of(block, offset), outer, new_outer_size) };
            if base.is_null() {
                return base;
            }
            // SAFETY: as in `dealloc`: the tag moved with the block.
            let tagged = unsafe { tag_of(base, offset).read() } != 0;
            if tagged {
                LIVE_BYTES.fetch_add(new_size as isize - layout.size() as isize, Ordering::SeqCst);
            }
            // SAFETY: `offset < new_outer_size`.
            unsafe { base.add(offset) }
        }
    }

    // Not under Miri: the header lies outside the memory a `Box` or `Vec`
    // pointer may reach, and Stacked Borrows rejects the reads of it and the
    // free of the whole block through those pointers. There `live` stays
    // (0, 0), and only the thread counts are checked.
    #[cfg_attr(not(miri), global_allocator)]
    static ALLOCATOR: Tagged = Tagged;
}

// ---- the seeded PRNG ----------------------------------------------------------

/// xorshift64*, seeded through splitmix64.
#[derive(Clone, Copy, Debug)]
struct Rng(u64);

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Combines two checksums; order-sensitive and never idempotent, so a lost,
/// doubled or swapped part changes the result.
fn mix(a: u64, b: u64) -> u64 {
    splitmix(a.rotate_left(23) ^ b)
}

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(splitmix(seed) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

// ---- configuration ------------------------------------------------------------

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The master seed: `FORKSCOPE_STRESS_SEED`, else one from the clock.
fn master_seed() -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| {
        env_u64("FORKSCOPE_STRESS_SEED").unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            splitmix(t ^ u64::from(std::process::id()))
        })
    })
}

/// The whole binary's duration.
fn total_duration() -> Duration {
    Duration::from_secs(env_u64("FORKSCOPE_STRESS_SECS").unwrap_or(14))
}

/// How deep trees go (the root is at depth 0).
const MAX_DEPTH: u32 = if cfg!(miri) { 2 } else { 4 };
/// A node panics (at its start or its end) with chance 2 in this.
const PANIC_ONE_IN: u64 = 12;
/// Trees per test under Miri (elsewhere, the duration bounds them).
const MIRI_TREES: usize = 6;
/// Warm-up trees before the baseline is measured.
const WARM_UP_TREES: usize = if cfg!(miri) { 2 } else { 40 };

/// How long to wait for something that must happen (threads leaving,
/// memory freed). Not a timing assertion: a bound on hangs.
const PATIENCE: Duration = Duration::from_secs(30);

// ---- the backend --------------------------------------------------------------

/// `common::backend()`, refusing every `REFUSE_EVERY`th spawn (when not 0)
/// and counting spawns and live threads.
struct Stress;

static STRESS: Stress = Stress;
/// Refuse every Nth spawn; 0: refuse none.
static REFUSE_EVERY: AtomicUsize = AtomicUsize::new(0);
/// Calls of `spawn`.
static SPAWNS: AtomicUsize = AtomicUsize::new(0);
/// Calls of `spawn` that were refused.
static REFUSED: AtomicUsize = AtomicUsize::new(0);
/// Threads started and whose main has not returned (counted from the
/// successful spawn, so a thread still starting counts).
static LIVE: AtomicUsize = AtomicUsize::new(0);

const REFUSAL: &str = "the stress backend refuses every Nth spawn";

/// Decrements [`LIVE`] when a thread's main returns (or unwinds), or when
/// the main is dropped without running.
struct LiveThread;
impl Drop for LiveThread {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, SeqCst);
    }
}

impl Backend for Stress {
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        let call = SPAWNS.fetch_add(1, SeqCst) + 1;
        let every = REFUSE_EVERY.load(SeqCst);
        if every != 0 && call.is_multiple_of(every) {
            REFUSED.fetch_add(1, SeqCst);
            // The contract: on error, `main` is dropped unrun.
            drop(main);
            return Err(SpawnError::Refused(REFUSAL.into()));
        }
        LIVE.fetch_add(1, SeqCst);
        let live = LiveThread;
        common::backend().spawn(
            spec,
            Box::new(move || {
                let _live = live;
                tagged::participate();
                main();
            }),
        )
    }
    fn wait(&self, word: &AtomicU32, expected: u32) {
        common::backend().wait(word, expected)
    }
    fn wait_timeout(&self, word: &AtomicU32, expected: u32, timeout_nanos: u64) {
        common::backend().wait_timeout(word, expected, timeout_nanos)
    }
    fn wake_one(&self, word: &AtomicU32) {
        common::backend().wake_one(word)
    }
    fn wake_all(&self, word: &AtomicU32) {
        common::backend().wake_all(word)
    }
    fn yield_now(&self) {
        common::backend().yield_now()
    }
    fn slot(&self) -> usize {
        common::backend().slot()
    }
    fn set_slot(&self, value: usize) {
        common::backend().set_slot(value)
    }
    fn available_parallelism(&self) -> usize {
        common::backend().available_parallelism()
    }
    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
        common::backend().catch_unwind(f)
    }
    fn resume_unwind(&self, payload: Payload) -> ! {
        common::backend().resume_unwind(payload)
    }
    fn now_nanos(&self) -> Option<u64> {
        common::backend().now_nanos()
    }
}

// ---- payloads and failures ----------------------------------------------------

/// The payload of every injected panic: the seed of the node (or the id of
/// the iterator item) that panicked.
#[derive(Debug)]
struct Injected(u64);

const THREAD_PANICKED: &str = "a scoped thread panicked";
const SPAWN_FAILED: &str = "forkscope: failed to spawn a scoped thread";

fn inject(id: u64) -> ! {
    panic::panic_any(Injected(id))
}

fn injected_id(p: &Payload) -> Option<u64> {
    p.downcast_ref::<Injected>().map(|i| i.0)
}

fn describe(p: &Payload) -> String {
    if let Some(Injected(id)) = p.downcast_ref::<Injected>() {
        format!("Injected({id:#x})")
    } else if let Some(s) = p.downcast_ref::<&'static str>() {
        format!("{s:?}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("{s:?}")
    } else {
        "<payload of another type>".into()
    }
}

/// Whether `p` is the panic of `Scope::spawn` on a refused spawn.
fn is_spawn_refusal(p: &Payload) -> bool {
    p.downcast_ref::<String>()
        .is_some_and(|s| s.starts_with(SPAWN_FAILED) && s.contains(REFUSAL))
}

fn is_thread_panicked(p: &Payload) -> bool {
    p.downcast_ref::<&'static str>() == Some(&THREAD_PANICKED)
}

fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Payload> {
    panic::catch_unwind(AssertUnwindSafe(f))
}

/// Installs a panic hook that keeps quiet about the panics the test injects
/// or expects (they would fill the captured output, and printing from a
/// participating thread could allocate a buffer the harness keeps), and
/// reports every other panic as the default hook does.
fn install_panic_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let expected = p.downcast_ref::<Injected>().is_some()
            || p.downcast_ref::<&'static str>() == Some(&THREAD_PANICKED)
            || p.downcast_ref::<String>()
                .is_some_and(|s| s.starts_with(SPAWN_FAILED) && s.contains(REFUSAL));
        if !expected {
            default(info);
        }
    }));
}

/// What went wrong, in the words of the check that saw it; the test fails at
/// its end if this is not empty. (A check does not panic: a panic would be
/// taken for an injected one by the construct around it.)
static FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static FAILURE_COUNT: AtomicUsize = AtomicUsize::new(0);

fn fail(node: Node, what: &str, msg: String) {
    if FAILURE_COUNT.fetch_add(1, SeqCst) < 20 {
        let msg = format!(
            "node {:#x} ({what}, depth {}): {msg}",
            node.seed, node.depth
        );
        lock(&FAILURES).push(msg);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Checks that `p` is `Injected(expected)`.
fn check_injected(node: Node, what: &str, p: &Payload, expected: Option<u64>) {
    match (injected_id(p), expected) {
        (Some(id), Some(e)) if id == e => {}
        (_, Some(e)) => fail(
            node,
            what,
            format!("expected Injected({e:#x}), got {}", describe(p)),
        ),
        (_, None) => fail(
            node,
            what,
            format!("no panic expected, got {}", describe(p)),
        ),
    }
}

// ---- statistics ---------------------------------------------------------------

/// What the runs exercised (printed at the end of each test).
#[derive(Clone, Copy)]
enum Stat {
    Nodes,
    JoinPanics,
    InstallPanics,
    HandleJoinPanics,
    ScopeClosurePanics,
    ScopeThreadPanics,
    IterPanics,
    SortPanics,
    RefusedSpawnPanics,
    RefusedSpawnErrs,
    RefusalsEscapingScope,
    RefusedPoolBuilds,
}
const STAT_NAMES: [&str; 12] = [
    "nodes",
    "join panics",
    "install panics",
    "handle.join() Errs",
    "scope closure panics",
    "\"a scoped thread panicked\"",
    "iterator panics",
    "sort comparison panics",
    "Scope::spawn refusal panics",
    "Builder::spawn_scoped refusal Errs",
    "refusals escaping the scope",
    "pool builds refused",
];
static STATS: [AtomicUsize; 12] = [const { AtomicUsize::new(0) }; 12];

fn count(s: Stat) {
    STATS[s as usize].fetch_add(1, SeqCst);
}

// ---- activity, for the watchdog -----------------------------------------------

/// Nodes in flight: each slot is 0 or a node's code (kind, depth, low 48 bits
/// of the seed). Fixed-size atomics, so recording allocates nothing.
static IN_FLIGHT: [AtomicU64; 1024] = [const { AtomicU64::new(0) }; 1024];
/// The roots of the trees in flight (0: none), per tree-running thread.
static ROOTS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
/// What the test is doing, for the report: an index into [`PHASES`].
static PHASE: AtomicUsize = AtomicUsize::new(0);
const PHASES: [&str; 6] = [
    "setting up",
    "warming up",
    "building pools",
    "running trees",
    "dropping pools, waiting for threads to leave",
    "waiting for memory to be freed",
];
static TREES_DONE: AtomicUsize = AtomicUsize::new(0);

fn set_phase(i: usize) {
    PHASE.store(i, SeqCst);
}

/// The part of a seed an in-flight record keeps.
const LOW_48: u64 = (1 << 48) - 1;

/// Records a node as in flight while it lives.
struct Active(Option<usize>);

impl Active {
    fn enter(kind: Kind, node: Node) -> Active {
        let code = ((kind as u64) << 56) | (u64::from(node.depth) << 48) | (node.seed & LOW_48);
        let start = (node.seed % IN_FLIGHT.len() as u64) as usize;
        for i in 0..IN_FLIGHT.len() {
            let i = (start + i) % IN_FLIGHT.len();
            if IN_FLIGHT[i]
                .compare_exchange(0, code, SeqCst, SeqCst)
                .is_ok()
            {
                return Active(Some(i));
            }
        }
        Active(None)
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            IN_FLIGHT[i].store(0, SeqCst);
        }
    }
}

/// Prints what the test was doing and aborts: the work cannot be stopped.
/// Written to the process's stderr directly (`eprintln!` would go to the
/// harness's capture, which an abort never prints).
fn report_hang(bound: Duration) -> ! {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "stress: HANG: no progress within {bound:?} (FORKSCOPE_STRESS_SEED={:#x}); phase: {}; trees done: {}",
        master_seed(),
        PHASES[PHASE.load(SeqCst)],
        TREES_DONE.load(SeqCst),
    );
    let _ = writeln!(
        out,
        "stress: backend: {} spawns, {} refused (every {}th), {} threads live",
        SPAWNS.load(SeqCst),
        REFUSED.load(SeqCst),
        REFUSE_EVERY.load(SeqCst),
        LIVE.load(SeqCst)
    );
    for r in &ROOTS {
        let r = r.load(SeqCst);
        if r != 0 {
            let _ = writeln!(out, "stress: tree in flight: root seed {r:#x}");
        }
    }
    let mut nodes: Vec<u64> = IN_FLIGHT
        .iter()
        .map(|c| c.load(SeqCst))
        .filter(|&c| c != 0)
        .collect();
    nodes.sort_by_key(|c| (c >> 48) & 0xff);
    let _ = writeln!(
        out,
        "stress: {} nodes in flight (outermost first):",
        nodes.len()
    );
    for c in nodes {
        let kind = KINDS.get((c >> 56) as usize).copied().unwrap_or("?");
        let _ = writeln!(
            out,
            "stress:   {kind:<8} depth {} seed (low 48 bits) {:#014x}",
            (c >> 48) & 0xff,
            c & LOW_48
        );
    }
    let _ = std::io::Write::write_all(&mut std::io::stderr(), out.as_bytes());
    std::process::abort();
}

// ---- the task trees -----------------------------------------------------------

/// A node of a tree. Where it may run is part of it, so that the tree
/// depends on the seed only: `in_pool` if it may run on a pool worker (a
/// half of a `join`, inside `install`, an iterator's item), `restricted` if
/// it runs under a scope that blocks a pool worker.
///
/// A scope waiting on a worker does not help its pool (as
/// `std::thread::scope` on a rayon worker), so threads it spawns that need
/// that pool could wait for it forever, through any chain of pools; so the
/// subtree of a scope made on a worker is `restricted` to leaves and scopes,
/// which use no pool.
#[derive(Clone, Copy, Debug)]
struct Node {
    seed: u64,
    depth: u32,
    in_pool: bool,
    restricted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Leaf = 1,
    Join,
    Scope,
    Install,
    Iter,
}
const KINDS: [&str; 6] = ["?", "leaf", "join", "scope", "install", "iter"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum PanicAt {
    Never,
    Start,
    End,
}

/// `Par` runs a node with forkscope; `Seq` computes the same checksum with
/// plain sequential code, modelling what the API promises.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Par,
    Seq,
}

impl Node {
    /// The node's kind and panic, and the generator its construct goes on
    /// with.
    fn header(self) -> (Kind, PanicAt, Rng) {
        let mut r = Rng::new(self.seed);
        let k = r.below(100);
        let kind = if self.depth >= MAX_DEPTH {
            Kind::Leaf
        } else if self.restricted {
            if k < 50 { Kind::Leaf } else { Kind::Scope }
        } else {
            match k {
                0..10 => Kind::Leaf,
                10..20 if self.depth >= 2 => Kind::Leaf,
                10..20 => Kind::Iter,
                20..45 => Kind::Join,
                45..65 => Kind::Scope,
                65..80 => Kind::Install,
                _ => Kind::Iter,
            }
        };
        let at = match r.below(PANIC_ONE_IN) {
            0 => PanicAt::Start,
            1 => PanicAt::End,
            _ => PanicAt::Never,
        };
        (kind, at, r)
    }

    fn will_panic(self) -> bool {
        self.header().1 != PanicAt::Never
    }

    /// A child that runs where this node runs.
    fn child(self, r: &mut Rng) -> Node {
        Node {
            seed: r.next() | 1, // never 0: 0 means "no node" in the records
            depth: self.depth + 1,
            ..self
        }
    }

    /// A child run by a pool (a `join` half, in `install`, an item).
    fn pool_child(self, r: &mut Rng) -> Node {
        Node {
            in_pool: true,
            ..self.child(r)
        }
    }

    /// A child of a scope (spawned, or run by the scope closure).
    fn scope_child(self, r: &mut Rng) -> Node {
        Node {
            in_pool: false,
            restricted: self.in_pool || self.restricted,
            ..self.child(r)
        }
    }

    fn root(seed: u64) -> Node {
        Node {
            seed: seed | 1,
            depth: 0,
            in_pool: false,
            restricted: false,
        }
    }
}

/// What the tree-running code needs: the three pools (sizes 1, 2, 3).
/// The pool of 2 has an install seat (`use_current_thread`: an outside
/// caller of `install` is worker 0), the pool of 3 one donated seat,
/// served by a thread of the test's own (`donor`).
struct Ctx {
    pools: Vec<ThreadPool>,
    donor: Option<thread::JoinHandle<Result<(), forkscope::DonateError>>>,
}

impl Drop for Ctx {
    /// Drops the pools, then waits for the donated thread to return.
    fn drop(&mut self) {
        self.pools.clear();
        if let Some(donor) = self.donor.take() {
            let served = donor.join().expect("the donated thread panicked");
            assert_eq!(served, Ok(()), "the donated thread was turned away");
        }
    }
}

fn eval(cx: &Ctx, node: Node, mode: Mode) -> u64 {
    let (kind, at, mut r) = node.header();
    let _active = (mode == Mode::Par).then(|| {
        count(Stat::Nodes);
        Active::enter(kind, node)
    });
    if at == PanicAt::Start {
        inject(node.seed);
    }
    let v = match kind {
        Kind::Leaf => leaf(node.seed, &mut r),
        Kind::Join => join_node(cx, node, &mut r, mode),
        Kind::Scope => scope_node(cx, node, &mut r, mode),
        Kind::Install => install_node(cx, node, &mut r, mode),
        Kind::Iter => iter_node(cx, node, &mut r, mode),
    };
    if at == PanicAt::End {
        inject(node.seed);
    }
    mix(node.seed, v)
}

/// A little work.
fn leaf(seed: u64, r: &mut Rng) -> u64 {
    let mut x = seed | 1;
    for _ in 0..16 + r.below(if cfg!(miri) { 16 } else { 512 }) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

// Tags of the checksums, one per way a construct can end.
const T_JOIN: u64 = 0x1000;
const T_JOIN_PANIC: u64 = 0x1001;
const T_INSTALL: u64 = 0x2000;
const T_INSTALL_PANIC: u64 = 0x2001;
const T_SCOPE: u64 = 0x3000;
const T_SCOPE_CLOSURE_PANIC: u64 = 0x3001;
const T_SCOPE_THREAD_PANIC: u64 = 0x3002;
const T_JOINED_PANIC: u64 = 0x3003;
const T_ITER: u64 = 0x4000;
const T_ITER_PANIC: u64 = 0x4001;

/// `join` (global, `join_context`, or on a pool) of two child nodes.
fn join_node(cx: &Ctx, node: Node, r: &mut Rng, mode: Mode) -> u64 {
    let (a, b) = (node.pool_child(r), node.pool_child(r));
    let how = r.below(4);
    let k = r.below(3) as usize;
    let ran = [AtomicUsize::new(0), AtomicUsize::new(0)];
    let half = |i: usize, c: Node| {
        ran[i].fetch_add(1, SeqCst);
        eval(cx, c, mode)
    };
    let res = catch(|| match (mode, how) {
        (Mode::Seq, _) => {
            let ra = catch(|| half(0, a));
            let rb = catch(|| half(1, b));
            match (ra, rb) {
                (Err(p), _) | (_, Err(p)) => panic::resume_unwind(p),
                (Ok(x), Ok(y)) => (x, y),
            }
        }
        (Mode::Par, 0 | 1) => forkscope::join(|| half(0, a), || half(1, b)),
        (Mode::Par, 2) => forkscope::join_context(|_| half(0, a), |_| half(1, b)),
        (Mode::Par, _) => cx.pools[k].join(|| half(0, a), || half(1, b)),
    });
    let runs = [ran[0].load(SeqCst), ran[1].load(SeqCst)];
    if runs != [1, 1] {
        fail(node, "join", format!("halves ran {runs:?} times"));
    }
    let expected = [a, b].into_iter().find(|c| c.will_panic()).map(|c| c.seed);
    match res {
        Ok((x, y)) => {
            if let Some(e) = expected {
                fail(
                    node,
                    "join",
                    format!("returned, but Injected({e:#x}) was lost"),
                );
            }
            mix(T_JOIN, mix(x, y))
        }
        Err(p) => {
            check_injected(node, "join", &p, expected);
            if mode == Mode::Par {
                count(Stat::JoinPanics);
            }
            mix(T_JOIN_PANIC, expected.unwrap_or(0))
        }
    }
}

/// `pool.install` of a child node on one of the three pools.
fn install_node(cx: &Ctx, node: Node, r: &mut Rng, mode: Mode) -> u64 {
    let k = r.below(3) as usize;
    let child = node.pool_child(r);
    let res = catch(|| match mode {
        Mode::Seq => eval(cx, child, mode),
        Mode::Par => cx.pools[k].install(|| {
            let (n, index) = (
                forkscope::current_num_threads(),
                forkscope::current_thread_index(),
            );
            if n != k + 1 || index.is_none_or(|i| i > k) {
                fail(
                    node,
                    "install",
                    format!("inside pool {k}: {n} threads, index {index:?}"),
                );
            }
            eval(cx, child, mode)
        }),
    });
    let expected = child.will_panic().then_some(child.seed);
    match res {
        Ok(v) => {
            if let Some(e) = expected {
                fail(
                    node,
                    "install",
                    format!("returned, but Injected({e:#x}) was lost"),
                );
            }
            mix(T_INSTALL, v)
        }
        Err(p) => {
            check_injected(node, "install", &p, expected);
            if mode == Mode::Par {
                count(Stat::InstallPanics);
            }
            mix(T_INSTALL_PANIC, child.seed)
        }
    }
}

/// How a scoped child is spawned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum How {
    /// `s.spawn`, its refusal panic caught inside the scope closure.
    Plain,
    /// `s.spawn`, its refusal panic left to unwind out of the scope closure.
    PlainEscaping,
    /// `Builder::new().spawn_scoped` (the thread cache).
    Builder,
    /// `Builder::new().name(..)`: a fresh thread of that name.
    Named,
    /// `Builder::new().fresh_thread(true)`.
    Fresh,
}

#[derive(Clone, Copy, Debug)]
struct SpawnPlan {
    child: Node,
    how: How,
    joined: bool,
}

/// The outcome of a scoped child: its value, or the seed of its panic.
type Outcome = Result<u64, u64>;

fn combine_scope(node: Node, outs: &[Outcome], body: Option<u64>) -> u64 {
    let mut h = mix(T_SCOPE, node.seed);
    for o in outs {
        h = mix(
            h,
            match *o {
                Ok(v) => v,
                Err(id) => mix(T_JOINED_PANIC, id),
            },
        );
    }
    body.map_or(h, |b| mix(h, b))
}

/// `forkscope::scope` with 1 to 3 spawns (joined or not) and maybe a child
/// node run by the scope closure itself.
fn scope_node(cx: &Ctx, node: Node, r: &mut Rng, mode: Mode) -> u64 {
    let n = 1 + r.below(3) as usize;
    let plans: [SpawnPlan; 3] = std::array::from_fn(|_| SpawnPlan {
        child: node.scope_child(r),
        // Named and fresh spawns always start a thread, so they would take
        // most refusals; keep them rare so that refusals also meet cache
        // misses of the other kinds.
        how: match r.below(32) {
            0..=14 => How::Plain,
            15..=18 => How::PlainEscaping,
            19..=29 => How::Builder,
            30 => How::Named,
            _ => How::Fresh,
        },
        joined: r.one_in(2),
    });
    let body = r.one_in(3).then(|| node.scope_child(r));
    match mode {
        Mode::Seq => scope_model(cx, node, &plans[..n], body),
        Mode::Par => scope_par(cx, node, &plans[..n], body),
    }
}

/// What a scope with these spawns must give, computed sequentially.
fn scope_model(cx: &Ctx, node: Node, plans: &[SpawnPlan], body: Option<Node>) -> u64 {
    let outs: Vec<Outcome> = plans
        .iter()
        .map(|p| catch(|| eval(cx, p.child, Mode::Seq)).map_err(|_| p.child.seed))
        .collect();
    let body_v = match body.map(|b| catch(|| eval(cx, b, Mode::Seq))) {
        Some(Err(_)) => return mix(T_SCOPE_CLOSURE_PANIC, body.map_or(0, |b| b.seed)),
        Some(Ok(v)) => Some(v),
        None => None,
    };
    if plans
        .iter()
        .zip(&outs)
        .any(|(p, o)| !p.joined && o.is_err())
    {
        return mix(T_SCOPE_THREAD_PANIC, node.seed);
    }
    combine_scope(node, &outs, body_v)
}

/// What one spawn of [`scope_par`] reports about its closure.
#[derive(Default)]
struct SpawnRecord {
    /// Runs of the closure.
    runs: AtomicUsize,
    /// The closure's captures were dropped (run or not).
    dropped: AtomicBool,
    /// The closure ended (returned or unwound).
    finished: AtomicBool,
    /// `spawn` gave a handle.
    started: AtomicBool,
    /// Refused, and run inline instead.
    refused: AtomicBool,
    /// The child's outcome, as the closure (or the inline run) saw it.
    outcome: Mutex<Option<Outcome>>,
}

/// Sets its flag when dropped.
struct SetOnDrop<'a>(&'a AtomicBool);
impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

/// Runs `child` on the current thread, as a refused spawn's fallback.
fn run_inline(cx: &Ctx, child: Node, rec: &SpawnRecord, node: Node) -> Outcome {
    let out = match catch(|| eval(cx, child, Mode::Par)) {
        Ok(v) => Ok(v),
        Err(p) => {
            check_injected(node, "scope (inline child)", &p, Some(child.seed));
            Err(child.seed)
        }
    };
    rec.refused.store(true, SeqCst);
    *lock(&rec.outcome) = Some(out);
    out
}

fn scope_par(cx: &Ctx, node: Node, plans: &[SpawnPlan], body: Option<Node>) -> u64 {
    let recs: [SpawnRecord; 3] = Default::default();
    let recs = &recs;
    let res = catch(|| {
        forkscope::scope(|s| {
            let mut handles: Vec<(usize, ScopedJoinHandle<'_, u64>)> = Vec::new();
            let mut outs: [Option<Outcome>; 3] = [None; 3];
            let mut inline_unjoined_panic = false;
            for (i, p) in plans.iter().enumerate() {
                let rec = &recs[i];
                let child = p.child;
                let dropped = SetOnDrop(&rec.dropped);
                let f = move || {
                    let _dropped = dropped;
                    let _finished = SetOnDrop(&rec.finished);
                    rec.runs.fetch_add(1, SeqCst);
                    let out = catch(|| eval(cx, child, Mode::Par));
                    *lock(&rec.outcome) = Some(out.as_ref().map(|v| *v).map_err(|_| child.seed));
                    match out {
                        Ok(v) => v,
                        Err(p) => panic::resume_unwind(p),
                    }
                };
                let spawned = match p.how {
                    How::Plain => match catch(|| s.spawn(f)) {
                        Ok(h) => Some(h),
                        Err(pay) => {
                            if !is_spawn_refusal(&pay) {
                                fail(
                                    node,
                                    "scope",
                                    format!("s.spawn panicked with {}", describe(&pay)),
                                );
                            }
                            count(Stat::RefusedSpawnPanics);
                            None
                        }
                    },
                    How::PlainEscaping => Some(s.spawn(f)),
                    How::Builder | How::Named | How::Fresh => {
                        let b = match p.how {
                            How::Named => Builder::new().name(format!("stress-{i}")),
                            How::Fresh => Builder::new().fresh_thread(true),
                            _ => Builder::new(),
                        };
                        match b.spawn_scoped(s, f) {
                            Ok(h) => Some(h),
                            Err(SpawnError::Refused(why)) if why == REFUSAL => {
                                count(Stat::RefusedSpawnErrs);
                                None
                            }
                            Err(e) => {
                                fail(node, "scope", format!("spawn_scoped failed with {e:?}"));
                                None
                            }
                        }
                    }
                };
                match spawned {
                    Some(h) => {
                        rec.started.store(true, SeqCst);
                        handles.push((i, h));
                    }
                    None => {
                        // The closure must be gone without having run.
                        if !rec.dropped.load(SeqCst) || rec.runs.load(SeqCst) != 0 {
                            fail(
                                node,
                                "scope",
                                format!("refused spawn {i}: closure not dropped or it ran"),
                            );
                        }
                        let out = run_inline(cx, child, rec, node);
                        if p.joined {
                            outs[i] = Some(out);
                        } else if out.is_err() {
                            // What the scope would have said of this thread.
                            inline_unjoined_panic = true;
                        }
                    }
                }
            }
            let body_v = body.map(|b| eval(cx, b, Mode::Par));
            for (i, h) in handles {
                let p = plans[i];
                if !p.joined {
                    continue; // dropped here, unjoined
                }
                outs[i] = Some(match h.join() {
                    Ok(v) => {
                        if p.child.will_panic() {
                            fail(
                                node,
                                "scope",
                                format!("handle {i} joined Ok, but its child panics"),
                            );
                        }
                        Ok(v)
                    }
                    Err(pay) => {
                        check_injected(node, "scope (handle.join)", &pay, Some(p.child.seed));
                        count(Stat::HandleJoinPanics);
                        Err(p.child.seed)
                    }
                });
            }
            (outs, body_v, inline_unjoined_panic)
        })
    });
    // Whatever happened, every thread the scope started has finished, once.
    for (i, rec) in recs.iter().enumerate().take(plans.len()) {
        let started = rec.started.load(SeqCst);
        let runs = rec.runs.load(SeqCst);
        if started && (runs != 1 || !rec.finished.load(SeqCst)) {
            fail(
                node,
                "scope",
                format!(
                    "spawn {i}: ran {runs} times, finished {:?} after scope",
                    rec.finished
                ),
            );
        }
        if !started && runs != 0 {
            fail(
                node,
                "scope",
                format!("spawn {i} not started but ran {runs} times"),
            );
        }
    }
    let body_panics = body.is_some_and(|b| b.will_panic());
    let unjoined_started_panic = plans
        .iter()
        .zip(recs)
        .any(|(p, rec)| !p.joined && rec.started.load(SeqCst) && p.child.will_panic());
    match res {
        Ok((outs, body_v, inline_unjoined_panic)) => {
            if body_panics || unjoined_started_panic {
                fail(
                    node,
                    "scope",
                    "returned normally, but a panic was due".into(),
                );
            }
            if inline_unjoined_panic {
                return mix(T_SCOPE_THREAD_PANIC, node.seed);
            }
            let outs: Vec<Outcome> = plans
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let from_thread = *lock(&recs[i].outcome);
                    let out = if p.joined { outs[i] } else { from_thread };
                    out.unwrap_or_else(|| {
                        fail(node, "scope", format!("spawn {i}: no outcome"));
                        Ok(0)
                    })
                })
                .collect();
            combine_scope(node, &outs, body_v)
        }
        Err(p) if injected_id(&p).is_some() => {
            let expected = body.filter(|b| b.will_panic()).map(|b| b.seed);
            check_injected(node, "scope (closure)", &p, expected);
            count(Stat::ScopeClosurePanics);
            mix(T_SCOPE_CLOSURE_PANIC, expected.unwrap_or(0))
        }
        Err(p) if is_thread_panicked(&p) => {
            if body_panics || !unjoined_started_panic {
                fail(
                    node,
                    "scope",
                    "\"a scoped thread panicked\" without an unjoined panic".into(),
                );
            }
            count(Stat::ScopeThreadPanics);
            mix(T_SCOPE_THREAD_PANIC, node.seed)
        }
        Err(p) if is_spawn_refusal(&p) => {
            let escaped = plans
                .iter()
                .zip(recs)
                .any(|(p, rec)| p.how == How::PlainEscaping && !rec.started.load(SeqCst));
            if !escaped {
                fail(
                    node,
                    "scope",
                    "a refusal panic escaped, but no escaping spawn was refused".into(),
                );
            }
            count(Stat::RefusalsEscapingScope);
            // The scope did not finish its work; what it would have given.
            scope_model(cx, node, plans, body)
        }
        Err(p) => {
            fail(node, "scope", format!("panicked with {}", describe(&p)));
            0
        }
    }
}

/// An item of an iterator node: its value, or a panic.
fn item(node: Node, i: usize, panicky: bool) -> u64 {
    let id = mix(node.seed, i as u64) | 1;
    if panicky && id % 8 == 1 {
        inject(id);
    }
    let mut r = Rng::new(id);
    leaf(id, &mut r) >> 40
}

/// A parallel iterator over a small range: map/filter/sum, collect,
/// for_each, a stable or unstable parallel sort, or child nodes as items.
fn iter_node(cx: &Ctx, node: Node, r: &mut Rng, mode: Mode) -> u64 {
    let variant = r.below(6);
    let max_len = if cfg!(miri) { 8 } else { 300 };
    let n = r.below(max_len) as usize;
    let panicky = r.one_in(3);
    let par = mode == Mode::Par;
    // The ids that may surface as the iterator's panic.
    let mut may_panic: Vec<u64> = if variant < 3 {
        (0..n)
            .map(|i| mix(node.seed, i as u64) | 1)
            .filter(|id| panicky && id % 8 == 1)
            .collect()
    } else {
        Vec::new()
    };
    let res: Result<u64, Payload> = match variant {
        0 => catch(|| {
            let f = |v: &u64| !v.is_multiple_of(3);
            if par {
                (0..n)
                    .into_par_iter()
                    .map(|i| item(node, i, panicky))
                    .filter(f)
                    .sum::<u64>()
            } else {
                (0..n)
                    .map(|i| item(node, i, panicky))
                    .filter(f)
                    .sum::<u64>()
            }
        }),
        1 => catch(|| {
            let v: Vec<u64> = if par {
                (0..n)
                    .into_par_iter()
                    .map(|i| item(node, i, panicky))
                    .collect()
            } else {
                (0..n).map(|i| item(node, i, panicky)).collect()
            };
            if v.len() != n {
                fail(node, "iter collect", format!("{} items of {n}", v.len()));
            }
            v.into_iter().fold(0, mix)
        }),
        2 => {
            let slots: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
            let put = |i: usize| {
                let v = item(node, i, panicky);
                slots[i].fetch_add(v + 1, SeqCst);
            };
            catch(|| {
                if par {
                    (0..n).into_par_iter().for_each(put);
                } else {
                    (0..n).for_each(put);
                }
                let mut h = 0;
                for (i, s) in slots.iter().enumerate() {
                    let got = s.load(SeqCst);
                    let want = item(node, i, false) + 1;
                    if got != want {
                        fail(
                            node,
                            "iter for_each",
                            format!("item {i}: slot {got}, expected {want}"),
                        );
                    }
                    h = mix(h, got);
                }
                h
            })
        }
        3 | 4 => {
            let mut v: Vec<u64> = (0..n)
                .map(|i| (mix(node.seed, i as u64) & !0xffff) | i as u64)
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable();
            // Any correct comparison sort compares each pair of neighbours of
            // the sorted order (distinct keys), so this comparison is made.
            let trap = (panicky && n >= 2).then(|| {
                let j = r.below(n as u64 - 1) as usize;
                (sorted[j], sorted[j + 1])
            });
            let trap_id = mix(node.seed, 0x5047) | 1;
            if trap.is_some() {
                may_panic.push(trap_id);
            }
            let cmp = |a: &u64, b: &u64| {
                if let Some((x, y)) = trap
                    && ((*a, *b) == (x, y) || (*a, *b) == (y, x))
                {
                    inject(trap_id);
                }
                a.cmp(b)
            };
            let res = catch(|| match (par, variant) {
                (true, 3) => v.par_sort_by(cmp),
                (true, _) => v.par_sort_unstable_by(cmp),
                (false, _) => v.sort_by(cmp),
            });
            match res {
                Ok(()) => {
                    if v != sorted {
                        fail(node, "sort", "not sorted".into());
                    }
                    Ok(v.into_iter().fold(0, mix))
                }
                Err(p) => {
                    v.sort_unstable();
                    if v != sorted {
                        fail(
                            node,
                            "sort",
                            "a panicking sort lost or doubled an item".into(),
                        );
                    }
                    if par && injected_id(&p) == Some(trap_id) {
                        count(Stat::SortPanics);
                    }
                    Err(p)
                }
            }
        }
        _ => {
            let k = n % 4;
            let children: Vec<Node> = (0..k).map(|_| node.pool_child(r)).collect();
            may_panic.extend(children.iter().filter(|c| c.will_panic()).map(|c| c.seed));
            catch(|| {
                let v: Vec<u64> = if par {
                    children.par_iter().map(|&c| eval(cx, c, mode)).collect()
                } else {
                    children.iter().map(|&c| eval(cx, c, mode)).collect()
                };
                v.into_iter().fold(0, mix)
            })
        }
    };
    match res {
        Ok(v) => {
            if !may_panic.is_empty() {
                fail(
                    node,
                    "iter",
                    format!(
                        "variant {variant} returned, but {} items panic",
                        may_panic.len()
                    ),
                );
            }
            mix(T_ITER, v)
        }
        Err(p) => {
            match injected_id(&p) {
                Some(id) if may_panic.contains(&id) => {}
                _ => fail(
                    node,
                    "iter",
                    format!("variant {variant} panicked with {}", describe(&p)),
                ),
            }
            if par {
                count(Stat::IterPanics);
            }
            mix(T_ITER_PANIC, node.seed)
        }
    }
}

/// Runs one tree with forkscope and sequentially, and compares.
fn run_tree(cx: &Ctx, root: Node, roots_slot: usize) {
    ROOTS[roots_slot].store(root.seed, SeqCst);
    let outcome = |mode| catch(|| eval(cx, root, mode)).map_err(|p| injected_id(&p));
    let par = outcome(Mode::Par);
    let seq = outcome(Mode::Seq);
    if par != seq {
        fail(
            root,
            "root",
            format!("checksum {par:x?}, sequentially {seq:x?}"),
        );
    }
    ROOTS[roots_slot].store(0, SeqCst);
    TREES_DONE.fetch_add(1, SeqCst);
}

// ---- setup, pools, leak accounting --------------------------------------------

static SETUP: Once = Once::new();
static SERIAL: Mutex<()> = Mutex::new(());

/// Installs [`STRESS`] as the global backend (first call in the process) and
/// the quiet panic hook; serializes the tests.
fn setup() -> MutexGuard<'static, ()> {
    SETUP.call_once(|| {
        eprintln!(
            "stress: seed {:#x} (set FORKSCOPE_STRESS_SEED to repeat), {:?} in all",
            master_seed(),
            total_duration()
        );
        forkscope::set_global_backend(&STRESS)
            .expect("nothing may use forkscope before the stress backend is installed");
        install_panic_hook();
    });
    let guard = lock(&SERIAL);
    let installed: &dyn Backend = &STRESS;
    assert!(std::ptr::addr_eq(
        forkscope::global_backend().unwrap(),
        installed
    ));
    *lock(&FAILURES) = Vec::new();
    FAILURE_COUNT.store(0, SeqCst);
    guard
}

/// The three pools (1, 2 and 3 workers) on the stress backend; a build that
/// meets a refused spawn fails (and stops the workers it started), and is
/// tried again.
fn build_pools() -> Ctx {
    let build = |n: usize| {
        for _ in 0..1000 {
            let builder = ThreadPoolBuilder::new().num_threads(n).backend(&STRESS);
            let builder = match n {
                2 => builder.use_current_thread(),
                3 => builder.donated_threads(1),
                _ => builder,
            };
            match builder.build() {
                Ok(pool) => return pool,
                Err(SpawnError::Refused(why)) if why == REFUSAL => count(Stat::RefusedPoolBuilds),
                Err(e) => panic!("pool build failed: {e:?}"),
            }
        }
        panic!("a pool of {n} could not be built in 1000 tries");
    };
    let pools = vec![build(1), build(2), build(3)];
    let handle = pools[2].donation_handle();
    let donor = thread::spawn(move || {
        tagged::participate();
        handle.donate_current_thread()
    });
    Ctx {
        pools,
        donor: Some(donor),
    }
}

/// Waits until the backend's live threads are `target` (cached scoped
/// threads retire after about a second idle, src/sync/thread_cache.rs).
fn wait_for_live_threads(target: usize) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    while LIVE.load(SeqCst) != target {
        if Instant::now() > deadline {
            return Err(format!(
                "{} backend threads live {PATIENCE:?} after the pools were dropped; expected {target} (the global pool)",
                LIVE.load(SeqCst)
            ));
        }
        thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// The counted live allocations once they stop changing: threads that
/// just left their main still free their thread's data for a moment.
fn settled_allocations() -> (isize, isize) {
    let deadline = Instant::now() + PATIENCE;
    let mut last = tagged::live();
    let mut stable = 0;
    while stable < 20 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
        let now = tagged::live();
        stable = if now == last { stable + 1 } else { 0 };
        last = now;
    }
    last
}

/// What one test runs: `threads` threads each running trees until
/// `duration` is over (`MIRI_TREES` each under Miri).
fn stress(name: &str, duration: Duration, threads: usize, seed: u64) {
    let _serial = setup();
    let bound = (duration * 10).max(Duration::from_secs(120));
    let (done_tx, done_rx) = mpsc::channel();
    let work = thread::Builder::new()
        .name(format!("stress-{name}"))
        .spawn(move || {
            tagged::participate();
            let r = catch(|| stress_work(duration, threads, seed));
            let _ = done_tx.send(());
            r
        })
        .expect("the test's work thread");
    // The watchdog: this thread.
    match done_rx.recv_timeout(bound) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {}
        Err(mpsc::RecvTimeoutError::Timeout) => report_hang(bound),
    }
    match work.join() {
        Ok(Ok(report)) => eprintln!("stress: {name}: {report}"),
        Ok(Err(p)) | Err(p) => panic::resume_unwind(p),
    }
}

/// Runs on the work thread (a participant): warm-up, baseline, trees,
/// accounting. Returns a summary.
fn stress_work(duration: Duration, threads: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    // Warm-up, without refusals: starts the global pool, the thread cache and
    // what the pools' first build sets up (fork handlers), and gives every
    // participating thread that stays (the global pool's workers, this one)
    // the thread-local state it creates on first use. These stay alive by
    // design until the process exits, so the baseline is measured after.
    set_phase(1);
    REFUSE_EVERY.store(0, SeqCst);
    let global_workers = forkscope::current_num_threads();
    {
        let cx = build_pools();
        for _ in 0..WARM_UP_TREES {
            run_tree(&cx, Node::root(rng.next()), 0);
        }
        // From outside any pool: the global pool's workers run these.
        forkscope::join(|| (0..100usize).into_par_iter().sum::<usize>(), || ());
    }
    if let Err(e) = wait_for_live_threads(global_workers) {
        panic!("after the warm-up: {e}");
    }
    let baseline = settled_allocations();
    TREES_DONE.store(0, SeqCst);
    for s in &STATS {
        s.store(0, SeqCst);
    }
    let spawns_before = SPAWNS.load(SeqCst);
    let refused_before = REFUSED.load(SeqCst);

    // The run, with every Nth spawn refused.
    let every = 4 + rng.below(9) as usize;
    REFUSE_EVERY.store(every, SeqCst);
    set_phase(2);
    let cx = build_pools();
    set_phase(3);
    let start = Instant::now();
    let tree_seeds: Vec<u64> = (0..threads).map(|_| rng.next()).collect();
    thread::scope(|s| {
        for (t, &tseed) in tree_seeds.iter().enumerate() {
            let cx = &cx;
            let run = move || {
                let mut r = Rng::new(tseed);
                let mut trees = 0;
                while if cfg!(miri) {
                    trees < MIRI_TREES
                } else {
                    start.elapsed() < duration
                } {
                    run_tree(cx, Node::root(r.next()), t);
                    trees += 1;
                }
            };
            if threads == 1 {
                run();
            } else {
                s.spawn(move || {
                    tagged::participate();
                    run()
                });
            }
        }
    });
    set_phase(4);
    drop(tree_seeds);
    drop(cx);
    REFUSE_EVERY.store(0, SeqCst);
    let spawns = SPAWNS.load(SeqCst) - spawns_before;
    let refused = REFUSED.load(SeqCst) - refused_before;

    let failures = std::mem::take(&mut *lock(&FAILURES));
    assert!(
        failures.is_empty(),
        "seed {seed:#x} (FORKSCOPE_STRESS_SEED={:#x}): {} failures, the first ones:\n{}",
        master_seed(),
        FAILURE_COUNT.load(SeqCst),
        failures.join("\n")
    );
    drop(failures);
    assert!(
        spawns < every || refused > 0,
        "{spawns} spawns, none refused (every {every}th should be)"
    );

    // Leak accounting: no thread but the global pool's workers, and the
    // memory the participants hold back at the baseline.
    if let Err(e) = wait_for_live_threads(global_workers) {
        panic!("seed {seed:#x}: {e}");
    }
    set_phase(5);
    let deadline = Instant::now() + PATIENCE;
    let mut now = tagged::live();
    while now != baseline && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
        now = tagged::live();
    }
    assert_eq!(
        now, baseline,
        "seed {seed:#x}: live (allocations, bytes) after the run vs the baseline"
    );
    common::assert_no_panic_escaped();

    let stats: Vec<String> = STAT_NAMES
        .iter()
        .zip(&STATS)
        .map(|(name, s)| format!("{name} {}", s.load(SeqCst)))
        .collect();
    format!(
        "{} trees, {spawns} spawns, {refused} refused (every {every}th); {}",
        TREES_DONE.swap(0, SeqCst),
        stats.join(", ")
    )
}

/// Trees run from one outside thread, with every kind of node.
#[test]
fn random_trees_with_injected_panics_and_refused_spawns() {
    stress(
        "one-caller",
        total_duration() * 5 / 8,
        1,
        splitmix(master_seed()),
    );
}

/// Trees run from three outside threads at once: cold joins, installs and
/// scopes of several callers overlap on the same pools and thread cache.
#[test]
fn random_trees_from_three_callers_at_once() {
    stress(
        "three-callers",
        total_duration() * 3 / 8,
        3,
        splitmix(master_seed() ^ 0x3c),
    );
}

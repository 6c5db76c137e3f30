//! `cargo bench --bench join`: forkscope's `join` against sequential code,
//! `rayon::join` and `chili::Scope::join`, in one run, with pools of 1 and 2
//! threads. Prints time per run, ns per join and ratios.
//!
//! Every parallel version runs its repetitions inside one `install` (rayon,
//! forkscope) or one `scope()` (chili), so what is measured is the cost of
//! `join` itself, not of entering the pool. Each sequential baseline recurses
//! in the order of the implementation it is compared with: `a` then `b` for
//! forkscope and rayon, `b` then `a` for chili (which runs `b` first).
//!
//! Then the scheduler's other shapes of work, forkscope and rayon side by
//! side (rayon being the one that handles them all):
//!
//! - *coarse*: join trees whose leaves busy-spin for milliseconds and never
//!   call `join`, on a 2-thread pool whose workers sleep beforehand, inside
//!   `install` and as a cold `join` from outside (the global pool);
//! - *herd*: N outside threads share 1,600 `install`s of a job that sleeps
//!   100 µs, on a 2-thread pool: wall time and the process's CPU time;
//! - *oversub*: fib(33) with a join per call in pools of 2, 8 and 32 threads
//!   (on however many cores the machine has);
//! - *tiny*: a cold `join` of two trivial closures from the main thread (the
//!   global pools), back to back and after a 1 ms pause (workers asleep).
//!
//! - *hotpath*: what one `join` costs a worker when nothing is stolen
//!   (fib(30) on a pool of one thread against sequential fib), on whichever
//!   backend this build has: `StdBackend`, whose worker word is forkscope's
//!   own `thread_local!`, or, built with `--no-default-features`, the
//!   pthread test backend (`tests/common/pthread_backend.rs`), where every
//!   `join` reads the word through `Backend::slot` (a virtual call and
//!   `pthread_getspecific`). Run both and compare:
//!   `FORKSCOPE_BENCH_ONLY=hotpath cargo bench --bench join` and the same
//!   with `--no-default-features`; with `FORKSCOPE_BENCH_SLOT=tls` as well,
//!   the no-std build keeps the word in a native thread-local instead (the
//!   pthread backend otherwise), which tells the cost of forkscope's
//!   virtual call apart from the cost of `pthread_getspecific`.
//!
//! `FORKSCOPE_BENCH_QUICK=1` cuts the repetitions for a smoke run;
//! `FORKSCOPE_BENCH_ONLY=fine,coarse,herd,oversub,tiny,hotpath` picks
//! sections.

mod common;
#[cfg(not(feature = "std"))]
#[path = "../tests/common/pthread_backend.rs"]
mod pthread_backend;

use common::{batch, median, pools};
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Node {
    val: u64,
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

impl Node {
    fn tree(layers: usize) -> Node {
        Node {
            val: 1,
            left: (layers > 1).then(|| Box::new(Node::tree(layers - 1))),
            right: (layers > 1).then(|| Box::new(Node::tree(layers - 1))),
        }
    }
}

// ---- the workloads, once per implementation --------------------------------

fn fib_seq_ab(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let a = fib_seq_ab(n - 1);
    let b = fib_seq_ab(n - 2);
    a + b
}

fn fib_seq_ba(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let b = fib_seq_ba(n - 2);
    let a = fib_seq_ba(n - 1);
    a + b
}

fn fib_forkscope(n: u64, cutoff: u64) -> u64 {
    if n <= cutoff {
        return fib_seq_ab(n);
    }
    let (a, b) = forkscope::join(
        || fib_forkscope(n - 1, cutoff),
        || fib_forkscope(n - 2, cutoff),
    );
    a + b
}

fn fib_rayon(n: u64, cutoff: u64) -> u64 {
    if n <= cutoff {
        return fib_seq_ab(n);
    }
    let (a, b) = rayon::join(|| fib_rayon(n - 1, cutoff), || fib_rayon(n - 2, cutoff));
    a + b
}

fn fib_chili(s: &mut chili::Scope<'_>, n: u64, cutoff: u64) -> u64 {
    if n <= cutoff {
        return fib_seq_ba(n);
    }
    let (a, b) = s.join(
        |s| fib_chili(s, n - 1, cutoff),
        |s| fib_chili(s, n - 2, cutoff),
    );
    a + b
}

fn sum_seq_ab(node: &Node) -> u64 {
    let l = node.left.as_deref().map_or(0, sum_seq_ab);
    let r = node.right.as_deref().map_or(0, sum_seq_ab);
    node.val + l + r
}

fn sum_seq_ba(node: &Node) -> u64 {
    let r = node.right.as_deref().map_or(0, sum_seq_ba);
    let l = node.left.as_deref().map_or(0, sum_seq_ba);
    node.val + l + r
}

fn sum_forkscope(node: &Node) -> u64 {
    let (l, r) = forkscope::join(
        || node.left.as_deref().map_or(0, sum_forkscope),
        || node.right.as_deref().map_or(0, sum_forkscope),
    );
    node.val + l + r
}

fn sum_rayon(node: &Node) -> u64 {
    let (l, r) = rayon::join(
        || node.left.as_deref().map_or(0, sum_rayon),
        || node.right.as_deref().map_or(0, sum_rayon),
    );
    node.val + l + r
}

fn sum_chili(s: &mut chili::Scope<'_>, node: &Node) -> u64 {
    let (l, r) = s.join(
        |s| node.left.as_deref().map_or(0, |n| sum_chili(s, n)),
        |s| node.right.as_deref().map_or(0, |n| sum_chili(s, n)),
    );
    node.val + l + r
}

// ---- measurement -----------------------------------------------------------

struct Workload {
    name: &'static str,
    /// Joins per run (for the per-join overhead column).
    joins: u64,
    reps: usize,
    seq_ab: Box<dyn Fn() -> u64>,
    seq_ba: Box<dyn Fn() -> u64>,
    forkscope: Box<dyn Fn() -> u64 + Sync>,
    rayon: Box<dyn Fn() -> u64 + Sync>,
    chili: Box<dyn Fn(&mut chili::Scope<'_>) -> u64>,
    expect: u64,
}

fn fib_joins(n: u64, cutoff: u64) -> u64 {
    if n <= cutoff {
        0
    } else {
        1 + fib_joins(n - 1, cutoff) + fib_joins(n - 2, cutoff)
    }
}

fn workloads(quick: bool) -> Vec<Workload> {
    let q = |reps: usize| if quick { (reps / 10).max(1) } else { reps };
    let small: &'static Node = Box::leak(Box::new(Node::tree(10)));
    let big: &'static Node = Box::leak(Box::new(Node::tree(20)));
    vec![
        Workload {
            name: "fib(30), no cutoff",
            joins: fib_joins(30, 1),
            reps: q(10),
            seq_ab: Box::new(|| fib_seq_ab(black_box(30))),
            seq_ba: Box::new(|| fib_seq_ba(black_box(30))),
            forkscope: Box::new(|| fib_forkscope(black_box(30), 1)),
            rayon: Box::new(|| fib_rayon(black_box(30), 1)),
            chili: Box::new(|s| fib_chili(s, black_box(30), 1)),
            expect: 832_040,
        },
        Workload {
            name: "tree sum, 1023 nodes",
            joins: 1023,
            reps: q(20_000),
            seq_ab: Box::new(move || sum_seq_ab(black_box(small))),
            seq_ba: Box::new(move || sum_seq_ba(black_box(small))),
            forkscope: Box::new(move || sum_forkscope(black_box(small))),
            rayon: Box::new(move || sum_rayon(black_box(small))),
            chili: Box::new(move |s| sum_chili(s, black_box(small))),
            expect: 1023,
        },
        Workload {
            name: "tree sum, 1M nodes",
            joins: (1 << 20) - 1,
            reps: q(10),
            seq_ab: Box::new(move || sum_seq_ab(black_box(big))),
            seq_ba: Box::new(move || sum_seq_ba(black_box(big))),
            forkscope: Box::new(move || sum_forkscope(black_box(big))),
            rayon: Box::new(move || sum_rayon(black_box(big))),
            chili: Box::new(move |s| sum_chili(s, black_box(big))),
            expect: (1 << 20) - 1,
        },
        Workload {
            name: "fib(34), cutoff 20",
            joins: fib_joins(34, 20),
            reps: q(4),
            seq_ab: Box::new(|| fib_seq_ab(black_box(34))),
            seq_ba: Box::new(|| fib_seq_ba(black_box(34))),
            forkscope: Box::new(|| fib_forkscope(black_box(34), 20)),
            rayon: Box::new(|| fib_rayon(black_box(34), 20)),
            chili: Box::new(|s| fib_chili(s, black_box(34), 20)),
            expect: 5_702_887,
        },
    ]
}

fn main() {
    #[cfg(not(feature = "std"))]
    native_tls::install();
    let quick = std::env::var_os("FORKSCOPE_BENCH_QUICK").is_some();
    let only = std::env::var("FORKSCOPE_BENCH_ONLY").ok();
    let wanted = |section: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|s| s == section))
    };
    if wanted("fine") {
        fine(quick);
    }
    if wanted("coarse") {
        coarse(quick);
    }
    if wanted("herd") {
        herd(quick);
    }
    if wanted("oversub") {
        oversub(quick);
    }
    if wanted("tiny") {
        tiny(quick);
    }
    if wanted("hotpath") {
        hotpath(quick);
    }
}

// ---- fine-grained joins ----------------------------------------------------

fn fine(quick: bool) {
    let batches = if quick { 3 } else { 9 };
    let ns = |d: Duration| d.as_secs_f64() * 1e9;
    println!(
        "forkscope join benchmark ({} interleaved batches, median; times per run)",
        batches
    );
    println!(
        "{:<22} {:>3} | {:>11} {:>11} {:>11} {:>11} {:>11} | {:>8} {:>8} {:>8} | {:>9} {:>9} | {:>8}",
        "workload",
        "thr",
        "seq(a,b)",
        "seq(b,a)",
        "forkscope",
        "rayon",
        "chili",
        "fs/seq",
        "ray/seq",
        "chi/seq",
        "fs ns/j",
        "ray ns/j",
        "ray/fs"
    );
    for threads in [1usize, 2] {
        let (fs_pool, ray_pool) = pools(threads);
        let chili_pool = chili::ThreadPool::with_config(chili::Config {
            thread_count: std::num::NonZero::new(threads),
            ..Default::default()
        });
        for w in workloads(quick) {
            assert_eq!((w.seq_ab)(), w.expect);
            assert_eq!(fs_pool.install(|| (w.forkscope)()), w.expect);
            assert_eq!(ray_pool.install(|| (w.rayon)()), w.expect);
            assert_eq!((w.chili)(&mut chili_pool.scope()), w.expect);
            // The implementations take turns batch by batch, so that a slow
            // spell of the (shared, virtual) machine hits them all alike;
            // before each batch the other pools' idle threads get time to
            // go to sleep, so that they do not compete for the cores.
            let settle = || std::thread::sleep(Duration::from_millis(20));
            let mut times: [Vec<Duration>; 5] = Default::default();
            for _ in 0..batches {
                settle();
                times[0].push(batch(w.reps, || {
                    black_box((w.seq_ab)());
                }));
                times[1].push(batch(w.reps, || {
                    black_box((w.seq_ba)());
                }));
                settle();
                times[2].push(fs_pool.install(|| {
                    batch(w.reps, || {
                        black_box((w.forkscope)());
                    })
                }));
                settle();
                times[3].push(ray_pool.install(|| {
                    batch(w.reps, || {
                        black_box((w.rayon)());
                    })
                }));
                settle();
                let mut s = chili_pool.scope();
                times[4].push(batch(w.reps, || {
                    black_box((w.chili)(&mut s));
                }));
            }
            let [seq_ab, seq_ba, fs, ray, chi] = times.map(median);
            let per_join = |t: Duration, base: Duration| (ns(t) - ns(base)) / w.joins as f64;
            println!(
                "{:<22} {:>3} | {:>9.1}us {:>9.1}us {:>9.1}us {:>9.1}us {:>9.1}us | {:>7.2}x {:>7.2}x {:>7.2}x | {:>9.2} {:>9.2} | {:>7.2}x",
                w.name,
                threads,
                ns(seq_ab) / 1e3,
                ns(seq_ba) / 1e3,
                ns(fs) / 1e3,
                ns(ray) / 1e3,
                ns(chi) / 1e3,
                ns(fs) / ns(seq_ab),
                ns(ray) / ns(seq_ab),
                ns(chi) / ns(seq_ba),
                per_join(fs, seq_ab),
                per_join(ray, seq_ab),
                ns(ray) / ns(fs),
            );
        }
    }
    println!(
        "fs/seq < 1 is a speed-up; ns/j = (time - sequential time) / joins; ray/fs = how many times faster forkscope is than rayon"
    );
}

// ---- coarse joins ------------------------------------------------------------

fn spin_for(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

type JoinFn = dyn Fn(&(dyn Fn() + Sync), &(dyn Fn() + Sync)) + Sync;

/// A join tree of `depth` levels whose `2^depth` leaves each spin `leaf`.
fn coarse_tree(join: &JoinFn, depth: u32, leaf: Duration) {
    if depth == 0 {
        spin_for(leaf);
        return;
    }
    join(&|| coarse_tree(join, depth - 1, leaf), &|| {
        coarse_tree(join, depth - 1, leaf)
    });
}

fn fs_join(a: &(dyn Fn() + Sync), b: &(dyn Fn() + Sync)) {
    forkscope::join(a, b);
}

fn rayon_join(a: &(dyn Fn() + Sync), b: &(dyn Fn() + Sync)) {
    rayon::join(a, b);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn coarse(quick: bool) {
    let runs = if quick { 1 } else { 5 };
    let (fs_pool, ray_pool) = pools(2);
    // Warm up the global pools (both sized by the machine's parallelism).
    forkscope::join(|| (), || ());
    rayon::join(|| (), || ());
    println!();
    println!(
        "coarse join trees, 2 threads, workers asleep before each run ({runs} runs, median, ms)"
    );
    println!(
        "{:<26} {:>8} | {:>10} {:>10} {:>8} | {:>10} {:>10} {:>8}",
        "tree", "seq", "fs install", "ray instal", "ray/fs", "fs cold", "ray cold", "ray/fs"
    );
    let shapes: [(&str, u32, Duration); 4] = [
        ("join(100 ms, 100 ms)", 1, Duration::from_millis(100)),
        ("depth 3, 8 x 10 ms", 3, Duration::from_millis(10)),
        ("depth 5, 32 x 2 ms", 5, Duration::from_millis(2)),
        ("depth 8, 256 x 1 ms", 8, Duration::from_millis(1)),
    ];
    for (name, depth, leaf) in shapes {
        let seq = leaf * (1 << depth);
        let mut t: [Vec<Duration>; 4] = Default::default();
        for _ in 0..runs {
            let timed = |f: &dyn Fn()| {
                // Long enough for every idle worker of every pool to sleep.
                std::thread::sleep(Duration::from_millis(30));
                let start = Instant::now();
                f();
                start.elapsed()
            };
            t[0].push(timed(&|| {
                fs_pool.install(|| coarse_tree(&fs_join, depth, leaf))
            }));
            t[1].push(timed(&|| {
                ray_pool.install(|| coarse_tree(&rayon_join, depth, leaf))
            }));
            t[2].push(timed(&|| coarse_tree(&fs_join, depth, leaf)));
            t[3].push(timed(&|| coarse_tree(&rayon_join, depth, leaf)));
        }
        let [fi, ri, fc, rc] = t.map(median);
        println!(
            "{:<26} {:>8.1} | {:>10.1} {:>10.1} {:>7.2}x | {:>10.1} {:>10.1} {:>7.2}x",
            name,
            ms(seq),
            ms(fi),
            ms(ri),
            ms(ri) / ms(fi),
            ms(fc),
            ms(rc),
            ms(rc) / ms(fc),
        );
    }
    println!("(cold: the tree's root join is called from the main thread, on the global pool)");
}

// ---- outside callers -----------------------------------------------------------

/// The CPU time (user + system) the whole process has used.
fn process_cpu() -> Duration {
    // SAFETY: getrusage writes a `rusage` into the zeroed struct we own.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let d = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    d(usage.ru_utime) + d(usage.ru_stime)
}

/// `callers` threads share `total` calls of `install`; returns wall and CPU
/// time.
fn herd_run(callers: usize, total: usize, install: &(dyn Fn() + Sync)) -> (Duration, Duration) {
    std::thread::sleep(Duration::from_millis(30));
    let (cpu, start) = (process_cpu(), Instant::now());
    std::thread::scope(|s| {
        for _ in 0..callers {
            s.spawn(|| {
                for _ in 0..total / callers {
                    install();
                }
            });
        }
    });
    (start.elapsed(), process_cpu() - cpu)
}

fn herd(quick: bool) {
    let runs = if quick { 1 } else { 3 };
    let job = || std::thread::sleep(Duration::from_micros(100));
    let (fs_pool, ray_pool) = pools(2);
    println!();
    println!(
        "outside callers: 1,600 installs of a 100 us sleep on a 2-thread pool ({runs} runs, median)"
    );
    println!(
        "{:<8} | {:>9} {:>9} {:>8} | {:>9} {:>9} {:>8}",
        "callers", "fs wall", "ray wall", "fs/ray", "fs CPU", "ray CPU", "fs/ray"
    );
    for callers in [50usize, 200, 800] {
        let mut t: [Vec<Duration>; 4] = Default::default();
        for _ in 0..runs {
            let (w, c) = herd_run(callers, 1600, &|| fs_pool.install(job));
            t[0].push(w);
            t[2].push(c);
            let (w, c) = herd_run(callers, 1600, &|| ray_pool.install(job));
            t[1].push(w);
            t[3].push(c);
        }
        let [fw, rw, fc, rc] = t.map(median);
        println!(
            "{:<8} | {:>7.0}ms {:>7.0}ms {:>7.2}x | {:>7.0}ms {:>7.0}ms {:>7.2}x",
            callers,
            ms(fw),
            ms(rw),
            ms(fw) / ms(rw),
            ms(fc),
            ms(rc),
            ms(fc) / ms(rc),
        );
    }
}

// ---- oversubscription -------------------------------------------------------

fn oversub(quick: bool) {
    let runs = if quick { 1 } else { 5 };
    let n = 33;
    println!();
    println!(
        "oversubscribed pools: fib({n}), a join per call, on {} cores ({runs} runs, median, ms)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<8} | {:>9} {:>9} {:>8} | {:>12} {:>12}",
        "threads", "forkscope", "rayon", "ray/fs", "fs / 2 thr", "ray / 2 thr"
    );
    let expect = fib_seq_ab(n);
    let mut base = (0.0, 0.0);
    for threads in [2usize, 8, 32] {
        let (fs_pool, ray_pool) = pools(threads);
        let mut t: [Vec<Duration>; 2] = Default::default();
        for _ in 0..runs {
            std::thread::sleep(Duration::from_millis(30));
            let start = Instant::now();
            assert_eq!(fs_pool.install(|| fib_forkscope(black_box(n), 1)), expect);
            t[0].push(start.elapsed());
            std::thread::sleep(Duration::from_millis(30));
            let start = Instant::now();
            assert_eq!(ray_pool.install(|| fib_rayon(black_box(n), 1)), expect);
            t[1].push(start.elapsed());
        }
        let [f, r] = t.map(median);
        if threads == 2 {
            base = (ms(f), ms(r));
        }
        println!(
            "{:<8} | {:>9.1} {:>9.1} {:>7.2}x | {:>11.2}x {:>11.2}x",
            threads,
            ms(f),
            ms(r),
            ms(r) / ms(f),
            ms(f) / base.0,
            ms(r) / base.1,
        );
    }
}

// ---- tiny inputs from main ------------------------------------------------------

fn tiny(quick: bool) {
    let calls = if quick { 2_000 } else { 20_000 };
    let paused_calls = if quick { 100 } else { 500 };
    forkscope::join(|| (), || ());
    rayon::join(|| (), || ());
    let back_to_back = |join: &dyn Fn()| {
        std::thread::sleep(Duration::from_millis(30));
        let start = Instant::now();
        for _ in 0..calls {
            join();
        }
        start.elapsed() / calls
    };
    let after_pause = |join: &dyn Fn()| {
        let mut total = Duration::ZERO;
        for _ in 0..paused_calls {
            std::thread::sleep(Duration::from_millis(1));
            let start = Instant::now();
            join();
            total += start.elapsed();
        }
        total / paused_calls
    };
    let fs = || {
        black_box(forkscope::join(|| black_box(1), || black_box(2)));
    };
    let ray = || {
        black_box(rayon::join(|| black_box(1), || black_box(2)));
    };
    println!();
    println!("tiny cold joins from the main thread (global pools), time per call");
    println!(
        "{:<26} | {:>10} {:>10} {:>8}",
        "", "forkscope", "rayon", "ray/fs"
    );
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    for (name, f, r) in [
        ("back to back", back_to_back(&fs), back_to_back(&ray)),
        ("after a 1 ms pause", after_pause(&fs), after_pause(&ray)),
    ] {
        println!(
            "{:<26} | {:>8.2}us {:>8.2}us {:>7.2}x",
            name,
            us(f),
            us(r),
            us(r) / us(f)
        );
    }
}

// ---- the hot path on this build's backend ----------------------------------------

/// The global backend of the no-std build: the pthread test backend, or
/// with `FORKSCOPE_BENCH_SLOT=tls` the same with its slot in a native
/// thread-local (what a runtime with a thread pointer register has).
#[cfg(not(feature = "std"))]
mod native_tls {
    use super::pthread_backend::PthreadBackend;
    use forkscope::{Backend, Payload, SpawnError, ThreadSpec};
    use std::cell::Cell;
    use std::sync::atomic::AtomicU32;

    std::thread_local! {
        static SLOT: Cell<usize> = const { Cell::new(0) };
    }

    struct TlsSlot;

    impl Backend for TlsSlot {
        fn spawn(
            &self,
            spec: &ThreadSpec,
            main: Box<dyn FnOnce() + Send>,
        ) -> Result<(), SpawnError> {
            PthreadBackend.spawn(spec, main)
        }
        fn wait(&self, word: &AtomicU32, expected: u32) {
            PthreadBackend.wait(word, expected);
        }
        fn wait_timeout(&self, word: &AtomicU32, expected: u32, nanos: u64) {
            PthreadBackend.wait_timeout(word, expected, nanos);
        }
        fn wake_one(&self, word: &AtomicU32) {
            PthreadBackend.wake_one(word);
        }
        fn wake_all(&self, word: &AtomicU32) {
            PthreadBackend.wake_all(word);
        }
        fn yield_now(&self) {
            PthreadBackend.yield_now();
        }
        fn slot(&self) -> usize {
            SLOT.with(Cell::get)
        }
        fn set_slot(&self, value: usize) {
            SLOT.with(|s| s.set(value));
        }
        fn available_parallelism(&self) -> usize {
            PthreadBackend.available_parallelism()
        }
        fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
            PthreadBackend.catch_unwind(f)
        }
        fn resume_unwind(&self, payload: Payload) -> ! {
            PthreadBackend.resume_unwind(payload)
        }
        fn now_nanos(&self) -> Option<u64> {
            PthreadBackend.now_nanos()
        }
    }

    pub fn tls() -> bool {
        std::env::var("FORKSCOPE_BENCH_SLOT").is_ok_and(|v| v == "tls")
    }

    pub fn install() {
        if tls() {
            forkscope::set_global_backend(&TlsSlot).unwrap();
        } else {
            super::pthread_backend::install();
        }
    }
}

fn hotpath(quick: bool) {
    #[cfg(feature = "std")]
    let backend = "StdBackend (thread_local! worker word)";
    #[cfg(not(feature = "std"))]
    let backend = if native_tls::tls() {
        "pthread test backend, slot in a native thread-local (Backend::slot)"
    } else {
        "pthread test backend, slot by pthread_getspecific (Backend::slot)"
    };
    let batches = if quick { 3 } else { 15 };
    let n = 30;
    let joins = fib_joins(n, 1) as f64;
    let pool = forkscope::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(pool.install(|| fib_forkscope(n, 1)), fib_seq_ab(n));
    let (mut seq, mut fs) = (Vec::new(), Vec::new());
    for _ in 0..batches {
        seq.push(batch(3, || {
            black_box(fib_seq_ab(black_box(n)));
        }));
        fs.push(pool.install(|| {
            batch(3, || {
                black_box(fib_forkscope(black_box(n), 1));
            })
        }));
    }
    let (seq, fs) = (median(seq), median(fs));
    let ns = |d: Duration| d.as_secs_f64() * 1e9;
    println!();
    println!("join hot path, fib({n}) on a pool of 1, {backend}");
    println!(
        "sequential {:.2} ms, forkscope {:.2} ms: {:.2} ns per join over sequential ({:.0} joins)",
        ns(seq) / 1e6,
        ns(fs) / 1e6,
        (ns(fs) - ns(seq)) / joins,
        joins
    );
}

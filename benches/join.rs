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
//! `FORKSCOPE_BENCH_QUICK=1` cuts the repetitions for a smoke run.

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

/// Time of one repetition of `f`, over a batch of `reps`.
fn batch(reps: usize, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed() / reps as u32
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

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
    let quick = std::env::var_os("FORKSCOPE_BENCH_QUICK").is_some();
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
        let fs_pool = forkscope::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let ray_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
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

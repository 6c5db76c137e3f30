//! Per-spawn cost of a scope: `forkscope::scope` side by side with
//! `std::thread::scope` and `crossbeam_utils::thread::scope`.
//!
//! Run with `cargo bench --bench scope`. A self-contained harness (no
//! criterion): command-line arguments are ignored, and
//! `FORKSCOPE_BENCH_QUICK=1` cuts every iteration count 10x for smoke runs.
//!
//! Each measured scope spawns 1 or 8 near-empty closures (each reads a
//! borrowed value through `black_box` and returns it plus one) and lets the
//! scope join them. Two regimes:
//!
//! - **back to back**: the scope repeated in a tight loop. After a warm-up,
//!   each of `BATCHES` batches times `iters` scopes with one `Instant` pair;
//!   the batch's cost is `time / (iters * spawns)`, and the median batch is
//!   reported. Batches of the three implementations are interleaved, each
//!   preceded by a short warm-up of its own, so drift in the machine's state
//!   hits all three alike.
//! - **cold**: a `COLD_PAUSE` sleep before every scope, so that idle threads
//!   have gone to sleep (and caches cooled); only the scope call is timed.
//!   The median over `COLD_REPS` repetitions, divided by the spawn count, is
//!   reported. Repetitions of the three implementations are interleaved.
//!
//! The ratio columns say how many times cheaper forkscope is per spawn (above
//! 1: forkscope wins).

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

/// Back-to-back batches per (implementation, spawns); the median is reported.
const BATCHES: usize = 7;
/// Idle pause before each cold scope.
const COLD_PAUSE: Duration = Duration::from_millis(5);
/// Cold repetitions per (implementation, spawns) in a full run.
const COLD_REPS: usize = 200;
/// Spawns per scope, one table row per regime each.
const SPAWN_COUNTS: [usize; 2] = [1, 8];

/// Scopes per back-to-back batch in a full run, by spawns per scope: sized so
/// that a batch of `std::thread::scope` (tens of microseconds per spawn here)
/// takes some tens of milliseconds.
fn batch_iters(spawns: usize) -> usize {
    if spawns == 1 { 4_000 } else { 800 }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Imp {
    Forkscope,
    Std,
    Crossbeam,
}

const IMPS: [Imp; 3] = [Imp::Forkscope, Imp::Std, Imp::Crossbeam];

/// The closure body of every spawn: touch borrowed data, return a small value.
#[inline(always)]
fn work(data: &[u64], i: usize) -> u64 {
    black_box(&data[i]).wrapping_add(1)
}

fn forkscope_scope(spawns: usize, data: &[u64]) {
    forkscope::scope(|s| {
        for i in 0..spawns {
            s.spawn(move || work(data, i));
        }
    });
}

fn std_scope(spawns: usize, data: &[u64]) {
    thread::scope(|s| {
        for i in 0..spawns {
            s.spawn(move || work(data, i));
        }
    });
}

fn crossbeam_scope(spawns: usize, data: &[u64]) {
    crossbeam_utils::thread::scope(|s| {
        for i in 0..spawns {
            s.spawn(move |_| work(data, i));
        }
    })
    .expect("a crossbeam scoped thread panicked");
}

/// One scope with `spawns` spawns, by the given implementation.
#[inline(never)]
fn run_scope(imp: Imp, spawns: usize, data: &[u64]) {
    let data = black_box(data);
    match imp {
        Imp::Forkscope => forkscope_scope(spawns, data),
        Imp::Std => std_scope(spawns, data),
        Imp::Crossbeam => crossbeam_scope(spawns, data),
    }
}

/// Per-spawn cost in nanoseconds of `iters` back-to-back scopes.
fn time_batch(imp: Imp, spawns: usize, iters: usize, data: &[u64]) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        run_scope(imp, spawns, data);
    }
    let elapsed = start.elapsed();
    elapsed.as_nanos() as f64 / (iters * spawns) as f64
}

/// Per-spawn cost in nanoseconds of one scope after an idle pause.
fn time_cold(imp: Imp, spawns: usize, data: &[u64]) -> f64 {
    thread::sleep(COLD_PAUSE);
    let start = Instant::now();
    run_scope(imp, spawns, data);
    let elapsed = start.elapsed();
    elapsed.as_nanos() as f64 / spawns as f64
}

/// Sorted copy's element at quantile `q` (0.5 = median; nearest rank).
fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[rank]
}

/// Samples of the three implementations for one table row.
struct Row {
    regime: &'static str,
    spawns: usize,
    /// Per-spawn ns samples, indexed like `IMPS`.
    samples: [Vec<f64>; 3],
    /// Quantiles shown as the spread: (low, high).
    spread: (f64, f64),
}

impl Row {
    fn median(&self, imp: usize) -> f64 {
        quantile(&self.samples[imp], 0.5)
    }

    fn ratio(&self, imp: usize) -> f64 {
        self.median(imp) / self.median(0)
    }
}

fn back_to_back(spawns: usize, scale: usize, data: &[u64]) -> Row {
    let iters = (batch_iters(spawns) / scale).max(1);
    let warmup = (iters / 10).max(1);
    let mut samples: [Vec<f64>; 3] = Default::default();
    // A first, longer warm-up: thread caches filled, code and allocator hot.
    for imp in IMPS {
        time_batch(imp, spawns, iters / 2 + 1, data);
    }
    for _ in 0..BATCHES {
        for (k, imp) in IMPS.into_iter().enumerate() {
            time_batch(imp, spawns, warmup, data);
            samples[k].push(time_batch(imp, spawns, iters, data));
        }
    }
    Row {
        regime: "back to back",
        spawns,
        samples,
        spread: (0.0, 1.0),
    }
}

fn cold(spawns: usize, scale: usize, data: &[u64]) -> Row {
    let reps = (COLD_REPS / scale).max(3);
    let mut samples: [Vec<f64>; 3] = Default::default();
    // Warm-up: fill forkscope's thread cache, fault in code and stacks.
    for imp in IMPS {
        for _ in 0..3 {
            run_scope(imp, spawns, data);
        }
    }
    for _ in 0..reps {
        for (k, imp) in IMPS.into_iter().enumerate() {
            samples[k].push(time_cold(imp, spawns, data));
        }
    }
    Row {
        regime: "cold (5 ms idle)",
        spawns,
        samples,
        spread: (0.1, 0.9),
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<18} {:>6} | {:>12} {:>12} {:>12} | {:>10} {:>10}",
        "regime", "spawns", "forkscope ns", "std ns", "crossbeam ns", "std/fs", "cb/fs"
    );
    println!("{}", "-".repeat(95));
    for row in rows {
        println!(
            "{:<18} {:>6} | {:>12.0} {:>12.0} {:>12.0} | {:>9.2}x {:>9.2}x",
            row.regime,
            row.spawns,
            row.median(0),
            row.median(1),
            row.median(2),
            row.ratio(1),
            row.ratio(2),
        );
    }
}

fn print_spread(rows: &[Row]) {
    println!();
    println!("spread, ns per spawn (back to back: fastest..slowest batch; cold: p10..p90):");
    for row in rows {
        let (lo, hi) = row.spread;
        let cells: Vec<String> = IMPS
            .iter()
            .enumerate()
            .map(|(k, imp)| {
                let s = &row.samples[k];
                format!("{imp:?} {:.0}..{:.0}", quantile(s, lo), quantile(s, hi))
            })
            .collect();
        println!(
            "  {:<18} {:>2}: {}",
            row.regime,
            row.spawns,
            cells.join(", ")
        );
    }
}

fn print_goals(rows: &[Row]) {
    println!();
    let b2b: Vec<&Row> = rows.iter().filter(|r| r.regime == "back to back").collect();
    let cold: Vec<&Row> = rows.iter().filter(|r| r.regime != "back to back").collect();
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let b2b_ok = b2b.iter().all(|r| r.ratio(1) >= 5.0);
    let cold_ok = cold.iter().all(|r| r.ratio(1) >= 1.0);
    let list = |rs: &[&Row]| {
        rs.iter()
            .map(|r| format!("{} spawns {:.2}x", r.spawns, r.ratio(1)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "goal: back to back, forkscope >= 5x cheaper than std: {} ({})",
        verdict(b2b_ok),
        list(&b2b)
    );
    println!(
        "goal: cold, forkscope never slower than std:        {} ({})",
        verdict(cold_ok),
        list(&cold)
    );
}

/// The 1-minute load average, where the platform reports one: other work on
/// the machine distorts hand-off timings more than anything else.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

fn main() {
    // `cargo bench` passes `--bench` (and maybe a filter); nothing to parse.
    let quick = std::env::var("FORKSCOPE_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let scale = if quick { 10 } else { 1 };
    let data: Vec<u64> = (0..SPAWN_COUNTS[1] as u64).collect();
    let started = Instant::now();

    println!(
        "forkscope scope bench: per-spawn cost, median; {} CPUs, load average {}{}",
        thread::available_parallelism().map_or(1, |n| n.get()),
        load_average().as_deref().unwrap_or("n/a"),
        if quick {
            "; FORKSCOPE_BENCH_QUICK: iterations / 10"
        } else {
            ""
        },
    );
    println!(
        "back to back: {BATCHES} batches of {} (1 spawn) / {} (8 spawns) scopes; \
         cold: {} scopes after a {} ms sleep each",
        (batch_iters(1) / scale).max(1),
        (batch_iters(8) / scale).max(1),
        (COLD_REPS / scale).max(3),
        COLD_PAUSE.as_millis(),
    );
    println!();

    let mut rows = Vec::new();
    for spawns in SPAWN_COUNTS {
        rows.push(back_to_back(spawns, scale, &data));
    }
    for spawns in SPAWN_COUNTS {
        rows.push(cold(spawns, scale, &data));
    }

    print_table(&rows);
    print_spread(&rows);
    print_goals(&rows);
    println!();
    println!(
        "total bench time {:.1} s, load average {}",
        started.elapsed().as_secs_f64(),
        load_average().as_deref().unwrap_or("n/a"),
    );
}

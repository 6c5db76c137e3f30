//! `cargo bench --bench iter`: parallel iterators against sequential code
//! and rayon, same thread count (2-thread pools, and each library's global
//! pool for the calls from outside), with ratios.
//!
//! Every library runs its repetitions inside one `install` of its own pool,
//! except the "from outside" line, which calls from the main thread.
//! `FORKSCOPE_BENCH_QUICK=1` cuts the repetitions.

mod common;

use common::{batch, median, pools};
use std::hint::black_box;

/// The workloads, written once per library with its own prelude in scope
/// (the method names are the same).
macro_rules! workloads {
    ($name:ident, $krate:ident) => {
        mod $name {
            use $krate::prelude::*;
            pub fn sum(v: &[u64]) -> u64 {
                v.par_iter().sum()
            }
            pub fn sqrt_sum(v: &[f64]) -> f64 {
                v.par_iter().map(|x| x.sqrt()).sum()
            }
            pub fn dot(a: &[f64], b: &[f64]) -> f64 {
                a.par_iter().zip(b.par_iter()).map(|(x, y)| x * y).sum()
            }
            pub fn collect(v: &[u64]) -> Vec<u64> {
                let mut out = Vec::new();
                v.par_iter().map(|x| x * 3).collect_into_vec(&mut out);
                out
            }
        }
    };
}
workloads!(fs, forkscope);
workloads!(ray, rayon);
use std::time::Duration;

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

struct Line {
    name: String,
    reps: usize,
    seq: Box<dyn Fn() -> f64>,
    fs: Box<dyn Fn() -> f64 + Sync>,
    ray: Box<dyn Fn() -> f64 + Sync>,
    /// Run from the main thread rather than inside the pools.
    outside: bool,
}

fn lines(quick: bool) -> Vec<Line> {
    let q = |r: usize| if quick { (r / 10).max(1) } else { r };
    let mut out = Vec::new();
    for (n, reps) in [(1_000usize, 20_000), (100_000, 500), (10_000_000, 5)] {
        let v: &'static [u64] = Vec::leak((0..n as u64).collect());
        out.push(Line {
            name: format!("sum u64, {n}"),
            reps: q(reps),
            seq: Box::new(move || black_box(v).iter().sum::<u64>() as f64),
            fs: Box::new(move || fs::sum(black_box(v)) as f64),
            ray: Box::new(move || ray::sum(black_box(v)) as f64),
            outside: false,
        });
    }
    for (n, reps) in [(1_000usize, 20_000), (100_000, 500)] {
        let v: &'static [f64] = Vec::leak((0..n).map(|i| i as f64).collect());
        out.push(Line {
            name: format!("map(sqrt).sum f64, {n}"),
            reps: q(reps),
            seq: Box::new(move || black_box(v).iter().map(|x| x.sqrt()).sum::<f64>()),
            fs: Box::new(move || fs::sqrt_sum(black_box(v))),
            ray: Box::new(move || ray::sqrt_sum(black_box(v))),
            outside: false,
        });
    }
    let a: &'static [f64] = Vec::leak((0..1_000_000).map(|i| i as f64 * 0.5).collect());
    let b: &'static [f64] = Vec::leak((0..1_000_000).map(|i| 1.0 / (i as f64 + 1.0)).collect());
    out.push(Line {
        name: "dot product f64, 1M".into(),
        reps: q(50),
        seq: Box::new(move || a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>()),
        fs: Box::new(move || fs::dot(a, b)),
        ray: Box::new(move || ray::dot(a, b)),
        outside: false,
    });
    let v: &'static [u64] = Vec::leak((0..1_000_000u64).collect());
    out.push(Line {
        name: "map.collect Vec, 1M".into(),
        reps: q(50),
        seq: Box::new(move || {
            black_box(v.iter().map(|x| x * 3).collect::<Vec<u64>>()).len() as f64
        }),
        fs: Box::new(move || fs::collect(v).len() as f64),
        ray: Box::new(move || ray::collect(v).len() as f64),
        outside: false,
    });
    let small: &'static [u64] = Vec::leak((0..1_000u64).collect());
    out.push(Line {
        name: "sum u64, 1k, from outside".into(),
        reps: q(20_000),
        seq: Box::new(move || black_box(small).iter().sum::<u64>() as f64),
        fs: Box::new(move || fs::sum(black_box(small)) as f64),
        ray: Box::new(move || ray::sum(black_box(small)) as f64),
        outside: true,
    });
    out
}

fn main() {
    let quick = std::env::var_os("FORKSCOPE_BENCH_QUICK").is_some();
    let batches = if quick { 3 } else { 7 };
    let (fs_pool, ray_pool) = pools(2);
    println!(
        "forkscope iter benchmark, 2 threads ({batches} interleaved batches, median; time per call)"
    );
    println!(
        "{:<28} | {:>10} {:>10} {:>10} | {:>8} {:>8} | {:>7}",
        "workload", "seq", "forkscope", "rayon", "seq/fs", "seq/ray", "ray/fs"
    );
    for line in lines(quick) {
        let expect = (line.seq)();
        // Float sums depend on the order of additions: compare closely.
        let close = |x: f64| (x - expect).abs() <= 1e-9 * expect.abs().max(1.0);
        assert!(close((line.fs)()), "{}", line.name);
        assert!(close((line.ray)()), "{}", line.name);
        let mut t: [Vec<Duration>; 3] = Default::default();
        for _ in 0..batches {
            let settle = || std::thread::sleep(Duration::from_millis(10));
            settle();
            t[0].push(batch(line.reps, || {
                black_box((line.seq)());
            }));
            settle();
            t[1].push(if line.outside {
                batch(line.reps, || {
                    black_box((line.fs)());
                })
            } else {
                fs_pool.install(|| {
                    batch(line.reps, || {
                        black_box((line.fs)());
                    })
                })
            });
            settle();
            t[2].push(if line.outside {
                batch(line.reps, || {
                    black_box((line.ray)());
                })
            } else {
                ray_pool.install(|| {
                    batch(line.reps, || {
                        black_box((line.ray)());
                    })
                })
            });
        }
        let [s, f, r] = t.map(median);
        println!(
            "{:<28} | {:>8.2}us {:>8.2}us {:>8.2}us | {:>7.2}x {:>7.2}x | {:>6.2}x",
            line.name,
            us(s),
            us(f),
            us(r),
            us(s) / us(f),
            us(s) / us(r),
            us(r) / us(f)
        );
    }
    println!("seq/x > 1 is a speed-up over sequential; ray/fs > 1: forkscope is faster than rayon");
}

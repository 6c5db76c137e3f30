//! `cargo bench --bench iter`: parallel iterators against sequential code,
//! rayon and orx-parallel, same thread count (2 threads, and each library's
//! global pool at its default size for the calls from outside), with ratios.
//!
//! forkscope and rayon run their repetitions inside one `install` of a
//! 2-thread pool of their own, except the "from outside" line, which calls
//! from the main thread. orx-parallel has no `install`: every computation is
//! called from the main thread, which waits while workers of orx's global
//! pool run it, and names its thread count with `num_threads(2)`; the "from
//! outside" line leaves that at orx's default (`NumThreads::Auto`: the whole
//! global pool, sized by `ORX_NUM_THREADS` or the number of cores).
//!
//! orx-parallel has no `zip`: its dot product enumerates one slice and reads
//! the other by index (a bounds check per item). The table marks such lines.
//! orx-parallel has no parallel sort: its column on the sort lines is std's
//! sort on the calling thread.
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
            pub fn filter_collect(v: &[u64]) -> Vec<u64> {
                v.par_iter().copied().filter(|x| x % 3 == 0).collect()
            }
            pub fn filter_count(v: &[u64]) -> usize {
                v.par_iter().filter(|x| *x % 3 == 0).count()
            }
            pub fn flat_map_collect(n: u64) -> Vec<u64> {
                (0..n as u32)
                    .into_par_iter()
                    .flat_map(|i| (0..n as u32).into_par_iter().map(move |j| u64::from(i ^ j)))
                    .collect()
            }
            pub fn bridge(n: u32, work: fn(u32) -> u64) -> u64 {
                (0..n).par_bridge().map(work).sum()
            }
            pub fn sort_unstable(v: &[u64]) -> u64 {
                let mut v = v.to_vec();
                v.par_sort_unstable();
                v[v.len() / 2]
            }
            pub fn sort_strings(v: &[String]) -> usize {
                let mut v = v.to_vec();
                v.par_sort();
                v[v.len() / 2].len()
            }
        }
    };
}
workloads!(fs, forkscope);
workloads!(ray, rayon);

/// The same workloads in orx-parallel's words (`par`, `num_threads`,
/// `collect`), which differ from rayon's, so written out by hand.
mod orx {
    use orx_parallel::*;
    pub fn sum(v: &[u64], t: NumThreads) -> u64 {
        v.par().num_threads(t).sum()
    }
    pub fn sqrt_sum(v: &[f64], t: NumThreads) -> f64 {
        v.par().num_threads(t).map(|x| x.sqrt()).sum()
    }
    /// Not the same pipeline: orx-parallel has no `zip`, so `a` is
    /// enumerated and `b` read by index.
    pub fn dot(a: &[f64], b: &[f64], t: NumThreads) -> f64 {
        a.par()
            .num_threads(t)
            .enumerate()
            .map(|(i, x)| x * b[i])
            .sum()
    }
    pub fn collect(v: &[u64], t: NumThreads) -> Vec<u64> {
        v.par().num_threads(t).map(|x| x * 3).collect()
    }
    pub fn filter_collect(v: &[u64], t: NumThreads) -> Vec<u64> {
        v.par()
            .num_threads(t)
            .copied()
            .filter(|x| x % 3 == 0)
            .collect()
    }
    pub fn filter_count(v: &[u64], t: NumThreads) -> usize {
        v.par().num_threads(t).filter(|x| *x % 3 == 0).count()
    }
    /// orx-parallel's `flat_map` takes sequential inner iterators.
    pub fn flat_map_collect(n: u64, t: NumThreads) -> Vec<u64> {
        (0..n as usize)
            .into_par()
            .num_threads(t)
            .flat_map(move |i| (0..n).map(move |j| i as u64 ^ j))
            .collect()
    }
    pub fn bridge(n: u32, work: fn(u32) -> u64, t: NumThreads) -> u64 {
        (0..n).iter_into_par().num_threads(t).map(work).sum()
    }
}

/// About 10 us of work for `par_bridge`'s line.
fn ten_us(i: u32) -> u64 {
    let start = std::time::Instant::now();
    let mut x = u64::from(i);
    while start.elapsed() < Duration::from_micros(10) {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
    }
    black_box(x);
    u64::from(i)
}

use orx_parallel::{NumThreads, Pool, ThreadPool};
use std::time::Duration;

/// orx-parallel's thread count on the lines run "inside the pools".
const ORX_TWO: NumThreads = NumThreads::Max(std::num::NonZeroUsize::new(2).unwrap());

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

struct Line {
    name: String,
    reps: usize,
    seq: Box<dyn Fn() -> f64>,
    fs: Box<dyn Fn() -> f64 + Sync>,
    ray: Box<dyn Fn() -> f64 + Sync>,
    orx: Box<dyn Fn() -> f64>,
    /// What orx-parallel runs instead, where it is not the same pipeline.
    orx_note: Option<String>,
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
            orx: Box::new(move || orx::sum(black_box(v), ORX_TWO) as f64),
            orx_note: None,
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
            orx: Box::new(move || orx::sqrt_sum(black_box(v), ORX_TWO)),
            orx_note: None,
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
        orx: Box::new(move || orx::dot(a, b, ORX_TWO)),
        orx_note: Some("index-based dot product (a.par().enumerate(), b[i]): no zip".into()),
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
        orx: Box::new(move || orx::collect(v, ORX_TWO).len() as f64),
        orx_note: None,
        outside: false,
    });
    let v: &'static [u64] = Vec::leak(
        (0..1_000_000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20)
            .collect(),
    );
    out.push(Line {
        name: "filter.collect Vec, 1M".into(),
        reps: q(50),
        seq: Box::new(move || {
            black_box(
                v.iter()
                    .copied()
                    .filter(|x| x % 3 == 0)
                    .collect::<Vec<u64>>(),
            )
            .len() as f64
        }),
        fs: Box::new(move || fs::filter_collect(v).len() as f64),
        ray: Box::new(move || ray::filter_collect(v).len() as f64),
        orx: Box::new(move || orx::filter_collect(v, ORX_TWO).len() as f64),
        orx_note: None,
        outside: false,
    });
    out.push(Line {
        name: "filter.count, 1M".into(),
        reps: q(100),
        seq: Box::new(move || v.iter().filter(|x| *x % 3 == 0).count() as f64),
        fs: Box::new(move || fs::filter_count(v) as f64),
        ray: Box::new(move || ray::filter_count(v) as f64),
        orx: Box::new(move || orx::filter_count(v, ORX_TWO) as f64),
        orx_note: None,
        outside: false,
    });
    out.push(Line {
        name: "flat_map.collect, 1k x 1k".into(),
        reps: q(20),
        seq: Box::new(move || {
            let v: Vec<u64> = (0..1000u32)
                .flat_map(|i| (0..1000u32).map(move |j| u64::from(i ^ j)))
                .collect();
            black_box(v).len() as f64
        }),
        fs: Box::new(move || fs::flat_map_collect(1000).len() as f64),
        ray: Box::new(move || ray::flat_map_collect(1000).len() as f64),
        orx: Box::new(move || orx::flat_map_collect(1000, ORX_TWO).len() as f64),
        orx_note: Some("flat_map over sequential inner iterators (its only kind)".into()),
        outside: false,
    });
    let bridged = if quick { 2_000 } else { 20_000 };
    out.push(Line {
        name: format!("par_bridge, {}k x 10us", bridged / 1000),
        reps: q(3),
        seq: Box::new(move || (0..bridged).map(ten_us).sum::<u64>() as f64),
        fs: Box::new(move || fs::bridge(bridged, ten_us) as f64),
        ray: Box::new(move || ray::bridge(bridged, ten_us) as f64),
        orx: Box::new(move || orx::bridge(bridged, ten_us, ORX_TWO) as f64),
        orx_note: Some("iter_into_par".into()),
        outside: false,
    });
    let unsorted: &'static [u64] = Vec::leak(
        (0..1_000_000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17))
            .collect(),
    );
    let no_sort = "no parallel sort: std's, on the calling thread";
    out.push(Line {
        name: "par_sort_unstable u64, 1M".into(),
        reps: q(10),
        seq: Box::new(move || {
            let mut v = unsorted.to_vec();
            v.sort_unstable();
            v[v.len() / 2] as f64
        }),
        fs: Box::new(move || fs::sort_unstable(unsorted) as f64),
        ray: Box::new(move || ray::sort_unstable(unsorted) as f64),
        orx: Box::new(move || {
            let mut v = unsorted.to_vec();
            v.sort_unstable();
            v[v.len() / 2] as f64
        }),
        orx_note: Some(no_sort.into()),
        outside: false,
    });
    let strings: &'static [String] = Vec::leak(unsorted.iter().map(|x| format!("{x:x}")).collect());
    out.push(Line {
        name: "par_sort String, 1M".into(),
        reps: q(3),
        seq: Box::new(move || {
            let mut v = strings.to_vec();
            v.sort();
            v[v.len() / 2].len() as f64
        }),
        fs: Box::new(move || fs::sort_strings(strings) as f64),
        ray: Box::new(move || ray::sort_strings(strings) as f64),
        orx: Box::new(move || {
            let mut v = strings.to_vec();
            v.sort();
            v[v.len() / 2].len() as f64
        }),
        orx_note: Some(no_sort.into()),
        outside: false,
    });
    let small: &'static [u64] = Vec::leak((0..1_000u64).collect());
    out.push(Line {
        name: "sum u64, 1k, from outside".into(),
        reps: q(20_000),
        seq: Box::new(move || black_box(small).iter().sum::<u64>() as f64),
        fs: Box::new(move || fs::sum(black_box(small)) as f64),
        ray: Box::new(move || ray::sum(black_box(small)) as f64),
        orx: Box::new(move || orx::sum(black_box(small), NumThreads::Auto) as f64),
        orx_note: Some(format!(
            "default thread count (NumThreads::Auto: its global pool, {} threads)",
            Pool::global().max_num_threads()
        )),
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
        "{:<28} | {:>10} {:>10} {:>10} {:>10} | {:>8} {:>8} {:>8} | {:>7} {:>8}",
        "workload",
        "seq",
        "forkscope",
        "rayon",
        "orx",
        "seq/fs",
        "seq/ray",
        "seq/orx",
        "ray/fs",
        "orx/fs"
    );
    let mut notes = Vec::new();
    for line in lines(quick) {
        let expect = (line.seq)();
        // Float sums depend on the order of additions: compare closely.
        let close = |x: f64| (x - expect).abs() <= 1e-9 * expect.abs().max(1.0);
        assert!(close((line.fs)()), "{}", line.name);
        assert!(close((line.ray)()), "{}", line.name);
        assert!(close((line.orx)()), "{}", line.name);
        let mut t: [Vec<Duration>; 4] = Default::default();
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
            settle();
            // No pool to enter: the thread count is in each call.
            t[3].push(batch(line.reps, || {
                black_box((line.orx)());
            }));
        }
        let [s, f, r, o] = t.map(median);
        // A numbered mark on the orx column where it ran something else.
        let mark = match line.orx_note {
            Some(note) => {
                notes.push(note);
                format!("[{}]", notes.len())
            }
            None => String::new(),
        };
        println!(
            "{:<28} | {:>8.2}us {:>8.2}us {:>8.2}us {:>8.2}us | {:>7.2}x {:>7.2}x {:>7.2}x | {:>6.2}x {:>7.2}x{mark}",
            line.name,
            us(s),
            us(f),
            us(r),
            us(o),
            us(s) / us(f),
            us(s) / us(r),
            us(s) / us(o),
            us(r) / us(f),
            us(o) / us(f)
        );
    }
    println!("seq/x > 1 is a speed-up over sequential; ray/fs, orx/fs > 1: forkscope is faster");
    for (i, note) in notes.iter().enumerate() {
        println!("[{}] orx: {note}", i + 1);
    }
}

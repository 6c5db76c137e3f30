//! The dot product of two `f64` vectors, in parallel and sequentially:
//! `cargo run --release --example dot_product`.
//!
//! The running example of the parallel producers design:
//! `vec1.par_iter().zip(vec2.par_iter()).map(|(i, j)| i * j).sum()` reads
//! like the sequential chain with `par_iter` for `iter`, and runs on
//! forkscope's global pool. Each version runs several times; the example
//! prints the median times and the speed-up, and checks that both agree to a
//! relative tolerance (the parallel sum adds in another order, so its last
//! bits may differ).

use forkscope::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

const LEN: usize = 4_000_000;
const RUNS: usize = 15;

/// The median time of `RUNS` calls of `f`, and the last result.
fn median_time(f: impl Fn() -> f64) -> (Duration, f64) {
    let mut result = 0.0;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            result = black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], result)
}

fn main() {
    let vec1: Vec<f64> = (0..LEN).map(|i| (i % 1000) as f64 * 0.25).collect();
    let vec2: Vec<f64> = (0..LEN).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let (vec1, vec2) = (black_box(&vec1), black_box(&vec2));

    let (seq_time, seq) = median_time(|| vec1.iter().zip(vec2.iter()).map(|(i, j)| i * j).sum());
    let (par_time, par) = median_time(|| {
        vec1.par_iter()
            .zip(vec2.par_iter())
            .map(|(i, j)| i * j)
            .sum()
    });

    let tolerance = 1e-9 * seq.abs();
    assert!(
        (par - seq).abs() <= tolerance,
        "parallel {par} and sequential {seq} differ by more than {tolerance}"
    );
    println!(
        "dot product of {LEN} f64 on {} threads, median of {RUNS} runs:",
        forkscope::current_num_threads()
    );
    println!("  sequential: {seq_time:>10.2?}  (result {seq})");
    println!("  parallel:   {par_time:>10.2?}  (result {par})");
    println!(
        "  speed-up:   {:.2}x",
        seq_time.as_secs_f64() / par_time.as_secs_f64()
    );
}

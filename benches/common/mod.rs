//! What the benchmarks share: timing a batch, medians, and the pools they
//! compare (forkscope's and rayon's, of the same size).

use std::time::{Duration, Instant};

/// Time of one repetition of `f`, over a batch of `reps`.
pub fn batch(reps: usize, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed() / reps as u32
}

/// The median of `times` (not empty).
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A forkscope pool and a rayon pool of `threads` threads each.
pub fn pools(threads: usize) -> (forkscope::ThreadPool, rayon::ThreadPool) {
    let fs = forkscope::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let ray = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    (fs, ray)
}

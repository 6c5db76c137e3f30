//! A tour of forkscope: `cargo run --release --example tour`.
//!
//! 1. Scoped threads that borrow local data (like `std::thread::scope`), on
//!    threads reused from a cache.
//! 2. Fork-join with `join` on the global pool, against sequential code:
//!    where it loses a little (a join at every call of a tiny recursion)
//!    and where it wins (coarse halves, a real divide and conquer).
//! 3. Parallel iterators: the dot product of the parallel-producers design,
//!    a tiny sum called from `main`, and a few expensive items.

use std::time::Instant;

fn main() {
    // ---- 1. scoped threads borrowing from the stack --------------------------
    let text: Vec<String> = (0..40_000).map(|i| format!("word{} ", i % 97)).collect();
    let mut counts = [0usize; 4];
    let start = Instant::now();
    forkscope::scope(|s| {
        // Four threads, each borrowing a quarter of `text` and one slot of
        // `counts` mutably; no Arc, no 'static.
        for (chunk, count) in text.chunks(text.len() / 4).zip(counts.iter_mut()) {
            s.spawn(move || *count = chunk.iter().filter(|w| w.starts_with("word4")).count());
        }
    });
    println!(
        "scope: 4 borrowing threads counted {:?} (total {}) in {:?}",
        counts,
        counts.iter().sum::<usize>(),
        start.elapsed()
    );

    // Back-to-back scopes reuse the same threads: a spawn is a hand-off.
    let ids = std::sync::Mutex::new(std::collections::HashSet::new());
    let start = Instant::now();
    for _ in 0..1000 {
        forkscope::scope(|s| {
            s.spawn(|| ids.lock().unwrap().insert(std::thread::current().id()));
        });
    }
    println!(
        "scope: 1000 scopes x 1 spawn in {:?} ({:.1} us per spawn) on {} distinct thread(s)",
        start.elapsed(),
        start.elapsed().as_secs_f64() * 1e6 / 1000.0,
        ids.lock().unwrap().len()
    );

    // ---- 2. fork-join ------------------------------------------------------------
    fn fib(n: u64) -> u64 {
        if n < 2 {
            return n;
        }
        let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
        a + b
    }
    fn fib_seq(n: u64) -> u64 {
        if n < 2 {
            n
        } else {
            fib_seq(n - 1) + fib_seq(n - 2)
        }
    }
    let n = std::hint::black_box(32);
    fib(20); // start the global pool
    let start = Instant::now();
    let par = fib(n);
    let t_par = start.elapsed();
    let start = Instant::now();
    let seq = fib_seq(n);
    let t_seq = start.elapsed();
    assert_eq!(par, seq);
    println!(
        "join: fib({n}) = {par}: {:?} with a join at every call ({} threads), {:?} sequential",
        t_par,
        forkscope::current_num_threads(),
        t_seq
    );

    let mut v: Vec<u64> = (0..2_000_000u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20)
        .collect();
    let start = Instant::now();
    quicksort(&mut v);
    println!(
        "join: parallel quicksort of {} numbers in {:?}",
        v.len(),
        start.elapsed()
    );
    assert!(v.windows(2).all(|w| w[0] <= w[1]));

    // Coarse halves: each runs 50 ms without calling join again.
    let spin = |ms: u64| {
        let start = Instant::now();
        while start.elapsed().as_millis() < u128::from(ms) {
            std::hint::spin_loop();
        }
    };
    let start = Instant::now();
    forkscope::join(|| spin(50), || spin(50));
    println!(
        "join: two halves of 50 ms each in {:?} (sequential: 100 ms)",
        start.elapsed()
    );

    // ---- 3. parallel iterators ---------------------------------------------------
    use forkscope::prelude::*;
    let a: Vec<f64> = (0..1_000_000).map(|i| i as f64 * 0.5).collect();
    let b: Vec<f64> = (0..1_000_000).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let dot_seq: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    let time = |f: &dyn Fn() -> f64| {
        let start = Instant::now();
        for _ in 0..20 {
            let d = f();
            assert!((d - dot_seq).abs() <= 1e-9 * dot_seq.abs());
        }
        start.elapsed() / 20
    };
    let t_seq = time(&|| a.iter().zip(&b).map(|(x, y)| x * y).sum());
    let t_par = time(&|| a.par_iter().zip(b.par_iter()).map(|(x, y)| x * y).sum());
    println!("iter: dot product of 1M f64: {t_par:?} in parallel, {t_seq:?} sequential");

    let small: Vec<u64> = (0..1000).collect();
    let start = Instant::now();
    let mut total = 0;
    for _ in 0..10_000 {
        total += std::hint::black_box(&small).par_iter().sum::<u64>();
    }
    println!(
        "iter: a 1000-element par_iter().sum() called from main: {:.2} us per call (runs on main, never wakes the pool)",
        start.elapsed().as_secs_f64() * 1e6 / 10_000.0
    );
    assert_eq!(total, 10_000 * 499_500);

    let start = Instant::now();
    (0..8u32).into_par_iter().for_each(|_| spin(10));
    println!(
        "iter: 8 items of 10 ms each in {:?} (sequential: 80 ms)",
        start.elapsed()
    );
}

fn quicksort(v: &mut [u64]) {
    if v.len() <= 2048 {
        v.sort_unstable();
        return;
    }
    let pivot = v[v.len() / 2];
    let mut i = 0;
    for j in 0..v.len() {
        if v[j] < pivot {
            v.swap(i, j);
            i += 1;
        }
    }
    let (lo, hi) = v.split_at_mut(i);
    let (eq, hi) = {
        let mut k = 0;
        for j in 0..hi.len() {
            if hi[j] == pivot {
                hi.swap(k, j);
                k += 1;
            }
        }
        hi.split_at_mut(k)
    };
    let _ = eq;
    forkscope::join(|| quicksort(lo), || quicksort(hi));
}

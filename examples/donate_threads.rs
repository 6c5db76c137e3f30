//! Giving a pool threads it did not start, as a runtime with threads of its
//! own does (an engine's job system, wasm workers, enclave threads entered
//! from the host).
//!
//! ```text
//! cargo run --example donate_threads
//! ```
//!
//! 1. A pool that starts no thread at all (`donated_threads` equal to
//!    `num_threads`): the "runtime" below starts its own threads, each hands
//!    itself to the pool through a `DonationHandle` and works there until the
//!    pool is dropped.
//! 2. `use_current_thread`: the thread that calls `install` is worker 0
//!    while the call runs, so a pool of one seat starts nothing and runs on
//!    the caller.
//!
//! `docs/embedding.md` ("Donating threads") has the rules.
// Without `std` there is no backend to run on: only the note in `main`.
#![cfg_attr(not(feature = "std"), allow(unused_imports, dead_code))]

use forkscope::prelude::*;
use forkscope::{DonateError, ThreadPoolBuilder};
use std::thread;

fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
    a + b
}

#[cfg(not(feature = "std"))]
fn main() {
    println!("donate_threads: runs on StdBackend; build with the default `std` feature");
}

#[cfg(feature = "std")]
fn main() {
    // -- 1. A pool of donated threads only -----------------------------------
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .donated_threads(2)
        .build()
        .expect("a pool that starts no threads");
    let handle = pool.donation_handle();

    // The runtime's own threads. Each one offers itself to the pool and
    // returns when the pool shuts down.
    let runtime_threads: Vec<thread::JoinHandle<Result<(), DonateError>>> = (0..2)
        .map(|i| {
            let handle = handle.clone();
            thread::Builder::new()
                .name(format!("runtime-{i}"))
                .spawn(move || handle.donate_current_thread())
                .unwrap()
        })
        .collect();

    let f = pool.install(|| fib(27));
    let names: Vec<String> = pool.install(|| {
        (0..8u32)
            .into_par_iter()
            .with_max_len(1)
            .map(|_| thread::current().name().unwrap_or("?").to_owned())
            .collect()
    });
    println!("donated pool: fib(27) = {f}; pieces ran on {names:?}");

    // A third thread finds no vacant seat.
    println!(
        "a third donation: {:?}",
        handle.donate_current_thread().unwrap_err()
    );

    drop(pool); // shuts down: the donated threads return
    for t in runtime_threads {
        t.join().unwrap().expect("served until shutdown");
    }
    println!(
        "after drop, the runtime threads returned; donating now: {:?}",
        handle.donate_current_thread().unwrap_err()
    );

    // -- 2. The calling thread as worker 0 ---------------------------------
    let pool = ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .unwrap();
    let (index, same_thread) = pool.install(|| {
        (
            forkscope::current_thread_index(),
            thread::current().name() == Some("main"),
        )
    });
    let sum: u64 = pool.install(|| (1..=1000u64).into_par_iter().sum());
    println!(
        "use_current_thread: install ran as worker {index:?} on main: {same_thread}; sum = {sum}"
    );
    assert_eq!(f, 196_418);
    assert_eq!(sum, 500_500);
}

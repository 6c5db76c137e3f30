//! Spawns run on cached threads: back-to-back scopes reuse a few threads
//! instead of starting one per spawn, and the most recently idle threads are
//! reused first, so a burst of threads does not get cycled through.
//!
//! The cache is process-global, so these tests have a binary of their own
//! (the other scope tests would lend and borrow threads concurrently) and run
//! one at a time under [`SERIAL`]. They count distinct `ThreadId`s, with
//! bounds a little looser than the cache promises (a cached thread is back
//! in the cache before its spawn counts as done, so a strictly sequential
//! workload needs one thread), so as not to depend on timing.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::setup;
use std::collections::HashSet;
use std::sync::{Barrier, Mutex, MutexGuard};
use std::thread::{self, ThreadId};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The threads that ran `scopes` back-to-back scopes of one spawn each.
fn ids_of_sequential_single_spawns(scopes: usize) -> Vec<ThreadId> {
    (0..scopes)
        .map(|_| forkscope::scope(|s| s.spawn(|| thread::current().id()).join().unwrap()))
        .collect()
}

fn distinct(ids: &[ThreadId]) -> usize {
    ids.iter().collect::<HashSet<_>>().len()
}

#[test]
#[cfg_attr(miri, ignore = "counts threads of a timing-dependent cache")]
fn back_to_back_scopes_reuse_a_few_threads() {
    setup();
    let _serial = serial();
    let ids = ids_of_sequential_single_spawns(50);
    let distinct = distinct(&ids);
    assert!(
        distinct <= 4,
        "50 sequential spawns ran on {distinct} threads"
    );
    assert!(!ids.contains(&thread::current().id()));
}

#[test]
#[cfg_attr(miri, ignore = "counts threads of a timing-dependent cache")]
fn sequential_spawns_after_a_burst_reuse_a_few_threads() {
    setup();
    let _serial = serial();
    // A burst: 32 spawns that wait for each other need 32 threads, which
    // then all sit idle in the cache.
    const BURST: usize = 32;
    let barrier = Barrier::new(BURST);
    let burst_ids: HashSet<ThreadId> = forkscope::scope(|s| {
        let handles: Vec<_> = (0..BURST)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    thread::current().id()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(burst_ids.len(), BURST);

    // A trickle afterwards keeps reusing the most recently idle threads, not
    // every thread of the burst in turn.
    let ids = ids_of_sequential_single_spawns(50);
    let distinct = distinct(&ids);
    assert!(
        distinct <= 4,
        "50 sequential spawns after a burst ran on {distinct} threads"
    );
}

#[test]
#[cfg_attr(miri, ignore = "counts threads of a timing-dependent cache")]
fn scopes_of_several_spawns_reuse_the_same_threads() {
    setup();
    let _serial = serial();
    const WIDTH: usize = 4;
    const SCOPES: usize = 50;
    let barrier = Barrier::new(WIDTH);
    let mut ids = Vec::new();
    for _ in 0..SCOPES {
        forkscope::scope(|s| {
            let handles: Vec<_> = (0..WIDTH)
                .map(|_| {
                    s.spawn(|| {
                        // All WIDTH run at once, on WIDTH threads.
                        barrier.wait();
                        thread::current().id()
                    })
                })
                .collect();
            ids.extend(handles.into_iter().map(|h| h.join().unwrap()));
        });
    }
    let distinct = distinct(&ids);
    assert!(distinct >= WIDTH);
    assert!(
        distinct <= 3 * WIDTH,
        "{} spawns in scopes of {WIDTH} ran on {distinct} threads",
        SCOPES * WIDTH
    );
}

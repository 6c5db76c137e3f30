//! Scoped threads on a backend written without `std::thread` (raw pthreads,
//! see `common/pthread_backend.rs`). Only built by
//! `cargo test --no-default-features`, where forkscope has no `StdBackend`.
#![cfg(not(feature = "std"))]

#[path = "common/pthread_backend.rs"]
mod common;

use common::PthreadBackend;
use forkscope::{Backend, Builder, Payload};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Tests run concurrently and share the thread cache; the test that counts
/// thread creations takes this lock exclusively, all others share it.
static EXCLUSIVE: RwLock<()> = RwLock::new(());

fn setup() -> RwLockReadGuard<'static, ()> {
    common::install();
    EXCLUSIVE.read().unwrap_or_else(|e| e.into_inner())
}

fn setup_exclusive() -> RwLockWriteGuard<'static, ()> {
    common::install();
    EXCLUSIVE.write().unwrap_or_else(|e| e.into_inner())
}

fn panic_message(payload: &Payload) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "<non-string payload>"
    }
}

/// Spins (yielding through the backend) until `done()`, failing the test
/// after 10 s instead of hanging it.
fn spin_until(mut done: impl FnMut() -> bool) {
    let start = PthreadBackend.now_nanos().unwrap();
    while !done() {
        let waited = PthreadBackend.now_nanos().unwrap() - start;
        assert!(waited < 10_000_000_000, "condition not reached within 10 s");
        PthreadBackend.yield_now();
    }
}

#[test]
fn spawns_borrow_shared_and_disjoint_mutable_data() {
    let _g = setup();
    let input: Vec<u64> = (1..=1000).collect();
    let mut output = vec![0u64; 1000];
    let factor = 3;
    forkscope::scope(|s| {
        for (inp, out) in input.chunks(100).zip(output.chunks_mut(100)) {
            s.spawn(|| {
                for (i, o) in inp.iter().zip(out.iter_mut()) {
                    *o = i * factor;
                }
            });
        }
    });
    let expected: Vec<u64> = input.iter().map(|i| i * 3).collect();
    assert_eq!(output, expected);
}

#[test]
fn join_returns_each_spawns_result() {
    let _g = setup();
    let data = [1u64, 2, 3, 4, 5, 6, 7, 8];
    let (left, right) = data.split_at(4);
    let total = forkscope::scope(|s| {
        let l = s.spawn(|| left.iter().sum::<u64>());
        let r = s.spawn(|| right.iter().sum::<u64>());
        (l.join().unwrap(), r.join().unwrap())
    });
    assert_eq!(total, (10, 26));
}

#[test]
fn scope_returns_the_closures_value_after_all_spawns_finish() {
    let _g = setup();
    let finished = AtomicUsize::new(0);
    let value = forkscope::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..1000 {
                    PthreadBackend.yield_now();
                }
                finished.fetch_add(1, Ordering::SeqCst);
            });
        }
        "done"
    });
    assert_eq!(value, "done");
    assert_eq!(finished.load(Ordering::SeqCst), 8);
}

/// Every spawn has a thread of its own: spawns that wait for each other at a
/// barrier (made of atomics, no std::thread) all get through it.
#[test]
fn spawns_meet_at_an_atomic_barrier() {
    let _g = setup();
    const N: usize = 6;
    let arrived = AtomicUsize::new(0);
    let seen_at_exit = forkscope::scope(|s| {
        let handles: Vec<_> = (0..N)
            .map(|_| {
                s.spawn(|| {
                    arrived.fetch_add(1, Ordering::SeqCst);
                    spin_until(|| arrived.load(Ordering::SeqCst) == N);
                    arrived.load(Ordering::SeqCst)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(seen_at_exit, vec![N; N]);
}

#[test]
fn a_joined_panic_is_returned_as_err() {
    let _g = setup();
    let payload = forkscope::scope(|s| {
        let h = s.spawn(|| -> u32 { panic!("boom in spawn") });
        h.join().expect_err("the spawn panicked")
    });
    assert_eq!(panic_message(&payload), "boom in spawn");
    assert_eq!(common::escaped_panics(), 0);
}

#[test]
fn an_unjoined_panic_makes_the_scope_panic() {
    let _g = setup();
    let ran_other = AtomicBool::new(false);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        forkscope::scope(|s| {
            s.spawn(|| panic!("unjoined boom"));
            s.spawn(|| ran_other.store(true, Ordering::SeqCst));
        })
    }));
    let payload = result.expect_err("scope must panic");
    assert_eq!(panic_message(&payload), "a scoped thread panicked");
    assert!(ran_other.load(Ordering::SeqCst));
    assert_eq!(common::escaped_panics(), 0);
}

#[test]
fn a_panic_of_the_scope_closure_wins_and_still_waits_for_spawns() {
    let _g = setup();
    let spawn_done = AtomicBool::new(false);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        forkscope::scope(|s| {
            s.spawn(|| {
                for _ in 0..1000 {
                    PthreadBackend.yield_now();
                }
                spawn_done.store(true, Ordering::SeqCst);
            });
            s.spawn(|| panic!("spawn boom"));
            panic!("closure boom");
        })
    }));
    let payload = result.expect_err("scope must panic");
    assert_eq!(panic_message(&payload), "closure boom");
    assert!(
        spawn_done.load(Ordering::SeqCst),
        "scope returned before its spawns finished"
    );
}

#[test]
fn a_hundred_back_to_back_scopes() {
    let _g = setup();
    let mut total = 0u64;
    for i in 0..100u64 {
        let x = forkscope::scope(|s| {
            let a = s.spawn(|| i * 2);
            let b = s.spawn(|| i + 1);
            a.join().unwrap() + b.join().unwrap()
        });
        total += x;
    }
    assert_eq!(total, (0..100u64).map(|i| 3 * i + 1).sum::<u64>());
}

#[test]
fn nested_spawns_borrow_from_the_outer_environment() {
    let _g = setup();
    let data = [10u32, 20, 30];
    let count = AtomicUsize::new(0);
    let sum = forkscope::scope(|s| {
        let outer = s.spawn(|| {
            let inner: Vec<_> = data
                .iter()
                .map(|x| {
                    let count = &count;
                    s.spawn(move || {
                        count.fetch_add(1, Ordering::SeqCst);
                        x * 2
                    })
                })
                .collect();
            inner.into_iter().map(|h| h.join().unwrap()).sum::<u32>()
        });
        outer.join().unwrap()
    });
    assert_eq!(sum, 120);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[test]
fn an_unjoined_nested_spawn_is_waited_for() {
    let _g = setup();
    let done = AtomicBool::new(false);
    forkscope::scope(|s| {
        s.spawn(|| {
            s.spawn(|| {
                for _ in 0..1000 {
                    PthreadBackend.yield_now();
                }
                done.store(true, Ordering::SeqCst);
            });
        });
    });
    assert!(done.load(Ordering::SeqCst));
}

#[test]
fn is_finished_turns_true_and_join_then_returns() {
    let _g = setup();
    forkscope::scope(|s| {
        let h = s.spawn(|| 7);
        spin_until(|| h.is_finished());
        assert_eq!(h.join().unwrap(), 7);
    });
}

/// Many scopes with one spawn each reuse a few cached threads rather than
/// creating one per spawn.
#[test]
fn cached_threads_are_reused_across_scopes() {
    let _g = setup_exclusive();
    // Warm the cache up.
    for _ in 0..4 {
        forkscope::scope(|s| {
            s.spawn(|| ());
        });
    }
    let before = common::threads_created();
    const SCOPES: usize = 200;
    let mut ran = 0;
    for _ in 0..SCOPES {
        forkscope::scope(|s| {
            s.spawn(|| ran += 1);
        });
    }
    let created = common::threads_created() - before;
    assert_eq!(ran, SCOPES);
    assert!(
        created <= 8,
        "{created} threads created for {SCOPES} sequential spawns"
    );
}

#[test]
fn builder_names_the_thread_truncated_to_15_bytes() {
    let _g = setup();
    let name = forkscope::scope(|s| {
        Builder::new()
            .name("forkscope-worker-with-a-long-name".into())
            .spawn_scoped(s, || {
                let mut buf = [0u8; 64];
                // SAFETY: `buf` is writable for its whole length, which is
                // passed along; pthread_self() is this live thread.
                let rc = unsafe {
                    libc::pthread_getname_np(
                        libc::pthread_self(),
                        buf.as_mut_ptr().cast(),
                        buf.len(),
                    )
                };
                assert_eq!(rc, 0);
                let len = buf.iter().position(|&b| b == 0).unwrap();
                String::from_utf8(buf[..len].to_vec()).unwrap()
            })
            .expect("spawn with a name")
            .join()
            .unwrap()
    });
    assert_eq!(name, "forkscope-worke");
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no pthread_attr_*")]
fn builder_stack_size_is_honoured_and_tiny_sizes_are_rounded_up() {
    let _g = setup();
    /// Uses roughly `depth` KiB of stack.
    #[inline(never)]
    fn recurse(depth: usize) -> usize {
        let buf = std::hint::black_box([depth as u8; 1024]);
        if depth == 0 {
            buf[0] as usize
        } else {
            recurse(depth - 1) + buf[1] as usize
        }
    }
    let (tiny, big) = forkscope::scope(|s| {
        let tiny = Builder::new()
            .stack_size(1)
            .spawn_scoped(s, || 5)
            .expect("tiny stack");
        let big = Builder::new()
            .stack_size(32 << 20)
            .spawn_scoped(s, || recurse(12_000))
            .expect("big stack");
        (tiny.join().unwrap(), big.join().unwrap())
    });
    assert_eq!(tiny, 5);
    assert_eq!(big, (1..=12_000).map(|d| d as u8 as usize).sum::<usize>());
}

#[test]
fn the_backend_slot_is_per_thread_and_starts_at_zero() {
    let _g = setup();
    PthreadBackend.set_slot(0xdead);
    let seen = forkscope::scope(|s| {
        s.spawn(|| {
            let before = PthreadBackend.slot();
            PthreadBackend.set_slot(42);
            let after = PthreadBackend.slot();
            PthreadBackend.set_slot(before);
            (before, after)
        })
        .join()
        .unwrap()
    });
    assert_eq!(seen, (0, 42));
    assert_eq!(PthreadBackend.slot(), 0xdead);
    PthreadBackend.set_slot(0);
}

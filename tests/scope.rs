//! Behaviour of `forkscope::scope` (std's `thread::scope` semantics, see
//! `src/scope/mod.rs`): borrowing, blocking between spawns, waiting for every
//! spawn and its result's drop, panic propagation, `is_finished`, many and
//! nested spawns, leaked handles, and `Builder`.
//!
//! The tests run on `StdBackend`, and with `--no-default-features` on the
//! pthread test backend (`tests/common/pthread_backend.rs`), installed by
//! `common::setup`.
//!
//! The tests of this binary run concurrently and share the global thread
//! cache, so none of them depends on which cached thread runs a spawn; thread
//! reuse is checked in `tests/scope_reuse.rs`, failing spawns in
//! `tests/scope_failing_backend.rs`, allocations in `tests/scope_alloc.rs`.
//!
//! Under Miri the sizes shrink and the tests that need real time, big stacks
//! or thread names are skipped.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::setup;
use forkscope::{Builder, Payload, scope};
use std::any::Any;
use std::collections::HashSet;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Barrier, Mutex, Once};
use std::thread;
use std::time::Duration;

/// `big` normally, `small` under Miri (which is some 1000x slower).
const fn size(big: usize, small: usize) -> usize {
    if cfg!(miri) { small } else { big }
}

/// The text of a panic payload from `panic!`, if it has one.
fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// A payload type of our own, so that a test can tell whose panic arrived.
#[derive(Debug, PartialEq, Eq)]
struct Boom(&'static str);

/// Panics with `Boom(who)` as the payload.
fn boom(who: &'static str) -> ! {
    quiet_expected_panics();
    panic::panic_any(Boom(who))
}

/// The start of the message of a `panic!` a test makes on purpose.
const EXPECTED: &str = "expected: ";

/// Keeps the panics the tests make on purpose (and the scope panics they
/// cause) off stderr; every other panic is reported as usual. Besides less
/// noise, this spares Miri a backtrace per panic when `RUST_BACKTRACE` is set
/// (seconds each).
fn quiet_expected_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let report = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let expected = info.payload().is::<Boom>()
                || info
                    .payload_as_str()
                    .is_some_and(|m| m == "a scoped thread panicked" || m.starts_with(EXPECTED));
            if !expected {
                report(info);
            }
        }));
    });
}

fn payload_of(result: thread::Result<()>) -> Payload {
    result.expect_err("expected a panic")
}

/// A result whose drop is observable: it counts itself into a borrowed
/// counter, after a short pause so that a scope that does not wait for the
/// drop would be caught returning early.
struct Tally<'a> {
    drops: &'a AtomicUsize,
}

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        thread::sleep(Duration::from_millis(2));
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------
// Borrowing
// ---------------------------------------------------------------------------

#[test]
fn spawns_borrow_shared_data_and_their_results_combine() {
    setup();
    let data: Vec<u64> = (1..=size(10_000, 100) as u64).collect();
    let expected: u64 = data.iter().sum();
    let chunk = data.len() / 4;

    let total = scope(|s| {
        let handles: Vec<_> = data
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().sum::<u64>()))
            .collect();
        // The scope's closure may read the same data while the spawns run.
        assert_eq!(data.len(), size(10_000, 100));
        handles.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
    });

    assert_eq!(total, expected);
}

#[test]
fn one_spawn_mutably_borrows_while_others_read_other_data() {
    setup();
    let mut log = Vec::new();
    let words = ["fork", "scope"];
    let mut lens = [0usize; 2];

    scope(|s| {
        s.spawn(|| {
            for i in 0..10 {
                log.push(i);
            }
        });
        for (len, word) in lens.iter_mut().zip(&words) {
            s.spawn(move || *len = word.len());
        }
    });

    // The borrows ended with the scope: the data is ours again.
    log.push(10);
    assert_eq!(log, (0..=10).collect::<Vec<_>>());
    assert_eq!(lens, [4, 5]);
}

#[test]
fn join_hands_back_data_borrowed_from_the_environment() {
    setup();
    let text = String::from("forkscope borrows");
    let first_word = scope(|s| s.spawn(|| text.split(' ').next().unwrap()).join().unwrap());
    assert_eq!(first_word, "forkscope");
}

// ---------------------------------------------------------------------------
// Every spawn has a thread of its own
// ---------------------------------------------------------------------------

#[test]
fn eight_spawns_meet_at_a_shared_barrier() {
    setup();
    const N: usize = 8;
    let barrier = Barrier::new(N);
    let arrived = AtomicUsize::new(0);

    let (leaders, seen) = scope(|s| {
        let handles: Vec<_> = (0..N)
            .map(|_| {
                s.spawn(|| {
                    arrived.fetch_add(1, Ordering::SeqCst);
                    let leader = barrier.wait().is_leader();
                    // Nobody passes the barrier before all N arrived, so all
                    // N must be running at once, each on its own thread.
                    (leader, arrived.load(Ordering::SeqCst))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let leaders = results.iter().filter(|(leader, _)| *leader).count();
        let seen: Vec<usize> = results.iter().map(|&(_, seen)| seen).collect();
        (leaders, seen)
    });

    assert_eq!(leaders, 1);
    assert_eq!(seen, vec![N; N]);
}

#[test]
fn two_spawns_play_ping_pong_over_channels() {
    setup();
    let rounds = size(200, 10) as u32;
    let (to_pong, pong_rx) = mpsc::channel::<u32>();
    let (to_ping, ping_rx) = mpsc::channel::<u32>();

    let (last_ping, last_pong) = scope(|s| {
        let ping = s.spawn(move || {
            let mut last = 0;
            for i in 0..rounds {
                to_pong.send(2 * i).unwrap();
                last = ping_rx.recv().unwrap();
                assert_eq!(last, 2 * i + 1);
            }
            last
        });
        let pong = s.spawn(move || {
            let mut last = 0;
            // Ends when `ping` is done and drops its sender.
            while let Ok(n) = pong_rx.recv() {
                last = n;
                to_ping.send(n + 1).unwrap();
            }
            last
        });
        (ping.join().unwrap(), pong.join().unwrap())
    });

    assert_eq!(last_ping, 2 * rounds - 1);
    assert_eq!(last_pong, 2 * (rounds - 1));
}

#[test]
fn spawn_blocked_on_the_scope_closure_is_released_by_it() {
    setup();
    let (tx, rx) = mpsc::channel::<&str>();
    let got = scope(|s| {
        let h = s.spawn(move || rx.recv().unwrap());
        // The spawn is blocked in `recv` on its own thread; the scope's
        // closure keeps running and unblocks it.
        tx.send("released").unwrap();
        h.join().unwrap()
    });
    assert_eq!(got, "released");
}

// ---------------------------------------------------------------------------
// The scope waits for every spawn and for its result's drop
// ---------------------------------------------------------------------------

#[test]
#[cfg_attr(miri, ignore = "sleeps")]
fn scope_waits_for_unjoined_threads() {
    setup();
    let done = AtomicUsize::new(0);
    scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                thread::sleep(Duration::from_millis(50));
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    assert_eq!(done.load(Ordering::SeqCst), 4);
}

#[test]
fn scope_returns_after_unjoined_results_are_dropped() {
    setup();
    let n = size(16, 3);
    let drops = AtomicUsize::new(0);
    scope(|s| {
        for _ in 0..n {
            s.spawn(|| Tally { drops: &drops });
        }
    });
    assert_eq!(drops.load(Ordering::SeqCst), n);
}

#[test]
fn scope_returns_after_results_of_early_dropped_handles_are_dropped() {
    setup();
    let n = size(16, 3);
    let drops = AtomicUsize::new(0);
    let released = Barrier::new(n + 1);
    scope(|s| {
        for _ in 0..n {
            let handle = s.spawn(|| {
                released.wait();
                Tally { drops: &drops }
            });
            // The handle goes before the thread has a result: the thread
            // drops the result itself, and the scope must wait for that drop.
            drop(handle);
        }
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        released.wait();
    });
    assert_eq!(drops.load(Ordering::SeqCst), n);
}

#[test]
fn joined_results_are_handed_over_and_dropped_by_the_joiner() {
    setup();
    let n = size(16, 3);
    let drops = AtomicUsize::new(0);
    scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| s.spawn(|| Tally { drops: &drops }))
            .collect();
        let results: Vec<Tally<'_>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        // Joined results belong to the joiner: none was dropped yet.
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(results);
        assert_eq!(drops.load(Ordering::SeqCst), n);
    });
    assert_eq!(drops.load(Ordering::SeqCst), n);
}

#[test]
fn results_dropped_by_their_threads_write_into_borrowed_data_before_scope_returns() {
    setup();
    let n = size(12, 3);
    let log = Mutex::new(Vec::new());
    let log = &log;

    /// Pushes its id into a borrowed log when dropped.
    struct LogOnDrop<'a> {
        id: usize,
        log: &'a Mutex<Vec<usize>>,
    }
    impl Drop for LogOnDrop<'_> {
        fn drop(&mut self) {
            thread::sleep(Duration::from_millis(1));
            self.log.lock().unwrap().push(self.id);
        }
    }

    let joined = scope(|s| {
        let mut joined = Vec::new();
        let mut kept = Vec::new();
        for id in 0..n {
            let handle = s.spawn(move || LogOnDrop { id, log });
            match id % 3 {
                // Joined: the result comes out of the scope, undropped.
                0 => joined.push(handle.join().unwrap().id),
                // Dropped early: the thread drops the result.
                1 => drop(handle),
                // Kept to the end of the closure, unjoined.
                _ => kept.push(handle),
            }
        }
        joined
    });

    let mut logged = log.lock().unwrap().clone();
    logged.sort_unstable();
    assert_eq!(logged, (0..n).collect::<Vec<_>>());
    assert_eq!(joined, (0..n).step_by(3).collect::<Vec<_>>());
}

// ---------------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------------

#[test]
#[cfg_attr(miri, ignore = "sleeps")]
fn scope_closure_panic_waits_for_threads_and_propagates_its_payload() {
    setup();
    let finished = AtomicBool::new(false);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            s.spawn(|| {
                thread::sleep(Duration::from_millis(50));
                finished.store(true, Ordering::SeqCst);
            });
            boom("scope closure");
        })
    }));
    // The spawn finished before the panic left `scope`.
    assert!(finished.load(Ordering::SeqCst));
    let payload = payload_of(result);
    assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("scope closure")));
}

#[test]
fn scope_closure_panic_still_drops_unjoined_results_first() {
    setup();
    let n = size(8, 2);
    let drops = AtomicUsize::new(0);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            for _ in 0..n {
                s.spawn(|| Tally { drops: &drops });
            }
            boom("after spawning");
        })
    }));
    assert_eq!(drops.load(Ordering::SeqCst), n);
    assert_eq!(
        payload_of(result).downcast_ref::<Boom>(),
        Some(&Boom("after spawning"))
    );
}

#[test]
fn unjoined_thread_panic_makes_scope_panic() {
    setup();
    let others = AtomicUsize::new(0);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            s.spawn(|| boom("unjoined"));
            for _ in 0..3 {
                s.spawn(|| others.fetch_add(1, Ordering::SeqCst));
            }
        })
    }));
    let payload = payload_of(result);
    assert_eq!(panic_message(&*payload), Some("a scoped thread panicked"));
    // The other spawns ran to completion all the same.
    assert_eq!(others.load(Ordering::SeqCst), 3);
    common::assert_no_panic_escaped();
}

#[test]
fn unjoined_panic_of_an_early_dropped_handle_makes_scope_panic() {
    setup();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        scope(|s| drop(s.spawn(|| boom("dropped handle"))));
    }));
    assert_eq!(
        panic_message(&*payload_of(result)),
        Some("a scoped thread panicked")
    );
}

#[test]
fn joined_thread_panic_is_returned_by_join_and_the_scope_does_not_panic() {
    setup();
    let value = scope(|s| {
        let bad = s.spawn(|| -> u32 { boom("joined") });
        let good = s.spawn(|| 7u32);
        let payload = bad.join().expect_err("the spawn panicked");
        assert_eq!(payload.downcast_ref::<Boom>(), Some(&Boom("joined")));
        good.join().unwrap()
    });
    assert_eq!(value, 7);
    common::assert_no_panic_escaped();
}

#[test]
fn join_returns_the_panic_message_of_a_string_panic() {
    setup();
    scope(|s| {
        let n = 42;
        let payload = s
            .spawn(move || -> () {
                quiet_expected_panics();
                panic!("{EXPECTED}spawn {n} failed")
            })
            .join()
            .unwrap_err();
        assert_eq!(panic_message(&*payload), Some("expected: spawn 42 failed"));
    });
}

#[test]
fn scope_closure_panic_wins_over_a_thread_panic() {
    setup();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            let h = s.spawn(|| boom("thread"));
            // Make sure the thread's panic happened before ours.
            while !h.is_finished() {
                thread::yield_now();
            }
            boom("closure");
        })
    }));
    assert_eq!(
        payload_of(result).downcast_ref::<Boom>(),
        Some(&Boom("closure"))
    );
}

#[test]
fn panic_in_a_result_dropped_by_its_thread_counts_as_a_thread_panic() {
    setup();
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("{EXPECTED}result drop");
        }
    }
    quiet_expected_panics();
    let (tx, rx) = mpsc::channel::<()>();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            let h = s.spawn(move || {
                rx.recv().unwrap();
                PanicOnDrop
            });
            // Drop the handle before the thread returns, so that the thread
            // drops the result (and its panic is the thread's).
            drop(h);
            tx.send(()).unwrap();
        });
    }));
    assert_eq!(
        panic_message(&*payload_of(result)),
        Some("a scoped thread panicked")
    );
    common::assert_no_panic_escaped();
}

// ---------------------------------------------------------------------------
// is_finished
// ---------------------------------------------------------------------------

#[test]
fn is_finished_is_false_while_running_and_true_once_done() {
    setup();
    let release = AtomicBool::new(false);
    scope(|s| {
        let h = s.spawn(|| {
            while !release.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            5
        });
        assert!(!h.is_finished());
        thread::yield_now();
        assert!(!h.is_finished(), "finished before it was released");
        release.store(true, Ordering::SeqCst);
        while !h.is_finished() {
            thread::yield_now();
        }
        // Finished means join does not wait.
        assert_eq!(h.join().unwrap(), 5);
    });
}

#[test]
fn is_finished_is_true_after_a_panic() {
    setup();
    scope(|s| {
        let h = s.spawn(|| boom("finished"));
        while !h.is_finished() {
            thread::yield_now();
        }
        assert!(h.join().is_err());
    });
}

// ---------------------------------------------------------------------------
// Many spawns, many scopes, nested spawns
// ---------------------------------------------------------------------------

#[test]
fn a_thousand_spawns_in_one_scope_all_run() {
    setup();
    let n = size(1000, 20);
    let hits: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
    let sum = scope(|s| {
        let handles: Vec<_> = hits
            .iter()
            .enumerate()
            .map(|(i, hit)| {
                s.spawn(move || {
                    hit.fetch_add(1, Ordering::SeqCst);
                    i
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum::<usize>()
    });
    assert_eq!(sum, n * (n - 1) / 2);
    assert!(hits.iter().all(|h| h.load(Ordering::SeqCst) == 1));
}

#[test]
fn a_thousand_unjoined_spawns_are_all_waited_for() {
    setup();
    let n = size(1000, 20);
    let count = AtomicUsize::new(0);
    scope(|s| {
        for _ in 0..n {
            s.spawn(|| count.fetch_add(1, Ordering::SeqCst));
        }
    });
    assert_eq!(count.load(Ordering::SeqCst), n);
}

#[test]
fn two_hundred_scopes_back_to_back() {
    setup();
    let scopes = size(200, 10);
    let mut total = 0;
    for round in 0..scopes {
        let input = [round, 1, 2];
        total += scope(|s| {
            let a = s.spawn(|| input[0]);
            let b = s.spawn(|| input[1] + input[2]);
            a.join().unwrap() + b.join().unwrap()
        });
    }
    assert_eq!(total, scopes * (scopes - 1) / 2 + 3 * scopes);
}

#[test]
fn spawns_nested_inside_spawns_capture_the_scope() {
    setup();
    let fan_out = size(4, 2);
    let leaves = AtomicUsize::new(0);
    let leaves = &leaves;
    let inner_sum = scope(|s| {
        let outer: Vec<_> = (0..fan_out)
            .map(|i| {
                s.spawn(move || {
                    // Spawn on the same scope from inside a spawn; these are
                    // not joined here, the scope waits for them.
                    for _ in 0..fan_out {
                        s.spawn(move || leaves.fetch_add(1, Ordering::SeqCst));
                    }
                    // ... and a joined one, three levels deep.
                    s.spawn(move || s.spawn(move || i * 10).join().unwrap())
                        .join()
                        .unwrap()
                })
            })
            .collect();
        outer.into_iter().map(|h| h.join().unwrap()).sum::<usize>()
    });
    assert_eq!(inner_sum, 10 * fan_out * (fan_out - 1) / 2);
    assert_eq!(leaves.load(Ordering::SeqCst), fan_out * fan_out);
}

#[test]
fn spawns_run_on_threads_other_than_the_scope_owner() {
    setup();
    let owner = thread::current().id();
    let ids: HashSet<_> = scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| thread::current().id())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(!ids.contains(&owner));
}

// ---------------------------------------------------------------------------
// Leaked handles
// ---------------------------------------------------------------------------

#[test]
fn forgotten_handle_does_not_keep_the_scope_waiting() {
    setup();
    let ran = AtomicBool::new(false);
    scope(|s| {
        let h = s.spawn(|| {
            ran.store(true, Ordering::SeqCst);
            // A result with no heap part, so leaking it is harmless.
            3u8
        });
        // The scope counts running threads, not packets: a handle that is
        // never dropped must not make it wait forever.
        mem::forget(h);
    });
    assert!(ran.load(Ordering::SeqCst));
}

#[test]
fn forgotten_handle_of_a_panicked_thread_does_not_keep_the_scope_waiting() {
    setup();
    // The payload is leaked with the packet, so nobody reports the panic,
    // like std; what matters is that the scope returns.
    let returned = panic::catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            let h = s.spawn(|| -> () { boom("forgotten") });
            while !h.is_finished() {
                thread::yield_now();
            }
            mem::forget(h);
            "returned"
        })
    }));
    assert_eq!(returned.ok(), Some("returned"));
}

// ---------------------------------------------------------------------------
// Builder
// ---------------------------------------------------------------------------

#[test]
#[cfg_attr(miri, ignore = "thread names are not part of what Miri checks")]
fn builder_name_is_the_thread_name() {
    setup();
    let name = scope(|s| {
        Builder::new()
            // 15 bytes: as much as the OS keeps of the pthread backend's names.
            .name("forkscope-named".into())
            .spawn_scoped(s, common::current_thread_name)
            .unwrap()
            .join()
            .unwrap()
    });
    assert_eq!(name.as_deref(), Some("forkscope-named"));
}

#[test]
fn default_builder_spawns_like_scope_spawn() {
    setup();
    let data = [1, 2, 3];
    let sum = scope(|s| {
        Builder::new()
            .spawn_scoped(s, || data.iter().sum::<i32>())
            .unwrap()
            .join()
            .unwrap()
    });
    assert_eq!(sum, 6);
}

#[test]
#[cfg_attr(miri, ignore = "Miri does not model stack sizes")]
fn builder_stack_size_is_honoured() {
    setup();
    // Bigger than the default stack of a Rust thread (2 MiB) and of a
    // pthread (usually 8 MiB): this would overflow (and abort) on a thread of
    // the default size.
    const ARRAY: usize = 12 << 20;
    let last = scope(|s| {
        Builder::new()
            .stack_size(32 << 20)
            .spawn_scoped(s, || {
                let mut big = [0u8; ARRAY];
                big[ARRAY - 1] = 9;
                std::hint::black_box(&mut big);
                big[ARRAY - 1]
            })
            .unwrap()
            .join()
            .unwrap()
    });
    assert_eq!(last, 9);
}

#[test]
#[cfg_attr(miri, ignore = "Miri does not model stack sizes")]
fn builder_stack_size_below_the_minimum_is_rounded_up() {
    setup();
    let (tiny, odd) = scope(|s| {
        let tiny = Builder::new().stack_size(1).spawn_scoped(s, || 5);
        // Not a whole number of pages either.
        let odd = Builder::new().stack_size(100_001).spawn_scoped(s, || 6);
        (tiny.unwrap().join().unwrap(), odd.unwrap().join().unwrap())
    });
    assert_eq!((tiny, odd), (5, 6));
}

#[test]
fn builder_spawns_borrow_and_are_waited_for_like_others() {
    setup();
    let drops = AtomicUsize::new(0);
    scope(|s| {
        Builder::new()
            .name("forkscope-tally".into())
            .spawn_scoped(s, || Tally { drops: &drops })
            .unwrap();
    });
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------
// The backend's slot
// ---------------------------------------------------------------------------

/// The per-thread word of `Backend::slot` belongs to each thread, and a
/// scoped thread's starts at 0 (forkscope keeps a worker's pointer there
/// without `std`, so a stale value would make a scoped thread look like a
/// pool worker). Each spawn puts its slot back to 0 before it returns to
/// forkscope's code.
#[test]
fn the_backend_slot_is_per_thread_and_starts_at_zero_on_scoped_threads() {
    setup();
    let backend = common::backend();
    let both_set = Barrier::new(2);
    let use_slot = |mine: usize| {
        let before = backend.slot();
        backend.set_slot(mine);
        both_set.wait();
        let after = backend.slot();
        backend.set_slot(0);
        (before, after)
    };
    let seen = scope(|s| {
        let a = s.spawn(|| use_slot(0xdead));
        let b = s.spawn(|| use_slot(42));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(seen, ((0, 0xdead), (0, 42)));
}

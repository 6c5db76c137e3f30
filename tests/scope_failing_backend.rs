//! Scoped threads on a backend that can be told to refuse spawns, and that
//! counts the threads it runs.
//!
//! A process has one global backend, and `StdBackend` becomes it the first
//! time forkscope needs one; so this binary installs its own [`FLAKY`]
//! backend (a wrapper around `StdBackend`, `tests/common/wrap_backend.rs`)
//! before anything else, in every
//! test (the first call wins, the others see `BackendAlreadySet`).
//!
//! The tests share the global thread cache and the counters, so they take
//! [`SERIAL`] and run one at a time.
#![cfg(feature = "std")]

mod common;

use common::wrap_backend::{REFUSAL, WrapBackend};
use forkscope::{Backend, BackendAlreadySet, Builder, SpawnError, scope};
use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// `StdBackend`, counting the threads it runs, and refusing to spawn while
/// told to (`FLAKY.refusing()`).
static FLAKY: WrapBackend = WrapBackend::new();

static SERIAL: Mutex<()> = Mutex::new(());

/// Installs [`FLAKY`] (first call in the process) and serializes the tests.
/// Spawns are accepted on return.
fn setup() -> MutexGuard<'static, ()> {
    match forkscope::set_global_backend(&FLAKY) {
        Ok(()) | Err(BackendAlreadySet) => {}
    }
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let installed: &dyn Backend = &FLAKY;
    assert!(
        std::ptr::addr_eq(forkscope::global_backend().unwrap(), installed),
        "the test backend must be the global one"
    );
    FLAKY.reset_failures();
    guard
}

/// A gate that spawned closures block on until it opens.
struct Gate {
    open: Mutex<bool>,
    cond: Condvar,
}
impl Gate {
    fn new() -> Gate {
        Gate {
            open: Mutex::new(false),
            cond: Condvar::new(),
        }
    }
    fn wait(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cond.wait(open).unwrap();
        }
    }
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cond.notify_all();
    }
}
/// Opens the gate when dropped, so that a failing assertion does not leave
/// the scope waiting forever for blocked spawns.
struct OpenOnDrop<'a>(&'a Gate);
impl Drop for OpenOnDrop<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("<non-string payload>")
}

#[test]
fn builder_with_a_spec_returns_refused_and_drops_the_closure() {
    let _serial = setup();
    let captured = Arc::new(());
    let ran = AtomicBool::new(false);
    let other_ran = AtomicBool::new(false);

    scope(|s| {
        let err = {
            let _refusing = FLAKY.refusing();
            let captured = captured.clone();
            // A named spawn always asks the backend for a new thread.
            Builder::new()
                .name("refused".into())
                .spawn_scoped(s, || {
                    ran.store(true, Ordering::SeqCst);
                    drop(captured);
                })
                .expect_err("the backend refuses")
        };
        assert_eq!(err, SpawnError::Refused(REFUSAL.into()));
        assert!(err.to_string().contains(REFUSAL));
        // Nothing of the failed spawn is left: its captures are gone.
        assert_eq!(Arc::strong_count(&captured), 1);

        // The scope goes on as if the spawn had not been attempted.
        Builder::new()
            .name("accepted".into())
            .spawn_scoped(s, || other_ran.store(true, Ordering::SeqCst))
            .expect("the backend accepts again");
    });

    assert!(!ran.load(Ordering::SeqCst));
    assert!(other_ran.load(Ordering::SeqCst));
    assert_eq!(Arc::strong_count(&captured), 1);
}

#[test]
fn default_builder_returns_refused_once_no_cached_thread_is_idle() {
    let _serial = setup();
    let gate = Gate::new();
    let finished = AtomicUsize::new(0);
    let probe = Arc::new(());

    let occupied = scope(|s| {
        let _open = OpenOnDrop(&gate);
        let _refusing = FLAKY.refusing();
        // While refusing, a spawn still succeeds if it finds an idle cached
        // thread; those block on the gate, so the cache drains and the next
        // spawn must ask the backend, which refuses.
        let mut occupied = 0;
        let err = loop {
            let probe = probe.clone();
            let attempt = Builder::new().spawn_scoped(s, || {
                gate.wait();
                drop(probe);
                finished.fetch_add(1, Ordering::SeqCst);
            });
            match attempt {
                Ok(_) => occupied += 1,
                Err(e) => break e,
            }
        };
        assert!(
            matches!(&err, SpawnError::Refused(why) if why == REFUSAL),
            "{err:?}"
        );
        // Only the spawns that started hold a clone of the probe.
        assert_eq!(Arc::strong_count(&probe), 1 + occupied);
        occupied
    });

    // The started spawns ran to completion and were joined by the scope.
    assert_eq!(finished.load(Ordering::SeqCst), occupied);
    assert_eq!(Arc::strong_count(&probe), 1);
}

#[test]
fn scope_spawn_panics_with_a_clear_message_when_the_backend_refuses() {
    let _serial = setup();
    let gate = Gate::new();
    let blocked_finished = AtomicUsize::new(0);
    let ran_after = AtomicBool::new(false);
    let probe = Arc::new(());

    let occupied = scope(|s| {
        let _open = OpenOnDrop(&gate);
        let mut occupied = 0;
        let message = {
            let _refusing = FLAKY.refusing();
            loop {
                let probe = probe.clone();
                let attempt = panic::catch_unwind(AssertUnwindSafe(|| {
                    s.spawn(|| {
                        gate.wait();
                        drop(probe);
                        blocked_finished.fetch_add(1, Ordering::SeqCst);
                    })
                }));
                match attempt {
                    // An idle cached thread took it; it now blocks.
                    Ok(_) => occupied += 1,
                    Err(payload) => break panic_message(&*payload).to_owned(),
                }
            }
        };
        assert!(
            message.contains("failed to spawn"),
            "unexpected message: {message}"
        );
        assert!(
            message.contains(REFUSAL),
            "the backend's reason is missing: {message}"
        );
        assert_eq!(Arc::strong_count(&probe), 1 + occupied);

        // The scope is still usable: with the backend accepting again, spawns
        // run, next to the blocked ones.
        s.spawn(|| ran_after.store(true, Ordering::SeqCst))
            .join()
            .unwrap();
        gate.open();
        occupied
    });

    assert!(ran_after.load(Ordering::SeqCst));
    assert_eq!(blocked_finished.load(Ordering::SeqCst), occupied);
    assert_eq!(Arc::strong_count(&probe), 1);
}

#[test]
fn refused_spawn_from_a_nested_spawn_leaves_the_scope_joinable() {
    let _serial = setup();
    let probe = Arc::new(());
    let outer_done = AtomicBool::new(false);

    scope(|s| {
        s.spawn(|| {
            let _refusing = FLAKY.refusing();
            let probe = probe.clone();
            let err = Builder::new()
                .name("nested".into())
                .spawn_scoped(s, move || drop(probe))
                .expect_err("the backend refuses");
            assert!(matches!(err, SpawnError::Refused(_)));
            outer_done.store(true, Ordering::SeqCst);
        })
        .join()
        .unwrap();
    });

    assert!(outer_done.load(Ordering::SeqCst));
    assert_eq!(Arc::strong_count(&probe), 1);
}

#[test]
#[cfg_attr(miri, ignore = "waits for the 1 s idle timeout in real time")]
fn idle_cached_threads_exit_after_the_idle_timeout() {
    let _serial = setup();
    const THREADS: usize = 4;
    let barrier = std::sync::Barrier::new(THREADS);

    scope(|s| {
        for _ in 0..THREADS {
            // All four wait for each other, so four threads exist at once.
            s.spawn(|| barrier.wait());
        }
    });
    let idle_since = Instant::now();
    // Finished threads stay in the cache, alive, for a while.
    let live_after_scope = FLAKY.live();
    assert!(
        live_after_scope >= THREADS,
        "only {live_after_scope} threads alive"
    );

    // The idle timeout is 1 s; give them generous slack to notice it.
    let deadline = idle_since + Duration::from_secs(5);
    while FLAKY.live() != 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
    }
    let waited = idle_since.elapsed();
    assert_eq!(FLAKY.live(), 0, "idle threads still alive after {waited:?}");
    assert!(
        waited >= Duration::from_millis(900),
        "cached threads exited after only {waited:?}"
    );

    // And the cache still works afterwards, with fresh threads.
    let value = scope(|s| s.spawn(|| 11).join().unwrap());
    assert_eq!(value, 11);
}

#[test]
#[cfg_attr(miri, ignore = "runs for seconds of real time")]
fn threads_of_a_burst_exit_while_a_trickle_of_spawns_goes_on() {
    let _serial = setup();
    const BURST: usize = 16;
    let barrier = std::sync::Barrier::new(BURST);
    scope(|s| {
        for _ in 0..BURST {
            s.spawn(|| barrier.wait());
        }
    });
    assert!(FLAKY.live() >= BURST);

    // One short spawn every 20 ms for 2.5 s: the trickle needs one thread (two
    // at times) and must not keep the whole burst alive by cycling through
    // it; the others pass their 1 s idle timeout and exit.
    let start = Instant::now();
    let mut sum = 0;
    while start.elapsed() < Duration::from_millis(2500) {
        sum += scope(|s| s.spawn(|| 1).join().unwrap());
        thread::sleep(Duration::from_millis(20));
    }
    assert!(sum > 0);
    let live = FLAKY.live();
    assert!(
        live <= 4,
        "{live} threads still alive under a trickle of single spawns"
    );
}

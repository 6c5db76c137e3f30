//! Failures on the spawn paths leave nothing behind, and what scoped threads
//! tell about their thread.
//!
//! - A scoped spawn whose thread cannot be started (a NUL in its name, a
//!   backend whose `spawn` panics) leaves the scope's running count and the
//!   closure's captures as before, and the scope returns.
//! - A pool whose build fails part-way (the `thread_name` closure panics, the
//!   backend refuses or panics, a name has a NUL) stops the workers it had
//!   started: a backend that counts its live threads sees them all leave.
//! - `ScopedJoinHandle::thread` is the thread running the closure (unpark
//!   reaches its `park`, the name is the requested one), and
//!   `Builder::fresh_thread` gives a thread whose thread-locals no earlier
//!   spawn touched.
//!
//! The scope tests share the global backend (a counting wrapper of
//! `StdBackend`, `tests/common/wrap_backend.rs`) and the global thread cache, so they take [`SERIAL`]. The
//! pool tests each have a backend of their own.
#![cfg(feature = "std")]

mod common;

use common::wrap_backend::{BACKEND_PANIC, REFUSAL, WrapBackend};
use forkscope::{
    Backend, BackendAlreadySet, Builder, SpawnError, StdBackend, ThreadPoolBuilder, ThreadSpec,
    scope,
};
use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How long to wait for something that must happen (an unpark); generous,
/// the machine is shared. Not a timing assertion: a bound on hangs.
const PATIENCE: Duration = Duration::from_secs(30);

static GLOBAL_BACKEND: WrapBackend = WrapBackend::new().parallelism(2);

static SERIAL: Mutex<()> = Mutex::new(());

/// Installs [`GLOBAL_BACKEND`] (first call in the process) and serializes
/// the scope tests.
fn setup() -> MutexGuard<'static, ()> {
    match forkscope::set_global_backend(&GLOBAL_BACKEND) {
        Ok(()) | Err(BackendAlreadySet) => {}
    }
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let installed: &dyn Backend = &GLOBAL_BACKEND;
    assert!(
        std::ptr::addr_eq(forkscope::global_backend().unwrap(), installed),
        "the test backend must be the global one"
    );
    GLOBAL_BACKEND.reset_failures();
    guard
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&'static str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string payload>".into())
}

/// The scope's count of running spawns, as its `Debug` output shows it.
fn running(s: &forkscope::Scope<'_, '_>) -> usize {
    let debug = format!("{s:?}");
    let rest = debug
        .split("num_running_threads: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no running count in {debug}"));
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
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

// ---------------------------------------------------------------------------
// Scoped spawns that fail

#[test]
fn nul_in_a_spawn_name_panics_like_std_and_the_scope_still_returns() {
    let _serial = setup();
    let spawns_before = GLOBAL_BACKEND.spawns();
    // The program: the panic leaves the scope's closure, the scope
    // waits for nothing and hands the panic on.
    let result = panic::catch_unwind(|| {
        scope(|s| {
            let _ = Builder::new().name("a\0b".into()).spawn_scoped(s, || ());
        })
    });
    let payload = result.expect_err("a NUL in a name panics");
    assert_eq!(
        panic_message(&*payload),
        "thread name may not contain interior null bytes"
    );
    // The backend was not even asked.
    assert_eq!(GLOBAL_BACKEND.spawns(), spawns_before);
}

#[test]
fn nul_in_a_spawn_name_drops_the_closure_and_leaves_the_scope_usable() {
    let _serial = setup();
    let probe = Arc::new(());
    let ran = AtomicBool::new(false);
    let value = scope(|s| {
        let captured = probe.clone();
        let attempt = panic::catch_unwind(AssertUnwindSafe(|| {
            Builder::new().name("bad\0name".into()).spawn_scoped(s, || {
                ran.store(true, Ordering::SeqCst);
                drop(captured);
            })
        }));
        assert!(attempt.is_err());
        assert_eq!(Arc::strong_count(&probe), 1, "the closure was not dropped");
        assert_eq!(running(s), 0);
        // A good name still works in the same scope.
        Builder::new()
            .name("good name".into())
            .spawn_scoped(s, || 5)
            .unwrap()
            .join()
            .unwrap()
    });
    assert_eq!(value, 5);
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn backend_panic_starting_a_thread_of_its_own_leaves_the_scope_as_before() {
    let _serial = setup();
    let probe = Arc::new(());
    let ran = AtomicUsize::new(0);
    scope(|s| {
        for builder in [
            Builder::new().fresh_thread(true),
            Builder::new().name("named".into()),
            Builder::new().stack_size(256 * 1024),
        ] {
            let captured = probe.clone();
            let attempt = {
                let _panicking = GLOBAL_BACKEND.panicking();
                panic::catch_unwind(AssertUnwindSafe(|| {
                    builder.spawn_scoped(s, || {
                        ran.fetch_add(1, Ordering::SeqCst);
                        drop(captured);
                    })
                }))
            };
            let payload = attempt.expect_err("the backend panics");
            assert_eq!(panic_message(&*payload), BACKEND_PANIC);
            assert_eq!(Arc::strong_count(&probe), 1, "the closure was not dropped");
            assert_eq!(running(s), 0, "the failed spawn is still counted");
        }
        // The scope goes on.
        assert_eq!(s.spawn(|| 3).join().unwrap(), 3);
    });
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn backend_panic_when_the_thread_cache_must_grow_leaves_the_scope_as_before() {
    let _serial = setup();
    let gate = Gate::new();
    let finished = AtomicUsize::new(0);
    let probe = Arc::new(());

    let occupied = scope(|s| {
        let _open = OpenOnDrop(&gate);
        // Spawns that find an idle cached thread succeed and block on the
        // gate; once the cache is drained the next spawn asks the backend,
        // which panics.
        let mut occupied = 0;
        let message = {
            let _panicking = GLOBAL_BACKEND.panicking();
            loop {
                let captured = probe.clone();
                let attempt = panic::catch_unwind(AssertUnwindSafe(|| {
                    s.spawn(|| {
                        gate.wait();
                        drop(captured);
                        finished.fetch_add(1, Ordering::SeqCst);
                    })
                }));
                match attempt {
                    Ok(_) => occupied += 1,
                    Err(payload) => break panic_message(&*payload),
                }
            }
        };
        assert_eq!(message, BACKEND_PANIC);
        // Only the started spawns hold the probe and count as running.
        assert_eq!(Arc::strong_count(&probe), 1 + occupied);
        assert_eq!(running(s), occupied);
        // With the backend working again, the scope spawns next to the
        // blocked ones.
        assert_eq!(s.spawn(|| 9).join().unwrap(), 9);
        gate.open();
        occupied
    });
    assert_eq!(finished.load(Ordering::SeqCst), occupied);
    assert_eq!(Arc::strong_count(&probe), 1);
}

#[test]
fn std_backend_returns_invalid_name_for_a_nul_and_drops_main() {
    let probe = Arc::new(());
    let captured = probe.clone();
    let spec = ThreadSpec {
        name: Some("a\0b".into()),
        stack_size: None,
    };
    let result = StdBackend.spawn(&spec, Box::new(move || drop(captured)));
    assert_eq!(result, Err(SpawnError::InvalidName));
    assert_eq!(Arc::strong_count(&probe), 1);
    assert_eq!(
        SpawnError::InvalidName.to_string(),
        "thread name may not contain interior null bytes"
    );
}

// ---------------------------------------------------------------------------
// Pools whose build fails part-way

#[test]
fn pool_build_stops_the_started_workers_when_thread_name_panics_at_index_2_of_4() {
    static BACKEND: WrapBackend = WrapBackend::new();
    let result = panic::catch_unwind(|| {
        ThreadPoolBuilder::new()
            .num_threads(4)
            .backend(&BACKEND)
            .thread_name(|i| {
                assert_ne!(i, 2, "no name for worker 2");
                format!("named-{i}")
            })
            .build()
    });
    let payload = result.expect_err("the name closure panics");
    assert!(panic_message(&*payload).contains("no name for worker 2"));
    // Workers 0 and 1 were started, and are stopped again.
    assert_eq!(BACKEND.spawns(), 2);
    BACKEND.wait_for_no_live_threads();
}

#[test]
fn pool_build_returns_refused_and_stops_the_started_workers_when_the_third_spawn_is_refused() {
    static BACKEND: WrapBackend = WrapBackend::new().refusing_call(2);
    let result = ThreadPoolBuilder::new()
        .num_threads(4)
        .backend(&BACKEND)
        .build();
    match result {
        Err(SpawnError::Refused(why)) => assert_eq!(why, REFUSAL),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(BACKEND.spawns(), 3);
    BACKEND.wait_for_no_live_threads();

    // The same backend, no longer refusing: a pool starts, runs, and its drop
    // leaves no thread behind.
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .backend(&BACKEND)
        .build()
        .unwrap();
    assert_eq!(pool.join(|| 1, || 2), (1, 2));
    drop(pool);
    BACKEND.wait_for_no_live_threads();
}

#[test]
fn pool_build_stops_the_started_workers_when_the_backend_panics_in_the_third_spawn() {
    static BACKEND: WrapBackend = WrapBackend::new().panicking_call(2);
    let result = panic::catch_unwind(|| {
        ThreadPoolBuilder::new()
            .num_threads(4)
            .backend(&BACKEND)
            .build()
    });
    let payload = result.expect_err("the backend panics");
    assert_eq!(panic_message(&*payload), BACKEND_PANIC);
    assert_eq!(BACKEND.spawns(), 3);
    BACKEND.wait_for_no_live_threads();
}

#[test]
fn pool_build_returns_invalid_name_and_stops_the_started_workers_for_a_nul_in_a_name() {
    static BACKEND: WrapBackend = WrapBackend::new();
    let result = ThreadPoolBuilder::new()
        .num_threads(3)
        .backend(&BACKEND)
        .thread_name(|i| {
            if i == 1 {
                "a\0b".into()
            } else {
                format!("w{i}")
            }
        })
        .build();
    assert_eq!(result.err(), Some(SpawnError::InvalidName));
    // Worker 0 was started; worker 1's name is rejected before the backend
    // is asked.
    assert_eq!(BACKEND.spawns(), 1);
    BACKEND.wait_for_no_live_threads();
}

// ---------------------------------------------------------------------------
// What a spawn tells about its thread

/// Waits (parking) until `flag` is set; `false` if it never was within
/// `PATIENCE` (so that a lost unpark fails the test instead of hanging it).
fn park_until(flag: &AtomicBool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while !flag.load(Ordering::SeqCst) {
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        thread::park_timeout(deadline - now);
    }
    true
}

#[test]
fn handle_thread_unpark_wakes_a_park_in_the_spawned_closure() {
    let _serial = setup();
    const ROUNDS: usize = if cfg!(miri) { 3 } else { 20 };
    for round in 0..ROUNDS {
        let go = AtomicBool::new(false);
        let parking = AtomicBool::new(false);
        let (id, (woken, ran_on)) = scope(|s| {
            let builder = Builder::new().fresh_thread(round % 2 == 1);
            let h = builder
                .spawn_scoped(s, || {
                    parking.store(true, Ordering::SeqCst);
                    (park_until(&go), thread::current().id())
                })
                .unwrap();
            let id = h.thread().id();
            while !parking.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            go.store(true, Ordering::SeqCst);
            h.thread().unpark();
            (id, h.join().unwrap())
        });
        assert!(woken, "round {round}: the unpark did not reach the closure");
        assert_eq!(id, ran_on, "round {round}: thread() is another thread");
    }
}

#[test]
fn handle_thread_reports_the_requested_name_and_none_for_unnamed_spawns() {
    let _serial = setup();
    scope(|s| {
        let named = Builder::new()
            .name("hardening-named".into())
            .spawn_scoped(s, || thread::current().name().map(str::to_owned))
            .unwrap();
        assert_eq!(named.thread().name(), Some("hardening-named"));
        assert_eq!(named.join().unwrap().as_deref(), Some("hardening-named"));

        let unnamed = s.spawn(|| thread::current().name().map(str::to_owned));
        assert_eq!(unnamed.thread().name(), None);
        assert_eq!(unnamed.join().unwrap(), None);
    });
}

thread_local! {
    static MARK: Cell<u32> = const { Cell::new(0) };
}

#[test]
fn fresh_thread_spawns_see_no_thread_locals_of_earlier_spawns() {
    let _serial = setup();
    let mut ids = Vec::new();
    for round in 1..=4 {
        let (seen, id) = scope(|s| {
            Builder::new()
                .fresh_thread(true)
                .spawn_scoped(s, move || (MARK.replace(round), thread::current().id()))
                .unwrap()
                .join()
                .unwrap()
        });
        assert_eq!(seen, 0, "round {round} saw an earlier spawn's thread-local");
        ids.push(id);
    }
    ids.sort_by_key(|id| format!("{id:?}"));
    ids.dedup();
    assert_eq!(ids.len(), 4, "fresh threads share a ThreadId");
}

#[test]
fn cached_spawns_keep_thread_locals_and_repeat_thread_ids() {
    let _serial = setup();
    // A scope returns once its threads are back in the cache, and the next
    // spawn takes the thread that went idle last: the same one.
    let (first_id, _) = scope(|s| {
        s.spawn(|| (thread::current().id(), MARK.replace(7)))
            .join()
            .unwrap()
    });
    let (second_id, seen) = scope(|s| {
        s.spawn(|| (thread::current().id(), MARK.replace(0)))
            .join()
            .unwrap()
    });
    assert_eq!(first_id, second_id, "the second spawn got another thread");
    assert_eq!(seen, 7, "the thread-local was reset between spawns");
}

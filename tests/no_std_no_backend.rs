//! forkscope without `std` and without an installed backend: spawning reports
//! the missing backend (an error from `Builder`, a panic that says what to do
//! from `Scope::spawn`), and scopes themselves still work. Pools built on
//! backends of their own work without a global backend, side by side.
//!
//! A test binary of its own, because installing a backend is process-wide and
//! permanent. Only built by `cargo test --no-default-features`.
#![cfg(not(feature = "std"))]

#[path = "common/pthread_backend.rs"]
mod pthread_backend;

use forkscope::{Backend, Builder, Payload, SpawnError, ThreadSpec};
use std::panic::{self, AssertUnwindSafe};

fn panic_message(payload: &Payload) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "<non-string payload>"
    }
}

#[test]
fn there_is_no_global_backend() {
    assert!(forkscope::global_backend().is_none());
}

#[test]
fn builder_spawn_returns_no_backend_and_drops_the_closure_unrun() {
    let ran = std::cell::Cell::new(false);
    let dropped = std::sync::atomic::AtomicBool::new(false);
    struct SetOnDrop<'a>(&'a std::sync::atomic::AtomicBool);
    impl Drop for SetOnDrop<'_> {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let guard = SetOnDrop(&dropped);
    let value = forkscope::scope(|s| {
        let err = Builder::new()
            .spawn_scoped(s, move || {
                let _guard = guard;
                7
            })
            .expect_err("no backend is installed");
        assert_eq!(err, SpawnError::NoBackend);
        assert!(
            dropped.load(std::sync::atomic::Ordering::SeqCst),
            "closure not dropped"
        );
        ran.set(true);
        "scope finished"
    });
    assert_eq!(value, "scope finished");
    assert!(ran.get());
}

#[test]
fn builder_with_name_and_stack_size_also_returns_no_backend() {
    forkscope::scope(|s| {
        let err = Builder::new()
            .name("named".into())
            .stack_size(1 << 20)
            .spawn_scoped(s, || ())
            .expect_err("no backend is installed");
        assert_eq!(err, SpawnError::NoBackend);
    });
}

#[test]
fn no_backend_error_says_how_to_fix_it() {
    let text = SpawnError::NoBackend.to_string();
    assert!(text.contains("set_global_backend"), "{text}");
}

#[test]
fn scope_spawn_panics_with_a_message_about_the_backend_and_the_scope_survives() {
    let value = forkscope::scope(|s| {
        let payload = panic::catch_unwind(AssertUnwindSafe(|| {
            s.spawn(|| 1);
        }))
        .expect_err("spawn without a backend must panic");
        let msg = panic_message(&payload);
        assert!(
            msg.contains("backend"),
            "panic message does not mention the backend: {msg}"
        );
        // The failed spawn left nothing running: the scope can go on.
        42
    });
    assert_eq!(value, 42);
}

#[test]
fn an_empty_scope_returns_its_value() {
    let mut x = 1;
    let y = forkscope::scope(|_| {
        x += 1;
        x * 10
    });
    assert_eq!((x, y), (2, 20));
}

#[test]
fn join_without_a_backend_runs_a_then_b_on_the_caller() {
    let order = std::sync::Mutex::new(Vec::new());
    let (a, b) = forkscope::join(
        || {
            order.lock().unwrap().push('a');
            1
        },
        || {
            order.lock().unwrap().push('b');
            2
        },
    );
    assert_eq!((a, b), (1, 2));
    assert_eq!(*order.lock().unwrap(), ['a', 'b']);
    assert_eq!(forkscope::current_num_threads(), 1);
    assert_eq!(forkscope::current_thread_index(), None);
}

#[test]
fn a_pool_without_a_backend_is_an_error() {
    let err = forkscope::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect_err("no backend is installed");
    assert_eq!(err, SpawnError::NoBackend);
}

/// The pthread test backend (not installed globally) with a per-thread slot
/// of its own, so that each pool's workers are found through their own
/// backend only.
struct OwnSlot(&'static std::thread::LocalKey<std::cell::Cell<usize>>);

impl Backend for OwnSlot {
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        pthread_backend::PthreadBackend.spawn(spec, main)
    }
    fn wait(&self, word: &std::sync::atomic::AtomicU32, expected: u32) {
        pthread_backend::PthreadBackend.wait(word, expected);
    }
    fn wait_timeout(&self, word: &std::sync::atomic::AtomicU32, expected: u32, nanos: u64) {
        pthread_backend::PthreadBackend.wait_timeout(word, expected, nanos);
    }
    fn wake_one(&self, word: &std::sync::atomic::AtomicU32) {
        pthread_backend::PthreadBackend.wake_one(word);
    }
    fn wake_all(&self, word: &std::sync::atomic::AtomicU32) {
        pthread_backend::PthreadBackend.wake_all(word);
    }
    fn slot(&self) -> usize {
        self.0.with(std::cell::Cell::get)
    }
    fn set_slot(&self, value: usize) {
        self.0.with(|s| s.set(value));
    }
    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
        pthread_backend::PthreadBackend.catch_unwind(f)
    }
    fn resume_unwind(&self, payload: Payload) -> ! {
        pthread_backend::PthreadBackend.resume_unwind(payload)
    }
}

#[test]
fn two_pools_on_two_backends_work_without_a_global_backend() {
    thread_local! {
        static SLOT_A: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        static SLOT_B: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    static A: OwnSlot = OwnSlot(&SLOT_A);
    static B: OwnSlot = OwnSlot(&SLOT_B);
    fn fib(n: u32) -> u32 {
        if n < 2 {
            return n;
        }
        let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
        a + b
    }
    use forkscope::prelude::*;
    let a = forkscope::ThreadPoolBuilder::new()
        .num_threads(2)
        .backend(&A)
        .build()
        .expect("a pool on its own backend");
    let b = forkscope::ThreadPoolBuilder::new()
        .num_threads(3)
        .backend(&B)
        .build()
        .expect("a second pool on another backend");
    let n = if cfg!(miri) { 8 } else { 18 };
    for _ in 0..if cfg!(miri) { 1 } else { 20 } {
        assert_eq!(a.install(|| fib(n)), b.install(|| fib(n)));
        let (threads_a, (threads_b, index_b)) = a.install(|| {
            (
                forkscope::current_num_threads(),
                b.install(|| {
                    (
                        forkscope::current_num_threads(),
                        forkscope::current_thread_index(),
                    )
                }),
            )
        });
        assert_eq!((threads_a, threads_b), (2, 3));
        assert!(matches!(index_b, Some(0..3)));
        let sum: u64 = b.install(|| (0..1000u64).into_par_iter().sum());
        assert_eq!(sum, 499_500);
    }
    assert!(
        forkscope::global_backend().is_none(),
        "building pools installs no global backend"
    );
    drop((a, b));
}

//! The scheduler for every shape of work (`src/pool/mod.rs`, "Protocol"):
//! halves that run for long without calling `join` again still reach an
//! idle worker, an `a` that waits for its own `b` finishes on a pool of two
//! or more threads, a half nobody takes is reclaimed by its owner, many
//! outside callers each get their own result, oversubscribed pools compute
//! correctly, and the watcher that makes coarse work parallel stops once the
//! pool is idle.
//!
//! No test asserts a duration: each waits for an event (with `PATIENCE` as
//! the bound after which it calls a hang a failure) and asserts results,
//! threads and counts.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(target_os = "linux")]

mod common;

use common::setup;
use forkscope::{ThreadPool, ThreadPoolBuilder};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// `big` normally, `small` under Miri (which is some 1000x slower).
const fn size(big: usize, small: usize) -> usize {
    if cfg!(miri) { small } else { big }
}

/// How long a test waits for something before it calls it a hang.
const PATIENCE: Duration = Duration::from_secs(if cfg!(miri) { 600 } else { 20 });

/// Long enough for every idle worker to give up spinning and sleep.
const FALL_ASLEEP: Duration = Duration::from_millis(if cfg!(miri) { 20 } else { 100 });

fn pool(num_threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(num_threads)
        .build()
        .expect("pool started")
}

/// Busy-waits until `flag` is set, calling nothing of forkscope meanwhile
/// (a half that "runs for long without calling `join` again"). Panics after
/// `PATIENCE` instead of hanging, so a scheduler that never hands the other
/// half out fails the test.
fn spin_until(flag: &AtomicBool, what: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !flag.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "{what} within {PATIENCE:?}");
        std::hint::spin_loop();
    }
}

/// The program of issue "a may wait for b": `a` spins until `b` has run.
/// Returns the threads that ran `a` and `b`.
fn a_spins_until_b_sets_a_flag() -> (ThreadId, ThreadId) {
    let flag = AtomicBool::new(false);
    forkscope::join(
        || {
            spin_until(&flag, "b ran on another worker while a spun");
            thread::current().id()
        },
        || {
            flag.store(true, Ordering::SeqCst);
            thread::current().id()
        },
    )
}

/// `a` blocks in a channel `recv` until `b` sends.
fn a_receives_what_b_sends() -> u32 {
    let (tx, rx) = mpsc::channel();
    let (received, ()) = forkscope::join(
        move || {
            rx.recv_timeout(PATIENCE)
                .expect("b ran on another worker while a blocked in recv")
        },
        move || tx.send(7).unwrap(),
    );
    received
}

#[test]
fn a_that_spins_until_b_runs_finishes_inside_install_with_workers_asleep() {
    setup();
    let pool = pool(2);
    pool.install(|| ());
    thread::sleep(FALL_ASLEEP);
    let (a, b) = pool.install(a_spins_until_b_sets_a_flag);
    assert_ne!(a, b, "b ran on the other worker");
    // Right away again, with the workers awake.
    let (a, b) = pool.install(a_spins_until_b_sets_a_flag);
    assert_ne!(a, b);
}

#[test]
fn a_that_spins_until_b_runs_finishes_right_after_a_short_idle_spell() {
    setup();
    // The program: the workers are still spinning down, not asleep.
    let pool = pool(2);
    pool.install(|| ());
    thread::sleep(Duration::from_micros(10));
    let (a, b) = pool.install(a_spins_until_b_sets_a_flag);
    assert_ne!(a, b);
}

/// The cold variants (the root `join` called from this thread, on the
/// global pool) share the global pool, so they run one after another in one
/// test: two `a`s spinning on both workers of a 2-thread pool at once would
/// each wait for a `b` that nobody is free to run (with rayon too).
#[test]
fn cold_joins_run_waiting_and_coarse_halves_in_parallel_on_the_global_pool() {
    setup();
    if forkscope::current_num_threads() != 2 {
        eprintln!("skipped: the global pool does not have exactly 2 threads here");
        return;
    }
    forkscope::join(|| (), || ());
    thread::sleep(FALL_ASLEEP);
    let (a, b) = a_spins_until_b_sets_a_flag();
    assert_ne!(a, b);
    thread::sleep(FALL_ASLEEP);
    assert_eq!(a_receives_what_b_sends(), 7);
    thread::sleep(FALL_ASLEEP);
    let tree = CoarseTree::new(3, LEAF_HOLD);
    tree.run(0, 8);
    tree.check();
}

#[test]
fn a_blocked_in_recv_until_b_sends_finishes_inside_install() {
    setup();
    let pool = pool(2);
    pool.install(|| ());
    thread::sleep(FALL_ASLEEP);
    assert_eq!(pool.install(a_receives_what_b_sends), 7);
    assert_eq!(pool.install(a_receives_what_b_sends), 7);
}

#[test]
fn a_that_waits_for_b_finishes_on_pools_of_three_and_eight_threads() {
    setup();
    for threads in [3, 8] {
        let pool = pool(threads);
        thread::sleep(FALL_ASLEEP);
        let (a, b) = pool.install(a_spins_until_b_sets_a_flag);
        assert_ne!(a, b, "{threads} threads");
        assert_eq!(
            pool.install(a_receives_what_b_sends),
            7,
            "{threads} threads"
        );
    }
}

/// How long a coarse tree's leaf waits for a second leaf to run alongside
/// (long under Miri, where reaching the other worker takes far longer).
const LEAF_HOLD: Duration = Duration::from_millis(if cfg!(miri) { 3000 } else { 50 });

/// A join tree of `depth` levels whose leaves wait, without calling `join`,
/// until `leaves_running` leaves run at the same time or `hold` has passed,
/// and record their thread. Each leaf counts its visit in `visits`.
struct CoarseTree {
    visits: Vec<AtomicU8>,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
    threads: Mutex<HashSet<ThreadId>>,
    hold: Duration,
}

impl CoarseTree {
    fn new(depth: u32, hold: Duration) -> Self {
        CoarseTree {
            visits: (0..1usize << depth).map(|_| AtomicU8::new(0)).collect(),
            running: AtomicUsize::new(0),
            most_at_once: AtomicUsize::new(0),
            threads: Mutex::new(HashSet::new()),
            hold,
        }
    }

    fn run(&self, lo: usize, hi: usize) {
        if hi - lo == 1 {
            self.leaf(lo);
            return;
        }
        let mid = lo + (hi - lo) / 2;
        forkscope::join(|| self.run(lo, mid), || self.run(mid, hi));
    }

    fn leaf(&self, i: usize) {
        self.visits[i].fetch_add(1, Ordering::Relaxed);
        self.threads.lock().unwrap().insert(thread::current().id());
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        // Busy, without joins, until a second leaf runs alongside (or the
        // hold time passed: the last leaves run alone).
        let start = Instant::now();
        while start.elapsed() < self.hold && self.running.load(Ordering::SeqCst) < 2 {
            std::hint::spin_loop();
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
    }

    fn check(&self) {
        for (i, v) in self.visits.iter().enumerate() {
            assert_eq!(v.load(Ordering::Relaxed), 1, "leaf {i} ran once");
        }
        assert_eq!(
            self.most_at_once.load(Ordering::SeqCst),
            2,
            "two leaves of a coarse tree ran at the same time on a 2-thread pool"
        );
        assert_eq!(
            self.threads.lock().unwrap().len(),
            2,
            "both workers ran leaves"
        );
    }
}

#[test]
fn coarse_tree_leaves_run_on_both_workers_inside_install() {
    setup();
    let pool = pool(2);
    for depth in [1, 3, size(6, 2) as u32] {
        pool.install(|| ());
        thread::sleep(FALL_ASLEEP);
        let tree = CoarseTree::new(depth, LEAF_HOLD);
        pool.install(|| tree.run(0, 1 << depth));
        tree.check();
    }
}

#[test]
fn half_that_nobody_takes_is_reclaimed_and_run_by_its_owner() {
    setup();
    let pool = pool(2);
    let release = AtomicBool::new(false);
    let busy_started = AtomicBool::new(false);
    thread::scope(|s| {
        // Keep one worker busy in a job that never joins.
        s.spawn(|| {
            pool.install(|| {
                busy_started.store(true, Ordering::SeqCst);
                spin_until(&release, "the test released the busy worker");
            })
        });
        spin_until(&busy_started, "the busy job started");
        for _ in 0..size(100, 5) {
            let ((a, ra), (b, rb)) = pool.install(|| {
                forkscope::join(
                    || (thread::current().id(), 1),
                    || (thread::current().id(), 2),
                )
            });
            assert_eq!((ra, rb), (1, 2));
            assert_eq!(a, b, "the only free worker ran both halves");
        }
        release.store(true, Ordering::SeqCst);
    });
}

#[test]
fn many_outside_callers_each_get_their_own_result() {
    setup();
    let pool = pool(2);
    let callers = size(200, 8);
    let per_caller = size(4, 2);
    thread::scope(|s| {
        for c in 0..callers {
            let pool = &pool;
            s.spawn(move || {
                for i in 0..per_caller {
                    let r = pool.install(move || {
                        thread::sleep(Duration::from_micros(50));
                        c * 1000 + i
                    });
                    assert_eq!(r, c * 1000 + i);
                }
            });
        }
    });
}

#[test]
fn many_outside_callers_of_the_cold_join_each_get_their_own_results() {
    setup();
    let callers = size(64, 4);
    thread::scope(|s| {
        for c in 0..callers {
            s.spawn(move || {
                for i in 0..size(50, 2) {
                    assert_eq!(forkscope::join(|| c, || i), (c, i));
                }
            });
        }
    });
}

fn fib_join(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib_join(n - 1), || fib_join(n - 2));
    a + b
}

fn fib_seq(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_seq(n - 1) + fib_seq(n - 2)
    }
}

#[test]
fn pools_larger_than_the_machine_compute_fib_correctly() {
    setup();
    let n = size(24, 8) as u64;
    for threads in [8, size(32, 4)] {
        let pool = pool(threads);
        for _ in 0..3 {
            assert_eq!(
                pool.install(|| fib_join(n)),
                fib_seq(n),
                "{threads} threads"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The watcher's CPU
// ---------------------------------------------------------------------------

/// The CPU time in nanoseconds the threads named `prefix*` of this process
/// have used, from `/proc/self/task/<tid>/schedstat`.
fn cpu_nanos_of_threads_named(prefix: &str) -> (usize, u64) {
    let mut found = 0;
    let mut nanos = 0;
    for entry in std::fs::read_dir("/proc/self/task").unwrap() {
        let dir = entry.unwrap().path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end().starts_with(prefix) {
            found += 1;
            let stat = std::fs::read_to_string(dir.join("schedstat")).unwrap_or_default();
            nanos += stat
                .split_whitespace()
                .next()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    (found, nanos)
}

/// While one worker runs a long job that never joins, the other is the
/// watcher: it wakes every few tens of microseconds to look at the slots,
/// which costs little CPU; once the job ends and the pool is idle, the
/// watcher sleeps for good.
#[test]
#[cfg_attr(miri, ignore = "measures real CPU time")]
fn watcher_costs_little_while_a_job_runs_and_nothing_once_idle() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name(|i| format!("sched-watch-{i}"))
        .build()
        .unwrap();
    // Both workers have started once both ran a job.
    pool.join(
        || thread::sleep(Duration::from_millis(5)),
        || thread::sleep(Duration::from_millis(5)),
    );
    let (found, _) = cpu_nanos_of_threads_named("sched-watch-");
    assert_eq!(found, 2, "both workers found in /proc");
    let job = Duration::from_millis(500);
    let (_, before) = cpu_nanos_of_threads_named("sched-watch-");
    // A job that publishes a frame and then runs long without joining: the
    // frame stays on offer, so the other worker watches (and takes `b`).
    pool.install(|| {
        forkscope::join(
            || {
                let start = Instant::now();
                while start.elapsed() < job {
                    std::hint::spin_loop();
                }
            },
            || (),
        )
    });
    let (_, during) = cpu_nanos_of_threads_named("sched-watch-");
    // The job's worker used ~500 ms; the other one must not have spun.
    let extra = (during - before).saturating_sub(job.as_nanos() as u64);
    eprintln!(
        "during a 500 ms job: the pool used {:.1} ms CPU beyond the job",
        extra as f64 / 1e6
    );
    assert!(
        extra < 250_000_000,
        "the waiting worker used {extra} ns of CPU during a 500 ms job: it spins instead of watching"
    );
    // A job with no join at all, then idle.
    pool.install(|| thread::sleep(Duration::from_millis(50)));
    thread::sleep(Duration::from_millis(200));
    let (_, idle_start) = cpu_nanos_of_threads_named("sched-watch-");
    thread::sleep(Duration::from_secs(1));
    let (_, idle_end) = cpu_nanos_of_threads_named("sched-watch-");
    let idle = idle_end - idle_start;
    eprintln!(
        "idle for 1 s after coarse work: {:.3} ms CPU",
        idle as f64 / 1e6
    );
    assert!(
        idle < 50_000_000,
        "an idle pool used {idle} ns of CPU in 1 s: its watcher kept waking"
    );
}

#[test]
fn join_context_reports_migration_of_a_taken_half_and_of_a_cold_call() {
    setup();
    // From outside any pool: both halves run on workers.
    let (a, b) = forkscope::join_context(|c| c.migrated(), |c| c.migrated());
    assert!(a && b);
    let pool = pool(2);
    // Inside a job: a half is migrated exactly when it runs on another
    // thread than the caller (`b` may or may not be taken).
    for _ in 0..size(100, 5) {
        let ((a, a_thread), (b, b_thread), caller) = pool.install(|| {
            let caller = thread::current().id();
            let (a, b) = forkscope::join_context(
                |c| (c.migrated(), thread::current().id()),
                |c| (c.migrated(), thread::current().id()),
            );
            (a, b, caller)
        });
        assert!(!a && a_thread == caller, "a runs on the caller");
        assert_eq!(b, b_thread != caller);
    }
    // A `b` taken by the other worker is migrated.
    let flag = AtomicBool::new(false);
    let (a, b) = pool.install(|| {
        forkscope::join_context(
            |c| {
                spin_until(&flag, "b ran on the other worker");
                c.migrated()
            },
            |c| {
                flag.store(true, Ordering::SeqCst);
                c.migrated()
            },
        )
    });
    assert!(!a && b);
}

//! Behaviour of `forkscope::join` and `ThreadPool` (see `src/pool/mod.rs`):
//! results of join-based recursion, panic propagation (cold path from
//! outside a pool, hot path on a worker, and deep inside a join tree where
//! halves are stolen), joins from foreign threads and across pools, nested
//! installs, pool sizes, thread names, pool shutdown, proof that `b` really
//! runs in parallel, and an idle pool's CPU use.
//!
//! The tests run on `StdBackend`, and with `--no-default-features` on the
//! pthread test backend (`tests/common/pthread_backend.rs`), installed by
//! `common::setup`; the test backends below wrap whichever it is.
//!
//! The tests of this binary run concurrently and share the global pool, so
//! none depends on which worker runs what; allocations are counted in
//! `tests/join_alloc.rs`.
//!
//! Under Miri the sizes shrink and the tests that need real time, big stacks,
//! thread names or `/proc` are skipped. The `/proc` tests (worker threads
//! exiting, idle CPU) assume Linux, like the CI machines.
#![cfg(target_os = "linux")]

mod common;

use common::setup;
use forkscope::{Backend, SpawnError, ThreadPool, ThreadPoolBuilder, ThreadSpec};
use std::any::Any;
use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::sync::{Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

/// `big` normally, `small` under Miri (which is some 1000x slower).
const fn size(big: usize, small: usize) -> usize {
    if cfg!(miri) { small } else { big }
}

/// How long a test waits for something that should take microseconds before
/// it calls it a hang. Generous: CI machines stall, and Miri is slow.
const PATIENCE: Duration = Duration::from_secs(if cfg!(miri) { 600 } else { 10 });

const FIB_N: u64 = if cfg!(miri) { 10 } else { 25 };

fn fib_seq(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_seq(n - 1) + fib_seq(n - 2)
    }
}

fn fib_join(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib_join(n - 1), || fib_join(n - 2));
    a + b
}

/// The text of a panic payload from `panic!`, if it has one.
fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Keeps the default panic hook quiet for this file's deliberate panics
/// (messages ending in "(deliberate)"): they are expected, and under Miri the
/// default hook costs seconds per panic. Every other panic is reported as
/// usual.
fn quiet_deliberate_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let deliberate = info
                .payload_as_str()
                .is_some_and(|m| m.ends_with("(deliberate)"));
            if !deliberate {
                default(info);
            }
        }));
    });
}

/// A pool of `num_threads`, got as `FORKSCOPE_TEST_POOLS` says (see
/// `common/pools.rs`).
fn pool(num_threads: usize) -> common::pools::TestPool {
    common::pools::pool(num_threads)
}

/// Deterministic pseudo-random numbers (xorshift64).
fn xorshift_values(n: usize, mut seed: u64) -> Vec<u64> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        })
        .collect()
}

/// Below this length `quicksort` sorts sequentially. Small under Miri so that
/// its 1000 elements still make a join tree.
const SORT_CUTOFF: usize = size(1000, 16);

fn quicksort(v: &mut [u64]) {
    if v.len() <= SORT_CUTOFF {
        v.sort_unstable();
        return;
    }
    let p = partition(v);
    let (lo, rest) = v.split_at_mut(p);
    let hi = &mut rest[1..];
    forkscope::join(|| quicksort(lo), || quicksort(hi));
}

/// Lomuto partition around the median of first, middle and last; returns the
/// pivot's final index.
fn partition(v: &mut [u64]) -> usize {
    let (last, mid) = (v.len() - 1, v.len() / 2);
    if v[mid] < v[0] {
        v.swap(mid, 0);
    }
    if v[last] < v[0] {
        v.swap(last, 0);
    }
    if v[last] < v[mid] {
        v.swap(last, mid);
    }
    v.swap(mid, last);
    let pivot = v[last];
    let mut store = 0;
    for i in 0..last {
        if v[i] < pivot {
            v.swap(i, store);
            store += 1;
        }
    }
    v.swap(store, last);
    store
}

/// Splits `[lo, hi)` with `join` down to single leaves, marks each leaf in
/// `visits`, and returns the number of leaves.
fn count_leaves(lo: usize, hi: usize, visits: &[AtomicU8]) -> usize {
    if hi - lo == 1 {
        visits[lo].fetch_add(1, Ordering::Relaxed);
        return 1;
    }
    let mid = lo + (hi - lo) / 2;
    let (a, b) = forkscope::join(
        || count_leaves(lo, mid, visits),
        || count_leaves(mid, hi, visits),
    );
    a + b
}

fn assert_each_leaf_visited_once(visits: &[AtomicU8]) {
    let wrong: Vec<(usize, u8)> = visits
        .iter()
        .map(|v| v.load(Ordering::Relaxed))
        .enumerate()
        .filter(|&(_, n)| n != 1)
        .take(10)
        .collect();
    assert!(
        wrong.is_empty(),
        "leaves not visited exactly once (index, visits): {wrong:?}"
    );
}

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

#[test]
fn fib_via_join_matches_sequential_fib() {
    setup();
    assert_eq!(fib_join(FIB_N), fib_seq(FIB_N));
    if !cfg!(miri) {
        assert_eq!(fib_join(25), 75_025);
    }
}

#[test]
fn fib_via_join_inside_install_matches_sequential_fib() {
    setup();
    let pool = pool(2);
    assert_eq!(pool.install(|| fib_join(FIB_N)), fib_seq(FIB_N));
}

#[test]
fn join_quicksort_of_pseudo_random_values_matches_slice_sort() {
    setup();
    let n = size(1_000_000, 1_000);
    let mut values = xorshift_values(n, 0x9E37_79B9_7F4A_7C15);
    let mut expected = values.clone();
    expected.sort();

    quicksort(&mut values);
    assert!(
        values == expected,
        "join quicksort differs from slice::sort"
    );
}

#[test]
fn join_quicksort_inside_install_matches_slice_sort() {
    setup();
    let pool = pool(2);
    let n = size(1_000_000, 1_000);
    let mut values = xorshift_values(n, 0x2545_F491_4F6C_DD1D);
    let mut expected = values.clone();
    expected.sort();

    pool.install(|| quicksort(&mut values));
    assert!(
        values == expected,
        "join quicksort differs from slice::sort"
    );
}

#[test]
fn join_tree_of_a_million_leaves_counts_each_leaf_once() {
    setup();
    let n = size(1_000_000, 1 << 10);
    let visits: Vec<AtomicU8> = (0..n).map(|_| AtomicU8::new(0)).collect();
    assert_eq!(count_leaves(0, n, &visits), n);
    assert_each_leaf_visited_once(&visits);
}

#[test]
fn join_tree_inside_a_three_thread_pool_counts_each_leaf_once() {
    setup();
    let pool = pool(3);
    let n = size(1_000_000, 1 << 8);
    let visits: Vec<AtomicU8> = (0..n).map(|_| AtomicU8::new(0)).collect();
    assert_eq!(pool.install(|| count_leaves(0, n, &visits)), n);
    assert_each_leaf_visited_once(&visits);
}

#[test]
fn join_borrows_and_mutates_disjoint_halves() {
    setup();
    fn double_all(s: &mut [u64]) {
        if s.len() <= 8 {
            s.iter_mut().for_each(|x| *x *= 2);
            return;
        }
        let (l, r) = s.split_at_mut(s.len() / 2);
        forkscope::join(|| double_all(l), || double_all(r));
    }
    let n = size(100_000, 256) as u64;
    let mut v: Vec<u64> = (0..n).collect();
    double_all(&mut v);
    assert!(v.iter().enumerate().all(|(i, &x)| x == 2 * i as u64));
}

#[test]
fn join_returns_each_halfs_own_result() {
    setup();
    let (a, b) = forkscope::join(|| String::from("left"), || vec![1u8, 2, 3]);
    assert_eq!(a, "left");
    assert_eq!(b, [1, 2, 3]);
    let pool = pool(2);
    let (a, b) = pool.join(|| 7u16, || "right");
    assert_eq!((a, b), (7, "right"));
}

#[test]
fn cold_join_runs_both_halves_on_pool_workers() {
    setup();
    assert_eq!(forkscope::current_thread_index(), None);
    let (a, b) = forkscope::join(
        forkscope::current_thread_index,
        forkscope::current_thread_index,
    );
    let n = forkscope::current_num_threads();
    assert!(matches!(a, Some(i) if i < n), "a ran on {a:?}, pool of {n}");
    assert!(matches!(b, Some(i) if i < n), "b ran on {b:?}, pool of {n}");
    assert_eq!(forkscope::current_thread_index(), None);
}

// ---------------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------------

/// Where a join under test runs.
#[derive(Clone, Copy)]
enum Site<'p> {
    /// `forkscope::join` from this thread, outside any pool: the cold path
    /// through the global pool.
    Outside,
    /// `forkscope::join` inside `pool.install`: the hot path on a worker.
    Installed(&'p ThreadPool),
}

/// What a join whose halves may panic did.
struct Outcome {
    a_ran: bool,
    b_ran: bool,
    /// The message of the panic `join` resumed, if it panicked.
    panic: Option<String>,
}

/// Joins a half that panics with a `&'static str` (if `panic_a`) and a half
/// that panics with a `String` (if `panic_b`), both recording that they ran.
fn join_with_panics(site: Site<'_>, panic_a: bool, panic_b: bool) -> Outcome {
    quiet_deliberate_panics();
    let a_ran = AtomicBool::new(false);
    let b_ran = AtomicBool::new(false);
    let a = || {
        a_ran.store(true, Ordering::SeqCst);
        if panic_a {
            panic!("a panicked (deliberate)");
        }
        1u32
    };
    let b = || {
        b_ran.store(true, Ordering::SeqCst);
        if panic_b {
            panic!("{}", String::from("b panicked (deliberate)"));
        }
        2u32
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| match site {
        Site::Outside => forkscope::join(a, b),
        Site::Installed(pool) => pool.install(|| {
            assert!(forkscope::current_thread_index().is_some());
            forkscope::join(a, b)
        }),
    }));
    let panic = match result {
        Ok(pair) => {
            assert_eq!(pair, (1, 2));
            None
        }
        Err(payload) => Some(
            panic_message(&*payload)
                .expect("the payload of a panic!")
                .to_owned(),
        ),
    };
    common::assert_no_panic_escaped();
    Outcome {
        a_ran: a_ran.load(Ordering::SeqCst),
        b_ran: b_ran.load(Ordering::SeqCst),
        panic,
    }
}

fn check_panic_in_a_only(site: Site<'_>) {
    let out = join_with_panics(site, true, false);
    assert!(
        out.a_ran && out.b_ran,
        "both halves run although a panicked"
    );
    assert_eq!(out.panic.as_deref(), Some("a panicked (deliberate)"));
}

fn check_panic_in_b_only(site: Site<'_>) {
    let out = join_with_panics(site, false, true);
    assert!(
        out.a_ran && out.b_ran,
        "both halves run although b panicked"
    );
    assert_eq!(out.panic.as_deref(), Some("b panicked (deliberate)"));
}

fn check_panic_in_both(site: Site<'_>) {
    let out = join_with_panics(site, true, true);
    assert!(
        out.a_ran && out.b_ran,
        "both halves run although both panicked"
    );
    assert_eq!(
        out.panic.as_deref(),
        Some("a panicked (deliberate)"),
        "a's payload wins"
    );
}

#[test]
fn join_from_outside_propagates_panic_from_a_after_running_b() {
    setup();
    check_panic_in_a_only(Site::Outside);
}

#[test]
fn join_from_outside_propagates_panic_from_b_after_running_a() {
    setup();
    check_panic_in_b_only(Site::Outside);
}

#[test]
fn join_from_outside_with_both_halves_panicking_resumes_as_payload() {
    setup();
    check_panic_in_both(Site::Outside);
}

#[test]
fn join_on_worker_propagates_panic_from_a_after_running_b() {
    setup();
    let pool = pool(2);
    check_panic_in_a_only(Site::Installed(&pool));
}

#[test]
fn join_on_worker_propagates_panic_from_b_after_running_a() {
    setup();
    let pool = pool(2);
    check_panic_in_b_only(Site::Installed(&pool));
}

#[test]
fn join_on_worker_with_both_halves_panicking_resumes_as_payload() {
    setup();
    let pool = pool(2);
    check_panic_in_both(Site::Installed(&pool));
}

#[test]
fn join_without_panics_returns_both_results_on_either_path() {
    setup();
    let pool = pool(2);
    for site in [Site::Outside, Site::Installed(&pool)] {
        let out = join_with_panics(site, false, false);
        assert!(out.a_ran && out.b_ran);
        assert_eq!(out.panic, None);
    }
}

#[test]
fn pool_is_usable_after_joins_panicked_on_it() {
    setup();
    let pool = pool(2);
    for _ in 0..size(20, 2) {
        check_panic_in_both(Site::Installed(&pool));
    }
    assert_eq!(pool.install(|| fib_join(FIB_N)), fib_seq(FIB_N));
}

/// A join tree over `[lo, hi)` whose leaves in `panicking` panic with their
/// index; every leaf marks itself in `ran` first and does a little work, so
/// that idle workers have time to steal halves.
fn panicking_tree(lo: usize, hi: usize, panicking: &[usize], ran: &[AtomicU8]) {
    if hi - lo == 1 {
        ran[lo].fetch_add(1, Ordering::SeqCst);
        std::hint::black_box(fib_seq(if cfg!(miri) { 3 } else { 12 }));
        if panicking.contains(&lo) {
            panic!("leaf {lo} panicked (deliberate)");
        }
        return;
    }
    let mid = lo + (hi - lo) / 2;
    forkscope::join(
        || panicking_tree(lo, mid, panicking, ran),
        || panicking_tree(mid, hi, panicking, ran),
    );
}

/// Runs `panicking_tree` over `n` leaves on `pool` and returns the resumed
/// panic's message, after checking that every leaf ran exactly once.
fn run_panicking_tree(pool: &ThreadPool, n: usize, panicking: &[usize]) -> String {
    quiet_deliberate_panics();
    let ran: Vec<AtomicU8> = (0..n).map(|_| AtomicU8::new(0)).collect();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        pool.install(|| panicking_tree(0, n, panicking, &ran));
    }));
    let payload = result.expect_err("a leaf panicked, so the tree must");
    assert_each_leaf_visited_once(&ran);
    common::assert_no_panic_escaped();
    panic_message(&*payload)
        .expect("the payload of a panic!")
        .to_owned()
}

#[test]
fn panic_deep_in_a_stolen_join_tree_propagates_after_every_other_leaf_ran() {
    setup();
    let pool = pool(3);
    let n = size(1 << 13, 1 << 5);
    // The leftmost leaf is an `a` at every level, the rightmost a `b` at
    // every level, and the others mix both.
    let leaves = [0, n - 1, n / 2, n / 2 - 1, n / 3, 2 * n / 3 + 1];
    for leaf in leaves.into_iter().take(size(6, 3)) {
        let message = run_panicking_tree(&pool, n, &[leaf]);
        assert_eq!(message, format!("leaf {leaf} panicked (deliberate)"));
    }
}

#[test]
fn two_panicking_leaves_of_a_join_tree_resume_the_leftmost_payload() {
    setup();
    // `a`'s payload wins at every join, so the leftmost panic reaches the
    // root whichever threads ran the leaves and in whichever order.
    let pool = pool(3);
    let n = size(1 << 13, 1 << 5);
    let pairs = [[1, n - 2], [n / 2 - 1, n / 2], [n / 4, 3 * n / 4]];
    for pair in pairs.into_iter().take(size(3, 1)) {
        let message = run_panicking_tree(&pool, n, &pair);
        assert_eq!(message, format!("leaf {} panicked (deliberate)", pair[0]));
        let reversed = [pair[1], pair[0]];
        let message = run_panicking_tree(&pool, n, &reversed);
        assert_eq!(message, format!("leaf {} panicked (deliberate)", pair[0]));
    }
}

#[test]
fn panic_deep_in_a_join_tree_from_outside_propagates_after_every_other_leaf_ran() {
    setup();
    quiet_deliberate_panics();
    let n = size(1 << 12, 1 << 5);
    let ran: Vec<AtomicU8> = (0..n).map(|_| AtomicU8::new(0)).collect();
    let leaf = n / 2 + 3;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        panicking_tree(0, n, &[leaf], &ran);
    }));
    let payload = result.expect_err("a leaf panicked, so the tree must");
    assert_each_leaf_visited_once(&ran);
    assert_eq!(
        panic_message(&*payload),
        Some(format!("leaf {leaf} panicked (deliberate)").as_str())
    );
}

// ---------------------------------------------------------------------------
// Where joins come from
// ---------------------------------------------------------------------------

#[test]
fn join_from_four_external_threads_at_once_gives_each_its_result() {
    setup();
    let ns = [FIB_N, FIB_N - 1, FIB_N - 2, FIB_N - 3];
    let handles: Vec<_> = ns
        .iter()
        .map(|&n| thread::spawn(move || fib_join(n)))
        .collect();
    for (handle, n) in handles.into_iter().zip(ns) {
        assert_eq!(handle.join().unwrap(), fib_seq(n));
    }
}

#[test]
fn pool_join_from_four_external_threads_at_once_gives_each_its_result() {
    setup();
    let pool = pool(2);
    let ns = [FIB_N, FIB_N - 1, FIB_N - 2, FIB_N - 3];
    thread::scope(|s| {
        let handles: Vec<_> = ns
            .iter()
            .map(|&n| {
                let pool = &pool;
                s.spawn(move || pool.join(|| fib_join(n), || fib_join(n - 1)))
            })
            .collect();
        for (handle, n) in handles.into_iter().zip(ns) {
            assert_eq!(handle.join().unwrap(), (fib_seq(n), fib_seq(n - 1)));
        }
    });
}

#[test]
fn join_from_a_forkscope_scoped_thread_works() {
    setup();
    let (fib, index) = forkscope::scope(|s| {
        let handle = s.spawn(|| {
            // A scoped thread is not a pool worker: its join is a cold one.
            let index = forkscope::current_thread_index();
            (fib_join(FIB_N), index)
        });
        handle.join().unwrap()
    });
    assert_eq!(fib, fib_seq(FIB_N));
    assert_eq!(index, None);
}

#[test]
fn install_of_pool_b_inside_pool_a_runs_joins_on_b() {
    setup();
    let a = pool(2);
    let b = pool(3);
    let (outer, inner) = a.install(|| {
        let outer = (
            forkscope::current_num_threads(),
            forkscope::current_thread_index(),
        );
        let inner = b.install(|| {
            let here = (
                forkscope::current_num_threads(),
                forkscope::current_thread_index(),
            );
            (here, fib_join(FIB_N))
        });
        (outer, inner)
    });
    assert!(matches!(outer, (2, Some(0 | 1))), "{outer:?}");
    let ((threads, index), fib) = inner;
    assert_eq!(threads, 3);
    assert!(matches!(index, Some(0..=2)), "{index:?}");
    assert_eq!(fib, fib_seq(FIB_N));
}

#[test]
fn install_of_b_inside_a_inside_b_runs_joins_on_b() {
    setup();
    let a = pool(2);
    let b = pool(3);
    let (outer_b, in_a, inner_b, fib) = b.install(|| {
        let outer_b = forkscope::current_num_threads();
        a.install(|| {
            let in_a = forkscope::current_num_threads();
            let (inner_b, fib) = b.install(|| (forkscope::current_num_threads(), fib_join(FIB_N)));
            (outer_b, in_a, inner_b, fib)
        })
    });
    assert_eq!((outer_b, in_a, inner_b), (3, 2, 3));
    assert_eq!(fib, fib_seq(FIB_N));
}

#[test]
fn install_inside_install_of_the_same_pool_runs_inline() {
    setup();
    let pool = pool(2);
    let (outer, inner) = pool.install(|| {
        let outer = (forkscope::current_thread_index(), thread::current().id());
        let inner = pool.install(|| (forkscope::current_thread_index(), thread::current().id()));
        (outer, inner)
    });
    assert!(outer.0.is_some());
    assert_eq!(outer, inner, "a nested install stays on the same worker");
}

#[test]
fn pool_join_inside_its_own_install_stays_on_the_pool() {
    setup();
    let pool = pool(2);
    let (a, b) = pool.install(|| {
        pool.join(
            || {
                (
                    forkscope::current_num_threads(),
                    forkscope::current_thread_index(),
                )
            },
            || {
                (
                    forkscope::current_num_threads(),
                    forkscope::current_thread_index(),
                )
            },
        )
    });
    assert!(matches!(a, (2, Some(0 | 1))), "{a:?}");
    assert!(matches!(b, (2, Some(0 | 1))), "{b:?}");
}

// ---------------------------------------------------------------------------
// Pool sizes and configuration
// ---------------------------------------------------------------------------

/// Runs a join tree on `pool` and returns the worker indices its leaves saw.
fn leaf_indices(pool: &ThreadPool, n: usize) -> HashSet<Option<usize>> {
    fn tree(lo: usize, hi: usize, seen: &Mutex<HashSet<Option<usize>>>) {
        if hi - lo == 1 {
            std::hint::black_box(fib_seq(if cfg!(miri) { 2 } else { 10 }));
            seen.lock()
                .unwrap()
                .insert(forkscope::current_thread_index());
            return;
        }
        let mid = lo + (hi - lo) / 2;
        forkscope::join(|| tree(lo, mid, seen), || tree(mid, hi, seen));
    }
    let seen = Mutex::new(HashSet::new());
    pool.install(|| tree(0, n, &seen));
    seen.into_inner().unwrap()
}

#[test]
fn pool_of_one_thread_runs_joins_correctly_on_worker_zero() {
    setup();
    let pool = pool(1);
    assert_eq!(pool.current_num_threads(), 1);
    let (threads, index, fib) = pool.install(|| {
        (
            forkscope::current_num_threads(),
            forkscope::current_thread_index(),
            fib_join(FIB_N),
        )
    });
    assert_eq!((threads, index, fib), (1, Some(0), fib_seq(FIB_N)));
    assert_eq!(
        leaf_indices(&pool, size(1024, 16)),
        HashSet::from([Some(0)])
    );
    assert_eq!(pool.join(|| 1, || 2), (1, 2));
}

#[test]
fn pool_of_three_threads_reports_its_size_and_indices_in_range() {
    setup();
    let pool = pool(3);
    assert_eq!(pool.current_num_threads(), 3);
    let (threads, index, fib) = pool.install(|| {
        (
            forkscope::current_num_threads(),
            forkscope::current_thread_index(),
            fib_join(FIB_N),
        )
    });
    assert_eq!(threads, 3);
    assert!(matches!(index, Some(0..=2)), "{index:?}");
    assert_eq!(fib, fib_seq(FIB_N));
    let seen = leaf_indices(&pool, size(4096, 16));
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|i| matches!(i, Some(0..=2))), "{seen:?}");
}

#[test]
fn pool_with_zero_threads_uses_available_parallelism() {
    setup();
    let pool = pool(0);
    let expected = common::backend().available_parallelism();
    assert_eq!(pool.current_num_threads(), expected);
    assert_eq!(pool.install(forkscope::current_num_threads), expected);
}

#[test]
fn current_num_threads_outside_any_pool_is_the_global_pools_size() {
    setup();
    let expected = common::backend().available_parallelism();
    assert_eq!(forkscope::current_num_threads(), expected);
    assert_eq!(forkscope::current_thread_index(), None);
}

#[test]
#[cfg_attr(miri, ignore = "thread names are not part of what Miri checks")]
fn thread_name_is_visible_to_work_on_the_workers() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name(|i| format!("join-test-{i}"))
        .build()
        .unwrap();
    let (name, index) = pool.install(|| {
        let name = common::current_thread_name();
        (name, forkscope::current_thread_index())
    });
    let index = index.expect("install runs on a worker");
    assert_eq!(name, Some(format!("join-test-{index}")));

    let (a, b) = pool.join(common::current_thread_name, common::current_thread_name);
    for name in [a, b] {
        let name = name.expect("workers are named");
        assert!(name.starts_with("join-test-"), "{name}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri does not model stack sizes")]
fn stack_size_is_given_to_the_workers() {
    setup();
    /// Uses a little over 16 KiB of stack per level.
    fn deep(level: u64) -> u64 {
        let mut buf = [0u8; 16 * 1024];
        buf[100] = level as u8;
        std::hint::black_box(&mut buf);
        if level == 0 {
            return 0;
        }
        deep(level - 1) + u64::from(buf[100])
    }
    // About 4 MiB of frames: more than std's 2 MiB default, far less than
    // the 64 MiB asked for.
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .stack_size(64 << 20)
        .build()
        .unwrap();
    assert_eq!(pool.install(|| deep(255)), (1..=255).sum::<u64>());
}

// ---------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------

/// Drops `pool` and checks that the drop returns (waits for the workers,
/// which leave their sleep or spin promptly).
fn drop_in_time(pool: common::pools::TestPool) {
    let start = Instant::now();
    drop(pool);
    assert!(
        start.elapsed() < PATIENCE,
        "dropping the pool took {:?}",
        start.elapsed()
    );
}

#[test]
fn pool_dropped_right_after_build_shuts_down() {
    setup();
    drop_in_time(pool(2));
}

#[test]
fn pool_dropped_while_idle_shuts_down() {
    setup();
    let pool = pool(2);
    assert_eq!(pool.join(|| 1, || 2), (1, 2));
    // Long enough for both workers to go from spinning to sleeping.
    thread::sleep(Duration::from_millis(if cfg!(miri) { 5 } else { 100 }));
    drop_in_time(pool);
}

#[test]
fn pool_dropped_right_after_work_shuts_down() {
    setup();
    let pool = pool(2);
    assert_eq!(pool.install(|| fib_join(FIB_N)), fib_seq(FIB_N));
    drop_in_time(pool);
}

#[test]
fn pool_dropped_on_another_thread_shuts_down() {
    setup();
    let pool = pool(3);
    assert_eq!(pool.install(|| fib_join(FIB_N)), fib_seq(FIB_N));
    thread::spawn(move || drop_in_time(pool)).join().unwrap();
}

#[test]
#[cfg_attr(miri, ignore = "reads /proc")]
fn dropping_a_pool_stops_its_worker_threads() {
    setup();
    // The workers' names let us find their threads in /proc and watch them
    // go away.
    let pool = ThreadPoolBuilder::new()
        .num_threads(3)
        .thread_name(|i| format!("jt-stop-{i}"))
        .build()
        .unwrap();
    assert_eq!(pool.install(|| fib_join(FIB_N)), fib_seq(FIB_N));
    let deadline = Instant::now() + PATIENCE;
    while threads_named("jt-stop-").len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the workers never showed up in /proc"
        );
        thread::sleep(Duration::from_millis(1));
    }
    drop(pool);
    // After the drop every worker has left its loop; give the threads a moment
    // to finish exiting.
    while !threads_named("jt-stop-").is_empty() {
        assert!(
            Instant::now() < deadline,
            "workers still alive after the pool's drop"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn many_pools_created_and_dropped_in_turn_never_hang() {
    setup();
    let start = Instant::now();
    for i in 0..size(50, 5) {
        let pool = pool(1 + i % 3);
        assert_eq!(pool.join(|| i, || i + 1), (i, i + 1));
        if i % 2 == 0 {
            assert_eq!(pool.install(|| fib_join(10)), 55);
        }
        drop(pool);
    }
    assert!(
        start.elapsed() < PATIENCE * 3,
        "50 pools took {:?}",
        start.elapsed()
    );
}

/// The binary's backend (`common::backend`), except that it refuses to start
/// the `FAIL_AT`-th thread it is asked for, and counts how many of the
/// threads it started have finished.
struct RefusingBackend;

static REFUSING_SPAWNS: AtomicU32 = AtomicU32::new(0);
static REFUSING_FINISHED: AtomicU32 = AtomicU32::new(0);
const FAIL_AT: u32 = 2;

impl Backend for RefusingBackend {
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        if REFUSING_SPAWNS.fetch_add(1, Ordering::SeqCst) + 1 == FAIL_AT {
            return Err(SpawnError::Refused("test refuses".into()));
        }
        common::backend().spawn(
            spec,
            Box::new(move || {
                main();
                REFUSING_FINISHED.fetch_add(1, Ordering::SeqCst);
            }),
        )
    }
    fn wait(&self, word: &std::sync::atomic::AtomicU32, expected: u32) {
        common::backend().wait(word, expected)
    }
    fn wait_timeout(&self, word: &std::sync::atomic::AtomicU32, expected: u32, nanos: u64) {
        common::backend().wait_timeout(word, expected, nanos)
    }
    fn wake_one(&self, word: &std::sync::atomic::AtomicU32) {
        common::backend().wake_one(word)
    }
    fn wake_all(&self, word: &std::sync::atomic::AtomicU32) {
        common::backend().wake_all(word)
    }
    fn yield_now(&self) {
        common::backend().yield_now()
    }
    fn slot(&self) -> usize {
        common::backend().slot()
    }
    fn set_slot(&self, value: usize) {
        common::backend().set_slot(value)
    }
    fn available_parallelism(&self) -> usize {
        2
    }
    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), forkscope::Payload> {
        common::backend().catch_unwind(f)
    }
    fn resume_unwind(&self, payload: forkscope::Payload) -> ! {
        common::backend().resume_unwind(payload)
    }
    fn now_nanos(&self) -> Option<u64> {
        common::backend().now_nanos()
    }
}

#[test]
fn build_that_cannot_start_a_worker_fails_and_stops_the_started_ones() {
    setup();
    static BACKEND: RefusingBackend = RefusingBackend;
    let result = ThreadPoolBuilder::new()
        .num_threads(3)
        .backend(&BACKEND)
        .build();
    match result {
        Err(SpawnError::Refused(why)) => assert_eq!(why, "test refuses"),
        other => panic!("expected a refused spawn, got {other:?}"),
    }
    // Worker 0 was started, worker 1 refused, worker 2 never asked for.
    assert_eq!(REFUSING_SPAWNS.load(Ordering::SeqCst), 2);
    let deadline = Instant::now() + PATIENCE;
    while REFUSING_FINISHED.load(Ordering::SeqCst) < 1 {
        assert!(Instant::now() < deadline, "the started worker never left");
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn pool_on_an_explicit_backend_runs_joins() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .backend(common::backend())
        .build()
        .unwrap();
    assert_eq!(pool.install(|| fib_join(FIB_N)), fib_seq(FIB_N));
    let (index, threads) = pool.install(|| {
        (
            forkscope::current_thread_index(),
            forkscope::current_num_threads(),
        )
    });
    assert!(matches!(index, Some(0 | 1)), "{index:?}");
    assert_eq!(threads, 2);
    // Without `std` forkscope finds a worker through the backend's slot
    // (with `std`, through a thread-local of its own).
    if cfg!(not(feature = "std")) {
        assert_ne!(pool.install(|| common::backend().slot()), 0);
        assert_eq!(
            common::backend().slot(),
            0,
            "the caller's slot is untouched"
        );
    }
}

// ---------------------------------------------------------------------------
// Parallelism and idleness
// ---------------------------------------------------------------------------

/// `join` on a 2-thread pool where `a` cannot finish until `b` has started:
/// `b` must run on the other worker, in parallel. `a` keeps joining tiny
/// pairs while it waits (the spinning variant without joins is in
/// `tests/scheduler.rs`); `b`'s frame, published by the outermost join,
/// must still be the one handed out.
fn b_runs_in_parallel_while_a_waits(pool: &ThreadPool) {
    let b_started = AtomicBool::new(false);
    let (a_thread, b_thread) = pool.install(|| {
        forkscope::join(
            || {
                let deadline = Instant::now() + PATIENCE;
                while !b_started.load(Ordering::SeqCst) {
                    assert!(
                        Instant::now() < deadline,
                        "b did not start on the other worker within {PATIENCE:?}"
                    );
                    forkscope::join(std::hint::spin_loop, std::hint::spin_loop);
                }
                thread::current().id()
            },
            || {
                b_started.store(true, Ordering::SeqCst);
                thread::current().id()
            },
        )
    });
    assert_ne!(a_thread, b_thread, "b ran on another thread than a");
}

#[test]
fn join_hands_b_to_the_other_worker_while_a_waits_for_it() {
    setup();
    let pool = pool(2);
    b_runs_in_parallel_while_a_waits(&pool);
    // Again, with the pool warmed up.
    for _ in 0..size(10, 2) {
        b_runs_in_parallel_while_a_waits(&pool);
    }
}

#[test]
fn join_recruits_a_sleeping_worker_for_b_while_a_waits_for_it() {
    setup();
    let pool = pool(2);
    assert_eq!(pool.join(|| 1, || 2), (1, 2));
    // Let both workers go to sleep: the job's start wakes one, which
    // watches for the published `b`.
    thread::sleep(Duration::from_millis(if cfg!(miri) { 5 } else { 100 }));
    b_runs_in_parallel_while_a_waits(&pool);
}

/// The `/proc/self/task/<tid>` directories of this process's threads whose
/// name starts with `prefix`.
fn threads_named(prefix: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap() {
        let dir = entry.unwrap().path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end().starts_with(prefix) {
            found.push(dir);
        }
    }
    found
}

/// The CPU time in nanoseconds `threads` have used, from their `schedstat`.
fn cpu_nanos_of(threads: &[std::path::PathBuf]) -> u64 {
    threads
        .iter()
        .map(|dir| {
            let stat = std::fs::read_to_string(dir.join("schedstat")).unwrap_or_default();
            stat.split_whitespace()
                .next()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum()
}

/// The CPU time (user + system) the whole process has used.
fn process_cpu_nanos() -> u64 {
    // SAFETY: getrusage writes a `rusage` into the zeroed struct we own.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let nanos = |tv: libc::timeval| tv.tv_sec as u64 * 1_000_000_000 + tv.tv_usec as u64 * 1_000;
    nanos(usage.ru_utime) + nanos(usage.ru_stime)
}

#[test]
#[cfg_attr(miri, ignore = "measures real CPU time")]
fn idle_pool_sleeps_instead_of_spinning() {
    setup();
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name(|i| format!("jt-idle-{i}"))
        .build()
        .unwrap();
    assert_eq!(pool.install(|| fib_join(25)), 75_025);
    assert_eq!(pool.join(|| fib_join(20), || fib_join(21)), (6765, 10946));
    // Let the workers spin down and fall asleep.
    thread::sleep(Duration::from_millis(200));
    let workers = threads_named("jt-idle-");
    assert_eq!(workers.len(), 2, "both workers found in /proc: {workers:?}");

    let (pool_before, process_before) = (cpu_nanos_of(&workers), process_cpu_nanos());
    thread::sleep(Duration::from_secs(1));
    let (pool_after, process_after) = (cpu_nanos_of(&workers), process_cpu_nanos());

    assert!(
        pool_before > 0,
        "the workers' CPU time is readable (they ran fib)"
    );
    let pool_used = pool_after - pool_before;
    // The whole process also runs this binary's other tests concurrently, so
    // its number is only printed.
    eprintln!(
        "idle 2-worker pool over 1 s: workers used {:.3} ms CPU (whole process {:.3} ms)",
        pool_used as f64 / 1e6,
        (process_after - process_before) as f64 / 1e6,
    );
    assert!(
        pool_used < 50_000_000,
        "an idle pool used {pool_used} ns of CPU in 1 s: its workers spin instead of sleeping"
    );
    // And it still works after sleeping.
    assert_eq!(pool.install(|| fib_join(FIB_N)), fib_seq(FIB_N));
}

// ---------------------------------------------------------------------------
// A wake-up across pools
// ---------------------------------------------------------------------------

/// The backend of pool A in `cross_pool_wake_up_keeps_the_waiting_pools_parker_alive`:
/// the binary's backend (`common::backend`), except that its `wait` wakes up every millisecond (spurious
/// wake-ups are allowed), that it reports when A's worker parks, and that a
/// `wake_one` made by a thread of pool B is held until A is gone and then
/// touches its word, as a futex wake would.
struct HoldingBackend;

static XPOOL_A_PARKED: AtomicBool = AtomicBool::new(false);
static XPOOL_A_EXITED: AtomicBool = AtomicBool::new(false);
static XPOOL_A_GONE: AtomicBool = AtomicBool::new(false);
static XPOOL_WAKE_HELD: AtomicBool = AtomicBool::new(false);
static XPOOL_WAKE_DONE: AtomicBool = AtomicBool::new(false);

fn thread_name_starts_with(prefix: &str) -> bool {
    common::current_thread_name().is_some_and(|n| n.starts_with(prefix))
}

impl Backend for HoldingBackend {
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        common::backend().spawn(
            spec,
            Box::new(move || {
                main();
                XPOOL_A_EXITED.store(true, Ordering::SeqCst);
            }),
        )
    }
    fn wait(&self, word: &std::sync::atomic::AtomicU32, expected: u32) {
        if thread_name_starts_with("xpool-a-") {
            XPOOL_A_PARKED.store(true, Ordering::SeqCst);
        }
        common::backend().wait_timeout(word, expected, 1_000_000)
    }
    fn wait_timeout(&self, word: &std::sync::atomic::AtomicU32, expected: u32, nanos: u64) {
        common::backend().wait_timeout(word, expected, nanos.min(1_000_000))
    }
    fn wake_one(&self, word: &std::sync::atomic::AtomicU32) {
        if thread_name_starts_with("xpool-b-") {
            // B's worker wakes A's worker, which waits for B's job. Hold the
            // wake-up until A has been dropped and its worker has exited.
            XPOOL_WAKE_HELD.store(true, Ordering::SeqCst);
            let deadline = Instant::now() + PATIENCE;
            while !XPOOL_A_GONE.load(Ordering::SeqCst) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(1));
            }
            // A futex wake needs the word to be alive. Miri reports the read
            // if the word's memory is gone (natively it would be UB, so only
            // Miri reads).
            if cfg!(miri) {
                let _ = word.load(Ordering::SeqCst);
            }
            common::backend().wake_one(word);
            XPOOL_WAKE_DONE.store(true, Ordering::SeqCst);
            return;
        }
        common::backend().wake_one(word)
    }
    fn wake_all(&self, word: &std::sync::atomic::AtomicU32) {
        common::backend().wake_all(word)
    }
    fn yield_now(&self) {
        common::backend().yield_now()
    }
    fn slot(&self) -> usize {
        common::backend().slot()
    }
    fn set_slot(&self, value: usize) {
        common::backend().set_slot(value)
    }
    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), forkscope::Payload> {
        common::backend().catch_unwind(f)
    }
    fn resume_unwind(&self, payload: forkscope::Payload) -> ! {
        common::backend().resume_unwind(payload)
    }
    fn now_nanos(&self) -> Option<u64> {
        common::backend().now_nanos()
    }
}

/// A worker of pool A calls `b.install`: it waits for B's job on a latch and
/// sleeps on its own parker, which lives in A's registry; B's worker sets the
/// latch and then unparks that parker. The waiting worker can leave its park
/// between the unparker's state swap and its futex wake (a spurious or timed
/// wake-up sees the swapped state), so A can return, be dropped, and have its
/// registry freed while B's worker still has the parker's address: the
/// waker must keep A's registry alive across the wake (as rayon's cross-pool
/// `SpinLatch` does with an `Arc` clone), see `sync`'s module docs.
///
/// The backend above makes that window wide: B's wake-up is held until A is
/// gone, then touches the word. Only Miri can see a use-after-free there
/// (natively the test only checks that the wake-up happens and nothing
/// hangs); Miri reported one before the waker took an `Arc` of A's registry.
#[test]
fn cross_pool_wake_up_keeps_the_waiting_pools_parker_alive() {
    setup();
    static BACKEND: HoldingBackend = HoldingBackend;
    let b = ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|i| format!("xpool-b-{i}"))
        .build()
        .unwrap();
    let a = ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|i| format!("xpool-a-{i}"))
        .backend(&BACKEND)
        .build()
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    let r = a.install(|| {
        XPOOL_A_PARKED.store(false, Ordering::SeqCst);
        b.install(|| {
            // Finish only once A's worker sleeps on this job's latch, so
            // that finishing it wakes A's worker through its parker.
            while !XPOOL_A_PARKED.load(Ordering::SeqCst) {
                assert!(Instant::now() < deadline, "A's worker never parked");
                thread::sleep(Duration::from_millis(1));
            }
            7
        })
    });
    assert_eq!(r, 7);
    drop(a);
    while !XPOOL_A_EXITED.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "A's worker never exited");
        thread::sleep(Duration::from_millis(1));
    }
    // A's pool is dropped and its worker thread has finished: nothing of
    // A's is alive unless B's worker keeps it so.
    XPOOL_A_GONE.store(true, Ordering::SeqCst);
    assert!(
        XPOOL_WAKE_HELD.load(Ordering::SeqCst),
        "B's worker woke A's through A's backend"
    );
    while !XPOOL_WAKE_DONE.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "B's wake-up never finished");
        thread::sleep(Duration::from_millis(1));
    }
}

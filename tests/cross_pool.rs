//! Pools that call into each other: a worker blocked on another pool keeps
//! working for its own, so single-thread pools cannot deadlock.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::setup;
use forkscope::ThreadPoolBuilder;

#[test]
fn single_thread_pools_calling_back_into_each_other_do_not_deadlock() {
    setup();
    let a = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    // a's only worker waits for b, whose job needs a's only worker again.
    let r = a.install(|| {
        let outer = forkscope::current_thread_index();
        b.install(|| a.install(|| (outer, forkscope::current_thread_index(), 40 + 2)))
    });
    assert_eq!(r, (Some(0), Some(0), 42));
}

#[test]
fn join_inside_a_cross_pool_callback_uses_the_inner_pool() {
    setup();
    let a = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    fn fib(n: u64) -> u64 {
        if n < 2 {
            return n;
        }
        let (x, y) = forkscope::join(|| fib(n - 1), || fib(n - 2));
        x + y
    }
    let n = if cfg!(miri) { 8 } else { 22 };
    let r = a.install(|| {
        b.install(|| {
            assert_eq!(forkscope::current_num_threads(), 2);
            a.install(|| {
                assert_eq!(forkscope::current_num_threads(), 1);
                fib(n)
            }) + fib(n)
        })
    });
    assert_eq!(r, 2 * fib(n));
}

#[test]
fn a_panic_crossing_pools_reaches_the_caller() {
    setup();
    let a = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        a.install(|| b.install(|| -> u32 { panic!("from b") }))
    }));
    let payload = caught.expect_err("the panic crossed both pools");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"from b"));
    // Both pools still work.
    assert_eq!(a.install(|| b.install(|| 7)), 7);
}

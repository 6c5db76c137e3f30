//! What the iterator test files share: the sizes, the pools and places
//! every check runs in, test data, and panic catching.
#![allow(dead_code)]

use super::pools::{TestPool, pool};
use std::panic::{self, AssertUnwindSafe};

/// The input sizes every check runs on (smaller under Miri).
pub const SIZES: &[usize] = if cfg!(miri) {
    &[0, 1, 2, 3, 7, 64]
} else {
    &[0, 1, 2, 3, 7, 64, 1000, 100_003]
};

/// Pools of 1, 2 and 3 threads (got as `FORKSCOPE_TEST_POOLS` says, see
/// `pools.rs`).
pub fn pools() -> Vec<TestPool> {
    [1, 2, 3].into_iter().map(pool).collect()
}

/// Runs `check` from outside any pool and inside pools of 1, 2 and 3.
pub fn everywhere(check: impl Fn() + Sync) {
    check();
    for pool in pools() {
        pool.install(&check);
    }
}

/// `n` scrambled values below 2^24.
pub fn values(n: usize) -> Vec<u64> {
    (0..n as u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40)
        .collect()
}

/// Runs `f`, catching a panic.
pub fn quiet<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    panic::catch_unwind(AssertUnwindSafe(f))
}

/// Uses a value, whatever it is.
pub fn sink<T>(x: T) {
    std::hint::black_box(x);
}

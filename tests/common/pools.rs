//! The pools the join and iterator tests run on, in one of three ways,
//! chosen by the environment variable `FORKSCOPE_TEST_POOLS`:
//!
//! - unset (or `started`): the pool starts its own threads;
//! - `donated`: the pool starts none (`donated_threads(n)`), and `n` threads
//!   the test starts itself are donated to it (`DonationHandle`), as a
//!   runtime hands over threads it created;
//! - `current`: seat 0 is the install seat (`use_current_thread`), so the
//!   test thread is worker 0 while it is in `install`, and the pool starts
//!   one thread fewer.
//!
//! `.ci/run` runs `tests/join.rs` and `tests/iter.rs` in all three ways.

use forkscope::{DonateError, ThreadPool, ThreadPoolBuilder};
use std::ops::Deref;
use std::thread::JoinHandle;

/// A pool for the tests; derefs to the [`ThreadPool`]. Dropping it drops
/// the pool, then waits for its donated threads to return.
pub struct TestPool {
    pool: Option<ThreadPool>,
    donors: Vec<JoinHandle<Result<(), DonateError>>>,
}

impl Deref for TestPool {
    type Target = ThreadPool;
    fn deref(&self) -> &ThreadPool {
        self.pool.as_ref().expect("the pool lives until drop")
    }
}

impl Drop for TestPool {
    fn drop(&mut self) {
        drop(self.pool.take());
        for donor in self.donors.drain(..) {
            let result = donor.join().expect("a donated thread panicked");
            // (A thread that arrives after the pool was dropped, e.g. by a
            // test that drops it right after building it, finds it shut.)
            if !std::thread::panicking() {
                assert!(
                    matches!(result, Ok(()) | Err(DonateError::ShutDown)),
                    "a donated thread was turned away: {result:?}"
                );
            }
        }
    }
}

/// How the test pools get their threads (see the module docs).
fn mode() -> String {
    std::env::var("FORKSCOPE_TEST_POOLS").unwrap_or_default()
}

/// A pool of `n` threads, got as `FORKSCOPE_TEST_POOLS` says.
pub fn pool(n: usize) -> TestPool {
    let builder = ThreadPoolBuilder::new().num_threads(n);
    match mode().as_str() {
        "" | "started" => TestPool {
            pool: Some(builder.build().expect("pool started")),
            donors: Vec::new(),
        },
        "current" => TestPool {
            pool: Some(builder.use_current_thread().build().expect("pool started")),
            donors: Vec::new(),
        },
        "donated" => {
            let pool = builder.donated_threads(n).build().expect("pool built");
            let handle = pool.donation_handle();
            let donors = (0..n)
                .map(|_| {
                    let handle = handle.clone();
                    std::thread::spawn(move || handle.donate_current_thread())
                })
                .collect();
            TestPool {
                pool: Some(pool),
                donors,
            }
        }
        other => panic!("FORKSCOPE_TEST_POOLS={other:?}: expected started, donated or current"),
    }
}

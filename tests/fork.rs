//! forkscope in a child made by `fork()`: the parent's cached threads and
//! pool workers do not exist there, so scopes must start fresh threads,
//! `join` and parallel iterators must get a new global pool, and a pool built
//! before the fork must panic when used, never hang.
//!
//! Runs without the test harness (`harness = false` in Cargo.toml): a fork
//! from a process whose only other threads are forkscope's. The parent uses
//! scope, join, a parallel iterator and a pool of its own, forks, and waits
//! for the child with a deadline (killing it and failing if it hangs); the
//! child runs the checks and reports through its exit code. The child also
//! forks a grandchild of its own, so that a second generation is checked too.

#[cfg(unix)]
fn main() {
    imp::main();
}

#[cfg(not(unix))]
fn main() {
    println!("fork: not a Unix platform, nothing to test");
}

#[cfg(unix)]
mod imp {
    use forkscope::prelude::*;
    use forkscope::{Builder, ThreadPool, ThreadPoolBuilder, scope};
    use std::any::Any;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    /// How long a child may take before it counts as hung. Generous: the
    /// machine is shared; a working child takes milliseconds.
    const PATIENCE: Duration = Duration::from_secs(60);
    /// Spawns that wait for each other, so that as many threads exist at once.
    const SPAWNS: usize = 4;

    pub(super) fn main() {
        // Parent: fill the thread cache with idle threads, start the global
        // pool and a pool of our own.
        exercise("parent before fork");
        let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        assert_eq!(pool.install(|| fib(15)), 610);

        let status = fork_and_wait(|| child(&pool));
        assert_eq!(status, 0, "the child failed (exit status {status})");

        // The parent's threads and pool are untouched by the fork.
        exercise("parent after fork");
        assert_eq!(pool.install(|| fib(15)), 610);
        drop(pool);
        println!("fork: ok");
    }

    /// The forked child's checks; returns its exit code.
    fn child(parent_pool: &ThreadPool) -> i32 {
        if let Err(why) = run("child", || exercise("child")) {
            eprintln!("child: {why}");
            return 1;
        }
        // The parent's pool has no workers here: using it panics, saying
        // why, and dropping it does not wait for them.
        let install = panic::catch_unwind(AssertUnwindSafe(|| parent_pool.install(|| 1)));
        match install {
            Ok(_) => {
                eprintln!("child: the parent's pool ran a job without workers");
                return 2;
            }
            Err(payload) => {
                let message = message(&*payload);
                if !message.contains("fork") {
                    eprintln!("child: unexpected panic from the parent's pool: {message}");
                    return 3;
                }
            }
        }
        // A pool built in the child works.
        let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        if pool.install(|| fib(12)) != 144 {
            eprintln!("child: wrong result from a pool built in the child");
            return 4;
        }
        drop(pool);
        // A second generation: the child's own state does not survive its
        // fork either.
        let status = fork_and_wait(|| match run("grandchild", || exercise("grandchild")) {
            Ok(()) => 0,
            Err(why) => {
                eprintln!("grandchild: {why}");
                1
            }
        });
        if status != 0 {
            eprintln!("child: the grandchild failed (exit status {status})");
            return 5;
        }
        // And the child's state is still usable after it forked.
        match run("child after its fork", || exercise("child after its fork")) {
            Ok(()) => 0,
            Err(why) => {
                eprintln!("child: {why}");
                6
            }
        }
    }

    /// Scoped spawns that need `SPAWNS` threads at once, a named spawn,
    /// `join` from outside any pool and a parallel iterator; panics on a
    /// wrong result.
    fn exercise(who: &str) {
        let barrier = Barrier::new(SPAWNS);
        let ran = AtomicUsize::new(0);
        let sum: usize = scope(|s| {
            let handles: Vec<_> = (0..SPAWNS)
                .map(|i| {
                    let (barrier, ran) = (&barrier, &ran);
                    s.spawn(move || {
                        barrier.wait();
                        ran.fetch_add(1, Ordering::SeqCst);
                        i
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(sum, (0..SPAWNS).sum::<usize>(), "{who}: scope results");
        assert_eq!(ran.load(Ordering::SeqCst), SPAWNS, "{who}: spawns run");

        let name = scope(|s| {
            let h = Builder::new()
                .name("fork-named".into())
                .spawn_scoped(s, || thread::current().name().map(str::to_owned))
                .unwrap();
            assert_eq!(h.thread().name(), Some("fork-named"), "{who}: handle name");
            h.join().unwrap()
        });
        assert_eq!(name.as_deref(), Some("fork-named"), "{who}: thread name");

        assert_eq!(fib(18), 2584, "{who}: join");
        let (a, b) = forkscope::join(|| fib(10), || fib(11));
        assert_eq!((a, b), (55, 89), "{who}: cold join");
        let total: u64 = (0..100_000u64).into_par_iter().map(|x| x % 7).sum();
        let expected: u64 = (0..100_000u64).map(|x| x % 7).sum();
        assert_eq!(total, expected, "{who}: parallel iterator");
        assert!(forkscope::current_num_threads() >= 1);
    }

    fn fib(n: u64) -> u64 {
        if n < 2 {
            return n;
        }
        let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
        a + b
    }

    /// Runs `f`, turning a panic into its message.
    fn run(who: &str, f: impl FnOnce()) -> Result<(), String> {
        panic::catch_unwind(AssertUnwindSafe(f))
            .map_err(|payload| format!("{who} panicked: {}", message(&*payload)))
    }

    fn message(payload: &(dyn Any + Send)) -> String {
        payload
            .downcast_ref::<&'static str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "<non-string payload>".into())
    }

    /// Forks; the child runs `child` and exits with its code (without
    /// running the parent's exit handlers or flushing its buffers). The
    /// parent waits for it, kills it if it is not done within `PATIENCE`,
    /// and returns its exit status (-1 if it did not exit normally).
    fn fork_and_wait(child: impl FnOnce() -> i32) -> i32 {
        // SAFETY: the only threads besides this one are forkscope's, which
        // hold no lock the child needs: the child uses fresh forkscope state,
        // and glibc's fork keeps malloc usable in the child.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed: {}", std::io::Error::last_os_error());
        if pid == 0 {
            // Expected panics are caught and reported by the checks.
            panic::set_hook(Box::new(|_| {}));
            let code = panic::catch_unwind(AssertUnwindSafe(child)).unwrap_or(100);
            // SAFETY: ends the child at once, which is all we want of it.
            unsafe { libc::_exit(code) };
        }
        let deadline = Instant::now() + PATIENCE;
        let mut status = 0;
        loop {
            // SAFETY: waits for our own child, writing into a local.
            let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            assert!(done >= 0, "waitpid: {}", std::io::Error::last_os_error());
            if done == pid {
                break;
            }
            if Instant::now() > deadline {
                // SAFETY: kills and reaps our own child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut status, 0);
                }
                panic!("the forked child hung (killed after {PATIENCE:?})");
            }
            thread::sleep(Duration::from_millis(5));
        }
        if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        }
    }
}

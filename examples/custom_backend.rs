//! A `forkscope::Backend` written the way a runtime author would write one,
//! without `std::thread`: raw pthreads, the Linux futex syscall, a pthread
//! key for the per-thread word and `CLOCK_MONOTONIC`, all through `libc`.
//!
//! ```text
//! cargo run --example custom_backend
//! cargo run --example custom_backend --no-default-features   # forkscope without std
//! ```
//!
//! `main` installs the backend before anything else touches forkscope, then
//! runs scoped threads that borrow local data, a `join` recursion and a
//! parallel iterator on it, checks each result against sequential code, and
//! prints how often forkscope called each backend method.
//!
//! `docs/embedding.md` explains every method's contract; the comment on
//! each method below says why it is written the way it is. Linux only (the
//! futex); on other systems the example only says so.

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("custom_backend: this example waits on the Linux futex; run it on Linux");
}

#[cfg(target_os = "linux")]
mod linux {
    use forkscope::prelude::*;
    use forkscope::{Backend, Payload, SpawnError, ThreadSpec};
    use std::ffi::{CString, c_void};
    use std::panic::{self, AssertUnwindSafe};
    use std::ptr;
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

    /// The runtime's backend. All its state is process-wide; the counters
    /// are only there to print what forkscope asked for.
    struct Runtime {
        spawns: AtomicUsize,
        waits: AtomicUsize,
        wakes: AtomicUsize,
        slot_reads: AtomicUsize,
    }

    /// forkscope keeps a `&'static dyn Backend`, so the backend is a static.
    static RUNTIME: Runtime = Runtime {
        spawns: AtomicUsize::new(0),
        waits: AtomicUsize::new(0),
        wakes: AtomicUsize::new(0),
        slot_reads: AtomicUsize::new(0),
    };

    /// Counts one call. Relaxed: these are statistics, read once at the end;
    /// they order nothing.
    fn count(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// What a new thread gets through `pthread_create`'s one `void *`: the
    /// closure forkscope handed us and the name to give the thread.
    struct Start {
        main: Box<dyn FnOnce() + Send>,
        name: Option<CString>,
    }

    /// The first function of every thread the backend starts.
    extern "C" fn thread_start(arg: *mut c_void) -> *mut c_void {
        // SAFETY: `arg` is the `Box<Start>` that `spawn` leaked; its
        // ownership passed to this thread when pthread_create succeeded.
        let start = unsafe { Box::from_raw(arg.cast::<Start>()) };
        if let Some(name) = &start.name {
            // Cosmetic (it shows in `top` and debuggers), so errors are
            // ignored.
            // SAFETY: this live thread, a C string of at most 15 bytes that
            // outlives the call.
            unsafe { libc::pthread_setname_np(libc::pthread_self(), name.as_ptr()) };
        }
        // forkscope runs every user closure inside `Backend::catch_unwind`
        // (implemented below), so `main` does not unwind; if it ever did, unwinding out of this
        // `extern "C"` function aborts the process, a safe outcome.
        (start.main)();
        ptr::null_mut()
    }

    /// Linux keeps thread names of at most 15 bytes: cut on a char boundary,
    /// before any NUL.
    fn thread_name(name: &str) -> Option<CString> {
        let name = name.split('\0').next().unwrap_or("");
        let mut end = name.len().min(15);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        CString::new(&name[..end]).ok()
    }

    /// pthreads rejects stacks below `PTHREAD_STACK_MIN` and, on some libcs,
    /// sizes that are not whole pages.
    fn stack_size(requested: usize) -> usize {
        // SAFETY: sysconf only reads a system constant.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
        requested
            .max(libc::PTHREAD_STACK_MIN)
            .next_multiple_of(page.max(1))
    }

    /// The pthread key of forkscope's per-thread word, created once. A key
    /// without destructor: the word is a plain number that owns nothing.
    fn slot_key() -> libc::pthread_key_t {
        static KEY: OnceLock<libc::pthread_key_t> = OnceLock::new();
        *KEY.get_or_init(|| {
            let mut key = 0;
            // SAFETY: `key` is a valid place for the new key.
            let rc = unsafe { libc::pthread_key_create(&mut key, None) };
            assert_eq!(rc, 0, "pthread_key_create failed");
            key
        })
    }

    fn futex(word: &AtomicU32, op: libc::c_int, value: u32, timeout: *const libc::timespec) {
        // SAFETY: FUTEX_WAIT reads the u32 at `word` (alive: we hold a
        // reference) and compares it with `value` atomically with going to
        // sleep; FUTEX_WAKE only uses the address as a key. `timeout` is null
        // or points to a live relative timeout. Errors (EAGAIN: the word had
        // changed; EINTR; ETIMEDOUT) need no handling: forkscope treats every
        // return from `wait` as a possible spurious wake-up and re-checks.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                op | libc::FUTEX_PRIVATE_FLAG,
                value,
                timeout,
            );
        }
    }

    impl Backend for Runtime {
        /// Called when forkscope needs a new thread: a pool worker (the global
        /// pool's on first use, a `ThreadPool`'s in `build`), or a thread for
        /// a scoped spawn when no cached thread is idle. The thread must run
        /// concurrently with the caller (never run `main` inline) and may block
        /// for as long as it likes; on error `main` must be dropped unrun.
        fn spawn(
            &self,
            spec: &ThreadSpec,
            main: Box<dyn FnOnce() + Send>,
        ) -> Result<(), SpawnError> {
            count(&self.spawns);
            let start = Box::new(Start {
                main,
                name: spec.name.as_deref().and_then(thread_name),
            });
            let arg = Box::into_raw(start).cast::<c_void>();
            let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
            let mut thread: libc::pthread_t = 0;
            // SAFETY: `attr` is initialized before use and destroyed once;
            // `thread_start` has the signature pthreads expects; on success
            // `arg`'s ownership passes to the new thread.
            let rc = unsafe {
                let mut rc = libc::pthread_attr_init(attr.as_mut_ptr());
                if rc == 0 {
                    if let Some(size) = spec.stack_size {
                        rc = libc::pthread_attr_setstacksize(attr.as_mut_ptr(), stack_size(size));
                    }
                    if rc == 0 {
                        rc = libc::pthread_create(&mut thread, attr.as_ptr(), thread_start, arg);
                    }
                    libc::pthread_attr_destroy(attr.as_mut_ptr());
                }
                rc
            };
            if rc != 0 {
                // SAFETY: no thread was created, so `arg` is still ours:
                // dropping it drops `main` unrun, as the contract asks.
                drop(unsafe { Box::from_raw(arg.cast::<Start>()) });
                let why = std::io::Error::from_raw_os_error(rc);
                return Err(SpawnError::Refused(format!("pthread_create: {why}")));
            }
            // forkscope never joins its threads (it tracks their work itself),
            // so detach: the thread's resources go when `main` returns.
            // SAFETY: `thread` was just created and nobody else joins it.
            unsafe { libc::pthread_detach(thread) };
            Ok(())
        }

        /// Every sleep in forkscope ends here: idle workers, idle cached
        /// threads, a scope waiting for its threads, a thread waiting for
        /// work it handed to the pool. A real futex, so that idle threads use
        /// no CPU (the default only spins).
        fn wait(&self, word: &AtomicU32, expected: u32) {
            count(&self.waits);
            futex(word, libc::FUTEX_WAIT, expected, ptr::null());
        }

        /// Idle cached threads wait with a timeout (then exit after a second
        /// idle), and so does the pool's watcher (every 50 µs while jobs
        /// run). The default waits without one.
        fn wait_timeout(&self, word: &AtomicU32, expected: u32, timeout_nanos: u64) {
            count(&self.waits);
            let timeout = libc::timespec {
                tv_sec: (timeout_nanos / 1_000_000_000).min(libc::time_t::MAX as u64)
                    as libc::time_t,
                tv_nsec: (timeout_nanos % 1_000_000_000) as libc::c_long,
            };
            futex(word, libc::FUTEX_WAIT, expected, &timeout);
        }

        /// forkscope calls this only on a word that stays alive for the whole
        /// call, and only when a thread announced that it sleeps.
        fn wake_one(&self, word: &AtomicU32) {
            count(&self.wakes);
            futex(word, libc::FUTEX_WAKE, 1, ptr::null());
        }

        fn wake_all(&self, word: &AtomicU32) {
            count(&self.wakes);
            futex(word, libc::FUTEX_WAKE, i32::MAX as u32, ptr::null());
        }

        /// Between spinning and sleeping forkscope yields: give the core to
        /// the thread we are waiting for.
        fn yield_now(&self) {
            // SAFETY: sched_yield has no preconditions.
            unsafe { libc::sched_yield() };
        }

        /// The calling thread's word, 0 on a thread that never set it (any
        /// thread: ours, `main`, or one some other library started). Read on
        /// every `join` when forkscope is built without `std` (with `std` it
        /// keeps the word in a `thread_local!` of its own and never calls
        /// this), so it must be cheap.
        fn slot(&self) -> usize {
            count(&self.slot_reads);
            // SAFETY: the key is valid (created once, never deleted).
            unsafe { libc::pthread_getspecific(slot_key()) }.addr()
        }

        fn set_slot(&self, value: usize) {
            // SAFETY: the key is valid; pthreads stores the value as an
            // opaque word and never dereferences it (no destructor).
            let rc =
                unsafe { libc::pthread_setspecific(slot_key(), ptr::without_provenance(value)) };
            assert_eq!(rc, 0, "pthread_setspecific failed");
        }

        /// The size of the global pool. The default is 1: a pool of one
        /// worker, where `join` runs `a` then `b`.
        fn available_parallelism(&self) -> usize {
            // SAFETY: sysconf only reads a system value.
            let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
            usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(1)
        }

        /// This program unwinds on panic, so forkscope must be able to catch
        /// a panic on the thread where it happened and resume it where the
        /// caller waits. (The default does not catch, which is right only for
        /// `panic = "abort"`.)
        fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
            panic::catch_unwind(AssertUnwindSafe(f))
        }

        fn resume_unwind(&self, payload: Payload) -> ! {
            panic::resume_unwind(payload)
        }

        /// A monotonic clock lets idle cached threads exit, bounds how long
        /// a waiter yields before it sleeps, and how long an iterator called
        /// from outside the pool runs on the caller before the pool joins in.
        fn now_nanos(&self) -> Option<u64> {
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: `ts` is a valid place for the result.
            let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
            (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
        }
    }

    fn fib(n: u64) -> u64 {
        if n < 2 {
            return n;
        }
        let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
        a + b
    }

    fn fib_sequential(n: u64) -> u64 {
        if n < 2 {
            n
        } else {
            fib_sequential(n - 1) + fib_sequential(n - 2)
        }
    }

    pub(super) fn main() {
        // First, before anything else uses forkscope: afterwards the global
        // backend is fixed (with the `std` feature, to `StdBackend`).
        forkscope::set_global_backend(&RUNTIME).expect("forkscope was not used yet");

        // Scoped threads borrowing the stack: four threads each count in a
        // quarter of `words` and write their own element of `counts`.
        let words: Vec<String> = (0..40_000).map(|i| format!("w{}", i % 97)).collect();
        let mut counts = [0usize; 4];
        forkscope::scope(|s| {
            for (chunk, count) in words.chunks(words.len() / 4).zip(&mut counts) {
                s.spawn(move || *count = chunk.iter().filter(|w| w.starts_with("w4")).count());
            }
            // A named thread with its own stack size goes to `spawn` directly
            // (cached threads have the default name and stack).
            let named = forkscope::Builder::new()
                .name("custom-named".into())
                .stack_size(256 * 1024)
                .spawn_scoped(s, || words.len())
                .expect("the backend started a thread");
            assert_eq!(named.join().unwrap(), words.len());
        });
        let expected = words.iter().filter(|w| w.starts_with("w4")).count();
        assert_eq!(counts.iter().sum::<usize>(), expected);
        println!("scope: 4 borrowing threads counted {counts:?} (sequential: {expected})");

        // Fork-join: the first `join` starts the global pool, one worker per
        // `available_parallelism`, through `spawn`.
        let n = 27;
        let f = fib(n);
        assert_eq!(f, fib_sequential(n));
        println!("join: fib({n}) = {f}, as sequentially");

        // A parallel iterator, checked against the sequential one.
        let values: Vec<u64> = (0..1_000_000).collect();
        let parallel: u64 = values.par_iter().map(|x| x % 1000 * 3).sum();
        let sequential: u64 = values.iter().map(|x| x % 1000 * 3).sum();
        assert_eq!(parallel, sequential);
        println!("par_iter().map().sum() over 1M items: {parallel}, as sequentially");

        let started = RUNTIME.spawns.load(Ordering::Relaxed);
        let workers = forkscope::current_num_threads();
        println!(
            "the backend started {started} threads: {workers} pool workers and {} for the 5 \
             scoped spawns (a cached thread whose spawn finished early runs a later one)",
            started - workers,
        );
        println!(
            "forkscope called wait {} times, wake {} times, slot {} times{}",
            RUNTIME.waits.load(Ordering::Relaxed),
            RUNTIME.wakes.load(Ordering::Relaxed),
            RUNTIME.slot_reads.load(Ordering::Relaxed),
            if cfg!(feature = "std") {
                " (with its `std` feature forkscope keeps the slot in its own thread_local!)"
            } else {
                ""
            },
        );
    }
}

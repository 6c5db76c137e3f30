//! The platform boundary: everything forkscope needs from the system it runs on.
//!
//! forkscope itself is `#![no_std]` + `alloc`. Starting a thread, blocking and
//! waking, finding per-thread state and catching panics are asked of a
//! [`Backend`], an object-safe trait used as `&'static dyn Backend`. With the
//! `std` feature (on by default) [`StdBackend`] is the global default; a
//! `no_std` runtime implements the trait and installs it once with
//! [`set_global_backend`], or hands it to a
//! [`ThreadPoolBuilder`](crate::ThreadPoolBuilder).
//!
//! # Implementing a backend
//!
//! Only [`Backend::spawn`], [`Backend::slot`] and [`Backend::set_slot`] are
//! required. The defaults of the others are correct but poor: `wait` spins,
//! nothing is caught on panic (right for `panic = "abort"` platforms), and
//! parallelism is 1. A runtime that can block a thread should implement the
//! three futex-style methods; that is what lets idle forkscope threads use no
//! CPU.
//!
//! # `fork()`
//!
//! A process forked from a multi-threaded one keeps only the thread that
//! forked. With the `std` feature on Unix forkscope notices (it registers a
//! `pthread_atfork` handler): in the child, [`scope`](crate::scope) starts
//! fresh threads instead of handing spawns to the parent's idle ones,
//! [`join`](crate::join) and parallel iterators get a new global pool, and a
//! [`ThreadPool`](crate::ThreadPool) built before the fork panics when used.
//! Without `std` forkscope cannot tell: a runtime that can fork a process in
//! which forkscope ran threads must not use forkscope in the child (or must
//! not fork while forkscope has threads). The same holds for a scope that is
//! running spawns while its thread forks: the child does not have them, and
//! the scope would wait for them forever.

use alloc::boxed::Box;
use core::any::Any;
use core::fmt;

// The futex word of `Backend::wait` and friends: `core::sync::atomic::AtomicU32`
// (under `cfg(loom)` loom's, so that the model checker sees every access to the
// words forkscope sleeps on).
use crate::sync::atomic::AtomicU32;

// Not under loom: its futex needs the word's address, which loom atomics hide;
// the loom models use a backend of their own.
#[cfg(all(feature = "std", not(loom)))]
mod std_backend;
#[cfg(all(feature = "std", not(loom)))]
pub use std_backend::StdBackend;

/// A caught panic, as `std::panic::catch_unwind` returns it.
pub type Payload = Box<dyn Any + Send + 'static>;

/// How a thread should be started: the optional parts of
/// `std::thread::Builder`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadSpec {
    /// The thread's name, if the caller asked for one.
    pub name: Option<alloc::string::String>,
    /// The stack size in bytes, if the caller asked for one; `None` means the
    /// backend's default.
    pub stack_size: Option<usize>,
}

/// Why a thread could not be started.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpawnError {
    /// No backend is installed: build without `std` and call
    /// [`set_global_backend`] first (or pass one to the builder).
    NoBackend,
    /// The backend refused to start a thread (resources exhausted, thread
    /// limit reached, ...). The message is the backend's.
    Refused(alloc::string::String),
    /// A thread name contains a NUL byte (`'\0'`), which thread names may not
    /// (they become C strings on most platforms). Returned by
    /// [`ThreadPoolBuilder::build`](crate::ThreadPoolBuilder::build) and by
    /// `StdBackend`'s `spawn`; a scoped spawn panics instead, as `std`
    /// does.
    InvalidName,
    /// [`ThreadPoolBuilder::build`](crate::ThreadPoolBuilder::build) was asked
    /// for more workers than a pool can have (`num_threads`, the seats left
    /// to donated threads, or with `num_threads(0)` the backend's
    /// `available_parallelism`). Nothing was started.
    TooManyThreads {
        /// The number of workers asked for.
        requested: usize,
        /// The most a pool may have.
        max: usize,
    },
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::NoBackend => f.write_str(
                "no forkscope backend is installed: call forkscope::set_global_backend \
                 (or enable the `std` feature)",
            ),
            SpawnError::Refused(why) => write!(f, "the backend could not start a thread: {why}"),
            SpawnError::InvalidName => {
                f.write_str("thread name may not contain interior null bytes")
            }
            SpawnError::TooManyThreads { requested, max } => write!(
                f,
                "a thread pool of {requested} threads was asked for; forkscope pools have \
                 at most {max}"
            ),
        }
    }
}

impl core::error::Error for SpawnError {}

/// The error of `std::thread::Builder::spawn`, for `?` in a
/// [`spawn_handler`](crate::ThreadPoolBuilder::spawn_handler).
#[cfg(feature = "std")]
impl From<std::io::Error> for SpawnError {
    fn from(e: std::io::Error) -> SpawnError {
        SpawnError::Refused(alloc::string::ToString::to_string(&e))
    }
}

/// The services forkscope asks of the platform.
///
/// Every method may be called from any thread at any time, concurrently, so an
/// implementation must be thread-safe (`Send + Sync`). Methods never call back
/// into forkscope.
pub trait Backend: Send + Sync {
    /// Starts a new thread that runs `main` and then exits.
    ///
    /// `spec` says how the caller would like the thread (name, stack size); a
    /// backend may ignore what it cannot honour. On error `main` must be
    /// dropped without being run, and nothing may be left behind. A backend
    /// may also panic (forkscope then drops what the spawn held and lets the
    /// panic go on), but `main` must then be dropped or run, not leaked:
    /// forkscope counts a spawn as over when `main` is dropped.
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError>;

    /// Blocks the calling thread while `*word == expected`.
    ///
    /// Futex semantics: the comparison and the going to sleep are atomic with
    /// respect to [`wake_one`](Backend::wake_one) /
    /// [`wake_all`](Backend::wake_all) on the same word, so a wake that follows
    /// a change of `word` is never lost. The call may return at any time for no
    /// reason (a *spurious* wake-up); forkscope always re-checks. If `*word !=
    /// expected` on entry it should return at once.
    ///
    /// The default spins once and returns: correct, but it burns CPU.
    fn wait(&self, word: &AtomicU32, expected: u32) {
        let _ = (word, expected);
        core::hint::spin_loop();
    }

    /// Like [`wait`](Backend::wait), but gives up after about `timeout_nanos`
    /// nanoseconds. Used by idle cached threads, which exit after a while,
    /// and by a pool's *watcher*: while some workers run jobs, one sleeping
    /// worker wakes every 50 µs to look for halves of `join`s that nobody
    /// took yet, which is how a `join` whose halves run for long without
    /// calling `join` again still runs in parallel.
    ///
    /// The default calls `wait`: a backend without timeouts keeps its idle
    /// threads (see [`now_nanos`](Backend::now_nanos)), and its pools hand
    /// such halves only to workers that happen to be awake.
    fn wait_timeout(&self, word: &AtomicU32, expected: u32, timeout_nanos: u64) {
        let _ = timeout_nanos;
        self.wait(word, expected);
    }

    /// Wakes at least one thread blocked in `wait` on `word`, if any.
    ///
    /// forkscope only calls this on words that stay alive for the whole call.
    fn wake_one(&self, word: &AtomicU32) {
        let _ = word;
    }

    /// Wakes every thread blocked in `wait` on `word`.
    fn wake_all(&self, word: &AtomicU32) {
        let _ = word;
    }

    /// Gives up the rest of the calling thread's time slice, if the platform
    /// can. Used between spinning and sleeping. The default is a spin hint.
    fn yield_now(&self) {
        core::hint::spin_loop();
    }

    /// Reads the calling thread's slot: one word of per-thread storage that
    /// forkscope owns. A thread's slot starts at 0, on every thread (also
    /// threads this backend did not start).
    ///
    /// With the `std` feature forkscope keeps this word in its own
    /// `thread_local!` instead, so only `no_std` builds call it. There it is
    /// read on every `join`, so it should be as cheap as a thread-local
    /// load: a worker of a pool writes the word through its own pool's
    /// backend, and a read asks the global backend first, then each other
    /// backend a pool was built on, until one returns non-zero.
    fn slot(&self) -> usize;

    /// Writes the calling thread's slot (see [`slot`](Backend::slot)).
    fn set_slot(&self, value: usize);

    /// How many threads can run in parallel: the default size of a thread
    /// pool. The default is 1.
    fn available_parallelism(&self) -> usize {
        1
    }

    /// Runs `f`, catching a panic that unwinds out of it.
    ///
    /// The default does not catch (right for `panic = "abort"` platforms,
    /// where a panic never returns). On a platform where panics unwind,
    /// keep the default only if no closure given to forkscope ever panics:
    /// a panic on a worker or a spawned thread then unwinds into your
    /// thread's entry point instead of reaching the `join`, `install` or
    /// scope that waits for it, and that waiter waits for ever.
    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
        f();
        Ok(())
    }

    /// Resumes a panic caught by [`catch_unwind`](Backend::catch_unwind).
    ///
    /// The default panics with a generic message; it is only reached if
    /// `catch_unwind` was overridden and this was not.
    fn resume_unwind(&self, payload: Payload) -> ! {
        drop(payload);
        panic!("forkscope: a job panicked (this backend does not implement resume_unwind)")
    }

    /// A monotonic clock in nanoseconds, if the platform has one. Used to let
    /// idle cached threads exit after a while; without it they stay.
    fn now_nanos(&self) -> Option<u64> {
        None
    }
}

static GLOBAL: spin::Once<&'static dyn Backend> = spin::Once::new();

/// The error of [`set_global_backend`]: a backend was installed already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackendAlreadySet;

impl fmt::Display for BackendAlreadySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a forkscope global backend is already installed (or already in use)")
    }
}

impl core::error::Error for BackendAlreadySet {}

/// Installs the backend used by [`scope`](crate::scope), [`join`](crate::join)
/// and the global pool.
///
/// Call it once, before the first use of forkscope. With the `std` feature the
/// global backend is [`StdBackend`] unless this was called first; once it has
/// been used it can no longer change, and this returns an error.
///
/// ```
/// use forkscope::{Backend, BackendAlreadySet};
/// # #[cfg(feature = "std")] {
/// // StdBackend became the global backend the first time it was needed:
/// forkscope::join(|| (), || ());
/// assert_eq!(forkscope::set_global_backend(&forkscope::StdBackend), Err(BackendAlreadySet));
/// # }
/// ```
pub fn set_global_backend(backend: &'static dyn Backend) -> Result<(), BackendAlreadySet> {
    let mut installed = false;
    GLOBAL.call_once(|| {
        installed = true;
        backend
    });
    if installed {
        Ok(())
    } else {
        Err(BackendAlreadySet)
    }
}

/// The global backend: the installed one, else (with `std`) [`StdBackend`].
/// `None` only without `std` and before [`set_global_backend`].
#[inline]
pub fn global_backend() -> Option<&'static dyn Backend> {
    #[cfg(all(feature = "std", not(loom)))]
    {
        Some(*GLOBAL.call_once(|| &StdBackend))
    }
    #[cfg(any(not(feature = "std"), loom))]
    {
        GLOBAL.get().copied()
    }
}

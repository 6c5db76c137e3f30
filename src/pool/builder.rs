//! [`ThreadPoolBuilder`] and [`ThreadPool`].

use super::registry::{Registry, WorkerSpec};
use super::worker::WorkerThread;
use crate::backend::{Backend, SpawnError};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

/// Configures and starts a [`ThreadPool`].
///
/// ```
/// # #[cfg(feature = "std")] {
/// let pool = forkscope::ThreadPoolBuilder::new()
///     .num_threads(2)
///     .thread_name(|i| format!("worker-{i}"))
///     .build()
///     .expect("pool started");
/// let (a, b) = pool.join(|| 1 + 1, || 2 + 2);
/// assert_eq!((a, b), (2, 4));
/// # }
/// ```
#[derive(Default)]
#[must_use = "a ThreadPoolBuilder does nothing until build is called"]
pub struct ThreadPoolBuilder {
    num_threads: usize,
    backend: Option<&'static dyn Backend>,
    thread_name: Option<Box<dyn FnMut(usize) -> String>>,
    stack_size: Option<usize>,
    use_current_thread: bool,
    donated_threads: usize,
    spawn_handler: Option<super::registry::SpawnHandler>,
}

impl ThreadPoolBuilder {
    /// A builder with the defaults: the global backend, and as many threads
    /// as its `available_parallelism`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of worker threads; 0 (the default) means the backend's
    /// `available_parallelism`.
    ///
    /// At most 65 535 (`u16::MAX`): for more, [`build`](Self::build) returns
    /// [`SpawnError::TooManyThreads`] and starts nothing (the same if
    /// `available_parallelism` says more). If the backend's
    /// `available_parallelism` is 0, a pool of `num_threads(0)` has one
    /// worker.
    pub fn num_threads(mut self, num_threads: usize) -> Self {
        self.num_threads = num_threads;
        self
    }

    /// The backend that starts and parks the workers (default: the global
    /// one).
    ///
    /// Pools on different backends can live side by side, with or without
    /// a global backend: a worker writes its per-thread word through its own
    /// pool's backend, and `join` finds it by asking the global backend's
    /// slot first, then those of the other backends pools were built on (see
    /// [`Backend::slot`]). Nothing is installed globally: [`scope`](crate::scope)
    /// and `join` from outside any pool still use the global backend.
    pub fn backend(mut self, backend: &'static dyn Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Names worker `i` `name(i)`.
    ///
    /// A name with a NUL byte (`'\0'`) makes [`build`](Self::build) return
    /// [`SpawnError::InvalidName`], whatever the backend. If `name` panics,
    /// `build` stops the workers it started and the panic goes on.
    pub fn thread_name<F>(mut self, name: F) -> Self
    where
        F: FnMut(usize) -> String + 'static,
    {
        self.thread_name = Some(Box::new(name));
        self
    }

    /// The workers' stack size in bytes (default: the backend's default).
    ///
    /// The size goes to the backend's `spawn` as it is. `StdBackend` (through
    /// `std::thread::Builder`) rounds a size below the platform's minimum,
    /// 0 included, up to that minimum; a size the system cannot give (such
    /// as `usize::MAX` or `1 << 50`) makes its `spawn` fail, and
    /// [`build`](Self::build) then returns [`SpawnError::Refused`] with the
    /// OS error and stops the workers it had started.
    pub fn stack_size(mut self, stack_size: usize) -> Self {
        self.stack_size = Some(stack_size);
        self
    }

    /// Makes seat 0 of the pool one for the thread that calls
    /// [`install`](ThreadPool::install) (or `join` on the pool) from outside
    /// any pool, typically the thread that built it: while that call runs,
    /// the thread is worker 0 (so [`current_thread_index`](crate::current_thread_index)
    /// is `Some(0)`), runs the closure itself instead of handing it to a
    /// worker, and other workers may take halves of its `join`s. The pool
    /// starts one thread fewer: `num_threads(1).use_current_thread()` starts
    /// none and runs everything on the calling thread.
    ///
    /// One thread holds the seat at a time; another outside thread calling
    /// `install` meanwhile hands its closure to the pool as usual. Work
    /// handed in while nobody holds the seat, on a pool with no other
    /// running worker, is run by the next thread that calls in (including
    /// the one that handed it in, which then takes the seat itself): nothing
    /// waits for a thread that never comes.
    pub fn use_current_thread(mut self) -> Self {
        self.use_current_thread = true;
        self
    }

    /// Leaves `count` of the pool's seats to threads that the pool does not
    /// start: threads created by somebody else (a runtime's own threads, wasm
    /// workers, an engine's job system) enter them through a
    /// [`DonationHandle`] and work there until the pool shuts down. The pool
    /// starts `num_threads - count` threads of its own (after seat 0 if
    /// [`use_current_thread`](Self::use_current_thread) is set too); with
    /// `count` equal to `num_threads` it starts none, and its backend's
    /// `spawn` is never called (it may refuse every spawn).
    ///
    /// The pool has `max(num_threads, seats left to other threads)` seats.
    /// Work waits in the pool until some thread is there to run it: a pool
    /// of donated seats only runs work once threads were donated.
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// let pool = forkscope::ThreadPoolBuilder::new()
    ///     .num_threads(2)
    ///     .donated_threads(2)
    ///     .build()
    ///     .unwrap();
    /// let handle = pool.donation_handle();
    /// let donors: Vec<_> = (0..2)
    ///     .map(|_| {
    ///         let handle = handle.clone();
    ///         // A thread forkscope did not start, given to the pool.
    ///         std::thread::spawn(move || handle.donate_current_thread())
    ///     })
    ///     .collect();
    /// assert_eq!(pool.install(|| forkscope::join(|| 1, || 2)), (1, 2));
    /// drop(pool); // the donated threads leave once it shuts down
    /// for donor in donors {
    ///     assert_eq!(donor.join().unwrap(), Ok(()));
    /// }
    /// # }
    /// ```
    pub fn donated_threads(mut self, count: usize) -> Self {
        self.donated_threads = count;
        self
    }

    /// Starts the pool's threads with `spawn` instead of the backend's
    /// `spawn`, as rayon's option of that name: `build` calls it once per
    /// thread the pool would start, in index order, with a [`ThreadBuilder`]
    /// whose [`run`](ThreadBuilder::run) the new thread must call. Seats left
    /// to [`donated_threads`](Self::donated_threads) and
    /// [`use_current_thread`](Self::use_current_thread) are not handed out.
    ///
    /// If `spawn` returns an error (or panics), `build` shuts the pool down
    /// (the threads already in it leave; a `ThreadBuilder` run later returns
    /// at once) and returns the error. With `std`, `?` turns the
    /// `std::io::Error` of `std::thread::Builder::spawn` into
    /// [`SpawnError::Refused`].
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// let pool = forkscope::ThreadPoolBuilder::new()
    ///     .num_threads(2)
    ///     .spawn_handler(|thread| {
    ///         let mut b = std::thread::Builder::new();
    ///         if let Some(name) = thread.name() {
    ///             b = b.name(name.to_owned());
    ///         }
    ///         if let Some(size) = thread.stack_size() {
    ///             b = b.stack_size(size);
    ///         }
    ///         b.spawn(|| thread.run())?;
    ///         Ok(())
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.join(|| 1, || 2), (1, 2));
    /// # }
    /// ```
    pub fn spawn_handler<F>(mut self, spawn: F) -> Self
    where
        F: FnMut(ThreadBuilder) -> Result<(), SpawnError> + 'static,
    {
        self.spawn_handler = Some(Box::new(spawn));
        self
    }

    /// Starts the pool's threads.
    ///
    /// Fails if there is no backend, if more than 65 535 workers are asked
    /// for ([`SpawnError::TooManyThreads`]), if the backend refuses to start
    /// a thread, or if a thread name has a NUL byte
    /// ([`SpawnError::InvalidName`]); the threads
    /// already started are then stopped and waited for. The same happens
    /// before a panic (of the `thread_name` closure, of the backend) goes on.
    ///
    /// A pool does not survive `fork()`: in a forked child its workers do not
    /// exist, and [`install`](ThreadPool::install) (and `join` on it) panics;
    /// dropping it does not wait for them. The global pool (of
    /// [`join`](crate::join) called from outside any pool) is replaced by a
    /// new one in the child.
    pub fn build(self) -> Result<ThreadPool, SpawnError> {
        let backend = match self.backend {
            Some(backend) => backend,
            None => crate::backend::global_backend().ok_or(SpawnError::NoBackend)?,
        };
        let n = match self.num_threads {
            0 => backend.available_parallelism(),
            n => n,
        };
        let spec = WorkerSpec {
            name: self.thread_name,
            stack_size: self.stack_size,
            install_seat: self.use_current_thread,
            donated: self.donated_threads,
            handler: self.spawn_handler,
        };
        Ok(ThreadPool {
            registry: Registry::start(backend, n, spec)?,
        })
    }
}

impl fmt::Debug for ThreadPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolBuilder")
            .field("num_threads", &self.num_threads)
            .field("has_backend", &self.backend.is_some())
            .field("has_thread_name", &self.thread_name.is_some())
            .field("stack_size", &self.stack_size)
            .field("use_current_thread", &self.use_current_thread)
            .field("donated_threads", &self.donated_threads)
            .field("has_spawn_handler", &self.spawn_handler.is_some())
            .finish()
    }
}

/// A pool of worker threads for [`join`](crate::join).
///
/// Dropping the pool stops its workers once they are out of work and waits
/// for them to leave (unless it is dropped by one of its own workers).
pub struct ThreadPool {
    registry: Arc<Registry>,
}

impl ThreadPool {
    /// Runs `op` on a worker of this pool and returns its result; `join`
    /// inside `op` uses this pool. Called from a worker of this pool, runs
    /// `op` right there; from any other thread, blocks until it is done.
    /// On a pool built with
    /// [`use_current_thread`](ThreadPoolBuilder::use_current_thread), a
    /// thread outside any pool runs `op` itself, as worker 0, when that
    /// seat is free.
    ///
    /// # Panics
    ///
    /// Resumes a panic of `op`. Panics in a child process forked after the
    /// pool was built: its workers do not exist there.
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// let pool = forkscope::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    /// assert_eq!(pool.install(forkscope::current_num_threads), 3);
    /// # }
    /// ```
    pub fn install<OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        match WorkerThread::current() {
            Some(worker) if core::ptr::eq(worker.registry(), &*self.registry) => op(),
            Some(_) => self.registry.in_worker_cold(|_| op()),
            None => match self.registry.in_install_seat(op) {
                Ok(result) => result,
                Err(op) => self.registry.in_worker_cold(|_| op()),
            },
        }
    }

    /// [`join`](crate::join) on this pool.
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        self.install(|| crate::join(a, b))
    }

    /// The number of worker threads (seats, counting those left to donated
    /// threads and to `install` callers).
    pub fn current_num_threads(&self) -> usize {
        self.registry.num_threads()
    }

    /// A handle through which threads the pool did not start join it as
    /// workers (see [`ThreadPoolBuilder::donated_threads`]). It does not
    /// keep the pool alive: dropping the [`ThreadPool`] shuts it down, and
    /// the donated threads then return.
    pub fn donation_handle(&self) -> DonationHandle {
        DonationHandle {
            registry: self.registry.clone(),
        }
    }
}

/// One thread of a pool being built with
/// [`ThreadPoolBuilder::spawn_handler`]: the handler starts a thread that
/// calls [`run`](Self::run).
pub struct ThreadBuilder {
    pub(super) registry: Arc<Registry>,
    pub(super) index: usize,
    pub(super) name: Option<String>,
    pub(super) stack_size: Option<usize>,
}

impl ThreadBuilder {
    /// The worker's index in the pool (what
    /// [`current_thread_index`](crate::current_thread_index) returns on it).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The name the pool's [`thread_name`](ThreadPoolBuilder::thread_name)
    /// gave this thread, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The stack size the pool asked for
    /// ([`stack_size`](ThreadPoolBuilder::stack_size)), if any.
    pub fn stack_size(&self) -> Option<usize> {
        self.stack_size
    }

    /// Works as this worker of the pool until the pool is dropped. Returns
    /// at once if the pool was shut down before (its build failed, or it
    /// was dropped).
    ///
    /// # Panics
    ///
    /// On a thread that is a worker of a pool already.
    pub fn run(self) {
        assert!(
            WorkerThread::current().is_none(),
            "forkscope: ThreadBuilder::run on a thread that already works for a pool"
        );
        if self.registry.take_seat(self.index) {
            self.registry.serve(self.index);
        }
    }
}

impl fmt::Debug for ThreadBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadBuilder")
            .field("index", &self.index)
            .field("name", &self.name)
            .field("stack_size", &self.stack_size)
            .finish()
    }
}

/// Lets threads that a [`ThreadPool`] did not start work for it: see
/// [`ThreadPoolBuilder::donated_threads`] and
/// [`ThreadPool::donation_handle`]. Cheap to clone, `Send` and `Sync`.
#[derive(Clone)]
pub struct DonationHandle {
    registry: Arc<Registry>,
}

impl DonationHandle {
    /// The calling thread enters a vacant donated seat of the pool and works
    /// there (runs `join` halves, `install`ed closures, iterator pieces)
    /// until the pool is dropped; then returns `Ok(())`.
    ///
    /// A job that panics on the donated thread does not end its service: the
    /// panic is caught and resumed where the API says (`install`, `join`),
    /// as on any worker. If a panic does unwind out of the worker loop (a
    /// backend whose `catch_unwind` does not catch), the seat is left
    /// vacant for another thread and the panic goes on out of this call.
    ///
    /// # Errors
    ///
    /// [`DonateError::NoVacantSeat`] if every donated seat is taken,
    /// [`DonateError::ShutDown`] if the pool was dropped, and
    /// [`DonateError::AlreadyWorker`] if the calling thread already works
    /// for a pool.
    ///
    /// # Panics
    ///
    /// In a child process forked after the pool was built.
    pub fn donate_current_thread(&self) -> Result<(), DonateError> {
        self.registry.donate()
    }

    /// How many seats the pool leaves to donated threads.
    pub fn seats(&self) -> usize {
        self.registry.donated_seats()
    }
}

impl fmt::Debug for DonationHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DonationHandle")
            .field("seats", &self.seats())
            .finish()
    }
}

/// Why [`DonationHandle::donate_current_thread`] returned at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DonateError {
    /// Every seat the pool leaves to donated threads is taken.
    NoVacantSeat,
    /// The pool was dropped.
    ShutDown,
    /// The calling thread is a worker of a pool already (one of this pool's
    /// own threads, a donated one, or one in an install seat).
    AlreadyWorker,
}

impl fmt::Display for DonateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DonateError::NoVacantSeat => "every donated seat of the thread pool is taken",
            DonateError::ShutDown => "the thread pool was shut down",
            DonateError::AlreadyWorker => "the calling thread already works for a thread pool",
        })
    }
}

impl core::error::Error for DonateError {}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        if !self.registry.in_this_process() {
            // A forked child: the workers are not there to stop.
            return;
        }
        self.registry.terminate();
        let on_own_worker =
            WorkerThread::current().is_some_and(|w| core::ptr::eq(w.registry(), &*self.registry));
        if !on_own_worker {
            self.registry.wait_for_exit();
        }
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("num_threads", &self.current_num_threads())
            .finish()
    }
}

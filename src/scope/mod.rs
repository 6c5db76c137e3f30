//! Scoped threads: [`scope`], [`Scope`], [`ScopedJoinHandle`], [`Builder`].
//!
//! The same shape and semantics as `std::thread::scope`, so code ports by
//! changing one `use` line, but spawned closures run on threads taken from a
//! cache of idle backend threads (see `sync::thread_cache`), so a spawn usually
//! costs a hand-off rather than a thread creation.
//!
//! # Protocol
//!
//! A scope owns an `Arc<ScopeData>`: a count of running spawns, a flag for
//! unhandled panics, and an [`Event`] its owner sleeps on. Each spawn
//! allocates one [`Packet`](packet) holding the closure, the result slot and
//! its own completion event, shared by the [`ScopedJoinHandle`] and the thread
//! that runs it. The running thread, in this order:
//!
//! 1. takes the closure out of the packet and runs it (its captures are dropped
//!    before it returns or unwinds),
//! 2. stores the result and announces it on the packet's event,
//! 3. drops its reference to the packet (if the handle is gone, the result is
//!    dropped right here, while the scope still waits for it),
//! 4. once it is back in the thread cache (so that a scope spawning again right
//!    after finds it idle), decrements the running count and, at zero, wakes
//!    the owner, through its own clone of the `Arc<ScopeData>`, so the data
//!    outlives the wake-up (rust#98498).
//!
//! After step 4 the thread touches nothing borrowed from the scope
//! (rust#101983). [`scope`] waits for a count of zero from a drop guard, so it
//! also waits when its closure panics.

mod builder;
mod handle;
mod packet;

pub use builder::Builder;
pub use handle::ScopedJoinHandle;

use crate::backend::SpawnError;
use crate::sync::Event;
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::thread_cache::ThreadCache;
use alloc::sync::Arc;
use core::fmt;
use core::marker::PhantomData;

/// Creates a scope for spawning threads that may borrow from the enclosing
/// environment.
///
/// `f` receives a [`Scope`] to spawn threads with. Every thread spawned in the
/// scope is joined before `scope` returns, whether or not it was joined by
/// hand, and also if `f` panics; so spawned closures may borrow non-`'static`
/// data from outside the scope.
///
/// # Panics
///
/// If `f` panics, `scope` waits for the spawned threads and then resumes that
/// panic. Otherwise, if a spawned thread panicked and its handle was not
/// joined, `scope` panics with "a scoped thread panicked" after all threads
/// finished.
///
/// # Example
///
/// ```
/// # #[cfg(feature = "std")] {
/// let mut a = vec![1, 2, 3];
/// let mut x = 0;
///
/// forkscope::scope(|s| {
///     s.spawn(|| {
///         // We can borrow `a` here.
///         assert_eq!(a.len(), 3);
///     });
///     s.spawn(|| {
///         // We can even mutably borrow `x` here, since no other thread uses it.
///         x += a[0] + a[2];
///     });
/// });
///
/// // After the scope, we can modify and access our variables again:
/// a.push(4);
/// assert_eq!(x, a.len());
/// # }
/// ```
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let scope = Scope {
        data: Arc::new(ScopeData {
            running: AtomicUsize::new(0),
            a_thread_panicked: AtomicBool::new(false),
            all_done: Event::new(),
            cache: ThreadCache::global(),
        }),
        scope: PhantomData,
        env: PhantomData,
    };

    /// Waits for every spawn when dropped: on return and on unwind alike.
    struct JoinAll<'a>(&'a ScopeData);
    impl Drop for JoinAll<'_> {
        fn drop(&mut self) {
            self.0.wait_all();
        }
    }

    let result = {
        let _join_all = JoinAll(&scope.data);
        f(&scope)
    };
    // Relaxed: `wait_all` already synchronized with every decrement, each of
    // which came after the flag was set.
    if scope.data.a_thread_panicked.load(Ordering::Relaxed) {
        panic!("a scoped thread panicked");
    }
    result
}

/// A scope to spawn scoped threads in. See [`scope`].
pub struct Scope<'scope, 'env: 'scope> {
    data: Arc<ScopeData>,
    /// Invariance over 'scope, to make sure 'scope cannot shrink, which is
    /// necessary for soundness.
    ///
    /// Without invariance, this would compile fine but be unsound:
    ///
    /// ```compile_fail,E0373
    /// forkscope::scope(|s| {
    ///     s.spawn(|| {
    ///         let a = String::from("abcd");
    ///         s.spawn(|| println!("{a:?}")); // might run after `a` is dropped
    ///     });
    /// });
    /// ```
    scope: PhantomData<&'scope mut &'scope ()>,
    /// Invariance over 'env, so that borrows from outside cannot be shortened.
    env: PhantomData<&'env mut &'env ()>,
}

pub(crate) struct ScopeData {
    running: AtomicUsize,
    a_thread_panicked: AtomicBool,
    all_done: Event,
    cache: Option<&'static ThreadCache>,
}

impl ScopeData {
    fn cache(&self) -> Result<&'static ThreadCache, SpawnError> {
        self.cache.ok_or(SpawnError::NoBackend)
    }

    /// Counts a spawn as running; if this panics, the count is as before.
    fn increment_running(&self) {
        // Relaxed: the count is only compared with zero by the owner after it
        // synchronized with the decrements (SeqCst) of all spawns.
        if self.running.fetch_add(1, Ordering::Relaxed) > usize::MAX / 2 {
            // Like Arc: a count this high means leaked scopes; do not wrap.
            // (Not zero after the undo: the count was far above one.)
            self.running.fetch_sub(1, Ordering::Relaxed);
            panic!("too many running threads in forkscope::scope");
        }
    }

    /// Called by `this`'s owner of an `Arc` clone when a spawn is over (or
    /// was never started). Must be the last touch of anything in the scope.
    fn decrement_running(this: &Arc<ScopeData>) {
        // SeqCst: the Event protocol needs the condition's write to be SeqCst;
        // it also releases everything the thread did (result, drops).
        if this.running.fetch_sub(1, Ordering::SeqCst) == 1
            && let Some(cache) = this.cache
        {
            this.all_done.notify_all(cache.backend());
        }
    }

    fn mark_panicked(&self) {
        // Relaxed: read by the owner after synchronizing with the decrement
        // that follows this store.
        self.a_thread_panicked.store(true, Ordering::Relaxed);
    }

    fn wait_all(&self) {
        let done = || self.running.load(Ordering::SeqCst) == 0;
        match self.cache {
            Some(cache) => self.all_done.wait_until(cache.backend(), done),
            // Without a backend nothing was ever spawned.
            None => debug_assert!(done()),
        }
    }
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Spawns a new thread within the scope, returning a
    /// [`ScopedJoinHandle`] for it.
    ///
    /// Unlike non-scoped threads, threads spawned with this function may
    /// borrow non-`'static` data from outside the scope. All threads spawned
    /// in a scope are joined before the scope returns. Each spawn runs on a
    /// thread of its own for its whole run, so spawned closures may block on
    /// each other; the thread usually comes from a cache of idle threads.
    ///
    /// # What differs from `std::thread::Scope::spawn`
    ///
    /// `std` starts a new thread per spawn; forkscope usually hands the
    /// closure to an idle cached thread, which goes back to the cache when
    /// the closure is done. So:
    ///
    /// - **Thread-locals persist between spawns.** A value a closure leaves in
    ///   a thread-local is still there for the next spawn that gets the same
    ///   thread, and its destructor runs only when the thread retires: after
    ///   it was idle for about a second (with a backend clock; without one a
    ///   cached thread never retires), or when it finishes a spawn while the
    ///   cache is full. `scope` does not wait for that (nor does `std`'s for
    ///   the destructors, which run as its threads exit).
    /// - **`ThreadId`s repeat**: spawns that run one after another may report
    ///   the same `std::thread::current().id()` (two spawns running at the
    ///   same time never do).
    /// - **Names**: an unnamed spawn runs on a thread without a name (with
    ///   `StdBackend`; another backend may name its
    ///   threads). A spawn named with [`Builder::name`] gets a new thread of
    ///   that name.
    /// - **Fork**: a child process forked while spawns run does not have their
    ///   threads, and a scope there waits for them forever (as with `std`).
    ///   Scopes made in the child work (see the [`Backend`](crate::Backend)
    ///   docs).
    ///
    /// For `std`'s behaviour (a new thread, fresh thread-locals, destructors
    /// run when the closure's thread exits), spawn with
    /// [`Builder::fresh_thread`].
    ///
    /// # Panics
    ///
    /// If the backend cannot start a thread (or no backend is installed). Use
    /// [`Builder::spawn_scoped`] to get an error instead. If the backend's
    /// `spawn` panics, that panic goes on; either way the scope goes on as if
    /// the spawn had not been attempted.
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// let data = [1, 2, 3];
    /// let sum = forkscope::scope(|s| {
    ///     let h = s.spawn(|| data.iter().sum::<i32>());
    ///     h.join().unwrap()
    /// });
    /// assert_eq!(sum, 6);
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        match Builder::new().spawn_scoped(self, f) {
            Ok(handle) => handle,
            Err(e) => panic!("forkscope: failed to spawn a scoped thread: {e}"),
        }
    }
}

impl fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field(
                "num_running_threads",
                &self.data.running.load(Ordering::Relaxed),
            )
            .field(
                "a_thread_panicked",
                &self.data.a_thread_panicked.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

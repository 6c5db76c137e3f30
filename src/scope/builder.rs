//! [`Builder`]: spawning with a name, a stack size, or an error instead of a
//! panic.

use super::packet::Packet;
use super::{Scope, ScopedJoinHandle};
use crate::backend::{SpawnError, ThreadSpec};
use crate::sync::thread_cache::ThreadJob;
use alloc::string::String;
use alloc::sync::Arc;

/// Thread factory, to set the name and stack size of a scoped thread, to ask
/// for a thread of its own, and to get an error rather than a panic when it
/// cannot be started.
///
/// A spawn with a name, a stack size or [`fresh_thread`](Builder::fresh_thread)
/// gets a new thread, which exits when the closure is done (cached threads
/// have the default name and stack size); a default `Builder` uses the thread
/// cache like [`Scope::spawn`].
///
/// ```
/// # #[cfg(feature = "std")] {
/// let mut count = 0;
/// forkscope::scope(|s| {
///     forkscope::Builder::new()
///         .name("counter".into())
///         .stack_size(64 * 1024)
///         .spawn_scoped(s, || count += 1)
///         .expect("thread started");
/// });
/// assert_eq!(count, 1);
/// # }
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a Builder does nothing until spawn_scoped is called"]
pub struct Builder {
    spec: ThreadSpec,
    fresh_thread: bool,
}

impl Builder {
    /// A builder with the backend's default name and stack size.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the thread (where the backend supports names). The spawn gets a
    /// new thread of that name, which `ScopedJoinHandle::thread` reports.
    ///
    /// As with `std`, the name may not contain a NUL byte (`'\0'`):
    /// [`spawn_scoped`](Builder::spawn_scoped) panics with "thread name may
    /// not contain interior null bytes", whatever the backend, before
    /// anything is started. (It is a programmer error, not a condition a
    /// caller can act on at run time.)
    pub fn name(mut self, name: String) -> Builder {
        self.spec.name = Some(name);
        self
    }

    /// Sets the thread's stack size in bytes.
    pub fn stack_size(mut self, size: usize) -> Builder {
        self.spec.stack_size = Some(size);
        self
    }

    /// With `true`, the spawn gets a new thread of its own, as every spawn
    /// does with `std`, instead of an idle cached one. Use it when the closure
    /// relies on what a new thread gives: thread-locals at their initial
    /// values (a cached thread keeps the values earlier spawns left), a
    /// `ThreadId` no other spawn had, thread-local
    /// destructors run when the thread exits (possibly after `scope`
    /// returned, as with `std`). It costs a thread creation per spawn.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// thread_local!(static SEEN: Cell<bool> = const { Cell::new(false) });
    ///
    /// # #[cfg(feature = "std")] {
    /// forkscope::scope(|s| {
    ///     for _ in 0..2 {
    ///         let first = forkscope::Builder::new()
    ///             .fresh_thread(true)
    ///             .spawn_scoped(s, || SEEN.replace(true))
    ///             .unwrap();
    ///         // Never a thread where an earlier spawn set it.
    ///         assert!(!first.join().unwrap());
    ///     }
    /// });
    /// # }
    /// ```
    pub fn fresh_thread(mut self, fresh: bool) -> Builder {
        self.fresh_thread = fresh;
        self
    }

    /// Spawns a scoped thread with this configuration; see
    /// [`Scope::spawn`]. Returns an error if the backend cannot start a thread
    /// or none is installed; the closure is then dropped without running, and
    /// the scope goes on as if the spawn had not been attempted. The same
    /// holds if the backend's `spawn` panics: the panic reaches the caller,
    /// and the scope's count of running threads is as before.
    ///
    /// # Panics
    ///
    /// If the name contains a NUL byte (see [`name`](Builder::name)).
    #[track_caller]
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> Result<ScopedJoinHandle<'scope, T>, SpawnError>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        if self
            .spec
            .name
            .as_deref()
            .is_some_and(|name| name.contains('\0'))
        {
            panic!("thread name may not contain interior null bytes");
        }
        let cache = scope.data.cache()?;
        let packet = Arc::new(Packet::new(&scope.data, cache.backend(), f));
        scope.data.increment_running();
        let data = Arc::into_raw(packet.clone()).cast::<()>();
        // SAFETY: `data` is an owned `Arc<Packet<T, F>>` reference, and the
        // job owns it and the running count incremented above: the thread
        // cache runs the job (and its completion) once, or drops it unrun,
        // which cancels it once (on an error, or while a panic unwinds).
        // Sending it to another thread is sound: `F: Send`, `T: Send`. Erasing
        // `'scope` is sound because the scope waits for the running count to
        // reach zero before 'scope ends, and neither `execute` nor `cancel`
        // touches anything of 'scope after its decrement.
        let job = unsafe { ThreadJob::new(data, Packet::<T, F>::execute, Packet::<T, F>::cancel) };
        // From here on the job gives back the count and the reference if it
        // does not run: an `Err` below needs no cleanup of ours.
        if self.spec == ThreadSpec::default() && !self.fresh_thread {
            cache.execute(job)?;
        } else {
            cache.execute_once(&self.spec, job)?;
        }
        Ok(ScopedJoinHandle { packet })
    }
}

//! [`Builder`]: spawning with a name, a stack size, or an error instead of a
//! panic.

use super::packet::Packet;
use super::{Scope, ScopeData, ScopedJoinHandle};
use crate::backend::{SpawnError, ThreadSpec};
use crate::sync::thread_cache::ThreadJob;
use alloc::string::String;
use alloc::sync::Arc;

/// Thread factory, to set the name and stack size of a scoped thread, and to
/// get an error rather than a panic when it cannot be started.
///
/// A spawn with a name or a stack size gets a fresh thread (cached threads
/// have the default ones); a default `Builder` uses the thread cache like
/// [`Scope::spawn`].
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
}

impl Builder {
    /// A builder with the backend's default name and stack size.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the thread (where the backend supports names).
    pub fn name(mut self, name: String) -> Builder {
        self.spec.name = Some(name);
        self
    }

    /// Sets the thread's stack size in bytes.
    pub fn stack_size(mut self, size: usize) -> Builder {
        self.spec.stack_size = Some(size);
        self
    }

    /// Spawns a scoped thread with this configuration; see
    /// [`Scope::spawn`]. Returns an error if the backend cannot start a thread
    /// or none is installed; the closure is then dropped without running, and
    /// the scope goes on as if the spawn had not been attempted.
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> Result<ScopedJoinHandle<'scope, T>, SpawnError>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let cache = scope.data.cache()?;
        let packet = Arc::new(Packet::new(&scope.data, cache.backend(), f));
        let data = Arc::into_raw(packet.clone()).cast::<()>();
        // SAFETY: `data` is an owned `Arc<Packet<T, F>>` reference, consumed
        // by exactly one call of `execute`: the thread cache runs a job (and its
        // completion) once,
        // or not at all on error (handled below). Sending it to another thread
        // is sound: `F: Send`, `T: Send`. Erasing `'scope` is sound because the
        // scope waits for the running count, incremented here, to reach zero
        // before 'scope ends, and the thread touches nothing of 'scope after
        // its decrement.
        let job = unsafe { ThreadJob::new(data, Packet::<T, F>::execute) };
        scope.data.increment_running();
        let started = if self.spec == ThreadSpec::default() {
            cache.execute(job)
        } else {
            cache.execute_once(&self.spec, job)
        };
        if let Err(e) = started {
            // SAFETY: the job was not run and never will be: we still own the
            // reference it carried.
            drop(unsafe { Arc::from_raw(data.cast::<Packet<T, F>>()) });
            ScopeData::decrement_running(&scope.data);
            return Err(e);
        }
        Ok(ScopedJoinHandle { packet })
    }
}

//! Type-erased jobs: a data pointer and the function that knows its type.

/// A pointer to a job that lives elsewhere (a stack frame or an allocation)
/// together with the monomorphized function that runs it.
///
/// Whoever executes a `JobRef` must execute it exactly once; the job's own
/// protocol says when its memory may go away.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JobRef {
    data: *const (),
    // SAFETY contract: `execute(data)` is sound once, per `JobRef::new`.
    execute: unsafe fn(*const ()),
}

// SAFETY: a JobRef is only created for jobs whose data may be sent to and run
// on another thread (their closures and results are `Send`; see the
// constructors' callers).
unsafe impl Send for JobRef {}

impl JobRef {
    /// # Safety
    ///
    /// `execute(data)` must be sound to call exactly once, from any thread,
    /// until the job's owner reclaims it.
    #[inline]
    pub(crate) const unsafe fn new(data: *const (), execute: unsafe fn(*const ())) -> Self {
        JobRef { data, execute }
    }

    /// Runs the job.
    ///
    /// # Safety
    ///
    /// Once per job, as promised by the creator in [`JobRef::new`].
    #[inline]
    pub(crate) unsafe fn execute(self) {
        // SAFETY: forwarded to the caller.
        unsafe { (self.execute)(self.data) }
    }
}

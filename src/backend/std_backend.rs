//! [`StdBackend`]: `std::thread` for threads, a real futex for blocking.

extern crate std;

use super::{Backend, Payload, SpawnError, ThreadSpec};
use alloc::boxed::Box;
use alloc::string::ToString;
use core::sync::atomic::AtomicU32;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::thread;

/// The backend for platforms with `std`: threads from `std::thread::Builder`,
/// blocking through the Linux `futex` syscall (a parking table of
/// `Mutex` + `Condvar` elsewhere), panics through `std::panic`.
///
/// It is the global backend by default when the `std` feature is on.
///
/// Its `spawn` returns [`SpawnError::InvalidName`] for a name with a NUL
/// byte (where `std::thread::Builder::spawn` panics), and
/// [`SpawnError::Refused`] with the OS error when no thread can be started.
///
/// ```
/// use forkscope::{Backend, StdBackend};
/// assert!(StdBackend.available_parallelism() >= 1);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct StdBackend;

std::thread_local! {
    static SLOT: Cell<usize> = const { Cell::new(0) };
}

impl Backend for StdBackend {
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        let mut builder = thread::Builder::new();
        if let Some(name) = &spec.name {
            // `std::thread::Builder::spawn` would panic; a backend reports it.
            if name.contains('\0') {
                return Err(SpawnError::InvalidName);
            }
            builder = builder.name(name.clone());
        }
        if let Some(size) = spec.stack_size {
            builder = builder.stack_size(size);
        }
        // Dropping the JoinHandle detaches the thread; forkscope tracks
        // completion itself.
        builder
            .spawn(main)
            .map(drop)
            .map_err(|e| SpawnError::Refused(e.to_string()))
    }

    #[inline]
    fn wait(&self, word: &AtomicU32, expected: u32) {
        futex::wait(word, expected, None);
    }

    #[inline]
    fn wait_timeout(&self, word: &AtomicU32, expected: u32, timeout_nanos: u64) {
        futex::wait(word, expected, Some(timeout_nanos));
    }

    #[inline]
    fn wake_one(&self, word: &AtomicU32) {
        futex::wake(word, false);
    }

    #[inline]
    fn wake_all(&self, word: &AtomicU32) {
        futex::wake(word, true);
    }

    fn yield_now(&self) {
        thread::yield_now();
    }

    #[inline]
    fn slot(&self) -> usize {
        SLOT.with(Cell::get)
    }

    #[inline]
    fn set_slot(&self, value: usize) {
        SLOT.with(|s| s.set(value));
    }

    fn available_parallelism(&self) -> usize {
        thread::available_parallelism().map_or(1, |n| n.get())
    }

    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
        panic::catch_unwind(AssertUnwindSafe(f))
    }

    fn resume_unwind(&self, payload: Payload) -> ! {
        panic::resume_unwind(payload)
    }

    fn now_nanos(&self) -> Option<u64> {
        use std::sync::OnceLock;
        use std::time::Instant;
        static START: OnceLock<Instant> = OnceLock::new();
        let start = *START.get_or_init(Instant::now);
        Some(start.elapsed().as_nanos() as u64)
    }
}

#[cfg(target_os = "linux")]
mod futex {
    use core::sync::atomic::AtomicU32;

    pub(super) fn wait(word: &AtomicU32, expected: u32, timeout_nanos: Option<u64>) {
        let ts;
        let ts_ptr = match timeout_nanos {
            Some(n) => {
                ts = libc::timespec {
                    tv_sec: (n / 1_000_000_000).min(libc::time_t::MAX as u64) as libc::time_t,
                    tv_nsec: (n % 1_000_000_000) as _,
                };
                &ts as *const libc::timespec
            }
            None => core::ptr::null(),
        };
        // SAFETY: FUTEX_WAIT reads the u32 at `word` (alive: we hold a
        // reference) and compares it with `expected` atomically with going to
        // sleep; `ts_ptr` is null or points to a live timespec (a relative
        // timeout). EINTR, EAGAIN and ETIMEDOUT are all fine to ignore: the
        // caller treats every return as a possible spurious wake-up.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                expected,
                ts_ptr,
            );
        }
    }

    pub(super) fn wake(word: &AtomicU32, all: bool) {
        let n: libc::c_int = if all { libc::c_int::MAX } else { 1 };
        // SAFETY: FUTEX_WAKE only uses the address of `word` as a key; it is
        // alive since we hold a reference.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                n,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod futex {
    //! A portable stand-in: one global `Mutex` + `Condvar`. Waking takes the
    //! lock, so a waiter that compared the word under the lock cannot miss it.
    extern crate std;
    use core::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    static LOCK: Mutex<()> = Mutex::new(());
    static COND: Condvar = Condvar::new();

    pub(super) fn wait(word: &AtomicU32, expected: u32, timeout_nanos: Option<u64>) {
        let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        if word.load(Ordering::SeqCst) != expected {
            return;
        }
        match timeout_nanos {
            Some(n) => drop(COND.wait_timeout(guard, Duration::from_nanos(n))),
            None => drop(COND.wait(guard)),
        }
    }

    pub(super) fn wake(_word: &AtomicU32, _all: bool) {
        drop(LOCK.lock().unwrap_or_else(|e| e.into_inner()));
        COND.notify_all();
    }
}

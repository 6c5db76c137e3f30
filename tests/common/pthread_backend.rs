//! A [`Backend`] written without `std::thread`: raw pthreads, a Linux futex
//! and a pthread key, all through `libc`.
//!
//! It exists to prove that the `Backend` trait is all forkscope needs from a
//! platform. Built with `--no-default-features`, forkscope has no
//! `StdBackend` and no `thread_local!` of its own, and the test binaries run
//! on this backend instead: `common::setup` (in `mod.rs`) calls [`install`]
//! at the start of every test. `std` is still linked into the test binaries;
//! this file uses it only for what a runtime without `std::thread` would
//! have anyway: unwinding (`std::panic`) and error texts. The tests
//! themselves use `std` freely (channels, barriers, `std::thread::current`,
//! threads of their own to call forkscope from outside).
//!
//! Linux only (the futex).
#![allow(dead_code)] // each test binary uses a different part of it

use forkscope::{Backend, BackendAlreadySet, Payload, SpawnError, ThreadSpec};
use std::boxed::Box;
use std::ffi::{CString, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// The pthread backend. A unit struct: all its state is process-global (the
/// pthread key and the counter below).
#[derive(Clone, Copy, Debug, Default)]
pub struct PthreadBackend;

/// Installs [`PthreadBackend`] as forkscope's global backend. Every test calls
/// it first (through `common::setup`); the tests of one binary share the
/// installation, so `BackendAlreadySet` from the second call on is expected.
pub fn install() {
    match forkscope::set_global_backend(&PthreadBackend) {
        Ok(()) | Err(BackendAlreadySet) => {}
    }
}

/// How many thread mains unwound into the trampoline. forkscope catches the
/// panics of the closures it runs, so this should stay 0.
pub fn escaped_panics() -> usize {
    ESCAPED_PANICS.load(Ordering::SeqCst)
}

static ESCAPED_PANICS: AtomicUsize = AtomicUsize::new(0);

/// What a new thread receives through pthread_create's `void *` argument:
/// the (already boxed) closure and the name to give itself. Boxed once more,
/// so the argument is a thin pointer.
struct Start {
    main: Box<dyn FnOnce() + Send>,
    name: Option<CString>,
}

/// Longest name Linux keeps (16 bytes including the NUL).
const MAX_NAME_LEN: usize = 15;

/// `name` cut to what `pthread_setname_np` accepts: at most 15 bytes, on a
/// UTF-8 boundary, and before any interior NUL.
fn thread_name(name: &str) -> Option<CString> {
    let name = name.split('\0').next().unwrap_or("");
    let mut end = name.len().min(MAX_NAME_LEN);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    CString::new(&name[..end]).ok()
}

/// The stack size to ask pthreads for: at least `PTHREAD_STACK_MIN`, rounded
/// up to whole pages (some libcs reject other sizes).
fn stack_size(requested: usize) -> usize {
    // SAFETY: sysconf only reads a system constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page = usize::try_from(page)
        .ok()
        .filter(|&p| p > 0)
        .unwrap_or(4096);
    requested
        .max(libc::PTHREAD_STACK_MIN)
        .checked_next_multiple_of(page)
        .unwrap_or(usize::MAX - usize::MAX % page)
}

/// The first function of every thread we create.
extern "C" fn trampoline(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the `Box<Start>` leaked by `spawn`, whose ownership
    // passed to this thread when pthread_create succeeded; nobody else uses it.
    let start = unsafe { Box::from_raw(arg.cast::<Start>()) };
    let Start { main, name } = *start;
    if let Some(name) = name {
        // Best effort: a name is cosmetic, so the result is ignored.
        // SAFETY: pthread_self() is this live thread; `name` is a valid C
        // string of at most 15 bytes that outlives the call.
        unsafe { libc::pthread_setname_np(libc::pthread_self(), name.as_ptr()) };
    }
    // Unwinding out of an `extern "C"` function aborts the process; catch
    // here so that a panicking main ends only its own thread, like std's.
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(main)) {
        ESCAPED_PANICS.fetch_add(1, Ordering::SeqCst);
        // The payload's own drop may panic too; that one is forgotten.
        if let Err(again) = panic::catch_unwind(AssertUnwindSafe(|| drop(payload))) {
            std::mem::forget(again);
        }
    }
    ptr::null_mut()
}

/// The calling thread's name as the OS keeps it: what [`thread_name`] made
/// of the requested name for threads started with one (15 bytes at most),
/// else the name inherited from the thread that started it.
pub fn current_thread_name() -> Option<String> {
    let mut buf = [0u8; MAX_NAME_LEN + 1];
    // SAFETY: `buf` is writable for its whole length, which is passed along;
    // pthread_self() is this live thread.
    let rc = unsafe {
        libc::pthread_getname_np(libc::pthread_self(), buf.as_mut_ptr().cast(), buf.len())
    };
    assert_eq!(rc, 0, "pthread_getname_np failed: {rc}");
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(String::from_utf8_lossy(&buf[..len]).into_owned()).filter(|name| !name.is_empty())
}

/// The pthread key of the per-thread slot, plus one (0 = not created yet).
static SLOT_KEY: AtomicUsize = AtomicUsize::new(0);

/// The slot's key, created by the first caller. Racing creators keep the
/// first published key and delete their own.
fn slot_key() -> libc::pthread_key_t {
    // Acquire/Release: the key value is all that is published, and it is the
    // atomic's own value, so Relaxed would do; Acquire/Release keeps the
    // reasoning trivial on a path that runs once per thread at most.
    let key = SLOT_KEY.load(Ordering::Acquire);
    if key != 0 {
        return (key - 1) as libc::pthread_key_t;
    }
    let mut new: libc::pthread_key_t = 0;
    // SAFETY: `new` is a valid place for the key; no destructor (the slot is
    // a plain word, it owns nothing).
    let rc = unsafe { libc::pthread_key_create(&mut new, None) };
    assert_eq!(rc, 0, "pthread_key_create failed: {rc}");
    match SLOT_KEY.compare_exchange(0, new as usize + 1, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => new,
        Err(winner) => {
            // SAFETY: `new` was created above and never handed out.
            unsafe { libc::pthread_key_delete(new) };
            (winner - 1) as libc::pthread_key_t
        }
    }
}

impl Backend for PthreadBackend {
    fn spawn(&self, spec: &ThreadSpec, main: Box<dyn FnOnce() + Send>) -> Result<(), SpawnError> {
        let start = Box::new(Start {
            main,
            name: spec.name.as_deref().and_then(thread_name),
        });
        let arg = Box::into_raw(start).cast::<c_void>();

        let mut thread: libc::pthread_t = 0;
        let rc = match spec.stack_size {
            // Without a stack size, no attribute object: the defaults (this
            // also keeps default spawns inside what Miri supports).
            // SAFETY: `trampoline` has the signature pthreads expects; on
            // success `arg`'s ownership passes to the new thread, which frees
            // it.
            None => unsafe { libc::pthread_create(&mut thread, ptr::null(), trampoline, arg) },
            Some(size) => create_with_stack_size(&mut thread, stack_size(size), arg),
        };
        if rc != 0 {
            // SAFETY: no thread was created, so `arg` is still ours; dropping
            // it drops `main` unrun.
            drop(unsafe { Box::from_raw(arg.cast::<Start>()) });
            return Err(refused("pthread_create", rc));
        }
        // SAFETY: `thread` was just created, is joinable, and nobody else
        // joins or detaches it; forkscope tracks completion itself.
        unsafe { libc::pthread_detach(thread) };
        Ok(())
    }

    fn wait(&self, word: &AtomicU32, expected: u32) {
        futex_wait(word, expected, None);
    }

    fn wait_timeout(&self, word: &AtomicU32, expected: u32, timeout_nanos: u64) {
        futex_wait(word, expected, Some(timeout_nanos));
    }

    fn wake_one(&self, word: &AtomicU32) {
        futex_wake(word, 1);
    }

    fn wake_all(&self, word: &AtomicU32) {
        futex_wake(word, libc::c_int::MAX);
    }

    fn yield_now(&self) {
        // SAFETY: sched_yield has no preconditions.
        unsafe { libc::sched_yield() };
    }

    fn slot(&self) -> usize {
        // SAFETY: the key is valid (created by `slot_key`, never deleted).
        unsafe { libc::pthread_getspecific(slot_key()) }.addr()
    }

    fn set_slot(&self, value: usize) {
        // SAFETY: the key is valid; the value is stored as an opaque word and
        // never dereferenced by pthreads (no destructor).
        let rc = unsafe { libc::pthread_setspecific(slot_key(), ptr::without_provenance(value)) };
        assert_eq!(rc, 0, "pthread_setspecific failed: {rc}");
    }

    fn available_parallelism(&self) -> usize {
        // SAFETY: sysconf only reads a system value.
        let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
        usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(1)
    }

    fn catch_unwind(&self, f: &mut dyn FnMut()) -> Result<(), Payload> {
        panic::catch_unwind(AssertUnwindSafe(f))
    }

    fn resume_unwind(&self, payload: Payload) -> ! {
        panic::resume_unwind(payload)
    }

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

/// `pthread_create` with a stack size, through an attribute object. Returns
/// the error number of the first call that failed, or 0.
fn create_with_stack_size(
    thread: &mut libc::pthread_t,
    size: usize,
    arg: *mut c_void,
) -> libc::c_int {
    let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
    // SAFETY: pthread_attr_init initializes the attribute object we own.
    let rc = unsafe { libc::pthread_attr_init(attr.as_mut_ptr()) };
    if rc != 0 {
        return rc;
    }
    // SAFETY: `attr` was initialized above; `size` is at least
    // PTHREAD_STACK_MIN and a whole number of pages.
    let mut rc = unsafe { libc::pthread_attr_setstacksize(attr.as_mut_ptr(), size) };
    if rc == 0 {
        // SAFETY: `attr` is initialized; `trampoline` has the signature
        // pthreads expects; on success `arg`'s ownership passes to the new
        // thread, which frees it.
        rc = unsafe { libc::pthread_create(thread, attr.as_ptr(), trampoline, arg) };
    }
    // SAFETY: `attr` was initialized and is not used after this.
    unsafe { libc::pthread_attr_destroy(attr.as_mut_ptr()) };
    rc
}

fn refused(call: &str, rc: libc::c_int) -> SpawnError {
    SpawnError::Refused(std::format!(
        "{call}: {}",
        std::io::Error::from_raw_os_error(rc)
    ))
}

fn futex_wait(word: &AtomicU32, expected: u32, timeout_nanos: Option<u64>) {
    let ts;
    let ts_ptr = match timeout_nanos {
        Some(n) => {
            ts = libc::timespec {
                tv_sec: (n / 1_000_000_000).min(libc::time_t::MAX as u64) as libc::time_t,
                tv_nsec: (n % 1_000_000_000) as _,
            };
            &ts as *const libc::timespec
        }
        None => ptr::null(),
    };
    // SAFETY: FUTEX_WAIT reads the u32 at `word` (alive: we hold a reference)
    // and compares it with `expected` atomically with going to sleep;
    // `ts_ptr` is null or points to a live relative timeout. EINTR, EAGAIN
    // and ETIMEDOUT need no handling: forkscope treats every return as a
    // possible spurious wake-up.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            expected,
            ts_ptr,
        )
    };
}

fn futex_wake(word: &AtomicU32, count: libc::c_int) {
    // SAFETY: FUTEX_WAKE uses the address of `word` only as a key; it is alive
    // since we hold a reference.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            count,
        )
    };
}

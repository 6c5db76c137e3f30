//! A pool worker's private state, the `join` hot path, and the worker loop.

use super::frame::{FrameHead, JobResult, JoinFrame};
use super::registry::Registry;
use crate::sync::atomic::{AtomicPtr, Ordering};
use crate::sync::{CoreLatch, JobRef, Parker, slot};
use alloc::sync::Arc;
use core::cell::Cell;
use core::mem::ManuallyDrop;
use core::ptr;

/// How many private frames a worker keeps (in a pool of more than one
/// worker; a lone worker has nobody to share with and keeps none). A `join`
/// made while it has that many runs `a` then `b` with no frame at all:
/// thieves only ever take the *oldest* frame, so a frame that deep would be
/// the last to go, and the joins deep in a recursion are nearly all of its
/// joins. The frames above keep the work shareable: as thieves take the
/// oldest ones, deeper joins get frames again. A framed join costs a few
/// nanoseconds more than a frameless one, so more frames only cost: with 16
/// (once twice the pool's threads), fib(33) in a pool of 8 threads on 2
/// cores, where thieves keep taking small frames, spent half its time in
/// framed joins and ran 2x as long as on 2 threads; with 4 it runs as fast.
const PRIVATE_FRAMES: u32 = 1;
/// How deep a waiting worker may nest other work on its stack: a worker's
/// stack holds at most `MAX_HELP_DEPTH + 1` jobs' deepest recursions (its
/// own, and one per level of helping), which is the bound
/// `docs/embedding.md` ("Thread counts and stack sizes") gives for sizing
/// stacks and `tests/stack_depth.rs` runs within.
const MAX_HELP_DEPTH: u32 = 16;
/// Rounds of looking for work before a worker sleeps: a few with spin hints
/// (a waiting owner sees its latch within a few dozen nanoseconds), then
/// yielding its time slice. Yielding early matters whenever the pool shares
/// its cores: with 4096 spin rounds a worker that a tiny cold `join` from
/// `main` had woken kept its core for ~100 us while `main` waited for it,
/// and a tiny cold `join` took 150 us (rayon: 28 us; now 4 us). A yield
/// with nothing else to run returns within a microsecond, so the polling
/// stays fast on an idle machine. (One round each under loom, where every
/// round multiplies the interleavings to explore.)
const SPIN_ROUNDS: u32 = if cfg!(loom) { 1 } else { 64 };
const YIELD_ROUNDS: u32 = if cfg!(loom) { 1 } else { 256 };
/// A hungry worker looks at the injector and the other workers' shared
/// slots at the start of its spin rounds and then every `LOOK_EVERY` yield
/// rounds (several microseconds), and takes a frame only if it saw the very
/// same frame at its previous look. Two reasons:
///
/// - Each look pulls the slots' cache lines over, and the owners' next
///   writes to them (a publish, a reclaim) then pay to take them back: with
///   a look every few dozen nanoseconds, a 1023-node tree sum on 2 threads
///   (about 1.5 us of work, 10 publications) ran 1.7x slower than with the
///   other worker busy elsewhere; a look every few microseconds costs nearly
///   nothing.
/// - A frame its owner reclaims within a few microseconds is cheaper left to
///   the owner than handed over (a cross-core hand-off costs about a
///   microsecond, and the owner then waits for the thief's result). A frame
///   still there a look later is one whose `a` runs long: the big pieces of
///   work, which pay this delay once. The slot values carry a tag (see
///   `FrameHead::prepare_to_share`), so a new frame at an old address does
///   not pass for an old one.
///
/// A frame marked urgent (`WorkerThread::offer_next_at_once`: the other
/// half of a parallel iterator's piece, split because a worker asked) is
/// taken at first sight: it is known to be big already.
const LOOK_EVERY: u32 = if cfg!(loom) { 1 } else { 8 };

/// The published frame a thief saw at its last look, which it takes if it
/// is still there at the next one (see `LOOK_EVERY`).
#[derive(Clone, Copy)]
struct Sighting {
    victim: usize,
    frame: *const FrameHead,
}

/// Work a worker found: a stolen join frame or an injected job.
enum Work {
    Frame(*const FrameHead),
    Injected(JobRef),
}

/// The private state of one worker thread. Lives on the worker's stack for
/// the thread's whole life; the thread's slot points to it.
pub(crate) struct WorkerThread {
    registry: *const Registry,
    /// This worker's shared slot in the registry, cached to save a pointer
    /// hop on each join.
    shared_slot: *const AtomicPtr<FrameHead>,
    /// Whether there is anybody to share frames with (more than one worker).
    shares: bool,
    /// This worker's parker in the registry, for thieves to wake us.
    parker: *const Parker,
    index: usize,
    /// Top of this worker's join frames, shared or private.
    newest: Cell<*const FrameHead>,
    /// The oldest frame no other thread can see; null if there is none.
    oldest_private: Cell<*const FrameHead>,
    /// How many private frames there are (`oldest_private` up to `newest`).
    private_frames: Cell<u32>,
    /// How many private frames this worker keeps at most.
    max_private_frames: u32,
    help_depth: Cell<u32>,
    /// Frames published so far (wrapping): the tags of published frames.
    publications: Cell<usize>,
    /// Whether the next publication is to be taken at first sight (see
    /// `offer_next_at_once`).
    urgent_publication: Cell<bool>,
    /// Xorshift state to pick a victim.
    rng: Cell<u32>,
}

impl WorkerThread {
    /// The calling thread's worker, if it is one.
    #[inline(always)]
    pub(crate) fn current() -> Option<&'static WorkerThread> {
        // (The word is an address whose provenance `act_as_worker` exposed.)
        let p = ptr::with_exposed_provenance::<WorkerThread>(slot::get());
        // SAFETY: a non-zero word (through whichever backend's slot holds
        // it, see `sync/slot.rs`) was set by `act_as_worker` to this
        // thread's own WorkerThread, which outlives every call made on the
        // thread while the word is set: `act_as_worker`'s guard clears it
        // before the WorkerThread goes away, on return and on unwind alike.
        unsafe { p.as_ref() }
    }

    /// # Safety
    ///
    /// The calling thread is a pool worker.
    #[inline]
    pub(crate) unsafe fn current_unchecked() -> &'static WorkerThread {
        debug_assert!(slot::get() != 0);
        // SAFETY: caller contract, and as in `current`.
        unsafe { &*ptr::with_exposed_provenance::<WorkerThread>(slot::get()) }
    }

    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// A new strong reference to this worker's registry.
    pub(super) fn registry_arc(&self) -> Arc<Registry> {
        // SAFETY: `registry` comes from `Arc::as_ptr` of the Arc that `run`'s
        // caller holds for the worker's whole life, so the count is >= 1.
        unsafe {
            Arc::increment_strong_count(self.registry);
            Arc::from_raw(self.registry)
        }
    }

    pub(crate) fn registry(&self) -> &Registry {
        // SAFETY: the worker thread holds an Arc of its registry for as long
        // as the WorkerThread exists.
        unsafe { &*self.registry }
    }

    /// Runs worker `index` of `registry` on the calling thread until the pool
    /// terminates.
    pub(super) fn run(registry: &Arc<Registry>, index: usize) {
        Self::act_as_worker(registry, index, WorkerThread::main_loop);
    }

    /// Runs `f` on the calling thread as worker `index` of `registry`: its
    /// `WorkerThread` on this stack, the thread's slot pointing to it.
    pub(super) fn act_as_worker<R>(
        registry: &Arc<Registry>,
        index: usize,
        f: impl FnOnce(&WorkerThread) -> R,
    ) -> R {
        let worker = WorkerThread {
            registry: Arc::as_ptr(registry),
            shared_slot: registry.slot_of(index),
            shares: registry.num_threads() > 1,
            parker: registry.parker(index),
            index,
            newest: Cell::new(ptr::null()),
            oldest_private: Cell::new(ptr::null()),
            private_frames: Cell::new(0),
            max_private_frames: if registry.num_threads() > 1 {
                PRIVATE_FRAMES
            } else {
                0
            },
            help_depth: Cell::new(0),
            publications: Cell::new(0),
            urgent_publication: Cell::new(false),
            rng: Cell::new((index as u32).wrapping_mul(0x9E37_79B9) | 1),
        };
        let backend = registry.backend();
        /// Clears the slot when `f` returns or unwinds: a donated thread
        /// may go on after a panic escaped its worker loop, and its slot
        /// must not point to this frame any more.
        struct ClearSlot(&'static dyn crate::Backend);
        impl Drop for ClearSlot {
            fn drop(&mut self) {
                slot::set(self.0, 0);
            }
        }
        slot::set(backend, (&worker as *const WorkerThread).expose_provenance());
        let _clear = ClearSlot(backend);
        f(&worker)
    }

    /// Runs the jobs injected into the pool until there are none: a thread
    /// in the install seat (see `Registry::drain_install_seat`).
    pub(super) fn run_injected_jobs(&self) {
        let registry = self.registry();
        while let Some(job) = registry.pop_injected() {
            registry.start_job(false);
            // SAFETY: injected jobs are executed once (the injector hands
            // each out once), by a worker of their pool: us.
            unsafe { self.execute(Work::Injected(job)) };
            registry.end_job();
        }
    }

    // ---- the join hot path -------------------------------------------------

    /// `join` on this worker.
    ///
    /// # Safety
    ///
    /// `self` is the calling thread's own worker.
    #[inline(always)]
    pub(crate) unsafe fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        let private_frames = self.private_frames.get();
        if private_frames >= self.max_private_frames {
            // Still refill an emptied slot: a worker deep in a recursion has
            // frames to share, and may not push another for a long time.
            self.share_if_slot_empty();
            return join_without_frame(a, b);
        }
        // SAFETY: forwarded.
        unsafe { self.join_with_frame(a, b, private_frames) }
    }

    /// `join` with a private frame for `b`, which idle workers may ask for.
    ///
    /// # Safety
    ///
    /// `self` is the calling thread's own worker.
    #[inline(never)]
    unsafe fn join_with_frame<A, B, RA, RB>(&self, a: A, b: B, private_frames: u32) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        self.private_frames.set(private_frames + 1);

        // Push: only this thread reads these links.
        let frame = JoinFrame::new(b, self.newest.get());
        // From a pointer to the whole frame (repr(C), head first): a thief
        // reaches `func` and `result` through this pointer.
        let head = (&frame as *const JoinFrame<B, RB>).cast::<FrameHead>();
        self.newest.set(head);
        if self.oldest_private.get().is_null() {
            self.oldest_private.set(head);
        }
        self.share_if_slot_empty();

        let guard = RecoverOnUnwind {
            worker: self,
            frame: &frame,
        };
        let ra = a();
        core::mem::forget(guard);

        if frame.head.published_as.get().is_null() {
            // Still private, hence the newest frame: pop it and run `b` here.
            self.pop_private(head);
            // SAFETY: private frames are never run by anyone else.
            let rb = unsafe { frame.run_inline() };
            return (ra, rb);
        }
        // SAFETY: the frame is ours and shared.
        let rb = match unsafe { self.reclaim_or_wait(&frame) } {
            // SAFETY: reclaimed, so nobody else runs it.
            None => unsafe { frame.run_inline() },
            Some(stolen) => stolen.into_return_value(self.registry().backend()),
        };
        (ra, rb)
    }

    #[inline(always)]
    fn pop_private(&self, head: *const FrameHead) {
        self.private_frames.set(self.private_frames.get() - 1);
        // SAFETY: `head` is our newest frame, alive on our stack.
        self.newest.set(unsafe { (*head).older.get() });
        if self.oldest_private.get() == head {
            self.oldest_private.set(ptr::null());
        }
    }

    /// The frame was shared: take it back if nobody stole it (`None`: the
    /// caller runs `b`), else wait for the thief and return `b`'s result.
    /// Pops the frame either way.
    ///
    /// # Safety
    ///
    /// `frame` is this worker's newest frame, shared.
    #[cold]
    unsafe fn reclaim_or_wait<B: FnOnce() -> RB, RB>(
        &self,
        frame: &JoinFrame<B, RB>,
    ) -> Option<JobResult<RB>> {
        // A shared frame's younger frames are all gone, and its older ones are
        // shared too: it is the top of the stack and nothing is private.
        self.newest.set(frame.head.older.get());
        debug_assert!(self.oldest_private.get().is_null());
        if self
            .registry()
            .reclaim(self.index, frame.head.published_as.get())
        {
            return None;
        }
        // SAFETY: shared frames were prepared.
        self.wait_until(unsafe { frame.head.latch() });
        // SAFETY: stolen, and the latch is set.
        Some(unsafe { frame.take_result() })
    }

    /// Marks the frame this worker publishes next (at its next `join`, its
    /// slot being empty) as one to take at first sight, without the second
    /// look of `LOOK_EVERY`: for a split made because a worker asked for
    /// work, of a piece that already ran for a while (`SplitProbe`), whose
    /// other half is known to be worth a hand-off.
    pub(crate) fn offer_next_at_once(&self) {
        self.urgent_publication.set(true);
    }

    /// Whether nothing of this worker is on offer to the others.
    #[inline]
    pub(crate) fn shared_slot_is_empty(&self) -> bool {
        // SAFETY: the slot is in our registry, alive (see `registry`).
        // Relaxed: a hint, as in `share_if_slot_empty`.
        unsafe { (*self.shared_slot).load(Ordering::Relaxed) }.is_null()
    }

    /// Publishes the oldest private frame if the shared slot is empty: one
    /// load of a word that only this worker fills and that a thief only
    /// empties, so while the slot holds a frame the load is a cache hit and
    /// nothing is written. A published frame stays there for the whole run of
    /// its `a` unless stolen, so a recursion publishes O(depth) frames, not
    /// O(joins), and an owner that runs for long without calling `join`
    /// again still has its biggest pending piece of work on offer.
    #[inline(always)]
    fn share_if_slot_empty(&self) {
        // SAFETY: the slot is in our registry, alive (see `registry`).
        // Relaxed: only we store non-null into it, so a null we read stays
        // null until we publish; a stale non-null only delays the refill to
        // our next join.
        if self.shares && unsafe { (*self.shared_slot).load(Ordering::Relaxed) }.is_null() {
            self.share_oldest();
        }
    }

    /// Moves the oldest private frame, if any, into the shared slot, which
    /// is empty.
    #[cold]
    #[inline(never)]
    fn share_oldest(&self) {
        let oldest = self.oldest_private.get();
        if oldest.is_null() {
            // (Nothing to publish: an urgent mark would be for this join.)
            self.urgent_publication.set(false);
            return;
        }
        self.private_frames.set(self.private_frames.get() - 1);
        // Find the next older private frame... from the top: the private
        // frames are `newest` down to `oldest`, a short chain (one frame per
        // nesting level), walked only when sharing.
        let mut f = self.newest.get();
        if f == oldest {
            self.oldest_private.set(ptr::null());
        } else {
            // SAFETY: every frame in the chain is alive on our stack.
            unsafe {
                while (*f).older.get() != oldest {
                    f = (*f).older.get();
                }
            }
            self.oldest_private.set(f);
        }
        // SAFETY: `oldest` is our private frame, alive until its join
        // returns, which waits for whoever takes it.
        let count = self.publications.get().wrapping_add(1);
        self.publications.set(count);
        let urgent = self.urgent_publication.replace(false);
        // SAFETY: `oldest` is our private frame, alive.
        let published = unsafe { FrameHead::prepare_to_share(oldest, self.parker, count, urgent) };
        self.registry().publish(self.index, published);
    }

    // ---- waiting and working -----------------------------------------------

    /// Blocks until `latch` is set, running other work meanwhile (nested at
    /// most `MAX_HELP_DEPTH` deep), then sleeping until the latch is set or,
    /// if it may still help, until work turns up.
    #[cold]
    pub(super) fn wait_until(&self, latch: &CoreLatch) {
        let registry = self.registry();
        let may_help = self.help_depth.get() < MAX_HELP_DEPTH;
        while !latch.probe() {
            match self.look_for_work(Some(latch), may_help) {
                Some(work) => {
                    self.help_depth.set(self.help_depth.get() + 1);
                    // SAFETY: found by `find_work` on our registry.
                    unsafe { self.execute(work) };
                    self.help_depth.set(self.help_depth.get() - 1);
                }
                None if latch.probe() => return,
                None => registry.sleep(self.index, Some(latch), may_help),
            }
        }
    }

    /// Spins, then yields, looking for work if `search` (while counted as
    /// hungry, so that injecting or starting a job wakes nobody else). Stops early when `latch` is set,
    /// or, without a latch, when the pool terminates. Returns the work found,
    /// or `None` when it is time to sleep.
    fn look_for_work(&self, latch: Option<&CoreLatch>, search: bool) -> Option<Work> {
        let registry = self.registry();
        if search {
            registry.add_hungry();
        }
        let mut found = None;
        let mut sighting = None;
        for round in 0..SPIN_ROUNDS + YIELD_ROUNDS {
            if latch.is_some_and(CoreLatch::probe) {
                break;
            }
            let look = round == 0 || (round >= SPIN_ROUNDS && round.is_multiple_of(LOOK_EVERY));
            if search && look {
                registry.tick();
                found = self.find_work(&mut sighting);
                if found.is_some() {
                    break;
                }
            }
            if latch.is_none() && registry.is_terminating() {
                break;
            }
            if round < SPIN_ROUNDS {
                crate::sync::spin(2);
            } else {
                registry.backend().yield_now();
            }
        }
        if search {
            registry.remove_hungry();
        }
        found
    }

    /// Takes an injected job, or a published frame of another worker that
    /// was already there at the previous look (`sighting`; urgent ones, and
    /// all under loom, at first sight).
    fn find_work(&self, sighting: &mut Option<Sighting>) -> Option<Work> {
        let registry = self.registry();
        if let Some(job) = registry.pop_injected() {
            return Some(Work::Injected(job));
        }
        if let Some(seen) = sighting.take()
            && registry.peek(seen.victim) == seen.frame
        {
            // Whatever the swap returns (the frame, or one published since),
            // it is ours.
            return registry.steal(seen.victim).map(Work::Frame);
        }
        let n = registry.num_threads();
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        let start = x as usize % n;
        for i in 0..n {
            let victim = (start + i) % n;
            let frame = registry.peek(victim);
            if victim != self.index && !frame.is_null() {
                if cfg!(loom) || FrameHead::is_urgent(frame) {
                    return registry.steal(victim).map(Work::Frame);
                }
                *sighting = Some(Sighting { victim, frame });
                return None;
            }
        }
        None
    }

    /// # Safety
    ///
    /// `work` came from `find_work` on this worker.
    unsafe fn execute(&self, work: Work) {
        match work {
            // SAFETY: stolen by a successful swap, by a worker of its registry.
            Work::Frame(frame) => unsafe { FrameHead::execute(frame) },
            // SAFETY: injected jobs are executed once, by a worker.
            Work::Injected(job) => unsafe { job.execute() },
        }
    }

    fn main_loop(&self) {
        let registry = self.registry();
        loop {
            match self.look_for_work(None, true) {
                Some(work) => {
                    registry.start_job(matches!(work, Work::Frame(_)));
                    // SAFETY: found by `find_work` on our registry.
                    unsafe { self.execute(work) };
                    registry.end_job();
                }
                None if registry.is_terminating() => return,
                None => registry.sleep(self.index, None, true),
            }
        }
    }
}

/// `join` with no frame: `a`, then `b`, both always run (if `a` panics, `b`
/// runs while the panic unwinds, its own panic caught and dropped).
#[inline(always)]
fn join_without_frame<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: FnOnce() -> RB,
{
    struct RunOnUnwind<B: FnOnce() -> RB, RB>(ManuallyDrop<B>);
    impl<B: FnOnce() -> RB, RB> Drop for RunOnUnwind<B, RB> {
        #[cold]
        fn drop(&mut self) {
            // SAFETY: only reached on unwind: `b` was not taken below.
            let b = unsafe { ManuallyDrop::take(&mut self.0) };
            // SAFETY: called on a worker (`join_without_frame` is only
            // called by `WorkerThread::join`).
            let backend = unsafe { WorkerThread::current_unchecked() }
                .registry()
                .backend();
            drop(JobResult::call(backend, b));
        }
    }
    let mut guard = RunOnUnwind(ManuallyDrop::new(b));
    let ra = a();
    // SAFETY: `a` returned, so the guard will not run `b`: we take it here,
    // once, and forget the guard.
    let b = unsafe { ManuallyDrop::take(&mut guard.0) };
    core::mem::forget(guard);
    (ra, b())
}

/// Makes sure `b` has run (or is finished by its thief) before a panic of
/// `a` unwinds past the frame; `b`'s own result or panic is dropped, so `a`'s
/// panic is the one that continues.
struct RecoverOnUnwind<'a, B: FnOnce() -> RB, RB> {
    worker: &'a WorkerThread,
    frame: &'a JoinFrame<B, RB>,
}

impl<B: FnOnce() -> RB, RB> Drop for RecoverOnUnwind<'_, B, RB> {
    #[cold]
    fn drop(&mut self) {
        let (worker, frame) = (self.worker, self.frame);
        let stolen = if frame.head.published_as.get().is_null() {
            worker.pop_private(&frame.head);
            None
        } else {
            // SAFETY: our newest frame, shared.
            unsafe { worker.reclaim_or_wait(frame) }
        };
        if stolen.is_none() {
            let backend = worker.registry().backend();
            // SAFETY: private or reclaimed, so nobody else runs it.
            drop(JobResult::call(backend, || unsafe { frame.run_inline() }));
        }
    }
}

/// Hooks for the loom models (`pool/loom_tests.rs`), whose threads act as
/// workers (`act_as_worker`) without the worker loop.
#[cfg(all(test, loom))]
impl WorkerThread {
    /// Looks for work once, as the worker loop does, and runs what it finds.
    pub(super) fn help_once_for_model(&self) -> bool {
        match self.find_work(&mut None) {
            // SAFETY: found by `find_work` on our registry.
            Some(work) => unsafe { self.execute(work) },
            None => return false,
        }
        true
    }
}

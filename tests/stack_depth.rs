//! A deep, unbalanced `join` recursion does not overflow a worker's stack
//! through stealing or helping.
//!
//! The tree: a balanced `join` over `PATHS` paths, each a chain of `DEPTH`
//! `join`s whose one half recurses and whose other half is a leaf (both
//! ways round: the deep half as `a`, run by the owner, and as `b`, the half
//! thieves take). About 1e6 nodes in all, counted exactly once each.
//!
//! The bound this relies on (docs/embedding.md, "Thread counts and stack
//! sizes"; `MAX_HELP_DEPTH` in src/pool/worker.rs): a worker whose `b` was
//! taken runs other work on top of its own stack while it waits, and that
//! work may wait and help again, but at most 16 helped jobs nest; so a
//! worker's stack holds at most 17 jobs, each as deep as the same recursion
//! run sequentially. The test measures what one path uses run sequentially
//! (on a pool of one worker, where `join` runs `a` then `b` in place: the
//! same code with no stealing), checks that 17 times that fits in the
//! workers' `STACK` with room to spare (so the depth is one a sequential
//! run survives many times over: a debug build uses about 530 bytes per
//! level, 1 MiB per path, so 17 paths take 18 of the 64 MiB), and then runs the tree on pools of 2 and
//! 4 workers with that stack. Overflowing would kill the test binary.
//!
//! Under Miri: a tiny tree (Miri does not model stack sizes, and is slow).

mod common;

use forkscope::ThreadPoolBuilder;
use std::cell::Cell;

/// The workers' stack size.
const STACK: usize = 64 << 20;
/// How many jobs a worker's stack may hold at once: its loop's and
/// `MAX_HELP_DEPTH` (16) helped ones.
const NESTED_JOBS: usize = 17;
const DEPTH: u64 = if cfg!(miri) { 20 } else { 2000 };
const PATHS: u64 = if cfg!(miri) { 4 } else { 250 };

thread_local! {
    /// The lowest stack address a leaf of this thread saw.
    static LOWEST: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn leaf() -> u64 {
    let here = 0u8;
    let addr = std::ptr::addr_of!(here) as usize;
    LOWEST.with(|l| l.set(l.get().min(addr)));
    1
}

/// A path of `n` joins; the deep half is `a` if `deep_first`, else `b`.
/// Returns the number of nodes (joins and leaves).
fn path(n: u64, deep_first: bool) -> u64 {
    if n == 0 {
        return leaf();
    }
    let (x, y) = if deep_first {
        forkscope::join(|| path(n - 1, true), leaf)
    } else {
        forkscope::join(leaf, || path(n - 1, false))
    };
    x + y + 1
}

/// `paths` paths under a balanced join.
fn forest(paths: u64, deep_first: bool) -> u64 {
    if paths == 1 {
        return path(DEPTH, deep_first);
    }
    let half = paths / 2;
    let (x, y) = forkscope::join(
        || forest(half, deep_first),
        || forest(paths - half, deep_first),
    );
    x + y
}

/// Nodes of one path: `DEPTH` joins, each with a leaf, and the last leaf.
const PATH_NODES: u64 = 2 * DEPTH + 1;

#[test]
fn a_path_shaped_join_tree_of_a_million_nodes_fits_the_stack_with_stealing_and_helping() {
    common::setup();
    // The sequential run: one path on a pool of one.
    let one = ThreadPoolBuilder::new()
        .num_threads(1)
        .stack_size(STACK)
        .build()
        .unwrap();
    for deep_first in [true, false] {
        let used = one.install(|| {
            let top = 0u8;
            let top = std::ptr::addr_of!(top) as usize;
            LOWEST.with(|l| l.set(usize::MAX));
            assert_eq!(path(DEPTH, deep_first), PATH_NODES);
            // (Under Miri locals are separate allocations at no particular
            // addresses: the difference means nothing there, and is not
            // checked.)
            top.saturating_sub(LOWEST.with(Cell::get))
        });
        if !cfg!(miri) {
            // The depth is one the sequential run survives 17 times over,
            // with a quarter of the stack to spare.
            assert!(
                NESTED_JOBS * used <= STACK / 4 * 3,
                "a path of {DEPTH} uses {used} bytes sequentially: too deep for the test"
            );
        }
    }
    drop(one);

    for threads in [2, 4] {
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(STACK)
            .build()
            .unwrap();
        for deep_first in [true, false] {
            let nodes = pool.install(|| forest(PATHS, deep_first));
            assert_eq!(
                nodes,
                PATHS * PATH_NODES,
                "{threads} threads, deep half first: {deep_first}"
            );
        }
    }
}

//! The unindexed adapters, the collections, the fallible operations and
//! `par_bridge`, against the sequential result: sizes 0 … 100_003 (smaller
//! under Miri), in pools of 1, 2 and 3 threads and from outside any pool;
//! short-circuits counted; the first error in order.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::iter_support::{SIZES, everywhere, pools, quiet, sink, values};
use common::setup;
use forkscope::ThreadPoolBuilder;
use forkscope::iter::Either;
use forkscope::prelude::*;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashSet, LinkedList, VecDeque};
use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn filter_filter_map_and_the_flat_maps_match_sequential_in_order() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let odd = |x: &&u64| **x % 2 == 1;
            let got: Vec<&u64> = v.par_iter().filter(odd).collect();
            assert_eq!(got, v.iter().filter(odd).collect::<Vec<_>>(), "n = {n}");
            assert_eq!(
                v.par_iter().filter(odd).count(),
                v.iter().filter(odd).count()
            );
            assert_eq!(
                v.par_iter().filter(odd).sum::<u64>(),
                v.iter().filter(odd).sum::<u64>()
            );
            let half = |x: &u64| x.is_multiple_of(3).then_some(x / 3);
            let got: Vec<u64> = v.par_iter().filter_map(half).collect();
            assert_eq!(got, v.iter().filter_map(half).collect::<Vec<_>>());
            // Small inner iterators: 0 to 3 items each.
            let inner = |x: &u64| 0..(*x % 4);
            let got: Vec<u64> = v.par_iter().flat_map_iter(inner).collect();
            assert_eq!(got, v.iter().flat_map(inner).collect::<Vec<_>>());
            let got: Vec<u64> = v
                .par_iter()
                .flat_map(|x| (0..(*x % 4)).into_par_iter())
                .collect();
            assert_eq!(got, v.iter().flat_map(inner).collect::<Vec<_>>());
            let nested: Vec<Vec<u64>> = v.iter().map(|&x| (0..x % 4).collect()).collect();
            let got: Vec<u64> = nested.clone().into_par_iter().flatten().collect();
            assert_eq!(got, nested.iter().flatten().copied().collect::<Vec<_>>());
            let got: Vec<u64> = nested.clone().into_par_iter().flatten_iter().collect();
            assert_eq!(got, nested.iter().flatten().copied().collect::<Vec<_>>());
            // Chains of unindexed iterators, and searches through them.
            let got: Vec<&u64> = v
                .par_iter()
                .filter(odd)
                .chain(v.par_iter().filter(odd))
                .collect();
            let seq: Vec<&u64> = v.iter().filter(odd).chain(v.iter().filter(odd)).collect();
            assert_eq!(got, seq);
            assert_eq!(
                v.par_iter().filter(odd).find_first(|x| **x % 5 == 0),
                v.iter().filter(odd).find(|x| **x % 5 == 0)
            );
            assert_eq!(
                v.par_iter().filter(odd).find_last(|x| **x % 5 == 0),
                v.iter().filter(odd).rev().find(|x| **x % 5 == 0)
            );
            let mut updated: Vec<u64> = v.par_iter().copied().update(|x| *x += 1).collect();
            updated.par_iter_mut().for_each(|x| *x -= 1);
            assert_eq!(updated, v);
        }
    });
}

#[test]
fn a_big_inner_iterator_of_flat_map_splits_across_the_pool() {
    setup();
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let n = if cfg!(miri) { 2_000 } else { 200_000 };
    let seen = std::sync::Mutex::new(std::collections::HashSet::new());
    let total: u64 = pool.install(|| {
        (0..2u32)
            .into_par_iter()
            .with_max_len(1)
            .flat_map(|_| {
                (0..n as u64).into_par_iter().map(|x| {
                    if x % 1000 == 0 {
                        seen.lock()
                            .unwrap()
                            .insert(forkscope::current_thread_index());
                        std::thread::sleep(std::time::Duration::from_micros(50));
                    }
                    x
                })
            })
            .sum()
    });
    assert_eq!(total, 2 * (0..n as u64).sum::<u64>());
    assert_eq!(
        seen.into_inner().unwrap().len(),
        2,
        "both workers ran inner items"
    );
}

#[test]
fn while_some_take_any_skip_any_and_panic_fuse() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let all: Vec<u64> = v.par_iter().map(|&x| Some(x)).while_some().collect();
            assert_eq!(all, v);
            if n > 0 {
                let cut = n / 2;
                let some: Vec<u64> = v
                    .par_iter()
                    .enumerate()
                    .map(|(i, &x)| (i != cut).then_some(x))
                    .while_some()
                    .collect();
                assert!(some.len() < n, "the None is never passed on");
            }
            let all: HashSet<u64> = v.iter().copied().collect();
            for k in [0, 1, n / 2, n, n + 5] {
                let taken: Vec<u64> = v.par_iter().copied().take_any(k).collect();
                assert_eq!(taken.len(), k.min(n));
                assert!(taken.iter().all(|x| all.contains(x)));
                let rest: Vec<u64> = v.par_iter().copied().skip_any(k).collect();
                assert_eq!(rest.len(), n - k.min(n));
                let mut both: Vec<u64> =
                    v.par_iter().copied().filter(|_| true).skip_any(k).collect();
                both.extend(v.par_iter().copied().take_any(0).collect::<Vec<_>>());
                assert_eq!(both.len(), n - k.min(n));
            }
            assert_eq!(
                v.par_iter().panic_fuse().sum::<u64>(),
                v.iter().sum::<u64>()
            );
        }
    });
    // A fused iterator still reports the panic, and stops the others: far
    // fewer items run than without the fuse.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let n: usize = if cfg!(miri) { 2_000 } else { 1_000_000 };
    let ran = AtomicUsize::new(0);
    let r = quiet(|| {
        pool.install(|| {
            (0..n).into_par_iter().panic_fuse().for_each(|i| {
                ran.fetch_add(1, Ordering::Relaxed);
                assert!(i != 10, "item {i}");
            })
        })
    });
    panic::set_hook(hook);
    assert!(r.is_err());
    assert!(ran.into_inner() < n / 4, "panic_fuse stopped the rest");
}

#[test]
fn every_collection_collects_and_extends_like_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let pairs = || v.par_iter().map(|&x| (x % 97, x));
            let seq_pairs = || v.iter().map(|&x| (x % 97, x));
            assert_eq!(
                pairs().collect::<VecDeque<_>>(),
                seq_pairs().collect::<VecDeque<_>>()
            );
            assert_eq!(
                pairs().collect::<LinkedList<_>>(),
                seq_pairs().collect::<LinkedList<_>>()
            );
            assert_eq!(
                pairs().collect::<BTreeMap<_, _>>(),
                seq_pairs().collect::<BTreeMap<_, _>>()
            );
            assert_eq!(
                v.par_iter().collect::<BTreeSet<_>>(),
                v.iter().collect::<BTreeSet<_>>()
            );
            assert_eq!(
                v.par_iter()
                    .copied()
                    .collect::<BinaryHeap<_>>()
                    .into_sorted_vec(),
                v.iter()
                    .copied()
                    .collect::<BinaryHeap<_>>()
                    .into_sorted_vec()
            );
            let letters = |x: &u64| char::from(b'a' + (x % 26) as u8);
            assert_eq!(
                v.par_iter().map(letters).collect::<String>(),
                v.iter().map(letters).collect::<String>()
            );
            let words: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            assert_eq!(
                words.par_iter().map(String::as_str).collect::<String>(),
                words.concat()
            );
            assert_eq!(
                words.clone().into_par_iter().collect::<String>(),
                words.concat()
            );
            let boxed: Box<[u64]> = v.par_iter().copied().collect();
            assert_eq!(&*boxed, &v[..]);
            let mut extended = vec![1u64, 2];
            extended.par_extend(v.par_iter());
            extended.par_extend(v.par_iter().filter(|x| **x % 2 == 0));
            let seq: Vec<u64> = [1, 2]
                .iter()
                .chain(&v)
                .chain(v.iter().filter(|x| **x % 2 == 0))
                .copied()
                .collect();
            assert_eq!(extended, seq);
            let mut deque = VecDeque::from([5u64]);
            deque.par_extend(v.par_iter().copied());
            assert_eq!(deque.len(), n + 1);
            let list = v.par_iter().filter(|x| **x % 3 == 0).collect_vec_list();
            assert_eq!(
                list.into_iter().flatten().collect::<Vec<_>>(),
                v.iter().filter(|x| **x % 3 == 0).collect::<Vec<_>>()
            );
        }
    });
}

/// `HashMap` / `HashSet` are std's: their impls exist with the `std`
/// feature only.
#[cfg(feature = "std")]
#[test]
fn hash_collections_collect_and_extend_like_sequential() {
    use std::collections::{HashMap, HashSet};
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let pairs: HashMap<u64, u64> = v.par_iter().map(|&x| (x % 97, x)).collect();
            assert_eq!(
                pairs,
                v.iter().map(|&x| (x % 97, x)).collect::<HashMap<_, _>>()
            );
            assert_eq!(
                v.par_iter().collect::<HashSet<_>>(),
                v.iter().collect::<HashSet<_>>()
            );
            type Fixed = std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
            let mut hashed: HashSet<u64, Fixed> = v.par_iter().copied().collect();
            hashed.par_extend(v.par_iter());
            assert_eq!(hashed.len(), v.iter().collect::<HashSet<_>>().len());
            let r: Option<HashSet<u64>> = v.par_iter().map(|&x| Some(x)).collect();
            assert_eq!(r.map(|s| s.len()), Some(hashed.len()));
        }
    });
}

#[test]
fn unzip_partition_and_partition_map_keep_order() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let (a, b): (Vec<u64>, Vec<String>) = v.par_iter().map(|&x| (x, x.to_string())).unzip();
            assert_eq!(a, v);
            assert_eq!(b, v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
            let (even, odd): (Vec<u64>, BTreeSet<u64>) = v.par_iter().partition(|x| **x % 2 == 0);
            let (seq_even, seq_odd): (Vec<u64>, Vec<u64>) = v.iter().partition(|x| **x % 2 == 0);
            assert_eq!((even, odd), (seq_even, seq_odd.into_iter().collect()));
            let (small, big): (Vec<u64>, Vec<String>) = v.par_iter().partition_map(|&x| {
                if x < 1 << 20 {
                    Either::Left(x)
                } else {
                    Either::Right(x.to_string())
                }
            });
            assert_eq!(
                small,
                v.iter()
                    .copied()
                    .filter(|&x| x < 1 << 20)
                    .collect::<Vec<_>>()
            );
            assert_eq!(big.len(), n - small.len());
        }
    });
}

#[test]
fn result_and_option_collect_return_the_first_failure_in_order() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let ok: Result<Vec<u64>, String> = v.par_iter().map(|&x| Ok(x)).collect();
            assert_eq!(ok, Ok(v.clone()));
            let some: Option<Vec<u64>> = v.par_iter().map(|&x| Some(x)).collect();
            assert_eq!(some, Some(v.clone()));
            for bad in [0, n / 3, n / 2, n.saturating_sub(1)] {
                if bad >= n {
                    continue;
                }
                // Every item from `bad` on fails: the first failure in
                // order is `bad`'s, whichever piece saw a failure first.
                let r: Result<Vec<u64>, usize> = (0..n)
                    .into_par_iter()
                    .map(|i| if i >= bad { Err(i) } else { Ok(i as u64) })
                    .collect();
                assert_eq!(r, Err(bad), "n = {n}");
                let r: Result<Vec<u64>, usize> = (0..n)
                    .into_par_iter()
                    .filter(|i| i % 2 == 0 || *i >= bad)
                    .map(|i| if i >= bad { Err(i) } else { Ok(i as u64) })
                    .collect();
                assert_eq!(r, Err(bad), "through a filter");
                let r: Option<BTreeSet<usize>> = (0..n)
                    .into_par_iter()
                    .map(|i| (i != bad).then_some(i))
                    .collect();
                assert_eq!(r, None);
            }
        }
    });
}

#[test]
fn a_failing_collect_and_try_for_each_stop_the_other_pieces() {
    setup();
    let n: usize = if cfg!(miri) { 2_000 } else { 1_000_000 };
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| {
        let after = AtomicUsize::new(0);
        let r: Result<Vec<usize>, usize> = (0..n)
            .into_par_iter()
            .map(|i| {
                if i > n / 100 {
                    after.fetch_add(1, Ordering::Relaxed);
                }
                if i == n / 100 { Err(i) } else { Ok(i) }
            })
            .collect();
        assert_eq!(r, Err(n / 100));
        let after = after.into_inner();
        assert!(after < n / 4, "{after} items ran after the first Err");
        let visited = AtomicUsize::new(0);
        let r = (0..n).into_par_iter().try_for_each(|i| {
            visited.fetch_add(1, Ordering::Relaxed);
            if i == n / 100 { Err(i) } else { Ok(()) }
        });
        assert_eq!(r, Err(n / 100));
        assert!(visited.into_inner() < n / 4, "try_for_each stopped early");
    });
}

#[test]
fn try_fold_try_reduce_and_try_for_each_match_sequential() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let v = values(n);
            let sum: Option<u64> = v
                .par_iter()
                .map(|&x| Some(x))
                .try_reduce(|| 0, |a, b| a.checked_add(b));
            assert_eq!(sum, Some(v.iter().sum::<u64>()));
            assert_eq!(
                v.par_iter()
                    .map(|&x| Ok::<u64, ()>(x))
                    .try_reduce_with(|a, b| Ok(a.max(b))),
                v.iter().copied().max().map(Ok)
            );
            let folded: Result<u64, u64> = v
                .par_iter()
                .try_fold(|| 0u64, |a, &x| Ok::<u64, u64>(a + x))
                .try_reduce(|| 0, |a, b| Ok(a + b));
            assert_eq!(folded, Ok(v.iter().sum::<u64>()));
            let folded: Result<u64, u64> = v
                .par_iter()
                .try_fold_with(0u64, |a, &x| if x % 7 == 3 { Err(x) } else { Ok(a + x) })
                .try_reduce(|| 0, |a, b| Ok(a + b));
            match v.iter().find(|&&x| x % 7 == 3) {
                Some(_) => assert!(folded.is_err_and(|x| x % 7 == 3)),
                None => assert_eq!(folded, Ok(v.iter().sum::<u64>())),
            }
            let r = v
                .par_iter()
                .try_for_each(|&x| if x == u64::MAX { Err(x) } else { Ok(()) });
            assert_eq!(r, Ok(()));
            let r: Option<()> = v.par_iter().try_for_each_with(0u64, |k, &x| {
                *k += 1;
                (x != u64::MAX).then_some(())
            });
            assert_eq!(r, Some(()));
            let r: Result<(), u64> = v.par_iter().try_for_each_init(Vec::new, |buf, &x| {
                buf.push(x);
                if n > 0 && x == v[n - 1] {
                    Err(x)
                } else {
                    Ok(())
                }
            });
            if n > 0 {
                assert_eq!(r, Err(v[n - 1]));
            }
            let found = |x: &u64| (x % 11 == 4).then_some(x * 2);
            assert_eq!(v.par_iter().find_map_first(found), v.iter().find_map(found));
            assert_eq!(
                v.par_iter().find_map_last(found),
                v.iter().rev().find_map(found)
            );
            assert_eq!(
                v.par_iter().find_map_any(found).is_some(),
                v.iter().find_map(found).is_some()
            );
        }
    });
}

#[test]
fn par_bridge_over_a_channel_and_a_slow_iterator() {
    setup();
    everywhere(|| {
        for &n in SIZES {
            let (sender, receiver) = std::sync::mpsc::channel();
            let feeder = std::thread::spawn(move || {
                for i in 0..n as u64 {
                    sender.send(i).unwrap();
                }
            });
            let mut got: Vec<u64> = receiver.into_iter().par_bridge().map(|x| x * 2).collect();
            feeder.join().unwrap();
            got.sort_unstable();
            assert_eq!(got, (0..n as u64).map(|x| x * 2).collect::<Vec<_>>());
        }
    });
    // Expensive items pulled from a sequential iterator run on both workers.
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let workers = std::sync::Mutex::new(HashSet::new());
    let items = if cfg!(miri) { 8 } else { 40 };
    let total: u32 = pool.install(|| {
        (0..items)
            .par_bridge()
            .map(|x| {
                workers
                    .lock()
                    .unwrap()
                    .insert(forkscope::current_thread_index());
                std::thread::sleep(std::time::Duration::from_millis(2));
                x
            })
            .sum()
    });
    assert_eq!(total, (0..items).sum::<u32>());
    assert_eq!(
        workers.into_inner().unwrap().len(),
        2,
        "both workers pulled items"
    );
}

#[test]
fn a_panic_in_an_unindexed_adapter_or_operation_reaches_the_caller() {
    setup();
    let n = if cfg!(miri) { 64 } else { 10_003 };
    let bad = n / 2;
    let boom = move |i: usize| if i == bad { panic!("item {i}") } else { i };
    type Case<'a> = (&'static str, Box<dyn Fn() + Sync + 'a>);
    let cases: Vec<Case> = vec![
        (
            "filter",
            Box::new(move || sink((0..n).into_par_iter().filter(|&i| boom(i) > 0).count())),
        ),
        (
            "filter_map",
            Box::new(move || sink((0..n).into_par_iter().filter_map(|i| Some(boom(i))).count())),
        ),
        (
            "flat_map",
            Box::new(move || sink((0..n).into_par_iter().flat_map(|i| 0..boom(i) % 3).count())),
        ),
        (
            "flat_map_iter",
            Box::new(move || {
                sink(
                    (0..n)
                        .into_par_iter()
                        .flat_map_iter(|i| 0..boom(i) % 3)
                        .count(),
                )
            }),
        ),
        (
            "partition",
            Box::new(move || {
                sink(
                    (0..n)
                        .into_par_iter()
                        .partition::<Vec<_>, Vec<_>, _>(|&i| boom(i) % 2 == 0),
                )
            }),
        ),
        (
            "try_for_each",
            Box::new(move || {
                sink((0..n).into_par_iter().try_for_each(|i| {
                    if boom(i) == usize::MAX {
                        Err(())
                    } else {
                        Ok(())
                    }
                }))
            }),
        ),
        (
            "collect Result",
            Box::new(move || {
                sink(
                    (0..n)
                        .into_par_iter()
                        .map(|i| Ok::<_, ()>(boom(i)))
                        .collect::<Result<Vec<_>, _>>(),
                )
            }),
        ),
        (
            "BTreeMap",
            Box::new(move || {
                sink(
                    (0..n)
                        .into_par_iter()
                        .map(|i| (boom(i), i))
                        .collect::<BTreeMap<_, _>>(),
                )
            }),
        ),
        (
            "par_bridge",
            Box::new(move || sink((0..n).par_bridge().map(boom).count())),
        ),
    ];
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut lost = Vec::new();
    for pool in pools() {
        for (what, case) in &cases {
            if quiet(|| pool.install(case)).is_ok() {
                lost.push(format!(
                    "{what} in a pool of {}",
                    pool.current_num_threads()
                ));
            }
        }
    }
    for (what, case) in &cases {
        if quiet(case).is_ok() {
            lost.push(format!("{what} from outside"));
        }
    }
    panic::set_hook(hook);
    assert!(lost.is_empty(), "panics lost: {lost:?}");
}

//! Small programs written the way rayon users write them (14 of them). Each is written
//! once, in a macro, and compiled twice: with `use rayon::prelude::*` and
//! with `use forkscope::prelude::*` (the only line that differs), then both
//! results are checked against the sequential one.
//!
//! With `--no-default-features` forkscope's side runs on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;

use common::setup;

macro_rules! programs {
    ($name:ident, $krate:ident) => {
        mod $name {
            #![allow(unused_imports)]
            use std::collections::HashMap;
            use $krate::prelude::*;

            /// Word counts: fold into per-piece maps, reduce them.
            pub fn word_count(text: &str) -> HashMap<String, usize> {
                let words: Vec<&str> = text.split_whitespace().collect();
                words
                    .par_iter()
                    .fold(HashMap::new, |mut m: HashMap<String, usize>, w| {
                        *m.entry(w.to_lowercase()).or_default() += 1;
                        m
                    })
                    .reduce(HashMap::new, |mut a, b| {
                        for (w, n) in b {
                            *a.entry(w).or_default() += n;
                        }
                        a
                    })
            }

            /// Parse every field, failing on the first bad one.
            pub fn parse_all(fields: &[&str]) -> Result<Vec<i64>, std::num::ParseIntError> {
                fields
                    .par_iter()
                    .filter(|f| !f.is_empty())
                    .map(|f| f.trim().parse::<i64>())
                    .collect()
            }

            /// Brighten an image, row by row.
            pub fn brighten(pixels: &mut [u8], width: usize) {
                pixels
                    .par_chunks_mut(width)
                    .enumerate()
                    .for_each(|(y, row)| {
                        for (x, p) in row.iter_mut().enumerate() {
                            *p = p.saturating_add(((x + y) % 16) as u8);
                        }
                    });
            }

            /// Monte-Carlo: a generator per piece through `map_init`.
            pub fn monte_carlo_hits(samples: u64) -> u64 {
                (0..samples as u32)
                    .into_par_iter()
                    .map_init(
                        || 0x2545_F491_4F6C_DD1Du64,
                        |state, i| {
                            let mut x = *state ^ u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            let (a, b) = (
                                (x >> 32) as f64 / u32::MAX as f64,
                                (x as u32) as f64 / u32::MAX as f64,
                            );
                            u64::from(a * a + b * b <= 1.0)
                        },
                    )
                    .sum()
            }

            /// Matrix product, one output row per item.
            pub fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
                let mut c = vec![0.0; n * n];
                c.par_chunks_mut(n)
                    .zip(a.par_chunks(n))
                    .for_each(|(c_row, a_row)| {
                        for (k, &a_ik) in a_row.iter().enumerate() {
                            for (c_ij, &b_kj) in c_row.iter_mut().zip(&b[k * n..(k + 1) * n]) {
                                *c_ij += a_ik * b_kj;
                            }
                        }
                    });
                c
            }

            /// A histogram of 16 buckets through fold / reduce of arrays.
            pub fn histogram(values: &[u32]) -> [usize; 16] {
                values
                    .par_iter()
                    .fold(
                        || [0usize; 16],
                        |mut h, &v| {
                            h[(v % 16) as usize] += 1;
                            h
                        },
                    )
                    .reduce(
                        || [0; 16],
                        |mut a, b| {
                            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                            a
                        },
                    )
            }

            /// Primes below `n`, counted.
            pub fn count_primes(n: u32) -> usize {
                (2..n)
                    .into_par_iter()
                    .filter(|&k| (2..).take_while(|d| d * d <= k).all(|d| k % d != 0))
                    .count()
            }

            /// The oldest person, and whether anybody is under 18.
            pub fn oldest(people: &[(String, u32)]) -> (Option<&str>, bool) {
                let oldest = people.par_iter().max_by_key(|p| p.1).map(|p| p.0.as_str());
                (oldest, people.par_iter().any(|p| p.1 < 18))
            }

            /// All pairs `(i, j)` with `i < j < n` whose sum is a multiple of 7.
            pub fn pairs(n: u32) -> Vec<(u32, u32)> {
                (0..n)
                    .into_par_iter()
                    .flat_map(|i| (i + 1..n).into_par_iter().map(move |j| (i, j)))
                    .filter(|(i, j)| (i + j) % 7 == 0)
                    .collect()
            }

            /// Lines of a reader, processed as they are read.
            pub fn line_lengths(text: &str) -> usize {
                use std::io::BufRead;
                std::io::Cursor::new(text.as_bytes())
                    .lines()
                    .par_bridge()
                    .map(|line| line.unwrap().len())
                    .sum()
            }

            /// Owned strings, consumed: the longest, and every one upper-cased.
            pub fn shout(words: Vec<String>) -> (Option<usize>, Vec<String>) {
                let longest = words.par_iter().map(String::len).max();
                (
                    longest,
                    words.into_par_iter().map(|w| w.to_uppercase()).collect(),
                )
            }

            /// Where is the first negative number, and are all finite?
            pub fn scan(v: &[f64]) -> (Option<usize>, bool) {
                (
                    v.par_iter().position_first(|x| *x < 0.0),
                    v.par_iter().all(|x| x.is_finite()),
                )
            }

            /// Sort records by a key, in parallel, and count words per line.
            pub fn sort_and_lines(
                mut records: Vec<(u32, String)>,
                text: &str,
            ) -> (Vec<(u32, String)>, usize) {
                records.par_sort_unstable_by_key(|r| r.0);
                let words = text.par_lines().map(|l| l.split_whitespace().count()).sum();
                (records, words)
            }

            /// Split into evens and odds, summing squares of each.
            pub fn split_squares(v: &[i64]) -> (i64, i64) {
                let (even, odd): (Vec<i64>, Vec<i64>) = v.par_iter().partition(|x| *x % 2 == 0);
                (
                    even.par_iter().map(|x| x * x).sum(),
                    odd.par_iter().map(|x| x * x).sum(),
                )
            }
        }
    };
}

programs!(fs, forkscope);
programs!(ray, rayon);

fn text() -> String {
    let words = [
        "the", "quick", "Brown", "fox", "jumps", "over", "The", "lazy", "dog",
    ];
    (0..5000)
        .map(|i| words[i * 7 % words.len()])
        .collect::<Vec<_>>()
        .join(if cfg!(miri) { " " } else { " \n" })
}

#[test]
fn every_program_gives_rayons_and_the_sequential_answer() {
    setup();
    let text = text();
    let mut seq_counts = std::collections::HashMap::new();
    for w in text.split_whitespace() {
        *seq_counts.entry(w.to_lowercase()).or_insert(0usize) += 1;
    }
    assert_eq!(fs::word_count(&text), seq_counts);
    assert_eq!(ray::word_count(&text), seq_counts);

    let good = ["1", " 2", "", "-3"];
    assert_eq!(fs::parse_all(&good), Ok(vec![1, 2, -3]));
    let bad = ["1", "x", "3", "y"];
    assert_eq!(
        fs::parse_all(&bad).unwrap_err(),
        "x".parse::<i64>().unwrap_err()
    );
    assert_eq!(fs::parse_all(&bad).is_err(), ray::parse_all(&bad).is_err());

    let (w, h) = (64, 48);
    let mut a = vec![200u8; w * h];
    let mut b = a.clone();
    fs::brighten(&mut a, w);
    ray::brighten(&mut b, w);
    assert_eq!(a, b);

    let samples = if cfg!(miri) { 200 } else { 200_000 };
    let hits = fs::monte_carlo_hits(samples);
    assert_eq!(
        hits,
        ray::monte_carlo_hits(samples),
        "same per-item generator"
    );
    let pi = 4.0 * hits as f64 / samples as f64;
    assert!((pi - std::f64::consts::PI).abs() < 0.3, "{pi}");

    let n = if cfg!(miri) { 6 } else { 40 };
    let ma: Vec<f64> = (0..n * n).map(|i| (i % 7) as f64).collect();
    let mb: Vec<f64> = (0..n * n).map(|i| (i % 5) as f64).collect();
    let mut seq = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            seq[i * n + j] = (0..n).map(|k| ma[i * n + k] * mb[k * n + j]).sum();
        }
    }
    assert_eq!(fs::matmul(&ma, &mb, n), seq);
    assert_eq!(ray::matmul(&ma, &mb, n), seq);

    let values: Vec<u32> = (0..10_000u32)
        .map(|i| i.wrapping_mul(2_654_435_761))
        .collect();
    let mut seq_h = [0usize; 16];
    values.iter().for_each(|v| seq_h[(v % 16) as usize] += 1);
    assert_eq!(fs::histogram(&values), seq_h);
    assert_eq!(ray::histogram(&values), seq_h);

    let limit = if cfg!(miri) { 100 } else { 20_000 };
    assert_eq!(fs::count_primes(limit), ray::count_primes(limit));
    assert_eq!(fs::count_primes(100), 25);

    let people = vec![
        ("ann".to_string(), 31),
        ("bob".to_string(), 17),
        ("cy".to_string(), 64),
    ];
    assert_eq!(fs::oldest(&people), (Some("cy"), true));
    assert_eq!(fs::oldest(&people), ray::oldest(&people));

    let m = if cfg!(miri) { 12 } else { 300 };
    let seq_pairs: Vec<(u32, u32)> = (0..m)
        .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
        .filter(|(i, j)| (i + j) % 7 == 0)
        .collect();
    assert_eq!(fs::pairs(m), seq_pairs);
    assert_eq!(ray::pairs(m), seq_pairs);

    let seq_len: usize = text.lines().map(str::len).sum();
    assert_eq!(fs::line_lengths(&text), seq_len);
    assert_eq!(ray::line_lengths(&text), seq_len);

    let words: Vec<String> = text
        .split_whitespace()
        .take(500)
        .map(String::from)
        .collect();
    let seq_shout = (
        words.iter().map(String::len).max(),
        words.iter().map(|w| w.to_uppercase()).collect::<Vec<_>>(),
    );
    assert_eq!(fs::shout(words.clone()), seq_shout);
    assert_eq!(ray::shout(words), seq_shout);

    let v: Vec<f64> = (0..1000)
        .map(|i| if i == 700 || i == 900 { -1.0 } else { i as f64 })
        .collect();
    assert_eq!(fs::scan(&v), (Some(700), true));
    assert_eq!(fs::scan(&v), ray::scan(&v));

    let records: Vec<(u32, String)> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) % 1000, i.to_string()))
        .collect();
    let (sorted, words) = fs::sort_and_lines(records.clone(), &text);
    assert!(sorted.windows(2).all(|w| w[0].0 <= w[1].0));
    let mut keys: Vec<u32> = records.iter().map(|r| r.0).collect();
    keys.sort_unstable();
    assert_eq!(sorted.iter().map(|r| r.0).collect::<Vec<_>>(), keys);
    assert_eq!(words, text.split_whitespace().count());
    assert_eq!(ray::sort_and_lines(records, &text).1, words);

    let ints: Vec<i64> = (-500..500).collect();
    let seq_sq = (
        ints.iter().filter(|x| *x % 2 == 0).map(|x| x * x).sum(),
        ints.iter().filter(|x| *x % 2 != 0).map(|x| x * x).sum(),
    );
    assert_eq!(fs::split_squares(&ints), seq_sq);
    assert_eq!(ray::split_squares(&ints), seq_sq);
}

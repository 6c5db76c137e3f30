//! `ParallelString` against std's sequential iterators: every method, on
//! strings of 0, 1, 2, 3, 7, 64, 1000 and 100_003 bytes of ASCII, of
//! multi-byte chars (é, 漢, 🎉, U+3000, U+00A0), with separators at the
//! start, the end and repeated, and `"\r\n"` line ends; with every kind of
//! pattern; in pools of 1, 2 and 3 threads and from outside any pool. Then
//! every prefix of one mixed string (so that cuts land everywhere),
//! searches that stop early, and a check that a large string really is
//! split. Under Miri: sizes 0 and 40, two kinds of string, three patterns,
//! a pool of 2 and outside.
//!
//! With `--no-default-features` the same tests run on the pthread test
//! backend (`tests/common/pthread_backend.rs`), installed by `common::setup`.
#![cfg(any(feature = "std", target_os = "linux"))]

mod common;
use common::setup;

use forkscope::prelude::*;
use forkscope::{ThreadPool, ThreadPoolBuilder};
use std::fmt::Debug;

const SIZES: &[usize] = if cfg!(miri) {
    &[0, 40]
} else {
    &[0, 1, 2, 3, 7, 64, 1000, 100_003]
};

fn pools() -> Vec<ThreadPool> {
    let sizes: &[usize] = if cfg!(miri) { &[2] } else { &[1, 2, 3] };
    sizes
        .iter()
        .map(|&n| ThreadPoolBuilder::new().num_threads(n).build().unwrap())
        .collect()
}

/// Runs `check` from outside any pool and inside pools of 1, 2 and 3 (of
/// 2 under Miri).
fn everywhere(check: impl Fn() + Sync) {
    check();
    for pool in pools() {
        pool.install(&check);
    }
}

/// What a test string is made of: `start`, then atoms picked
/// pseudo-randomly, then `end`, cut or padded with `pad` to the size asked.
struct Kind {
    name: &'static str,
    start: &'static str,
    atoms: &'static [&'static str],
    end: &'static str,
    pad: char,
}

const KINDS: &[Kind] = &[
    Kind {
        name: "ascii",
        start: "",
        atoms: &["a", "bc", "def", " ", ",", "\n", "1", ";", "\t"],
        end: "",
        pad: 'x',
    },
    Kind {
        name: "multi-byte",
        start: "",
        atoms: &[
            "é", "漢", "🎉", "a", ",", " ", "\n", "\r\n", "\u{3000}", "\u{a0}", "é,", "漢字",
        ],
        end: "",
        pad: 'y',
    },
    Kind {
        name: "separators at both ends",
        start: ",\n é",
        atoms: &[
            ",", ",,", "\n", "\n\n", " ", "  ", "é", "🎉", "a", ";", "漢",
        ],
        end: "🎉 ,",
        pad: ',',
    },
    Kind {
        name: "crlf lines",
        start: "\r\n",
        atoms: &["line", "\r\n", "\n", "\r", "é", " ", "\r\n\r\n", "🎉"],
        end: "\r\n",
        pad: '\n',
    },
    Kind {
        name: "separators only",
        start: "",
        atoms: &[",", "\n", " ", "\r\n", ";", "\u{3000}", "é", "\t"],
        end: "",
        pad: ' ',
    },
];

/// A string of exactly `n` bytes of `kind`.
fn text(n: usize, kind: &Kind) -> String {
    fn pad_to(s: &mut String, n: usize, pad: char) {
        s.truncate(s.floor_char_boundary(n));
        while s.len() < n {
            s.push(pad);
        }
    }
    let body_len = n.saturating_sub(kind.start.len() + kind.end.len());
    let mut body = String::new();
    let mut i = 0u64;
    while body.len() < body_len {
        let pick = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize % kind.atoms.len();
        body.push_str(kind.atoms[pick]);
        i += 1;
    }
    pad_to(&mut body, body_len, kind.pad);
    let mut s = format!("{}{body}{}", kind.start, kind.end);
    pad_to(&mut s, n, kind.pad);
    assert_eq!(s.len(), n);
    s
}

/// Every test string: each kind at each size (under Miri, the two kinds
/// that hold every separator).
fn texts() -> Vec<(String, String)> {
    let kinds = if cfg!(miri) { &KINDS[1..3] } else { KINDS };
    let mut all = Vec::new();
    for &n in SIZES {
        for kind in kinds {
            all.push((format!("{} bytes, {}", n, kind.name), text(n, kind)));
        }
    }
    all
}

/// Asserts that a parallel iterator collects to what std's iterator gives.
fn same<T, P, S>(what: &str, on: &str, par: P, seq: S)
where
    T: PartialEq + Debug + Send,
    P: ParallelIterator<Item = T>,
    S: Iterator<Item = T>,
{
    let got: Vec<T> = par.collect();
    let want: Vec<T> = seq.collect();
    if got != want {
        let at = got.iter().zip(&want).take_while(|(g, w)| g == w).count();
        panic!(
            "{what} on {on}: {} items, std gives {}; first difference at item {at}: {:?} vs {:?}",
            got.len(),
            want.len(),
            got.get(at),
            want.get(at),
        );
    }
}

/// Runs `$body` with `$p` bound to a pattern of each kind: a two-byte
/// `char`, a `&[char]` and a closure; then (not under Miri) one-byte and
/// four-byte `char`s, a `[char; N]` and a `&[char; N]`.
macro_rules! with_each_pattern {
    ($p:ident => $body:expr) => {{
        {
            let $p = 'é';
            $body
        }
        {
            let $p: &[char] = &[',', '漢', ' '];
            $body
        }
        {
            let $p = |c: char| c.is_whitespace() || c == '漢';
            $body
        }
        if !cfg!(miri) {
            {
                let $p = ',';
                $body
            }
            {
                let $p = '\n';
                $body
            }
            {
                let $p = '🎉';
                $body
            }
            {
                let $p = [';', '\n', 'é', '\u{3000}'];
                $body
            }
            {
                let $p = &['\r', '🎉'];
                $body
            }
        }
    }};
}

#[test]
fn chars_char_indices_bytes_and_utf16_match_std() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            same("par_chars", on, s.par_chars(), s.chars());
            same(
                "par_char_indices",
                on,
                s.par_char_indices(),
                s.char_indices(),
            );
            same("par_bytes", on, s.par_bytes(), s.bytes());
            same(
                "par_encode_utf16",
                on,
                s.par_encode_utf16(),
                s.encode_utf16(),
            );
            assert_eq!(s.par_chars().count(), s.chars().count(), "{on}");
            assert_eq!(
                s.par_bytes().map(u64::from).sum::<u64>(),
                s.bytes().map(u64::from).sum::<u64>(),
                "{on}"
            );
        }
    });
}

#[test]
fn split_with_every_kind_of_pattern_matches_std() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            with_each_pattern!(p => same("par_split", on, s.par_split(p), s.split(p)));
        }
    });
}

#[test]
fn split_inclusive_with_every_kind_of_pattern_matches_std() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            with_each_pattern!(p => same(
                "par_split_inclusive",
                on,
                s.par_split_inclusive(p),
                s.split_inclusive(p)
            ));
        }
    });
}

#[test]
fn split_terminator_drops_only_the_final_empty_piece_like_std() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            with_each_pattern!(p => same(
                "par_split_terminator",
                on,
                s.par_split_terminator(p),
                s.split_terminator(p)
            ));
        }
        // The edge cases by name.
        for s in ["", ",", ",,", "a,", ",a", "a,,", "é,漢,", ",,🎉,,"] {
            same(
                "par_split_terminator",
                s,
                s.par_split_terminator(','),
                s.split_terminator(','),
            );
            same("par_split", s, s.par_split(','), s.split(','));
        }
    });
}

#[test]
fn lines_match_std_with_crlf_bare_cr_and_a_trailing_newline() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            same("par_lines", on, s.par_lines(), s.lines());
        }
        for s in [
            "",
            "\n",
            "\r\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\n",
            "a\r",
            "\r",
            "\r\r\n",
            "a\n\r\nb\r",
        ] {
            same("par_lines", s, s.par_lines(), s.lines());
        }
    });
}

#[test]
fn split_whitespace_and_split_ascii_whitespace_match_std() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            same(
                "par_split_whitespace",
                on,
                s.par_split_whitespace(),
                s.split_whitespace(),
            );
            same(
                "par_split_ascii_whitespace",
                on,
                s.par_split_ascii_whitespace(),
                s.split_ascii_whitespace(),
            );
        }
        for s in [
            "",
            " ",
            "   ",
            "a",
            " a ",
            "a\u{3000}b",
            "\u{a0}\u{a0}x\t\n\x0Cy\x0B",
        ] {
            same(
                "par_split_whitespace",
                s,
                s.par_split_whitespace(),
                s.split_whitespace(),
            );
            same(
                "par_split_ascii_whitespace",
                s,
                s.par_split_ascii_whitespace(),
                s.split_ascii_whitespace(),
            );
        }
    });
}

#[test]
fn matches_and_match_indices_with_every_kind_of_pattern_match_std() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            with_each_pattern!(p => {
                same("par_matches", on, s.par_matches(p), s.matches(p));
                same("par_match_indices", on, s.par_match_indices(p), s.match_indices(p));
            });
        }
    });
}

/// Every prefix of one mixed string, in a pool of 3: its cuts (at the
/// middle and at the quarters) fall on every byte of it, before, on and
/// after every kind of separator and inside multi-byte chars.
#[test]
fn every_prefix_of_a_mixed_string_matches_std() {
    setup();
    let mixed = "a,é\r\n漢 ,,🎉\n\n b\u{3000}c;\r\n,\u{a0}d é🎉,\n";
    let mixed = if cfg!(miri) {
        "é\r\n🎉 ".to_string()
    } else {
        mixed.repeat(3)
    };
    let ends: Vec<usize> = (0..=mixed.len())
        .filter(|&end| mixed.is_char_boundary(end))
        .collect();
    let pool = ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    pool.install(|| {
        for &end in &ends {
            let s = &mixed[..end];
            let on = format!("{s:?}");
            same("par_chars", &on, s.par_chars(), s.chars());
            same(
                "par_char_indices",
                &on,
                s.par_char_indices(),
                s.char_indices(),
            );
            same("par_bytes", &on, s.par_bytes(), s.bytes());
            same(
                "par_encode_utf16",
                &on,
                s.par_encode_utf16(),
                s.encode_utf16(),
            );
            same("par_lines", &on, s.par_lines(), s.lines());
            same(
                "par_split_whitespace",
                &on,
                s.par_split_whitespace(),
                s.split_whitespace(),
            );
            same(
                "par_split_ascii_whitespace",
                &on,
                s.par_split_ascii_whitespace(),
                s.split_ascii_whitespace(),
            );
            with_each_pattern!(p => {
                same("par_split", &on, s.par_split(p), s.split(p));
                same("par_split_inclusive", &on, s.par_split_inclusive(p), s.split_inclusive(p));
                same(
                    "par_split_terminator",
                    &on,
                    s.par_split_terminator(p),
                    s.split_terminator(p),
                );
                same("par_matches", &on, s.par_matches(p), s.matches(p));
                same("par_match_indices", &on, s.par_match_indices(p), s.match_indices(p));
            });
        }
    });
}

#[test]
fn searches_stop_early_and_agree_with_std() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, s) in &texts {
            let first = s.par_split(',').find_first(|piece| piece.contains('🎉'));
            assert_eq!(
                first,
                s.split(',').find(|piece| piece.contains('🎉')),
                "{on}"
            );
            let last = s.par_lines().find_last(|line| line.is_empty());
            assert_eq!(last, s.lines().rfind(|line| line.is_empty()), "{on}");
            assert_eq!(s.par_chars().any(|c| c == '漢'), s.contains('漢'), "{on}");
            assert_eq!(
                s.par_char_indices().find_first(|&(_, c)| !c.is_ascii()),
                s.char_indices().find(|&(_, c)| !c.is_ascii()),
                "{on}"
            );
            assert_eq!(
                s.par_split_whitespace().all(|w| w.len() < 40),
                s.split_whitespace().all(|w| w.len() < 40),
                "{on}"
            );
        }
    });
}

#[test]
fn folds_come_out_in_order_and_methods_work_on_a_string() {
    setup();
    let texts = texts();
    everywhere(|| {
        for (on, owned) in &texts {
            // Through `String`'s deref, as with std's methods.
            assert_eq!(owned.as_parallel_string(), owned.as_str());
            let pieces: Vec<String> = owned
                .par_chars()
                .fold(String::new, |mut acc, c| {
                    acc.push(c);
                    acc
                })
                .collect();
            assert_eq!(pieces.concat(), *owned, "{on}");
            let lines: Vec<Vec<&str>> = owned
                .par_lines()
                .fold(Vec::new, |mut acc, line| {
                    acc.push(line);
                    acc
                })
                .collect();
            assert_eq!(lines.concat(), owned.lines().collect::<Vec<_>>(), "{on}");
        }
    });
}

/// In a pool of 2, a large string is folded in more than one piece by
/// every kind of producer (`fold` makes one accumulator per piece).
#[test]
fn a_large_string_is_split_into_pieces_on_two_threads() {
    setup();
    let n = if cfg!(miri) { 200 } else { 100_003 };
    let s = text(n, &KINDS[1]);
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| {
        let pieces = [
            ("par_chars", s.par_chars().fold(|| 0, |n, _| n + 1).count()),
            ("par_bytes", s.par_bytes().fold(|| 0, |n, _| n + 1).count()),
            (
                "par_split",
                s.par_split(',').fold(|| 0, |n, _| n + 1).count(),
            ),
            ("par_lines", s.par_lines().fold(|| 0, |n, _| n + 1).count()),
            (
                "par_split_whitespace",
                s.par_split_whitespace().fold(|| 0, |n, _| n + 1).count(),
            ),
            (
                "par_matches",
                s.par_matches('é').fold(|| 0, |n, _| n + 1).count(),
            ),
        ];
        for (what, count) in pieces {
            assert!(count > 1, "{what} folded {n} bytes in {count} piece(s)");
        }
    });
}

//! [`ParallelString`]: parallel iterators over the chars, bytes, pieces and
//! matches of a string, as `rayon::str`.
//!
//! Every iterator here is unindexed: a piece of the string is cut in two
//! near its middle ([`UnindexedProducer::split`]), and a piece that is not
//! cut further is folded with the std iterator of the same name
//! (`str::chars`, `str::split`, `str::lines`, ...). So a leaf is std's loop,
//! and the items are exactly std's, in the same order. Where a piece may be
//! cut is what keeps them so:
//!
//! - **Between any two chars** (`CharPiece`): `par_chars`,
//!   `par_char_indices`, `par_bytes`, `par_encode_utf16`, and `par_matches`
//!   and `par_match_indices`, since a pattern matches one char at a time and
//!   a cut between chars cuts no match. A piece knows its offset in the
//!   whole string, for the indices.
//! - **At a separator** (`SeparatedPiece`): the splits and `par_lines`. The
//!   separator nearest after the middle is taken, else the nearest before
//!   it. The separator is dropped between the two pieces (`split`,
//!   `split_terminator`, the whitespace splits), or kept at the end of the
//!   left one (`split_inclusive`, and `lines`, which cuts after a `'\n'`, so
//!   a `"\r\n"` is never cut). Either way std's iterator over the left piece,
//!   then over the right one, gives what it gives over the whole. Only
//!   `split_terminator` cares which piece ends the string: that piece alone
//!   drops a trailing empty item. A piece remembers which part of it was
//!   searched in vain, so a long stretch without a separator is searched
//!   once, not at every split.
//!
//! The patterns of `par_split`, `par_split_inclusive`,
//! `par_split_terminator`, `par_matches` and `par_match_indices` are those
//! of rayon: a `char`, a `&[char]`, a `[char; N]`, a `&[char; N]`, or a
//! closure `Fn(char) -> bool + Sync + Send`. The `Pattern` trait that says
//! so is sealed: it cannot be named or implemented outside this crate.

use super::ParallelIterator;
use super::plumbing::{Folder, UnindexedConsumer, UnindexedProducer, bridge_unindexed};
use sealed::Pattern;

/// Parallel iterators over a string, as `rayon::str::ParallelString`.
///
/// Every iterator yields what the std iterator of the same name yields, in
/// the same order (`collect` keeps it).
pub trait ParallelString {
    /// The string the other methods iterate over.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let s = String::from("abc");
    /// assert_eq!(s.as_parallel_string(), "abc");
    /// ```
    fn as_parallel_string(&self) -> &str;

    /// The chars of the string ([`str::chars`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!("hello".par_chars().max(), Some('o'));
    /// ```
    fn par_chars(&self) -> Chars<'_> {
        Chars {
            text: self.as_parallel_string(),
        }
    }

    /// The chars of the string with their byte positions
    /// ([`str::char_indices`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<(usize, char)> = "aé🎉".par_char_indices().collect();
    /// assert_eq!(v, [(0, 'a'), (1, 'é'), (3, '🎉')]);
    /// ```
    fn par_char_indices(&self) -> CharIndices<'_> {
        CharIndices {
            text: self.as_parallel_string(),
        }
    }

    /// The bytes of the string ([`str::bytes`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let total: u64 = "hello".par_bytes().map(u64::from).sum();
    /// assert_eq!(total, 532);
    /// ```
    fn par_bytes(&self) -> Bytes<'_> {
        Bytes {
            text: self.as_parallel_string(),
        }
    }

    /// The string in UTF-16, as code units ([`str::encode_utf16`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!("a🎉".par_encode_utf16().count(), 3);
    /// ```
    fn par_encode_utf16(&self) -> EncodeUtf16<'_> {
        EncodeUtf16 {
            text: self.as_parallel_string(),
        }
    }

    /// The substrings between separators ([`str::split`]). The separator is
    /// a `char`, a `&[char]`, a `[char; N]`, a `&[char; N]` or a closure
    /// `Fn(char) -> bool + Sync + Send`.
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<&str> = "a,b,,c".par_split(',').collect();
    /// assert_eq!(v, ["a", "b", "", "c"]);
    /// ```
    fn par_split<P: Pattern>(&self, separator: P) -> Split<'_, P> {
        Split {
            text: self.as_parallel_string(),
            separator,
        }
    }

    /// The substrings that end with a separator, the separator kept, and
    /// the rest after the last one if it is not empty
    /// ([`str::split_inclusive`]). Separators as in
    /// [`par_split`](Self::par_split).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<&str> = "a\nb\nc".par_split_inclusive('\n').collect();
    /// assert_eq!(v, ["a\n", "b\n", "c"]);
    /// ```
    fn par_split_inclusive<P: Pattern>(&self, separator: P) -> SplitInclusive<'_, P> {
        SplitInclusive {
            text: self.as_parallel_string(),
            separator,
        }
    }

    /// The substrings between terminators, without the empty one after a
    /// final terminator ([`str::split_terminator`]). Terminators as the
    /// separators of [`par_split`](Self::par_split).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<&str> = "a;b;".par_split_terminator(';').collect();
    /// assert_eq!(v, ["a", "b"]);
    /// ```
    fn par_split_terminator<P: Pattern>(&self, terminator: P) -> SplitTerminator<'_, P> {
        SplitTerminator {
            text: self.as_parallel_string(),
            terminator,
        }
    }

    /// The lines, without their `"\n"` or `"\r\n"` ([`str::lines`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<&str> = "one\r\ntwo\n\nthree\n".par_lines().collect();
    /// assert_eq!(v, ["one", "two", "", "three"]);
    /// ```
    fn par_lines(&self) -> Lines<'_> {
        Lines {
            text: self.as_parallel_string(),
        }
    }

    /// The substrings between runs of Unicode whitespace
    /// ([`str::split_whitespace`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<&str> = " a\u{3000}b \t c ".par_split_whitespace().collect();
    /// assert_eq!(v, ["a", "b", "c"]);
    /// ```
    fn par_split_whitespace(&self) -> SplitWhitespace<'_> {
        SplitWhitespace {
            text: self.as_parallel_string(),
        }
    }

    /// The substrings between runs of ASCII whitespace
    /// ([`str::split_ascii_whitespace`]).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<&str> = " a\u{3000}b \t c ".par_split_ascii_whitespace().collect();
    /// assert_eq!(v, ["a\u{3000}b", "c"]);
    /// ```
    fn par_split_ascii_whitespace(&self) -> SplitAsciiWhitespace<'_> {
        SplitAsciiWhitespace {
            text: self.as_parallel_string(),
        }
    }

    /// The matches of a pattern ([`str::matches`]): the chars it accepts.
    /// Patterns as the separators of [`par_split`](Self::par_split).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// assert_eq!("a1b22c333".par_matches(|c: char| c.is_ascii_digit()).count(), 6);
    /// ```
    fn par_matches<P: Pattern>(&self, pattern: P) -> Matches<'_, P> {
        Matches {
            text: self.as_parallel_string(),
            pattern,
        }
    }

    /// The matches of a pattern with their byte positions
    /// ([`str::match_indices`]). Patterns as the separators of
    /// [`par_split`](Self::par_split).
    ///
    /// ```
    /// use forkscope::prelude::*;
    /// let v: Vec<(usize, &str)> = "aé-b-".par_match_indices(['-', 'b']).collect();
    /// assert_eq!(v, [(3, "-"), (4, "b"), (5, "-")]);
    /// ```
    fn par_match_indices<P: Pattern>(&self, pattern: P) -> MatchIndices<'_, P> {
        MatchIndices {
            text: self.as_parallel_string(),
            pattern,
        }
    }
}

impl ParallelString for str {
    fn as_parallel_string(&self) -> &str {
        self
    }
}

mod sealed {
    use super::super::plumbing::Folder;
    use core::ops::Range;

    /// A pattern that matches single chars: a `char`, a `&[char]`, a
    /// `[char; N]`, a `&[char; N]`, or a closure `Fn(char) -> bool + Sync +
    /// Send`. Each method hands the pattern, as the concrete type it is, to
    /// the std method of the same name, so std's searcher runs (`memchr`
    /// for a `char`).
    ///
    /// Sealed: public in a private module, so other crates can use it as a
    /// bound but neither name nor implement it.
    pub trait Pattern: Sized + Sync + Send {
        /// The bytes of the first match in `text`.
        fn find_in(&self, text: &str) -> Option<Range<usize>>;
        /// The bytes of the last match in `text`.
        fn rfind_in(&self, text: &str) -> Option<Range<usize>>;
        /// Folds `text.split(self)`.
        fn fold_split<'ch, F: Folder<&'ch str>>(&self, text: &'ch str, folder: F) -> F;
        /// Folds `text.split_inclusive(self)`.
        fn fold_split_inclusive<'ch, F: Folder<&'ch str>>(&self, text: &'ch str, folder: F) -> F;
        /// Folds `text.split_terminator(self)`.
        fn fold_split_terminator<'ch, F: Folder<&'ch str>>(&self, text: &'ch str, folder: F) -> F;
        /// Folds `text.matches(self)`.
        fn fold_matches<'ch, F: Folder<&'ch str>>(&self, text: &'ch str, folder: F) -> F;
        /// Folds `text.match_indices(self)`, the indices moved by `offset`.
        fn fold_match_indices<'ch, F>(&self, text: &'ch str, offset: usize, folder: F) -> F
        where
            F: Folder<(usize, &'ch str)>;
    }

    /// `impl[generics] Type, p => the std pattern made of p: &Type;`
    macro_rules! impl_pattern {
        ($([$($gen:tt)*] $ty:ty, $p:ident => $std:expr;)*) => {$(
            impl<$($gen)*> Pattern for $ty {
                fn find_in(&self, text: &str) -> Option<Range<usize>> {
                    let $p = self;
                    let (at, found) = text.match_indices($std).next()?;
                    Some(at..at + found.len())
                }
                fn rfind_in(&self, text: &str) -> Option<Range<usize>> {
                    let $p = self;
                    let (at, found) = text.rmatch_indices($std).next()?;
                    Some(at..at + found.len())
                }
                fn fold_split<'ch, F: Folder<&'ch str>>(&self, text: &'ch str, folder: F) -> F {
                    let $p = self;
                    folder.consume_iter(text.split($std))
                }
                fn fold_split_inclusive<'ch, F>(&self, text: &'ch str, folder: F) -> F
                where
                    F: Folder<&'ch str>,
                {
                    let $p = self;
                    folder.consume_iter(text.split_inclusive($std))
                }
                fn fold_split_terminator<'ch, F>(&self, text: &'ch str, folder: F) -> F
                where
                    F: Folder<&'ch str>,
                {
                    let $p = self;
                    folder.consume_iter(text.split_terminator($std))
                }
                fn fold_matches<'ch, F: Folder<&'ch str>>(&self, text: &'ch str, folder: F) -> F {
                    let $p = self;
                    folder.consume_iter(text.matches($std))
                }
                fn fold_match_indices<'ch, F>(&self, text: &'ch str, offset: usize, folder: F) -> F
                where
                    F: Folder<(usize, &'ch str)>,
                {
                    let $p = self;
                    let moved = text.match_indices($std).map(|(at, found)| (offset + at, found));
                    folder.consume_iter(moved)
                }
            }
        )*};
    }

    impl_pattern! {
        [] char, p => *p;
        ['a] &'a [char], p => *p;
        [const N: usize] [char; N], p => p;
        ['a, const N: usize] &'a [char; N], p => *p;
        [M: Fn(char) -> bool + Sync + Send] M, p => p;
    }
}

// ---- pieces cut between any two chars ---------------------------------------

/// How an iterator whose pieces may be cut between any two chars folds a
/// piece.
trait FoldChars<'ch>: Sync {
    type Item: Send;

    /// Folds `text`, which starts `offset` bytes into the whole string.
    fn fold_piece<F: Folder<Self::Item>>(&self, text: &'ch str, offset: usize, folder: F) -> F;
}

/// A piece of the string of a [`FoldChars`] iterator.
struct CharPiece<'ch, 'it, I> {
    text: &'ch str,
    /// Where `text` starts in the whole string.
    offset: usize,
    iter: &'it I,
}

impl<'ch, 'it, I> CharPiece<'ch, 'it, I> {
    fn new(text: &'ch str, iter: &'it I) -> Self {
        CharPiece {
            text,
            offset: 0,
            iter,
        }
    }
}

impl<'ch, I: FoldChars<'ch>> UnindexedProducer for CharPiece<'ch, '_, I> {
    type Item = I::Item;

    /// Cuts at the first char boundary from the middle on, else at the last
    /// one before it; a piece of one char is not cut.
    fn split(self) -> (Self, Option<Self>) {
        let (text, half) = (self.text, self.text.len() / 2);
        let mut at = text.ceil_char_boundary(half);
        if at == text.len() {
            at = text.floor_char_boundary(half);
        }
        if at == 0 {
            return (self, None);
        }
        let (left, right) = text.split_at(at);
        let right = CharPiece {
            text: right,
            offset: self.offset + at,
            iter: self.iter,
        };
        (CharPiece { text: left, ..self }, Some(right))
    }

    fn fold_with<F: Folder<I::Item>>(self, folder: F) -> F {
        self.iter.fold_piece(self.text, self.offset, folder)
    }
}

// ---- pieces cut at separators -----------------------------------------------

/// How an iterator whose pieces are cut at separators finds them and folds
/// a piece.
trait FoldSeparated<'ch>: Sync {
    /// Whether the separator at a cut stays at the end of the left piece
    /// (`split_inclusive`, `lines`) instead of being dropped.
    const INCLUSIVE: bool;
    /// The separator.
    type Separator: Pattern;

    fn separator(&self) -> &Self::Separator;

    /// Folds `text`; `last` tells whether it ends the whole string.
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, last: bool, folder: F) -> F;
}

/// A piece of the string of a [`FoldSeparated`] iterator.
struct SeparatedPiece<'ch, 'it, I> {
    text: &'ch str,
    /// A cut is looked for in `text[..search_end]` only: the rest was
    /// searched in vain by an earlier split (or holds only the separator
    /// that ends an inclusive piece).
    search_end: usize,
    /// Whether `text` ends the whole string.
    last: bool,
    iter: &'it I,
}

impl<'ch, 'it, I> SeparatedPiece<'ch, 'it, I> {
    fn new(text: &'ch str, iter: &'it I) -> Self {
        SeparatedPiece {
            text,
            search_end: text.len(),
            last: true,
            iter,
        }
    }
}

impl<'ch, I: FoldSeparated<'ch>> UnindexedProducer for SeparatedPiece<'ch, '_, I> {
    type Item = &'ch str;

    /// Cuts at the first separator after the middle of what is left to
    /// search, else at the last one before it; a piece without one is not
    /// cut.
    fn split(self) -> (Self, Option<Self>) {
        let (text, end, separator) = (self.text, self.search_end, self.iter.separator());
        let mid = text.floor_char_boundary(end / 2);
        // `left_end` and `right_end`: what the two pieces still search.
        let (cut, left_end, right_end) = if let Some(found) = separator.find_in(&text[mid..end]) {
            // `mid..cut.start` holds no separator.
            let cut = mid + found.start..mid + found.end;
            let right_end = end - cut.end;
            (cut, mid, right_end)
        } else if let Some(cut) = separator.rfind_in(&text[..mid]) {
            // Nothing after the cut holds one.
            let left_end = cut.start;
            (cut, left_end, 0)
        } else {
            return (self, None);
        };
        let left = if I::INCLUSIVE {
            &text[..cut.end]
        } else {
            &text[..cut.start]
        };
        let right = SeparatedPiece {
            text: &text[cut.end..],
            search_end: right_end,
            ..self
        };
        let left = SeparatedPiece {
            text: left,
            search_end: left_end,
            last: false,
            iter: self.iter,
        };
        (left, Some(right))
    }

    fn fold_with<F: Folder<&'ch str>>(self, folder: F) -> F {
        self.iter.fold_piece(self.text, self.last, folder)
    }
}

// ---- the iterators ----------------------------------------------------------

/// Implements `ParallelIterator` for iterators that are their own
/// `FoldChars` / `FoldSeparated`: `Piece: impl[generics] Type => Item;`.
macro_rules! string_iterator {
    ($($piece:ident: impl[$($gen:tt)*] $ty:ty => $item:ty;)*) => {$(
        impl<$($gen)*> ParallelIterator for $ty {
            type Item = $item;
            fn drive_unindexed<C: UnindexedConsumer<$item>>(self, consumer: C) -> C::Result {
                bridge_unindexed($piece::new(self.text, &self), consumer)
            }
        }
    )*};
}

string_iterator! {
    CharPiece: impl['ch] Chars<'ch> => char;
    CharPiece: impl['ch] CharIndices<'ch> => (usize, char);
    CharPiece: impl['ch] Bytes<'ch> => u8;
    CharPiece: impl['ch] EncodeUtf16<'ch> => u16;
    CharPiece: impl['ch, P: Pattern] Matches<'ch, P> => &'ch str;
    CharPiece: impl['ch, P: Pattern] MatchIndices<'ch, P> => (usize, &'ch str);
    SeparatedPiece: impl['ch, P: Pattern] Split<'ch, P> => &'ch str;
    SeparatedPiece: impl['ch, P: Pattern] SplitInclusive<'ch, P> => &'ch str;
    SeparatedPiece: impl['ch, P: Pattern] SplitTerminator<'ch, P> => &'ch str;
    SeparatedPiece: impl['ch] Lines<'ch> => &'ch str;
    SeparatedPiece: impl['ch] SplitWhitespace<'ch> => &'ch str;
    SeparatedPiece: impl['ch] SplitAsciiWhitespace<'ch> => &'ch str;
}

/// [`ParallelString::par_chars`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Chars<'ch> {
    text: &'ch str,
}

impl<'ch> FoldChars<'ch> for Chars<'_> {
    type Item = char;
    fn fold_piece<F: Folder<char>>(&self, text: &'ch str, _: usize, folder: F) -> F {
        folder.consume_iter(text.chars())
    }
}

/// [`ParallelString::par_char_indices`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct CharIndices<'ch> {
    text: &'ch str,
}

impl<'ch> FoldChars<'ch> for CharIndices<'_> {
    type Item = (usize, char);
    fn fold_piece<F>(&self, text: &'ch str, offset: usize, folder: F) -> F
    where
        F: Folder<(usize, char)>,
    {
        folder.consume_iter(text.char_indices().map(|(at, c)| (offset + at, c)))
    }
}

/// [`ParallelString::par_bytes`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Bytes<'ch> {
    text: &'ch str,
}

impl<'ch> FoldChars<'ch> for Bytes<'_> {
    type Item = u8;
    fn fold_piece<F: Folder<u8>>(&self, text: &'ch str, _: usize, folder: F) -> F {
        folder.consume_iter(text.bytes())
    }
}

/// [`ParallelString::par_encode_utf16`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct EncodeUtf16<'ch> {
    text: &'ch str,
}

impl<'ch> FoldChars<'ch> for EncodeUtf16<'_> {
    type Item = u16;
    fn fold_piece<F: Folder<u16>>(&self, text: &'ch str, _: usize, folder: F) -> F {
        folder.consume_iter(text.encode_utf16())
    }
}

/// [`ParallelString::par_matches`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Matches<'ch, P> {
    text: &'ch str,
    pattern: P,
}

impl<'ch, P: Pattern> FoldChars<'ch> for Matches<'_, P> {
    type Item = &'ch str;
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, _: usize, folder: F) -> F {
        self.pattern.fold_matches(text, folder)
    }
}

/// [`ParallelString::par_match_indices`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct MatchIndices<'ch, P> {
    text: &'ch str,
    pattern: P,
}

impl<'ch, P: Pattern> FoldChars<'ch> for MatchIndices<'_, P> {
    type Item = (usize, &'ch str);
    fn fold_piece<F>(&self, text: &'ch str, offset: usize, folder: F) -> F
    where
        F: Folder<(usize, &'ch str)>,
    {
        self.pattern.fold_match_indices(text, offset, folder)
    }
}

/// [`ParallelString::par_split`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Split<'ch, P> {
    text: &'ch str,
    separator: P,
}

impl<'ch, P: Pattern> FoldSeparated<'ch> for Split<'_, P> {
    const INCLUSIVE: bool = false;
    type Separator = P;
    fn separator(&self) -> &P {
        &self.separator
    }
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, _: bool, folder: F) -> F {
        self.separator.fold_split(text, folder)
    }
}

/// [`ParallelString::par_split_inclusive`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct SplitInclusive<'ch, P> {
    text: &'ch str,
    separator: P,
}

impl<'ch, P: Pattern> FoldSeparated<'ch> for SplitInclusive<'_, P> {
    const INCLUSIVE: bool = true;
    type Separator = P;
    fn separator(&self) -> &P {
        &self.separator
    }
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, _: bool, folder: F) -> F {
        self.separator.fold_split_inclusive(text, folder)
    }
}

/// [`ParallelString::par_split_terminator`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct SplitTerminator<'ch, P> {
    text: &'ch str,
    terminator: P,
}

impl<'ch, P: Pattern> FoldSeparated<'ch> for SplitTerminator<'_, P> {
    const INCLUSIVE: bool = false;
    type Separator = P;
    fn separator(&self) -> &P {
        &self.terminator
    }
    /// Only the last piece may end with a terminator that std's
    /// `split_terminator` drops the empty item after; the others end
    /// before a cut, which is where their last item belongs.
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, last: bool, folder: F) -> F {
        if last {
            self.terminator.fold_split_terminator(text, folder)
        } else {
            self.terminator.fold_split(text, folder)
        }
    }
}

/// [`ParallelString::par_lines`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Lines<'ch> {
    text: &'ch str,
}

impl<'ch> FoldSeparated<'ch> for Lines<'_> {
    /// A cut falls after a `'\n'`, so it never parts a `"\r\n"`.
    const INCLUSIVE: bool = true;
    type Separator = char;
    fn separator(&self) -> &char {
        &'\n'
    }
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, _: bool, folder: F) -> F {
        folder.consume_iter(text.lines())
    }
}

/// The separators of the whitespace splits, as patterns.
const WHITESPACE: fn(char) -> bool = char::is_whitespace;
const ASCII_WHITESPACE: fn(char) -> bool = |c| c.is_ascii_whitespace();

/// [`ParallelString::par_split_whitespace`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct SplitWhitespace<'ch> {
    text: &'ch str,
}

impl<'ch> FoldSeparated<'ch> for SplitWhitespace<'_> {
    const INCLUSIVE: bool = false;
    type Separator = fn(char) -> bool;
    fn separator(&self) -> &Self::Separator {
        &WHITESPACE
    }
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, _: bool, folder: F) -> F {
        folder.consume_iter(text.split_whitespace())
    }
}

/// [`ParallelString::par_split_ascii_whitespace`].
#[derive(Debug, Clone)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct SplitAsciiWhitespace<'ch> {
    text: &'ch str,
}

impl<'ch> FoldSeparated<'ch> for SplitAsciiWhitespace<'_> {
    const INCLUSIVE: bool = false;
    type Separator = fn(char) -> bool;
    fn separator(&self) -> &Self::Separator {
        &ASCII_WHITESPACE
    }
    fn fold_piece<F: Folder<&'ch str>>(&self, text: &'ch str, _: bool, folder: F) -> F {
        folder.consume_iter(text.split_ascii_whitespace())
    }
}

//! Case-insensitive regexes searched over lowercased text.
//!
//! Customer language is matched case-insensitively (`/dispute/i`), and the regex
//! engine pays for it: `(?i)dispute` is the class `[Dd][Ii][Ss]...`, whose literal
//! prefilter has one string per mix of cases and runs an Aho-Corasick automaton over
//! every byte. Searched over the ASCII-lowercased text instead, the same regex is the
//! plain literal `dispute`, found with a SIMD substring search: about three times fewer
//! instructions a message on the peer corpus's customer texts (`cargo bench --bench
//! peer`, docs/performance.md).
//!
//! The rewrite is exact, not a heuristic. It applies only when every class and literal
//! of the regex is *closed under ASCII case* (it holds `A` exactly when it holds `a`),
//! and only to texts that are all ASCII. For such a text `t` and any character `c`
//! of it, `c` is in a closed class exactly when `lowercase(c)` is, and `lowercase(c)`
//! is never an uppercase ASCII letter, so removing `A-Z` from every class changes
//! nothing a search of `lowercase(t)` can see. Lowercasing ASCII keeps every byte
//! offset and never changes what is a word character or a line end, so matches, their
//! spans and `\b` are the same. For the same reason (the text is ASCII) every class
//! also drops its non-ASCII members. A regex with a case-sensitive letter (`/Refund/`,
//! `(?-i:ID)`) is not closed and is searched as written; so is every text with a
//! non-ASCII character.

use regex_syntax::hir::{self, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use crate::syntax::stack::guarded;

/// The regex to search lowercased ASCII text with, when `hir` is closed under ASCII
/// case and has an uppercase letter to drop (otherwise folding would change nothing).
pub(crate) fn folded(hir: &Hir) -> Option<Hir> {
    let mut dropped = false;
    let folded = fold(hir, &mut dropped)?;
    dropped.then_some(folded)
}

/// `hir` without uppercase ASCII letters in its classes; `None` when some class or
/// literal is not closed under ASCII case. Sets `dropped` when a letter went.
fn fold(hir: &Hir, dropped: &mut bool) -> Option<Hir> {
    Some(match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(hir::Literal(bytes)) => {
            // A literal letter is case-sensitive: `(?i)` makes letters classes.
            if bytes.iter().any(u8::is_ascii_alphabetic) {
                return None;
            }
            Hir::literal(bytes.clone())
        }
        HirKind::Class(Class::Unicode(class)) => Hir::class(Class::Unicode(fold_unicode(class, dropped)?)),
        HirKind::Class(Class::Bytes(class)) => Hir::class(Class::Bytes(fold_bytes(class, dropped)?)),
        HirKind::Look(look) => Hir::look(*look),
        HirKind::Repetition(r) => {
            let sub = guarded(|| fold(&r.sub, dropped))?;
            Hir::repetition(hir::Repetition { min: r.min, max: r.max, greedy: r.greedy, sub: Box::new(sub) })
        }
        HirKind::Capture(c) => {
            let sub = guarded(|| fold(&c.sub, dropped))?;
            Hir::capture(hir::Capture { index: c.index, name: c.name.clone(), sub: Box::new(sub) })
        }
        HirKind::Concat(subs) => Hir::concat(folded_all(subs, dropped)?),
        HirKind::Alternation(subs) => Hir::alternation(folded_all(subs, dropped)?),
    })
}

fn folded_all(subs: &[Hir], dropped: &mut bool) -> Option<Vec<Hir>> {
    subs.iter().map(|sub| guarded(|| fold(sub, dropped))).collect()
}

/// Whether a class holding `has(c)` holds each uppercase ASCII letter exactly when it
/// holds its lowercase.
fn closed_under_ascii_case(has: impl Fn(u8) -> bool) -> bool {
    (b'a'..=b'z').all(|lower| has(lower) == has(lower.to_ascii_uppercase()))
}

fn fold_unicode(class: &ClassUnicode, dropped: &mut bool) -> Option<ClassUnicode> {
    let has = |b: u8| class.ranges().iter().any(|r| (r.start()..=r.end()).contains(&char::from(b)));
    if !closed_under_ascii_case(has) {
        return None;
    }
    *dropped |= (b'A'..=b'Z').any(has);
    // Only ASCII text is searched with the folded regex: its non-ASCII members (the
    // Kelvin sign that `(?i)k` holds) can never match there, and dropping them leaves
    // plain literals for the prefilter.
    let mut folded = class.clone();
    folded.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
    folded.difference(&ClassUnicode::new([ClassUnicodeRange::new('A', 'Z')]));
    Some(folded)
}

fn fold_bytes(class: &ClassBytes, dropped: &mut bool) -> Option<ClassBytes> {
    let has = |b: u8| class.ranges().iter().any(|r| (r.start()..=r.end()).contains(&b));
    if !closed_under_ascii_case(has) {
        return None;
    }
    *dropped |= (b'A'..=b'Z').any(has);
    let mut folded = class.clone();
    folded.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7F)]));
    folded.difference(&ClassBytes::new([ClassBytesRange::new(b'A', b'Z')]));
    Some(folded)
}

/// A message's text as the regexes of one message search it: the text, and its ASCII
/// lowercase when the text is all ASCII (offsets are the same in both).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Searched<'t> {
    pub text: &'t str,
    pub lowercase: Option<&'t str>,
}

impl<'t> Searched<'t> {
    /// The text alone: every regex searches it as written.
    pub(crate) fn as_written(text: &'t str) -> Self {
        Searched { text, lowercase: None }
    }
}

/// Writes the ASCII lowercase of `text` into `buffer`; false (and `buffer` left
/// empty) when `text` is not all ASCII.
pub(crate) fn lowercase_ascii(text: &str, buffer: &mut String) -> bool {
    buffer.clear();
    if !text.is_ascii() {
        return false;
    }
    buffer.push_str(text);
    buffer.make_ascii_lowercase();
    true
}

#[cfg(test)]
#[path = "folding_tests.rs"]
mod tests;

//! Phrase matching for policy conditions like `customer says any of [...]`:
//! the text normalisation shared by every signal, and `PhraseSet`, which
//! finds the first listed phrase in a message on word boundaries, optionally
//! skipping negated mentions ("I don't need an agent", see `negation`).
//!
//! Matching is case-insensitive, accent-insensitive, whitespace-insensitive
//! and treats curly and straight apostrophes alike. A pattern must start and
//! end on a word boundary, so `agent` does not match `agents`; inflected forms
//! are patterns of their own (`word_forms`). Scripts written without spaces
//! (Chinese, Japanese, Thai, ...) are exempt from the boundary rule, since
//! there a word boundary is not visible in the text.

use std::ops::ControlFlow;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::negation::{self, Lexicon};

/// Where a phrase was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhraseMatch {
    /// Index into the list given to [`PhraseSet::new`].
    pub phrase: usize,
    /// Byte offset of the match in the original, unnormalised text.
    pub start: usize,
    /// Byte offset just past the match in the original text; always on a
    /// char boundary, and past any accents attached to the last letter.
    pub end: usize,
}

impl PhraseMatch {
    /// Leftmost first, then longest, then earliest listed.
    pub(crate) fn precedes(&self, other: &PhraseMatch) -> bool {
        let key = |m: &PhraseMatch| (m.start, std::cmp::Reverse(m.end.saturating_sub(m.start)), m.phrase);
        key(self) < key(other)
    }
}

/// A compiled list of phrases, built once per policy and searched per message.
#[derive(Debug, Clone)]
pub struct PhraseSet {
    matcher: Matcher,
    /// Original index of each searched pattern; phrases that normalise to
    /// nothing are left out of the search, so the two lists can differ.
    indices: Vec<usize>,
    max_len: usize,
}

#[derive(Debug, Clone)]
enum Matcher {
    Automaton(AhoCorasick),
    // Only used if the automaton cannot be built (absurdly large phrase
    // lists), so that construction stays infallible.
    Naive(Vec<String>),
}

impl PhraseSet {
    pub fn new(phrases: &[String]) -> PhraseSet {
        let patterns = phrases.iter().enumerate().map(|(index, phrase)| (normalize(phrase), index)).collect();
        PhraseSet::from_patterns(patterns)
    }

    /// A set searching normalised patterns, each standing for the phrase whose index
    /// it carries (several patterns may stand for one phrase: its inflected forms).
    pub fn from_patterns(patterns: Vec<(String, usize)>) -> PhraseSet {
        let (patterns, indices): (Vec<String>, Vec<usize>) =
            patterns.into_iter().filter(|(p, _)| !p.is_empty()).unzip();
        let max_len = patterns.iter().map(String::len).max().unwrap_or(0);
        let matcher = match automaton(&patterns) {
            Some(automaton) => Matcher::Automaton(automaton),
            None => Matcher::Naive(patterns),
        };
        PhraseSet { matcher, indices, max_len }
    }

    /// Number of patterns searched (phrases not normalising to nothing, and their forms).
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The leftmost match on word boundaries; at equal starts the longest
    /// phrase wins, then the earliest listed. With `ignore_negated`, matches
    /// preceded by a negation cue in the same clause are skipped.
    pub fn find(&self, text: &str, ignore_negated: bool) -> Option<PhraseMatch> {
        self.find_reading(text, ignore_negated.then(|| &*negation::ENGLISH_LEXICON))
    }

    /// [`PhraseSet::find`], skipping the matches `negation` reads as negated (none
    /// when it is `None`).
    pub fn find_reading(&self, text: &str, negation: Option<&Lexicon>) -> Option<PhraseMatch> {
        if self.indices.is_empty() {
            return None;
        }
        if is_fast_path(text) {
            let found = self.find_in(text, negation)?;
            return Some(PhraseMatch { phrase: found.phrase, start: found.start, end: found.end });
        }
        let mut normalized = String::with_capacity(text.len());
        let mut origins = Vec::with_capacity(text.len());
        normalize_into(text, &mut normalized, Some(&mut origins));
        let found = self.find_in(&normalized, negation)?;
        let start = origins.get(found.start).copied()?;
        let last_origin = origins.get(found.end.checked_sub(1)?).copied()?;
        Some(PhraseMatch { phrase: found.phrase, start, end: original_end(text, last_origin) })
    }

    /// Searches an already normalised (or fast-path) haystack; offsets are
    /// into `haystack`.
    fn find_in(&self, haystack: &str, negation: Option<&Lexicon>) -> Option<PhraseMatch> {
        let mut best: Option<PhraseMatch> = None;
        let mut consider = |pattern: usize, start: usize, end: usize| {
            if let Some(current) = best {
                // Every later candidate ends at or after `end`, so none can
                // start before `end - max_len`.
                if end.saturating_sub(self.max_len) > current.start {
                    return ControlFlow::Break(());
                }
            }
            let Some(&phrase) = self.indices.get(pattern) else {
                return ControlFlow::Continue(());
            };
            let candidate = PhraseMatch { phrase, start, end };
            let better = match best {
                None => true,
                Some(current) => candidate.precedes(&current),
            };
            if better
                && on_word_boundaries(haystack, start, end)
                && !negation.is_some_and(|lexicon| negation::is_negated(haystack, start, end, lexicon))
            {
                best = Some(candidate);
            }
            ControlFlow::Continue(())
        };
        match &self.matcher {
            Matcher::Automaton(automaton) => {
                for found in automaton.find_overlapping_iter(haystack) {
                    let flow = consider(found.pattern().as_usize(), found.start(), found.end());
                    if flow.is_break() {
                        break;
                    }
                }
            }
            Matcher::Naive(patterns) => {
                for (pattern, needle) in patterns.iter().enumerate() {
                    for (start, _) in haystack.match_indices(needle.as_str()) {
                        // Order is not by end here, so the early exit in
                        // `consider` must not fire: ignore its verdict.
                        let _ = consider(pattern, start, start + needle.len());
                    }
                }
            }
        }
        best
    }
}

/// Most pattern bytes (about the most automaton states) searched with a full DFA.
const DFA_MAX_PATTERN_BYTES: usize = 20_000;

/// The automaton for normalised phrases, ASCII-case-insensitive so the ASCII fast
/// path can search the original text without lowercasing it first (the patterns
/// are already lowercase, so the slow path is unaffected). Phrase lists of
/// ordinary size get a full DFA: a third fewer instructions per message than the
/// crate's own choice for the shipped policy, for about 300 kB; larger ones get
/// the crate's choice, which bounds memory.
pub(crate) fn automaton(patterns: &[String]) -> Option<AhoCorasick> {
    let mut builder = AhoCorasick::builder();
    builder.ascii_case_insensitive(true).match_kind(MatchKind::Standard);
    if patterns.iter().map(String::len).sum::<usize>() <= DFA_MAX_PATTERN_BYTES {
        if let Ok(dfa) = builder.kind(Some(AhoCorasickKind::DFA)).build(patterns) {
            return Some(dfa);
        }
    }
    builder.kind(None).build(patterns).ok()
}

/// Lowercases, strips accents, folds apostrophes, collapses whitespace runs
/// to one space and trims: the form phrases and messages are compared in.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out, None);
    out
}

/// Text that normalises to itself up to ASCII case, so it can be searched in
/// place (no allocation) with the ASCII-case-insensitive automaton.
pub(crate) fn is_fast_path(text: &str) -> bool {
    // No byte outside ASCII, no whitespace but single spaces.
    text.is_ascii() && !text.contains("  ") && !text.bytes().any(|b| b != b' ' && b.is_ascii_whitespace())
}

/// Writes the normalised form of `text` to `out`; when `origins` is given it
/// receives, for every byte of `out`, the byte offset in `text` of the char
/// that produced it.
pub(crate) fn normalize_into(text: &str, out: &mut String, mut origins: Option<&mut Vec<usize>>) {
    let mut pending_space: Option<usize> = None;
    for (offset, c) in text.char_indices() {
        if c.is_whitespace() {
            if !out.is_empty() && pending_space.is_none() {
                pending_space = Some(offset);
            }
            continue;
        }
        let mut push = |ch: char, origin: usize| {
            out.push(ch);
            if let Some(origins) = origins.as_deref_mut() {
                origins.resize(origins.len() + ch.len_utf8(), origin);
            }
        };
        // Spaces are emitted lazily so trailing whitespace leaves nothing.
        if let Some(space_origin) = pending_space.take() {
            push(' ', space_origin);
        }
        if is_apostrophe(c) {
            push('\'', offset);
        } else if c.is_ascii() {
            push(c.to_ascii_lowercase(), offset);
        } else if is_hangul_syllable(c) {
            // NFD would split syllables into jamo, letting a phrase match
            // part of a syllable.
            push(c, offset);
        } else {
            unicode_normalization::char::decompose_canonical(c, |part| {
                if !is_strippable_mark(part) {
                    for lower in part.to_lowercase() {
                        if !is_strippable_mark(lower) {
                            push(lower, offset);
                        }
                    }
                }
            });
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}')
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Diacritics that are optional in everyday writing. Other marks (Indic
/// vowel signs, ...) carry meaning and are kept.
fn is_strippable_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // combining diacritical marks
        | '\u{1AB0}'..='\u{1AFF}' // ... extended
        | '\u{1DC0}'..='\u{1DFF}' // ... supplement
        | '\u{20D0}'..='\u{20FF}' // ... for symbols
        | '\u{FE20}'..='\u{FE2F}' // combining half marks
        | '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}'..='\u{05C2}'
        | '\u{05C4}'..='\u{05C5}' | '\u{05C7}' // Hebrew points
        | '\u{064B}'..='\u{065F}' | '\u{0670}' // Arabic harakat
    )
}

/// End of the original char at `last_origin`, extended over accents that
/// follow it, so the reported span covers whole characters as users see them.
pub(crate) fn original_end(text: &str, last_origin: usize) -> usize {
    let Some(rest) = text.get(last_origin..) else {
        return last_origin;
    };
    let mut chars = rest.char_indices();
    let mut end = match chars.next() {
        Some((_, c)) => last_origin + c.len_utf8(),
        None => return last_origin,
    };
    for (relative, c) in chars {
        if !is_strippable_mark(c) {
            break;
        }
        end = last_origin + relative + c.len_utf8();
    }
    end
}

pub(crate) fn on_word_boundaries(haystack: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(inner), Some(after)) =
        (haystack.get(..start), haystack.get(start..end), haystack.get(end..))
    else {
        return false;
    };
    let joins = |outside: Option<char>, edge: Option<char>| match (outside, edge) {
        (Some(o), Some(e)) => is_spaced_word_char(o) && is_spaced_word_char(e),
        _ => false,
    };
    !joins(before.chars().next_back(), inner.chars().next()) && !joins(after.chars().next(), inner.chars().next_back())
}

fn is_spaced_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_unspaced_script(c)
}

/// Scripts conventionally written without spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'   // Thai, Lao
        | '\u{1000}'..='\u{109F}' // Myanmar
        | '\u{1780}'..='\u{17FF}' // Khmer
        | '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}' // halfwidth Katakana
        | '\u{20000}'..='\u{3FFFF}' // CJK extensions B and later
    )
}

#[cfg(test)]
#[path = "phrases_tests.rs"]
mod tests;

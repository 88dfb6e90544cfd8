//! Every phrase list of a policy in one automaton: a message is normalised and
//! scanned once, whatever the number of `mentions` in the policy, and each list
//! gets its first qualifying match (word boundaries, negation) as [`PhraseSet`]
//! would give it.
//!
//! A list matches its words' inflected forms unless it is `exactly`, and misspelled
//! words too if it is `with typos`. Both are word rewrites: the listed words and their
//! forms are in a [`WordTable`] built with the index, each mapped to one representative
//! form, and an inflected list searches for its phrases written in representatives.
//! Per message, every word is looked up once; when a word is another form than its
//! representative ("disputing" for "dispute"), the message is scanned a second time with
//! such words rewritten, and that scan counts for the inflected lists only; when a word
//! misspells a word of a `with typos` list ([`TypoIndex`]), a third scan with the
//! misspellings corrected counts for those lists only. Most messages have neither and
//! are scanned once. Match offsets always point into the customer's own text.
//!
//! [`PhraseSet`]: super::phrases::PhraseSet

use std::collections::HashMap;
use std::sync::Arc;

use aho_corasick::AhoCorasick;

use super::language::Languages;
use super::negation::{is_negated, Lexicon};
use super::phrases::{
    automaton, is_fast_path, normalize, normalize_into, on_word_boundaries, original_end, PhraseMatch,
};
use super::typos::{TypoIndex, MAX_WORD};
use super::word_forms::{Inflector, WordTable};

/// One list of phrases as a policy wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhraseList {
    pub phrases: Vec<String>,
    pub unless_negated: bool,
    /// Only the written forms (`mentions exactly`), not the inflected ones.
    pub exact: bool,
    /// Misspelled words count too (`with typos`).
    pub typos: bool,
}

/// Which scans of a message count for a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The message as written.
    Written,
    /// Inflected forms rewritten to their representatives.
    Forms,
    /// ... and misspellings corrected.
    Typos,
}

impl PhraseList {
    fn counts_in(&self, pass: Pass) -> bool {
        match pass {
            Pass::Written => true,
            Pass::Forms => !self.exact,
            Pass::Typos => self.typos,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PhraseIndex {
    matcher: Option<AhoCorasick>,
    /// For each automaton pattern: the lists and phrase indices it stands for.
    owners: Vec<Vec<(u32, u32)>>,
    negation: Vec<bool>,
    /// For each list, whether the Forms and the Typos scans count for it.
    passes: Vec<(bool, bool)>,
    words: WordTable,
    typos: Option<TypoIndex>,
    /// The cues and clause ends of the policy's languages.
    lexicon: Arc<Lexicon>,
}

/// Reused buffers for one scan, so a message costs no allocation on the fast path.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    normalized: String,
    origins: Vec<usize>,
    /// The best match per list, in haystack offsets.
    best: Vec<Option<PhraseMatch>>,
    /// The words to rewrite, and the rewritten haystack.
    rewrites: Vec<Rewrite>,
    rewritten: String,
    spans: Vec<Span>,
}

/// A word of the haystack to write differently: its span and the word to write.
#[derive(Debug, Clone, Copy)]
struct Rewrite {
    start: usize,
    end: usize,
    word: Written,
    typo: bool,
}

/// A word to write, by its place in the index's tables.
#[derive(Debug, Clone, Copy)]
enum Written {
    /// A form of the word table (a representative).
    Form(u32),
    /// A word of the typo index that is in no inflected list.
    Listed(u32),
}

/// Where a rewritten word is in the rewritten haystack and in the haystack.
#[derive(Debug, Clone, Copy)]
struct Span {
    rewritten: (usize, usize),
    original: (usize, usize),
}

impl PhraseIndex {
    /// The index of an English policy's lists.
    pub fn new(lists: &[PhraseList]) -> PhraseIndex {
        PhraseIndex::in_languages(lists, &Languages::default())
    }

    /// The index of the lists of a policy in `languages`: their word forms and
    /// negation.
    pub fn in_languages(lists: &[PhraseList], languages: &Languages) -> PhraseIndex {
        let mut inflectors: Vec<Inflector> = languages.list.iter().map(|&l| Inflector::new(l)).collect();
        let mut words = WordTable::default();
        let mut typo_words: Vec<String> = Vec::new();
        let normalized: Vec<Vec<String>> =
            lists.iter().map(|l| l.phrases.iter().map(|p| normalize(p)).collect()).collect();
        for (list, phrases) in lists.iter().zip(&normalized) {
            for word in phrases.iter().flat_map(|p| p.split(' ')) {
                for inflector in &mut inflectors {
                    if !list.exact {
                        words.add(word, inflector);
                    }
                    if list.typos {
                        typo_words.push(word.to_owned());
                        typo_words.extend(inflector.word(word).iter().cloned());
                    }
                }
            }
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for (l, (list, phrases)) in lists.iter().zip(&normalized).enumerate() {
            for (p, phrase) in phrases.iter().enumerate() {
                if phrase.is_empty() {
                    continue;
                }
                let pattern = if list.exact { phrase.clone() } else { representatives(phrase, &words) };
                let owner = (l as u32, p as u32);
                match position.get(&pattern) {
                    Some(&i) => owners.get_mut(i).into_iter().for_each(|o| o.push(owner)),
                    None => {
                        position.insert(pattern.clone(), patterns.len());
                        patterns.push(pattern);
                        owners.push(vec![owner]);
                    }
                }
            }
        }
        let matcher = if patterns.is_empty() { None } else { automaton(&patterns) };
        PhraseIndex {
            matcher,
            owners,
            negation: lists.iter().map(|l| l.unless_negated).collect(),
            passes: lists.iter().map(|l| (l.counts_in(Pass::Forms), l.counts_in(Pass::Typos))).collect(),
            words,
            typos: TypoIndex::new(typo_words.iter().map(String::as_str)),
            lexicon: Arc::clone(&languages.negation),
        }
    }

    pub fn lists(&self) -> usize {
        self.negation.len()
    }

    /// Scans `text`; afterwards `out[list]` holds each list's first qualifying
    /// match (leftmost, then longest, then earliest listed), in `text`'s offsets.
    pub fn scan(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<Option<PhraseMatch>>) {
        out.clear();
        out.resize(self.negation.len(), None);
        let Some(matcher) = &self.matcher else { return };
        let fast = is_fast_path(text);
        let haystack: &str = if fast {
            text
        } else {
            scratch.normalized.clear();
            scratch.origins.clear();
            normalize_into(text, &mut scratch.normalized, Some(&mut scratch.origins));
            &scratch.normalized
        };
        scratch.best.clear();
        scratch.best.resize(self.negation.len(), None);
        self.collect(matcher, haystack, Pass::Written, &[], &mut scratch.best);
        if !self.words.is_empty() || self.typos.is_some() {
            scratch.rewrites.clear();
            self.find_rewrites(haystack, &mut scratch.rewrites);
            let any_typo = scratch.rewrites.iter().any(|r| r.typo);
            for pass in [Pass::Forms, Pass::Typos] {
                // The Typos scan only when a word is misspelled; the Forms scan when
                // a word is rewritten at all (typo lists take it too).
                let typo = pass == Pass::Typos;
                if scratch.rewrites.is_empty() || (typo && !any_typo) {
                    continue;
                }
                let chosen = scratch.rewrites.iter().filter(|r| typo || !r.typo);
                self.rewrite(haystack, chosen, &mut scratch.rewritten, &mut scratch.spans);
                if !scratch.spans.is_empty() {
                    self.collect(matcher, &scratch.rewritten, pass, &scratch.spans, &mut scratch.best);
                }
            }
        }
        for (o, best) in out.iter_mut().zip(&scratch.best) {
            *o = best.and_then(|m| {
                if fast {
                    return Some(m);
                }
                let start = scratch.origins.get(m.start).copied()?;
                let last = scratch.origins.get(m.end.checked_sub(1)?).copied()?;
                Some(PhraseMatch { phrase: m.phrase, start, end: original_end(text, last) })
            });
        }
    }

    /// Puts each list's best match in `haystack` into `best`, in the offsets of the
    /// haystack before any rewrite (`spans` says where the rewritten words are).
    fn collect(
        &self,
        matcher: &AhoCorasick,
        haystack: &str,
        pass: Pass,
        spans: &[Span],
        best: &mut [Option<PhraseMatch>],
    ) {
        for found in matcher.find_overlapping_iter(haystack) {
            let (start, end) = (found.start(), found.end());
            let Some(owners) = self.owners.get(found.pattern().as_usize()) else { continue };
            if !on_word_boundaries(haystack, start, end) {
                continue;
            }
            let (at, to) = (unrewritten(spans, start, false), unrewritten(spans, end, true));
            let mut negated: Option<bool> = None;
            for &(list, phrase) in owners {
                let counts = match (pass, self.passes.get(list as usize)) {
                    (Pass::Written, _) => true,
                    (Pass::Forms, Some(p)) => p.0,
                    (Pass::Typos, Some(p)) => p.1,
                    (_, None) => false,
                };
                let candidate = PhraseMatch { phrase: phrase as usize, start: at, end: to };
                let Some(slot) = best.get_mut(list as usize) else { continue };
                if !counts || slot.is_some_and(|current| !candidate.precedes(&current)) {
                    continue;
                }
                if self.negation.get(list as usize).copied().unwrap_or(false)
                    && *negated.get_or_insert_with(|| is_negated(haystack, start, end, &self.lexicon))
                {
                    continue;
                }
                *slot = Some(candidate);
            }
        }
    }

    /// The words of `haystack` to write differently: forms of listed words that are
    /// not their representative, and misspellings of words of `with typos` lists.
    fn find_rewrites(&self, haystack: &str, rewrites: &mut Vec<Rewrite>) {
        let mut letters = [0u8; MAX_WORD];
        for (start, end) in ascii_words(haystack) {
            let Some(word) = letters.get_mut(..end - start) else { continue };
            for (to, from) in word.iter_mut().zip(haystack.as_bytes().get(start..end).unwrap_or(&[])) {
                *to = from.to_ascii_lowercase();
            }
            if let Some((form, representative)) = self.words.representative(word) {
                if form != representative {
                    rewrites.push(Rewrite { start, end, word: Written::Form(representative), typo: false });
                }
                continue;
            }
            let Some(typos) = &self.typos else { continue };
            let Some(listed) = typos.correct(word) else { continue };
            // A misspelled form is written as its representative, so that inflected
            // phrases find it.
            let written = match typos.word(listed).and_then(|w| self.words.representative(w.as_bytes())) {
                Some((_, representative)) => Written::Form(representative),
                None => Written::Listed(listed),
            };
            rewrites.push(Rewrite { start, end, word: written, typo: true });
        }
    }

    /// Writes `haystack` with the chosen rewrites applied to `out`, and where each
    /// rewritten word is to `spans` (left empty when nothing is rewritten).
    fn rewrite<'r>(
        &self,
        haystack: &str,
        chosen: impl Iterator<Item = &'r Rewrite>,
        out: &mut String,
        spans: &mut Vec<Span>,
    ) {
        out.clear();
        spans.clear();
        let mut copied = 0;
        for r in chosen {
            let word = match r.word {
                Written::Form(id) => self.words.form(id),
                Written::Listed(id) => self.typos.as_ref().and_then(|t| t.word(id)),
            };
            let Some(word) = word else { continue };
            out.push_str(haystack.get(copied..r.start).unwrap_or(""));
            let at = out.len();
            out.push_str(word);
            spans.push(Span { rewritten: (at, out.len()), original: (r.start, r.end) });
            copied = r.end;
        }
        out.push_str(haystack.get(copied..).unwrap_or(""));
    }
}

/// A normalised phrase with each word written as its representative.
fn representatives(phrase: &str, words: &WordTable) -> String {
    let parts: Vec<&str> = phrase
        .split(' ')
        .map(|w| words.representative(w.as_bytes()).and_then(|(_, r)| words.form(r)).unwrap_or(w))
        .collect();
    parts.join(" ")
}

/// The spans of the words of ASCII letters that stand alone in `haystack` (not part of
/// a longer run of letters, digits or non-ASCII text), at most [`MAX_WORD`] long.
fn ascii_words(haystack: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = haystack.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            while bytes.get(i).is_some_and(|b| !b.is_ascii_alphabetic()) {
                i += 1;
            }
            let start = i;
            while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
            }
            let joined = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || !b.is_ascii());
            let alone = !joined(start.checked_sub(1).and_then(|s| bytes.get(s))) && !joined(bytes.get(i));
            if i > start && alone && i - start <= MAX_WORD {
                return Some((start, i));
            }
        }
        None
    })
}

/// The haystack offset of `offset` in the rewritten haystack: a rewritten word maps to
/// the customer's word as a whole, other text shifts by the rewrites before it.
fn unrewritten(spans: &[Span], offset: usize, is_end: bool) -> usize {
    let before = |s: &&Span| if is_end { s.rewritten.0 < offset } else { s.rewritten.0 <= offset };
    let Some(s) = spans.iter().rev().find(before) else {
        return offset;
    };
    if offset < s.rewritten.1 {
        return if is_end { s.original.1 } else { s.original.0 };
    }
    offset - s.rewritten.1 + s.original.1
}

#[cfg(test)]
#[path = "phrase_index_tests.rs"]
mod tests;

//! Every phrase list of a policy in one automaton: a message is normalised and
//! scanned once, whatever the number of `mentions` in the policy, and each list
//! gets its first qualifying match (word boundaries, negation) as [`PhraseSet`]
//! would give it.
//!
//! [`PhraseSet`]: super::phrases::PhraseSet

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use super::phrases::{
    automaton, is_fast_path, is_negated, normalize, normalize_into, on_word_boundaries, original_end, PhraseMatch,
};

/// One list of phrases as a policy wrote it.
#[derive(Debug, Clone)]
pub struct PhraseList {
    pub phrases: Vec<String>,
    pub unless_negated: bool,
}

#[derive(Debug, Clone)]
pub struct PhraseIndex {
    matcher: Option<AhoCorasick>,
    /// For each automaton pattern: the lists and phrase indices it stands for.
    owners: Vec<Vec<(u32, u32)>>,
    negation: Vec<bool>,
}

/// Reused buffers for one scan, so a message costs no allocation on the fast path.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    normalized: String,
    origins: Vec<usize>,
    /// The best match per list, in haystack offsets.
    best: Vec<Option<PhraseMatch>>,
}

impl PhraseIndex {
    pub fn new(lists: &[PhraseList]) -> PhraseIndex {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<(u32, u32)>> = Vec::new();
        // Pattern by text: a linear search here made 100,000 phrases take 16 s.
        let mut pattern_of: HashMap<String, usize> = HashMap::new();
        for (l, list) in lists.iter().enumerate() {
            for (p, phrase) in list.phrases.iter().enumerate() {
                let n = normalize(phrase);
                if n.is_empty() {
                    continue;
                }
                match pattern_of.entry(n) {
                    Entry::Occupied(i) => {
                        if let Some(o) = owners.get_mut(*i.get()) {
                            o.push((l as u32, p as u32));
                        }
                    }
                    Entry::Vacant(slot) => {
                        patterns.push(slot.key().clone());
                        slot.insert(owners.len());
                        owners.push(vec![(l as u32, p as u32)]);
                    }
                }
            }
        }
        let matcher = if patterns.is_empty() { None } else { automaton(&patterns) };
        PhraseIndex { matcher, owners, negation: lists.iter().map(|l| l.unless_negated).collect() }
    }

    pub fn lists(&self) -> usize {
        self.negation.len()
    }

    /// Scans `text` once; afterwards `out[list]` holds each list's first qualifying
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
        for found in matcher.find_overlapping_iter(haystack) {
            let (start, end) = (found.start(), found.end());
            let Some(owners) = self.owners.get(found.pattern().as_usize()) else { continue };
            if !on_word_boundaries(haystack, start, end) {
                continue;
            }
            let mut negated: Option<bool> = None;
            for &(list, phrase) in owners {
                let candidate = PhraseMatch { phrase: phrase as usize, start, end };
                let Some(slot) = scratch.best.get_mut(list as usize) else { continue };
                if slot.is_some_and(|current| !candidate.precedes(&current)) {
                    continue;
                }
                if self.negation.get(list as usize).copied().unwrap_or(false)
                    && *negated.get_or_insert_with(|| is_negated(haystack, start))
                {
                    continue;
                }
                *slot = Some(candidate);
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
}

#[cfg(test)]
#[path = "phrase_index_tests.rs"]
mod tests;

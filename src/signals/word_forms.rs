//! The inflected forms of a listed word, for `mentions` without `exactly`: "dispute"
//! also matches "disputes", "disputed" and "disputing".
//!
//! Stemming every word of every message would cost about as much as the rest of a
//! session update (rust-stemmers' Snowball English takes 150-350 ns a word here), so
//! the forms are worked out once, when the policy is compiled: for each listed word,
//! candidate forms are spelled out by English inflection (-s, -es, -ed, -d, -ing,
//! y/ies/ied, a doubled final consonant, a dropped or restored final e), and a
//! candidate is kept when the Snowball English stemmer gives it the same stem as the
//! listed word. A [`WordTable`] maps every kept form to one representative of its
//! stem; per message, each word is looked up once (a hash of a few bytes), and a word
//! in another form than its representative is rewritten to it before the phrases are
//! searched (see `phrase_index`). The evidence still shows the customer's own word.
//!
//! Only inflections are spelled out, not derivations: Snowball would also give
//! "personal" the stem of "person", and a policy listing "person" does not mean it.
//! Forms the stemmer does not relate are not matched either: "fraudulent" stems to
//! "fraudul" and "fraud" to "fraud", so a list that wants both lists both. Closed-class
//! words ("someone", "with", "have") are kept as written.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rust_stemmers::{Algorithm, Stemmer};
use smallvec::SmallVec;

use super::typos::{fx_hash, Prehashed, SeenHashes};

/// English words that do not inflect, or whose inflections are other words.
const CLOSED_CLASS: &[&str] = &[
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "everyone",
    "everybody",
    "nobody",
    "something",
    "anything",
    "everything",
    "nothing",
    "myself",
    "yourself",
    "the",
    "this",
    "that",
    "these",
    "those",
    "with",
    "without",
    "into",
    "onto",
    "from",
    "about",
    "above",
    "after",
    "again",
    "against",
    "before",
    "behind",
    "below",
    "between",
    "during",
    "through",
    "under",
    "until",
    "upon",
    "within",
    "there",
    "their",
    "where",
    "which",
    "while",
    "what",
    "when",
    "whom",
    "whose",
    "your",
    "yours",
    "mine",
    "ours",
    "they",
    "them",
    "then",
    "than",
    "also",
    "just",
    "very",
    "please",
    "have",
    "has",
    "had",
    "been",
    "was",
    "were",
    "will",
    "would",
    "could",
    "should",
    "shall",
    "might",
    "must",
    "does",
    "did",
    "done",
    "being",
    "other",
    "another",
    "such",
    "only",
    "more",
    "most",
    "some",
    "many",
    "much",
    "each",
    "every",
    "both",
    "either",
    "neither",
    "not",
    "and",
    "for",
    "you",
    "can",
    "are",
    "our",
    "her",
    "his",
    "its",
    "him",
    "she",
    "who",
    "why",
    "how",
    "any",
    "all",
];

/// Endings tried on each base.
const ENDINGS: &[&str] = &["", "s", "es", "ed", "d", "ing"];
/// Endings tried where a final y turned into i ("deny", "denies", "denied").
const Y_ENDINGS: &[&str] = &["y", "ies", "ied", "ying"];

/// Works out word forms, remembering each word's so a policy pays once per word.
pub struct Inflector {
    stemmer: Stemmer,
    known: HashMap<String, Vec<String>>,
}

impl Default for Inflector {
    fn default() -> Self {
        Inflector { stemmer: Stemmer::create(Algorithm::English), known: HashMap::new() }
    }
}

impl Inflector {
    /// The forms of one normalised word, the written form first. Words that are not
    /// plain lowercase ASCII letters, or shorter than 3 letters, have only themselves.
    pub fn word(&mut self, word: &str) -> &[String] {
        if !self.known.contains_key(word) {
            let forms = self.spell_out(word);
            self.known.insert(word.to_owned(), forms);
        }
        self.known.get(word).map_or(&[], Vec::as_slice)
    }

    fn spell_out(&self, word: &str) -> Vec<String> {
        let mut forms = vec![word.to_owned()];
        if !inflects(word) {
            return forms;
        }
        let stem = self.stemmer.stem(word).into_owned();
        let mut bases: Vec<String> = vec![word.to_owned(), stem.clone()];
        if let Some(without_e) = word.strip_suffix('e') {
            bases.push(without_e.to_owned());
        }
        if stem != word {
            // "disputing" -> "disput" -> "dispute"
            bases.push(format!("{stem}e"));
        }
        if let Some(last) = stem.chars().last().filter(|c| !"aeiouwxy".contains(*c) && stem.len() <= 5) {
            // "scam" -> "scammed"; longer words rarely double ("disputted").
            bases.push(format!("{stem}{last}"));
        }
        let mut candidates: Vec<String> = bases
            .iter()
            .flat_map(|base| ENDINGS.iter().map(move |end| (base, end)))
            // English drops a final e before -ed and -ing ("disputing"), but not ee ("agreeing").
            .filter(|(base, end)| !(base.ends_with('e') && !base.ends_with("ee") && end.starts_with(['e', 'i'])))
            .map(|(base, end)| format!("{base}{end}"))
            .collect();
        if let Some(y_base) = stem.strip_suffix('i').or_else(|| word.strip_suffix('y')) {
            candidates.extend(Y_ENDINGS.iter().map(|end| format!("{y_base}{end}")));
        }
        for candidate in candidates {
            if !forms.contains(&candidate) && self.stemmer.stem(&candidate) == stem.as_str() {
                forms.push(candidate);
            }
        }
        forms
    }

    /// Snowball English's stem of a normalised word.
    pub fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }
}

/// Whether `word` (normalised) gets inflected forms: plain lowercase ASCII words of 3
/// letters or more that are not closed-class.
pub fn inflects(word: &str) -> bool {
    word.len() >= 3 && word.bytes().all(|b| b.is_ascii_lowercase()) && !CLOSED_CLASS.contains(&word)
}

/// Every form of the listed words, each mapped to the representative of its stem (the
/// first listed word with that stem), looked up by the hash of its letters.
#[derive(Debug, Clone, Default)]
pub struct WordTable {
    forms: Vec<Box<str>>,
    /// For each form, the index of its representative form.
    representative: Vec<u32>,
    by_hash: HashMap<u64, SmallVec<[u32; 1]>, BuildHasherDefault<Prehashed>>,
    seen: SeenHashes,
    class_by_stem: HashMap<String, u32>,
}

impl WordTable {
    /// Adds a listed word and its forms (a word that does not inflect is left out).
    pub fn add(&mut self, word: &str, inflector: &mut Inflector) {
        if !inflects(word) || self.find(word.as_bytes()).is_some() {
            return;
        }
        let stem = inflector.stem(word);
        let class = match self.class_by_stem.get(&stem) {
            Some(&class) => class,
            None => {
                let class = self.forms.len() as u32;
                self.push(word, class);
                self.class_by_stem.insert(stem, class);
                class
            }
        };
        for form in inflector.word(word).to_vec() {
            if self.find(form.as_bytes()).is_none() {
                self.push(&form, class);
            }
        }
    }

    fn push(&mut self, form: &str, class: u32) {
        let id = self.forms.len() as u32;
        self.forms.push(form.into());
        self.representative.push(class);
        let hash = fx_hash(form.as_bytes());
        self.seen.insert(hash);
        self.by_hash.entry(hash).or_default().push(id);
    }

    fn find(&self, letters: &[u8]) -> Option<u32> {
        let hash = fx_hash(letters);
        if !self.seen.may_contain(hash) {
            return None;
        }
        let ids = self.by_hash.get(&hash)?;
        ids.iter().copied().find(|&id| self.forms.get(id as usize).is_some_and(|f| f.as_bytes() == letters))
    }

    /// For a word in lowercase letters that is a form of a listed word: its id and
    /// the id of its representative.
    pub fn representative(&self, letters: &[u8]) -> Option<(u32, u32)> {
        let id = self.find(letters)?;
        Some((id, *self.representative.get(id as usize)?))
    }

    pub fn form(&self, id: u32) -> Option<&str> {
        self.forms.get(id as usize).map(|f| &**f)
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }
}

#[cfg(test)]
#[path = "word_forms_tests.rs"]
mod tests;

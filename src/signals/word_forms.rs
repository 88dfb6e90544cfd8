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
//!
//! A policy in other languages gets each language's forms: the candidates are the
//! language's endings (`lexicons`) on the word, its stem and the word without a final
//! vowel, kept when that language's Snowball stemmer gives them the word's stem
//! ("Mitarbeiter", "Mitarbeitern"; "reclamación", "reclamaciones"). Such a language's
//! closed class is the words of its negation lists.
//! Forms the stemmer does not relate are not matched either: "fraudulent" stems to
//! "fraudul" and "fraud" to "fraud", so a list that wants both lists both. Closed-class
//! words ("someone", "with", "have") are kept as written.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rust_stemmers::Stemmer;
use smallvec::SmallVec;

use super::language::Language;
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

/// Endings tried where a final y turned into i ("deny", "denies", "denied").
const Y_ENDINGS: &[&str] = &["y", "ies", "ied", "ying"];

/// Works out word forms in one language, remembering each word's so a policy pays
/// once per word.
pub struct Inflector {
    language: Language,
    stemmer: Stemmer,
    known: HashMap<String, Vec<String>>,
    /// Words of the language that do not inflect, folded (not English's: those are
    /// [`CLOSED_CLASS`]).
    closed: Vec<String>,
}

impl Default for Inflector {
    fn default() -> Self {
        Inflector::new(Language::English)
    }
}

impl Inflector {
    pub fn new(language: Language) -> Inflector {
        let closed = match language {
            Language::English => Vec::new(),
            _ => language.negation().entries().filter(|e| !e.contains(' ')).map(super::phrases::normalize).collect(),
        };
        Inflector { language, stemmer: Stemmer::create(language.stemmer()), known: HashMap::new(), closed }
    }

    /// Whether `word` (normalised) gets inflected forms in this language: plain
    /// lowercase ASCII words of 3 letters or more that are not closed-class.
    pub fn inflects(&self, word: &str) -> bool {
        match self.language {
            Language::English => inflects(word),
            _ => {
                word.len() >= 3
                    && word.bytes().all(|b| b.is_ascii_lowercase())
                    && !self.closed.iter().any(|c| c == word)
            }
        }
    }

    /// A bit of its own for each language, so a word table knows which languages
    /// a form came from.
    fn bit(&self) -> u8 {
        1 << (self.language as u8)
    }

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
        if !self.inflects(word) {
            return forms;
        }
        if self.language != Language::English {
            self.spell_out_endings(word, &mut forms);
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
            .flat_map(|base| self.language.endings().iter().map(move |end| (base, end)))
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

    /// The forms of a word of a language other than English: its plurals, and its
    /// endings on the word, its stem and the word without its final vowel.
    fn spell_out_endings(&self, word: &str, forms: &mut Vec<String>) {
        let stem = self.stemmer.stem(word).into_owned();
        let mut bases = vec![word.to_owned(), stem.clone()];
        if let Some(without) = word.strip_suffix(['a', 'e', 'i', 'o', 'u']) {
            bases.push(without.to_owned());
        }
        for end in self.language.plurals() {
            let plural = format!("{word}{end}");
            if !forms.contains(&plural) {
                forms.push(plural);
            }
        }
        for base in &bases {
            for end in self.language.endings() {
                let candidate = format!("{base}{end}");
                if !forms.contains(&candidate) && self.stemmer.stem(&candidate) == stem.as_str() {
                    forms.push(candidate);
                }
            }
        }
    }

    /// The Snowball stem of a normalised word, in the inflector's language.
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
    class_by_stem: HashMap<(Language, String), u32>,
    /// For each form, the languages whose inflector added it (one bit each).
    made_by: Vec<u8>,
}

impl WordTable {
    /// Adds a listed word and its forms in the inflector's language (a word that does
    /// not inflect is left out). The forms of one word in several languages are one
    /// class: all stand for the first listed word.
    pub fn add(&mut self, word: &str, inflector: &mut Inflector) {
        let bit = inflector.bit();
        if !inflector.inflects(word) {
            return;
        }
        let found = self.find(word.as_bytes());
        if found.is_some_and(|id| self.made_by.get(id as usize).is_some_and(|m| m & bit != 0)) {
            return;
        }
        let key = (inflector.language, inflector.stem(word));
        let class = match self.class_by_stem.get(&key) {
            Some(&class) => class,
            None => {
                let class = match found.and_then(|id| self.representative.get(id as usize)) {
                    Some(&class) => class,
                    None => {
                        let class = self.forms.len() as u32;
                        self.push(word, class, bit);
                        class
                    }
                };
                self.class_by_stem.insert(key, class);
                class
            }
        };
        for form in inflector.word(word).to_vec() {
            match self.find(form.as_bytes()) {
                None => self.push(&form, class, bit),
                Some(id) => self.made_by.get_mut(id as usize).into_iter().for_each(|m| *m |= bit),
            }
        }
    }

    fn push(&mut self, form: &str, class: u32, bit: u8) {
        let id = self.forms.len() as u32;
        self.forms.push(form.into());
        self.representative.push(class);
        self.made_by.push(bit);
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

//! The languages a policy's conversations are in, and what each changes: the
//! negation cues and clause ends `unless negated` reads with, the bot answers
//! `fallbacks(...)` counts, the words for a person the checker looks for, and the
//! stemmer word forms come from. A policy that names no language is English.
//!
//! With several languages, their lists are read together: a mention is negated
//! when a cue of any of them negates it, an answer is a fallback when it has a
//! fallback phrase of any of them. The built-in sentiment analyser (VADER) is
//! English whatever the policy says.

use std::sync::{Arc, LazyLock};

use rust_stemmers::Algorithm;

use super::fallback::FALLBACK_PHRASES;
use super::lexicons::{self, Words};
use super::negation::{Lexicon, Table, ENGLISH};
use super::phrases::PhraseSet;

/// A language with built-in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    English,
    German,
    French,
    Spanish,
    Italian,
    Dutch,
    Portuguese,
}

/// Words that, in a `mentions` list, show the rule handles a request for a person.
const ENGLISH_PERSON: &[&str] =
    &["human", "person", "agent", "representative", "someone", "operator", "staff", "advisor", "adviser"];

/// English's endings, for the closed-class and y-rules of `word_forms`.
const ENGLISH_ENDINGS: &[&str] = &["", "s", "es", "ed", "d", "ing"];

impl Language {
    pub const ALL: [Language; 7] = [
        Language::English,
        Language::German,
        Language::French,
        Language::Spanish,
        Language::Italian,
        Language::Dutch,
        Language::Portuguese,
    ];

    /// The ISO 639-1 code a policy names it by.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Italian => "it",
            Language::Dutch => "nl",
            Language::Portuguese => "pt",
        }
    }

    /// Its English name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::German => "German",
            Language::French => "French",
            Language::Spanish => "Spanish",
            Language::Italian => "Italian",
            Language::Dutch => "Dutch",
            Language::Portuguese => "Portuguese",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    fn words(self) -> Option<&'static Words> {
        match self {
            Language::English => None,
            Language::German => Some(&lexicons::de::WORDS),
            Language::French => Some(&lexicons::fr::WORDS),
            Language::Spanish => Some(&lexicons::es::WORDS),
            Language::Italian => Some(&lexicons::it::WORDS),
            Language::Dutch => Some(&lexicons::nl::WORDS),
            Language::Portuguese => Some(&lexicons::pt::WORDS),
        }
    }

    pub fn negation(self) -> &'static Table {
        self.words().map_or(&ENGLISH, |w| &w.negation)
    }

    pub fn fallbacks(self) -> &'static [&'static str] {
        self.words().map_or(FALLBACK_PHRASES, |w| w.fallbacks)
    }

    /// Words for a person ("agent", "Mitarbeiter"), as written.
    pub fn person_words(self) -> &'static [&'static str] {
        self.words().map_or(ENGLISH_PERSON, |w| w.person)
    }

    /// Whether a folded word (lowercase, no accents) is a word for a person in this
    /// language; in German and Dutch, compounds ending in one are too.
    pub fn names_a_person(self, word: &str) -> bool {
        let compounds = self.words().is_some_and(|w| w.compounds);
        PERSON_WORDS.get(self as usize).is_some_and(|words| {
            words.iter().any(|p| word == p || (compounds && word.len() > p.len() + 2 && word.ends_with(p.as_str())))
        })
    }

    /// The Snowball stemmer of the language (rust-stemmers has one for each).
    pub fn stemmer(self) -> Algorithm {
        match self {
            Language::English => Algorithm::English,
            Language::German => Algorithm::German,
            Language::French => Algorithm::French,
            Language::Spanish => Algorithm::Spanish,
            Language::Italian => Algorithm::Italian,
            Language::Dutch => Algorithm::Dutch,
            Language::Portuguese => Algorithm::Portuguese,
        }
    }

    /// Plural endings a listed word takes whatever its stemmer says.
    pub fn plurals(self) -> &'static [&'static str] {
        self.words().map_or(&[], |w| w.plurals)
    }

    /// The endings word forms are spelled out with.
    pub fn endings(self) -> &'static [&'static str] {
        self.words().map_or(ENGLISH_ENDINGS, |w| w.endings)
    }
}

/// Each language's person words, folded.
static PERSON_WORDS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    Language::ALL.iter().map(|l| l.person_words().iter().map(|w| super::phrases::normalize(w)).collect()).collect()
});

/// The words a policy adds to its languages' lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnWords {
    /// Negation cues (`negations [...]`).
    pub negations: Vec<String>,
    /// Words that end a clause, and so a negation's reach (`clause_ends [...]`).
    pub clause_ends: Vec<String>,
    /// Phrases that mark a bot answer as a fallback (`fallbacks [...]`).
    pub fallbacks: Vec<String>,
    /// Ways customers ask for a person (`person_requests [...]`), for the checker.
    pub person_requests: Vec<String>,
}

impl OwnWords {
    fn is_empty(&self) -> bool {
        self.negations.is_empty() && self.clause_ends.is_empty() && self.fallbacks.is_empty()
    }
}

/// A policy's languages, with their lists built for reading its conversations.
#[derive(Debug, Clone)]
pub struct Languages {
    pub list: Vec<Language>,
    pub negation: Arc<Lexicon>,
    fallbacks: Arc<PhraseSet>,
}

static ENGLISH_ONLY: LazyLock<Languages> =
    LazyLock::new(|| Languages::build(&[Language::English], &OwnWords::default()));

impl Default for Languages {
    fn default() -> Self {
        ENGLISH_ONLY.clone()
    }
}

impl Languages {
    /// The lists of `list` (English when empty) with `own` added.
    pub fn new(list: &[Language], own: &OwnWords) -> Languages {
        if (list.is_empty() || list == [Language::English]) && own.is_empty() {
            return Languages::default();
        }
        Languages::build(list, own)
    }

    fn build(list: &[Language], own: &OwnWords) -> Languages {
        let list = if list.is_empty() { vec![Language::English] } else { list.to_vec() };
        let tables: Vec<&Table> = list.iter().map(|l| l.negation()).collect();
        let mut negation = Lexicon::of(&tables);
        negation.add(&own.negations, &own.clause_ends);
        let mut phrases: Vec<String> =
            list.iter().flat_map(|l| l.fallbacks().iter().map(|p| (*p).to_owned())).collect();
        phrases.extend(own.fallbacks.iter().cloned());
        Languages { list, negation: Arc::new(negation), fallbacks: Arc::new(PhraseSet::new(&phrases)) }
    }

    /// Whether a bot message reads like a fallback answer in one of the languages.
    pub fn is_fallback(&self, text: &str) -> bool {
        self.fallbacks.find(text, false).is_some()
    }

    /// Whether English is one of the languages.
    pub fn has_english(&self) -> bool {
        self.list.contains(&Language::English)
    }
}

#[cfg(test)]
#[path = "language_tests.rs"]
mod tests;

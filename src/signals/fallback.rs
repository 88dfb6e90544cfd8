//! The default detector of bot fallback answers ("Sorry, I didn't
//! understand"), used when a transcript carries no fallback intent of its own.

#[cfg(test)]
use std::sync::LazyLock;

#[cfg(test)]
use super::phrases::PhraseSet;

/// Phrases that mark a bot answer as a fallback. Matched with the usual
/// phrase rules (case, accents, apostrophes and spacing ignored, whole
/// words), so each entry covers its capitalised and curly-quoted variants.
/// Negation is not filtered: these answers are themselves negative.
pub const FALLBACK_PHRASES: &[&str] = &[
    // Not understanding.
    "i didn't understand",
    "i did not understand",
    "i didnt understand",
    "i don't understand",
    "i do not understand",
    "i dont understand",
    "i couldn't understand",
    "i could not understand",
    "i didn't get that",
    "i didn't quite get that",
    "i didn't catch that",
    "i didn't quite catch that",
    "i'm not sure i understand",
    "i am not sure i understand",
    "i'm not sure i understood",
    "i'm not sure what you mean",
    "i am not sure what you mean",
    "i don't know what you mean",
    "sorry, i don't follow",
    "i'm not following",
    // Asking to rephrase.
    "could you rephrase",
    "can you rephrase",
    "please rephrase",
    "could you please rephrase",
    "can you please rephrase",
    "try rephrasing",
    "could you say that differently",
    "can you say that another way",
    "try asking in a different way",
    // Unable to help.
    "i can't help with that",
    "i cannot help with that",
    "i can't help you with that",
    "i cannot help you with that",
    "i'm unable to help with that",
    "i am unable to help with that",
    "i'm not able to help with that",
    "i'm not sure how to help with that",
    "i don't know how to help with that",
    "i don't have an answer for that",
    "that's not something i can help with",
    "i'm still learning",
    // French, Spanish, German, the most common other languages in support.
    "je n'ai pas compris",
    "je ne comprends pas",
    "pouvez-vous reformuler",
    "pourriez-vous reformuler",
    "no entendí",
    "no te he entendido",
    "no he entendido",
    "puedes reformular",
    "podrías reformular",
    "ich habe das nicht verstanden",
    "ich habe sie nicht verstanden",
    "ich verstehe nicht",
    "können sie das umformulieren",
];

/// The English list alone (the tests' reference; policies read theirs per language).
#[cfg(test)]
static FALLBACKS: LazyLock<PhraseSet> = LazyLock::new(|| {
    let phrases: Vec<String> = FALLBACK_PHRASES.iter().map(|p| (*p).to_owned()).collect();
    PhraseSet::new(&phrases)
});

/// Whether a bot message reads like an English fallback answer.
#[cfg(test)]
pub fn is_fallback(text: &str) -> bool {
    FALLBACKS.find(text, false).is_some()
}

#[cfg(test)]
#[path = "fallback_tests.rs"]
mod tests;

//! The built-in word lists of each language other than English (English's are in
//! `negation`, `fallback` and `language`): negation cues and clause ends, bot fallback
//! answers, the words customers use for a person, and the endings word forms are
//! spelled out with. Where each list comes from is in `SOURCES.md` beside this file.
//!
//! Entries are written as people write them (accents, apostrophes); they are folded
//! like messages (lowercase, no accents) when a policy is compiled.

use super::negation::Table;

pub mod de;
pub mod es;
pub mod fr;
pub mod it;
pub mod nl;
pub mod pt;

/// Every built-in list of one language.
#[derive(Debug)]
pub struct Words {
    pub negation: Table,
    /// Phrases that mark a bot answer as a fallback ("I didn't understand").
    pub fallbacks: &'static [&'static str],
    /// Words for a person, in a request for one ("agent", "Mitarbeiter").
    pub person: &'static [&'static str],
    /// Whether a word ending in a person word names one too (German and Dutch
    /// compounds: "Servicemitarbeiter", "klantenservicemedewerker").
    pub compounds: bool,
    /// Endings tried on a listed word to spell out its inflected forms; a form is
    /// kept when the language's stemmer gives it the listed word's stem.
    pub endings: &'static [&'static str],
    /// Plural endings kept on a listed word whatever the stemmer says: Snowball does
    /// not always give a plural its singular's stem ("conseillers", "conseiller").
    pub plurals: &'static [&'static str],
}

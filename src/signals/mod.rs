//! Pure functions over text: sentiment, phrase matching, similarity, fallback answers,
//! and the languages they read in.

pub(crate) mod fallback;
pub(crate) mod language;
pub(crate) mod lexicons;
pub(crate) mod negation;
pub(crate) mod phrase_index;
pub mod phrases;
pub(crate) mod questions;
pub mod sentiment;
pub(crate) mod similarity;
pub(crate) mod typos;
pub(crate) mod word_forms;

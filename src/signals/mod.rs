//! Pure functions over text: sentiment, phrase matching, similarity, fallback answers,
//! and the languages they read in.

pub mod fallback;
pub mod language;
pub mod lexicons;
pub mod negation;
pub mod phrase_index;
pub mod phrases;
pub mod questions;
pub mod sentiment;
pub mod similarity;
pub mod typos;
pub mod word_forms;

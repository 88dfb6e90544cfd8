//! Pure functions over text: sentiment, phrase matching, similarity, fallback answers.

pub mod fallback;
pub mod negation;
pub mod phrase_index;
pub mod phrases;
pub mod questions;
pub mod sentiment;
pub mod similarity;
pub mod typos;
pub mod word_forms;

//! From a message to the hashed features the intent model reads: NFKC and
//! lowercase, words, word pairs, and character n-grams inside each word.
//!
//! Character n-grams are what lets a model trained on "dispute" recognise
//! "disputing" and "dipsute": most of their n-grams are shared. The hash is
//! FNV-1a written out here, not `std`'s `DefaultHasher`, whose algorithm may
//! change between Rust releases: a feature must hash the same on every
//! machine and every compiler, or a model would decide differently there.

use unicode_normalization::UnicodeNormalization;

/// The kind of a feature: each kind has its own weight in the feature vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureKind {
    Word = 0,
    WordPair = 1,
    CharGram = 2,
}

impl FeatureKind {
    pub const ALL: [FeatureKind; 3] = [FeatureKind::Word, FeatureKind::WordPair, FeatureKind::CharGram];
}

/// What features a message gives and how much each kind weighs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureConfig {
    /// Shortest character n-gram, counting the word-boundary marks `<` and `>`.
    pub char_min: usize,
    /// Longest character n-gram.
    pub char_max: usize,
    /// Weight of a word, a word pair and a character n-gram, in [`FeatureKind`] order.
    pub weights: [f32; 3],
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig { char_min: 3, char_max: 5, weights: [1.0, 1.0, 0.5] }
    }
}

impl FeatureConfig {
    pub fn weight(&self, kind: FeatureKind) -> f32 {
        self.weights.get(kind as usize).copied().unwrap_or(0.0)
    }

    /// The configuration as bytes, for a model's fingerprint.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(28);
        bytes.extend_from_slice(&(self.char_min as u64).to_le_bytes());
        bytes.extend_from_slice(&(self.char_max as u64).to_le_bytes());
        for w in self.weights {
            bytes.extend_from_slice(&w.to_bits().to_le_bytes());
        }
        bytes
    }
}

/// Reused buffers, so that featurising a message allocates nothing once warm.
#[derive(Debug, Default, Clone)]
pub struct TextScratch {
    normalized: String,
    /// Byte ranges of the words in `normalized`.
    words: Vec<(usize, usize)>,
    /// Char start offsets of the current word, plus its end.
    bounds: Vec<usize>,
    /// The words of `normalized`, separated by single spaces (swapped into it).
    compact: String,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Stands for a word boundary in a character n-gram (never a byte of UTF-8 text).
const BOUNDARY: u8 = 0xff;
/// Separates the two words of a pair (never a byte of UTF-8 text).
const PAIR_SEPARATOR: u8 = 0xfe;

fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

fn seed(kind: FeatureKind) -> u64 {
    fnv(FNV_OFFSET, &[kind as u8])
}

/// Lowercases and NFKC-normalises `text` into `out`: full-width letters,
/// ligatures and compatibility forms become their plain letters. ASCII text,
/// the common case, skips the Unicode tables.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        for c in text.nfkc() {
            out.extend(c.to_lowercase());
        }
    }
}

/// A letter or digit continues a word; an apostrophe inside a word is dropped,
/// so "don't", "don’t" and "dont" are the same word.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}' | '`')
}

/// Splits the normalised text into words: runs of letters and digits, with
/// apostrophes removed in place. Rewrites `normalized` so each word is contiguous.
fn split_words(scratch: &mut TextScratch) {
    let TextScratch { normalized, words, compact, .. } = scratch;
    words.clear();
    compact.clear();
    let mut start: Option<usize> = None;
    for c in normalized.chars() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(compact.len());
            }
            compact.push(c);
        } else if is_apostrophe(c) && start.is_some() {
            // Joined: the word goes on after the apostrophe.
        } else if let Some(s) = start.take() {
            words.push((s, compact.len()));
            compact.push(' ');
        }
    }
    if let Some(s) = start {
        words.push((s, compact.len()));
    }
    std::mem::swap(normalized, compact);
}

/// Calls `emit` with the hash and kind of every feature of `text`, in text
/// order (a feature that occurs twice is emitted twice).
pub fn for_each_feature(
    text: &str,
    config: &FeatureConfig,
    scratch: &mut TextScratch,
    mut emit: impl FnMut(u64, FeatureKind),
) {
    normalize_into(text, &mut scratch.normalized);
    split_words(scratch);
    let TextScratch { normalized, words, bounds, .. } = scratch;
    let mut previous: Option<&str> = None;
    for &(start, end) in words.iter() {
        let Some(word) = normalized.get(start..end) else { continue };
        emit(fnv(seed(FeatureKind::Word), word.as_bytes()), FeatureKind::Word);
        if let Some(before) = previous {
            let h = fnv(seed(FeatureKind::WordPair), before.as_bytes());
            emit(fnv(fnv(h, &[PAIR_SEPARATOR]), word.as_bytes()), FeatureKind::WordPair);
        }
        previous = Some(word);
        char_grams(word, config, bounds, &mut emit);
    }
}

/// The character n-grams of `<word>`, counted in characters (so "é" is one).
/// Position 0 is the opening mark, 1..=n the characters, n+1 the closing
/// mark. FNV is incremental, so the n-grams starting at one position are
/// hashed in one pass: the 4-gram continues the 3-gram's hash.
fn char_grams(word: &str, config: &FeatureConfig, bounds: &mut Vec<usize>, emit: &mut impl FnMut(u64, FeatureKind)) {
    bounds.clear();
    bounds.extend(word.char_indices().map(|(i, _)| i));
    bounds.push(word.len());
    let chars = bounds.len() - 1;
    let padded = chars + 2;
    let seed = seed(FeatureKind::CharGram);
    let bytes = word.as_bytes();
    for first in 0..padded {
        let mut h = seed;
        for position in first..padded.min(first + config.char_max) {
            h = if position == 0 || position == padded - 1 {
                fnv(h, &[BOUNDARY])
            } else {
                let (from, to) = (bounds.get(position - 1), bounds.get(position));
                match (from, to) {
                    (Some(&a), Some(&b)) => fnv(h, bytes.get(a..b).unwrap_or_default()),
                    _ => h,
                }
            };
            if position + 1 - first >= config.char_min {
                emit(h, FeatureKind::CharGram);
            }
        }
    }
}

/// The words of `text` as the model sees them (for tests and explanations).
pub fn words(text: &str) -> Vec<String> {
    let mut scratch = TextScratch::default();
    normalize_into(text, &mut scratch.normalized);
    split_words(&mut scratch);
    scratch.words.iter().filter_map(|&(s, e)| scratch.normalized.get(s..e)).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(text: &str) -> Vec<(u64, FeatureKind)> {
        let mut out = Vec::new();
        for_each_feature(text, &FeatureConfig::default(), &mut TextScratch::default(), |h, k| out.push((h, k)));
        out
    }

    #[test]
    fn words_are_lowercased_nfkc_and_joined_over_apostrophes() {
        assert_eq!(words("Don't  DON’T dont!"), ["dont", "dont", "dont"]);
        assert_eq!(words("ＣＡＲＤ ﬁne café"), ["card", "fine", "café"]);
        assert_eq!(words("'quoted' -- 2 weeks?"), ["quoted", "2", "weeks"]);
        assert!(words("  ... 🙂 ").is_empty());
    }

    #[test]
    fn a_word_gives_itself_and_its_character_grams() {
        let kinds = |text| {
            let f = features(text);
            FeatureKind::ALL.map(|k| f.iter().filter(|(_, kind)| *kind == k).count())
        };
        // "<ab>": 3-grams "<ab", "ab>"; 4-gram "<ab>".
        assert_eq!(kinds("ab"), [1, 0, 3]);
        // "<a>": one 3-gram.
        assert_eq!(kinds("a"), [1, 0, 1]);
        // "<card>" has 6 positions: 4 3-grams, 3 4-grams, 2 5-grams.
        assert_eq!(kinds("card"), [1, 0, 9]);
        assert_eq!(kinds("my card"), [2, 1, 3 + 9]);
        // Characters, not bytes: "é" is one.
        assert_eq!(kinds("é"), [1, 0, 1]);
    }

    #[test]
    fn shared_grams_carry_a_word_to_its_forms() {
        let grams = |text| -> std::collections::HashSet<u64> {
            features(text).into_iter().filter(|(_, k)| *k == FeatureKind::CharGram).map(|(h, _)| h).collect()
        };
        let (dispute, disputing, charge) = (grams("dispute"), grams("disputing"), grams("charge"));
        assert!(dispute.intersection(&disputing).count() >= 6);
        assert_eq!(dispute.intersection(&charge).count(), 0);
        // A feature's hash is fixed: FNV-1a, the same on every machine and compiler.
        assert_eq!(features("a")[0].0, fnv(fnv(FNV_OFFSET, &[0]), b"a"));
        assert_eq!(fnv(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}

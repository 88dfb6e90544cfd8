//! Near-duplicate detection between messages, used to spot a bot stuck in a
//! loop and a customer repeating themselves.
//!
//! Texts are compared after normalisation (lowercase, accents stripped,
//! punctuation removed, whitespace collapsed). The score is the larger of two
//! measures, because people repeat themselves in two ways:
//!
//! - a small edit of the same text (typos, punctuation, one word changed):
//!   normalised Levenshtein distance over chars, which catches
//!   "cancel my subscribtion" vs "cancel my subscription";
//! - mostly the same words, reordered or padded ("cancel my subscription" vs
//!   "please cancel my subscription now"): the Sørensen–Dice coefficient
//!   over the sets of words. Words are compared by a 64-bit hash; two
//!   different words with the same hash (vanishingly rare) count as one, which
//!   can only make two texts look more alike.
//!
//! Levenshtein is quadratic, so it only runs when both texts are at most
//! [`EDIT_DISTANCE_MAX_CHARS`] chars (typical chat messages are far shorter)
//! and only when its length-based upper bound could beat the word score;
//! longer texts rely on the word measure alone.
//!
//! A text that normalises to nothing (empty, whitespace, punctuation only)
//! scores 0.0 against everything, itself included, so empty messages never
//! count as repeats.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::phrases;

/// Longest text, in chars, for which the edit-distance measure is computed.
pub const EDIT_DISTANCE_MAX_CHARS: usize = 300;

/// Similarity of two texts in [0, 1]; 1.0 when they normalise identically.
#[cfg(test)]
pub fn similarity(a: &str, b: &str) -> f64 {
    Fingerprint::new(a).similarity(&Fingerprint::new(b))
}

/// The normalised form used for comparison: phrase normalisation, then
/// punctuation removed. Apostrophes vanish ("didn't" becomes "didnt") while
/// other punctuation separates words ("yes,please" becomes "yes please").
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return normalize_ascii(text);
    }
    let base = phrases::normalize(text);
    let mut out = String::with_capacity(base.len());
    let mut pending_space = false;
    for c in base.chars() {
        if c == '\'' {
            continue;
        }
        if is_kept(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// [`normalize`] for ASCII text in one pass: lower-case letters and digits, no
/// apostrophes, and one space for every run of anything else.
fn normalize_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for b in text.bytes() {
        if b == b'\'' {
            continue;
        }
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_space = true;
        }
    }
    out
}

/// Letters, digits and pictographs; emoji carry meaning in chat ("😡").
fn is_kept(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c,
            '\u{2190}'..='\u{21FF}'     // arrows
            | '\u{2300}'..='\u{23FF}'   // misc technical (⌛, ⏰)
            | '\u{2600}'..='\u{27BF}'   // misc symbols, dingbats
            | '\u{2B00}'..='\u{2BFF}'   // misc symbols and arrows
            | '\u{1F000}'..='\u{1FAFF}' // emoji blocks
        )
}

/// A distinct word: its hash and its byte range in the normalised text.
type Word = u64;

/// Word hashes, inline up to a chat message's usual count.
type Words = SmallVec<[Word; 24]>;

/// A message prepared once for repeated comparisons, so a session can keep
/// the fingerprints of its last few messages and compare new ones cheaply.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    /// ASCII text as given (normalised only when needed: an edit distance, an
    /// explanation), any other text normalised.
    text: String,
    ascii: bool,
    /// Chars of the normalised text.
    chars: usize,
    /// The distinct words of `text`, as hashes, sorted: two fingerprints merge in one pass.
    words: Words,
    /// One bit per word (six bits of its hash), for a quick bound on shared words.
    signature: u64,
    /// How many chars fall in each of 64 buckets (at most 255: saturating keeps the
    /// bound below true): two texts whose counts differ by d need at least d edits,
    /// which rules most pairs out before any edit distance.
    buckets: [u8; 64],
}

/// Two fingerprints are equal when they stand for the same normalised text.
impl PartialEq for Fingerprint {
    fn eq(&self, other: &Fingerprint) -> bool {
        (self.chars, &self.words, self.signature, self.buckets)
            == (other.chars, &other.words, other.signature, other.buckets)
            && self.normalized() == other.normalized()
    }
}

impl Eq for Fingerprint {}

impl Fingerprint {
    pub fn new(text: &str) -> Fingerprint {
        if text.is_ascii() && text.len() <= usize::from(u16::MAX) {
            Fingerprint::from_ascii(text)
        } else {
            Fingerprint::from_normalized(normalize(text))
        }
    }

    /// Any text: words split at the spaces of its normalised form, chars counted
    /// into buckets.
    fn from_normalized(text: String) -> Fingerprint {
        let words: Words = text.split(' ').filter(|w| !w.is_empty()).map(|w| fnv1a(w.bytes())).collect();
        let chars = text.chars().count();
        let buckets = bucket_counts(text.chars().map(u32::from));
        Fingerprint::finish(text, false, chars, words, buckets)
    }

    /// ASCII text (most chat messages): normalised, split into hashed words and
    /// counted in one pass, as [`from_normalized`](Self::from_normalized) would.
    fn from_ascii(text: &str) -> Fingerprint {
        let mut words = Words::new();
        let mut counts = [0u16; 64];
        let (mut in_word, mut hash, mut letters) = (false, FNV_OFFSET, 0usize);
        for b in text.bytes() {
            let c = ascii_class(b);
            if c > APOSTROPHE {
                if !in_word {
                    (in_word, hash) = (true, FNV_OFFSET);
                }
                letters += 1;
                if let Some(n) = counts.get_mut(usize::from(c % 64)) {
                    *n = n.wrapping_add(1);
                }
                hash = fnv_step(hash, c);
            } else if c == SEPARATOR && in_word {
                words.push(hash);
                in_word = false;
            }
        }
        if in_word {
            words.push(hash);
        }
        // The normalised text has a space between words (32: a bucket of its own). A
        // u16 count cannot wrap: texts over 65,535 bytes take the general path.
        let spaces = words.len().saturating_sub(1);
        if let Some(n) = counts.get_mut(usize::from(b' ')) {
            *n = n.wrapping_add(u16::try_from(spaces).unwrap_or(u16::MAX));
        }
        let buckets = counts.map(|n| u8::try_from(n).unwrap_or(u8::MAX));
        Fingerprint::finish(text.to_owned(), true, letters + spaces, words, buckets)
    }

    fn finish(text: String, ascii: bool, chars: usize, mut words: Words, buckets: [u8; 64]) -> Fingerprint {
        words.sort_unstable();
        words.dedup();
        let signature = words.iter().fold(0u64, |s, &w| s | signature_bit(w));
        Fingerprint { text, ascii, chars, words, signature, buckets }
    }

    /// At least as many as the words both texts share: this text's words whose
    /// signature bit the other text has set. Far cheaper than the merge.
    fn shared_at_most(&self, other: &Fingerprint) -> usize {
        let (few, many) = if self.words.len() <= other.words.len() { (self, other) } else { (other, self) };
        few.words.iter().filter(|&&w| many.signature & signature_bit(w) != 0).count()
    }

    /// The normalised text.
    pub fn normalized(&self) -> Cow<'_, str> {
        if self.ascii {
            Cow::Owned(normalize_ascii(&self.text))
        } else {
            Cow::Borrowed(&self.text)
        }
    }

    /// True when the text normalised to nothing; such texts match nothing.
    pub fn is_empty(&self) -> bool {
        self.chars == 0
    }

    /// Similarity in [0, 1], as described in the module documentation.
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        if self.is_empty() || other.is_empty() {
            return 0.0;
        }
        // The same words (identical texts among them) score 1 whatever the edits.
        let words = self.word_dice(other);
        if words == 1.0 {
            return 1.0;
        }
        let (short, long) =
            if self.chars <= other.chars { (self.chars, other.chars) } else { (other.chars, self.chars) };
        // At least `long - short` edits are needed, so this bounds the
        // edit-distance score from above.
        let edit_bound = ratio(short, long);
        if long > EDIT_DISTANCE_MAX_CHARS || edit_bound <= words {
            return words;
        }
        // Normalised only now: an ASCII fingerprint keeps its text as given.
        let (a, b) = (self.normalized(), other.normalized());
        let edits = rapidfuzz::distance::levenshtein::normalized_similarity(a.chars(), b.chars());
        words.max(edits).clamp(0.0, 1.0)
    }

    /// The similarity when it is at least `threshold`. Cheaper than
    /// [`similarity`](Self::similarity) when the answer is no, which is the common
    /// case: the word score and the length bound usually settle it, and the edit
    /// distance is computed with a cutoff.
    pub fn similar_at_least(&self, other: &Fingerprint, threshold: f64) -> Option<f64> {
        if self.is_empty() || other.is_empty() {
            return (threshold <= 0.0).then_some(0.0);
        }
        // Upper bounds of both measures first: they settle most pairs, which are not
        // repeats, without merging words or computing an edit distance.
        let both = self.words.len().saturating_add(other.words.len());
        let words_possible = ratio(self.shared_at_most(other).saturating_mul(2), both) >= threshold;
        let long = self.chars.max(other.chars);
        let edits_possible = long <= EDIT_DISTANCE_MAX_CHARS
            && ratio(self.chars.min(other.chars), long) >= threshold
            && 1.0 - ratio(self.bag_distance(other), long) >= threshold;
        if !words_possible && !edits_possible {
            return None;
        }
        let words = self.word_dice(other);
        if words == 1.0 {
            // The same words: a score of 1 whatever their order.
            return Some(1.0);
        }
        if words >= threshold {
            return Some(self.similarity(other));
        }
        if !edits_possible {
            return None;
        }
        let args = rapidfuzz::distance::levenshtein::Args::default().score_cutoff(threshold);
        let (a, b) = (self.normalized(), other.normalized());
        rapidfuzz::distance::levenshtein::normalized_similarity_with_args(a.chars(), b.chars(), &args)
            .map(|edits| words.max(edits).clamp(0.0, 1.0))
    }

    /// Bag distance, a lower bound of the edit distance: the larger of the chars one
    /// text has more of and the chars it has fewer of, counted per bucket.
    fn bag_distance(&self, other: &Fingerprint) -> usize {
        let (mut extra, mut missing) = (0u32, 0u32);
        for (a, b) in self.buckets.iter().zip(&other.buckets) {
            extra += u32::from(a.saturating_sub(*b));
            missing += u32::from(b.saturating_sub(*a));
        }
        extra.max(missing) as usize
    }

    fn word_dice(&self, other: &Fingerprint) -> f64 {
        let (mut i, mut j, mut shared) = (0, 0, 0usize);
        while let (Some(&x), Some(&y)) = (self.words.get(i), other.words.get(j)) {
            match x.cmp(&y) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        ratio(shared.saturating_mul(2), self.words.len().saturating_add(other.words.len()))
    }
}

/// How many chars fall in each of 64 buckets, at most 255 each.
fn bucket_counts(chars: impl Iterator<Item = u32>) -> [u8; 64] {
    let mut counts = [0u32; 64];
    for c in chars {
        if let Some(n) = counts.get_mut((c % 64) as usize) {
            *n += 1;
        }
    }
    counts.map(|n| u8::try_from(n).unwrap_or(u8::MAX))
}

fn signature_bit(hash: u64) -> u64 {
    1 << (hash >> 58)
}

/// How [`Fingerprint::from_ascii`] reads each byte: a letter or digit (as itself,
/// lower-cased), an apostrophe (dropped, inside a word), or a word separator.
const APOSTROPHE: u8 = 1;
const SEPARATOR: u8 = 0;
// Built at compile time: an index out of bounds would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
static ASCII_CLASS: [u8; 256] = {
    let mut table = [SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        } else if c == b'\'' {
            table[b] = APOSTROPHE;
        }
        b += 1;
    }
    table
};

#[allow(clippy::indexing_slicing)] // a byte always indexes a 256-entry table
fn ascii_class(b: u8) -> u8 {
    ASCII_CLASS[usize::from(b)]
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a: a fast, fixed (so deterministic) hash for short words.
fn fnv1a(word: impl Iterator<Item = u8>) -> u64 {
    word.fold(FNV_OFFSET, fnv_step)
}

fn fnv_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
}

#[allow(clippy::cast_precision_loss)] // exact for any realistic message length
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
#[path = "similarity_tests.rs"]
mod tests;

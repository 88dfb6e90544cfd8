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
//!   over the sets of words.
//!
//! Levenshtein is quadratic, so it only runs when both texts are at most
//! [`EDIT_DISTANCE_MAX_CHARS`] chars (typical chat messages are far shorter)
//! and only when its length-based upper bound could beat the word score;
//! longer texts rely on the word measure alone.
//!
//! A text that normalises to nothing (empty, whitespace, punctuation only)
//! scores 0.0 against everything, itself included, so empty messages never
//! count as repeats.

use super::phrases;

/// Longest text, in chars, for which the edit-distance measure is computed.
pub const EDIT_DISTANCE_MAX_CHARS: usize = 300;

/// Similarity of two texts in [0, 1]; 1.0 when they normalise identically.
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

/// A message prepared once for repeated comparisons, so a session can keep
/// the fingerprints of its last few messages and compare new ones cheaply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    text: String,
    chars: usize,
    /// The distinct words of `text`: a hash and the byte range, sorted by hash
    /// then word, so two fingerprints merge in one pass that rarely compares text.
    words: Vec<(u64, usize, usize)>,
    /// How many chars fall in each of 64 buckets: two texts whose counts differ by
    /// d need at least d edits, which rules most pairs out before any edit distance.
    buckets: [u16; 64],
}

impl Fingerprint {
    pub fn new(text: &str) -> Fingerprint {
        let text = normalize(text);
        let chars = text.chars().count();
        let mut words: Vec<(u64, usize, usize)> = Vec::new();
        let mut offset = 0;
        for word in text.split(' ') {
            let end = offset + word.len();
            if !word.is_empty() {
                words.push((fnv1a(word), offset, end));
            }
            offset = end + 1;
        }
        // By hash alone: words with equal hashes sit together, and equal words have
        // equal hashes, so adjacent duplicates are all the duplicates.
        words.sort_unstable_by_key(|w| w.0);
        words.dedup_by(|x, y| x.0 == y.0 && word_key(&text, *x) == word_key(&text, *y));
        let mut buckets = [0u16; 64];
        for c in text.chars() {
            if let Some(b) = buckets.get_mut((c as usize) % 64) {
                *b = b.saturating_add(1);
            }
        }
        Fingerprint { text, chars, words, buckets }
    }

    /// The normalised text.
    pub fn normalized(&self) -> &str {
        &self.text
    }

    /// True when the text normalised to nothing; such texts match nothing.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Similarity in [0, 1], as described in the module documentation.
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        if self.is_empty() || other.is_empty() {
            return 0.0;
        }
        if self.text == other.text {
            return 1.0;
        }
        let words = self.word_dice(other);
        let (short, long) =
            if self.chars <= other.chars { (self.chars, other.chars) } else { (other.chars, self.chars) };
        // At least `long - short` edits are needed, so this bounds the
        // edit-distance score from above.
        let edit_bound = ratio(short, long);
        if long > EDIT_DISTANCE_MAX_CHARS || edit_bound <= words {
            return words;
        }
        let edits = rapidfuzz::distance::levenshtein::normalized_similarity(self.text.chars(), other.text.chars());
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
        if self.text == other.text {
            return Some(1.0);
        }
        let words = self.word_dice(other);
        if words >= threshold {
            return Some(self.similarity(other));
        }
        let (short, long) =
            if self.chars <= other.chars { (self.chars, other.chars) } else { (other.chars, self.chars) };
        if long > EDIT_DISTANCE_MAX_CHARS || ratio(short, long) < threshold {
            return None;
        }
        // Bag distance bounds the edit distance from below.
        let (mut extra, mut missing) = (0usize, 0usize);
        for (a, b) in self.buckets.iter().zip(&other.buckets) {
            if a > b {
                extra += usize::from(a - b);
            } else {
                missing += usize::from(b - a);
            }
        }
        if 1.0 - ratio(extra.max(missing), long) < threshold {
            return None;
        }
        let args = rapidfuzz::distance::levenshtein::Args::default().score_cutoff(threshold);
        rapidfuzz::distance::levenshtein::normalized_similarity_with_args(self.text.chars(), other.text.chars(), &args)
            .map(|edits| words.max(edits).clamp(0.0, 1.0))
    }

    fn word_dice(&self, other: &Fingerprint) -> f64 {
        let (mut i, mut j, mut shared) = (0, 0, 0usize);
        while let (Some(&x), Some(&y)) = (self.words.get(i), other.words.get(j)) {
            match x.0.cmp(&y.0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                // Equal hashes: the same word, unless (astronomically rarely) a
                // collision, which then counts as not shared.
                std::cmp::Ordering::Equal => {
                    if word_key(&self.text, x) == word_key(&other.text, y) {
                        shared += 1;
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        ratio(shared.saturating_mul(2), self.words.len().saturating_add(other.words.len()))
    }
}

fn word_key(text: &str, (hash, start, end): (u64, usize, usize)) -> (u64, &str) {
    (hash, text.get(start..end).unwrap_or(""))
}

/// FNV-1a: a fast, fixed (so deterministic) hash for short words.
fn fnv1a(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
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

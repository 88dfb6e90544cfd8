//! Typo tolerance for `mentions ... with typos`: a customer's word counts as a listed
//! word when it is within a small edit distance of it ("somneone", "asisstant").
//!
//! The bound depends on the listed word's length, since a short word is one edit away
//! from many others: none under 5 letters, 1 edit from 5 letters, 2 from 9. An edit is an
//! inserted, deleted or replaced letter, or two neighbours swapped (optimal string
//! alignment distance). Only words of plain ASCII letters are corrected.
//!
//! Candidates are found by symmetric deletion (SymSpell): the listed words and their
//! deletions are hashed once when the policy is compiled; a customer's word is looked
//! up by its own deletions, a few hash look-ups a word, and every candidate is checked
//! with the real distance.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use smallvec::SmallVec;

/// Longest word considered, in letters: longer runs are not words customers misspell.
pub const MAX_WORD: usize = 24;

/// How many edits a listed word of `len` letters tolerates.
pub fn allowed_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The listed words of every `with typos` list, and their deletions by hash.
#[derive(Debug, Clone)]
pub struct TypoIndex {
    words: Vec<Box<str>>,
    table: HashMap<u64, SmallVec<[u32; 2]>, BuildHasherDefault<Prehashed>>,
    seen: SeenHashes,
}

/// One bit per 16-bit slice of a table's hashes: most look-ups of a customer's word
/// miss, and a miss here costs one memory read instead of a table probe.
#[derive(Debug, Clone)]
pub(crate) struct SeenHashes(Box<[u64; 1024]>);

impl Default for SeenHashes {
    fn default() -> Self {
        SeenHashes(Box::new([0; 1024]))
    }
}

impl SeenHashes {
    fn bit(hash: u64) -> (usize, u64) {
        let bit = (hash >> 48) as usize;
        (bit / 64, 1u64 << (bit % 64))
    }

    pub(crate) fn insert(&mut self, hash: u64) {
        let (slot, bit) = Self::bit(hash);
        if let Some(bits) = self.0.get_mut(slot) {
            *bits |= bit;
        }
    }

    /// False when no inserted hash can equal `hash`.
    pub(crate) fn may_contain(&self, hash: u64) -> bool {
        let (slot, bit) = Self::bit(hash);
        self.0.get(slot).is_some_and(|bits| bits & bit != 0)
    }
}

impl TypoIndex {
    /// `None` when no word is long enough to tolerate a typo.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<TypoIndex> {
        let mut index = TypoIndex { words: Vec::new(), table: HashMap::default(), seen: SeenHashes::default() };
        let mut seen = std::collections::HashSet::new();
        for word in words {
            let eligible = word.len() <= MAX_WORD && word.bytes().all(|b| b.is_ascii_lowercase());
            let edits = allowed_edits(word.len());
            if !eligible || edits == 0 || !seen.insert(word) {
                continue;
            }
            let id = index.words.len() as u32;
            index.words.push(word.into());
            for_each_deletion(word.as_bytes(), edits, |hash| {
                index.seen.insert(hash);
                let ids = index.table.entry(hash).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            });
        }
        (!index.words.is_empty()).then_some(index)
    }

    /// The listed word that `word` (lowercase ASCII letters) misspells, if any: the
    /// nearest within its bound, the first listed at equal distance. A word spelled as
    /// listed is no misspelling.
    pub fn correct(&self, word: &[u8]) -> Option<u32> {
        if word.len() < 4 || word.len() > MAX_WORD {
            return None;
        }
        let mut best: Option<(usize, u32)> = None;
        let mut exact = false;
        let edits = if word.len() >= 7 { 2 } else { 1 };
        for_each_deletion(word, edits, |hash| {
            if !self.seen.may_contain(hash) {
                return;
            }
            for &id in self.table.get(&hash).into_iter().flatten() {
                let Some(listed) = self.words.get(id as usize) else { continue };
                if best.is_some_and(|(_, b)| b == id) {
                    continue;
                }
                let distance = osa_distance(word, listed.as_bytes());
                if distance == 0 {
                    exact = true;
                } else if distance <= allowed_edits(listed.len()) && best.is_none_or(|b| (distance, id) < b) {
                    best = Some((distance, id));
                }
            }
        });
        if exact {
            return None;
        }
        best.map(|(_, id)| id)
    }

    pub fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(|w| &**w)
    }
}

/// Optimal string alignment distance over bytes (strsim's works on chars and allocates
/// per call; these are short ASCII words).
fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    if a.len() > MAX_WORD || b.len() > MAX_WORD {
        return usize::MAX;
    }
    // Three rows of the dynamic programme, on the stack.
    let width = b.len() + 1;
    let mut rows = [[0usize; MAX_WORD + 1]; 3];
    let [two_back, one_back, current] = &mut rows;
    for (j, cell) in one_back.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let (Some(&up), Some(&left), Some(&diag)) = (one_back.get(j + 1), current.get(j), one_back.get(j)) else {
                return usize::MAX;
            };
            let mut cell = (up + 1).min(left + 1).min(diag + cost);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca);
            if swapped {
                if let Some(&before) = two_back.get(j - 1) {
                    cell = cell.min(before + 1);
                }
            }
            if let Some(slot) = current.get_mut(j + 1) {
                *slot = cell;
            }
        }
        std::mem::swap(two_back, one_back);
        std::mem::swap(one_back, current);
    }
    one_back.get(b.len()).copied().unwrap_or(usize::MAX)
}

/// Calls `f` with the hash of `word` and of every word made by deleting up to `edits`
/// (1 or 2) of its letters. Duplicates (from doubled letters) may repeat. The hash is
/// polynomial, so each deletion's hash is a few multiplications from prefix hashes.
fn for_each_deletion(word: &[u8], edits: usize, mut f: impl FnMut(u64)) {
    const BASE: u64 = 0x0000_0100_0000_01b3;
    let n = word.len().min(MAX_WORD);
    let mut pow = [1u64; MAX_WORD + 1];
    let mut prefix = [0u64; MAX_WORD + 1];
    for k in 0..n {
        let letter = word.get(k).map_or(0, |&b| u64::from(b) + 1);
        let (Some(&p), Some(&h)) = (pow.get(k), prefix.get(k)) else { return };
        if let (Some(next_pow), Some(next_hash)) = (pow.get_mut(k + 1), prefix.get_mut(k + 1)) {
            *next_pow = p.wrapping_mul(BASE);
            *next_hash = h.wrapping_mul(BASE).wrapping_add(letter);
        }
    }
    let power = |len: usize| pow.get(len).copied().unwrap_or(0);
    // The hash of word[a..b], and of two hashed strings one after the other.
    let part = |a: usize, b: usize| {
        let (pa, pb) = (prefix.get(a).copied().unwrap_or(0), prefix.get(b).copied().unwrap_or(0));
        pb.wrapping_sub(pa.wrapping_mul(power(b - a)))
    };
    let join = |head: u64, tail: u64, tail_len: usize| head.wrapping_mul(power(tail_len)).wrapping_add(tail);
    f(part(0, n));
    for a in 0..n {
        f(join(part(0, a), part(a + 1, n), n - a - 1));
        if edits >= 2 {
            for b in a + 1..n {
                let head = join(part(0, a), part(a + 1, b), b - a - 1);
                f(join(head, part(b + 1, n), n - b - 1));
            }
        }
    }
}

/// The hash of a word's letters that the word tables are keyed by.
pub(crate) fn fx_hash(letters: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(letters);
    h.finish()
}

/// The tables' keys are hashes already: use them as they are.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
#[path = "typos_tests.rs"]
mod tests;

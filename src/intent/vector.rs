//! Hashed features into a sparse vector over the training vocabulary: each
//! feature counted once (present or not), weighted by its kind, and the
//! vector scaled to unit length, so a long message weighs no more than a
//! short one and the dot product of two vectors is their cosine.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::text::{for_each_feature, FeatureConfig, FeatureKind, TextScratch};

/// A sparse vector: (row, value) pairs in the order the text gives them, each row once.
pub type SparseVector = Vec<(u32, f32)>;

/// Passes a feature hash through (mixed once): it is already a hash.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        // FNV's low bits are its weakest; the map picks buckets by them.
        (self.0 ^ (self.0 >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9)
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

/// The features seen in training, each with its row in the weight matrix.
/// Rows are given in the order features are first met, so the same examples
/// give the same rows everywhere.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    rows: HashMap<u64, u32, BuildHasherDefault<PassThrough>>,
    /// Feature hashes by row, for the model's fingerprint.
    hashes: Vec<u64>,
    /// The kind of each row's feature.
    kinds: Vec<FeatureKind>,
}

/// Reused buffers for [`Vocabulary::vectorize`].
#[derive(Debug, Default, Clone)]
pub struct VectorScratch {
    text: TextScratch,
    seen: SeenSet,
    known: Vec<(u32, FeatureKind)>,
}

/// The feature hashes already met in the current message: an open-addressing
/// table whose slots are stamped with the message's number, so starting a
/// new message clears nothing. Cheaper than sorting the features to dedup.
#[derive(Debug, Default, Clone)]
struct SeenSet {
    slots: Vec<(u64, u32)>,
    stamp: u32,
    len: usize,
}

impl SeenSet {
    fn start(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        self.len = 0;
        if self.stamp == 0 || self.slots.is_empty() {
            self.slots = vec![(0, 0); 512];
            self.stamp = 1;
        }
    }

    /// Whether `hash` is new in this message (and now recorded).
    fn insert(&mut self, hash: u64) -> bool {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = (PassThrough(hash).finish() as usize) & mask;
        loop {
            let Some(slot) = self.slots.get_mut(at) else { return true };
            if slot.1 != self.stamp {
                *slot = (hash, self.stamp);
                self.len += 1;
                return true;
            }
            if slot.0 == hash {
                return false;
            }
            at = (at + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len().max(256) * 2;
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); size]);
        let stamp = self.stamp;
        self.len = 0;
        for (hash, s) in old {
            if s == stamp {
                self.insert(hash);
            }
        }
    }
}

impl Vocabulary {
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// The kind of a row's feature.
    pub fn kind(&self, row: u32) -> Option<FeatureKind> {
        self.kinds.get(row as usize).copied()
    }

    /// Feature hashes in row order.
    pub fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// The vector of `text` over the known features; unknown features still
    /// count in its length (a message mostly unlike the training data gets a
    /// short vector over the known rows, and so low similarities).
    pub fn vectorize(&self, text: &str, config: &FeatureConfig, scratch: &mut VectorScratch, out: &mut SparseVector) {
        let rows = &self.rows;
        build(text, config, scratch, out, |hash, _| rows.get(&hash).copied());
    }

    /// The vector of `text`, adding its new features to the vocabulary.
    pub fn vectorize_growing(
        &mut self,
        text: &str,
        config: &FeatureConfig,
        scratch: &mut VectorScratch,
        out: &mut SparseVector,
    ) {
        let Vocabulary { rows, hashes, kinds } = self;
        build(text, config, scratch, out, |hash, kind| {
            let next = u32::try_from(hashes.len()).ok()?;
            Some(*rows.entry(hash).or_insert_with(|| {
                hashes.push(hash);
                kinds.push(kind);
                next
            }))
        });
    }
}

fn build(
    text: &str,
    config: &FeatureConfig,
    scratch: &mut VectorScratch,
    out: &mut SparseVector,
    mut lookup: impl FnMut(u64, FeatureKind) -> Option<u32>,
) {
    let VectorScratch { text: text_scratch, seen, known } = scratch;
    known.clear();
    out.clear();
    seen.start();
    let mut length = 0f32;
    for_each_feature(text, config, text_scratch, |hash, kind| {
        if seen.insert(hash) {
            let w = config.weight(kind);
            length += w * w;
            if let Some(row) = lookup(hash, kind) {
                known.push((row, kind));
            }
        }
    });
    let length = length.sqrt();
    if length > 0.0 {
        out.extend(known.iter().map(|&(row, kind)| (row, config.weight(kind) / length)).filter(|&(_, v)| v != 0.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_has_unit_length_and_one_entry_per_feature() {
        let mut vocab = Vocabulary::default();
        let (mut scratch, mut v) = (VectorScratch::default(), SparseVector::new());
        vocab.vectorize_growing("the card the card", &FeatureConfig::default(), &mut scratch, &mut v);
        let length: f32 = v.iter().map(|&(_, x)| x * x).sum();
        assert!((length - 1.0).abs() < 1e-5, "{length}");
        let mut rows: Vec<u32> = v.iter().map(|&(r, _)| r).collect();
        rows.sort_unstable();
        rows.dedup();
        assert_eq!(rows.len(), v.len(), "each row once");
    }

    #[test]
    fn unknown_features_shorten_the_known_part() {
        let mut vocab = Vocabulary::default();
        let (mut scratch, mut v) = (VectorScratch::default(), SparseVector::new());
        let config = FeatureConfig::default();
        vocab.vectorize_growing("my card", &config, &mut scratch, &mut v);
        vocab.vectorize("my card was stolen", &config, &mut scratch, &mut v);
        let length: f32 = v.iter().map(|&(_, x)| x * x).sum();
        assert!(length > 0.1 && length < 0.9, "{length}");
        vocab.vectorize("", &config, &mut scratch, &mut v);
        assert!(v.is_empty());
    }
}

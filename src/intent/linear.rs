//! The trained linear model: one weight per (feature, intent) and a bias per
//! intent; a message's score for an intent is the logistic function of its
//! weighted features. Scoring is a lookup per feature and one pass over a row
//! of weights, the same arithmetic in the same order on every machine.

use std::cell::RefCell;

use sha2::{Digest, Sha256};

use super::examples::hex;
use super::nearest::{NearestIndex, NearestScratch};
use super::text::FeatureConfig;
use super::vector::{SparseVector, VectorScratch, Vocabulary};
use super::{first_best, IntentMatch, IntentModel, IntentScores};

/// A trained one-vs-rest logistic regression over hashed n-gram features.
#[derive(Debug, Clone)]
pub struct LinearModel {
    pub(crate) intents: Vec<String>,
    pub(crate) features: FeatureConfig,
    pub(crate) vocabulary: Vocabulary,
    /// Row-major, one row of `intents.len()` weights per vocabulary row.
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: Vec<f32>,
    pub(crate) nearest: NearestIndex,
    pub(crate) fingerprint: String,
}

/// Buffers reused across messages on one thread.
#[derive(Debug, Default)]
struct Scratch {
    vector: VectorScratch,
    message: SparseVector,
    nearest: NearestScratch,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch buffers (fresh ones if they are in use).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

impl LinearModel {
    /// Number of distinct features seen in training.
    pub fn vocabulary_len(&self) -> usize {
        self.vocabulary.len()
    }

    /// The unit feature vector of `text` over this model's vocabulary.
    pub fn vectorize(&self, text: &str) -> SparseVector {
        with_scratch(|s| {
            let mut out = SparseVector::new();
            self.vocabulary.vectorize(text, &self.features, &mut s.vector, &mut out);
            out
        })
    }

    /// Every intent's score for a vector from [`LinearModel::vectorize`].
    pub fn score_vector(&self, message: &SparseVector) -> Vec<f32> {
        let mut margins = self.bias.clone();
        add_rows(&self.weights, margins.len(), message, 1.0, &mut margins);
        margins.into_iter().map(sigmoid).collect()
    }

    /// SHA-256 (hex) of the learnt numbers: vocabulary, weights and biases, bit
    /// for bit. Two trainings that agree here decide identically.
    pub fn weights_digest(&self) -> String {
        let mut hasher = Sha256::new();
        for h in self.vocabulary.hashes() {
            hasher.update(h.to_le_bytes());
        }
        for w in self.weights.iter().chain(&self.bias) {
            hasher.update(w.to_bits().to_le_bytes());
        }
        hex(&hasher.finalize())
    }

    fn match_for(
        &self,
        intent: usize,
        score: f32,
        message: &SparseVector,
        scratch: &mut NearestScratch,
    ) -> Option<IntentMatch> {
        Some(IntentMatch {
            intent,
            name: self.intents.get(intent)?.clone(),
            score,
            nearest: self.nearest.nearest(&self.vocabulary, message, intent, scratch),
        })
    }
}

/// `margins += scale * value * weights[row]` for every (row, value) of `message`.
pub(crate) fn add_rows(weights: &[f32], width: usize, message: &SparseVector, scale: f32, margins: &mut [f32]) {
    for &(row, value) in message {
        let start = row as usize * width;
        let Some(weights) = weights.get(start..start + width) else { continue };
        let v = scale * value;
        for (m, w) in margins.iter_mut().zip(weights) {
            *m += v * w;
        }
    }
}

impl IntentModel for LinearModel {
    fn intents(&self) -> &[String] {
        &self.intents
    }

    fn score(&self, text: &str) -> IntentScores {
        with_scratch(|s| {
            self.vocabulary.vectorize(text, &self.features, &mut s.vector, &mut s.message);
            let scores = self.score_vector(&s.message);
            let best = first_best(&scores)
                .and_then(|(intent, score)| self.match_for(intent, score, &s.message, &mut s.nearest));
            IntentScores { scores, best }
        })
    }

    fn explain(&self, text: &str, intent: usize) -> Option<IntentMatch> {
        with_scratch(|s| {
            self.vocabulary.vectorize(text, &self.features, &mut s.vector, &mut s.message);
            let width = self.intents.len();
            let mut margin = *self.bias.get(intent)?;
            for &(row, value) in &s.message {
                margin += value * self.weights.get(row as usize * width + intent).copied().unwrap_or(0.0);
            }
            self.match_for(intent, sigmoid(margin), &s.message, &mut s.nearest)
        })
    }

    fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn scores_into(&self, text: &str, out: &mut Vec<f32>) {
        with_scratch(|s| {
            self.vocabulary.vectorize(text, &self.features, &mut s.vector, &mut s.message);
            out.clear();
            out.extend_from_slice(&self.bias);
            add_rows(&self.weights, out.len(), &s.message, 1.0, out);
            out.iter_mut().for_each(|m| *m = sigmoid(*m));
        })
    }
}

/// The logistic function, with [`exp`] so every machine computes the same bits.
pub fn sigmoid(margin: f32) -> f32 {
    let z = f64::from(margin).clamp(-40.0, 40.0);
    (1.0 / (1.0 + exp(-z))) as f32
}

/// `e^x` for `|x| <= 40` from additions and multiplications only: the
/// platform's `exp` may differ in the last bit between C libraries, and a
/// model trained through it could then differ between machines.
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-40.0, 40.0);
    let n = (x * std::f64::consts::LOG2_E).round();
    // x = n ln 2 + r with |r| <= ln 2 / 2; ln 2 split so n ln 2 is exact.
    let r = (x - n * 0.693_147_180_369_123_8) - n * 1.908_214_929_270_587_7e-10;
    // e^r by its Taylor series to degree 11 (Horner, multiplying by 1/k so
    // no division is needed): error below 1e-14 for |r| <= 0.35.
    const INVERSE: [f64; 11] = [
        1.0,
        1.0 / 2.0,
        1.0 / 3.0,
        1.0 / 4.0,
        1.0 / 5.0,
        1.0 / 6.0,
        1.0 / 7.0,
        1.0 / 8.0,
        1.0 / 9.0,
        1.0 / 10.0,
        1.0 / 11.0,
    ];
    let mut sum = 1.0;
    for inverse in INVERSE.iter().rev() {
        sum = 1.0 + sum * r * inverse;
    }
    // n is within ±58 here, so 2^n is a normal f64.
    let two_to_n = f64::from_bits(((n as i64 + 1023) as u64) << 52);
    sum * two_to_n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_agrees_with_the_platform_to_rounding() {
        for i in -400..=400 {
            let x = f64::from(i) / 10.0;
            let (ours, std) = (exp(x), x.exp());
            assert!(((ours - std) / std).abs() < 1e-14, "{x}: {ours} vs {std}");
        }
    }

    #[test]
    fn sigmoid_is_a_probability() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(100.0) <= 1.0 && sigmoid(100.0) > 0.999);
        assert!(sigmoid(-100.0) >= 0.0 && sigmoid(-100.0) < 0.001);
    }
}

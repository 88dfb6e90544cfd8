//! Training: one-vs-rest logistic regression by stochastic gradient descent,
//! deterministic by construction.
//!
//! Each intent is its own yes/no question, so a message can be none of the
//! intents (every score low) rather than being forced into the likeliest.
//! An intent's positives are its examples; its negatives are every other
//! intent's examples and its own counter-examples. One pass over an example
//! updates every intent's weights at once (a row of the weight matrix per
//! feature), which keeps 10,000 examples well under a second.
//!
//! Determinism: one thread; examples visited in an order drawn from a fixed
//! seed; a fixed number of epochs; only additions, multiplications,
//! divisions and square roots (IEEE-exact everywhere) and our own `exp`.

use sha2::{Digest, Sha256};

use super::examples::{hex, Example, TrainingSet};
use super::linear::{add_rows, sigmoid, LinearModel};
use super::nearest::NearestIndex;
use super::text::FeatureConfig;
use super::vector::{SparseVector, VectorScratch, Vocabulary};

/// How a model is trained. The defaults were chosen by cross-validation on
/// the training part of BANKING77 only (see `docs/intents.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainSettings {
    pub features: FeatureConfig,
    /// Passes over the examples.
    pub epochs: u32,
    /// At least this many steps in all: a policy's few dozen examples need
    /// more passes than BANKING77's ten thousand to be learnt at all.
    pub min_steps: u32,
    /// Step size at the start; it falls linearly to zero over the passes.
    pub learning_rate: f32,
    /// L2 penalty per step: keeps weights, and so scores, from growing without bound.
    pub l2: f32,
    /// How far an intent's positives are weighted up against its (usually
    /// many more) negatives.
    pub balance: Balance,
    /// Weight of a counter-example against an ordinary negative.
    pub counter_weight: f32,
    /// Seed of the order the examples are visited in.
    pub seed: u64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            features: FeatureConfig::default(),
            epochs: 10,
            min_steps: 20_000,
            learning_rate: 0.5,
            l2: 1e-5,
            balance: Balance::SquareRoot,
            counter_weight: 2.0,
            seed: 0x68616e646f6666, // "handoff"
        }
    }
}

impl TrainSettings {
    /// The settings as bytes, for a model's fingerprint.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut bytes = self.features.to_bytes();
        bytes.extend_from_slice(&self.epochs.to_le_bytes());
        bytes.extend_from_slice(&self.min_steps.to_le_bytes());
        bytes.push(self.balance as u8);
        for x in [self.learning_rate, self.l2, self.counter_weight] {
            bytes.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        bytes.extend_from_slice(&self.seed.to_le_bytes());
        bytes
    }
}

/// The weight of an intent's positives against its negatives. Three fixed
/// choices rather than a free exponent: a power would need the platform's
/// `pow`, which may round differently from machine to machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Balance {
    /// Every example weighs 1: a rare intent scores low unless the message is clearly it.
    None = 0,
    /// Positives weigh `sqrt(negatives / positives)`: half-way.
    SquareRoot = 1,
    /// Positives weigh `negatives / positives`: as if the intent were as common as all others together.
    Full = 2,
}

/// What one training example teaches.
#[derive(Debug, Clone, Copy)]
enum Label {
    /// An example of this intent: yes for it, no for every other.
    Example(usize),
    /// A counter-example of this intent: no for it, nothing about the others.
    Counter(usize),
}

/// SplitMix64: a tiny, fixed, well-mixed generator; the order examples are
/// visited in must not depend on a crate's version.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Fisher-Yates; the modulo bias is irrelevant for an order.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Trains a model on `set`. Same set and settings, same model, bit for bit.
pub fn train(set: &TrainingSet, settings: &TrainSettings) -> LinearModel {
    let config = settings.features;
    let mut vocabulary = Vocabulary::default();
    let mut scratch = VectorScratch::default();
    let mut instances: Vec<(SparseVector, Label)> = Vec::with_capacity(set.len());
    for (i, intent) in set.intents.iter().enumerate() {
        for (examples, label) in [(&intent.examples, Label::Example(i)), (&intent.counter_examples, Label::Counter(i))]
        {
            for example in examples {
                let mut vector = SparseVector::new();
                vocabulary.vectorize_growing(&example.text, &config, &mut scratch, &mut vector);
                instances.push((vector, label));
            }
        }
    }
    let width = set.intents.len();
    let (weights, bias) = descend(&instances, width, vocabulary.len(), &class_weights(set, settings), settings);

    let mut vectors = instances.iter().map(|(v, _)| v);
    let per_intent: Vec<Vec<(&Example, &SparseVector)>> = set
        .intents
        .iter()
        .map(|intent| {
            let examples: Vec<_> = intent.examples.iter().zip(vectors.by_ref()).collect();
            // Counter-examples follow their intent's examples; they are not evidence of it.
            vectors.by_ref().take(intent.counter_examples.len()).for_each(drop);
            examples
        })
        .collect();
    let nearest = NearestIndex::build(&vocabulary, &per_intent);

    LinearModel {
        intents: set.names(),
        features: config,
        vocabulary,
        weights,
        bias,
        nearest,
        fingerprint: fingerprint(set, settings),
    }
}

/// What decides a model's scores: the data and the settings, under a version tag.
pub fn fingerprint(set: &TrainingSet, settings: &TrainSettings) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"handoff linear intent model v1\0");
    hasher.update(set.content_hash().as_bytes());
    hasher.update(settings.to_bytes());
    hex(&hasher.finalize())
}

/// The weight of each intent's positives against its negatives.
fn class_weights(set: &TrainingSet, settings: &TrainSettings) -> Vec<f32> {
    let examples: usize = set.intents.iter().map(|i| i.examples.len()).sum();
    set.intents
        .iter()
        .map(|intent| {
            let positives = intent.examples.len().max(1) as f32;
            let negatives = (examples - intent.examples.len() + intent.counter_examples.len()).max(1) as f32;
            let ratio = (negatives / positives).max(1.0);
            match settings.balance {
                Balance::None => 1.0,
                Balance::SquareRoot => ratio.sqrt(),
                Balance::Full => ratio,
            }
        })
        .collect()
}

/// Stochastic gradient descent on the weighted logistic loss with an L2
/// penalty. The penalty shrinks every weight each step; rather than touch
/// them all, the weights are kept as `scale * stored` and only `scale` shrinks.
fn descend(
    instances: &[(SparseVector, Label)],
    width: usize,
    rows: usize,
    positive_weight: &[f32],
    settings: &TrainSettings,
) -> (Vec<f32>, Vec<f32>) {
    let mut stored = vec![0f32; rows * width];
    let mut bias = vec![0f32; width];
    let mut scale = 1f32;
    let mut margins = vec![0f32; width];
    let mut gradient = vec![0f32; width];
    let mut order: Vec<usize> = (0..instances.len()).collect();
    let mut rng = SplitMix(settings.seed);
    let n = instances.len().max(1) as u64;
    let epochs = u64::from(settings.epochs).max(u64::from(settings.min_steps).div_ceil(n));
    let steps = (n * epochs) as f32;
    let mut step = 0f32;
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let Some((vector, label)) = instances.get(i) else { continue };
            let rate = settings.learning_rate * (1.0 - step / steps);
            step += 1.0;
            margins.copy_from_slice(&bias);
            add_rows(&stored, width, vector, scale, &mut margins);
            match *label {
                Label::Example(k) => {
                    for (c, (g, &m)) in gradient.iter_mut().zip(&margins).enumerate() {
                        *g = if c == k {
                            positive_weight.get(k).copied().unwrap_or(1.0) * (sigmoid(m) - 1.0)
                        } else {
                            sigmoid(m)
                        };
                    }
                }
                Label::Counter(k) => {
                    gradient.fill(0.0);
                    if let (Some(g), Some(&m)) = (gradient.get_mut(k), margins.get(k)) {
                        *g = settings.counter_weight * sigmoid(m);
                    }
                }
            }
            scale *= 1.0 - rate * settings.l2;
            let step_size = rate / scale;
            for &(row, value) in vector {
                let start = row as usize * width;
                let Some(weights) = stored.get_mut(start..start + width) else { continue };
                let v = step_size * value;
                for (w, g) in weights.iter_mut().zip(&gradient) {
                    *w -= v * g;
                }
            }
            for (b, g) in bias.iter_mut().zip(&gradient) {
                *b -= rate * g;
            }
            if scale < 1e-3 {
                stored.iter_mut().for_each(|w| *w *= scale);
                scale = 1.0;
            }
        }
    }
    stored.iter_mut().for_each(|w| *w *= scale);
    (stored, bias)
}

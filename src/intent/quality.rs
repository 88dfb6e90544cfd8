//! How good an intent's examples are, before a policy relies on them:
//! k-fold cross-validated precision and recall per intent, and warnings for
//! intents with too few examples or that overlap. Returned as data, for
//! `handoff check` to print or serialise.
//!
//! Folds are deterministic: an intent's n-th example (and n-th
//! counter-example) is held out in fold `n mod k`, so every intent is spread
//! over every fold and the figures are the same on every run.

use serde::Serialize;

use super::examples::TrainingSet;
use super::text::words;
use super::train::{train, TrainSettings};
use super::{first_best, IntentModel};

/// What the report measures and when it warns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualitySettings {
    /// Number of folds (at least 2).
    pub folds: usize,
    /// The score at which a message counts as the intent.
    pub threshold: f32,
    /// Fewer examples than this is a warning.
    pub min_examples: usize,
    /// Warn when more than this share of one intent's held-out examples score
    /// at or above the threshold for another intent, or best as it.
    pub overlap: f64,
    pub train: TrainSettings,
}

impl Default for QualitySettings {
    fn default() -> Self {
        QualitySettings { folds: 5, threshold: 0.5, min_examples: 10, overlap: 0.2, train: TrainSettings::default() }
    }
}

/// Cross-validated figures for every intent, and the warnings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    pub folds: usize,
    pub threshold: f32,
    pub intents: Vec<IntentQuality>,
    /// Share of held-out examples whose best-scoring intent is their own.
    pub accuracy: Option<f64>,
    /// Expected calibration error of the held-out scores (10 equal bins):
    /// how far "score 0.8" is from "right 80% of the time", on average.
    pub calibration_error: Option<f64>,
    pub warnings: Vec<QualityWarning>,
}

/// One intent's cross-validated figures at the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentQuality {
    pub name: String,
    /// The score at which a held-out sentence counted as this intent (the 32-bit
    /// threshold to 4 decimals, so JSON shows `0.6`).
    pub threshold: f64,
    pub examples: usize,
    pub counter_examples: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// Of the held-out sentences scored at or above the threshold, the share that are this intent.
    pub precision: Option<f64>,
    /// Of this intent's held-out examples, the share scored at or above the threshold.
    pub recall: Option<f64>,
}

/// Something in the examples that makes an intent unreliable.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QualityWarning {
    /// Too few examples to generalise from.
    FewExamples { intent: String, examples: usize, minimum: usize },
    /// Many of `intent`'s held-out examples also score as `other` (at or above
    /// the threshold, or higher than as `intent`).
    Overlap { intent: String, other: String, share: f64, scored_as_other: usize, held_out: usize, sample: Vec<String> },
    /// The same sentence (as the model reads it) is an example of both intents.
    SharedExample { intent: String, other: String, text: String },
    /// The same sentence is an example and a counter-example of one intent.
    CounterIsExample { intent: String, text: String },
}

/// A held-out sentence: whose example or counter-example it is, and its scores.
struct HeldOut {
    intent: usize,
    counter: bool,
    text: String,
    scores: Vec<f32>,
}

/// Cross-validates `set` and lists its warnings.
pub fn quality_report(set: &TrainingSet, settings: &QualitySettings) -> QualityReport {
    quality_report_at(set, settings, &[])
}

/// [`quality_report`] with a threshold per intent (in set order; the settings'
/// threshold for the intents past the end of `thresholds`): a policy's rules
/// count a message as an intent at that intent's threshold.
pub fn quality_report_at(set: &TrainingSet, settings: &QualitySettings, thresholds: &[f32]) -> QualityReport {
    let folds = settings.folds.max(2);
    let mut held_out = Vec::new();
    for fold in 0..folds {
        let (training, testing) = split(set, fold, folds);
        if testing.is_empty() {
            continue;
        }
        let model = train(&training, &settings.train);
        for (intent, counter, text) in testing {
            let scores = model.score(&text).scores;
            held_out.push(HeldOut { intent, counter, text, scores });
        }
    }
    let threshold = |i: usize| thresholds.get(i).copied().unwrap_or(settings.threshold);
    let intents = per_intent(set, &held_out, threshold);
    let mut warnings = example_warnings(set, settings);
    warnings.extend(overlaps(set, &held_out, settings, threshold));
    QualityReport {
        folds,
        threshold: settings.threshold,
        intents,
        accuracy: accuracy(&held_out),
        calibration_error: calibration_error(&held_out),
        warnings,
    }
}

/// The training set without fold `fold`, and the held-out sentences of it.
fn split(set: &TrainingSet, fold: usize, folds: usize) -> (TrainingSet, Vec<(usize, bool, String)>) {
    let mut training = TrainingSet::new();
    let mut testing = Vec::new();
    for (i, intent) in set.intents.iter().enumerate() {
        training.intent_mut(&intent.name);
        for (counter, examples) in [(false, &intent.examples), (true, &intent.counter_examples)] {
            for (n, example) in examples.iter().enumerate() {
                if n % folds == fold {
                    testing.push((i, counter, example.text.to_string()));
                } else if counter {
                    training.add_counter_example(&intent.name, example.clone());
                } else {
                    training.add_example(&intent.name, example.clone());
                }
            }
        }
    }
    (training, testing)
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn per_intent(set: &TrainingSet, held_out: &[HeldOut], threshold: impl Fn(usize) -> f32) -> Vec<IntentQuality> {
    set.intents
        .iter()
        .enumerate()
        .map(|(i, intent)| {
            let (mut tp, mut fp, mut fn_) = (0, 0, 0);
            for h in held_out {
                let positive = h.intent == i && !h.counter;
                // Another intent's counter-example says nothing about this one.
                if h.counter && h.intent != i {
                    continue;
                }
                let predicted = h.scores.get(i).is_some_and(|&s| s >= threshold(i));
                match (positive, predicted) {
                    (true, true) => tp += 1,
                    (true, false) => fn_ += 1,
                    (false, true) => fp += 1,
                    (false, false) => {}
                }
            }
            IntentQuality {
                name: intent.name.clone(),
                threshold: (f64::from(threshold(i)) * 10_000.0).round() / 10_000.0,
                examples: intent.examples.len(),
                counter_examples: intent.counter_examples.len(),
                true_positives: tp,
                false_positives: fp,
                false_negatives: fn_,
                precision: ratio(tp, tp + fp),
                recall: ratio(tp, tp + fn_),
            }
        })
        .collect()
}

fn best(scores: &[f32]) -> Option<usize> {
    first_best(scores).map(|(i, _)| i)
}

fn accuracy(held_out: &[HeldOut]) -> Option<f64> {
    let examples: Vec<_> = held_out.iter().filter(|h| !h.counter).collect();
    let right = examples.iter().filter(|h| best(&h.scores) == Some(h.intent)).count();
    ratio(right, examples.len())
}

/// Expected calibration error over every labelled (sentence, intent) pair.
fn calibration_error(held_out: &[HeldOut]) -> Option<f64> {
    const BINS: usize = 10;
    let mut bins = [(0usize, 0f64, 0usize); BINS];
    for h in held_out {
        for (i, &score) in h.scores.iter().enumerate() {
            if h.counter && h.intent != i {
                continue;
            }
            let bin = ((score * BINS as f32) as usize).min(BINS - 1);
            if let Some((n, sum, right)) = bins.get_mut(bin) {
                *n += 1;
                *sum += f64::from(score);
                *right += usize::from(h.intent == i && !h.counter);
            }
        }
    }
    let total: usize = bins.iter().map(|b| b.0).sum();
    let gap: f64 = bins.iter().filter(|b| b.0 > 0).map(|&(_, sum, right)| (sum - right as f64).abs()).sum();
    ratio(1, total).map(|share| gap * share)
}

fn example_warnings(set: &TrainingSet, settings: &QualitySettings) -> Vec<QualityWarning> {
    let mut warnings = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, intent) in set.intents.iter().enumerate() {
        if intent.examples.len() < settings.min_examples {
            warnings.push(QualityWarning::FewExamples {
                intent: intent.name.clone(),
                examples: intent.examples.len(),
                minimum: settings.min_examples,
            });
        }
        let counters: std::collections::HashSet<String> =
            intent.counter_examples.iter().map(|e| words(&e.text).join(" ")).collect();
        for example in &intent.examples {
            let key = words(&example.text).join(" ");
            if counters.contains(&key) {
                warnings.push(QualityWarning::CounterIsExample {
                    intent: intent.name.clone(),
                    text: example.text.to_string(),
                });
            }
            match seen.get(&key) {
                Some(&j) if j != i => {
                    if let Some(other) = set.intents.get(j) {
                        warnings.push(QualityWarning::SharedExample {
                            intent: other.name.clone(),
                            other: intent.name.clone(),
                            text: example.text.to_string(),
                        });
                    }
                }
                Some(_) => {}
                None => {
                    seen.insert(key, i);
                }
            }
        }
    }
    warnings
}

/// Pairs of intents where one's held-out examples often score as the other.
fn overlaps(
    set: &TrainingSet,
    held_out: &[HeldOut],
    settings: &QualitySettings,
    threshold: impl Fn(usize) -> f32,
) -> Vec<QualityWarning> {
    const SAMPLE: usize = 3;
    let mut warnings = Vec::new();
    for (i, intent) in set.intents.iter().enumerate() {
        let own: Vec<&HeldOut> = held_out.iter().filter(|h| h.intent == i && !h.counter).collect();
        for (j, other) in set.intents.iter().enumerate() {
            if i == j {
                continue;
            }
            let crossing: Vec<&&HeldOut> = own
                .iter()
                .filter(|h| h.scores.get(j).is_some_and(|&s| s >= threshold(j)) || best(&h.scores) == Some(j))
                .collect();
            let share = ratio(crossing.len(), own.len()).unwrap_or(0.0);
            if crossing.len() >= 2 && share > settings.overlap {
                warnings.push(QualityWarning::Overlap {
                    intent: intent.name.clone(),
                    other: other.name.clone(),
                    share,
                    scored_as_other: crossing.len(),
                    held_out: own.len(),
                    sample: crossing.iter().take(SAMPLE).map(|h| h.text.clone()).collect(),
                });
            }
        }
    }
    warnings
}

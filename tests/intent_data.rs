//! The intent model on real, public data (`../shared/data`, see its README):
//! trained on the training parts only, figures reported on the evaluation
//! parts. Without the shared data the tests print SKIPPED and pass; the
//! floors they assert are well under the measured figures (docs/intents.md),
//! so they fail on a real regression, not on noise.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use handoff::intent::{train, Example, IntentModel, TrainSettings, TrainingSet};

fn shared(path: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(path);
    path.exists().then_some(path)
}

/// `(text, category)` rows of a BANKING77 CSV file.
fn banking77(path: &Path) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_owned(), r[1].to_owned())).collect()
}

/// The intents a rule about disputes would ask about.
const DISPUTE_LIKE: [&str; 4] = [
    "card_payment_not_recognised",
    "direct_debit_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "transaction_charged_twice",
];

#[test]
fn banking77_trained_on_train_csv_classifies_test_csv() {
    let (Some(train_csv), Some(test_csv)) = (shared("banking77/train.csv"), shared("banking77/test.csv")) else {
        eprintln!("SKIPPED: ../shared/data/banking77 not found");
        return;
    };
    let mut set = TrainingSet::new();
    for (text, category) in banking77(&train_csv) {
        set.add_example(&category, Example::new(text));
    }
    let model = train(&set, &TrainSettings::default());
    let test = banking77(&test_csv);
    let threshold = 0.5;
    let mut right = 0;
    // Per intent: (true positives, false positives, false negatives) at the threshold.
    let mut counts = vec![(0usize, 0usize, 0usize); set.intents.len()];
    for (text, category) in &test {
        let scores = model.score(text);
        let truth = model.position(category).unwrap();
        if scores.best.as_ref().map(|b| b.intent) == Some(truth) {
            right += 1;
        }
        for (i, &score) in scores.scores.iter().enumerate() {
            match (i == truth, score >= threshold) {
                (true, true) => counts[i].0 += 1,
                (false, true) => counts[i].1 += 1,
                (true, false) => counts[i].2 += 1,
                (false, false) => {}
            }
        }
    }
    let accuracy = right as f64 / test.len() as f64;
    eprintln!(
        "banking77: trained on {} train.csv rows, test.csv accuracy {accuracy:.4} ({right}/{})",
        set.len(),
        test.len()
    );
    let (tp, fp, fn_) = counts.iter().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    let micro = (tp as f64 / (tp + fp) as f64, tp as f64 / (tp + fn_) as f64);
    eprintln!("banking77: at threshold {threshold}, micro precision {:.4}, recall {:.4}", micro.0, micro.1);
    for name in DISPUTE_LIKE {
        let (tp, fp, fn_) = counts[model.position(name).unwrap()];
        let (p, r) = (tp as f64 / (tp + fp).max(1) as f64, tp as f64 / (tp + fn_) as f64);
        eprintln!("banking77: {name}: precision {p:.3}, recall {r:.3} (tp {tp}, fp {fp}, fn {fn_})");
    }
    assert!(accuracy > 0.85, "test accuracy {accuracy}");
    assert!(micro.0 > 0.85 && micro.1 > 0.75, "micro precision and recall {micro:?}");
}

/// NLU++ turns: `(text, intents)`, from the given fold files of both domains.
fn nlupp(folds: std::ops::Range<usize>) -> Option<Vec<(String, Vec<String>)>> {
    let mut rows = Vec::new();
    for domain in ["banking", "hotels"] {
        for fold in folds.clone() {
            let path = shared(&format!("nlupp/{domain}/fold{fold}.json"))?;
            let data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            for turn in data.as_array().unwrap() {
                let intents = turn.get("intents").and_then(|i| i.as_array()).cloned().unwrap_or_default();
                let intents = intents.iter().filter_map(|i| i.as_str()).map(str::to_owned).collect();
                rows.push((turn["text"].as_str().unwrap().to_owned(), intents));
            }
        }
    }
    Some(rows)
}

/// One intent alone, with every other turn as its counter-examples: the
/// shape of a policy that defines `request_person` and nothing else.
#[test]
fn nlupp_handoff_alone_with_counter_examples() {
    let (Some(training), Some(evaluation)) = (nlupp(0..10), nlupp(10..20)) else {
        eprintln!("SKIPPED: ../shared/data/nlupp not found");
        return;
    };
    let is_handoff = |intents: &[String]| intents.iter().any(|i| i == "handoff");
    let mut set = TrainingSet::new();
    for (text, intents) in &training {
        if is_handoff(intents) {
            set.add_example("handoff", Example::new(text.as_str()));
        } else {
            set.add_counter_example("handoff", Example::new(text.as_str()));
        }
    }
    let model = train(&set, &TrainSettings::default());
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (text, intents) in &evaluation {
        let score = model.score(text).scores[0];
        match (is_handoff(intents), score >= 0.5) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => {
                fn_ += 1;
                eprintln!("nlupp: missed {text:?} ({score:.3})");
            }
            (false, false) => {}
        }
    }
    let (p, r) = (tp as f64 / (tp + fp).max(1) as f64, tp as f64 / (tp + fn_) as f64);
    eprintln!(
        "nlupp handoff: {} examples, {} counter-examples (folds 0-9); folds 10-19: precision {p:.3}, recall {r:.3} (tp {tp}, fp {fp}, fn {fn_})",
        set.intents[0].examples.len(),
        set.intents[0].counter_examples.len()
    );
    assert!(p > 0.7 && r > 0.6, "precision {p}, recall {r}");
}

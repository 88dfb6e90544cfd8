//! CI gates on the labelled figures: a floor on escalation recall (overall and
//! per queue) and a ceiling on false escalations. A gate that had nothing to
//! measure fails: a green build must mean the figure was checked.

use std::fmt::Write;

use serde::Serialize;

use super::labels::{LabelSummary, Ratio};

/// Rates compare with this slack, so 19 of 20 meets a floor of 95%.
const SLACK: f64 = 1e-9;

/// The gates asked for; rates are fractions in `0..=1`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gates {
    /// `--min-recall`: expected escalations escalated to an acceptable queue.
    pub min_recall: Option<f64>,
    /// `--max-false-escalation`: expected `none`, escalated or offered.
    pub max_false_escalation: Option<f64>,
    /// `--min-queue-recall QUEUE=RATE`: expected escalations naming QUEUE.
    pub min_queue_recall: Vec<(String, f64)>,
}

/// How one gate came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    /// The flag as written, e.g. `--min-recall 95%`.
    pub gate: String,
    /// `None` when there was nothing to measure (then the gate fails).
    pub measured: Option<Ratio>,
    /// Whether the gate held.
    pub passed: bool,
    /// One line in plain words, for the log.
    pub message: String,
}

impl Gates {
    /// Whether no gate was asked for.
    pub fn is_empty(&self) -> bool {
        self.min_recall.is_none() && self.max_false_escalation.is_none() && self.min_queue_recall.is_empty()
    }

    /// Applies every gate to the labelled figures (`None`: no record was labelled).
    pub fn check(&self, labels: Option<&LabelSummary>) -> Vec<GateResult> {
        let mut results = Vec::new();
        if let Some(floor) = self.min_recall {
            let gate = format!("--min-recall {}", percent(floor));
            let ratio = labels.map(|l| l.escalation_recall);
            results.push(floor_gate(gate, "escalation recall", "no labelled record expects escalate", ratio, floor));
        }
        if let Some(ceiling) = self.max_false_escalation {
            let gate = format!("--max-false-escalation {}", percent(ceiling));
            let ratio = labels.map(|l| l.false_escalation);
            results.push(ceiling_gate(gate, ratio, ceiling));
        }
        for (queue, floor) in &self.min_queue_recall {
            let gate = format!("--min-queue-recall {queue}={}", percent(*floor));
            let ratio = labels.and_then(|l| l.queues.iter().find(|q| &q.queue == queue)).map(|q| q.recall);
            let what = format!("recall of escalations expected to {queue}");
            let nothing = format!("no labelled record expects an escalation to {queue}");
            results.push(floor_gate(gate, &what, &nothing, ratio, *floor));
        }
        if labels.is_none() {
            for result in &mut results {
                result.message = format!("gate failed: {} checked nothing: no record carries an expect", result.gate);
            }
        }
        results
    }
}

fn floor_gate(gate: String, what: &str, nothing: &str, ratio: Option<Ratio>, floor: f64) -> GateResult {
    let Some((ratio, rate)) = ratio.and_then(|r| Some((r, r.rate?))) else {
        let message = format!("gate failed: {gate} checked nothing: {nothing}");
        return GateResult { gate, measured: None, passed: false, message };
    };
    let passed = rate + SLACK >= floor;
    let mut message = String::new();
    if passed {
        let _ = write!(message, "gate passed: {what} {} ({} of {}) meets {gate}", percent(rate), ratio.count, ratio.of);
    } else {
        let _ = write!(
            message,
            "gate failed: {what} {} ({} of {}) is {} points under {gate}",
            percent(rate),
            ratio.count,
            ratio.of,
            points(floor - rate)
        );
    }
    GateResult { gate, measured: Some(ratio), passed, message }
}

fn ceiling_gate(gate: String, ratio: Option<Ratio>, ceiling: f64) -> GateResult {
    let what = "false escalation (expected none, escalated or offered a person)";
    let Some((ratio, rate)) = ratio.and_then(|r| Some((r, r.rate?))) else {
        let message = format!("gate failed: {gate} checked nothing: no labelled record expects none");
        return GateResult { gate, measured: None, passed: false, message };
    };
    let passed = rate <= ceiling + SLACK;
    let message = if passed {
        format!("gate passed: {what} {} ({} of {}) is within {gate}", percent(rate), ratio.count, ratio.of)
    } else {
        format!(
            "gate failed: {what} {} ({} of {}) is {} points over {gate}",
            percent(rate),
            ratio.count,
            ratio.of,
            points(rate - ceiling)
        )
    };
    GateResult { gate, measured: Some(ratio), passed, message }
}

fn percent(rate: f64) -> String {
    let text = format!("{:.2}", rate * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

fn points(difference: f64) -> String {
    format!("{:.1}", difference * 100.0)
}

/// A rate on the command line: `95%` or `0.95`. A bare number above 1 is
/// refused rather than guessed at (`95` could mean either).
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (number, scale) = match trimmed.strip_suffix('%') {
        Some(number) => (number.trim(), 100.0),
        None => (trimmed, 1.0),
    };
    let value: f64 = number.parse().map_err(|_| format!("{text:?} is not a rate: write 95% or 0.95"))?;
    let rate = value / scale;
    if !(0.0..=1.0).contains(&rate) || rate.is_nan() {
        return Err(format!("{text:?} is not a rate from 0 to 1 (or 0% to 100%): write 95% or 0.95"));
    }
    Ok(rate)
}

/// `QUEUE=RATE`, for `--min-queue-recall`.
pub fn parse_queue_rate(text: &str) -> Result<(String, f64), String> {
    let Some((queue, rate)) = text.split_once('=') else {
        return Err(format!("{text:?}: write QUEUE=RATE, e.g. disputes=90%"));
    };
    let queue = queue.trim();
    if queue.is_empty() {
        return Err(format!("{text:?}: the queue name is missing; write QUEUE=RATE, e.g. disputes=90%"));
    }
    Ok((queue.to_owned(), parse_rate(rate)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_fractions_or_percentages_and_nothing_ambiguous() {
        assert_eq!(parse_rate("0.95"), Ok(0.95));
        assert_eq!(parse_rate("95%"), Ok(0.95));
        assert_eq!(parse_rate("3 %"), Ok(0.03));
        assert!(parse_rate("95").is_err());
        assert!(parse_rate("-0.1").is_err());
        assert!(parse_rate("NaN").is_err());
        assert!(parse_rate("high").is_err());
        assert_eq!(parse_queue_rate("disputes=90%"), Ok(("disputes".to_owned(), 0.9)));
        assert!(parse_queue_rate("=90%").is_err());
        assert!(parse_queue_rate("disputes").is_err());
    }

    #[test]
    fn a_floor_is_met_exactly_and_missed_by_a_stated_margin() {
        let met = floor_gate("--min-recall 95%".into(), "escalation recall", "none", Some(Ratio::new(19, 20)), 0.95);
        assert!(met.passed, "{}", met.message);
        let missed = floor_gate("--min-recall 95%".into(), "escalation recall", "none", Some(Ratio::new(18, 20)), 0.95);
        assert!(!missed.passed);
        assert_eq!(
            missed.message,
            "gate failed: escalation recall 90% (18 of 20) is 5.0 points under --min-recall 95%"
        );
        let empty = floor_gate("--min-recall 95%".into(), "x", "nothing expected", Some(Ratio::new(0, 0)), 0.95);
        assert!(!empty.passed && empty.measured.is_none() && empty.message.contains("checked nothing"));
    }

    #[test]
    fn without_labels_every_gate_fails() {
        let gates = Gates { min_recall: Some(0.9), max_false_escalation: Some(0.03), min_queue_recall: Vec::new() };
        let results = gates.check(None);
        assert_eq!(results.len(), 2);
        assert!(results.iter().all(|r| !r.passed && r.message.contains("no record carries an expect")));
    }
}

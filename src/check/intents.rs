//! Learnt intents: their declarations (`intent NAME { ... }`, `intents from "file"`),
//! the names rules ask for (`says NAME`), and a learnt intent named like an
//! upstream one (`has_intent(.., "NAME")`, `intent(..) == "NAME"`).

use std::collections::HashMap;

use miette::SourceSpan;

use super::err::did_you_mean;
use super::{CheckError, Checker};
use crate::intent::{Declared, PolicyIntents, QualityReport, QualityWarning};
use crate::lang::lets::operands;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, IntentPart, Item, Node};

impl<'p> Checker<'p> {
    /// Duplicate intents, repeated or out-of-range thresholds, empty sentences and
    /// intents without examples.
    pub(super) fn declare_intents(&mut self) {
        let mut seen: HashMap<&str, SourceSpan> = HashMap::new();
        for item in &self.policy.items {
            let Item::Intent(decl) = item else { continue };
            if let Some(&first) = seen.get(decl.name.node.as_str()) {
                self.duplicate("intent", &decl.name, first);
                continue;
            }
            seen.insert(&decl.name.node, decl.name.span);
            let mut threshold: Option<SourceSpan> = None;
            for part in &decl.parts {
                match &part.node {
                    IntentPart::Threshold(t) => {
                        if let Some(first) = threshold {
                            self.report(CheckError::InvalidOutcome {
                                message: "`threshold` is given twice".into(),
                                span: part.span,
                                label: "given again here".into(),
                                first: Some(first),
                                help: "keep one `threshold`".into(),
                            });
                        }
                        threshold = Some(part.span);
                        self.score_in_range(t, "threshold");
                    }
                    IntentPart::Examples(list) | IntentPart::Counter(list) => {
                        for s in list.iter().filter(|s| s.node.trim().is_empty()) {
                            self.report(CheckError::EmptyPhrase { span: s.span });
                        }
                    }
                }
            }
        }
        let empty: Vec<CheckError> = (self.intents.set.intents.iter().zip(&self.intents.declared))
            .filter_map(|(intent, declared)| match declared {
                Declared::Inline(span) if intent.examples.is_empty() => {
                    Some(CheckError::IntentWithoutExamples { name: intent.name.clone(), span: *span })
                }
                _ => None,
            })
            .collect();
        self.diagnostics.extend(empty);
    }

    /// A score written in the policy (a threshold, `at least N`) must be in 0..1.
    pub(super) fn score_in_range(&mut self, n: &Node<f64>, what: &str) {
        if !(0.0..=1.0).contains(&n.node) {
            self.report(CheckError::OutOfRange {
                message: format!("a {what} of {} is outside the scores an intent can have", n.node),
                span: n.span,
                help: "intent scores are between 0 and 1; 0.5 means \"more likely this intent than not\"".into(),
            });
        }
    }

    /// `says NAME`: the intent must be declared (or may be in a file that was not read).
    pub(super) fn learnt_intent(&mut self, name: &Ident) -> bool {
        if self.intents.position(&name.node).is_some() || self.intents.files_unread {
            return true;
        }
        let help = did_you_mean(&name.node, self.intents.set.intents.iter().map(|i| i.name.as_str())).or_else(|| {
            if self.intents.is_empty() {
                Some(format!(
                    "declare it with examples: `intent {} {{ examples [\"...\", \"...\"] }}`, or name a file of examples: `intents from \"intents/NAME.intents\"`",
                    name.node
                ))
            } else {
                let names: Vec<&str> = self.intents.set.intents.iter().map(|i| i.name.as_str()).take(12).collect();
                Some(format!("the declared intents are: {}", names.join(", ")))
            }
        });
        self.report(CheckError::UnknownIntent { name: name.node.clone(), span: name.span, help });
        false
    }

    /// Warns when a learnt intent has the name of an intent the policy reads from the
    /// upstream annotation: the two are not on the same scale.
    pub(super) fn lint_intent_names(&mut self) {
        if self.intents.is_empty() {
            return;
        }
        let mut upstream: Vec<(String, SourceSpan)> = Vec::new();
        let mut pending: Vec<&Expr> = Vec::new();
        for item in &self.policy.items {
            match item {
                Item::Rule(r) => pending.push(&r.when),
                Item::Let(l) => pending.push(&l.value),
                _ => {}
            }
        }
        // Without recursion: expressions nest as deep as the checker allows.
        while let Some(e) = pending.pop() {
            match &e.node {
                ExprKind::Call { function, args } if function.node == "has_intent" => {
                    if let Some(arg) = args.iter().filter(|a| a.name.is_none()).nth(1) {
                        self.strings_of(&arg.value, &mut upstream);
                    }
                }
                ExprKind::Binary { op, lhs, rhs } if matches!(op.node, BinaryOp::Eq | BinaryOp::Ne) => {
                    for (call, other) in [(lhs, rhs), (rhs, lhs)] {
                        if matches!(&call.node, ExprKind::Call { function, .. } if function.node == "intent") {
                            self.strings_of(other, &mut upstream);
                        }
                    }
                }
                _ => {}
            }
            pending.extend(operands(e));
        }
        let mut warned = Vec::new();
        for (name, span) in upstream {
            let Some(i) = self.intents.position(&name) else { continue };
            if warned.contains(&i) {
                continue;
            }
            warned.push(i);
            let learnt = match self.intents.declared.get(i) {
                Some(Declared::Inline(at)) => Some(*at),
                _ => None,
            };
            self.report(CheckError::IntentNameClash { name, span, learnt });
        }
    }

    /// The strings an expression holds (a string, a list, through lets), with their spans.
    fn strings_of(&self, e: &Expr, out: &mut Vec<(String, SourceSpan)>) {
        match self.lets.follow(e).map(|e| (&e.node, e.span)) {
            Some((ExprKind::String(s), span)) => out.push((s.clone(), span)),
            Some((ExprKind::List(items), _)) => {
                for item in items {
                    if let ExprKind::String(s) = &item.node {
                        out.push((s.clone(), item.span));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The quality report's warnings as diagnostics, each on the declaration of the
/// intent it is about: in the policy (`None`) or in an example file (its number
/// in [`PolicyIntents::files`]).
pub fn quality_problems(intents: &PolicyIntents, report: &QualityReport) -> Vec<(Option<usize>, CheckError)> {
    let at = |name: &str| match intents.position(name).and_then(|i| intents.declared.get(i)) {
        Some(Declared::File { file, span, .. }) => (Some(*file), *span),
        Some(Declared::Inline(span)) => (None, *span),
        None => (None, SourceSpan::from((0, 0))),
    };
    report
        .warnings
        .iter()
        .map(|w| match w {
            QualityWarning::FewExamples { intent, examples, minimum } => {
                let (file, span) = at(intent);
                let e = CheckError::FewExamples { name: intent.clone(), examples: *examples, minimum: *minimum, span };
                (file, e)
            }
            QualityWarning::Overlap { intent, other, share, scored_as_other, held_out, sample } => {
                let (file, span) = at(intent);
                let sample = sample.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
                let e = CheckError::IntentOverlap {
                    name: intent.clone(),
                    other: other.clone(),
                    scored_as_other: *scored_as_other,
                    held_out: *held_out,
                    sample,
                    span,
                    share: (share * 100.0).round() as u32,
                };
                (file, e)
            }
            QualityWarning::SharedExample { intent, other, text } => {
                let (file, span) = at(other);
                let e =
                    CheckError::SharedExample { name: other.clone(), other: intent.clone(), text: text.clone(), span };
                (file, e)
            }
            QualityWarning::CounterIsExample { intent, text } => {
                let (file, span) = at(intent);
                (file, CheckError::CounterIsExample { name: intent.clone(), text: text.clone(), span })
            }
        })
        .collect()
}

//! Policy-level lints: rules that can never fire, rules shadowed by an earlier one
//! (with the same outcome, or a catch-all: see `lints_catch_all`),
//! and policies that give customers no way to reach a person (in English or in any
//! language the policy declares, with the ways to ask for one it lists itself).

use std::collections::HashMap;

use super::languages::policy_words;
use super::{CheckError, Checker};
use crate::lang::lets::Reach;
use crate::signals::language::Language;
use crate::signals::phrases::normalize;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Item, Modifier, Outcome, OutcomeKind, Rule};

/// How the policy's customers ask for a person: English's words for one, those of
/// each declared language, and the policy's own `person_requests` (folded).
struct PersonWords {
    languages: Vec<Language>,
    requests: Vec<String>,
}

impl PersonWords {
    fn of(checker: &Checker<'_>) -> PersonWords {
        let (mut languages, own) = policy_words(checker.policy);
        if !languages.contains(&Language::English) {
            languages.insert(0, Language::English);
        }
        let requests = own.person_requests.iter().map(|r| normalize(r)).filter(|r| !r.is_empty()).collect();
        PersonWords { languages, requests }
    }

    /// Whether a text (a listed phrase, an intent's example) asks for or names a person.
    fn in_text(&self, text: &str) -> bool {
        let n = normalize(text);
        n.split(|c: char| !c.is_alphanumeric()).any(|w| self.languages.iter().any(|l| l.names_a_person(w)))
            || self.requests.iter().any(|r| n.contains(r.as_str()) || r.contains(n.as_str()))
    }

    /// Whether a name (`request_person`, `mitarbeiter_verlangen`) has a word for one.
    fn in_name(&self, name: &str) -> bool {
        name.split('_').any(|w| self.languages.iter().any(|l| l.names_a_person(w)))
    }
}

impl<'p> Checker<'p> {
    pub(super) fn lint_rules(&mut self) {
        let rules = self.checked_rules.clone();
        let shadowed_by = shadowing(&rules);
        let caught = self.caught_by_catch_all(&rules);
        for (i, (rule, constant)) in rules.iter().enumerate() {
            if *constant == Some(false) {
                self.report(CheckError::UnreachableRule {
                    name: rule.name.node.clone(),
                    span: rule.when.span,
                    help: "the checker worked this condition out to be false for every conversation; check the thresholds and the `and`s".into(),
                });
                continue;
            }
            if let Some((e, _)) = shadowed_by.get(i).copied().flatten().and_then(|e| rules.get(e)) {
                self.report(CheckError::ShadowedRule {
                    name: rule.name.node.clone(),
                    earlier: e.name.node.clone(),
                    span: rule.name.span,
                    earlier_span: e.name.span,
                    help: format!(
                        "`{}` has the same outcome and fires whenever this rule would; remove this rule or change its outcome",
                        e.name.node
                    ),
                });
            } else if let Some((e, help)) =
                caught.get(i).cloned().flatten().and_then(|(e, help)| Some((rules.get(e)?.0, help)))
            {
                self.report(CheckError::ShadowedRule {
                    name: rule.name.node.clone(),
                    earlier: e.name.node.clone(),
                    span: rule.name.span,
                    earlier_span: e.name.span,
                    help,
                });
            }
        }
        // Each let is looked into once over all rules: a let that named no person for
        // one rule names none for the next.
        let mut seen = vec![false; self.lets.decls.len()];
        let mut phrases_seen = vec![false; self.lets.decls.len()];
        let person = PersonWords::of(self);
        let routes_human = rules.iter().any(|(rule, constant)| {
            *constant != Some(false)
                && matches!(rule.outcome.node.kind, OutcomeKind::Escalate | OutcomeKind::Offer)
                && self.mentions_a_person(&rule.when, &person, &mut seen, &mut phrases_seen)
        });
        let has_rules = self.policy.items.iter().any(|i| matches!(i, Item::Rule(_)));
        if has_rules && !routes_human {
            self.report(CheckError::NoHumanRoute { span: self.policy.name.span });
        }
    }

    /// Whether a condition, through `and`, `or`, parentheses and lets, mentions a
    /// person in a phrase list.
    fn mentions_a_person(&self, e: &Expr, person: &PersonWords, seen: &mut [bool], phrases_seen: &mut [bool]) -> bool {
        self.lets.reach(e, seen, |e| match &e.node {
            ExprKind::Mentions { phrases, .. } if self.phrases_name_a_person(phrases, person, phrases_seen) => {
                Reach::Found
            }
            ExprKind::Says { intent, .. } if self.intent_is_asking_for_a_person(&intent.node, person) => Reach::Found,
            ExprKind::Binary { op, .. } if matches!(op.node, BinaryOp::Or | BinaryOp::And) => Reach::Enter,
            ExprKind::Paren(_) | ExprKind::Name(_) => Reach::Enter,
            _ => Reach::Skip,
        })
    }

    /// Whether a learnt intent is about a person: its name has a word for one
    /// (`request_person`, `talk_to_agent`), or at least half of its examples do.
    fn intent_is_asking_for_a_person(&self, name: &str, person: &PersonWords) -> bool {
        if person.in_name(name) {
            return true;
        }
        let Some(intent) = self.intents.position(name).and_then(|i| self.intents.set.intents.get(i)) else {
            return false;
        };
        let with_person = intent.examples.iter().filter(|e| person.in_text(&e.text)).count();
        !intent.examples.is_empty() && 2 * with_person >= intent.examples.len()
    }

    /// Whether a phrase or a list of them (through lets) holds a word for a person.
    fn phrases_name_a_person(&self, e: &Expr, person: &PersonWords, seen: &mut [bool]) -> bool {
        self.lets.reach(e, seen, |e| match &e.node {
            ExprKind::String(s) if person.in_text(s) => Reach::Found,
            ExprKind::String(_) => Reach::Skip,
            ExprKind::List(_) | ExprKind::Name(_) => Reach::Enter,
            _ => Reach::Skip,
        })
    }
}

/// The kind is spelled out (it is not `Hash`) so the key can index a map.
type OutcomeKey = (String, Option<String>, Vec<String>);

/// Action, queue, fallback and priority; the reason does not matter.
fn outcome_key(o: &Outcome) -> OutcomeKey {
    let mut mods: Vec<String> = o
        .modifiers
        .iter()
        .filter(|m| !matches!(m.node, Modifier::Reason(_)))
        .map(|m| format!("{:?}", m.node))
        .collect();
    mods.sort();
    (format!("{:?}", o.kind), o.target.as_ref().map(|t| t.node.clone()), mods)
}

/// For each rule, the first earlier rule with the same outcome that is always
/// true or whose condition the rule's implies.
fn shadowing(rules: &[(&Rule, Option<bool>)]) -> Vec<Option<usize>> {
    let mut earlier_rules = ShadowIndex::default();
    let mut shadowed_by = Vec::with_capacity(rules.len());
    for (i, (rule, constant)) in rules.iter().enumerate() {
        shadowed_by.push(earlier_rules.first_shadowing(rule, |e| rules.get(e).map(|(r, _)| *r)));
        earlier_rules.insert(i, rule, *constant);
    }
    shadowed_by
}

/// The rules seen so far, indexed so finding the first one that shadows a
/// rule costs a lookup per conjunct instead of a comparison with every earlier
/// rule (20,000 rules took 5 s to check).
#[derive(Default)]
struct ShadowIndex {
    outcomes: HashMap<OutcomeKey, usize>,
    /// Per outcome, the first rule whose condition is constantly true.
    first_always: HashMap<usize, usize>,
    /// Per outcome and condition (without spans, as JSON), the rules with that
    /// condition in order. Equal conditions give equal JSON; `implies` confirms.
    by_condition: HashMap<(usize, String), Vec<usize>>,
}

impl ShadowIndex {
    /// The first earlier rule with the same outcome that is always true or
    /// whose condition `rule`'s implies: what comparing every pair would find.
    fn first_shadowing<'r>(&self, rule: &Rule, earlier: impl Fn(usize) -> Option<&'r Rule>) -> Option<usize> {
        let outcome = *self.outcomes.get(&outcome_key(&rule.outcome.node))?;
        let mut parts = Vec::new();
        conjuncts(strip(&rule.when), &mut parts);
        let implied = parts.iter().filter_map(|part| {
            let same = self.by_condition.get(&(outcome, fingerprint(part)))?;
            same.iter().copied().find(|&e| earlier(e).is_some_and(|e| implies(&rule.when, &e.when)))
        });
        implied.chain(self.first_always.get(&outcome).copied()).min()
    }

    fn insert(&mut self, index: usize, rule: &Rule, constant: Option<bool>) {
        let next = self.outcomes.len();
        let outcome = *self.outcomes.entry(outcome_key(&rule.outcome.node)).or_insert(next);
        if constant == Some(true) {
            self.first_always.entry(outcome).or_insert(index);
        }
        self.by_condition.entry((outcome, fingerprint(strip(&rule.when)))).or_default().push(index);
    }
}

/// A condition's structure without its spans; equal expressions print alike.
pub(super) fn fingerprint(e: &Expr) -> String {
    serde_json::to_string(&e.node).unwrap_or_default()
}

/// Whether `later` can only hold when `earlier` holds: the same condition, or a
/// conjunction with the earlier condition among its parts.
fn implies(later: &Expr, earlier: &Expr) -> bool {
    let earlier = strip(earlier);
    let mut parts = Vec::new();
    conjuncts(strip(later), &mut parts);
    parts.contains(&earlier)
}

pub(super) fn strip(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &e.node {
        e = inner;
    }
    e
}

/// The parts of a conjunction: every `and` operand (parentheses stripped), the
/// whole included. Without recursion: an `and` chain is as long as the parser allows.
pub(super) fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    let mut pending = vec![e];
    while let Some(e) = pending.pop() {
        out.push(e);
        if let ExprKind::Binary { op, lhs, rhs } = &e.node {
            if op.node == BinaryOp::And {
                pending.push(strip(rhs));
                pending.push(strip(lhs));
            }
        }
    }
}

#[cfg(test)]
mod shadow_tests {
    use proptest::prelude::*;

    use super::*;
    use crate::syntax::parse_policy;

    /// Every earlier rule compared with every later one: what the index replaces.
    fn pairwise(rules: &[(&Rule, Option<bool>)]) -> Vec<Option<usize>> {
        let keys: Vec<OutcomeKey> = rules.iter().map(|(r, _)| outcome_key(&r.outcome.node)).collect();
        (0..rules.len())
            .map(|i| {
                let (rule, key) = (rules.get(i)?.0, keys.get(i)?);
                (0..i).find(|&e| {
                    rules.get(e).zip(keys.get(e)).is_some_and(|((earlier, constant), k)| {
                        k == key && (*constant == Some(true) || implies(&rule.when, &earlier.when))
                    })
                })
            })
            .collect()
    }

    const CONDITIONS: [&str; 6] = [
        "turns > 1",
        "(turns > 1)",
        "turns > 2",
        "customer.last mentions [\"a\"]",
        "(turns > 2 and turns > 1)",
        "true",
    ];
    const OUTCOMES: [&str; 3] = ["escalate to q", "escalate to q priority urgent", "offer human via q"];

    proptest! {
        #[test]
        fn the_index_finds_what_comparing_every_pair_finds(
            rules in prop::collection::vec(
                (prop::collection::vec(0..CONDITIONS.len(), 1..4), 0..OUTCOMES.len(), prop::option::of(any::<bool>())),
                0..24,
            ),
        ) {
            let mut text = String::from("policy \"p\" version 1\nqueues { q \"Q\" }\n");
            for (i, (parts, outcome, _)) in rules.iter().enumerate() {
                let when: Vec<&str> = parts.iter().filter_map(|&p| CONDITIONS.get(p).copied()).collect();
                let outcome = OUTCOMES.get(*outcome).copied().unwrap_or_default();
                text.push_str(&format!("rule r{i} {{ when {} {outcome} }}\n", when.join(" and ")));
            }
            let policy = parse_policy(&text).unwrap();
            let parsed: Vec<&Rule> =
                policy.items.iter().filter_map(|item| if let Item::Rule(r) = item { Some(r) } else { None }).collect();
            let checked: Vec<(&Rule, Option<bool>)> = parsed.into_iter().zip(rules.iter().map(|r| r.2)).collect();
            prop_assert_eq!(shadowing(&checked), pairwise(&checked));
        }
    }
}

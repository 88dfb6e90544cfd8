//! Checking a parsed policy: names, queues, types, ranges, regexes, tests and lints.
//! Every problem in a file is reported in one run.

pub(crate) mod context;
mod context_json;
pub(crate) mod err;
pub(crate) mod intents;
pub(crate) mod languages;
mod lints;
mod lints_allow;
mod lints_catch_all;
mod lints_queues;
mod lints_ranges;
mod lints_written;
mod names;
mod testblocks;
pub(crate) mod typeck;

use std::borrow::Cow;
use std::collections::HashMap;

pub use err::CheckError;
use miette::SourceSpan;

use crate::intent::PolicyIntents;
use crate::lang::lets::Lets;
use crate::lang::regexes;
use crate::lang::types::{Domain, Type};
use crate::syntax::ast::{Item, Policy, QueueDecl, Rule};

/// What the checker learned about an expression.
#[derive(Debug, Clone, Copy)]
pub struct Typed {
    pub ty: Type,
    pub domain: Domain,
    pub constant: Option<Const>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Const {
    Bool(bool),
    Number(f64),
}

impl Typed {
    fn new(ty: Type) -> Self {
        Typed { ty, domain: Domain::ANY, constant: None }
    }
}

/// The checker's state while it walks one policy.
struct Checker<'p> {
    policy: &'p Policy,
    /// The policy's text, for lints about how something is written; empty when unknown.
    source: &'p str,
    queues: HashMap<&'p str, &'p QueueDecl>,
    lets: Lets<'p>,
    /// Each let's type, once its body is checked (`None` inside: it has an error).
    let_types: Vec<Option<Option<Typed>>>,
    rules: HashMap<&'p str, &'p Rule>,
    used_lets: Vec<bool>,
    used_queues: HashMap<&'p str, bool>,
    /// Every regex literal built so far, for the compiler to reuse.
    regexes: regexes::Regexes,
    /// Regexes an earlier check built, taken instead of building them again.
    built: regexes::Regexes,
    /// Each checked rule and whether its condition is a constant.
    checked_rules: Vec<(&'p Rule, Option<bool>)>,
    /// The learnt intents: declared in the policy, and read from its example files.
    intents: Cow<'p, PolicyIntents>,
    diagnostics: Vec<CheckError>,
}

/// Checks a policy and returns every problem found, errors and warnings, in source order.
pub fn check(policy: &Policy) -> Vec<CheckError> {
    check_keeping_regexes(policy).0
}

/// [`check`], and the regexes it built (the compiler reuses them).
pub fn check_keeping_regexes(policy: &Policy) -> (Vec<CheckError>, regexes::Regexes) {
    check_with(policy, None)
}

/// [`check_keeping_regexes`] knowing the policy's intents, with its example files
/// read. Without them, the intents declared in the policy are known and a name
/// that may be in an unread example file is accepted.
pub fn check_with(policy: &Policy, intents: Option<&PolicyIntents>) -> (Vec<CheckError>, regexes::Regexes) {
    check_source(policy, "", intents)
}

/// [`check_with`] knowing the policy's text, which the lints about how something
/// is written (a queue's description without quotes) need.
pub fn check_source<'p>(
    policy: &'p Policy,
    source: &'p str,
    intents: Option<&PolicyIntents>,
) -> (Vec<CheckError>, regexes::Regexes) {
    check_source_reusing(policy, source, intents, regexes::Regexes::new())
}

/// [`check_source`], taking the regexes it needs from `built` (an earlier check's, of
/// an earlier version of the same file) instead of building them again: an editor
/// re-checks the whole file after every edit, and building regexes is much of a check.
/// What it returns holds only the regexes this policy names.
pub fn check_source_reusing<'p>(
    policy: &'p Policy,
    source: &'p str,
    intents: Option<&PolicyIntents>,
    built: regexes::Regexes,
) -> (Vec<CheckError>, regexes::Regexes) {
    let intents = match intents {
        Some(i) => Cow::Borrowed(i),
        None => Cow::Owned(PolicyIntents::load(policy, "", "", None).0),
    };
    let lets = Lets::new(policy);
    let count = lets.decls.len();
    let mut checker = Checker {
        policy,
        source,
        queues: HashMap::new(),
        lets,
        let_types: vec![None; count],
        rules: HashMap::new(),
        used_lets: vec![false; count],
        used_queues: HashMap::new(),
        regexes: regexes::Regexes::new(),
        built,
        checked_rules: Vec::new(),
        intents,
        diagnostics: Vec::new(),
    };
    checker.declare();
    checker.declare_intents();
    checker.check_languages();
    // Lets first, each after the lets it uses: typing a name then only looks its
    // let's type up, so no chain of lets makes the checker recurse.
    let rules: Vec<&Rule> =
        policy.items.iter().filter_map(|i| if let Item::Rule(r) = i { Some(r) } else { None }).collect();
    let resolution = checker.lets.resolve(&rules);
    checker.report_lets(&resolution);
    for &index in &resolution.order {
        checker.check_let(index);
    }
    for item in &policy.items {
        match item {
            Item::Let(_) | Item::Queues(_) | Item::Intent(_) | Item::IntentsFrom(_) | Item::Language(_) => {}
            Item::Rule(rule) => checker.check_rule(rule),
            Item::Test(test) => checker.check_test(test),
        }
    }
    checker.lint_unquoted_queue_descriptions();
    checker.unused();
    checker.lint_rules();
    checker.lint_impossible_ranges();
    checker.lint_sentiment_language();
    checker.lint_intent_names();
    checker.lint_missing_reasons();
    checker.apply_allows();
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(first_offset);
    (diagnostics, checker.regexes)
}

/// Where a diagnostic starts, for ordering.
pub fn first_offset(d: &CheckError) -> usize {
    use miette::Diagnostic;
    d.labels().and_then(|mut l| l.next()).map_or(0, |l| l.offset())
}

impl<'p> Checker<'p> {
    fn report(&mut self, d: CheckError) {
        self.diagnostics.push(d);
    }

    fn check_rule(&mut self, rule: &'p Rule) {
        let typed = self.expr(&rule.when);
        self.expect_type(typed, Type::Bool, rule.when.span, "a rule's `when` is a condition");
        let constant = match typed {
            Some(Typed { constant: Some(Const::Bool(b)), .. }) => Some(b),
            _ => None,
        };
        self.checked_rules.push((rule, constant));
        self.check_outcome(rule);
    }

    fn expect_type(&mut self, typed: Option<Typed>, want: Type, span: SourceSpan, why: &str) {
        if let Some(t) = typed {
            if !t.ty.fits(want) {
                self.report(CheckError::TypeMismatch {
                    message: format!("expected {want}, found {}", t.ty),
                    label: format!("this is {}", t.ty),
                    span,
                    help: Some(why.to_string()),
                });
            }
        }
    }
}

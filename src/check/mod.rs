//! Checking a parsed policy: names, queues, types, ranges, regexes, tests and lints.
//! Every problem in a file is reported in one run.

pub mod builtins;
pub mod err;
mod lints;
mod names;
mod testblocks;
pub mod typeck;
pub mod types;

use std::collections::HashMap;

pub use err::CheckError;
use miette::SourceSpan;

use crate::syntax::ast::{Item, LetDecl, Policy, QueueDecl, Rule};
use types::{Domain, Type};

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

/// The priorities an outcome can have, lowest first.
pub const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LetState {
    Unvisited,
    Visiting,
    Done,
}

/// The checker's state while it walks one policy.
struct Checker<'p> {
    policy: &'p Policy,
    queues: HashMap<&'p str, &'p QueueDecl>,
    lets: HashMap<&'p str, usize>,
    let_decls: Vec<&'p LetDecl>,
    let_state: Vec<LetState>,
    let_types: Vec<Option<Typed>>,
    /// The lets being checked, innermost last, for the cycle message.
    let_stack: Vec<usize>,
    rules: HashMap<&'p str, &'p Rule>,
    used_lets: Vec<bool>,
    used_queues: HashMap<&'p str, bool>,
    /// Each checked rule and whether its condition is a constant.
    checked_rules: Vec<(&'p Rule, Option<bool>)>,
    diagnostics: Vec<CheckError>,
}

/// Checks a policy and returns every problem found, errors and warnings, in source order.
pub fn check(policy: &Policy) -> Vec<CheckError> {
    let mut checker = Checker {
        policy,
        queues: HashMap::new(),
        lets: HashMap::new(),
        let_decls: Vec::new(),
        let_state: Vec::new(),
        let_types: Vec::new(),
        let_stack: Vec::new(),
        rules: HashMap::new(),
        used_lets: Vec::new(),
        used_queues: HashMap::new(),
        checked_rules: Vec::new(),
        diagnostics: Vec::new(),
    };
    checker.declare();
    for item in &policy.items {
        match item {
            Item::Let(_) | Item::Queues(_) => {}
            Item::Rule(rule) => checker.check_rule(rule),
            Item::Test(test) => checker.check_test(test),
        }
    }
    for index in 0..checker.let_decls.len() {
        checker.let_type(index);
    }
    checker.unused();
    checker.lint_rules();
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(first_offset);
    diagnostics
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

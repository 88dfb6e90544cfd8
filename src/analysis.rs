//! A policy file's text and everything the syntax and check stages say about it.

use std::fmt;
use std::path::Path;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};
use thiserror::Error;

use crate::check::regexes::Regexes;
use crate::check::{self, CheckError};
use crate::io::Unreadable;
use crate::source_lines::SourceLines;
use crate::syntax::{ast, parse_policy, SyntaxError};

/// One problem in a policy: a file that cannot be read, a syntax error or a checker
/// diagnostic.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum Problem {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] Unreadable),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
}

impl Problem {
    pub fn is_warning(&self) -> bool {
        matches!(self, Problem::Check(c) if c.is_warning())
    }
}

/// A policy's source and the outcome of parsing and checking it.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The name diagnostics show for the file (its path, usually).
    pub name: String,
    pub source: String,
    /// The syntax tree, when the file parsed.
    pub ast: Option<ast::Policy>,
    /// Every problem, in source order.
    pub problems: Vec<Problem>,
    /// The regexes the checker built, which compiling reuses.
    pub(crate) regexes: Regexes,
}

impl Analysis {
    /// Parses and checks a policy's text.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Analysis {
        let name = name.into();
        let source = source.into();
        match parse_policy(&source) {
            Ok(ast) => {
                let (problems, regexes) = check::check_keeping_regexes(&ast);
                let problems = problems.into_iter().map(Problem::Check).collect();
                Analysis { name, source, ast: Some(ast), problems, regexes }
            }
            Err(e) => Analysis { name, source, ast: None, problems: vec![Problem::Syntax(e)], regexes: Regexes::new() },
        }
    }

    /// Reads and analyses a file.
    pub fn read(path: &Path) -> Result<Analysis, Unreadable> {
        let name = path.display().to_string();
        let source = std::fs::read_to_string(path).map_err(|e| Unreadable::new(&name, &e))?;
        Ok(Analysis::new(name, source))
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_warning())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_warning())
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Each problem bundled with the source, ready for a miette report handler.
    pub fn reports(&self) -> Vec<miette::Report> {
        // One shared, indexed copy of the text for all of them.
        let text = SourceLines::new(&self.source);
        self.problems
            .iter()
            .map(|p| miette::Report::new(p.clone()).with_source_code(NamedSource::new(&self.name, text.clone())))
            .collect()
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, offset)
    }
}

pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset.min(source.len())).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A policy that did not load: every problem that stopped it, with the source.
#[derive(Debug, Clone, Error)]
#[error("policy `{name}` has {} error(s)", errors.len())]
pub struct PolicyError {
    pub name: String,
    source_code: NamedSource<String>,
    pub errors: Vec<Problem>,
}

impl PolicyError {
    pub fn from_analysis(a: &Analysis) -> PolicyError {
        PolicyError {
            name: a.name.clone(),
            source_code: NamedSource::new(&a.name, a.source.clone()),
            errors: a.errors().cloned().collect(),
        }
    }

    /// An error that is not about the policy's text (a file that cannot be read).
    pub fn io(err: Unreadable) -> PolicyError {
        PolicyError {
            name: err.path.clone(),
            source_code: NamedSource::new(&err.path, String::new()),
            errors: vec![Problem::Io(err)],
        }
    }
}

impl Diagnostic for PolicyError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("handoff::policy::invalid"))
    }
    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source_code)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        None
    }
}

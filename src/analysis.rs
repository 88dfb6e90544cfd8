//! A policy file's text and everything the syntax and check stages say about it.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};
use thiserror::Error;

use crate::check::{self, CheckError};
use crate::intent::{IntentFileError, LoadProblem, PolicyIntents};
use crate::io::Unreadable;
use crate::lang::regexes::Regexes;
use crate::source_lines::SourceLines;
use crate::syntax::{ast, parse_policy, SyntaxError};

/// One problem in a policy: a file that cannot be read, a syntax error or a checker
/// diagnostic.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum Problem {
    #[error(transparent)]
    #[diagnostic(transparent)]
    /// The policy file (or an example file it names) could not be read.
    Io(#[from] Unreadable),
    #[error(transparent)]
    #[diagnostic(transparent)]
    /// The text does not parse.
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    /// The checker's error or warning (names, types, ranges, lints).
    Check(#[from] CheckError),
    /// The compiler could not compile what the checker accepted (a bug in handoff).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compile(#[from] crate::eval::CompileError),
    /// A problem located in an intent example file the policy names.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Examples(Box<InExampleFile>),
}

impl Problem {
    /// Whether this is a warning (a lint), which does not stop the policy loading.
    pub fn is_warning(&self) -> bool {
        match self {
            Problem::Check(c) => c.is_warning(),
            Problem::Examples(e) => matches!(&e.error, ExampleError::Check(c) if c.is_warning()),
            Problem::Syntax(_) | Problem::Io(_) | Problem::Compile(_) => false,
        }
    }

    /// The example file the problem is in, with its text; `None` for the policy itself.
    pub fn example_file(&self) -> Option<(&str, &str)> {
        match self {
            Problem::Examples(e) => Some((&e.file, &e.text)),
            _ => None,
        }
    }
}

/// A problem on a line of an intent example file, shown with that file's text.
#[derive(Debug, Clone, Error)]
#[error("{error}")]
pub struct InExampleFile {
    /// The file as shown (the policy's directory joined with the path as written).
    pub file: String,
    /// The file's text, for showing the problem in it.
    pub text: Arc<str>,
    source_code: NamedSource<Arc<str>>,
    /// What is wrong there.
    pub error: ExampleError,
}

impl InExampleFile {
    /// A problem in `file`, whose text is `text`.
    pub fn new(file: &str, text: Arc<str>, error: ExampleError) -> InExampleFile {
        InExampleFile { file: file.to_string(), source_code: NamedSource::new(file, Arc::clone(&text)), text, error }
    }
}

impl PartialEq for InExampleFile {
    fn eq(&self, o: &Self) -> bool {
        self.file == o.file && self.error == o.error
    }
}

/// What is wrong on the line: the file's own syntax, or what the checker says of
/// an intent declared there.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum ExampleError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    /// The example file itself is malformed (a line outside an intent, an empty example).
    File(IntentFileError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    /// The checker's diagnostic of an intent declared in the file.
    Check(CheckError),
}

impl Diagnostic for InExampleFile {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.error.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.help()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source_code)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.error.labels()
    }
}

/// A policy's source and the outcome of parsing and checking it.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The name diagnostics show for the file (its path, usually).
    pub name: String,
    /// The policy's text.
    pub source: String,
    /// The syntax tree, when the file parsed.
    pub ast: Option<ast::Policy>,
    /// Every problem: errors, then warnings, each in source order.
    pub problems: Vec<Problem>,
    /// The regexes the checker built, which compiling reuses.
    pub(crate) regexes: Regexes,
    /// The learnt intents: declared in the policy and read from its example files.
    pub intents: Arc<PolicyIntents>,
}

impl Analysis {
    /// Parses and checks a policy's text. Example files (`intents from "file"`) are
    /// not read: a policy naming some is an error here (use [`Analysis::read`] or
    /// [`Analysis::new_in`]), so that checking text never touches the disk.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Analysis {
        Analysis::new_in(name, source, None)
    }

    /// Parses and checks a policy's text, reading its example files relative to `dir`.
    pub fn new_in(name: impl Into<String>, source: impl Into<String>, dir: Option<&Path>) -> Analysis {
        Analysis::new_reusing(name, source, dir, Regexes::new())
    }

    /// [`Analysis::new_in`] for a new version of a file already analysed: the regexes
    /// the earlier version built are reused (an editor's re-check after an edit spends
    /// its time parsing, not building regexes again). The result is the same as a
    /// fresh analysis's.
    pub fn revise(&self, source: impl Into<String>, dir: Option<&Path>) -> Analysis {
        Analysis::new_reusing(self.name.clone(), source, dir, self.regexes.clone())
    }

    fn new_reusing(name: impl Into<String>, source: impl Into<String>, dir: Option<&Path>, built: Regexes) -> Analysis {
        let name = name.into();
        let source = source.into();
        match parse_policy(&source) {
            Ok(ast) => {
                let (intents, loaded) = PolicyIntents::load(&ast, &name, &source, dir);
                let (problems, regexes) = check::check_source_reusing(&ast, &source, Some(&intents), built);
                let mut problems: Vec<Problem> = problems.into_iter().map(Problem::Check).collect();
                problems.extend(loaded.into_iter().map(|p| load_problem(p, &intents, dir.is_some())));
                let problems = errors_first(problems);
                Analysis { name, source, ast: Some(ast), problems, regexes, intents: Arc::new(intents) }
            }
            Err(e) => Analysis {
                name,
                source,
                ast: None,
                problems: vec![Problem::Syntax(e)],
                regexes: Regexes::new(),
                intents: Arc::default(),
            },
        }
    }

    /// Reads and analyses a file, and the example files it names (relative to its directory).
    pub fn read(path: &Path) -> Result<Analysis, Unreadable> {
        let name = path.display().to_string();
        let source = std::fs::read_to_string(path).map_err(|e| Unreadable::new(&name, &e))?;
        // Beside the policy: `intents/x.intents` for `policy.handoff` in the working directory.
        let dir = path.parent().unwrap_or(Path::new(""));
        Ok(Analysis::new_in(name, source, Some(dir)))
    }

    /// The problems of the policy's intents found by cross-validating their examples
    /// (few examples, overlapping intents), each located on the intent's declaration:
    /// `handoff check` adds them. Trains once per fold.
    pub fn intent_quality(&self) -> Option<(crate::intent::QualityReport, Vec<Problem>)> {
        if self.intents.is_empty() || self.has_errors() {
            return None;
        }
        let report = self.intents.quality();
        let problems = check::intents::quality_problems(&self.intents, &report)
            .into_iter()
            .map(|(file, error)| match file.and_then(|f| self.intents.files.get(f)) {
                Some(f) => Problem::Examples(Box::new(InExampleFile::new(
                    &f.shown,
                    f.text.clone(),
                    ExampleError::Check(error),
                ))),
                None => Problem::Check(error),
            })
            .collect();
        Some((report, problems))
    }

    /// The errors: a policy with any does not compile.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_warning())
    }

    /// The warnings (lints): a policy with them still compiles.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_warning())
    }

    /// Whether any problem is an error.
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

/// Errors before warnings (each in source order), without the warnings an error may have
/// caused: with a name misspelt, the let it meant looks unused, and with a rule not
/// understood the policy may look as if it had no human route; the error is what to fix.
fn errors_first(problems: Vec<Problem>) -> Vec<Problem> {
    let any_error = problems.iter().any(|p| !p.is_warning());
    // The names an unknown name or queue was taken for ("did you mean `general`?").
    let meant: Vec<String> = problems
        .iter()
        .filter_map(|p| match p {
            Problem::Check(
                CheckError::UnknownName { help: Some(h), .. } | CheckError::UnknownQueue { help: Some(h), .. },
            ) => Some(h.clone()),
            _ => None,
        })
        .collect();
    let was_meant = |name: &str| meant.iter().any(|h| h.contains(&format!("`{name}`")));
    let follows_from_an_error = |p: &Problem| match p {
        Problem::Check(CheckError::NoHumanRoute { .. }) => any_error,
        Problem::Check(CheckError::UnusedLet { name, .. } | CheckError::UnusedQueue { name, .. }) => was_meant(name),
        _ => false,
    };
    let (errors, warnings): (Vec<Problem>, Vec<Problem>) = problems.into_iter().partition(|p| !p.is_warning());
    errors.into_iter().chain(warnings.into_iter().filter(|p| !follows_from_an_error(p))).collect()
}

/// A problem reading the examples, as a problem of the policy or of an example file.
fn load_problem(p: LoadProblem, intents: &PolicyIntents, read: bool) -> Problem {
    match p {
        LoadProblem::Unreadable { shown, reason, span } => {
            let reason = if read {
                reason
            } else {
                "example files are read only when the policy is loaded from its file".into()
            };
            Problem::Check(CheckError::UnreadableExamples { file: shown, reason, span })
        }
        LoadProblem::InFile { file, error } => match intents.files.get(file) {
            Some(f) => {
                Problem::Examples(Box::new(InExampleFile::new(&f.shown, f.text.clone(), ExampleError::File(error))))
            }
            None => Problem::Check(CheckError::UnreadableExamples {
                file: String::new(),
                reason: error.to_string(),
                span: (0, 0).into(),
            }),
        },
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `source`.
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
    /// The policy's name (its path, usually).
    pub name: String,
    source_code: NamedSource<String>,
    /// Every error, in source order.
    pub errors: Vec<Problem>,
}

impl PolicyError {
    /// The errors of an analysed policy, shown with its text.
    pub fn from_analysis(a: &Analysis) -> PolicyError {
        PolicyError {
            name: a.name.clone(),
            source_code: NamedSource::new(&a.name, a.source.clone()),
            errors: a.errors().cloned().collect(),
        }
    }

    /// The problems of a policy's text named `name`, shown with that text.
    pub(crate) fn in_source(name: &str, source: &str, errors: Vec<Problem>) -> PolicyError {
        PolicyError { name: name.to_string(), source_code: NamedSource::new(name, source.to_string()), errors }
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

#[cfg(test)]
mod tests {
    use super::Analysis;

    fn policy(regexes: &[&str]) -> String {
        let mut text = "policy \"p\" version 1\n\nqueues {\n  general \"General\"\n}\n".to_string();
        for (i, regex) in regexes.iter().enumerate() {
            text.push_str(&format!(
                "\nrule r{i} {{\n  when customer.last matches {regex}\n  escalate to general\n}}\n"
            ));
        }
        text
    }

    fn keys(a: &Analysis) -> Vec<(String, String)> {
        let mut keys: Vec<_> = a.regexes.keys().cloned().collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_revision_reads_as_a_fresh_analysis_and_keeps_only_the_regexes_it_names() {
        let first = Analysis::new("p.handoff", policy(&["/refund/i", "/charged twice/"]));
        assert!(!first.has_errors(), "{:?}", first.problems);
        // One regex kept, one dropped, one new, one that does not compile.
        let text = policy(&["/charged twice/", "/chargeback/i", "/(unclosed/"]);
        let revised = first.revise(text.as_str(), None);
        let fresh = Analysis::new("p.handoff", text.as_str());
        assert!(revised.has_errors());
        assert_eq!(format!("{:?}", revised.problems), format!("{:?}", fresh.problems));
        assert_eq!(keys(&revised), keys(&fresh));
        assert_eq!(
            keys(&revised),
            [("chargeback".to_string(), "i".to_string()), ("charged twice".to_string(), String::new())]
        );
    }
}

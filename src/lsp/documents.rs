//! The open documents: their text kept in step with the editor's edits (incremental
//! sync), and the analysis of each version.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::index::Index;
use super::position::LineIndex;
use crate::analysis::Analysis;
use crate::syntax::ast::{Item, Test};

/// One open policy file.
#[derive(Debug, Clone)]
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub lines: LineIndex,
    pub analysis: Analysis,
    /// The names of the text as it is now; empty when it does not parse.
    pub index: Index,
    /// The names of the latest version that parsed: completion offers them while the
    /// text being typed does not parse.
    pub known: Index,
    /// The inline tests that failed when the file was last saved: name and what failed.
    pub failing_tests: Vec<(String, String)>,
}

impl Document {
    pub fn open(uri: Uri, version: i32, text: String) -> Document {
        let analysis = analyse(&uri, &text);
        let index = analysis.ast.as_ref().map(Index::of).unwrap_or_default();
        Document {
            uri,
            version,
            lines: LineIndex::new(&text),
            text,
            analysis,
            known: index.clone(),
            index,
            failing_tests: Vec::new(),
        }
    }

    /// Applies the editor's changes, in order, and analyses the result.
    pub fn change(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let (start, end) = self.lines.span(&self.text, range);
                    self.text.replace_range(start..end, &change.text);
                }
                None => self.text = change.text,
            }
            self.lines = LineIndex::new(&self.text);
        }
        self.version = version;
        let mut analysis = match file_path(&self.uri) {
            Some(path) => self.analysis.revise(self.text.as_str(), path.parent()),
            None => self.analysis.revise(self.text.as_str(), None),
        };
        if analysis.ast.is_none() {
            // Kept while the text being typed does not parse, for the next version that does.
            analysis.regexes = std::mem::take(&mut self.analysis.regexes);
        }
        self.analysis = analysis;
        self.index = self.analysis.ast.as_ref().map(Index::of).unwrap_or_default();
        if self.analysis.ast.is_some() {
            self.known = self.index.clone();
        }
    }

    /// Runs the inline tests, when the policy has no errors, and keeps the failures.
    pub fn run_tests(&mut self) {
        self.failing_tests.clear();
        if self.analysis.has_errors() {
            return;
        }
        let Ok(report) = crate::testing::run_file(&self.analysis, None) else { return };
        for result in report.results.into_iter().filter(|r| !r.passed) {
            let what = match &result.error {
                Some(error) => error.clone(),
                None => format!("expected {}; the policy decided: {}", result.failures.join(", "), result.actual()),
            };
            self.failing_tests.push((result.name, what));
        }
    }

    /// The test blocks of the text as it is now.
    pub fn tests(&self) -> impl Iterator<Item = &Test> {
        self.analysis.ast.iter().flat_map(|p| &p.items).filter_map(|i| match i {
            Item::Test(t) => Some(t),
            _ => None,
        })
    }
}

/// Parses and checks a document: a file's example files are read beside it.
fn analyse(uri: &Uri, text: &str) -> Analysis {
    match file_path(uri) {
        Some(path) => {
            let dir = path.parent().map(PathBuf::from);
            Analysis::new_in(path.display().to_string(), text, dir.as_deref())
        }
        None => Analysis::new(uri.as_str(), text),
    }
}

/// The path of a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().is_some_and(|s| s.as_str().eq_ignore_ascii_case("file")) {
        return None;
    }
    let path = uri.path().as_estr().decode().into_string_lossy().into_owned();
    // `file:///C:/x` is `C:/x` on Windows.
    let windows_drive = path.get(2..3) == Some(":") && path.starts_with('/');
    Some(PathBuf::from(if windows_drive { path.get(1..).unwrap_or(&path).to_string() } else { path }))
}

/// The open documents by URI.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, document: Document) {
        self.open.insert(document.uri.clone(), document);
    }
    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri);
    }
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }
    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }
}

//! A record that could not be converted, located by file, line and field.

use std::fmt;

/// Why one record of an export was not converted (the others still are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file, or `<stdin>`.
    pub source_name: String,
    /// 1-based line where the record (or the row) starts.
    pub line: Option<usize>,
    /// The field or column at fault, like `messages[2].role` or `column "role"`.
    pub field: Option<String>,
    pub problem: String,
    /// Plain words on how to fix it.
    pub help: Option<String>,
}

impl ImportError {
    pub fn new(source_name: &str, line: Option<usize>, problem: impl Into<String>) -> ImportError {
        ImportError { source_name: source_name.to_owned(), line, field: None, problem: problem.into(), help: None }
    }

    pub fn at(mut self, field: impl Into<String>) -> ImportError {
        self.field = Some(field.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> ImportError {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source_name)?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for ImportError {}

impl miette::Diagnostic for ImportError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("handoff::import::invalid"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

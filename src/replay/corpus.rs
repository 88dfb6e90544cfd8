//! Where a replay's conversations come from: JSON Lines files (gzipped or not),
//! directories of `.json` and `.jsonl` files, and stdin.
//!
//! The reader only splits the input into raw records (one line, or one whole
//! `.json` file) and numbers them; parsing happens later, in parallel. It keeps
//! one record at a time per source, so memory does not grow with the corpus.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::transcript::{decompress_if_gzip, TranscriptError};

/// The name stdin's records are reported under.
pub const STDIN_NAME: &str = "<stdin>";

/// How the records of one source are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One conversation per non-blank line.
    Lines,
    /// The whole file is one conversation.
    Document,
}

/// One file (or stdin) of a corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `None` for stdin.
    pub path: Option<PathBuf>,
    /// JSON Lines (optionally gzipped) or one conversation per JSON file.
    pub layout: Layout,
}

impl Source {
    /// The name records from this source are reported under.
    pub fn name(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => STDIN_NAME.to_owned(),
        }
    }

    /// A file whose layout follows its name: `.json` (or `.json.gz`) holds one
    /// conversation, anything else is JSON Lines.
    pub fn file(path: PathBuf) -> Source {
        let name = lower_name(&path);
        let layout =
            if name.ends_with(".json") || name.ends_with(".json.gz") { Layout::Document } else { Layout::Lines };
        Source { path: Some(path), layout }
    }
}

/// The inputs of one replay, in the order they are read.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    sources: Vec<Source>,
    skipped: Vec<Skipped>,
}

/// A path the corpus leaves out, reported so a smaller count is explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path left out.
    pub path: PathBuf,
    /// Why it was left out.
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// Why a path is left out of a corpus.
pub enum SkipReason {
    /// A symbolic link to a directory inside a walked directory. Such links are
    /// not followed: `ln -s . loop` would otherwise be walked forever, and a link
    /// to a sibling folder would count its conversations twice.
    DirectoryLink,
    /// A symbolic link whose target does not exist.
    BrokenLink,
    /// The same file (by canonical path) as one already in the corpus.
    Duplicate {
        /// The path it was first read under.
        first: PathBuf,
    },
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        match &self.reason {
            SkipReason::DirectoryLink => {
                write!(f, "skipped {path}: a symbolic link to a directory (links inside a folder are not followed; name the target to read it)")
            }
            SkipReason::BrokenLink => write!(f, "skipped {path}: a symbolic link to nothing"),
            SkipReason::Duplicate { first } => {
                write!(f, "skipped {path}: the same file as {}, which is read once", first.display())
            }
        }
    }
}

/// File names a directory walk picks up.
const CORPUS_SUFFIXES: [&str; 5] = [".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz"];

impl Corpus {
    /// Resolves command-line inputs: `-` is stdin, a directory is walked
    /// recursively (files in name order, hidden ones skipped, symbolic links
    /// to directories not followed), a file is read as it is. Every file is
    /// read once, however many ways it is reached; what is left out is listed
    /// in [`Corpus::skipped`]. Fails on the first input that does not exist.
    pub fn open(inputs: &[PathBuf]) -> Result<Corpus, TranscriptError> {
        let mut corpus = Corpus::default();
        let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
        for input in inputs {
            if input.as_os_str() == "-" {
                corpus.sources.push(Source { path: None, layout: Layout::Lines });
            } else if input.is_dir() {
                corpus.walk(input, &mut seen)?;
            } else {
                let name = input.display().to_string();
                std::fs::metadata(input).map_err(|e| TranscriptError::io(&name, None, e))?;
                corpus.add_file(input.clone(), &mut seen);
            }
        }
        Ok(corpus)
    }

    /// A corpus of these sources, in this order.
    pub fn from_sources(sources: Vec<Source>) -> Corpus {
        Corpus { sources, skipped: Vec::new() }
    }

    /// The files (or stdin) in the order they are read.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Paths left out of the corpus, and why, in the order they were met.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The bytes the files take on disk (compressed, if they are), or `None`
    /// when stdin is among the inputs: the denominator of progress.
    pub fn total_bytes(&self) -> Option<u64> {
        self.sources.iter().try_fold(0u64, |total, source| {
            let path = source.path.as_ref()?;
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            Some(total.saturating_add(size))
        })
    }

    /// A reader over the raw records of every source in turn.
    pub fn records(&self) -> RecordReader<'_> {
        RecordReader { sources: self.sources.iter(), current: None, bytes_read: Arc::new(AtomicU64::new(0)) }
    }

    /// Adds a file unless its canonical path is already in the corpus. A file
    /// that cannot be resolved is kept under its own name: reading it reports
    /// the error.
    fn add_file(&mut self, path: PathBuf, seen: &mut HashMap<PathBuf, PathBuf>) {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match seen.entry(canonical) {
            Entry::Occupied(first) => {
                self.skipped.push(Skipped { path, reason: SkipReason::Duplicate { first: first.get().clone() } })
            }
            Entry::Vacant(slot) => {
                slot.insert(path.clone());
                self.sources.push(Source::file(path));
            }
        }
    }

    /// Walks `dir` (iteratively, so depth costs no stack) in name order. The
    /// root itself may be a link; links below it are never descended into.
    fn walk(&mut self, dir: &Path, seen: &mut HashMap<PathBuf, PathBuf>) -> Result<(), TranscriptError> {
        let walker = WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !lower_name(e.path()).starts_with('.'));
        for entry in walker {
            let entry = entry.map_err(|e| {
                let name = e.path().unwrap_or(dir).display().to_string();
                TranscriptError::io(&name, None, e.into())
            })?;
            let path = entry.path();
            let is_corpus_file = CORPUS_SUFFIXES.iter().any(|suffix| lower_name(path).ends_with(suffix));
            if entry.path_is_symlink() && entry.depth() > 0 {
                match std::fs::metadata(path) {
                    Ok(target) if target.is_dir() => {
                        self.skipped.push(Skipped { path: path.to_owned(), reason: SkipReason::DirectoryLink })
                    }
                    Ok(_) if is_corpus_file => self.add_file(path.to_owned(), seen),
                    Err(_) if is_corpus_file => {
                        self.skipped.push(Skipped { path: path.to_owned(), reason: SkipReason::BrokenLink })
                    }
                    _ => {}
                }
            } else if !entry.file_type().is_dir() && is_corpus_file {
                self.add_file(entry.into_path(), seen);
            }
        }
        Ok(())
    }
}

fn lower_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default()
}

/// One record as read, not yet parsed.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// The file (or `-` for stdin) the record comes from.
    pub source: Arc<str>,
    /// The record's first line in its source (1-based).
    pub line: usize,
    /// The record's text, as read.
    pub bytes: Vec<u8>,
}

/// Raw records in input order, with the bytes read so far for progress.
pub struct RecordReader<'c> {
    sources: std::slice::Iter<'c, Source>,
    current: Option<OpenSource>,
    bytes_read: Arc<AtomicU64>,
}

struct OpenSource {
    name: Arc<str>,
    layout: Layout,
    reader: Box<dyn BufRead + Send>,
    line: usize,
    last_len: usize,
}

impl RecordReader<'_> {
    /// Bytes taken from the files so far (before decompression).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Up to `size` records; `None` at the end of the corpus. An I/O error
    /// (a missing file, a corrupt gzip stream) ends the read.
    pub fn next_chunk(&mut self, size: usize) -> Result<Option<Vec<RawRecord>>, TranscriptError> {
        let mut chunk = Vec::with_capacity(size);
        while chunk.len() < size {
            match self.next_record()? {
                Some(record) => chunk.push(record),
                None => break,
            }
        }
        Ok((!chunk.is_empty()).then_some(chunk))
    }

    fn next_record(&mut self) -> Result<Option<RawRecord>, TranscriptError> {
        loop {
            let Some(open) = &mut self.current else {
                let Some(source) = self.sources.next() else { return Ok(None) };
                self.current = Some(self.open(source)?);
                continue;
            };
            match open.layout {
                Layout::Document => {
                    let mut bytes = Vec::new();
                    let result = open.reader.read_to_end(&mut bytes);
                    let name = Arc::clone(&open.name);
                    self.current = None;
                    result.map_err(|e| TranscriptError::io(&name, None, e))?;
                    return Ok(Some(RawRecord { source: name, line: 1, bytes }));
                }
                Layout::Lines => {
                    if let Some(record) = next_line(open)? {
                        return Ok(Some(record));
                    }
                    self.current = None;
                }
            }
        }
    }

    fn open(&self, source: &Source) -> Result<OpenSource, TranscriptError> {
        let name = source.name();
        let counter = Arc::clone(&self.bytes_read);
        let raw: Box<dyn Read + Send> = match &source.path {
            Some(path) => Box::new(File::open(path).map_err(|e| TranscriptError::io(&name, None, e))?),
            None => Box::new(io::stdin()),
        };
        let counted = BufReader::with_capacity(1 << 16, Counted { inner: raw, counter });
        let reader = decompress_if_gzip(counted).map_err(|e| TranscriptError::io(&name, None, e))?;
        Ok(OpenSource { name: name.into(), layout: source.layout, reader, line: 0, last_len: 0 })
    }
}

/// The next non-blank line of a JSON Lines source, or `None` at its end.
fn next_line(open: &mut OpenSource) -> Result<Option<RawRecord>, TranscriptError> {
    loop {
        // Sized like the last line, so a typical line needs no reallocation.
        let mut bytes = Vec::with_capacity(open.last_len.saturating_add(64));
        let line = open.line.saturating_add(1);
        match open.reader.read_until(b'\n', &mut bytes) {
            Ok(0) => return Ok(None),
            Ok(_) => {
                open.line = line;
                open.last_len = bytes.len();
                let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                if content.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Ok(Some(RawRecord { source: Arc::clone(&open.name), line, bytes }));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(TranscriptError::io(&open.name, Some(line), e)),
        }
    }
}

/// Counts the bytes read from a file, for progress.
struct Counted<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

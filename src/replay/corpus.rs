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
        RecordReader {
            sources: self.sources.iter(),
            current: None,
            bytes_read: Arc::new(AtomicU64::new(0)),
            last_len: 0,
        }
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

impl RawRecord {
    /// The record, borrowed.
    pub fn as_record(&self) -> RecordRef<'_> {
        RecordRef { source: &self.source, line: self.line, bytes: &self.bytes }
    }
}

/// One record of a [`RecordChunk`] (or a [`RawRecord`]), borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    /// The file (or `-` for stdin) the record comes from.
    pub source: &'a str,
    /// The record's first line in its source (1-based).
    pub line: usize,
    /// The record's text, as read.
    pub bytes: &'a [u8],
}

/// The most a chunk reserves ahead from its first record's size.
const FIRST_RESERVE_LIMIT: usize = 8 << 20;

/// Records read one after another into a single buffer: what the replay
/// pipeline passes from its reader to its workers. Refilled with
/// `RecordReader::refill`, a chunk is reused from one read to the next, so
/// reading allocates nothing per record and nothing at all once the buffers
/// have grown to a chunk's size.
#[derive(Debug, Default)]
pub struct RecordChunk {
    bytes: Vec<u8>,
    spans: Vec<Span>,
    sources: Vec<Arc<str>>,
}

/// Where one record of a chunk lies in its buffer.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    source: usize,
    line: usize,
    start: usize,
    end: usize,
}

impl RecordChunk {
    /// Records in the chunk.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// No record at all.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes the chunk's buffer holds room for.
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Where each record lies, in input order; [`RecordChunk::record`] reads one.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// The record a span of this chunk points at.
    pub fn record(&self, span: &Span) -> RecordRef<'_> {
        RecordRef {
            source: self.sources.get(span.source).map_or("", |name| name),
            line: span.line,
            bytes: self.bytes.get(span.start..span.end).unwrap_or_default(),
        }
    }

    /// The records in input order.
    pub fn records(&self) -> impl Iterator<Item = RecordRef<'_>> {
        self.spans.iter().map(|span| self.record(span))
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.spans.clear();
        self.sources.clear();
    }

    /// Notes the record whose text was appended to the buffer from `start` on.
    fn push(&mut self, source: Arc<str>, line: usize, start: usize) {
        if !self.sources.last().is_some_and(|last| Arc::ptr_eq(last, &source)) {
            self.sources.push(source);
        }
        let source = self.sources.len().saturating_sub(1);
        self.spans.push(Span { source, line, start, end: self.bytes.len() });
    }
}

/// Raw records in input order, with the bytes read so far for progress.
pub struct RecordReader<'c> {
    sources: std::slice::Iter<'c, Source>,
    current: Option<OpenSource>,
    bytes_read: Arc<AtomicU64>,
    last_len: usize,
}

struct OpenSource {
    name: Arc<str>,
    layout: Layout,
    reader: Box<dyn BufRead + Send>,
    line: usize,
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

    /// Empties `chunk` and reads up to `size` records into it, reusing its
    /// buffers; `false` at the end of the corpus. An I/O error ends the read.
    pub fn refill(&mut self, size: usize, chunk: &mut RecordChunk) -> Result<bool, TranscriptError> {
        chunk.clear();
        while chunk.len() < size {
            let start = chunk.bytes.len();
            let Some((source, line)) = self.next_into(&mut chunk.bytes)? else { break };
            chunk.push(source, line, start);
            if chunk.len() == 1 {
                // A new chunk: room for records like the first, rather than growing by doubling.
                let wanted = chunk.bytes.len().saturating_add(64).saturating_mul(size).min(FIRST_RESERVE_LIMIT);
                chunk.bytes.reserve(wanted.saturating_sub(chunk.bytes.len()));
            }
        }
        Ok(!chunk.is_empty())
    }

    fn next_record(&mut self) -> Result<Option<RawRecord>, TranscriptError> {
        // Sized like the last record, so a typical line needs no reallocation.
        let mut bytes = Vec::with_capacity(self.last_len.saturating_add(64));
        let Some((source, line)) = self.next_into(&mut bytes)? else { return Ok(None) };
        self.last_len = bytes.len();
        Ok(Some(RawRecord { source, line, bytes }))
    }

    /// Appends the next record's text to `buffer`; its source and first line,
    /// or `None` at the end of the corpus.
    fn next_into(&mut self, buffer: &mut Vec<u8>) -> Result<Option<(Arc<str>, usize)>, TranscriptError> {
        loop {
            let Some(open) = &mut self.current else {
                let Some(source) = self.sources.next() else { return Ok(None) };
                self.current = Some(self.open(source)?);
                continue;
            };
            match open.layout {
                Layout::Document => {
                    let start = buffer.len();
                    let result = open.reader.read_to_end(buffer);
                    let name = Arc::clone(&open.name);
                    self.current = None;
                    if let Err(e) = result {
                        buffer.truncate(start);
                        return Err(TranscriptError::io(&name, None, e));
                    }
                    return Ok(Some((name, 1)));
                }
                Layout::Lines => {
                    if let Some(line) = next_line(open, buffer)? {
                        return Ok(Some((Arc::clone(&open.name), line)));
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
        Ok(OpenSource { name: name.into(), layout: source.layout, reader, line: 0 })
    }
}

/// Appends the next non-blank line of a JSON Lines source to `buffer` and
/// returns its line number, or `None` at the source's end.
fn next_line(open: &mut OpenSource, buffer: &mut Vec<u8>) -> Result<Option<usize>, TranscriptError> {
    let start = buffer.len();
    loop {
        buffer.truncate(start);
        let line = open.line.saturating_add(1);
        match open.reader.read_until(b'\n', buffer) {
            Ok(0) => return Ok(None),
            Ok(_) => {
                open.line = line;
                let text = buffer.get(start..).unwrap_or_default();
                let content = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
                if content.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Ok(Some(line));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buffer.truncate(start);
                return Err(TranscriptError::io(&open.name, Some(line), e));
            }
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

#[cfg(test)]
#[path = "corpus_tests.rs"]
mod tests;

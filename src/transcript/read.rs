//! The readers: one conversation from text or a file, JSON Lines streams from
//! files (gzipped or not) and stdin, one record at a time.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use super::de::{parse_bytes, parse_bytes_into};
use super::error::TranscriptError;
use super::fields::UnknownField;
use super::model::Conversation;

/// A conversation with the fields its reader did not know (each a warning).
pub type Noted = (Conversation, Vec<UnknownField>);

/// Parses one conversation held in `text`; `source_name` labels errors.
pub fn parse_json(source_name: &str, text: &str) -> Result<Conversation, TranscriptError> {
    parse_json_noting(source_name, text).map(|(conversation, _)| conversation)
}

/// [`parse_json`], with the unknown fields it met.
pub fn parse_json_noting(source_name: &str, text: &str) -> Result<Noted, TranscriptError> {
    parse_record_noting(source_name, text.as_bytes(), 1)
}

/// Parses one record of a corpus: a JSON Lines line or a whole JSON file.
/// `line` is the record's first line in its source, so errors point into the
/// whole stream. Blank input is an error (`Empty`).
pub fn parse_record(source_name: &str, bytes: &[u8], line: usize) -> Result<Conversation, TranscriptError> {
    parse_record_noting(source_name, bytes, line).map(|(conversation, _)| conversation)
}

/// [`parse_record`], with the unknown fields it met.
pub fn parse_record_noting(source_name: &str, bytes: &[u8], line: usize) -> Result<Noted, TranscriptError> {
    let mut unknown = Vec::new();
    let conversation = parse_bytes(source_name, bytes, line, &mut unknown)?;
    Ok((conversation, unknown))
}

/// Parses one record into `conversation`, reusing its strings, its list of messages
/// and the messages in it, and returns the fields it did not know. A host reading
/// record after record into one conversation allocates almost nothing once the
/// buffers have grown to its records' size; what a record leaves out is cleared,
/// so nothing of the previous record stays. Errors are those of [`parse_record`];
/// after one, `conversation` holds parts of two records: read the next into it.
///
/// ```
/// use handoff::transcript::parse_record_into;
///
/// let mut conversation = handoff::Conversation::default();
/// for (line, record) in [
///     r#"{"id": "a", "channel": "chat", "messages": [{"role": "customer", "text": "hi"}]}"#,
///     r#"{"id": "b", "messages": [{"role": "bot", "text": "hello"}, {"role": "customer", "text": "bye"}]}"#,
/// ]
/// .into_iter()
/// .enumerate()
/// {
///     let unknown = parse_record_into("corpus.jsonl", record.as_bytes(), line + 1, &mut conversation)?;
///     assert!(unknown.is_empty());
/// }
/// assert_eq!((conversation.id.as_str(), conversation.channel.as_deref()), ("b", None));
/// assert_eq!(conversation.messages.len(), 2);
/// # Ok::<(), handoff::transcript::TranscriptError>(())
/// ```
pub fn parse_record_into(
    source_name: &str,
    bytes: &[u8],
    line: usize,
    conversation: &mut Conversation,
) -> Result<Vec<UnknownField>, TranscriptError> {
    let mut unknown = Vec::new();
    parse_bytes_into(source_name, bytes, line, &mut unknown, conversation)?;
    Ok(unknown)
}

/// Reads a file holding exactly one conversation (gzip is decompressed).
pub fn read_json_file(path: impl AsRef<Path>) -> Result<Conversation, TranscriptError> {
    read_json_file_noting(path).map(|(conversation, _)| conversation)
}

/// [`read_json_file`], with the unknown fields it met.
pub fn read_json_file_noting(path: impl AsRef<Path>) -> Result<Noted, TranscriptError> {
    let path = path.as_ref();
    let source_name = path.display().to_string();
    let mut reader = open_corpus(path)?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|err| TranscriptError::io(&source_name, None, err))?;
    parse_record_noting(&source_name, &bytes, 1)
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens a corpus file, decompressing it when it is gzip.
///
/// Detection is by the gzip magic bytes rather than the `.gz` extension, so a
/// compressed file with any name works; plain JSON can never start with 0x1f.
pub fn open_corpus(path: impl AsRef<Path>) -> Result<Box<dyn BufRead + Send>, TranscriptError> {
    let path = path.as_ref();
    let source_name = path.display().to_string();
    let file = File::open(path).map_err(|err| TranscriptError::io(&source_name, None, err))?;
    decompress_if_gzip(BufReader::new(file)).map_err(|err| TranscriptError::io(&source_name, None, err))
}

/// Wraps `reader` in a gzip decoder when its first bytes are the gzip magic.
pub fn decompress_if_gzip<R: BufRead + Send + 'static>(mut reader: R) -> io::Result<Box<dyn BufRead + Send>> {
    let is_gzip = reader.fill_buf()?.starts_with(&GZIP_MAGIC);
    if is_gzip {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(reader))))
    } else {
        Ok(Box::new(reader))
    }
}

/// Streams conversations from JSON Lines input, one per non-blank line.
///
/// A malformed line yields an `Err` and iteration continues with the next
/// line, so callers can skip bad records; an I/O error ends the stream since
/// nothing after it can be trusted.
pub struct JsonLines<R: BufRead> {
    source_name: String,
    reader: R,
    buffer: Vec<u8>,
    unknown: Vec<UnknownField>,
    lines_read: usize,
    conversations: usize,
    errors: usize,
    finished: bool,
}

impl<R: BufRead> JsonLines<R> {
    /// Reads conversations, one per line, from `reader`; `source_name` labels errors.
    pub fn new(source_name: impl Into<String>, reader: R) -> Self {
        JsonLines {
            source_name: source_name.into(),
            reader,
            buffer: Vec::new(),
            unknown: Vec::new(),
            lines_read: 0,
            conversations: 0,
            errors: 0,
            finished: false,
        }
    }

    /// The name errors are labelled with.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Lines consumed so far, blank ones included.
    pub fn lines_read(&self) -> usize {
        self.lines_read
    }

    /// Conversations yielded successfully so far.
    pub fn conversations_read(&self) -> usize {
        self.conversations
    }

    /// The unknown fields of the conversation yielded last (empty after an error).
    pub fn unknown_fields(&self) -> &[UnknownField] {
        &self.unknown
    }

    /// Errors yielded so far.
    pub fn errors(&self) -> usize {
        self.errors
    }
}

impl JsonLines<Box<dyn BufRead + Send>> {
    /// Opens a JSON Lines corpus file, gzipped or not.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TranscriptError> {
        let path = path.as_ref();
        Ok(JsonLines::new(path.display().to_string(), open_corpus(path)?))
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Conversation, TranscriptError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.finished {
            self.buffer.clear();
            let line = self.lines_read.saturating_add(1);
            match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(0) => self.finished = true,
                Ok(_) => {
                    self.lines_read = line;
                    // The first line may carry a BOM, which parse_bytes strips.
                    let blank = self
                        .buffer
                        .strip_prefix(b"\xEF\xBB\xBF")
                        .unwrap_or(&self.buffer)
                        .iter()
                        .all(u8::is_ascii_whitespace);
                    if blank {
                        continue;
                    }
                    self.unknown.clear();
                    let result = parse_bytes(&self.source_name, &self.buffer, line, &mut self.unknown);
                    match &result {
                        Ok(_) => self.conversations = self.conversations.saturating_add(1),
                        Err(_) => self.errors = self.errors.saturating_add(1),
                    }
                    return Some(result);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    self.finished = true;
                    self.errors = self.errors.saturating_add(1);
                    return Some(Err(TranscriptError::io(&self.source_name, Some(line), err)));
                }
            }
        }
        None
    }
}

/// Streams JSON Lines conversations from stdin (gzip is decompressed).
pub fn read_stdin() -> JsonLines<Box<dyn BufRead + Send>> {
    const STDIN: &str = "<stdin>";
    match decompress_if_gzip(BufReader::new(io::stdin())) {
        Ok(reader) => JsonLines::new(STDIN, reader),
        Err(err) => JsonLines::new(STDIN, Box::new(FailedReader(Some(err)))),
    }
}

/// Surfaces an error hit while sniffing stdin through the normal iterator.
struct FailedReader(Option<io::Error>);

impl Read for FailedReader {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(err) => Err(err),
            None => Ok(0),
        }
    }
}

impl BufRead for FailedReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self.0.take() {
            Some(err) => Err(err),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, _amt: usize) {}
}

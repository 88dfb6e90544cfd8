//! CSV and TSV exports with a header row, one message a row, the rows of a
//! conversation together (sorted by conversation id, then time). A column
//! mapping names which column holds what; quoted fields may span lines.

use std::io::BufRead;

use csv::StringRecord;

use super::{conversation, role_of, time, ImportError, Imported, Options};
use crate::transcript::{Message, Role};

/// Which header holds what. `role` may be `@customer`: every row has that role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub id: String,
    pub role: String,
    pub text: String,
    /// Optional columns: used when the header has them.
    pub timestamp: String,
    pub intent: String,
    pub confidence: String,
    pub sentiment: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            id: "conversation_id".into(),
            role: "role".into(),
            text: "text".into(),
            timestamp: "timestamp".into(),
            intent: "intent".into(),
            confidence: "confidence".into(),
            sentiment: "sentiment".into(),
        }
    }
}

impl Columns {
    /// MultiDoGO's annotated turns: customer utterances with intents.
    pub fn multidogo() -> Columns {
        Columns {
            id: "conversationId".into(),
            role: "@customer".into(),
            text: "utterance".into(),
            ..Columns::default()
        }
    }

    /// Applies `id=conversationId,text=utterance,role=@customer` over these.
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, column)) = pair.split_once('=') else {
                return Err(format!("{pair:?} is not FIELD=COLUMN (e.g. text=utterance)"));
            };
            let slot = match key.trim() {
                "id" => &mut self.id,
                "role" => &mut self.role,
                "text" => &mut self.text,
                "timestamp" => &mut self.timestamp,
                "intent" => &mut self.intent,
                "confidence" => &mut self.confidence,
                "sentiment" => &mut self.sentiment,
                other => {
                    return Err(format!(
                        "{other:?} is not a field (id, role, text, timestamp, intent, confidence, sentiment)"
                    ))
                }
            };
            *slot = column.trim().to_owned();
        }
        Ok(())
    }
}

/// The columns found in the header.
struct Layout {
    id: usize,
    role: RoleColumn,
    text: usize,
    timestamp: Option<usize>,
    intent: Option<usize>,
    confidence: Option<usize>,
    sentiment: Option<usize>,
}

enum RoleColumn {
    Column(usize, String),
    Every(String),
}

impl Layout {
    fn of(header: &StringRecord, columns: &Columns) -> Result<Layout, String> {
        let find = |name: &str| header.iter().position(|h| h.trim() == name);
        let need = |name: &str| {
            find(name).ok_or_else(|| {
                let found: Vec<&str> = header.iter().collect();
                format!("no column {name:?} in the header (it has: {}); name it with --columns", found.join(", "))
            })
        };
        let id = need(&columns.id)?;
        let role = match columns.role.strip_prefix('@') {
            Some(every) => RoleColumn::Every(every.to_owned()),
            None => RoleColumn::Column(need(&columns.role)?, columns.role.clone()),
        };
        Ok(Layout {
            id,
            role,
            text: need(&columns.text)?,
            timestamp: find(&columns.timestamp),
            intent: find(&columns.intent),
            confidence: find(&columns.confidence),
            sentiment: find(&columns.sentiment),
        })
    }
}

pub fn conversations<'a, R: BufRead + 'a>(
    source_name: String,
    reader: R,
    delimiter: u8,
    options: &'a Options,
) -> impl Iterator<Item = Imported> + 'a {
    let reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).from_reader(reader);
    Rows { source_name, reader, layout: None, options, pending: None, done: false, record: StringRecord::new() }
}

/// One row: its line, its conversation id, and its message or what is wrong with it.
type Row = (usize, String, Result<Message, ImportError>);

struct Rows<'a, R> {
    source_name: String,
    reader: csv::Reader<R>,
    layout: Option<Layout>,
    options: &'a Options,
    /// The first row of the next conversation, already read.
    pending: Option<Row>,
    done: bool,
    record: StringRecord,
}

impl<R: std::io::Read> Rows<'_, R> {
    fn error(&self, line: Option<usize>, problem: impl Into<String>) -> ImportError {
        ImportError::new(&self.source_name, line, problem)
    }

    /// The next row as (line, conversation id, message), `None` at the end.
    fn row(&mut self) -> Option<Result<Row, ImportError>> {
        let layout = self.layout.as_ref()?;
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                let cell = |i: usize| self.record.get(i).unwrap_or("");
                let id = cell(layout.id).trim().to_owned();
                if id.is_empty() {
                    let column = &self.options.columns.id;
                    return Some(Err(self
                        .error(Some(line), "the conversation id is empty")
                        .at(format!("column {column:?}"))));
                }
                Some(Ok((line, id, self.message(line))))
            }
            Err(e) => {
                let line = e.position().map(|p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                Some(Err(self.error(line, format!("unreadable row: {e}"))))
            }
        }
    }

    fn message(&self, line: usize) -> Result<Message, ImportError> {
        let Some(layout) = self.layout.as_ref() else { return Err(self.error(Some(line), "no header")) };
        let cell = |i: usize| self.record.get(i).unwrap_or("");
        let columns = &self.options.columns;
        let (role_name, field) = match &layout.role {
            RoleColumn::Column(i, name) => (cell(*i), format!("column {name:?}")),
            RoleColumn::Every(role) => (role.as_str(), "--columns role".to_owned()),
        };
        let role: Role = role_of(&self.options.roles, role_name, &self.source_name, line, &field)?;
        let mut message = Message::new(role, cell(layout.text));
        if let Some(i) = layout.timestamp {
            message.timestamp = time::from_text(cell(i), self.options.default_zone.as_ref())
                .map_err(|e| self.error(Some(line), e).at(format!("column {:?}", columns.timestamp)))?;
        }
        if let Some(i) = layout.intent {
            // MultiDoGO joins several intents with <div>: the first is the turn's.
            let intent = cell(i).split("<div>").next().unwrap_or("").trim();
            message.intent = (!intent.is_empty()).then(|| intent.to_owned());
        }
        let number = |i: Option<usize>, name: &str, min: f64| -> Result<Option<f64>, ImportError> {
            let Some(text) = i.map(cell).map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
            match text.parse::<f64>() {
                Ok(n) if (min..=1.0).contains(&n) => Ok(Some(n)),
                _ => Err(self
                    .error(Some(line), format!("{text:?} is not a number from {min} to 1"))
                    .at(format!("column {name:?}"))),
            }
        };
        message.confidence = number(layout.confidence, &columns.confidence, 0.0)?;
        message.sentiment = number(layout.sentiment, &columns.sentiment, -1.0)?;
        Ok(message)
    }
}

impl<R: std::io::Read> Iterator for Rows<'_, R> {
    type Item = Imported;

    fn next(&mut self) -> Option<Imported> {
        if self.done {
            return None;
        }
        if self.layout.is_none() {
            let header = match self.reader.headers() {
                Ok(header) => header.clone(),
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.error(Some(1), format!("unreadable header: {e}"))));
                }
            };
            match Layout::of(&header, &self.options.columns) {
                Ok(layout) => self.layout = Some(layout),
                Err(problem) => {
                    self.done = true;
                    return Some(Err(self.error(Some(1), problem).at("header")));
                }
            }
        }
        let (first_line, id, first) = match self.pending.take() {
            Some(row) => row,
            None => match self.row()? {
                Ok(row) => row,
                Err(e) => return Some(Err(e)),
            },
        };
        // The conversation's first problem; its later rows are still consumed.
        let mut failed = first.as_ref().err().cloned();
        let mut messages: Vec<Message> = first.into_iter().collect();
        loop {
            match self.row() {
                None => {
                    self.done = true;
                    break;
                }
                Some(Err(e)) => {
                    failed.get_or_insert(e);
                }
                Some(Ok((_, next_id, message))) if next_id == id => match message {
                    Ok(message) => messages.push(message),
                    Err(e) => {
                        failed.get_or_insert(e);
                    }
                },
                Some(Ok(row)) => {
                    self.pending = Some(row);
                    break;
                }
            }
        }
        if let Some(mut error) = failed {
            error.problem = format!("conversation {id:?} (from line {first_line}): {}", error.problem);
            return Some(Err(error));
        }
        Some(Ok(conversation(id, messages)))
    }
}

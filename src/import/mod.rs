//! Adapters from the transcripts teams have to handoff's conversation schema
//! (`docs/conversations.md`): chat-completion `messages`, CSV and TSV tables,
//! MultiDoGO, ABCD, Zendesk ticket comments and Intercom conversations.
//!
//! Every adapter streams: it holds one conversation (and one record's bytes)
//! at a time, so an export of any size converts in flat memory. A record that
//! cannot be converted is an [`ImportError`] naming its file, line and field;
//! the iteration goes on with the next one.

pub(crate) mod abcd;
pub(crate) mod chat;
pub(crate) mod error;
pub(crate) mod intercom;
pub(crate) mod records;
pub(crate) mod roles;
pub(crate) mod table;
pub mod time;
pub(crate) mod zendesk;

use std::io::BufRead;

pub use error::ImportError;
pub use roles::RoleMap;
pub use table::Columns;

use crate::transcript::Conversation;

/// One converted conversation, or why a record could not be converted.
pub type Imported = Result<Conversation, ImportError>;

/// The formats `handoff import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines of `{"id": ..., "messages": [{"role": "user", "content": ...}]}` or bare message arrays.
    Chat,
    /// CSV with a header row, one message a row.
    Csv,
    /// TSV with a header row, one message a row.
    Tsv,
    /// MultiDoGO's annotated TSV (customer turns with intents).
    Multidogo,
    /// ABCD's JSON conversations (`original`: `[speaker, text]` pairs).
    Abcd,
    /// Zendesk ticket comments (List Comments response with `users`), one ticket a record.
    Zendesk,
    /// Intercom conversations (Retrieve a conversation response), one a record.
    Intercom,
}

impl Format {
    pub const ALL: [Format; 7] =
        [Format::Chat, Format::Csv, Format::Tsv, Format::Multidogo, Format::Abcd, Format::Zendesk, Format::Intercom];

    pub fn name(self) -> &'static str {
        match self {
            Format::Chat => "chat",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Multidogo => "multidogo",
            Format::Abcd => "abcd",
            Format::Zendesk => "zendesk",
            Format::Intercom => "intercom",
        }
    }

    /// The source role names this format writes, and what each becomes.
    pub fn default_roles(self) -> RoleMap {
        match self {
            Format::Chat | Format::Csv | Format::Tsv => RoleMap::chat(),
            Format::Multidogo => RoleMap::chat(),
            Format::Abcd => RoleMap::abcd(),
            Format::Zendesk => RoleMap::zendesk(),
            Format::Intercom => RoleMap::intercom(),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let lowered = s.to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| f.name() == lowered).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format {s:?} (expected one of {})", names.join(", "))
        })
    }
}

/// How a conversion reads its input.
#[derive(Debug, Clone)]
pub struct Options {
    /// Source role names (case-insensitive) to handoff roles.
    pub roles: RoleMap,
    /// The zone of timestamps written without an offset.
    pub default_zone: Option<jiff::tz::TimeZone>,
    /// Which table columns hold what (CSV and TSV).
    pub columns: Columns,
}

impl Options {
    /// The format's defaults: its role names, no default zone, its columns.
    pub fn for_format(format: Format) -> Options {
        let columns = match format {
            Format::Multidogo => Columns::multidogo(),
            _ => Columns::default(),
        };
        Options { roles: format.default_roles(), default_zone: None, columns }
    }
}

/// The conversations in `reader` (named `source_name` in errors), one at a time.
pub fn conversations<'a, R: BufRead + 'a>(
    format: Format,
    source_name: &str,
    reader: R,
    options: &'a Options,
) -> Box<dyn Iterator<Item = Imported> + 'a> {
    let source = source_name.to_owned();
    match format {
        Format::Chat => Box::new(json_records(source, reader, false, options, chat::convert)),
        Format::Csv => Box::new(table::conversations(source, reader, b',', options)),
        Format::Tsv | Format::Multidogo => Box::new(table::conversations(source, reader, b'\t', options)),
        Format::Abcd => Box::new(json_records(source, reader, true, options, abcd::convert)),
        Format::Zendesk => Box::new(json_records(source, reader, true, options, zendesk::convert)),
        Format::Intercom => Box::new(json_records(source, reader, true, options, intercom::convert)),
    }
}

/// A conversation id as exports write it: a non-empty string or a number.
pub fn id_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A new conversation with no attributes.
pub fn conversation(id: String, messages: Vec<crate::transcript::Message>) -> Conversation {
    Conversation {
        id,
        channel: None,
        customer: serde_json::Map::new(),
        metadata: serde_json::Map::new(),
        messages,
        expect: None,
    }
}

/// Parses one JSON record, or says where it is broken.
pub fn parse_record(source_name: &str, record: &records::Record) -> Result<serde_json::Value, ImportError> {
    serde_json::from_slice(&record.bytes).map_err(|e| {
        let line = record.line.saturating_add(e.line()).saturating_sub(1);
        ImportError::new(source_name, Some(line), format!("invalid JSON: {e}"))
    })
}

/// The role a source name maps to, or an error naming the field and the known names.
pub fn role_of(
    roles: &RoleMap,
    name: &str,
    source_name: &str,
    line: usize,
    field: &str,
) -> Result<crate::transcript::Role, ImportError> {
    roles.get(name).ok_or_else(|| {
        ImportError::new(source_name, Some(line), format!("unknown role {name:?}")).at(field).with_help(format!(
            "known here: {}; map others with --roles {}=customer (or bot, agent, system)",
            roles.known(),
            name.to_lowercase()
        ))
    })
}

/// How a JSON adapter turns one parsed record (from `source`, starting at
/// `line`) into a conversation.
pub type Convert = fn(&str, usize, serde_json::Value, &Options) -> Imported;

/// The records of a JSON export (JSON Lines, or with `unwrap_array` the
/// elements of a top-level array) through `convert`, one at a time. A record
/// that is not JSON, or that the stream fails in, is an error for that record.
fn json_records<'a, R: BufRead + 'a>(
    source_name: String,
    reader: R,
    unwrap_array: bool,
    options: &'a Options,
    convert: Convert,
) -> impl Iterator<Item = Imported> + 'a {
    records::JsonRecords::new(reader, unwrap_array).map(move |record| {
        let record = record.map_err(|e| ImportError::new(&source_name, None, format!("cannot read: {e}")))?;
        let value = parse_record(&source_name, &record)?;
        convert(&source_name, record.line, value, options)
    })
}

/// The text of a platform's HTML message body: tags dropped (a paragraph or
/// line break becomes a newline), the common entities decoded.
pub fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some((before, after)) = rest.split_once('<') {
        text.push_str(before);
        let Some((tag, after_tag)) = after.split_once('>') else {
            rest = after;
            text.push('<');
            break;
        };
        let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        if ["br", "p", "div", "li"].iter().any(|n| n.eq_ignore_ascii_case(name))
            && !text.is_empty()
            && !text.ends_with('\n')
        {
            text.push('\n');
        }
        rest = after_tag;
    }
    text.push_str(rest);
    let decoded = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.trim().to_owned()
}

/// How many records a conversion converted and rejected; they add up to the
/// records read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub converted: u64,
    pub rejected: u64,
}

/// Writes each converted conversation as one JSON Lines line to `out` and
/// hands each rejected record to `on_error`; one conversation in memory at a time.
pub fn write_json_lines<W: std::io::Write>(
    items: impl Iterator<Item = Imported>,
    out: &mut W,
    mut on_error: impl FnMut(&ImportError),
) -> std::io::Result<Counts> {
    let mut counts = Counts::default();
    for item in items {
        match item {
            Ok(conversation) => {
                serde_json::to_writer(&mut *out, &conversation)?;
                out.write_all(b"\n")?;
                counts.converted += 1;
            }
            Err(error) => {
                on_error(&error);
                counts.rejected += 1;
            }
        }
    }
    Ok(counts)
}

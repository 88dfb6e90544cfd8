//! A context file's JSON read with where each key and value is, which serde does not
//! keep: serde_json checks the text first (syntax, nesting), then this small reader
//! walks the objects a context has (the context, its queues, each queue's status)
//! and skips anything deeper.

use miette::SourceSpan;

use super::context::{ContextProblem, Written, WrittenField};

/// How deep objects are read: the context, `queues`, and a queue's status.
const OBJECT_DEPTH: usize = 3;

/// The context's fields, or the problem that stops reading the text as one.
pub fn fields(text: &str) -> Result<Vec<WrittenField>, ContextProblem> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        let at = offset_of(text, e.line(), e.column());
        return Err(ContextProblem {
            message: format!("this context is not JSON: {}", without_position(&e.to_string())),
            span: SourceSpan::from((at, 0)),
            label: "here".into(),
            help: Some("a context file is a JSON object such as {\"now\": \"2026-03-02T10:15:00Z\"}".into()),
        });
    }
    let mut reader = Reader { text, at: 0 };
    reader.space();
    let start = reader.at;
    match reader.value(1) {
        Some((Written::Object(fields), _)) => Ok(fields),
        _ => Err(ContextProblem {
            message: "a context is a JSON object".into(),
            span: SourceSpan::from((start, reader.at.saturating_sub(start))),
            label: "not an object".into(),
            help: Some("write {\"now\": \"2026-03-02T10:15:00Z\", \"queues\": {...}}".into()),
        }),
    }
}

/// serde_json's message without its " at line L column C", which the label shows.
fn without_position(message: &str) -> &str {
    message.rfind(" at line ").map_or(message, |i| message.get(..i).unwrap_or(message))
}

/// The byte offset of a 1-based line and column (serde_json's), within the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// A value and its span; objects deeper than [`OBJECT_DEPTH`] are skipped.
    fn value(&mut self, depth: usize) -> Option<(Written, SourceSpan)> {
        self.space();
        let start = self.at;
        let written = match self.peek()? {
            b'{' if depth <= OBJECT_DEPTH => Written::Object(self.object(depth)?),
            b'{' | b'[' => {
                self.skip_nested()?;
                Written::Other
            }
            b'"' => Written::String(self.string()?),
            b't' | b'f' | b'n' => {
                let word: String = self.text.get(start..)?.chars().take_while(char::is_ascii_alphabetic).collect();
                self.at += word.len();
                match word.as_str() {
                    "true" | "false" => Written::Bool,
                    _ => Written::Other,
                }
            }
            _ => {
                let number: String = self
                    .text
                    .get(start..)?
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
                    .collect();
                self.at += number.len();
                number.parse().map_or(Written::Other, Written::Number)
            }
        };
        Some((written, SourceSpan::from((start, self.at - start))))
    }

    fn object(&mut self, depth: usize) -> Option<Vec<WrittenField>> {
        self.eat(b'{')?;
        let mut fields = Vec::new();
        if self.eat(b'}').is_some() {
            return Some(fields);
        }
        loop {
            self.space();
            let key_start = self.at;
            let key = self.string()?;
            let key_span = SourceSpan::from((key_start, self.at - key_start));
            self.eat(b':')?;
            let (value, value_span) = self.value(depth + 1)?;
            fields.push(WrittenField { key, key_span, value, value_span });
            if self.eat(b',').is_none() {
                self.eat(b'}')?;
                return Some(fields);
            }
        }
    }

    /// A string literal, decoded by serde_json.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        if bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut i = start + 1;
        loop {
            match bytes.get(i)? {
                b'\\' => i += 2,
                b'"' => break,
                _ => i += 1,
            }
        }
        self.at = i + 1;
        serde_json::from_str(self.text.get(start..self.at)?).ok()
    }

    /// Skips a list or an object, however deep, without recursion.
    fn skip_nested(&mut self) -> Option<()> {
        let mut open = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => open += 1,
                b'}' | b']' => {
                    open = open.checked_sub(1)?;
                    if open == 0 {
                        self.at += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(fields: &[WrittenField], text: &str) -> Vec<String> {
        fields
            .iter()
            .map(|f| {
                let at = f.key_span.offset()..f.key_span.offset() + f.key_span.len();
                text.get(at).unwrap_or_default().to_string()
            })
            .collect()
    }

    #[test]
    fn keys_and_values_are_located() {
        let text = "{\n  \"now\": \"2026-03-02T10:15:00\",\n  \"queues\": {\"gen\\u0065ral\": {\"open\": false, \"x\": [1, {\"a\": \"]\"}]}},\n  \"deep\": {\"a\": {\"b\": {\"c\": {}}}}\n}";
        let fields = fields(text).unwrap_or_default();
        assert_eq!(keys(&fields, text), ["\"now\"", "\"queues\"", "\"deep\""]);
        let Some(Written::Object(queues)) = fields.get(1).map(|f| &f.value) else { panic!("{fields:?}") };
        assert_eq!(queues.first().map(|q| q.key.as_str()), Some("general"));
        let Some(Written::Object(status)) = queues.first().map(|q| &q.value) else { panic!("{queues:?}") };
        assert!(matches!(status.first().map(|f| &f.value), Some(Written::Bool)));
        assert_eq!(keys(status, text), ["\"open\"", "\"x\""]);
    }

    #[test]
    fn text_that_is_not_json_is_located_where_it_stops() {
        let text = "{\n  \"now\": \"2026-03-02T10:15:00Z\",\n}";
        let problem = fields(text).err();
        assert_eq!(problem.map(|p| p.span.offset()), Some(text.len() - 1));
        assert!(fields("[1]").is_err());
    }
}

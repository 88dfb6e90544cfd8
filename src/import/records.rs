//! Splits a JSON export into records without parsing it whole: JSON Lines
//! (or any whitespace-separated values), or the elements of one top-level
//! array. Only the current record's bytes are held, so memory stays flat
//! whatever the size of the export.

use std::io::{self, BufRead};

/// One record's bytes and the line it starts on.
#[derive(Debug)]
pub struct Record {
    pub line: usize,
    pub bytes: Vec<u8>,
}

/// Yields each top-level value (or, with `unwrap_array`, each element of a
/// top-level array) of a JSON stream.
pub struct JsonRecords<R> {
    reader: R,
    unwrap_array: bool,
    line: usize,
    started: bool,
    inside_array: bool,
    done: bool,
}

impl<R: BufRead> JsonRecords<R> {
    pub fn new(reader: R, unwrap_array: bool) -> Self {
        JsonRecords { reader, unwrap_array, line: 1, started: false, inside_array: false, done: false }
    }

    /// The next byte, without consuming it.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.reader.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn bump(&mut self) -> io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(b) = byte {
            self.reader.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    /// Skips whitespace, a byte-order mark, and (inside an array) commas.
    fn skip_separators(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() || (self.inside_array && b == b',') => {
                    self.bump()?;
                }
                Some(0xEF) if !self.started => {
                    for _ in 0..3 {
                        self.bump()?;
                    }
                }
                other => return Ok(other),
            }
        }
    }

    /// Reads one value's bytes: a container to its matching close, a scalar
    /// to the next separator.
    fn value(&mut self) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let mut depth = 0_usize;
        let mut in_string = false;
        let mut escaped = false;
        while let Some(b) = self.peek()? {
            if depth == 0 && !in_string && !bytes.is_empty() {
                let scalar_end = b.is_ascii_whitespace() || b == b',' || b == b']' || b == b'[' || b == b'{';
                let container_done = matches!(bytes.first(), Some(b'{' | b'['));
                if container_done || scalar_end {
                    break;
                }
            }
            self.bump()?;
            bytes.push(b);
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && matches!(b, b'}' | b']') {
                break;
            }
        }
        Ok(bytes)
    }
}

impl<R: BufRead> Iterator for JsonRecords<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = (|| {
            let mut first = self.skip_separators()?;
            if !self.started {
                self.started = true;
                if self.unwrap_array && first == Some(b'[') {
                    self.bump()?;
                    self.inside_array = true;
                    first = self.skip_separators()?;
                }
            }
            if self.inside_array && first == Some(b']') {
                self.bump()?;
                self.inside_array = false;
                first = self.skip_separators()?;
            }
            if first.is_none() {
                return Ok(None);
            }
            let line = self.line;
            Ok(Some(Record { line, bytes: self.value()? }))
        })();
        match step {
            Ok(Some(record)) => Some(Ok(record)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, unwrap: bool) -> Vec<(usize, String)> {
        JsonRecords::new(text.as_bytes(), unwrap)
            .map(|r| r.map(|r| (r.line, String::from_utf8(r.bytes).unwrap())).unwrap())
            .collect()
    }

    #[test]
    fn splits_lines_and_arrays() {
        assert_eq!(
            split("{\"a\":1}\n\n{\"b\":\"}\\\"]\"}\n", false),
            [(1, "{\"a\":1}".into()), (3, "{\"b\":\"}\\\"]\"}".into())]
        );
        assert_eq!(
            split("[\n {\"a\":[1,2]},\n {\"b\":2}\n]\n", true),
            [(2, "{\"a\":[1,2]}".into()), (3, "{\"b\":2}".into())]
        );
        // Without unwrapping, an array is one record.
        assert_eq!(split("[1, 2]\n[3]", false), [(1, "[1, 2]".into()), (2, "[3]".into())]);
        assert_eq!(split("  ", true), []);
    }
}

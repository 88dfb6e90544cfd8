//! Byte offsets (the checker's spans) to LSP positions (lines and UTF-16 code units) and back.

use lsp_types::{Position, Range};
use miette::SourceSpan;

/// Where each line of a text starts, for converting offsets in both directions.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// The byte offset of each line's first character; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { starts }
    }

    /// The position of a byte offset (clamped to the text and to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column: usize = text.get(start..offset).unwrap_or("").chars().map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of a position. A column past the end of its line means the end
    /// of the line, and a line past the end of the text the end of the text.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return text.len() };
        let mut units = 0usize;
        let rest = text.get(start..).unwrap_or("");
        for (i, c) in rest.char_indices() {
            if c == '\n' || c == '\r' || units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    }

    pub fn range(&self, text: &str, span: SourceSpan) -> Range {
        Range::new(self.position(text, span.offset()), self.position(text, span.offset() + span.len()))
    }

    /// The byte range of an LSP range, start first.
    pub fn span(&self, text: &str, range: Range) -> (usize, usize) {
        let (a, b) = (self.offset(text, range.start), self.offset(text, range.end));
        (a.min(b), a.max(b))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_columns_count_utf16_units() {
        // é is 2 bytes and 1 unit; 😀 is 4 bytes and 2 units.
        let text = "ab\né😀x\nlast";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(lines.position(text, x), Position::new(1, 3));
        assert_eq!(lines.offset(text, Position::new(1, 3)), x);
        assert_eq!(lines.position(text, text.len()), Position::new(2, 4));
        // Inside the emoji's bytes: the start of the emoji.
        assert_eq!(lines.position(text, x - 2), Position::new(1, 1));
        // Past the line's end: the end of the line; past the last line: the end.
        assert_eq!(lines.offset(text, Position::new(0, 99)), 2);
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
    }
}

//! Splitting a Markdown file into its TOML front-matter and body, keeping byte ranges so that
//! TOML errors point at the file's own lines.

use std::ops::Range;

/// Where the front-matter and the body are in a file's text.
#[derive(Debug, PartialEq, Eq)]
pub struct Split {
    /// The TOML between the two `+++` lines.
    pub toml: Range<usize>,
    /// Everything after the closing `+++` line.
    pub body: Range<usize>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `+++` line.
    Missing,
    /// The opening `+++` has no closing line.
    Unterminated,
}

impl SplitError {
    pub fn message(&self) -> &'static str {
        match self {
            SplitError::Missing => {
                "a release must start with TOML front-matter: a line `+++`, the keys, and a closing line `+++`"
            }
            SplitError::Unterminated => {
                "the front-matter opened here is never closed by a line `+++`"
            }
        }
    }
}

/// Find the front-matter of `text`. A byte-order mark before the first `+++` is allowed.
pub fn split(text: &str) -> Result<Split, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = LineRanges { text, pos: start };
    let first = lines.next().ok_or(SplitError::Missing)?;
    if line_text(text, &first) != "+++" {
        return Err(SplitError::Missing);
    }
    let toml_start = first.end;
    for line in lines {
        if line_text(text, &line) == "+++" {
            return Ok(Split {
                toml: toml_start..line.start,
                body: line.end..text.len(),
            });
        }
    }
    Err(SplitError::Unterminated)
}

/// The text of a line without its line ending (and trailing spaces, which editors leave).
fn line_text<'a>(text: &'a str, line: &Range<usize>) -> &'a str {
    text[line.clone()].trim_end()
}

/// Byte ranges of lines, each including its `\n`.
struct LineRanges<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for LineRanges<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i + 1);
        self.pos = end;
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_offsets() {
        let text = "+++\ntitle = \"a\"\n+++\nBody\n";
        let split = split(text).unwrap();
        assert_eq!(&text[split.toml.clone()], "title = \"a\"\n");
        assert_eq!(&text[split.body], "Body\n");
    }

    #[test]
    fn accepts_crlf_and_bom() {
        let text = "\u{feff}+++\r\ntitle = \"a\"\r\n+++\r\nBody";
        let split = split(text).unwrap();
        assert_eq!(&text[split.toml], "title = \"a\"\r\n");
        assert_eq!(&text[split.body], "Body");
    }

    #[test]
    fn reports_missing_and_unterminated() {
        assert_eq!(split("# Title\n"), Err(SplitError::Missing));
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("+++\ntitle = \"a\"\n"), Err(SplitError::Unterminated));
    }
}

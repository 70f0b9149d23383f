//! Errors in a site's input, each tagged with the file, line and column it was found at.
//!
//! Bad input is the one failure the program branches on (exit 1, report every problem): the
//! library's one error type, [`Error`], has a variant for it.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// One problem in the site's input, at `path:line:column` (path relative to the site root,
/// line and column counted from 1, the column in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl SourceError {
    pub fn new(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        SourceError {
            path: path.into(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error at a byte offset of `text`, the whole content of the file at `path`.
    pub fn at_offset(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        SourceError::new(path, line, column, message)
    }
}

impl fmt::Display for SourceError {
    /// File names and quoted values come from the site: shown escaped, one error per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            escape_controls(&self.path.display().to_string()),
            self.line,
            self.column,
            escape_controls(&self.message)
        )
    }
}

/// A file of the site that was skipped (not read): the site builds without it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceWarning {
    /// Relative to the site root.
    pub path: PathBuf,
    pub message: String,
}

impl SourceWarning {
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        SourceWarning {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SourceWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: warning: {}",
            escape_controls(&self.path.display().to_string()),
            escape_controls(&self.message)
        )
    }
}

/// `text` with every character that could change what a terminal shows written as an escape
/// (`\n`, `\u{1b}`): control characters, and the invisible marks that reorder a line or break
/// it. A file name or a value from the site, printed raw, could otherwise forge error lines
/// or clear the screen. Other characters (Hangul among them) stay as they are.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
            }
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Left-to-right and right-to-left marks, embeddings, overrides and isolates; line
            // and paragraph separators.
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// What the library's commands fail with. Bad input is the one failure a caller branches on
/// (exit 1, every problem reported at its place), so it is a variant of its own; everything
/// else (a refused output folder, I/O outside the site's files) is `Other`, with its causes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Every problem found in one run over the site, sorted by place, without repeats.
    #[error("{}", lines(.0))]
    Site(Vec<SourceError>),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The library's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `Ok(())` when no problem was collected, else all of them as one error.
    pub fn if_any(errors: Vec<SourceError>) -> Result<()> {
        if errors.is_empty() {
            return Ok(());
        }
        Err(errors.into())
    }

    /// The problems in the site's files, if that is what this error is.
    pub fn site_errors(&self) -> Option<&[SourceError]> {
        match self {
            Error::Site(errors) => Some(errors),
            Error::Other(_) => None,
        }
    }
}

/// Problems collected while reading or checking, turned into an [`Error`] with `?`.
impl From<Vec<SourceError>> for Error {
    fn from(mut errors: Vec<SourceError>) -> Self {
        errors.sort();
        errors.dedup();
        Error::Site(errors)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error::Other(error.into())
    }
}

fn lines(errors: &[SourceError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// [`line_column`] of each of `offsets`, in their order, reading `text` once: a release with
/// thousands of problems must not read its text from the start for each.
pub fn line_columns(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut found = vec![(1, 1); offsets.len()];
    // Where the walk is: a byte offset of `text` and its line and column.
    let (mut at, mut line, mut column) = (0, 1, 1);
    for i in order {
        let mut offset = offsets[i].min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let between = &text[at..offset];
        match between.rfind('\n') {
            Some(last) => {
                line += between.matches('\n').count();
                column = between[last + 1..].chars().count() + 1;
            }
            None => column += between.chars().count(),
        }
        at = offset;
        found[i] = (line, column);
    }
    found
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// " (did you mean `x`?)" or nothing.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_from_one() {
        let text = "ab\n가나다x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        // "가나다" is 9 bytes; x is the fourth character of line 2.
        assert_eq!(line_column(text, 12), (2, 4));
        assert_eq!(line_column(text, 999), (3, 1));
    }

    #[test]
    fn many_offsets_at_once_are_what_each_alone_is() {
        let text = "ab\n가나다x\n\n한 줄 more\nend";
        let offsets: Vec<usize> = (0..=text.len() + 2).rev().chain([4, 0, 12]).collect();
        let each: Vec<_> = offsets.iter().map(|&o| line_column(text, o)).collect();
        assert_eq!(line_columns(text, &offsets), each);
    }

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(did_you_mean("titel", ["title", "date"]), Some("title"));
        assert_eq!(did_you_mean("zzz", ["title", "date"]), None);
    }

    #[test]
    fn control_characters_are_escaped_and_other_text_kept() {
        assert_eq!(
            escape_controls("외교부 press-releases"),
            "외교부 press-releases"
        );
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\nb\r\tc\u{1b}[31m\u{7f}\u{9b}\u{202e}d"),
            "a\\nb\\r\\tc\\u{1b}[31m\\u{7f}\\u{9b}\\u{202e}d"
        );
        let error = SourceError::new("content/a\nb.md", 1, 2, "name `a\nb`");
        assert_eq!(
            error.to_string(),
            "content/a\\nb.md:1:2: error: name `a\\nb`"
        );
        let warning = SourceWarning::new("static/\u{1b}x", "skipped");
        assert_eq!(warning.to_string(), "static/\\u{1b}x: warning: skipped");
    }

    #[test]
    fn errors_are_sorted_and_deduplicated() {
        let a = SourceError::new("b.md", 1, 1, "x");
        let b = SourceError::new("a.md", 2, 1, "y");
        let err = Error::if_any(vec![a.clone(), b.clone(), a.clone()]).unwrap_err();
        assert_eq!(err.site_errors(), Some(&[b, a][..]));
        assert_eq!(err.to_string().lines().count(), 2);
    }
}

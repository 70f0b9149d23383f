//! What the Markdown stage reports to the editor instead of showing it.

/// Something of the Markdown left out of the page because it is not safe to show: the editor
/// must mend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownProblem {
    /// Byte offset in the Markdown text, as [`super::Link::offset`].
    pub offset: usize,
    pub message: String,
}

//! Site search without a server: at build time, one index per language over title, summary,
//! topic names and body text, written as JSON shards under `search/<lang>/` that
//! `static/theme/search.js` fetches on demand from the `/<lang>/search/` page.

pub mod index;
pub mod tokenize;

use rayon::prelude::*;

use crate::i18n;
use crate::model::{ReleaseId, Site};
use crate::output::OutputFile;
use crate::urls::Urls;
use index::IndexBuilder;
pub use index::{SearchDoc, SearchIndex};

/// The folder of every language's index under the output root.
pub const INDEX_ROOT: &str = "search/";

/// The folder of a language's index under the output root: `search/ko/`.
pub fn index_dir(code: &str) -> String {
    format!("{INDEX_ROOT}{code}/")
}

/// The releases of language `lang` as search documents, numbered newest first.
pub fn documents(site: &Site, urls: &Urls<'_>, lang: usize) -> Vec<SearchDoc> {
    let format = i18n::date_format(&site.config.languages[lang]);
    site.by_language[lang]
        .par_iter()
        .map(|&id| document(site, urls, lang, &format, id))
        .collect()
}

/// Release `id` in language `lang` as a search document; `date_format` is the language's.
fn document(
    site: &Site,
    urls: &Urls<'_>,
    lang: usize,
    date_format: &str,
    id: ReleaseId,
) -> SearchDoc {
    let release = &site.releases[id];
    let date = i18n::date_view(&release.date, date_format);
    SearchDoc {
        title: release.title.clone(),
        url: urls.link(&urls.release(id)),
        date: date.display,
        datetime: date.iso,
        section: site.sections[site.release_section[id]].title.clone(),
        summary: release.summary.clone(),
        topics: release
            .topics
            .iter()
            .map(|&t| site.config.topics[t].names[lang].clone())
            .collect(),
        text: html_to_text(&release.body.html),
    }
}

/// Every language's index files.
pub fn output_files(site: &Site, urls: &Urls<'_>) -> Vec<OutputFile> {
    files_by_language(site, urls).flatten().collect()
}

/// Each language's index files, one language at a time: an index holds every release's text,
/// so a build makes one, writes it and lets it go before it makes the next.
pub fn files_by_language<'a>(
    site: &'a Site,
    urls: &'a Urls<'_>,
) -> impl Iterator<Item = Vec<OutputFile>> + 'a {
    (0..site.config.languages.len()).map(move |lang| language_files(site, urls, lang))
}

/// Releases made into search documents and indexed in one go: a few megabytes of text.
const DOCS_PER_BATCH: usize = 512;

/// The index files of language `lang`, under [`index_dir`]. The documents are made, indexed
/// and written to their files a batch at a time, and only their files are kept.
pub fn language_files(site: &Site, urls: &Urls<'_>, lang: usize) -> Vec<OutputFile> {
    let format = i18n::date_format(&site.config.languages[lang]);
    let dir = index_dir(&site.config.languages[lang].code);
    let releases = &site.by_language[lang];
    let mut builder = IndexBuilder::default();
    let mut doc_files = Vec::with_capacity(releases.len());
    for batch in releases.chunks(DOCS_PER_BATCH) {
        let docs: Vec<SearchDoc> = batch
            .par_iter()
            .map(|&id| document(site, urls, lang, &format, id))
            .collect();
        doc_files.extend(builder.add(&docs, |n, doc| index::doc_file(&dir, n, doc)));
    }
    builder.finish().files_around(&dir, doc_files)
}

/// Tags that end a block of text: replaced by a space so words on either side stay apart.
fn is_block_tag(name: &str) -> bool {
    const BLOCK_TAGS: [&str; 20] = [
        "p",
        "br",
        "li",
        "ol",
        "ul",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "tr",
        "table",
        "blockquote",
        "pre",
        "div",
        "hr",
        "dd",
    ];
    BLOCK_TAGS.iter().any(|tag| tag.eq_ignore_ascii_case(name))
}

/// The text of rendered HTML, whitespace folded. The HTML is the Markdown renderer's or
/// ammonia's: well formed, with only the entities they write.
pub fn html_to_text(html: &str) -> String {
    let mut text = FoldedText::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_text(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let name = rest[start + 1..end]
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("");
        if is_block_tag(name) {
            text.space();
        }
        rest = &rest[end..];
    }
    text.push_text(rest);
    text.text
}

/// Text with every run of white space as one space, none at either end.
struct FoldedText {
    text: String,
    /// White space was seen since the last word.
    space: bool,
}

impl FoldedText {
    fn with_capacity(capacity: usize) -> Self {
        FoldedText {
            text: String::with_capacity(capacity),
            space: false,
        }
    }

    fn space(&mut self) {
        self.space = true;
    }

    /// Append a word, or a part of one (nothing if empty).
    fn push_word(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        if self.space && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.space = false;
        self.text.push_str(word);
    }

    /// Append text between tags: character references decoded, white space folded.
    fn push_text(&mut self, text: &str) {
        let mut rest = text;
        while let Some((at, c)) = next_special(rest) {
            self.push_word(&rest[..at]);
            let (c, len) = match c {
                '&' => decode_entity(&rest[at..]),
                c => (c, c.len_utf8()),
            };
            self.push(c);
            rest = &rest[at + len..];
        }
        self.push_word(rest);
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.space();
        } else {
            self.push_word(c.encode_utf8(&mut [0; 4]));
        }
    }
}

/// The first reference or white space character of `text`, and where it starts. Looked for a
/// byte at a time: white space beyond ASCII starts with one of four bytes in UTF-8, so most
/// characters (a Hangul syllable above all) are passed over without being decoded.
fn next_special(text: &str) -> Option<(usize, char)> {
    text.bytes().enumerate().find_map(|(at, byte)| match byte {
        b'&' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0xC2 | 0xE1..=0xE3 => {
            let c = text[at..].chars().next()?;
            (c == '&' || c.is_whitespace()).then_some((at, c))
        }
        _ => None,
    })
}

/// The character a reference at the start of `text` (`&amp;`, `&#39;`, `&#x41;`) stands for,
/// and its length; a lone `&` is itself.
fn decode_entity(text: &str) -> (char, usize) {
    let entity = text.as_bytes()[..text.len().min(11)]
        .iter()
        .position(|&b| b == b';')
        .map(|end| &text[1..end]);
    let decoded = entity.and_then(|name| match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => name
            .strip_prefix("#x")
            .or_else(|| name.strip_prefix("#X"))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    });
    match (entity, decoded) {
        (Some(name), Some(c)) => (c, name.len() + 2),
        _ => ('&', 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_ampersand_stays_even_before_korean_or_a_far_semicolon() {
        assert_eq!(
            html_to_text("R&D &한국어; a&verylongname;"),
            "R&D &한국어; a&verylongname;"
        );
        assert_eq!(html_to_text("&amp"), "&amp");
    }

    #[test]
    fn runs_of_white_space_fold_wherever_they_are() {
        for (html, text) in [
            (" a b  c \n d\u{3000} e \u{00A0}f ", "a b c d e f"),
            ("a <em>b</em> c<br>d", "a b c d"),
            (
                "외교부는 <strong>오늘</strong>  발표했다 ",
                "외교부는 오늘 발표했다",
            ),
            ("  ", ""),
            ("x &amp; y", "x & y"),
            ("a &nbsp;b", "a b"),
            ("a &#32; b&#10;c", "a b c"),
        ] {
            assert_eq!(html_to_text(html), text, "{html:?}");
        }
    }

    /// What [`next_special`] relies on.
    #[test]
    fn every_white_space_character_starts_with_a_byte_that_is_looked_at() {
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
        {
            let text = c.to_string();
            assert_eq!(next_special(&text), Some((0, c)), "{c:?}");
            assert_eq!(next_special(&format!("외교{text}")), Some((6, c)), "{c:?}");
        }
    }

    #[test]
    fn unicode_white_space_folds_and_other_characters_stay() {
        let html =
            "a\u{00A0}b\u{3000}c\u{2003}d\u{0085}e\u{000B}f \u{00E9}\u{1100}\u{E000}\u{2010}g";
        assert_eq!(
            html_to_text(html),
            "a b c d e f \u{00E9}\u{1100}\u{E000}\u{2010}g"
        );
    }

    #[test]
    fn html_becomes_text_with_blocks_apart_and_entities_decoded() {
        let html = "<h2 id=\"a\">주요 내용</h2>\n<ol><li><p>외교부<strong>는</strong> 발표</p></li>\
                    <li>Tom &amp; Jerry &lt;3 &#39;x&#39; &#x41;&nbsp;B &bogus; R&D</li></ol>";
        assert_eq!(
            html_to_text(html),
            "주요 내용 외교부는 발표 Tom & Jerry <3 'x' A B &bogus; R&D"
        );
    }
}

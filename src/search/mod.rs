//! Site search without a server: at build time, one index per language over title, summary,
//! topic names and body text, written as JSON shards under `search/<lang>/` that
//! `static/theme/search.js` fetches on demand from the `/<lang>/search/` page.

pub mod index;
pub mod tokenize;

use rayon::prelude::*;

use crate::model::Site;
use crate::render::OutputFile;
use crate::render::i18n;
use crate::render::urls::Urls;
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
        .map(|&id| {
            let release = &site.releases[id];
            let date = i18n::date_view(&release.date, &format);
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
        })
        .collect()
}

/// Every language's index files.
pub fn output_files(site: &Site, urls: &Urls<'_>) -> Vec<OutputFile> {
    (0..site.config.languages.len())
        .into_par_iter()
        .flat_map_iter(|lang| {
            let docs = documents(site, urls, lang);
            let dir = index_dir(&site.config.languages[lang].code);
            SearchIndex::build(&docs).files(&dir, &docs)
        })
        .collect()
}

/// Tags that end a block of text: replaced by a space so words on either side stay apart.
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

/// The text of rendered HTML, whitespace folded. The HTML is the Markdown renderer's or
/// ammonia's: well formed, with only the entities they write.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        decode_entities(&rest[..start], &mut text);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let name = rest[start + 1..end]
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("");
        if BLOCK_TAGS.iter().any(|tag| tag.eq_ignore_ascii_case(name)) {
            text.push(' ');
        }
        rest = &rest[end..];
    }
    decode_entities(rest, &mut text);
    fold_whitespace(&text)
}

/// Runs of white space as one space, none at either end.
fn fold_whitespace(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    folded
}

/// Append `text` to `out` with its character references decoded.
fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let entity = after.find(';').filter(|&e| e <= 10).map(|e| &after[1..e]);
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
            (Some(name), Some(c)) => {
                out.push(c);
                rest = &after[name.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

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

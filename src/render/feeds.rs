//! Atom 1.0 feeds: one per language (`<lang>/atom.xml`, its newest releases) and one per topic
//! per language (`<lang>/topics/<key>/atom.xml`), with full content and absolute URLs.
//!
//! Written in Rust rather than as a Tera template: a feed is a machine format whose validity we
//! promise, a site's own template could not improve it but could break it, and escaping every
//! value here is one small function instead of trusting autoescape rules made for HTML.

use std::fmt::Write as _;

use jiff::ZonedDateTime;

use super::views::Shared;
use crate::i18n::iso;
use crate::model::{ReleaseId, Site};
use crate::output::OutputFile;
use crate::urls::Urls;

/// How many releases a feed carries, newest first.
pub const FEED_ENTRIES: usize = 20;

/// `ko/atom.xml`: the feed of a language.
pub fn language_feed_path(urls: &Urls<'_>, lang: usize) -> String {
    format!("{}atom.xml", urls.home(lang))
}

/// `ko/topics/dprk/atom.xml`: the feed of a topic in a language.
pub fn topic_feed_path(urls: &Urls<'_>, lang: usize, topic: usize) -> String {
    format!("{}atom.xml", urls.topic(lang, topic, 1))
}

/// A feed's title: the site's title in that language, after the topic's name for a topic.
pub fn feed_title(site: &Site, lang: usize, topic: Option<usize>) -> String {
    let title = &site.config.languages[lang].title;
    match topic {
        Some(topic) => format!("{} | {title}", site.config.topics[topic].names[lang]),
        None => title.clone(),
    }
}

/// Every feed of the site.
pub fn files(shared: &Shared<'_>) -> Vec<OutputFile> {
    let site = shared.site;
    let urls = &shared.urls;
    let mut files = Vec::new();
    for lang in 0..site.config.languages.len() {
        let feed = Feed {
            lang,
            topic: None,
            path: language_feed_path(urls, lang),
            page: urls.home(lang),
            releases: &site.by_language[lang],
        };
        files.push(feed.render(shared));
        for topic in 0..site.config.topics.len() {
            let feed = Feed {
                lang,
                topic: Some(topic),
                path: topic_feed_path(urls, lang, topic),
                page: urls.topic(lang, topic, 1),
                releases: &site.by_topic[lang][topic],
            };
            files.push(feed.render(shared));
        }
    }
    files
}

struct Feed<'a> {
    lang: usize,
    topic: Option<usize>,
    /// The feed's own path under the output root.
    path: String,
    /// The page the feed mirrors.
    page: String,
    /// Newest first.
    releases: &'a [ReleaseId],
}

impl Feed<'_> {
    fn render(&self, shared: &Shared<'_>) -> OutputFile {
        let site = shared.site;
        let urls = &shared.urls;
        let language = &site.config.languages[self.lang];
        let entries = &self.releases[..self.releases.len().min(FEED_ENTRIES)];
        let mut xml = String::with_capacity(8 * 1024 + entries.len() * 8 * 1024);
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        let _ = writeln!(
            xml,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
            escape(&language.code)
        );
        let self_url = urls.permalink(&self.path);
        let _ = writeln!(xml, "<id>{}</id>", escape(&self_url));
        let _ = writeln!(
            xml,
            "<title>{}</title>",
            escape(&feed_title(site, self.lang, self.topic))
        );
        let _ = writeln!(xml, "<updated>{}</updated>", feed_updated(site, entries));
        let _ = writeln!(
            xml,
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
            escape(&self_url)
        );
        let _ = writeln!(
            xml,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&urls.permalink(&self.page))
        );
        let _ = writeln!(
            xml,
            "<author><name>{}</name><uri>{}</uri></author>",
            escape(&language.title),
            escape(&urls.permalink(&urls.home(self.lang)))
        );
        xml.push_str("<generator>communique</generator>\n");
        for &id in entries {
            entry(&mut xml, shared, id);
        }
        xml.push_str("</feed>\n");
        OutputFile {
            path: self.path.clone(),
            bytes: xml.into_bytes(),
        }
    }
}

fn entry(xml: &mut String, shared: &Shared<'_>, id: ReleaseId) {
    let site = shared.site;
    let urls = &shared.urls;
    let release = &site.releases[id];
    let lang = release.location.lang;
    let permalink = urls.permalink(&urls.release(id));
    xml.push_str("<entry>\n");
    let _ = writeln!(xml, "<id>{}</id>", escape(&permalink));
    let _ = writeln!(xml, "<title>{}</title>", escape(&release.title));
    let _ = writeln!(xml, "<published>{}</published>", iso(&release.date));
    let _ = writeln!(xml, "<updated>{}</updated>", iso(last_change(site, id)));
    let _ = writeln!(
        xml,
        "<link rel=\"alternate\" type=\"text/html\" hreflang=\"{}\" href=\"{}\"/>",
        escape(&site.config.languages[lang].code),
        escape(&permalink)
    );
    // The translations, each a distinct (type, hreflang) pair as Atom requires.
    for (other_lang, other) in site.translations[id].iter().enumerate() {
        if let Some(other) = other.filter(|&other| other != id) {
            let _ = writeln!(
                xml,
                "<link rel=\"alternate\" type=\"text/html\" hreflang=\"{}\" href=\"{}\"/>",
                escape(&site.config.languages[other_lang].code),
                escape(&urls.permalink(&urls.release(other)))
            );
        }
    }
    for &topic in &release.topics {
        let _ = writeln!(
            xml,
            "<category term=\"{}\" label=\"{}\" scheme=\"{}\"/>",
            escape(&site.config.topics[topic].key),
            escape(&site.config.topics[topic].names[lang]),
            escape(&urls.permalink(&urls.topic_index(lang)))
        );
    }
    if !release.summary.is_empty() {
        let _ = writeln!(xml, "<summary>{}</summary>", escape(&release.summary));
    }
    let _ = writeln!(
        xml,
        "<content type=\"html\" xml:base=\"{}\">{}</content>",
        escape(&permalink),
        escape(&content_html(shared, id))
    );
    xml.push_str("</entry>\n");
}

/// The release's body with its attachments, every root-relative link made absolute (feed
/// readers show content away from the site, and not all of them honour `xml:base`).
fn content_html(shared: &Shared<'_>, id: ReleaseId) -> String {
    let site = shared.site;
    let release = &site.releases[id];
    let origin = site.config.origin();
    let mut html = absolute_links(&release.body.html, origin);
    if !release.attachments.is_empty() {
        let lang = release.location.lang;
        let _ = write!(
            html,
            "\n<h2>{}</h2>\n<ul>\n",
            escape(&shared.strings[lang]["attachments"])
        );
        for attachment in &release.attachments {
            let url = shared
                .urls
                .permalink(attachment.file.trim_start_matches('/'));
            let _ = writeln!(
                html,
                "<li><a href=\"{}\">{}</a></li>",
                escape(&url),
                escape(&attachment.title)
            );
        }
        html.push_str("</ul>\n");
    }
    html
}

/// `href="/news/x/"` becomes `href="https://org.github.io/news/x/"` (`src` too); links that
/// are already absolute, protocol-relative (`//`) or relative are left as they are.
pub fn absolute_links(html: &str, origin: &str) -> String {
    const NEEDLES: [&str; 2] = ["href=\"/", "src=\"/"];
    // Each needle's next place is kept and only the one just used is looked for again, so a
    // body of many `src="/` and one late `href="/` is read once, not once per image.
    let find_from =
        |needle: usize, from: usize| html[from..].find(NEEDLES[needle]).map(|i| from + i);
    let mut next = [find_from(0, 0), find_from(1, 0)];
    let mut out = String::with_capacity(html.len() + 256);
    let mut copied = 0;
    loop {
        let Some((needle, at)) = next
            .iter()
            .enumerate()
            .filter_map(|(needle, at)| at.map(|at| (needle, at)))
            .min_by_key(|&(_, at)| at)
        else {
            out.push_str(&html[copied..]);
            return out;
        };
        // Keep the attribute up to and including the quote; the `/` starts the path.
        let path = at + NEEDLES[needle].len() - 1;
        out.push_str(&html[copied..path]);
        if !html[path..].starts_with("//") {
            out.push_str(origin);
        }
        copied = path;
        next[needle] = find_from(needle, path);
    }
}

/// The last substantive change of a release: `updated`, else its date.
fn last_change(site: &Site, id: ReleaseId) -> &ZonedDateTime {
    let release = &site.releases[id];
    release.updated.as_ref().unwrap_or(&release.date)
}

/// The newest change among a feed's entries; a feed with none takes the site's newest release
/// (and a site with none the Unix epoch), so that the value never depends on the build time.
fn feed_updated(site: &Site, entries: &[ReleaseId]) -> String {
    let newest = |ids: &mut dyn Iterator<Item = ReleaseId>| {
        ids.map(|id| last_change(site, id))
            .max_by_key(|d| d.timestamp())
    };
    newest(&mut entries.iter().copied())
        .or_else(|| newest(&mut (0..site.releases.len())))
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), iso)
}

/// Text or an attribute value escaped for XML (both quote kinds, so it fits either).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Runs of text that stays are copied whole: feeds carry whole releases.
    while let Some((at, len, replacement)) = next_escape(rest) {
        out.push_str(&rest[..at]);
        out.push_str(replacement);
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// The first character of `text` that [`xml_escape`] changes: where it starts, its length and
/// what it becomes. Looked for a byte at a time: each such character is ASCII or a C1 control,
/// whose UTF-8 starts with 0xC2, so others are passed over without being decoded.
fn next_escape(text: &str) -> Option<(usize, usize, &'static str)> {
    text.bytes().enumerate().find_map(|(at, byte)| match byte {
        0x00..=0x1F | b'&' | b'<' | b'>' | b'"' | b'\'' | 0x7F | 0xC2 => {
            let c = text[at..].chars().next()?;
            Some((at, c.len_utf8(), xml_escape(c)?))
        }
        _ => None,
    })
}

/// What `c` becomes in XML text or attributes, if not itself.
fn xml_escape(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        '\t' | '\n' | '\r' => None,
        // Other control characters (C0, DEL and C1) are not allowed in XML 1.0.
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => Some(""),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_characters_xml_forbids() {
        assert_eq!(escape("a<b>&\"c'\u{1}\n"), "a&lt;b&gt;&amp;&quot;c&apos;\n");
        assert_eq!(escape("외교부\u{85}\u{7f}\tx\u{a0}"), "외교부\tx\u{a0}");
    }

    /// What [`next_escape`] relies on.
    #[test]
    fn every_character_escaped_starts_with_a_byte_that_is_looked_at() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let expected = xml_escape(c).map(|replacement| (3, c.len_utf8(), replacement));
            assert_eq!(next_escape(&format!("외{c}")), expected, "{c:?}");
        }
    }

    #[test]
    fn root_relative_links_become_absolute() {
        let html = r##"<a href="/news/en/x/">x</a><img src="/news/a.png"><a href="//cdn/y">y</a><a href="https://e.org/">e</a><a href="#top">t</a>"##;
        assert_eq!(
            absolute_links(html, "https://org.github.io"),
            r##"<a href="https://org.github.io/news/en/x/">x</a><img src="https://org.github.io/news/a.png"><a href="//cdn/y">y</a><a href="https://e.org/">e</a><a href="#top">t</a>"##
        );
        let many = format!(
            "{}<a href=\"/x/\">x</a><img src=\"/last.png\">",
            "<img src=\"/i.png\"> ".repeat(3)
        );
        assert_eq!(
            absolute_links(&many, "https://e.org"),
            format!(
                "{}<a href=\"https://e.org/x/\">x</a><img src=\"https://e.org/last.png\">",
                "<img src=\"https://e.org/i.png\"> ".repeat(3)
            )
        );
    }
}

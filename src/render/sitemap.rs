//! `sitemap.xml` (one `<url>` per page, with its hreflang alternates as `xhtml:link`), split
//! into `sitemap-1.xml`, `sitemap-2.xml`... under a sitemap index past the protocol's limits,
//! and `robots.txt` naming it.
//!
//! Left out of the sitemap: `404.html`, and the root `index.html`, which only sends visitors to
//! the default language's home (that home is listed, and is every home's `x-default`).
//! Written in Rust for the reason given in `feeds.rs`.

use std::fmt::Write as _;

use rayon::prelude::*;

use super::feeds::escape;
use super::pages::Page;
use super::views::Shared;
use crate::i18n::iso;
use crate::output::OutputFile;

/// The sitemap protocol's limit of URLs in one file.
pub const MAX_URLS: usize = 50_000;
/// The protocol's limit of bytes in one file (uncompressed).
const MAX_BYTES: usize = 50 * 1024 * 1024;

const URLSET_OPEN: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// The sitemap files of `pages`: one `sitemap.xml`, or an index and numbered parts of at most
/// `max_urls` URLs each (tests pass a small limit; builds pass [`MAX_URLS`]).
pub fn files(shared: &Shared<'_>, pages: &[Page], max_urls: usize) -> Vec<OutputFile> {
    // In parallel: made after the search index, the sitemap was the last thing a build did
    // while the other core had nothing left.
    let entries: Vec<String> = pages
        .par_iter()
        .filter(|page| !matches!(page, Page::Root | Page::NotFound))
        .map(|&page| url_entry(shared, page))
        .collect();
    let parts = split(&entries, max_urls.max(1));
    if parts.len() <= 1 {
        return vec![urlset("sitemap.xml".into(), &entries)];
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut files = Vec::with_capacity(parts.len() + 1);
    for (number, part) in parts.iter().enumerate() {
        let path = format!("sitemap-{}.xml", number + 1);
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            escape(&shared.urls.permalink(&path))
        );
        files.push(urlset(path, part));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(
        0,
        OutputFile {
            path: "sitemap.xml".into(),
            bytes: index.into_bytes(),
        },
    );
    files
}

/// `robots.txt`: everything may be crawled; the sitemap is named with its absolute URL.
/// Crawlers read robots.txt only at a host's root, so under a sub-path it is written for
/// completeness and the sitemap is best submitted to search engines directly (see docs/deploy.md).
pub fn robots(shared: &Shared<'_>) -> OutputFile {
    OutputFile {
        path: "robots.txt".into(),
        bytes: format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            shared.urls.permalink("sitemap.xml")
        )
        .into_bytes(),
    }
}

fn url_entry(shared: &Shared<'_>, page: Page) -> String {
    let mut entry = String::with_capacity(512);
    let _ = write!(
        entry,
        "<url>\n<loc>{}</loc>\n",
        escape(&shared.urls.permalink(&page.path(&shared.urls)))
    );
    if let Page::Release(id) = page {
        let release = &shared.site.releases[id];
        let changed = release.updated.as_ref().unwrap_or(&release.date);
        let _ = writeln!(entry, "<lastmod>{}</lastmod>", iso(changed));
    }
    for alternate in shared.translations_of(page).1 {
        let _ = writeln!(
            entry,
            "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
            escape(&alternate.hreflang),
            escape(&alternate.href)
        );
    }
    entry.push_str("</url>\n");
    entry
}

/// Consecutive runs of entries within both limits of one file.
fn split(entries: &[String], max_urls: usize) -> Vec<&[String]> {
    let room = MAX_BYTES - URLSET_OPEN.len() - URLSET_CLOSE.len();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, entry) in entries.iter().enumerate() {
        if i > start && (i - start == max_urls || bytes + entry.len() > room) {
            parts.push(&entries[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += entry.len();
    }
    parts.push(&entries[start..]);
    parts
}

fn urlset(path: String, entries: &[String]) -> OutputFile {
    let mut xml = String::with_capacity(
        URLSET_OPEN.len() + URLSET_CLOSE.len() + entries.iter().map(String::len).sum::<usize>(),
    );
    xml.push_str(URLSET_OPEN);
    for entry in entries {
        xml.push_str(entry);
    }
    xml.push_str(URLSET_CLOSE);
    OutputFile {
        path,
        bytes: xml.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_by_count_keeping_every_entry_once() {
        let entries: Vec<String> = (0..7).map(|i| format!("<url>{i}</url>")).collect();
        let parts = split(&entries, 3);
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [3, 3, 1]);
        assert_eq!(split(&entries, 50).len(), 1);
        assert_eq!(split(&[], 3), [&[] as &[String]]);
    }

    #[test]
    fn splits_before_a_file_would_pass_50_mb() {
        let big = "x".repeat(MAX_BYTES / 2);
        let entries = vec![big.clone(), big.clone(), big];
        let parts = split(&entries, MAX_URLS);
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [1, 1, 1]);
    }

    const BASE: &str = "https://org.github.io/news/";
    const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

    fn render_with_limit(site: &crate::model::Site, sitemap_max_urls: usize) -> Vec<OutputFile> {
        let prepared = crate::render::prepared::Prepared::new(site);
        crate::render::render(site, &prepared, sitemap_max_urls, |file| file).unwrap()
    }

    #[test]
    fn past_the_limit_the_sitemap_becomes_an_index_of_parts() {
        let options = crate::content::LoadOptions {
            base_url: Some(BASE.into()),
            ..Default::default()
        };
        let model = crate::load::load(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/basic")),
            &options,
        )
        .unwrap();
        let whole = render_with_limit(&model, MAX_URLS);
        let count_urls = |text: &str| {
            let doc = roxmltree::Document::parse(text).unwrap();
            assert_eq!(doc.root_element().tag_name().name(), "urlset");
            doc.root_element()
                .children()
                .filter(|n| n.is_element())
                .count()
        };
        let text_of = |files: &[OutputFile], path: &str| {
            String::from_utf8(files.iter().find(|f| f.path == path).unwrap().bytes.clone()).unwrap()
        };
        let total = count_urls(&text_of(&whole, "sitemap.xml"));
        assert!(total > 10, "{total}");

        let split = render_with_limit(&model, 4);
        let index_text = text_of(&split, "sitemap.xml");
        let index = roxmltree::Document::parse(&index_text).unwrap();
        assert_eq!(index.root_element().tag_name().name(), "sitemapindex");
        assert_eq!(index.root_element().tag_name().namespace(), Some(SITEMAP));
        let parts: Vec<String> = index
            .descendants()
            .filter(|n| n.tag_name().name() == "loc")
            .map(|n| n.text().unwrap().to_string())
            .collect();
        assert_eq!(parts.len(), total.div_ceil(4));
        let mut seen = 0;
        for (i, loc) in parts.iter().enumerate() {
            let path = format!("sitemap-{}.xml", i + 1);
            assert_eq!(*loc, format!("{BASE}{path}"));
            let urls = count_urls(&text_of(&split, &path));
            assert!(urls <= 4 && urls > 0);
            seen += urls;
        }
        assert_eq!(seen, total);
    }
}

//! Markdown to HTML, once per release: heading ids, root-relative links moved under the site's
//! base path, raw HTML sanitized, the first paragraph kept as a plain-text summary, and every
//! link collected (with its byte offset) for `check`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use crate::fitted::fitted_string;

/// How to render: fixed for a whole site.
#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// The path part of base_url (`/` or `/news/`): root-relative links are moved under it.
    pub base_path: String,
    /// Keep raw HTML as written instead of sanitizing it.
    pub unsafe_html: bool,
}

/// A link in the Markdown, as it will appear in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    /// Byte offset of the link in the Markdown text.
    pub offset: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    /// The text of the first paragraph, whitespace folded.
    pub first_paragraph: String,
    pub links: Vec<Link>,
    /// The ids given to headings, for `#anchor` checks.
    pub heading_ids: Vec<String>,
}

const SUMMARY_MAX_CHARS: usize = 300;

pub fn render(markdown: &str, options: &MarkdownOptions) -> Rendered {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_HEADING_ATTRIBUTES,
    );
    // Sized from the text (the shipped releases and the benchmark's have one event per 27-30
    // bytes), so that the list is not moved five or six times as it grows.
    let mut events: Vec<Event<'_>> = Vec::with_capacity(markdown.len() / 24 + 16);
    let mut rendered = Rendered::default();
    let mut has_raw_html = false;
    let mut used_ids = HeadingIds::default();
    let mut heading_start: Option<usize> = None;
    let mut paragraph: Option<String> = None;
    let mut first_paragraph_done = false;

    for (event, range) in parser.into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Heading { .. }) => {
                heading_start = Some(events.len());
                event
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading_start.take() {
                    name_heading(&mut events, start, &mut used_ids, &mut rendered.heading_ids);
                }
                event
            }
            Event::Start(Tag::Paragraph) if !first_paragraph_done => {
                paragraph = Some(String::new());
                event
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(text) = paragraph.take() {
                    rendered.first_paragraph = fold_whitespace(&text, SUMMARY_MAX_CHARS);
                    first_paragraph_done = !rendered.first_paragraph.is_empty();
                }
                event
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = under_base_path(dest_url, &options.base_path);
                rendered.links.push(Link {
                    url: dest_url.to_string(),
                    offset: range.start,
                });
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: under_base_path(dest_url, &options.base_path),
                title,
                id,
            }),
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                event
            }
            Event::Text(ref text) | Event::Code(ref text) => {
                if let Some(paragraph) = paragraph.as_mut() {
                    paragraph.push_str(text);
                }
                event
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(paragraph) = paragraph.as_mut() {
                    paragraph.push(' ');
                }
                event
            }
            other => other,
        };
        events.push(event);
    }

    let mut html_out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html_out, events.into_iter());
    // Sanitizing parses the whole page again, so only pages that hold raw HTML pay for it.
    rendered.html = if has_raw_html && !options.unsafe_html {
        sanitize(&html_out, &options.base_path)
    } else {
        // Kept for the whole build (50 MB at 10,000 releases per language) in a buffer sized
        // 1.5x the Markdown, where the HTML is 1.07-1.23x.
        fitted_string(html_out)
    };
    rendered
}

/// The ids given so far in one page, and for each id asked for more than once the next
/// suffix to try, so that the thousandth `## Title` does not try the 999 taken before it.
#[derive(Debug, Default)]
struct HeadingIds {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl HeadingIds {
    /// `wanted` if it is free, else the first of `wanted-1`, `wanted-2`... that is.
    fn unique(&mut self, wanted: String) -> String {
        if !self.used.contains(&wanted) {
            self.used.insert(wanted.clone());
            return wanted;
        }
        // Every suffix below `next` is taken (ids are never given back), so starting there
        // gives the same id as starting from 1 would.
        let next = self.next_suffix.entry(wanted.clone()).or_insert(1);
        loop {
            let candidate = format!("{wanted}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Give the heading that starts at `events[start]` an id from its text, unless it has one.
fn name_heading(
    events: &mut [Event<'_>],
    start: usize,
    used: &mut HeadingIds,
    ids: &mut Vec<String>,
) {
    if let Event::Start(Tag::Heading { id, .. }) = &events[start] {
        let wanted = match id {
            Some(given) => given.to_string(),
            None => slugify(&heading_text(&events[start + 1..])),
        };
        let unique = used.unique(wanted);
        ids.push(unique.clone());
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
            *id = Some(CowStr::from(unique));
        }
    }
}

/// The text of a heading's events, without its markup.
fn heading_text(events: &[Event<'_>]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// A heading id: letters and digits of any script kept (Korean headings keep their Hangul),
/// spaces turned into `-`, everything else dropped.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !slug.ends_with('-')
            && !slug.is_empty()
        {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    }
}

/// `/en/x/` becomes `/news/en/x/` under base path `/news/`; other links are left alone.
fn under_base_path<'a>(url: CowStr<'a>, base_path: &str) -> CowStr<'a> {
    match moved_under(&url, base_path) {
        Some(moved) => CowStr::from(moved),
        None => url,
    }
}

/// A root-relative `url` moved under `base_path`, or `None` when it stays: a full or
/// protocol-relative address, a relative one, or one already under the base path.
fn moved_under(url: &str, base_path: &str) -> Option<String> {
    let stays = base_path == "/"
        || !url.starts_with('/')
        || url.starts_with("//")
        || url.starts_with(base_path);
    (!stays).then(|| format!("{}{}", base_path.trim_end_matches('/'), url))
}

fn fold_whitespace(text: &str, max_chars: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max_chars {
        return folded;
    }
    let cut: String = folded.chars().take(max_chars).collect();
    let cut = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{cut}…")
}

/// Raw HTML down to a safe allowlist, keeping what pulldown-cmark itself writes (heading ids,
/// footnote classes, table alignment). Root-relative links in the raw HTML move under
/// `base_path` as those written in Markdown do.
fn sanitize(html: &str, base_path: &str) -> String {
    ammonia::Builder::default()
        .url_relative(ammonia::UrlRelative::Custom(Box::new(raw_html_links(
            base_path,
        ))))
        .add_generic_attributes(["id", "class"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .attribute_filter(|_, attribute, value| {
            if attribute != "style" {
                return Some(value.into());
            }
            matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then(|| value.into())
        })
        .clean(html)
        .to_string()
}

/// What ammonia does with each relative link of raw HTML: [`moved_under`] the base path.
fn raw_html_links(base_path: &str) -> impl Fn(&str) -> Option<Cow<'_, str>> + Send + Sync + '_ {
    move |url| Some(moved_under(url, base_path).map_or(Cow::Borrowed(url), Cow::Owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(base_path: &str, unsafe_html: bool) -> MarkdownOptions {
        MarkdownOptions {
            base_path: base_path.into(),
            unsafe_html,
        }
    }

    #[test]
    fn kept_html_has_little_room_to_spare() {
        let rendered = render(&"가나다 abc ".repeat(200), &options("/", false));
        let html = &rendered.html;
        assert!(
            html.capacity() - html.len() <= html.len() / 8,
            "{}",
            html.capacity()
        );
    }

    #[test]
    fn numbered_paragraphs_with_sub_points_are_nested_lists() {
        let out = render(
            "1. First\n\n   - point\n\n2. Second\n",
            &options("/", false),
        );
        assert!(out.html.contains("<ol>"), "{}", out.html);
        assert!(out.html.contains("<ul>"), "{}", out.html);
        assert_eq!(out.first_paragraph, "First");
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        let out = render(
            "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~old~~ new[^1]\n\n[^1]: note\n",
            &options("/", false),
        );
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("footnote-reference"));
    }

    #[test]
    fn headings_get_unique_ids_in_any_script() {
        let out = render(
            "## 주요 내용\n\n## 주요 내용\n\n## Next Steps {#next}\n",
            &options("/", false),
        );
        assert_eq!(out.heading_ids, ["주요-내용", "주요-내용-1", "next"]);
        assert!(out.html.contains(r#"<h2 id="주요-내용">"#), "{}", out.html);
    }

    /// The rule: the id asked for (written, or made from the text), else the first of
    /// `id-1`, `id-2`... not taken before in the page.
    #[test]
    fn heading_ids_follow_the_rule_whatever_clashes() {
        let md = "## 주요 내용\n## 주요 내용\n## 주요 내용-1\n## B {#주요-내용}\n## x {#b}\n## B\n\
                  ## B\n## b-1 {#b-1}\n## B\n## 주요 내용\n## !!\n## ??\n";
        let out = render(md, &options("/", false));
        assert_eq!(
            out.heading_ids,
            [
                "주요-내용",
                "주요-내용-1",
                "주요-내용-1-1",
                "주요-내용-2",
                "b",
                "b-1",
                "b-2",
                "b-1-1",
                "b-3",
                "주요-내용-3",
                "section",
                "section-1",
            ]
        );
    }

    #[test]
    fn twenty_thousand_identical_headings_get_unique_ids() {
        let out = render(&"## Title\n\n".repeat(20_000), &options("/", false));
        assert_eq!(out.heading_ids.len(), 20_000);
        let unique: HashSet<&String> = out.heading_ids.iter().collect();
        assert_eq!(unique.len(), 20_000);
        assert_eq!(out.heading_ids[0], "title");
        assert_eq!(out.heading_ids[19_999], "title-19999");
    }

    #[test]
    fn raw_html_is_sanitized_unless_allowed() {
        let md = "Hi <script>alert(1)</script><b onclick=\"x()\">bold</b>\n";
        let safe = render(md, &options("/", false));
        assert!(!safe.html.contains("<script"));
        assert!(!safe.html.contains("onclick"));
        assert!(safe.html.contains("<b>bold</b>"));
        let raw = render(md, &options("/", true));
        assert!(raw.html.contains("<script>"));
    }

    #[test]
    fn root_relative_links_move_under_the_base_path() {
        let out = render(
            "[a](/en/x/) [b](https://e.org/) [c](#top) [d](//cdn/x)",
            &options("/news/", false),
        );
        let urls: Vec<_> = out.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["/news/en/x/", "https://e.org/", "#top", "//cdn/x"]);
        assert!(out.html.contains(r#"href="/news/en/x/""#));
    }

    #[test]
    fn root_relative_links_in_sanitized_raw_html_move_too() {
        let md = "<a href=\"/en/x/\">a</a> <img src=\"/files/m.png\" alt=\"m\"> \
                  <a href=\"/news/en/y/\">b</a> <a href=\"//cdn/z\">c</a> <a href=\"z/\">d</a> \
                  [e](/en/e/)\n";
        let out = render(md, &options("/news/", false));
        for expected in [
            r#"href="/news/en/x/""#,
            r#"src="/news/files/m.png""#,
            r#"href="/news/en/y/""#,
            r#"href="//cdn/z""#,
            r#"href="z/""#,
            r#"href="/news/en/e/""#,
        ] {
            assert!(out.html.contains(expected), "{expected} in {}", out.html);
        }
        // Kept as written when raw HTML is allowed as it is.
        let raw = render(md, &options("/news/", true));
        assert!(raw.html.contains(r#"href="/en/x/""#), "{}", raw.html);
    }

    #[test]
    fn long_first_paragraphs_are_cut_at_a_word() {
        let long = "word ".repeat(100);
        let out = render(&long, &options("/", false));
        assert!(out.first_paragraph.chars().count() <= SUMMARY_MAX_CHARS + 1);
        assert!(out.first_paragraph.ends_with("word…"));
    }
}

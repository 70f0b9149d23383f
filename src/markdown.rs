//! Markdown to HTML, once per release: heading ids, root-relative links moved under the site's
//! base path, raw HTML sanitized, the first paragraph kept as a plain-text summary, and every
//! link collected (with its byte offset) for `check`. What a release renders is safe whatever
//! its text: links and images go only to allowed addresses ([`urls`]), headings carry only a
//! plain id and plain classes ([`headings`]), and what is left out is a [`MarkdownProblem`].

mod headings;
mod problem;
mod raw_html;
pub mod urls;

use std::path::Path;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::error::{SourceError, line_columns};
use headings::HeadingIds;
pub use problem::MarkdownProblem;
use raw_html::RawHtml;
use urls::moved_under;

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
    /// What was left out, in no particular order.
    pub problems: Vec<MarkdownProblem>,
}

/// A link of the Markdown at its line and column of the release's file, for `check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedLink {
    pub url: String,
    pub line: usize,
    pub column: usize,
}

impl Rendered {
    /// Take the links out, each at its line and column of `file_text`, in which the Markdown
    /// starts at byte `body_start`.
    pub fn take_placed_links(&mut self, file_text: &str, body_start: usize) -> Vec<PlacedLink> {
        let links = std::mem::take(&mut self.links);
        let offsets: Vec<usize> = links.iter().map(|l| body_start + l.offset).collect();
        line_columns(file_text, &offsets)
            .into_iter()
            .zip(links)
            .map(|((line, column), link)| PlacedLink {
                url: link.url,
                line,
                column,
            })
            .collect()
    }

    /// Each problem as an error at its line and column of the file at `path`, whose text is
    /// `file_text` with the Markdown starting at byte `body_start`.
    pub fn source_errors(
        &self,
        path: &Path,
        file_text: &str,
        body_start: usize,
    ) -> Vec<SourceError> {
        let offsets: Vec<usize> = self
            .problems
            .iter()
            .map(|p| body_start + p.offset)
            .collect();
        line_columns(file_text, &offsets)
            .into_iter()
            .zip(&self.problems)
            .map(|((line, column), problem)| {
                SourceError::new(path, line, column, problem.message.clone())
            })
            .collect()
    }
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
    let mut raw_html = RawHtml::default();
    let mut heading_ids = HeadingIds::default();
    let mut heading_start: Option<usize> = None;
    // For each link or image open, whether it is kept: a refused one's end goes with it.
    let mut kept_links: Vec<bool> = Vec::new();
    let mut paragraph: Option<String> = None;
    let mut first_paragraph_done = false;

    for (event, range) in parser.into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading_start = Some(events.len());
                let (id, classes) = headings::checked_attributes(
                    id,
                    classes,
                    attrs,
                    &markdown[range.clone()],
                    range.start,
                    &mut rendered.problems,
                );
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: Vec::new(),
                })
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading_start.take() {
                    name_heading(
                        &mut events,
                        start,
                        &mut heading_ids,
                        &mut rendered.heading_ids,
                    );
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
                // An email autolink is written `mailto:` and the address, whatever it holds.
                let refusal = (link_type != LinkType::Email)
                    .then(|| urls::refusal(&dest_url))
                    .flatten();
                kept_links.push(refusal.is_none());
                if let Some(reason) = refusal {
                    rendered
                        .problems
                        .push(refused("link", &dest_url, &reason, range.start));
                    continue;
                }
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
            }) => {
                let refusal = urls::refusal(&dest_url);
                kept_links.push(refusal.is_none());
                // Without its source, an image is its description, as a browser would show it.
                if let Some(reason) = refusal {
                    rendered
                        .problems
                        .push(refused("image", &dest_url, &reason, range.start));
                    continue;
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: under_base_path(dest_url, &options.base_path),
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if !kept_links.pop().unwrap_or(true) {
                    continue;
                }
                event
            }
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                raw_html.push(html, range.start);
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

    // The HTML of a release is a little longer than its Markdown.
    let mut html_out = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut html_out, events.into_iter());
    // Sanitizing parses the whole page again, so only pages that hold raw HTML pay for it.
    rendered.html = if !raw_html.is_empty() && !options.unsafe_html {
        rendered.problems.extend(raw_html.refused_urls());
        raw_html::sanitize(&html_out, &options.base_path)
    } else {
        html_out
    };
    rendered
}

/// The problem of a link or image whose address `url` is refused for `reason`.
fn refused(what: &str, url: &str, reason: &str, offset: usize) -> MarkdownProblem {
    MarkdownProblem {
        offset,
        message: format!(
            "{what} `{}` left out: {reason}; {}",
            urls::shown(url),
            urls::ALLOWED
        ),
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

fn fold_whitespace(text: &str, max_chars: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max_chars {
        return folded;
    }
    let cut: String = folded.chars().take(max_chars).collect();
    let cut = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{cut}…")
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

    /// Every way of writing a link or an image to a refused address, in Markdown.
    const REFUSED_LINKS: &str = "[inline](javascript:alert(1))\n\n\
        [mixed case](JaVaScRiPt:alert(2))\n\n\
        [entity](&#106;avascript:alert(3))\n\n\
        [tab](<java\tscript:alert(4)>)\n\n\
        [reference][evil]\n\n\
        <javascript:alert(5)>\n\n\
        [data](data:text/html;base64,PHNjcmlwdD4=)\n\n\
        [vb](vbscript:msgbox)\n\n\
        [file](file:///etc/passwd)\n\n\
        ![picture](javascript:alert(6))\n\n\
        [![nested](data:image/png;base64,AA)](https://ok.example/)\n\n\
        [evil]: javascript:alert(7)\n";

    #[test]
    fn links_and_images_to_refused_addresses_are_left_out_and_reported() {
        let out = render(REFUSED_LINKS, &options("/", false));
        // The one address left is the allowed one (an autolink's text is its address, and
        // stays as text).
        let addresses: Vec<&str> = [" href=\"", " src=\""]
            .iter()
            .flat_map(|attribute| out.html.split(attribute).skip(1))
            .collect();
        assert!(!out.html.contains("<img"), "{}", out.html);
        assert_eq!(out.html.matches("href=").count(), 1, "{}", out.html);
        assert!(
            addresses
                .iter()
                .all(|a| a.starts_with("https://ok.example/")),
            "{}",
            out.html
        );
        // The text stays, without a link; an image is its description.
        for text in [
            "inline",
            "mixed case",
            "entity",
            "tab",
            "reference",
            "picture",
            "nested",
        ] {
            assert!(out.html.contains(text), "{text} not in {}", out.html);
        }
        assert!(
            out.html
                .contains("<a href=\"https://ok.example/\">nested</a>"),
            "{}",
            out.html
        );
        let mut offsets: Vec<usize> = out.problems.iter().map(|p| p.offset).collect();
        offsets.sort_unstable();
        let lines: Vec<usize> = offsets
            .iter()
            .map(|&o| REFUSED_LINKS[..o].matches('\n').count() + 1)
            .collect();
        assert_eq!(
            lines,
            [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21],
            "{:?}",
            out.problems
        );
        assert!(
            out.problems[0].message.starts_with(
                "link `javascript:alert(1)` left out: the `javascript:` scheme is not allowed"
            ),
            "{}",
            out.problems[0].message
        );
        assert!(
            out.problems[3].message.contains("java\\tscript"),
            "{}",
            out.problems[3].message
        );
        assert!(
            out.problems[9].message.starts_with("image `"),
            "{}",
            out.problems[9].message
        );
        // Only the kept link is there for `check`.
        let urls: Vec<&str> = out.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["https://ok.example/"]);
    }

    #[test]
    fn allowed_addresses_are_linked() {
        let md = "[a](https://e.org/) [b](mailto:a@e.org) [c](tel:+82-2-2100-7402) [d](/x/) \
                  [e](x/) [f](#top) [g](?q=1) [h](./x) <https://e.org/auto> <press@mofa.example> \
                  ![i](/files/i.png)\n";
        let out = render(md, &options("/", false));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.links.len(), 10);
        assert!(
            out.html.contains("href=\"mailto:press@mofa.example\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<img src=\"/files/i.png\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn refused_addresses_in_raw_html_are_dropped_and_reported() {
        let md = "Text\n\n<p><a href=\"&#106;avascript:alert(1)\">x</a></p>\n\n\
                  Inline <img src=\"data:image/png;base64,AA\"> and <a href=\"https://ok.example/\">ok</a>.\n";
        let out = render(md, &options("/", false));
        assert!(!out.html.contains("javascript"), "{}", out.html);
        assert!(!out.html.contains("data:"), "{}", out.html);
        assert!(
            out.html.contains("href=\"https://ok.example/\""),
            "{}",
            out.html
        );
        let offsets: Vec<usize> = out.problems.iter().map(|p| p.offset).collect();
        assert_eq!(offsets, [md.find("<p>").unwrap(), md.find("<img").unwrap()]);
        // Raw HTML kept as written is the site's choice: nothing is reported.
        let raw = render(md, &options("/", true));
        assert!(raw.problems.is_empty());
    }

    #[test]
    fn headings_keep_only_a_plain_id_and_plain_classes() {
        let md = "## Title {onmouseover=alert(1) .lead .x\"y style=color:red hidden}\n\n\
                  ## Other {#a\"onclick=\"alert(1)}\n\n\
                  ## 주요 내용 {#요점 .강조}\n";
        let out = render(md, &options("/", false));
        assert!(
            out.html
                .contains("<h2 id=\"title\" class=\"lead\">Title</h2>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<h2 id=\"other\">"), "{}", out.html);
        assert!(
            out.html.contains("<h2 id=\"요점\" class=\"강조\">"),
            "{}",
            out.html
        );
        for gone in ["onmouseover", "onclick", "style", "hidden", "x&quot;y"] {
            assert!(!out.html.contains(gone), "{gone} in {}", out.html);
        }
        let problems: Vec<(usize, &str)> = out
            .problems
            .iter()
            .map(|p| (p.offset, p.message.as_str()))
            .collect();
        let at = |needle: &str| md.find(needle).unwrap();
        assert_eq!(
            problems,
            [
                (
                    at(".x\"y"),
                    "heading class `x\"y` left out: an id or a class is letters, digits, `-` and `_`"
                ),
                (
                    at("onmouseover"),
                    "heading attribute `onmouseover` left out: a heading takes only {#id} and {.class}"
                ),
                (
                    at("style"),
                    "heading attribute `style` left out: a heading takes only {#id} and {.class}"
                ),
                (
                    at("hidden"),
                    "heading attribute `hidden` left out: a heading takes only {#id} and {.class}"
                ),
                (
                    at("#a\"onclick"),
                    "heading id `a\"onclick=\"alert(1)` left out: an id or a class is letters, digits, `-` and `_`"
                ),
            ]
        );
    }

    #[test]
    fn headings_do_not_take_the_themes_ids() {
        let out = render(
            "## Attachments\n\n## Related {#related}\n\n## Main\n",
            &options("/", false),
        );
        assert_eq!(out.heading_ids, ["attachments-1", "related-1", "main-1"]);
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
        let unique: std::collections::HashSet<&String> = out.heading_ids.iter().collect();
        assert_eq!(unique.len(), 20_000);
        assert_eq!(out.heading_ids[0], "title");
        assert_eq!(out.heading_ids[19_999], "title-19999");
    }

    #[test]
    fn problems_become_errors_at_their_line_and_column_of_the_file() {
        let file = "+++\ntitle = \"x\"\n+++\n한국어 [a](javascript:x)\n";
        let body_start = file.find("한국어").unwrap();
        let out = render(&file[body_start..], &options("/", false));
        let errors = out.source_errors(Path::new("content/ko/a.md"), file, body_start);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (4, 5));
    }

    #[test]
    fn long_first_paragraphs_are_cut_at_a_word() {
        let long = "word ".repeat(100);
        let out = render(&long, &options("/", false));
        assert!(out.first_paragraph.chars().count() <= SUMMARY_MAX_CHARS + 1);
        assert!(out.first_paragraph.ends_with("word…"));
    }
}

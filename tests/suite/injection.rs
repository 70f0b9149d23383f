//! A release whose every field carries markup that would run script if it were not escaped
//! (the `injection` fixture), built with `communique build`: every output it reaches (its
//! page, the lists, the feeds, the JSON-LD, the sitemap, the search documents) shows the text
//! as text and holds no markup of its own. And the Markdown that could run script (links to
//! `javascript:` and the like, heading attributes) is an error at its line.

use std::cell::RefCell;
use std::collections::BTreeMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, CharacterTokens, EndTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer,
    TokenizerOpts,
};

use crate::common::{SiteTest, fixtures};

/// The hostile release's page, under the output root.
pub const RELEASE_PAGE: &str = "en/news/hostile/index.html";

/// A field of the hostile release's front-matter, as TOML reads it.
pub fn hostile_field(key: &str) -> String {
    let text = std::fs::read_to_string(fixtures().join("injection/content/en/news/hostile.md"))
        .expect("the hostile release");
    let toml = text.split("+++").nth(1).expect("front-matter");
    let table: toml::Table = toml::from_str(toml).expect("TOML");
    match &table[key] {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => items[0]["title"].as_str().unwrap().to_string(),
        other => panic!("{key}: {other:?}"),
    }
}

/// A text as XML 1.0 can carry it: the feeds drop the control characters it forbids.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// What a page holds, read as a browser reads it.
#[derive(Debug, Default)]
struct Reading {
    /// Markup that could run script or load what the theme does not: each described.
    hostile: Vec<String>,
    /// The text of the page outside scripts and styles, entities decoded.
    text: String,
    /// The text of each `<a>`.
    link_texts: Vec<String>,
    /// The text of each `<h1>`.
    h1: Vec<String>,
    /// The text of each `<script type="application/ld+json">`.
    json_ld: Vec<String>,
    /// The `content` of `<meta name="description">`.
    description: Option<String>,
}

#[derive(Default)]
struct Sink {
    reading: RefCell<Reading>,
    /// Inside `<a>`, `<h1>` or a JSON-LD script: the text so far.
    open: RefCell<Option<(&'static str, String)>>,
}

/// Elements no page of the theme has and no release may bring.
const HOSTILE_ELEMENTS: [&str; 9] = [
    "iframe", "object", "embed", "frame", "frameset", "base", "applet", "style", "xmp",
];

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut reading = self.reading.borrow_mut();
        let mut open = self.open.borrow_mut();
        let tag = match token {
            CharacterTokens(text) => {
                match open.as_mut() {
                    Some(("script", json)) => json.push_str(&text),
                    Some((_, inner)) => {
                        inner.push_str(&text);
                        reading.text.push_str(&text);
                    }
                    None => reading.text.push_str(&text),
                }
                return TokenSinkResult::Continue;
            }
            TagToken(tag) => tag,
            _ => return TokenSinkResult::Continue,
        };
        let name: &str = &tag.name;
        if tag.kind == EndTag {
            if let Some((kind, inner)) = open.take_if(|(kind, _)| *kind == name) {
                match kind {
                    "a" => reading.link_texts.push(inner),
                    "h1" => reading.h1.push(inner),
                    _ => reading.json_ld.push(inner),
                }
            }
            return TokenSinkResult::Continue;
        }
        let attr = |wanted: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == wanted)
                .map(|a| a.value.to_string())
        };
        if HOSTILE_ELEMENTS.contains(&name) {
            reading.hostile.push(format!("<{name}>"));
        }
        for attribute in &tag.attrs {
            let key: &str = &attribute.name.local;
            let value: &str = &attribute.value;
            if key.starts_with("on") {
                reading.hostile.push(format!("<{name} {key}={value:?}>"));
            }
            if key == "style" && !value.starts_with("text-align") {
                reading.hostile.push(format!("<{name} style={value:?}>"));
            }
            if matches!(
                key,
                "href" | "src" | "action" | "formaction" | "xlink:href" | "data"
            ) && !harmless_address(value)
            {
                reading.hostile.push(format!("<{name} {key}={value:?}>"));
            }
        }
        match name {
            "script" => {
                let src = attr("src");
                if attr("type").as_deref() == Some("application/ld+json") {
                    *open = Some(("script", String::new()));
                } else if !src.is_some_and(|s| {
                    s.ends_with("theme/print.js") || s.ends_with("theme/search.js")
                }) {
                    reading.hostile.push(format!("<script> {:?}", tag.attrs));
                }
                return TokenSinkResult::RawData(RawKind::ScriptData);
            }
            "a" => *open = Some(("a", String::new())),
            "h1" => *open = Some(("h1", String::new())),
            "meta" if attr("name").as_deref() == Some("description") => {
                reading.description = attr("content");
            }
            _ => {}
        }
        match name {
            "style" | "iframe" | "noembed" | "noframes" | "xmp" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            _ => TokenSinkResult::Continue,
        }
    }
}

/// Whether a browser would take `address` for http, https, mailto, tel or a relative address:
/// read here on its own rather than with the code under test. Browsers drop tabs and newlines
/// and skip leading spaces and control characters; a scheme is a letter and then letters,
/// digits, `+`, `-` or `.` up to a colon.
fn harmless_address(address: &str) -> bool {
    let folded: String = address
        .chars()
        .filter(|&c| c > ' ')
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = folded
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_alphabetic() || (i > 0 && (c.is_ascii_digit() || "+-.".contains(c))))
        })
        .map_or(folded.len(), |(i, _)| i);
    if !folded[scheme_end..].starts_with(':') || scheme_end == 0 {
        return true;
    }
    matches!(&folded[..scheme_end], "http" | "https" | "mailto" | "tel")
}

fn read(html: &str) -> Reading {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.reading.into_inner()
}

/// `read(html)`, failing if anything in it is hostile.
fn read_harmless(what: &str, html: &str) -> Reading {
    let reading = read(html);
    assert!(
        reading.hostile.is_empty(),
        "{what} holds hostile markup: {:?}",
        reading.hostile
    );
    reading
}

#[test]
fn the_reader_sees_what_a_browser_would_run() {
    let hostile = read(
        "<p onclick=\"x()\">a</p><img src=x onerror=y><a href=\" JaVa\tScRiPt:x\">b</a>\
         <iframe src=\"/x/\"></iframe><script>x()</script>\
         <script type=\"application/ld+json\">{\"a\":\"</script><script>y()</script>\"}</script>\
         <a href=\"data:text/html,x\">c</a>",
    )
    .hostile;
    assert_eq!(hostile.len(), 7, "{hostile:?}");
    let harmless = read(
        "<a href=\"/x/\">a</a><a href=\"mailto:a@e.org\">b</a><a href=\"x/y:z\">c</a>\
         <script src=\"/theme/print.js\" defer></script>\
         <script type=\"application/ld+json\">{\"a\":\"\\u003c/script>\"}</script>",
    );
    assert_eq!(harmless.hostile, Vec::<String>::new());
    assert_eq!(harmless.json_ld, ["{\"a\":\"\\u003c/script>\"}"]);
    assert_eq!(harmless.link_texts, ["a", "b", "c"]);
}

fn site() -> SiteTest {
    let site = SiteTest::fixture("injection");
    site.build().ok();
    site
}

#[test]
fn no_page_of_the_site_holds_markup_from_the_release() {
    let site = site();
    let pages: Vec<String> = site
        .output_files()
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect();
    assert!(pages.len() > 10, "{pages:?}");
    for page in &pages {
        read_harmless(page, &site.output(page));
    }
}

#[test]
fn the_release_page_shows_every_field_as_text() {
    let site = site();
    let page = read_harmless(RELEASE_PAGE, &site.output(RELEASE_PAGE));
    let title = hostile_field("title");
    assert_eq!(page.h1, [title]);
    for key in ["place", "number", "attachments"] {
        let value = hostile_field(key);
        assert!(
            page.text.contains(&value),
            "{key} {value:?} not in {}",
            page.text
        );
    }
    assert_eq!(page.description, Some(hostile_field("summary")));
    // The body's text stays text; its raw HTML lost its script, handlers and styles.
    assert!(
        page.text
            .contains("Zanzibar text <img src=x onerror=\"window.__pwned='text'\">")
    );
    assert!(page.text.contains("<script>window.__pwned='code'</script>"));
    assert!(page.text.contains("raw paragraph"));
    assert!(!page.text.contains("raw script"), "{}", page.text);
    let html = site.output(RELEASE_PAGE);
    assert!(html.contains("<h2 id=\"plain-id\" class=\"plain-class\">Plain heading</h2>"));
    assert!(
        html.contains("<img src=\"/files/photo.png\" alt=\"photo\">"),
        "{html}"
    );
    // The topic's name is text too.
    assert!(
        page.link_texts
            .contains(&"Topic </script><script>window.__pwned='topic'</script>".to_string()),
        "{:?}",
        page.link_texts
    );
}

#[test]
fn the_json_ld_is_one_script_whose_json_carries_the_fields_as_they_are() {
    let site = site();
    let page = read_harmless(RELEASE_PAGE, &site.output(RELEASE_PAGE));
    assert_eq!(page.json_ld.len(), 1, "{:?}", page.json_ld);
    let json: serde_json::Value = serde_json::from_str(&page.json_ld[0]).expect("JSON-LD");
    assert_eq!(json["headline"], hostile_field("title"));
    assert_eq!(json["description"], hostile_field("summary"));
    assert_eq!(
        json["keywords"][0],
        "Topic </script><script>window.__pwned='topic'</script>"
    );
    assert_eq!(
        json["articleSection"],
        "News <img src=x onerror=\"window.__pwned='section'\">"
    );
    for closing in ["</script", "<!--", "<script"] {
        assert!(!page.json_ld[0].to_lowercase().contains(closing));
    }
}

#[test]
fn lists_show_the_title_and_summary_as_text() {
    let site = site();
    let title = hostile_field("title");
    for list in [
        "en/index.html",
        "en/news/index.html",
        "en/topics/hostile/index.html",
    ] {
        let page = read_harmless(list, &site.output(list));
        assert!(
            page.link_texts.contains(&title),
            "{list}: {:?}",
            page.link_texts
        );
        if list != "en/index.html" {
            assert!(
                page.text.contains(&hostile_field("summary")),
                "{list}: {}",
                page.text
            );
        }
    }
    // The section's title and introduction, and the topic's name, are text as well.
    let section = read_harmless("en/news/index.html", &site.output("en/news/index.html"));
    assert_eq!(
        section.h1,
        ["News <img src=x onerror=\"window.__pwned='section'\">"]
    );
    assert!(section.text.contains("in bold"));
    let topics = read_harmless("en/topics/index.html", &site.output("en/topics/index.html"));
    assert!(
        topics.text.contains("Topic </script><script>"),
        "{}",
        topics.text
    );
}

#[test]
fn feeds_stay_well_formed_and_carry_the_fields_as_text() {
    let site = site();
    for feed in ["en/atom.xml", "en/topics/hostile/atom.xml"] {
        let xml = site.output(feed);
        let document =
            roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{feed}: {e}\n{xml}"));
        let entry = document
            .descendants()
            .find(|n| {
                n.has_tag_name("entry")
                    && n.children().any(|c| {
                        c.has_tag_name("id")
                            && c.text().is_some_and(|t| t.ends_with("/en/news/hostile/"))
                    })
            })
            .unwrap_or_else(|| panic!("{feed}: no entry for the release"));
        let child = |name: &str| {
            entry
                .children()
                .find(|c| c.has_tag_name(name))
                .and_then(|c| c.text())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(child("title"), xml_text(&hostile_field("title")), "{feed}");
        assert_eq!(
            child("summary"),
            xml_text(&hostile_field("summary")),
            "{feed}"
        );
        let category = entry
            .children()
            .find(|c| c.has_tag_name("category"))
            .and_then(|c| c.attribute("label"))
            .unwrap();
        assert_eq!(
            category,
            "Topic </script><script>window.__pwned='topic'</script>"
        );
        // The content is HTML a feed reader shows: as harmless as the page.
        let content = read_harmless(feed, &child("content"));
        assert!(
            content.text.contains("Zanzibar text <img src=x"),
            "{}",
            content.text
        );
        assert!(
            content
                .text
                .contains(&xml_text(&hostile_field("attachments")))
        );
        assert!(!content.text.contains("raw script"));
    }
}

#[test]
fn the_sitemap_is_well_formed_and_lists_the_release() {
    let site = site();
    let xml = site.output("sitemap.xml");
    let document = roxmltree::Document::parse(&xml).expect("sitemap.xml is XML");
    let locations: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        locations.contains(&"https://www.mofa.example/en/news/hostile/"),
        "{locations:?}"
    );
}

#[test]
fn search_documents_carry_the_fields_as_plain_strings() {
    let site = site();
    let docs: Vec<serde_json::Value> = site
        .output_files()
        .into_iter()
        .filter(|f| f.starts_with("search/en/docs/"))
        .map(|f| serde_json::from_str(&site.output(&f)).expect("a search document is JSON"))
        .collect();
    let doc = docs
        .iter()
        .find(|d| d["url"] == "/en/news/hostile/")
        .unwrap_or_else(|| panic!("no document for the release: {docs:?}"));
    assert_eq!(doc["title"], hostile_field("title"));
    assert_eq!(doc["summary"], hostile_field("summary"));
    assert_eq!(
        doc["section"],
        "News <img src=x onerror=\"window.__pwned='section'\">"
    );
    let text = doc["text"].as_str().unwrap();
    assert!(text.contains("Zanzibar text <img src=x onerror="), "{text}");
    assert!(!text.contains("raw script"), "{text}");
}

/// Every output file and its bytes.
fn outputs(site: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    site.output_files()
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(site.path("public").join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// The errors the `hostile-markdown.md` error fixture must give, at
/// `content/en/news/hostile-markdown.md`, with the section introduction's one.
const HOSTILE_MARKDOWN_ERRORS: [&str; 17] = [
    "content/en/news/hostile-markdown.md:5:1: error: link `javascript:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:7:1: error: link `JaVaScRiPt:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:9:1: error: link `javascript:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:11:1: error: link `java\\tscript:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:13:1: error: link `javascript:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:15:1: error: link `javascript:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:17:1: error: link `data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==` left out: the `data:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:19:1: error: link `vbscript:msgbox(1)` left out: the `vbscript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:21:1: error: link `file:///etc/passwd` left out: the `file:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:23:1: error: image `javascript:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:25:5: error: `href=\"javascript:alert(1)\"` of `<a>` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:25:53: error: `src=\"data:image/png;base64,AAAA\"` of `<img>` left out: the `data:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/en/news/hostile-markdown.md:27:11: error: heading attribute `onmouseover` left out: a heading takes only {#id} and {.class}",
    "content/en/news/hostile-markdown.md:29:11: error: heading id `a\"onclick=\"alert(1)` left out: an id or a class is letters, digits, `-` and `_`",
    "content/en/news/hostile-markdown.md:29:36: error: heading class `bad\"class` left out: an id or a class is letters, digits, `-` and `_`",
    "content/ko/news/_index.md:4:5: error: link `javascript:alert(1)` left out: the `javascript:` scheme is not allowed; an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)",
    "content/ko/news/_index.md:6:8: error: heading attribute `style` left out: a heading takes only {#id} and {.class}",
];

fn with_hostile_markdown(site: &SiteTest) -> &SiteTest {
    site.with_error_fixture("hostile-markdown.md", "content/en/news/hostile-markdown.md")
        .write(
            "content/ko/news/_index.md",
            "+++\ntitle = \"소식\"\n+++\n소개와 [링크](javascript:alert(1))\n\n## 제목 {style=x}\n",
        )
}

#[test]
fn markdown_that_could_run_script_is_an_error_at_its_line_and_nothing_is_written() {
    let site = site();
    let before = outputs(&site);
    let run = with_hostile_markdown(&site).build();
    run.fails(1);
    assert_eq!(run.error_lines(), HOSTILE_MARKDOWN_ERRORS, "{}", run.stderr);
    assert!(outputs(&site) == before, "the previous output changed");
}

#[test]
fn check_reports_the_same_errors() {
    let site = SiteTest::fixture("injection");
    let run = with_hostile_markdown(&site).run(&["check"]);
    run.fails(1);
    assert_eq!(run.error_lines(), HOSTILE_MARKDOWN_ERRORS, "{}", run.stderr);
}

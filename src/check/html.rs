//! Reading a rendered page for `check`: its links (`href`, `src`) with their lines, the ids it
//! defines (anchor targets) and its hreflang alternates. html5ever's tokenizer (already in the
//! build through ammonia) does the reading, so entities and quoting follow the HTML standard.

use std::cell::RefCell;
use std::collections::HashSet;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What `check` needs to know of one page.
#[derive(Debug, Default)]
pub struct PageScan {
    pub ids: HashSet<String>,
    pub links: Vec<HtmlLink>,
    pub alternates: Vec<HtmlAlternate>,
}

/// A URL in an `href` or `src` attribute, entities decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlLink {
    pub url: String,
    pub line: usize,
}

/// `<link rel="alternate" hreflang="en" href="...">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlAlternate {
    pub hreflang: String,
    pub href: String,
    pub line: usize,
}

/// Elements whose `src` loads something from the site.
const SRC_ELEMENTS: [&str; 8] = [
    "img", "script", "iframe", "source", "audio", "video", "embed", "track",
];

pub fn scan(html: &str) -> PageScan {
    let sink = Sink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.scan.into_inner()
}

#[derive(Default)]
struct Sink {
    scan: RefCell<PageScan>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != StartTag {
            return TokenSinkResult::Continue;
        }
        let line = usize::try_from(line_number).unwrap_or(usize::MAX);
        let name: &str = &tag.name;
        let attr = |wanted: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == wanted)
                .map(|a| a.value.to_string())
        };
        let mut scan = self.scan.borrow_mut();
        if let Some(id) = attr("id") {
            scan.ids.insert(id);
        }
        if name == "a"
            && let Some(anchor) = attr("name")
        {
            scan.ids.insert(anchor);
        }
        let url = match name {
            "a" | "link" | "area" => attr("href"),
            n if SRC_ELEMENTS.contains(&n) => attr("src"),
            _ => None,
        };
        if let Some(url) = url {
            if name == "link"
                && attr("rel").is_some_and(|rel| rel.split_whitespace().any(|r| r == "alternate"))
                && let Some(hreflang) = attr("hreflang")
            {
                scan.alternates.push(HtmlAlternate {
                    hreflang,
                    href: url.clone(),
                    line,
                });
            }
            scan.links.push(HtmlLink { url, line });
        }
        // The tokenizer alone does not know which elements hold raw text; a tree builder would
        // tell it, so we do: markup-like text in a script or style is not markup.
        match name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_ids_and_alternates_with_lines() {
        let page = scan(
            "<!DOCTYPE html>\n<link rel=\"alternate\" hreflang=\"en\" href=\"/en/x/\">\n\
             <h2 id=\"주요-내용\">a</h2><a href=\"/x/?a=1&amp;b=2#top\">x</a>\n\
             <script>if (a<b) { x = '<a href=\"/no/\">' }</script><img src=\"/i.png\"><a name=\"old\"></a>",
        );
        let links: Vec<(&str, usize)> = page
            .links
            .iter()
            .map(|l| (l.url.as_str(), l.line))
            .collect();
        assert_eq!(
            links,
            [("/en/x/", 2), ("/x/?a=1&b=2#top", 3), ("/i.png", 4)]
        );
        assert!(page.ids.contains("주요-내용") && page.ids.contains("old"));
        assert_eq!(page.alternates[0].hreflang, "en");
    }
}

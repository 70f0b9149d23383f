//! Raw HTML written in a release: sanitized by ammonia to an allowlist, with the same rule for
//! addresses as Markdown links ([`urls::refusal`]), and each address ammonia will drop found
//! beforehand so that the editor hears of it, as of a Markdown link.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::problem::MarkdownProblem;
use super::urls::{self, moved_under};

/// The raw HTML of one Markdown text, piece by piece as the parser found it, each piece on
/// lines of its own so that a line of the whole leads back to the piece and its offset.
#[derive(Debug, Default)]
pub struct RawHtml {
    text: String,
    /// For each piece, the line of `text` it starts on (from 1) and its offset in the Markdown.
    pieces: Vec<(u64, usize)>,
    lines: u64,
}

impl RawHtml {
    pub fn push(&mut self, html: &str, offset: usize) {
        self.pieces.push((self.lines + 1, offset));
        self.text.push_str(html);
        if !html.ends_with('\n') {
            self.text.push('\n');
        }
        self.lines += html.matches('\n').count() as u64;
        if !html.ends_with('\n') {
            self.lines += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Every address in the raw HTML that sanitizing will drop, at the offset of its piece.
    /// The tokenizer reads attributes as a browser does (entities decoded), so `&#106;avascript:`
    /// is seen for what it is.
    pub fn refused_urls(&self) -> Vec<MarkdownProblem> {
        let input = BufferQueue::default();
        input.push_back(StrTendril::from_slice(&self.text));
        let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
        let _ = tokenizer.feed(&input);
        tokenizer.end();
        let refused = tokenizer.sink.refused.into_inner();
        refused
            .into_iter()
            .map(|(line, message)| {
                let piece = self.pieces.partition_point(|&(start, _)| start <= line);
                MarkdownProblem {
                    offset: self.pieces[piece.saturating_sub(1)].1,
                    message,
                }
            })
            .collect()
    }
}

#[derive(Default)]
struct Sink {
    /// The line each refused address ends on, and what to tell the editor.
    refused: RefCell<Vec<(u64, String)>>,
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
        let element: &str = &tag.name;
        for attribute in &tag.attrs {
            let name: &str = &attribute.name.local;
            if !is_url_attribute(element, name) {
                continue;
            }
            if let Some(reason) = urls::refusal(&attribute.value) {
                self.refused.borrow_mut().push((
                    line_number,
                    format!(
                        "`{name}=\"{}\"` of `<{element}>` left out: {reason}; {}",
                        urls::shown(&attribute.value),
                        urls::ALLOWED
                    ),
                ));
            }
        }
        // The tokenizer alone does not know which elements hold raw text; a tree builder would
        // tell it, so we do: markup-like text in a script or style is not markup.
        match element {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            _ => TokenSinkResult::Continue,
        }
    }
}

/// The attributes ammonia reads as addresses (its own `is_url_attr`).
fn is_url_attribute(element: &str, attribute: &str) -> bool {
    matches!(attribute, "href" | "xlink:href" | "src")
        || (element == "form" && attribute == "action")
        || (element == "object" && attribute == "data")
        || (matches!(element, "button" | "input") && attribute == "formaction")
        || (element == "a" && attribute == "ping")
        || (element == "video" && attribute == "poster")
}

/// Raw HTML down to a safe allowlist, keeping what pulldown-cmark itself writes (heading ids,
/// footnote classes, table alignment). Addresses follow the rule of Markdown links; root-relative
/// ones move under `base_path` as those written in Markdown do.
pub fn sanitize(html: &str, base_path: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(urls::ALLOWED_SCHEMES.into_iter().collect())
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

    fn raw(pieces: &[(&str, usize)]) -> RawHtml {
        let mut raw = RawHtml::default();
        for (html, offset) in pieces {
            raw.push(html, *offset);
        }
        raw
    }

    #[test]
    fn refused_addresses_are_found_at_their_piece() {
        let found = raw(&[
            ("<div>\n", 0),
            ("<p><a\n", 6),
            ("href=\"&#106;avascript:alert(1)\">x</a></p>\n", 12),
            ("<img src=\"data:image/png;base64,AAAA\">", 80),
            ("<a href=\"/ok/\">", 120),
            ("<a href=\"JAVASCRIPT:x\">", 140),
        ])
        .refused_urls();
        let offsets: Vec<usize> = found.iter().map(|p| p.offset).collect();
        assert_eq!(offsets, [12, 80, 140]);
        assert!(
            found[0].message.starts_with(
                "`href=\"javascript:alert(1)\"` of `<a>` left out: the `javascript:` scheme"
            ),
            "{}",
            found[0].message
        );
        assert!(found[1].message.contains("`data:`"), "{}", found[1].message);
    }

    #[test]
    fn addresses_in_script_text_are_not_links() {
        let found = raw(&[(
            "<script>var a = '<a href=\"javascript:x\">';</script><style>a{}</style>",
            0,
        )])
        .refused_urls();
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn sanitizing_drops_what_the_rule_refuses() {
        let html = "<a href=\"java&#x09;script:alert(1)\">a</a><a href=\"vbscript:x\">b</a>\
                    <a href=\"ftp://e.org/\">c</a><img src=\"data:image/png;base64,AAAA\">\
                    <a href=\"mailto:a@e.org\">d</a><a href=\"tel:+82\">e</a><a href=\"#x\">f</a>";
        let clean = sanitize(html, "/");
        for gone in ["script", "vbscript", "ftp:", "data:"] {
            assert!(!clean.contains(gone), "{gone} in {clean}");
        }
        for kept in ["mailto:a@e.org", "tel:+82", "href=\"#x\""] {
            assert!(clean.contains(kept), "{kept} not in {clean}");
        }
    }
}

//! What the fuzz target (`fuzz/`, built with the `fuzzing` feature) asks of the load stage: a
//! release's file, whatever its bytes, is read without a panic, every error points inside the
//! file, and what it renders runs no script and loads nothing from a refused address.

use std::cell::RefCell;
use std::path::PathBuf;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::config::{self, Config};
use crate::content::release::{Location, parse_release};
use crate::markdown::{MarkdownOptions, urls};

/// A site's settings and Markdown options, made once for a fuzzing run.
pub struct Fixture {
    config: Config,
    markdown: MarkdownOptions,
}

impl Default for Fixture {
    fn default() -> Self {
        let config = config::parse(
            "base_url = \"https://www.mofa.example/news/\"\ndefault_language = \"ko\"\n\
             timezone = \"Asia/Seoul\"\n[languages.ko]\nname = \"한국어\"\ntitle = \"외교부\"\n\
             [languages.en]\nname = \"English\"\ntitle = \"MOFA\"\n\
             [topics.dprk]\nko = \"북한\"\nen = \"North Korea\"\n",
        )
        .expect("the fixture's config is valid");
        let markdown = MarkdownOptions {
            base_path: config.base_path().to_string(),
            unsafe_html: false,
        };
        Fixture { config, markdown }
    }
}

impl Fixture {
    /// Load `bytes` as the release `content/ko/press-releases/x.md`, and panic if an
    /// invariant breaks.
    pub fn load_release(&self, bytes: &[u8]) {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return; // The load stage refuses text that is not UTF-8 before parsing.
        };
        let location = Location {
            source: PathBuf::from("content/ko/press-releases/x.md"),
            lang: 0,
            folders: vec!["press-releases".into()],
            name: "x".into(),
        };
        let lines = text.split('\n').count();
        match parse_release(location, text, &self.config, &self.markdown) {
            Ok(release) => {
                assert!(!release.title.trim().is_empty());
                for link in &release.links {
                    assert!(link.line >= 1 && link.line <= lines, "{link:?}");
                }
                // The summary is plain text, escaped wherever it is shown.
                assert_safe(&release.body.html);
            }
            Err(errors) => {
                assert!(!errors.is_empty());
                for error in errors {
                    assert!(
                        error.line >= 1 && error.line <= lines && error.column >= 1,
                        "{error} is outside a file of {lines} lines"
                    );
                    assert!(!error.to_string().contains('\n'), "{error:?}");
                }
            }
        }
    }
}

/// Elements that run script or embed another document.
const UNSAFE_ELEMENTS: [&str; 8] = [
    "script", "iframe", "object", "embed", "style", "frame", "base", "form",
];

/// Panic if `html`, read as a browser reads it, has an element or attribute that runs script,
/// or a link or source with an address the release may not use.
fn assert_safe(html: &str) {
    let sink = SafetySink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    if let Some(problem) = tokenizer.sink.problem.into_inner() {
        panic!("{problem} in {html:?}");
    }
}

#[derive(Default)]
struct SafetySink {
    problem: RefCell<Option<String>>,
}

impl TokenSink for SafetySink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let mut problem = self.problem.borrow_mut();
        if UNSAFE_ELEMENTS.contains(&&*tag.name) {
            *problem = Some(format!("a <{}> element", &*tag.name));
        }
        for attribute in &tag.attrs {
            let name = &*attribute.name.local;
            // Table cells carry their column's alignment, and nothing else may be styled.
            let alignment = name == "style"
                && matches!(
                    &*attribute.value,
                    "text-align: left" | "text-align: center" | "text-align: right"
                );
            if name.starts_with("on") || (name == "style" && !alignment) || name == "srcdoc" {
                *problem = Some(format!("an attribute `{name}` on <{}>", &*tag.name));
            }
            if matches!(
                name,
                "href" | "src" | "action" | "formaction" | "xlink:href"
            ) && let Some(reason) = urls::refusal(&attribute.value)
            {
                *problem = Some(format!("`{name}=\"{}\"`: {reason}", &*attribute.value));
            }
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_and_unsafe_html_are_told_apart() {
        assert_safe("<p><a href=\"/x/\">x</a> <img src=\"https://e.org/a.png\" alt=\"\"></p>");
        for html in [
            "<script>alert(1)</script>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<h2 onmouseover=\"x()\">t</h2>",
            "<img src=\"data:image/png;base64,AA\">",
        ] {
            assert!(
                std::panic::catch_unwind(|| assert_safe(html)).is_err(),
                "{html}"
            );
        }
    }

    #[test]
    fn a_hostile_release_loads_without_breaking_an_invariant() {
        let fixture = Fixture::default();
        for text in [
            "+++\ntitle = \"x\"\ndate = 2024-01-01\n+++\n[a](javascript:alert(1)) ## h {onclick=x}\n<script>x</script>",
            "+++\ntitle = 5\ndate = \"yesterday\"\ntopics = \"dprk\"\n+++\n",
            "+++\n",
            "",
            "\u{feff}+++\r\ntitle = \"x\"\r\ndate = 2024-01-01\r\n+++\r\n## a\n## a\n",
        ] {
            fixture.load_release(text.as_bytes());
        }
    }
}

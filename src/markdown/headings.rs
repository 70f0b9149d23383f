//! Heading ids and attributes: every heading gets an id unique in its page, and of the
//! attributes an editor may write after a heading (`## Title {#id .class key=value}`) only the
//! id and the classes are kept, and only when they are plain words.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::CowStr;

use super::problem::MarkdownProblem;
use crate::theme;

/// The ids given so far in one page, and for each id asked for more than once the next
/// suffix to try, so that the thousandth `## Title` does not try the 999 taken before it.
#[derive(Debug)]
pub struct HeadingIds {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl Default for HeadingIds {
    /// Nothing given yet but the ids of the theme's own elements on the pages a body is shown
    /// in, so that a heading "Attachments" does not take the id the theme's attachments
    /// section is labelled by.
    fn default() -> Self {
        HeadingIds {
            used: theme::PAGE_IDS.iter().map(|id| id.to_string()).collect(),
            next_suffix: HashMap::new(),
        }
    }
}

impl HeadingIds {
    /// `wanted` if it is free, else the first of `wanted-1`, `wanted-2`... that is.
    pub fn unique(&mut self, wanted: String) -> String {
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

/// A heading's id as written (`{#id}`) and its classes (`{.class}`), each kept only if it is a
/// [`plain_word`]; every other attribute is left out. Each thing left out is a problem at
/// `offset`, the heading's place in the Markdown, refined to the attribute's place when
/// `heading_source` (the heading's Markdown) shows it.
pub fn checked_attributes<'a>(
    id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    heading_source: &str,
    offset: usize,
    problems: &mut Vec<MarkdownProblem>,
) -> (Option<CowStr<'a>>, Vec<CowStr<'a>>) {
    // The attribute block is the heading's last `{`; pulldown-cmark found one if it gave any.
    let block = heading_source.rfind('{').unwrap_or(0);
    let mut problem = |written: &str, message: String| {
        let at = heading_source[block..]
            .find(written)
            .map_or(offset, |i| offset + block + i);
        problems.push(MarkdownProblem {
            offset: at,
            message,
        });
    };
    let id = id.filter(|id| {
        let plain = plain_word(id);
        if !plain {
            problem(
                &format!("#{id}"),
                format!(
                    "heading id `{}` left out: {PLAIN_WORD}",
                    super::urls::shown(id)
                ),
            );
        }
        plain
    });
    let classes = classes
        .into_iter()
        .filter(|class| {
            let plain = plain_word(class);
            if !plain {
                problem(
                    &format!(".{class}"),
                    format!(
                        "heading class `{}` left out: {PLAIN_WORD}",
                        super::urls::shown(class)
                    ),
                );
            }
            plain
        })
        .collect();
    for (key, _) in &attrs {
        problem(
            key,
            format!(
                "heading attribute `{}` left out: a heading takes only {{#id}} and {{.class}}",
                super::urls::shown(key)
            ),
        );
    }
    (id, classes)
}

const PLAIN_WORD: &str = "an id or a class is letters, digits, `-` and `_`";

/// Letters of any script, digits, `-` and `_`: nothing that could end an attribute or mean
/// something to a selector.
pub fn plain_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

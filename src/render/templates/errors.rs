//! Tera's errors as `SourceError`s: each at its template, line and column, with a one-line
//! message. Tera gives a place with its syntax and rendering errors; the errors it finds when
//! it checks a set of templates (unknown filters, tests, functions, components, includes,
//! blocks) come as one text of terminal reports, read back here; for a missing parent or a
//! cycle it names the templates only, and the tag is found in the template's text.

use std::path::PathBuf;

use tera::ErrorKind;

use crate::content::TEMPLATES_DIR;
use crate::error::{SourceError, line_column};

/// Built-in templates are registered as `__builtin/<name>`.
pub const BUILTIN_PREFIX: &str = "__builtin/";

/// Where an error of the set of templates points, and the template to set aside so that the
/// next attempt can find the errors behind it.
#[derive(Debug, PartialEq, Eq)]
pub struct SetError {
    pub errors: Vec<SourceError>,
    /// `None` when the error names no template to set aside (Tera has then checked the whole
    /// set), or when it came as an unknown text.
    pub culprit: Option<String>,
}

/// The error of a set of templates (`add_raw_templates`); `source` gives the text of a
/// template by its name in Tera.
pub fn set_error<'a>(error: &tera::Error, source: impl Fn(&str) -> Option<&'a str>) -> SetError {
    let at_tag = |template: &str, keyword: &str, target: &dyn Fn(&str) -> bool, message| {
        let text = source(template).unwrap_or("");
        let (line, column) =
            tag_argument(text, keyword, target).map_or((1, 1), |offset| line_column(text, offset));
        SourceError::new(template_path(template), line, column, message)
    };
    let (error, culprit) = match error.kind() {
        ErrorKind::SyntaxError(report) => {
            let name = report.filename().to_string();
            (report_error(report, &name), Some(name))
        }
        ErrorKind::MissingParent { current, parent } => (
            at_tag(
                current,
                "extends",
                &|name| name == parent,
                format!(
                    "extends `{parent}`, which is neither in templates/ nor in the built-in theme"
                ),
            ),
            Some(current.clone()),
        ),
        ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => {
            // Each template of the chain extends the next; the last is one met before.
            let chain: Vec<&str> = std::iter::once(tpl.as_str())
                .chain(inheritance_chain.iter().map(String::as_str))
                .collect();
            let cycle = Cycle::of(&chain);
            let message = cycle.message("extends");
            (
                at_tag(cycle.closer, "extends", &|_| true, message),
                Some(cycle.closer.to_string()),
            )
        }
        ErrorKind::CircularInclude { include_chain, .. } => {
            // From where Tera started, each template includes the next; the last is one met
            // before.
            let chain: Vec<&str> = include_chain.iter().map(String::as_str).collect();
            let cycle = Cycle::of(&chain);
            let message = cycle.message("includes");
            let target = |name: &str| resolves_to(name, cycle.target);
            (
                at_tag(cycle.closer, "include", &target, message),
                Some(cycle.closer.to_string()),
            )
        }
        ErrorKind::Msg(text) => return message_error(text, &source),
        _ => (
            SourceError::new(TEMPLATES_DIR, 1, 1, one_line(&error.to_string())),
            None,
        ),
    };
    SetError {
        errors: vec![error],
        culprit,
    }
}

/// A Tera error of a render of the page template `template`.
pub fn render_error(error: &tera::Error, template: &str) -> SourceError {
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            report_error(report, template)
        }
        ErrorKind::TemplateNotFound(name) => SourceError::new(
            template_path(template),
            1,
            1,
            format!("template `{name}` is neither in templates/ nor in the built-in theme"),
        ),
        _ => SourceError::new(template_path(template), 1, 1, one_line(&error.to_string())),
    }
}

/// Whether a report's message, read back, is one that a template set aside can cause in
/// another: that template's blocks and components are gone with it.
pub fn may_follow_from_a_template_set_aside(error: &SourceError) -> bool {
    error.message.starts_with("block `") || error.message.starts_with("unknown component `")
}

/// A report with its place; `fallback` names the template when Tera does not.
fn report_error(report: &tera::ReportError, fallback: &str) -> SourceError {
    let name = if report.filename().is_empty() {
        fallback
    } else {
        report.filename()
    };
    let span = report.span();
    SourceError::new(
        template_path(name),
        span.start_line.max(1),
        span.start_col + 1,
        one_line(report.message()),
    )
}

/// A `Msg` error of a set: Tera's reports of unknown names, or a component defined twice.
fn message_error<'a>(text: &str, source: &impl Fn(&str) -> Option<&'a str>) -> SetError {
    let reports = read_reports(text);
    if !reports.is_empty() {
        return SetError {
            errors: reports
                .into_iter()
                .map(|report| {
                    SourceError::new(
                        template_path(report.template),
                        report.line,
                        report.column,
                        report_message(report.message),
                    )
                })
                .collect(),
            culprit: None,
        };
    }
    if let Some((component, first, second)) = twice_defined_component(text) {
        let text_of = source(second).unwrap_or("");
        let (line, column) = find_component(text_of, component)
            .map_or((1, 1), |offset| line_column(text_of, offset));
        return SetError {
            errors: vec![SourceError::new(
                template_path(second),
                line,
                column,
                format!(
                    "component `{component}` is also defined in {}",
                    template_path(first).display()
                ),
            )],
            culprit: Some(second.to_string()),
        };
    }
    SetError {
        errors: vec![SourceError::new(TEMPLATES_DIR, 1, 1, one_line(text))],
        culprit: None,
    }
}

/// One of Tera's terminal reports, read back from its text.
#[derive(Debug, PartialEq, Eq)]
struct ReadReport<'a> {
    message: &'a str,
    template: &'a str,
    line: usize,
    column: usize,
}

/// Tera's reports in `text`: each starts with a line `error: <message>` followed by one
/// ` --> <template>:<line>:<column>` (see tera's `reporting.rs`); the source lines quoted
/// after it start with a number or a `|`.
fn read_reports(text: &str) -> Vec<ReadReport<'_>> {
    let mut reports = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let Some(place) = lines
            .peek()
            .and_then(|next| next.trim_start().strip_prefix("--> "))
        else {
            continue;
        };
        let mut parts = place.rsplitn(3, ':');
        let (Some(column), Some(line), Some(template)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(line), Ok(column)) = (line.parse(), column.parse()) else {
            continue;
        };
        reports.push(ReadReport {
            message,
            template,
            line,
            column,
        });
    }
    reports
}

/// A read-back report's message in our words.
fn report_message(message: &str) -> String {
    match message
        .strip_prefix("Unknown template `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        Some(name) => {
            format!("includes `{name}`, which is neither in templates/ nor in the built-in theme")
        }
        None => one_line(message),
    }
}

/// Tera's "Component `x` is defined in both `a` and `b`": the component and both templates.
fn twice_defined_component(text: &str) -> Option<(&str, &str, &str)> {
    let rest = text.strip_prefix("Component `")?;
    let (component, rest) = rest.split_once("` is defined in both `")?;
    let (first, rest) = rest.split_once("` and `")?;
    let second = rest.strip_suffix('`')?;
    Some((component, first, second))
}

/// The byte offset of `name` in the first `{% component name(` tag of `text`.
fn find_component(text: &str, name: &str) -> Option<usize> {
    tags(text).find_map(|(keyword, rest, offset)| {
        let after = rest.strip_prefix(name)?;
        (keyword == "component" && after.trim_start().starts_with('(')).then_some(offset)
    })
}

/// The byte offset of the quoted argument (its opening quote) of the first `{% keyword "…" %}`
/// tag of `text` whose argument passes `target`.
fn tag_argument(text: &str, keyword: &str, target: &dyn Fn(&str) -> bool) -> Option<usize> {
    tags(text).find_map(|(found, rest, offset)| {
        if found != keyword {
            return None;
        }
        let quote = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let end = rest[1..].find(quote)?;
        target(&rest[1..1 + end]).then_some(offset)
    })
}

/// Each block tag of `text`: its keyword, the text after the keyword and its spaces, and the
/// byte offset of that text.
fn tags(text: &str) -> impl Iterator<Item = (&str, &str, usize)> {
    text.match_indices("{%").filter_map(move |(start, _)| {
        let after = text[start + 2..]
            .strip_prefix('-')
            .unwrap_or(&text[start + 2..]);
        let keyword_start = after.trim_start();
        let keyword_len = keyword_start
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(keyword_start.len());
        let (keyword, rest) = keyword_start.split_at(keyword_len);
        let argument = rest.trim_start();
        (!keyword.is_empty() && argument.len() < rest.len())
            .then(|| (keyword, argument, text.len() - argument.len()))
    })
}

/// Whether the name written in a tag is the template `resolved` of Tera: the same, or the
/// built-in one of that name.
fn resolves_to(name: &str, resolved: &str) -> bool {
    name == resolved || resolved.strip_prefix(BUILTIN_PREFIX) == Some(name)
}

/// A cycle of `extends` or `include` tags, from a chain of templates of which each names the
/// next and the last is one met before.
struct Cycle<'a> {
    /// The template whose tag is reported: a site's own where the cycle has one.
    closer: &'a str,
    /// The template that tag names.
    target: &'a str,
    /// The templates of the cycle, from `target` round to it again.
    names: Vec<&'a str>,
}

impl<'a> Cycle<'a> {
    fn of(chain: &[&'a str]) -> Cycle<'a> {
        let Some(&last) = chain.last() else {
            return Cycle {
                closer: "",
                target: "",
                names: Vec::new(),
            };
        };
        let start = chain.iter().position(|t| *t == last).unwrap_or(0);
        // Each template of the ring names the next, the last the first.
        let ring = &chain[start..chain.len().saturating_sub(1).max(start + 1)];
        let n = ring.len();
        let closer = (0..n)
            .rev()
            .find(|&i| !ring[i].starts_with(BUILTIN_PREFIX))
            .unwrap_or(n - 1);
        let target = (closer + 1) % n;
        let names = (0..=n).map(|k| ring[(target + k) % n]).collect();
        Cycle {
            closer: ring[closer],
            target: ring[target],
            names,
        }
    }

    /// "extends itself", or "includes `b`, which includes it back: b → a → b".
    fn message(&self, verb: &str) -> String {
        if self.closer == self.target {
            return format!("{verb} itself");
        }
        let names: Vec<&str> = self.names.iter().map(|t| display_name(t)).collect();
        format!(
            "{verb} `{}`, which {verb} it back: {}",
            display_name(self.target),
            names.join(" → ")
        )
    }
}

/// A template's name as a site writes it (built-in ones without their prefix).
fn display_name(name: &str) -> &str {
    name.strip_prefix(BUILTIN_PREFIX).unwrap_or(name)
}

/// A message on one line, starting in lower case as ours do. A message that is itself a
/// report keeps its first line's message.
fn one_line(message: &str) -> String {
    let line = match read_reports(message).first() {
        Some(report) => report.message.to_string(),
        None => message.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    let mut chars = line.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() && !starts_with_acronym(&line) => {
            first.to_ascii_lowercase().to_string() + chars.as_str()
        }
        _ => line,
    }
}

/// "UTF-8 …", "IO …": words in capitals stay so.
fn starts_with_acronym(text: &str) -> bool {
    text.chars().nth(1).is_some_and(|c| c.is_ascii_uppercase())
}

/// `templates/<name>` for a site template, `(built-in theme) templates/<name>` for ours.
pub fn template_path(name: &str) -> PathBuf {
    match name.strip_prefix(BUILTIN_PREFIX) {
        Some(builtin) => PathBuf::from(format!("(built-in theme) {TEMPLATES_DIR}/{builtin}")),
        None => PathBuf::from(TEMPLATES_DIR).join(name),
    }
}

//! Tera set up for one site: the built-in theme under a reserved prefix, the site's own
//! templates under their plain names, so that a site's template wins wherever a name is asked
//! for (in `render`, `extends` and `include` alike). Tera's errors become `SourceError`s.

use std::path::PathBuf;

use tera::{ErrorKind, Tera};

use crate::content::TEMPLATES_DIR;
use crate::error::SourceError;
use crate::theme;

/// Built-in templates are registered as `__builtin/<name>`.
pub const BUILTIN_PREFIX: &str = "__builtin/";

/// A Tera with the built-in theme and the site's templates, or every syntax error in the
/// site's templates.
pub fn build_tera(site_templates: &[(String, String)]) -> Result<Tera, Vec<SourceError>> {
    // Parse each site template alone first, so that every broken one is reported, not only
    // the first Tera stops at.
    let errors: Vec<SourceError> = site_templates
        .iter()
        .filter_map(|(name, text)| {
            let mut scratch = Tera::new();
            match scratch.add_raw_template(name, text) {
                Err(e) if matches!(e.kind(), ErrorKind::SyntaxError(_)) => {
                    Some(to_source_error(&e, name))
                }
                _ => None,
            }
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut tera = Tera::new();
    tera.set_fallback_prefixes([BUILTIN_PREFIX])
        .expect("set before any template is added");
    tera.register_function("count_label", count_label);
    let builtin = theme::TEMPLATES
        .iter()
        .map(|(name, text)| (format!("{BUILTIN_PREFIX}{name}"), text.to_string()));
    let all: Vec<(String, String)> = builtin.chain(site_templates.iter().cloned()).collect();
    tera.add_raw_templates(all).map_err(|e| {
        let name = site_templates.first().map_or("", |(n, _)| n.as_str());
        vec![to_source_error(&e, name)]
    })?;
    Ok(tera)
}

/// `count_label(n=3, one=t.release_count_one, other=t.release_count)`: the string for one or
/// for any other number, with `{count}` filled in ("1 release", "3 releases", "총 3건").
fn count_label(kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<String> {
    let n = kwargs.must_get::<i64>("n")?;
    let label = if n == 1 {
        kwargs.must_get::<String>("one")?
    } else {
        kwargs.must_get::<String>("other")?
    };
    Ok(label.replace("{count}", &n.to_string()))
}

/// Where a Tera error points: the template file, line and column (1-based); `fallback` names
/// the template when Tera does not.
pub fn to_source_error(error: &tera::Error, fallback: &str) -> SourceError {
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
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
                report.message().to_string(),
            )
        }
        ErrorKind::MissingParent { current, parent } => SourceError::new(
            template_path(current),
            1,
            1,
            format!("extends `{parent}`, which is neither in templates/ nor in the built-in theme"),
        ),
        ErrorKind::TemplateNotFound(name) => SourceError::new(
            template_path(fallback),
            1,
            1,
            format!("template `{name}` is neither in templates/ nor in the built-in theme"),
        ),
        _ => SourceError::new(
            template_path(fallback),
            1,
            1,
            error.to_string().replace('\n', " "),
        ),
    }
}

/// `templates/<name>` for a site template, `(built-in theme) templates/<name>` for ours.
fn template_path(name: &str) -> PathBuf {
    match name.strip_prefix(BUILTIN_PREFIX) {
        Some(builtin) => PathBuf::from(format!("(built-in theme) {TEMPLATES_DIR}/{builtin}")),
        None => PathBuf::from(TEMPLATES_DIR).join(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_templates_win_over_built_ins_also_in_extends() {
        let site = vec![(
            "base.html".to_string(),
            "SITE {% block main %}{% endblock main %}".to_string(),
        )];
        let tera = build_tera(&site).unwrap();
        let mut context = tera::Context::new();
        context.insert("x", &1);
        assert!(tera.contains_template("release.html"));
        assert_eq!(tera.render("base.html", &context).unwrap(), "SITE ");
    }

    #[test]
    fn count_labels_choose_the_singular_for_one() {
        let site = vec![(
            "n.html".to_string(),
            r#"{{ count_label(n=1, one="1 release", other="{count} releases") }}, {{ count_label(n=3, one="1 release", other="{count} releases") }}"#.to_string(),
        )];
        let tera = build_tera(&site).unwrap();
        assert_eq!(
            tera.render("n.html", &tera::Context::new()).unwrap(),
            "1 release, 3 releases"
        );
    }

    #[test]
    fn every_syntax_error_is_reported_with_line_and_column() {
        let site = vec![
            ("a.html".to_string(), "ok\n{{ oops }".to_string()),
            ("b.html".to_string(), "{% if %}".to_string()),
        ];
        let errors = build_tera(&site).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].path, PathBuf::from("templates/a.html"));
        assert_eq!(errors[0].line, 2);
        assert_eq!(errors[1].path, PathBuf::from("templates/b.html"));
    }
}

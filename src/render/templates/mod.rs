//! Tera set up for one site: the built-in theme under a reserved prefix, the site's own
//! templates under their plain names, so that a site's template wins wherever a name is asked
//! for (in `render`, `extends` and `include` alike); with a bound on the loops of each page
//! ([`budget`]) and Tera's errors as `SourceError`s ([`errors`]).

pub mod budget;
pub mod errors;

use std::collections::HashMap;
use std::sync::Arc;

use tera::{Context, Tera};

use crate::error::SourceError;
use crate::theme;
use budget::LoopBudget;
pub use errors::BUILTIN_PREFIX;

/// The site's Tera and the budget its loops draw on. Renders of one pass may run in parallel;
/// passes run one after another (`build` makes one, each rebuild of `serve` one).
pub struct SiteTemplates {
    tera: Tera,
    budget: Arc<LoopBudget>,
}

impl SiteTemplates {
    /// The built-in theme and the site's templates, or every error in the site's templates.
    pub fn new(site_templates: &[(String, String)]) -> Result<SiteTemplates, Vec<SourceError>> {
        SiteTemplates::with_budget(site_templates, budget::ELEMENTS_PER_PAGE)
    }

    fn with_budget(
        site_templates: &[(String, String)],
        elements_per_page: u64,
    ) -> Result<SiteTemplates, Vec<SourceError>> {
        let budget = LoopBudget::new(elements_per_page);
        let mut tera = Tera::new();
        tera.set_fallback_prefixes([BUILTIN_PREFIX])
            .expect("set before any template is added");
        tera.register_function("count_label", count_label);
        tera.register_function("range", budget::range_function(budget.clone()));
        let builtin = theme::TEMPLATES
            .iter()
            .map(|(name, text)| (format!("{BUILTIN_PREFIX}{name}"), *text));
        tera.add_raw_templates(builtin)
            .expect("the built-in theme is valid");
        if tera
            .add_raw_templates(site_templates.iter().cloned())
            .is_err()
        {
            return Err(every_error(&mut tera, site_templates));
        }
        Ok(SiteTemplates { tera, budget })
    }

    /// A rendering pass starts: every page has its whole budget again.
    pub fn start_pass(&self) {
        self.budget.start_pass();
    }

    /// Render the page template `template` into `out`.
    pub fn render_to(
        &self,
        template: &str,
        context: &Context,
        out: &mut Vec<u8>,
    ) -> Result<(), SourceError> {
        self.budget.start_render(template)?;
        self.tera.render_to(template, context, out).map_err(|e| {
            let error = errors::render_error(&e, template);
            self.budget.after_failed_render(template, &error);
            error
        })
    }

    /// [`SiteTemplates::render_to`] into a string.
    #[cfg(test)]
    pub fn render(&self, template: &str, context: &Context) -> Result<String, SourceError> {
        let mut out = Vec::new();
        self.render_to(template, context, &mut out)?;
        Ok(String::from_utf8(out).expect("Tera renders UTF-8"))
    }

    #[cfg(test)]
    pub fn contains_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }
}

/// Every error of the site's templates, which `tera` (holding the built-in theme) refused.
/// Each template with a syntax error is set aside (replaced by an empty one) and the set is
/// checked again; each missing parent and cycle Tera stops at, too, until Tera checks the
/// names every template uses, which it does for all of them at once.
fn every_error(tera: &mut Tera, site_templates: &[(String, String)]) -> Vec<SourceError> {
    let sources: HashMap<String, &str> = theme::TEMPLATES
        .iter()
        .map(|(name, text)| (format!("{BUILTIN_PREFIX}{name}"), *text))
        .chain(site_templates.iter().map(|(n, t)| (n.clone(), t.as_str())))
        .collect();
    let source = |name: &str| sources.get(name).copied();
    let mut errors = Vec::new();
    // What is added in the next attempt: the site's templates, some set aside.
    let mut attempt: Vec<(String, &str)> = Vec::with_capacity(site_templates.len());
    for (name, text) in site_templates {
        match Tera::new().add_raw_template(name, text) {
            Err(e) if matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) => {
                errors.extend(errors::set_error(&e, source).errors);
                attempt.push((name.clone(), ""));
            }
            _ => attempt.push((name.clone(), text.as_str())),
        }
    }
    let mut set_aside = errors.len();
    loop {
        let Err(error) = tera.add_raw_templates(attempt.iter().map(|(n, t)| (n, *t))) else {
            break;
        };
        let found = errors::set_error(&error, source);
        errors.extend(found.errors);
        let Some(culprit) = found.culprit else { break };
        match attempt.iter_mut().find(|(name, _)| *name == culprit) {
            Some((_, "")) => break,
            Some((_, text)) => *text = "",
            // A template of the built-in theme, which the attempt then holds in its place.
            None => attempt.push((culprit, "")),
        }
        set_aside += 1;
    }
    if set_aside > 0 {
        errors.retain(|e| !errors::may_follow_from_a_template_set_aside(e));
    }
    errors
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn site(templates: &[(&str, &str)]) -> Vec<(String, String)> {
        templates
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect()
    }

    /// Each error as `path:line:column: error: message`.
    fn errors_of(templates: &[(&str, &str)]) -> Vec<String> {
        let mut errors = SiteTemplates::new(&site(templates)).err().expect("errors");
        errors.sort();
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn site_templates_win_over_built_ins_also_in_extends() {
        let templates = SiteTemplates::new(&site(&[(
            "base.html",
            "SITE {% block main %}{% endblock main %}",
        )]))
        .unwrap();
        let mut context = tera::Context::new();
        context.insert("x", &1);
        assert!(templates.contains_template("release.html"));
        assert_eq!(templates.render("base.html", &context).unwrap(), "SITE ");
    }

    #[test]
    fn count_labels_choose_the_singular_for_one() {
        let templates = SiteTemplates::new(&site(&[(
            "n.html",
            r#"{{ count_label(n=1, one="1 release", other="{count} releases") }}, {{ count_label(n=3, one="1 release", other="{count} releases") }}"#,
        )]))
        .unwrap();
        assert_eq!(
            templates.render("n.html", &tera::Context::new()).unwrap(),
            "1 release, 3 releases"
        );
    }

    #[test]
    fn every_syntax_error_is_reported_with_line_and_column() {
        let errors = SiteTemplates::new(&site(&[
            ("a.html", "ok\n{{ oops }"),
            ("b.html", "{% if %}"),
        ]))
        .err()
        .unwrap();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].path, PathBuf::from("templates/a.html"));
        assert_eq!(errors[0].line, 2);
        assert_eq!(errors[1].path, PathBuf::from("templates/b.html"));
    }

    #[test]
    fn unknown_names_are_reported_each_at_its_place() {
        assert_eq!(
            errors_of(&[(
                "a.html",
                "x\n  {{ y | shout }} {{ now() }}\n{% if y is big %}{% endif %}{% include \"gone.html\" %}{{<Card/>}}",
            )]),
            [
                "templates/a.html:2:10: error: unknown filter `shout`",
                "templates/a.html:2:22: error: unknown function `now`",
                "templates/a.html:3:12: error: unknown test `big`",
                "templates/a.html:3:40: error: includes `gone.html`, which is neither in templates/ nor in the built-in theme",
                "templates/a.html:3:56: error: unknown component `Card`",
            ]
        );
    }

    #[test]
    fn a_missing_parent_is_found_at_its_extends_tag() {
        assert_eq!(
            errors_of(&[("a.html", "{# first #}\n{%- extends 'layout.html' -%}")]),
            [
                "templates/a.html:2:13: error: extends `layout.html`, which is neither in templates/ nor in the built-in theme"
            ]
        );
    }

    #[test]
    fn errors_behind_the_first_missing_parent_and_syntax_error_are_found_too() {
        assert_eq!(
            errors_of(&[
                ("a.html", "{% extends \"nowhere.html\" %}"),
                ("b.html", "{% extends \"elsewhere.html\" %}"),
                ("c.html", "{{ x | shout }}"),
                ("d.html", "{% if %}"),
            ]),
            [
                "templates/a.html:1:12: error: extends `nowhere.html`, which is neither in templates/ nor in the built-in theme",
                "templates/b.html:1:12: error: extends `elsewhere.html`, which is neither in templates/ nor in the built-in theme",
                "templates/c.html:1:8: error: unknown filter `shout`",
                "templates/d.html:1:7: error: found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`",
            ]
        );
    }

    /// A child of a template set aside would lose its parent's blocks: that is not its error.
    #[test]
    fn the_blocks_of_a_child_of_a_broken_parent_are_not_reported() {
        assert_eq!(
            errors_of(&[
                ("layout.html", "{% block main %}{% endblock main %}{% if %}"),
                (
                    "page.html",
                    "{% extends \"layout.html\" %}{% block main %}x{% endblock main %}"
                ),
            ]),
            [
                "templates/layout.html:1:42: error: found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`"
            ]
        );
    }

    #[test]
    fn cycles_are_reported_at_the_tag_that_closes_them() {
        assert_eq!(
            errors_of(&[
                ("a.html", "{% extends \"b.html\" %}"),
                ("b.html", "\n{% extends \"a.html\" %}"),
                ("c.html", "{% include 'c.html' %}"),
                ("d.html", "{% include \"e.html\" %}"),
                ("e.html", "e\n {% include \"d.html\" %}"),
                ("f.html", "{% extends \"f.html\" %}"),
            ]),
            [
                "templates/b.html:2:12: error: extends `a.html`, which extends it back: a.html → b.html → a.html",
                "templates/c.html:1:12: error: includes itself",
                "templates/e.html:2:13: error: includes `d.html`, which includes it back: d.html → e.html → d.html",
                "templates/f.html:1:12: error: extends itself",
            ]
        );
    }

    /// The site's template includes a built-in one that includes it again.
    #[test]
    fn a_cycle_through_the_built_in_theme_is_reported_in_the_site_template() {
        assert_eq!(
            errors_of(&[(
                "partials/emblem.html",
                "{% include \"partials/pagination.html\" %}{% include \"base.html\" %}"
            )]),
            [
                "templates/partials/emblem.html:1:52: error: includes `base.html`, which includes it back: base.html → partials/emblem.html → base.html"
            ]
        );
    }

    #[test]
    fn a_component_defined_twice_is_reported_at_the_second() {
        assert_eq!(
            errors_of(&[
                ("a.html", "{% component Card() %}a{% endcomponent Card %}"),
                ("b.html", "\n{% component Card() %}b{% endcomponent Card %}"),
            ]),
            ["templates/b.html:2:14: error: component `Card` is also defined in templates/a.html"]
        );
    }

    #[test]
    fn errors_while_rendering_are_at_their_template_line_and_column() {
        let templates = SiteTemplates::new(&site(&[
            (
                "page.html",
                "{% extends \"layout.html\" %}{% block main %}\n  {{ missing }}{% endblock main %}",
            ),
            (
                "layout.html",
                "<main>{% block main %}{% endblock main %}</main>{% include \"part.html\" %}",
            ),
            ("part.html", "{{ 1 / 0 }}"),
        ]))
        .unwrap();
        let error = templates
            .render("page.html", &tera::Context::new())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "templates/page.html:2:6: error: variable `missing` is not defined."
        );
        let error = templates
            .render("layout.html", &tera::Context::new())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "templates/part.html:1:8: error: cannot divide by 0"
        );
    }

    #[test]
    fn a_runaway_loop_fails_at_its_range_and_the_next_pages_of_its_template_at_once() {
        let templates = SiteTemplates::with_budget(
            &site(&[(
                "loop.html",
                "{% for i in range(end=n) %}\n{% for j in range(end=n) %}{% endfor %}{% endfor %}",
            )]),
            1_000,
        )
        .unwrap();
        let mut big = tera::Context::new();
        big.insert("n", &100);
        let mut small = tera::Context::new();
        small.insert("n", &10);
        let error = templates.render("loop.html", &big).unwrap_err();
        assert_eq!(
            error.to_string(),
            "templates/loop.html:2:13: error: the loops of this template ran past 1,000 iterations in one page; is a `range` too long?"
        );
        // Another page of the template fails with the same error without looping again.
        assert_eq!(templates.render("loop.html", &small), Err(error));
        templates.start_pass();
        assert!(templates.render("loop.html", &small).is_ok());
    }

    #[test]
    fn reports_are_read_back_from_teras_text() {
        let mut tera = Tera::new();
        let error = tera
            .add_raw_template("가.html", "한국어 {{ x | nofilter }}\n\n{{ f() }}")
            .unwrap_err();
        let found = errors::set_error(&error, |_| None);
        let lines: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "templates/가.html:1:12: error: unknown filter `nofilter`",
                "templates/가.html:3:4: error: unknown function `f`",
            ]
        );
        assert_eq!(found.culprit, None);
    }
}

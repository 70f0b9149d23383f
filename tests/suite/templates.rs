//! A site's own templates going wrong: loops that would run for hours stop at a bound, and
//! every template error (syntax, unknown filter or function, missing include or parent,
//! errors while rendering) is reported at its own template, line and column, all in one run.

use std::process::Command;
use std::time::Duration;

use crate::common::serve::Server;
use crate::common::{Run, SiteTest};

/// Long enough for a debug build of the fixture on a busy machine; only a run that hangs
/// comes near it.
const LIMIT: Duration = Duration::from_secs(120);
const WAIT: Duration = Duration::from_secs(60);
const RELEASE_URL: &str = "/en/press-releases/honolulu/";

/// Nested loops of 100,000 each: ten billion turns. The inner `range` is at line 4, column 15.
const RUNAWAY_RELEASE: &str = "{% extends \"base.html\" %}
{% block main %}
{% for i in range(end=100000) %}
  {% for j in range(end=100000) %}{% endfor %}
{% endfor %}
{% endblock main %}
";
const RUNAWAY_AT: &str = "templates/release.html:4:15: error: ";

fn run_within<'a>(site: &'a SiteTest, args: &[&str], limit: Duration) -> Run<'a> {
    site.run_within(Command::new(env!("CARGO_BIN_EXE_communique")), args, limit)
}

/// Build the basic fixture (the previous output), write `templates/<name>`, build again: exit
/// 1, exactly the error lines `expected` (each a line's start), nothing written.
fn expect_template_errors(templates: &[(&str, &str)], expected: &[&str]) {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let before = site.output_snapshot();
    for (name, text) in templates {
        site.write(&format!("templates/{name}"), text);
    }
    let run = run_within(&site, &["build"], LIMIT);
    run.fails(1).says("nothing was written");
    let lines = run.error_lines();
    assert_eq!(lines.len(), expected.len(), "{}", run.stderr);
    for (line, start) in lines.iter().zip(expected) {
        assert!(line.starts_with(start), "expected {start:?}, got {line:?}");
    }
    assert_eq!(
        site.output_snapshot(),
        before,
        "a failed build must write nothing"
    );
}

#[test]
fn nested_range_loops_stop_the_build_at_the_range_that_ran_past_the_bound() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let before = site.output_snapshot();
    site.write("templates/release.html", RUNAWAY_RELEASE);
    let run = run_within(&site, &["build"], LIMIT);
    run.fails(1).says("nothing was written");
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].starts_with(RUNAWAY_AT), "{}", lines[0]);
    assert!(lines[0].contains("is a `range` too long?"), "{}", lines[0]);
    assert_eq!(
        site.output_snapshot(),
        before,
        "a failed build must write nothing"
    );
}

#[test]
fn nested_range_loops_stop_check_too() {
    let site = SiteTest::fixture("basic");
    site.write("templates/release.html", RUNAWAY_RELEASE);
    let run = run_within(&site, &["check"], LIMIT);
    run.fails(1);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].starts_with(RUNAWAY_AT), "{}", lines[0]);
    assert!(!site.output_exists("index.html"));
}

/// A loop inside a component and one behind an include draw on the same bound as the page.
#[test]
fn loops_in_includes_and_components_are_bounded_too() {
    expect_template_errors(
        &[
            (
                "release.html",
                "{% extends \"base.html\" %}{% block main %}{% include \"partials/loops.html\" %}{% endblock main %}",
            ),
            (
                "partials/loops.html",
                "{% component Row(n) %}{% for j in range(end=n) %}{% endfor %}{% endcomponent Row %}\n{% for i in range(end=100000) %}{{<Row n={100000}/>}}{% endfor %}\n",
            ),
        ],
        &["templates/partials/loops.html:1:35: error: "],
    );
}

#[test]
fn serve_reports_a_runaway_template_keeps_serving_and_takes_the_next_save() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let before = server.get(RELEASE_URL).text();
    assert!(before.contains("Outcome of ROK-U.S. Foreign Ministers"));

    site.write("templates/release.html", RUNAWAY_RELEASE);
    server.wait_for_line(RUNAWAY_AT, WAIT);
    server.wait_for_line("still serving the last good build", WAIT);
    assert_eq!(server.get(RELEASE_URL).text(), before);

    site.write(
        "templates/release.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Fixed: {{ release.title }}</h1>{% endblock main %}",
    );
    server.wait_for_line("rebuilt in ", WAIT);
    assert!(server.get(RELEASE_URL).text().contains("<h1>Fixed: "));
}

#[test]
fn an_unknown_filter_is_reported_at_its_line_and_column() {
    expect_template_errors(
        &[(
            "release.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ release.title | shout }}</h1>\n{% endblock main %}\n",
        )],
        &["templates/release.html:3:24: error: unknown filter `shout`"],
    );
}

#[test]
fn an_unknown_function_is_reported_at_its_line_and_column() {
    expect_template_errors(
        &[(
            "release.html",
            "{% extends \"base.html\" %}\n{% block main %}\n\n  <p>{{ now() }}</p>\n{% endblock main %}\n",
        )],
        &["templates/release.html:4:9: error: unknown function `now`"],
    );
}

#[test]
fn an_include_of_a_missing_template_is_reported_at_its_line_and_column() {
    expect_template_errors(
        &[(
            "release.html",
            "{% extends \"base.html\" %}\n{% block main %}\n{% include \"partials/missing.html\" %}\n{% endblock main %}\n",
        )],
        &[
            "templates/release.html:3:12: error: includes `partials/missing.html`, which is neither in templates/ nor in the built-in theme",
        ],
    );
}

#[test]
fn a_missing_parent_is_reported_at_its_line_and_column() {
    expect_template_errors(
        &[(
            "release.html",
            "\n  {% extends \"layout.html\" %}\n{% block main %}{% endblock main %}\n",
        )],
        &[
            "templates/release.html:2:14: error: extends `layout.html`, which is neither in templates/ nor in the built-in theme",
        ],
    );
}

#[test]
fn errors_of_several_templates_and_kinds_are_reported_together() {
    expect_template_errors(
        &[
            (
                "release.html",
                "{% extends \"base.html\" %}\n{% block main %}{{ release.title | shout }}{% endblock main %}\n",
            ),
            ("section.html", "<p>\n{% if %}\n</p>\n"),
            ("topic.html", "{% extends \"layout.html\" %}\n"),
            (
                "topics.html",
                "{{ now() }}\n{% include \"nowhere.html\" %}\n",
            ),
        ],
        &[
            "templates/release.html:2:36: error: unknown filter `shout`",
            "templates/section.html:2:",
            "templates/topic.html:1:12: error: extends `layout.html`",
            "templates/topics.html:1:4: error: unknown function `now`",
            "templates/topics.html:2:12: error: includes `nowhere.html`",
        ],
    );
}

/// A partial every page includes, broken: one error, though each kind of page has other
/// variables to list.
#[test]
fn an_error_in_a_template_every_page_uses_is_reported_once() {
    expect_template_errors(
        &[("partials/emblem.html", "<b>{{ nosuch }}</b>\n")],
        &["templates/partials/emblem.html:1:7: error: variable `nosuch` is not defined"],
    );
}

/// A template that includes itself, directly or through another, or extends itself.
#[test]
fn include_and_extends_cycles_are_reported_at_the_tag() {
    expect_template_errors(
        &[
            ("partials/a.html", "a\n{% include \"partials/b.html\" %}\n"),
            ("partials/b.html", "b {% include \"partials/a.html\" %}\n"),
            ("release.html", "{% extends \"release.html\" %}\n"),
        ],
        &[
            "templates/partials/b.html:1:14: error: includes `partials/a.html`, which includes it back",
            "templates/release.html:1:12: error: extends itself",
        ],
    );
}

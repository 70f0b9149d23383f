//! `communique check`: broken links and anchors at their Markdown line, one-way hreflang from a
//! site's own template, missing attachments, missing translations as a warning, and nothing
//! written.

use crate::common::SiteTest;

const RELEASE_HEAD: &str = "+++\ntitle = \"Links\"\ndate = 2024-02-01T10:00:00+09:00\n";

#[test]
fn a_clean_site_passes_with_a_table_of_missing_translations_and_writes_nothing() {
    let site = SiteTest::fixture("basic");
    let run = site.run(&["check"]);
    run.ok();
    run.says("warning: releases missing a translation")
        .says("content/ko/press-releases/korean-only.md")
        .says("국내 행사 안내")
        .says("missing translations: 1 in en")
        .says("no errors");
    let table_line = run
        .stderr
        .lines()
        .find(|l| l.contains("korean-only.md"))
        .unwrap();
    assert!(table_line.trim_start().starts_with("en "), "{table_line}");
    assert!(!site.path("public").exists(), "check writes nothing");
}

#[test]
fn the_shipped_site_checks_clean() {
    SiteTest::shipped_site().run(&["check"]).ok().root();
}

#[test]
fn a_sub_path_site_with_root_relative_markdown_links_checks_clean() {
    let site = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("https://www.mofa.example/", "https://org.github.io/news/"),
    );
    site.write(
        "content/en/press-releases/links.md",
        &format!(
            "{RELEASE_HEAD}+++\n## Next steps\n\nSee [the meeting](/en/press-releases/honolulu/), [below](#next-steps), [the list](../) and [home](https://org.github.io/news/en/).\n"
        ),
    );
    site.run(&["check"]).ok();
}

/// Sanitized raw HTML has its root-relative links moved under the sub-path like Markdown's;
/// raw HTML kept as written (`unsafe_html`) keeps them, and `check` says where they lead.
#[test]
fn a_raw_html_link_moves_under_the_sub_path_unless_kept_as_written() {
    let site = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    let config = config.replace("https://www.mofa.example/", "https://org.github.io/news/");
    site.write("config.toml", &config);
    site.write(
        "content/en/press-releases/raw.md",
        &format!(
            "{RELEASE_HEAD}+++\nSee <a href=\"/en/press-releases/honolulu/\">the meeting</a>.\n"
        ),
    );
    site.run(&["check"]).ok();
    site.build().ok().file_contains(
        "en/press-releases/raw/index.html",
        r#"<a href="/news/en/press-releases/honolulu/" rel="noopener noreferrer">the meeting</a>"#,
    );

    site.write(
        "config.toml",
        &format!("{config}\n[markdown]\nunsafe_html = true\n"),
    );
    let run = site.run(&["check"]);
    run.fails(1)
        .says("is outside the site, which is published under /news/");
    assert!(
        run.error_lines()[0].starts_with("en/press-releases/raw/index.html:"),
        "{}",
        run.stderr
    );
}

/// A `weight` set in one language only orders that language's menu alone: `check` says so,
/// and stops saying it once both languages agree.
#[test]
fn menus_in_different_orders_across_languages_are_a_warning() {
    let site = SiteTest::fixture("basic");
    let check_says_no_menu_warning = || {
        let run = site.run(&["check"]);
        run.ok();
        assert!(!run.stderr.contains("different order"), "{}", run.stderr);
    };
    check_says_no_menu_warning();

    let weighted = "+++\ntitle = \"Press Releases\"\nweight = 1\n+++\n";
    site.write("content/en/press-releases/_index.md", weighted);
    let differ = site.run(&["check"]);
    differ.ok();
    differ
        .says("warning: the main menu lists the sections in a different order in each language")
        .says("\n  ko: briefings, press-releases\n  en: press-releases, briefings");

    site.write(
        "content/ko/press-releases/_index.md",
        "+++\ntitle = \"보도자료\"\nweight = 1\n+++\n",
    );
    check_says_no_menu_warning();
}

#[test]
fn broken_links_and_anchors_are_errors_at_their_markdown_line() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/en/press-releases/links.md",
        &format!(
            "{RELEASE_HEAD}+++\n## Next steps\n\nFine: [here](#next-steps) and [there](/en/press-releases/honolulu/).\n\nBroken: [gone](/en/press-releases/nowhere/)\nand [no anchor](/en/press-releases/honolulu/#nothing-here).\n\nElsewhere: [outside](https://example.org/x) [mail](mailto:a@b.c).\n"
        ),
    );
    let run = site.run(&["check"]);
    run.fails(1);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 2, "{}", run.stderr);
    assert!(
        errors[0].starts_with("content/en/press-releases/links.md:9:9: error: broken link: `/en/press-releases/nowhere/`"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("content/en/press-releases/links.md:10:5: error: broken link: `/en/press-releases/honolulu/#nothing-here`"),
        "{}",
        errors[1]
    );
    assert!(errors[1].contains("no element with id `nothing-here`"));
    assert!(!site.path("public").exists());
}

#[test]
fn a_broken_link_in_a_template_is_reported_once_with_its_page() {
    let site = SiteTest::fixture("basic");
    site.write(
        "templates/section.html",
        "{% extends \"base.html\" %}{% block main %}\n<a href=\"{{ site.base_path }}about/\">About</a>\n{% endblock main %}",
    );
    let run = site.run(&["check"]);
    run.fails(1);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].contains("`/about/` leads to no page"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("templates/section.html"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("more pages"), "{}", errors[0]);
}

#[test]
fn a_one_way_hreflang_from_a_sites_template_is_an_error() {
    // This fixture's base.html leaves the `ko` alternate out of English pages.
    let site = SiteTest::fixture("one-way-hreflang");
    let run = site.run(&["check"]);
    run.fails(1).says("one-way hreflang");
    let errors = run.error_lines();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("ko/press-releases/honolulu/index.html:")
                && e.contains(
                    "https://www.mofa.example/en/press-releases/honolulu/ as its `en` version"
                )),
        "{}",
        run.stderr
    );
    assert!(
        errors.iter().all(|e| e.starts_with("ko/")),
        "only Korean pages name a page that does not answer: {}",
        run.stderr
    );
    // A build reads every page of a site with templates of its own, as check does.
    site.build().fails(1).says("one-way hreflang");
    assert!(!site.path("public").exists(), "nothing was written");
}

#[test]
fn a_missing_attachment_is_an_error_at_its_front_matter_line() {
    let site = SiteTest::fixture("basic");
    site.write("static/files/statement.pdf", "%PDF");
    site.write(
        "content/en/press-releases/attached.md",
        "+++\ntitle = \"Attached\"\ndate = 2024-02-01\nattachments = [\n  { title = \"Here\", file = \"files/statement.pdf\" },\n  { title = \"Gone\", file = \"files/statment.pdf\" },\n]\n+++\nText.\n",
    );
    let run = site.run(&["check"]);
    run.fails(1);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with("content/en/press-releases/attached.md:6:28: error: attachment `files/statment.pdf` is not in static/"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("did you mean `files/statement.pdf`"),
        "{}",
        errors[0]
    );
}

#[test]
fn errors_that_stop_a_build_stop_the_check() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/en/press-releases/bad.md",
        "+++\ntitle = \"\"\ndate = 2024-02-01\n+++\n",
    );
    site.run(&["check"])
        .fails(1)
        .says("content/en/press-releases/bad.md:2:9: error: `title` is empty");
}

/// What `check` finds in links and attachments, `build` refuses to publish: exit 1, each at
/// its line, nothing written, the previous output as it was.
#[test]
fn a_build_refuses_broken_links_anchors_and_missing_attachments() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let before = site.output("en/index.html");
    site.write(
        "content/en/press-releases/links.md",
        &format!(
            "{RELEASE_HEAD}attachments = [{{ title = \"Gone\", file = \"files/statment.pdf\" }}]\n+++\n## Next steps\n\n[gone](/en/press-releases/honolulu-meeting/)\nand [no anchor](/en/press-releases/honolulu/#nothing-here) and [fine](#next-steps).\n"
        ),
    );
    let run = site.build();
    run.fails(1).says("nothing was written");
    let errors = run.error_lines();
    assert_eq!(errors.len(), 3, "{}", run.stderr);
    assert!(
        errors[0].starts_with("content/en/press-releases/links.md:4:41: error: attachment `files/statment.pdf` is not in static/"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("content/en/press-releases/links.md:8:1: error: broken link: `/en/press-releases/honolulu-meeting/`"),
        "{}",
        errors[1]
    );
    assert!(
        errors[1].ends_with("(did you mean `/en/press-releases/honolulu/`?)"),
        "an editor's address is proposed: {}",
        errors[1]
    );
    assert!(
        errors[2].starts_with("content/en/press-releases/links.md:9:5: error: broken link: `/en/press-releases/honolulu/#nothing-here`"),
        "{}",
        errors[2]
    );
    assert_eq!(
        site.output("en/index.html"),
        before,
        "the output stays as it was"
    );
    assert!(!site.output_exists("en/press-releases/links/index.html"));
}

#[test]
fn a_build_refuses_a_broken_link_of_a_sites_own_template() {
    let site = SiteTest::fixture("basic");
    site.write(
        "templates/section.html",
        "{% extends \"base.html\" %}{% block main %}\n<a href=\"{{ site.base_path }}about/\">About</a>\n{% endblock main %}",
    );
    site.build()
        .fails(1)
        .says("`/about/` leads to no page")
        .says("templates/section.html");
    assert!(!site.path("public").exists(), "nothing was written");
}

#[test]
fn a_build_reads_the_pages_an_anchor_points_into() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/en/press-releases/links.md",
        &format!(
            "{RELEASE_HEAD}+++\nSee [the attachments](/en/press-releases/honolulu/#attachments), [the topics](/en/press-releases/climate-talks/#release-topics) and [those of the talks](/en/press-releases/climate-talks/#attachments).\n"
        ),
    );
    let run = site.build();
    // The theme's ids are read from the pages themselves: climate-talks has no attachments.
    run.fails(1);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].contains("no element with id `attachments`"),
        "{}",
        errors[0]
    );
}

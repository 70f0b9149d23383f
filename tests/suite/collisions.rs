//! Two files at one address of the output: a static file where communique makes a page, or a
//! section folder named like a file communique makes. Each is an error at the file an editor can
//! rename, in `check` and `build` alike, and nothing is written.

use crate::common::SiteTest;

const RELEASE: &str = "+++\ntitle = \"Misplaced\"\ndate = 2022-03-01T10:00:00+09:00\n+++\nText.\n";

/// Build the basic fixture, add `path` with `text`, and see `check` and `build` both refuse it
/// with an error line starting `expected`, the output left as it was.
fn refused(path: &str, text: &str, expected: &str) {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let before = site.output("en/index.html");
    site.write(path, text);
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.fails(1);
        let lines = run.error_lines();
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "{command}: expected a line starting {expected:?}:\n{}",
            run.stderr
        );
    }
    assert_eq!(
        site.output("en/index.html"),
        before,
        "the output stays as it was"
    );
}

#[test]
fn a_static_file_at_a_page_address_is_an_error() {
    refused(
        "static/en/index.html",
        "<p>mine</p>",
        "static/en/index.html:1:1: error: `/en/index.html` would be made twice",
    );
}

#[test]
fn a_static_file_at_the_sitemap_address_is_an_error() {
    refused(
        "static/sitemap.xml",
        "<urlset/>",
        "static/sitemap.xml:1:1: error: `/sitemap.xml` would be made twice",
    );
}

#[test]
fn a_static_file_inside_the_search_index_is_an_error() {
    refused(
        "static/search/ko/index.json",
        "{}",
        "static/search/ko/index.json:1:1: error: `/search/ko/index.json` is inside `/search/ko/`",
    );
}

#[test]
fn a_section_folder_named_like_a_page_file_is_an_error() {
    refused(
        "content/en/index.html/misplaced.md",
        RELEASE,
        "content/en/index.html:1:1: error: `/en/index.html` would be a file",
    );
}

#[test]
fn a_section_folder_named_like_a_feed_is_an_error() {
    refused(
        "content/ko/atom.xml/misplaced.md",
        RELEASE,
        "content/ko/atom.xml:1:1: error: `/ko/atom.xml` would be a file",
    );
}

#[test]
fn a_static_robots_txt_still_replaces_the_generated_one() {
    let site = SiteTest::fixture("basic");
    site.write("static/robots.txt", "User-agent: *\nDisallow: /drafts/\n");
    site.build()
        .ok()
        .file_contains("robots.txt", "Disallow: /drafts/");
}

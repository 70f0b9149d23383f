//! Every kind of mistake in a site, from tests/fixtures/errors/: reported as
//! `path:line:column: error: message`, exit status 1, and the previous output left as it was.

use crate::common::SiteTest;

const RELEASE: &str = "content/ko/press-releases/bad.md";

/// Build the basic fixture once (the "previous output"), put the error fixture in, build
/// again, and check the one error line, the exit status and that nothing was written.
fn expect_error(fixture: &str, at: &str, expected: &str) {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let before = site.output_snapshot();
    site.with_error_fixture(fixture, at);
    let run = site.build();
    run.fails(1).says("nothing was written");
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "one error expected: {}", run.stderr);
    assert!(
        lines[0].starts_with(expected),
        "expected a line starting {expected:?}, got {:?}",
        lines[0]
    );
    assert_eq!(
        site.output_snapshot(),
        before,
        "a failed build must leave the output as it was"
    );
}

#[test]
fn unterminated_front_matter() {
    expect_error(
        "unterminated.md",
        RELEASE,
        "content/ko/press-releases/bad.md:1:1: error: the front-matter opened here is never closed",
    );
}

#[test]
fn missing_front_matter() {
    expect_error(
        "no-front-matter.md",
        RELEASE,
        "content/ko/press-releases/bad.md:1:1: error: a release must start with TOML front-matter",
    );
}

#[test]
fn bad_toml_points_at_its_line() {
    expect_error(
        "bad-toml.md",
        RELEASE,
        "content/ko/press-releases/bad.md:4:",
    );
}

#[test]
fn missing_title() {
    expect_error(
        "missing-title.md",
        RELEASE,
        "content/ko/press-releases/bad.md:1:1: error: missing `title`",
    );
}

#[test]
fn missing_date() {
    expect_error(
        "missing-date.md",
        RELEASE,
        "content/ko/press-releases/bad.md:1:1: error: missing `date`",
    );
}

#[test]
fn a_date_that_is_not_a_date() {
    expect_error(
        "not-a-date.md",
        RELEASE,
        "content/ko/press-releases/bad.md:3:8: error: ",
    );
    expect_error(
        "impossible-date.md",
        RELEASE,
        "content/ko/press-releases/bad.md:3:",
    );
}

#[test]
fn unknown_key_with_suggestion() {
    expect_error(
        "unknown-key.md",
        RELEASE,
        "content/ko/press-releases/bad.md:4:1: error: unknown key `sumary` (did you mean `summary`?)",
    );
}

#[test]
fn unknown_topic_with_suggestion() {
    expect_error(
        "unknown-topic.md",
        RELEASE,
        "content/ko/press-releases/bad.md:4:22: error: unknown topic `dprkk`: it is not in [topics] of config.toml (did you mean `dprk`?)",
    );
}

#[test]
fn invalid_file_name_proposes_a_valid_one() {
    expect_error(
        "valid.md",
        "content/ko/press-releases/Outcome of Meeting.md",
        "content/ko/press-releases/Outcome of Meeting.md:1:1: error: file name `Outcome of Meeting.md` is not a URL segment (lowercase a-z, 0-9, `-`, `_`, `.`): rename it `outcome-of-meeting.md`",
    );
}

#[test]
fn two_releases_of_one_language_with_one_translation_key() {
    // briefing-march.md already uses the key "briefing-2022-03".
    expect_error(
        "duplicate-translation.md",
        "content/ko/briefings/second-march-briefing.md",
        "content/ko/briefings/second-march-briefing.md:4:15: error: translation key `briefing-2022-03` is used by two releases of one language: this one and content/ko/briefings/briefing-march.md",
    );
}

#[test]
fn two_releases_of_one_language_with_one_default_key() {
    // Same relative path in one language is impossible, but a custom key can equal another
    // release's default key (its path).
    let site = SiteTest::fixture("basic");
    site.write(
        "content/ko/briefings/other.md",
        "+++\ntitle = \"다른 브리핑\"\ndate = 2022-03-05\ntranslation = \"press-releases/honolulu\"\n+++\n본문\n",
    );
    let run = site.build();
    run.fails(1);
    assert_eq!(run.error_lines().len(), 1, "{}", run.stderr);
    run.says("content/ko/press-releases/honolulu.md:1:1: error: translation key `press-releases/honolulu` is used by two releases of one language: this one and content/ko/briefings/other.md");
}

#[test]
fn a_release_and_a_folder_with_one_address() {
    let site = SiteTest::fixture("basic");
    site.with_error_fixture("valid.md", "content/ko/press-releases/honolulu/annex.md");
    site.build()
        .fails(1)
        .says("content/ko/press-releases/honolulu.md:1:1: error: this release and the section folder `press-releases/honolulu/` would have the same address");
}

#[test]
fn template_errors_name_the_template_line_and_column() {
    expect_error(
        "release-unknown-field.html",
        "templates/release.html",
        "templates/release.html:3:",
    );
    expect_error(
        "syntax-error.html",
        "templates/broken.html",
        "templates/broken.html:2:",
    );
}

#[test]
fn unknown_config_key_with_suggestion() {
    expect_error(
        "config-unknown-key.toml",
        "config.toml",
        "config.toml:4:1: error: unknown key `per_pag` (did you mean `per_page`?)",
    );
}

#[test]
fn every_error_is_reported_in_one_run() {
    let site = SiteTest::fixture("basic");
    site.with_error_fixture("missing-title.md", "content/ko/press-releases/a.md")
        .with_error_fixture("unknown-topic.md", "content/en/press-releases/b.md")
        .with_error_fixture("valid.md", "content/en/press-releases/Bad.md");
    let run = site.build();
    run.fails(1).says("the site has 3 errors");
    let lines = run.error_lines();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].starts_with("content/en/press-releases/Bad.md:1:1:"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("content/en/press-releases/b.md:4:22:"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("content/ko/press-releases/a.md:1:1:"),
        "{lines:?}"
    );
    assert!(
        !site.output_exists("index.html"),
        "nothing is written on error"
    );
}

#[test]
fn a_wrong_command_line_exits_2() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--no-such-flag"]).fails(2);
    site.run(&["publish"]).fails(2);
}

#[test]
fn a_section_weight_that_is_not_a_number() {
    expect_error(
        "section-weight-not-a-number.md",
        "content/ko/press-releases/_index.md",
        "content/ko/press-releases/_index.md:3:10: error: `weight` must be a whole number, not text: write a whole number (1, 2, 3...), without quotes",
    );
}

#[test]
fn every_wrong_type_in_a_release_is_reported_at_its_own_line() {
    let site = SiteTest::fixture("basic");
    site.write(
        RELEASE,
        "+++\ntitle = 5\ndate = \"yesterday\"\ntopics = \"dprk\"\n+++\nText.\n",
    );
    let run = site.build();
    run.fails(1).says("the site has 3 errors");
    assert_eq!(
        run.error_lines(),
        [
            "content/ko/press-releases/bad.md:2:9: error: `title` must be text, not a whole number: put it in quotes: `title = \"5\"`",
            "content/ko/press-releases/bad.md:3:8: error: `date` must be a date, not text: write a date (2022-02-12) or a date-time (2022-02-12T15:00:00+09:00), without quotes",
            "content/ko/press-releases/bad.md:4:10: error: `topics` must be a list, not text: write `topics = [\"dprk\"]`",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn wrong_types_are_told_how_to_write_the_value() {
    let site = SiteTest::fixture("basic");
    site.write(
        RELEASE,
        "+++\ntitle = \"제목\"\ndate = \"2022-02-12\"\nnumber = 123\ndraft = \"no\"\ntopics = [\"dprk\", 7]\nextra = 1\n+++\nText.\n",
    );
    let run = site.build();
    run.fails(1);
    assert_eq!(
        run.error_lines(),
        [
            "content/ko/press-releases/bad.md:3:8: error: `date` must be a date, not text: remove the quotes: `date = 2022-02-12`",
            "content/ko/press-releases/bad.md:4:10: error: `number` must be text, not a whole number: put it in quotes: `number = \"123\"`",
            "content/ko/press-releases/bad.md:5:9: error: `draft` must be true or false, not text: write `draft = true` or `draft = false`, without quotes",
            "content/ko/press-releases/bad.md:6:19: error: an item of `topics` must be text, not a whole number: put it in quotes: `\"7\"`",
            "content/ko/press-releases/bad.md:7:9: error: `extra` must be a table, not a whole number",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn every_wrong_type_in_a_section_index_is_reported() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/ko/press-releases/_index.md",
        "+++\ntitle = 5\nweight = \"first\"\nwieght = 1\n+++\n",
    );
    let run = site.build();
    run.fails(1);
    assert_eq!(
        run.error_lines(),
        [
            "content/ko/press-releases/_index.md:2:9: error: `title` must be text, not a whole number: put it in quotes: `title = \"5\"`",
            "content/ko/press-releases/_index.md:3:10: error: `weight` must be a whole number, not text: write a whole number (1, 2, 3...), without quotes",
            "content/ko/press-releases/_index.md:4:1: error: unknown key `wieght` (did you mean `weight`?)",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_config_key_is_reported_with_every_other_error_of_the_file() {
    let site = SiteTest::fixture("basic");
    site.with_error_fixture("config-unknown-key.toml", "config.toml");
    let text = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &text
            .replace("timezone = \"Asia/Seoul\"", "timezone = \"Asia/Seol\"")
            .replace(
                "[languages.en]\nname = \"English\"",
                "[languages.en]\nname = 5",
            ),
    );
    let run = site.build();
    run.fails(1).says("the site has 3 errors");
    assert_eq!(
        run.error_lines(),
        [
            "config.toml:3:12: error: unknown time zone `Asia/Seol`: use an IANA name like `Asia/Seoul`",
            "config.toml:4:1: error: unknown key `per_pag` (did you mean `per_page`?)",
            "config.toml:11:8: error: `languages.en.name` must be text, not a whole number: put it in quotes: `name = \"5\"`",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn attachment_errors_are_at_the_attachment() {
    let site = SiteTest::fixture("basic");
    // The missing file's name is written in the summary first: the error is still at the
    // attachment that names it.
    site.write(
        "content/en/press-releases/attached.md",
        "+++\ntitle = \"Attached\"\ndate = 2024-02-01\nsummary = \"See files/gone.pdf\"\nattachments = [\n  { title = \"Statement\", file = \"files/statement.pdf\" },\n  { title = \"Gone\", file = \"files/gone.pdf\" },\n  { title = \"Escaped\", file = \"files/\\u0067one2.pdf\" },\n]\n+++\nText.\n",
    );
    let run = site.run(&["check"]);
    run.fails(1);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with("content/en/press-releases/attached.md:7:28: error: attachment `files/gone.pdf` is not in static/"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("content/en/press-releases/attached.md:8:31: error: attachment `files/gone2.pdf` is not in static/"),
        "{}",
        lines[1]
    );
}

#[test]
fn wrong_attachments_are_each_reported_at_their_place() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/en/press-releases/attached.md",
        "+++\ntitle = \"Attached\"\ndate = 2024-02-01\nattachments = [\n  { title = \"No file\" },\n  { title = 3, file = \"files/statement.pdf\" },\n  { title = \"\", file = 4 },\n  \"files/statement.pdf\",\n]\n+++\nText.\n",
    );
    let run = site.build();
    run.fails(1);
    assert_eq!(
        run.error_lines(),
        [
            "content/en/press-releases/attached.md:5:3: error: missing `file` in this attachment: the path of a file under static/",
            "content/en/press-releases/attached.md:6:13: error: `attachments.title` must be text, not a whole number: put it in quotes: `title = \"3\"`",
            "content/en/press-releases/attached.md:7:13: error: the attachment's `title` is empty",
            "content/en/press-releases/attached.md:7:24: error: `attachments.file` must be text, not a whole number: put it in quotes: `file = \"4\"`",
            "content/en/press-releases/attached.md:8:3: error: an item of `attachments` must be a table, not text: write `{ title = \"…\", file = \"files/statement.pdf\" }`",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn titles_with_control_characters_are_printed_escaped_by_check() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/ko/press-releases/forged.md",
        "+++\ntitle = \"Forged\\nerror: fake\\u001b[2J\"\ndate = 2024-01-01\n+++\nText.\n",
    );
    let run = site.run(&["check"]);
    run.ok();
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(
        run.stderr.contains("Forged\\nerror: fake\\u{1b}[2J"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("error: fake")),
        "{}",
        run.stderr
    );
}

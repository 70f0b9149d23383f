//! What the load stage reads and refuses: only regular files, each within a size limit; named
//! pipes and devices skipped with a warning instead of waited on; symbolic links followed when
//! they lead inside the site, refused (an error naming the link and its target) when they lead
//! outside; link cycles reported and not followed. Every run is bounded in time, so that a
//! command that would wait forever fails the test instead of hanging the suite.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::serve::Server;
use crate::common::{Run, SiteTest};

/// Long enough for a loaded machine; a command that waits on a pipe never gets there.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// `communique <args>` at the site's root, killed (and the test failed) if it has not ended
/// within [`TIME_LIMIT`]. Its address space is limited, so that a read that never ends fails
/// quickly instead of taking the machine's memory.
fn run_within_limits<'a>(site: &'a SiteTest, args: &[&str]) -> Run<'a> {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg("ulimit -v 4000000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_communique"));
    site.run_within(shell, args, TIME_LIMIT)
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// The warning lines (`path: warning: ...`) of stderr.
fn warning_lines<'a>(run: &'a Run<'_>) -> Vec<&'a str> {
    run.stderr
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect()
}

#[test]
fn named_pipes_are_skipped_with_a_warning_by_build_and_check() {
    let site = SiteTest::fixture("basic");
    mkfifo(&site.path("content/ko/press-releases/pipe.md"));
    mkfifo(&site.path("templates/pipe.html"));
    mkfifo(&site.path("static/files/pipe.pdf"));

    let run = run_within_limits(&site, &["build"]);
    run.ok();
    let warnings = warning_lines(&run);
    assert_eq!(
        warnings,
        [
            "content/ko/press-releases/pipe.md: warning: skipped: not a regular file but a named pipe",
            "static/files/pipe.pdf: warning: skipped: not a regular file but a named pipe",
            "templates/pipe.html: warning: skipped: not a regular file but a named pipe",
        ],
        "{}",
        run.stderr
    );
    assert!(site.output_exists("ko/press-releases/honolulu/index.html"));
    assert!(site.output_exists("files/statement.pdf"));
    assert!(!site.output_exists("files/pipe.pdf"));

    let run = run_within_limits(&site, &["check"]);
    run.ok();
    assert_eq!(warning_lines(&run).len(), 3, "{}", run.stderr);
}

#[test]
fn serve_starts_with_a_named_pipe_in_the_site_and_says_it_skipped_it() {
    let site = SiteTest::fixture("basic");
    mkfifo(&site.path("content/en/press-releases/pipe.md"));
    // Start waits a bounded time for the address, and kills the server when dropped.
    let mut server = Server::start(&site, &[]);
    assert!(
        server.seen.iter().any(|l| l
            == "content/en/press-releases/pipe.md: warning: skipped: not a regular file but a named pipe"),
        "{}",
        server.seen.join("\n")
    );
    assert_eq!(server.get("/en/press-releases/honolulu/").status, 200);
    // A pipe made while serving is skipped by the rebuild too.
    mkfifo(&site.path("static/files/pipe.pdf"));
    server.wait_for_line(
        "static/files/pipe.pdf: warning: skipped: not a regular file but a named pipe",
        Duration::from_secs(20),
    );
}

#[test]
fn a_link_to_dev_zero_is_refused_as_leading_outside_the_site() {
    let site = SiteTest::fixture("basic");
    symlink("/dev/zero", site.path("content/ko/press-releases/zero.md")).unwrap();
    symlink("/dev/zero", site.path("static/zero.pdf")).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    assert_eq!(
        run.error_lines(),
        [
            "content/ko/press-releases/zero.md:1:1: error: the symbolic link leads to `/dev/zero`, outside the site's folder: links are followed only to files and folders inside it",
            "static/zero.pdf:1:1: error: the symbolic link leads to `/dev/zero`, outside the site's folder: links are followed only to files and folders inside it",
        ],
        "{}",
        run.stderr
    );
    assert!(!site.output_exists("index.html"));
}

#[test]
fn files_over_the_size_limit_are_errors_at_their_path() {
    let site = SiteTest::fixture("basic");
    // Sparse: the limit is checked against the size before anything is read.
    let huge = std::fs::File::create(site.path("content/en/press-releases/huge.md")).unwrap();
    huge.set_len(9 * 1024 * 1024).unwrap();
    let video = std::fs::File::create(site.path("static/files/video.mp4")).unwrap();
    video.set_len(101 * 1024 * 1024).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    assert_eq!(
        run.error_lines(),
        [
            "content/en/press-releases/huge.md:1:1: error: the file is 9.0 MiB, over the limit of 8 MiB for config.toml, a release or a template",
            "static/files/video.mp4:1:1: error: the file is 101.0 MiB, over the limit of 100 MiB for a static file",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_release_linked_to_a_file_outside_the_site_is_refused_and_not_published() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(
        &secret,
        "+++\ntitle = \"Not for publication\"\ndate = 2024-01-01\n+++\nSecret text.\n",
    )
    .unwrap();
    let site = SiteTest::fixture("basic");
    site.build().ok();
    symlink(&secret, site.path("content/en/press-releases/leak.md")).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1).says("nothing was written");
    let resolved = std::fs::canonicalize(&secret).unwrap();
    assert_eq!(
        run.error_lines(),
        [format!(
            "content/en/press-releases/leak.md:1:1: error: the symbolic link leads to `{}`, outside the site's folder: links are followed only to files and folders inside it",
            resolved.display()
        )],
        "{}",
        run.stderr
    );
    assert!(!site.output_exists("en/press-releases/leak/index.html"));
}

#[test]
fn static_files_and_folders_linked_outside_the_site_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwords.txt"), "secret").unwrap();
    std::fs::create_dir(outside.path().join("private")).unwrap();
    std::fs::write(outside.path().join("private/notes.txt"), "secret").unwrap();
    let site = SiteTest::fixture("basic");
    symlink(
        outside.path().join("passwords.txt"),
        site.path("static/passwords.txt"),
    )
    .unwrap();
    symlink(outside.path().join("private"), site.path("static/private")).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with("static/passwords.txt:1:1: error: the symbolic link leads to `")
            && lines[0].contains("passwords.txt`, outside the site's folder"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("static/private:1:1: error: the symbolic link leads to `")
            && lines[1].contains("private`, outside the site's folder"),
        "{}",
        lines[1]
    );
    assert!(!site.output_exists("passwords.txt"));
    assert!(!site.output_exists("private/notes.txt"));
}

#[test]
fn static_files_and_folders_linked_inside_the_site_are_published() {
    let site = SiteTest::fixture("basic");
    site.write("shared/logo.svg", "<svg/>")
        .write("shared/docs/annual-report.pdf", "%PDF report");
    symlink("../shared/logo.svg", site.path("static/logo.svg")).unwrap();
    symlink("../shared/docs", site.path("static/docs")).unwrap();
    run_within_limits(&site, &["build"]).ok();
    assert_eq!(site.output("logo.svg"), "<svg/>");
    assert_eq!(site.output("docs/annual-report.pdf"), "%PDF report");
}

#[test]
fn templates_and_releases_linked_inside_the_site_are_used() {
    let site = SiteTest::fixture("basic");
    site.write(
        "theme/404.html",
        "<!doctype html><title>Not here</title><p>Linked 404 template</p>",
    )
    .write(
        "drafts/linked.md",
        "+++\ntitle = \"Linked Release\"\ndate = 2024-01-01\n+++\nFrom elsewhere in the site.\n",
    );
    std::fs::create_dir_all(site.path("templates")).unwrap();
    symlink("../theme/404.html", site.path("templates/404.html")).unwrap();
    symlink(
        "../../../drafts/linked.md",
        site.path("content/en/press-releases/linked.md"),
    )
    .unwrap();
    run_within_limits(&site, &["build"]).ok();
    site.file_contains("404.html", "Linked 404 template");
    site.file_contains("en/press-releases/linked/index.html", "Linked Release");
}

#[test]
fn the_site_folders_themselves_follow_the_same_rule() {
    // static/ a link to a folder inside the site: published.
    let site = SiteTest::fixture("basic");
    std::fs::rename(site.path("static"), site.path("assets")).unwrap();
    symlink("assets", site.path("static")).unwrap();
    run_within_limits(&site, &["build"]).ok();
    assert!(site.output_exists("files/statement.pdf"));

    // content/en a link to a folder inside the site: its releases are read.
    let site = SiteTest::fixture("basic");
    std::fs::rename(site.path("content/en"), site.path("english")).unwrap();
    symlink("../english", site.path("content/en")).unwrap();
    run_within_limits(&site, &["build"]).ok();
    assert!(site.output_exists("en/press-releases/honolulu/index.html"));

    // content/ a link to a folder outside the site: refused.
    let outside = tempfile::tempdir().unwrap();
    let site = SiteTest::fixture("basic");
    std::fs::rename(site.path("content"), outside.path().join("content")).unwrap();
    symlink(outside.path().join("content"), site.path("content")).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("content:1:1: error: the symbolic link leads to `")
            && lines[0].contains("outside the site's folder"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_link_into_a_hidden_folder_of_the_site_is_refused() {
    let site = SiteTest::fixture("basic");
    site.write(".git/config", "[remote \"origin\"]\n");
    symlink("../.git", site.path("static/git")).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("static/git:1:1: error: the symbolic link leads to `")
            && lines[0].contains(".git`, a hidden folder of the site"),
        "{}",
        lines[0]
    );
    assert!(!site.output_exists("git/config"));
}

/// A link from static/ or templates/ into content/ would publish the sources, drafts and
/// embargoed releases with them.
#[test]
fn a_link_from_static_into_the_content_is_refused() {
    let site = SiteTest::fixture("basic");
    symlink("../../content/ko", site.path("static/files/sources")).unwrap();
    std::fs::create_dir(site.path("templates")).unwrap();
    symlink(
        "../content/en/press-releases/honolulu.md",
        site.path("templates/x.html"),
    )
    .unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    for (line, link) in lines
        .iter()
        .zip(["static/files/sources", "templates/x.html"])
    {
        assert!(
            line.starts_with(&format!("{link}:1:1: error: the symbolic link leads to `"))
                && line.contains("in the site's content/"),
            "{line}"
        );
    }
    assert!(!site.path("public").exists());
}

#[test]
fn link_cycles_end_and_are_reported() {
    let site = SiteTest::fixture("basic");
    symlink("..", site.path("static/files/up")).unwrap();
    symlink(".", site.path("content/en/press-releases/again")).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.ok();
    assert_eq!(
        warning_lines(&run),
        [
            "content/en/press-releases/again: warning: skipped: the symbolic link leads back to content/en/press-releases, a folder it is in",
            "static/files/up: warning: skipped: the symbolic link leads back to static, a folder it is in",
        ],
        "{}",
        run.stderr
    );
    assert!(site.output_exists("files/statement.pdf"));
    assert!(site.output_exists("en/press-releases/honolulu/index.html"));
}

#[test]
fn a_broken_link_is_an_error_at_the_link() {
    let site = SiteTest::fixture("basic");
    symlink("missing.pdf", site.path("static/files/gone.pdf")).unwrap();
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with(
            "static/files/gone.pdf:1:1: error: the symbolic link leads to `missing.pdf`, which does not exist"
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn file_names_with_control_characters_are_printed_escaped() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/ko/press-releases/x.md:1:1: error: forged\nreal\u{1b}[2J.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-01\n+++\n",
    );
    mkfifo(&site.path("static/pipe\n\u{1b}[31mred"));
    let run = run_within_limits(&site, &["build"]);
    run.fails(1);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "{:?}", run.stderr);
    assert!(
        lines[0].starts_with(
            "content/ko/press-releases/x.md:1:1: error: forged\\nreal\\u{1b}[2J.md:1:1: error: file name `x.md:1:1: error: forged\\nreal\\u{1b}[2J.md` is not a URL segment"
        ),
        "{}",
        lines[0]
    );
    // Every line of stderr is one of the messages: the error, its count, and nothing forged.
    assert_eq!(run.stderr.lines().count(), 2, "{:?}", run.stderr);

    site.remove("content/ko/press-releases/x.md:1:1: error: forged\nreal\u{1b}[2J.md");
    let run = run_within_limits(&site, &["build"]);
    run.ok();
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert_eq!(
        warning_lines(&run),
        ["static/pipe\\n\\u{1b}[31mred: warning: skipped: not a regular file but a named pipe"],
        "{:?}",
        run.stderr
    );
}

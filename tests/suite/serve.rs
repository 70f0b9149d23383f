//! `communique serve` on fixture sites: what it serves and refuses, live reload after an edit,
//! a broken save keeping the last good site, Ctrl-C; and partial rebuilds matching full ones.

use std::time::Duration;

use crate::common::SiteTest;
use crate::common::serve::Server;
use communique::LoadOptions;
use communique::serve::live::{LiveSite, Rebuilt};
use communique::serve::watch::Rebuild;

const RELEASE: &str = "content/en/press-releases/honolulu.md";
const RELEASE_URL: &str = "/en/press-releases/honolulu/";
const WAIT: Duration = Duration::from_secs(10);

/// The basic fixture with a PDF, an image and a script in static/.
fn site_with_static_files() -> SiteTest {
    let site = SiteTest::fixture("basic");
    site.write("static/files/joint-statement.pdf", "%PDF-1.4\n%%EOF\n")
        .write("static/img/seal.png", "\u{89}PNG not really")
        .write("static/js/app.js", "console.log(1);\n");
    site
}

#[test]
fn serves_pages_with_the_reload_script_and_local_links_but_builds_without_it() {
    let site = site_with_static_files();
    let server = Server::start(&site, &[]);

    let page = server.get(RELEASE_URL);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(
        html.contains("Outcome of ROK-U.S. Foreign Ministers"),
        "{html}"
    );
    assert!(
        html.contains(r#"<script src="/__communique/live-reload.js""#),
        "{html}"
    );
    // Absolute links go to this server, not to base_url.
    let local = format!(r#"href="{}""#, server.url(RELEASE_URL));
    assert!(html.contains(&local), "no {local} in {html}");
    assert!(!html.contains("www.mofa.example"), "{html}");

    let script = server.get("/__communique/live-reload.js");
    assert_eq!(script.status, 200);
    assert!(script.text().contains("EventSource"));

    // serve never writes the output folder.
    assert!(!site.path("public").exists());
    drop(server);

    site.build().ok();
    site.file_lacks("en/press-releases/honolulu/index.html", "__communique")
        .file_lacks("index.html", "__communique")
        .file_lacks("404.html", "__communique");
}

#[test]
fn files_have_their_content_types() {
    let site = site_with_static_files();
    let server = Server::start(&site, &[]);
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/ko/", "text/html; charset=utf-8"),
        ("/theme/communique.css", "text/css; charset=utf-8"),
        ("/js/app.js", "text/javascript; charset=utf-8"),
        ("/files/joint-statement.pdf", "application/pdf"),
        ("/img/seal.png", "image/png"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some(content_type),
            "{path}"
        );
    }
    let pdf = server.get("/files/joint-statement.pdf");
    assert_eq!(pdf.body, b"%PDF-1.4\n%%EOF\n");
    // Nothing is injected into what is not HTML.
    assert!(!server.get("/js/app.js").text().contains("__communique"));
}

#[test]
fn paths_that_climb_out_of_the_site_are_refused() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site, &[]);
    for path in [
        "/../config.toml",
        "/%2e%2e/config.toml",
        "/..%2fconfig.toml",
        "/\\..\\config.toml",
        "/ko/../../config.toml",
        "/%2e%2e%5cconfig.toml",
        "/config.toml",
        "/content/en/press-releases/honolulu.md",
    ] {
        let response = server.get(path);
        assert!(
            response.status == 400 || response.status == 404,
            "{path}: status {}",
            response.status
        );
        let body = response.text();
        assert!(
            !body.contains("base_url") && !body.contains("+++"),
            "{path} leaked a source file: {body}"
        );
    }
}

#[test]
fn unknown_addresses_get_the_404_page_and_head_gets_headers_only() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site, &[]);

    let missing = server.get("/en/no-such-page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        missing.text().contains(r#"id="not-found-en""#),
        "{}",
        missing.text()
    );
    assert!(missing.text().contains("/__communique/live-reload.js"));

    let get = server.get(RELEASE_URL);
    let head = server.request("HEAD", RELEASE_URL);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD sent a body");
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str())
    );
    assert_eq!(server.request("HEAD", "/nope").status, 404);
    assert_eq!(server.request("POST", RELEASE_URL).status, 405);

    // A folder without its slash goes to the folder, as on static hosts.
    let folder = server.get("/en/press-releases");
    assert_eq!(folder.status, 308);
    assert_eq!(folder.header("location"), Some("/en/press-releases/"));
}

#[test]
fn an_edit_reloads_open_pages_and_the_new_page_is_served() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let mut events = server.events();

    let text = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    site.write(
        RELEASE,
        &text.replace(
            "Outcome of ROK-U.S. Foreign Ministers' Meeting",
            "Ministers Meet Again in Honolulu",
        ),
    );
    events.wait_for("reload", WAIT);
    let line = server.wait_for_line("rebuilt in ", WAIT);
    assert!(line.contains(" ms "), "{line}");

    let page = server.get(RELEASE_URL).text();
    assert!(page.contains("Ministers Meet Again in Honolulu"), "{page}");
    // Lists that show the release show the new title too.
    assert!(
        server
            .get("/en/press-releases/")
            .text()
            .contains("Ministers Meet Again in Honolulu")
    );
}

#[test]
fn a_save_by_writing_a_temporary_file_and_renaming_it_is_one_rebuild() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let text = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    let temporary = site.path("content/en/press-releases/.honolulu.md.tmp");
    std::fs::write(&temporary, text.replace("Honolulu", "Oahu")).unwrap();
    std::fs::rename(&temporary, site.path(RELEASE)).unwrap();
    server.wait_for_line("rebuilt in ", WAIT);
    server.says_nothing_like("rebuilt in ", Duration::from_millis(800));
    assert!(server.get(RELEASE_URL).text().contains("Oahu"));
}

#[test]
fn a_broken_save_keeps_the_last_good_site_and_the_next_good_one_reloads() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let mut events = server.events();
    let good = std::fs::read_to_string(site.path(RELEASE)).unwrap();

    site.write(
        RELEASE,
        &good.replace("date = ", "date = not-a-date\nplace2 = "),
    );
    let errors = events.wait_for("errors", WAIT);
    assert!(
        errors.contains(&format!("{RELEASE}:")) && errors.contains(": error: "),
        "{errors}"
    );
    server.wait_for_line(&format!("{RELEASE}:"), WAIT);
    server.wait_for_line("still serving the last good build", WAIT);
    let page = server.get(RELEASE_URL);
    assert_eq!(page.status, 200);
    assert!(
        page.text()
            .contains("Outcome of ROK-U.S. Foreign Ministers")
    );

    // A page opened while the site is broken is told the errors at once.
    let mut late = server.events();
    assert!(late.wait_for("errors", WAIT).contains(RELEASE));

    site.write(RELEASE, &good.replace("Honolulu", "Hawaii"));
    events.wait_for("reload", WAIT);
    assert!(server.get(RELEASE_URL).text().contains("Hawaii"));
}

#[test]
fn ctrl_c_stops_it_cleanly_with_a_page_open() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let _open_page = server.events();
    let code = server.interrupt(WAIT);
    assert_eq!(code, Some(0), "{}", server.seen.join("\n"));
    assert!(server.seen.iter().any(|l| l == "stopped"));
}

/// What a process manager or `docker stop` sends: the same clean stop as Ctrl-C.
#[cfg(unix)]
#[test]
fn sigterm_stops_it_cleanly_too() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let _open_page = server.events();
    let code = server.signal("TERM", WAIT);
    assert_eq!(code, Some(0), "{}", server.seen.join("\n"));
    assert!(server.seen.iter().any(|l| l == "stopped"));
}

/// The site rebuilt in part after a change must equal the site built afresh.
fn assert_same_as_full_build(site: &SiteTest, live: &mut LiveSite, rebuild: Rebuild) -> usize {
    rebuild_like_a_full_build(site, live, rebuild).pages_rendered
}

/// Rebuild, check the served files equal a full build's, and say what the rebuild did. The
/// pages must be right as soon as the rebuild returns; the search index once it caught up.
fn rebuild_like_a_full_build(site: &SiteTest, live: &mut LiveSite, rebuild: Rebuild) -> Rebuilt {
    let rebuilt = live
        .rebuild(&rebuild)
        .unwrap_or_else(|e| panic!("{rebuild:?}: {e:#}"));
    let fresh = LiveSite::build(site.root(), &LoadOptions::default()).unwrap();
    let not_search = |path: &str| !path.starts_with(communique::search::INDEX_ROOT);
    assert_same_files(live, &fresh, not_search, &rebuild);
    let caught_up = live.catch_up();
    assert_eq!(
        caught_up.is_some(),
        rebuilt.quick,
        "only a quick rebuild leaves the index behind"
    );
    assert_same_files(live, &fresh, |_| true, &rebuild);
    rebuilt
}

/// The files of `live` and `fresh` that `which` selects are the same paths and bytes.
fn assert_same_files(
    live: &LiveSite,
    fresh: &LiveSite,
    which: impl Fn(&str) -> bool,
    rebuild: &Rebuild,
) {
    let selected = |site: &LiveSite| {
        let mut paths: Vec<String> = site.files().keys().filter(|p| which(p)).cloned().collect();
        paths.sort();
        paths
    };
    let paths = selected(fresh);
    assert_eq!(selected(live), paths, "after {rebuild:?}");
    for path in &paths {
        assert!(
            live.files()[path] == fresh.files()[path],
            "{path} differs from a full build after {rebuild:?}"
        );
    }
}

/// The rebuild for changed content files.
fn content(paths: &[&str]) -> Rebuild {
    Rebuild::Content(paths.iter().map(|p| p.to_string()).collect())
}

#[test]
fn partial_rebuilds_give_the_same_site_as_a_full_build() {
    let site = site_with_static_files();
    let mut live = LiveSite::build(site.root(), &LoadOptions::default()).unwrap();
    let all_pages = live.files().keys().filter(|p| p.ends_with(".html")).count();
    let text = std::fs::read_to_string(site.path(RELEASE)).unwrap();

    // A title: the release and the pages that list it are re-rendered, not every page.
    site.write(RELEASE, &text.replace("Outcome of", "Result of"));
    let rebuilt = rebuild_like_a_full_build(&site, &mut live, content(&[RELEASE]));
    assert!(rebuilt.quick, "a title edit takes the quick path");
    let rendered = rebuilt.pages_rendered;
    assert!(
        rendered > 0 && rendered < all_pages,
        "{rendered} of {all_pages}"
    );

    // A date that moves it in every list, a topic more, an attachment.
    site.write(
        RELEASE,
        &text
            .replace("2022-02-12T15:00:00-10:00", "2021-01-01T09:00:00+09:00")
            .replace(r#"topics = ["dprk"]"#, r#"topics = ["dprk", "climate"]"#)
            .replace("files/statement.pdf", "files/joint-statement.pdf"),
    );
    let rebuilt = rebuild_like_a_full_build(&site, &mut live, content(&[RELEASE]));
    assert!(
        !rebuilt.quick,
        "a release that moves in its lists is read with the rest"
    );

    // The attached file grows: its size is shown on the release page.
    site.write("static/files/joint-statement.pdf", &"x".repeat(4000));
    let rendered = assert_same_as_full_build(
        &site,
        &mut live,
        Rebuild::Static(vec!["files/joint-statement.pdf".into()]),
    );
    assert!(rendered >= 1);

    // A file that nothing shows: copied alone, no page rendered.
    site.write("static/js/app.js", "console.log(2);\n");
    let rendered =
        assert_same_as_full_build(&site, &mut live, Rebuild::Static(vec!["js/app.js".into()]));
    assert_eq!(rendered, 0);

    // A site file over a theme file, then gone again: the theme's comes back.
    site.write("static/theme/communique.css", "body { color: red }");
    assert_same_as_full_build(&site, &mut live, Rebuild::Static(vec!["theme".into()]));
    site.remove("static/theme");
    assert_same_as_full_build(&site, &mut live, Rebuild::Static(vec!["theme".into()]));

    // A new release, a new section, and one removed.
    site.write(
        "content/en/speeches/new-year.md",
        "+++\ntitle = \"New Year Address\"\ndate = 2023-01-01T10:00:00+09:00\ntopics = [\"climate\"]\n+++\nHappy new year.\n",
    );
    let rebuilt = rebuild_like_a_full_build(
        &site,
        &mut live,
        content(&["content/en/speeches/new-year.md"]),
    );
    assert!(!rebuilt.quick);
    site.remove("content/en/press-releases/climate-talks.md");
    let rebuilt = rebuild_like_a_full_build(
        &site,
        &mut live,
        content(&["content/en/press-releases/climate-talks.md"]),
    );
    assert!(!rebuilt.quick);

    // A template: every page again, content not read again.
    site.write(
        "templates/release.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ release.title }}</h1>{% endblock main %}",
    );
    let rendered = assert_same_as_full_build(&site, &mut live, Rebuild::Templates);
    assert_eq!(
        rendered,
        live.files().keys().filter(|p| p.ends_with(".html")).count()
    );
}

#[test]
fn release_edits_that_move_nothing_take_the_quick_path_and_give_a_full_build() {
    let site = site_with_static_files();
    let mut live = LiveSite::build(site.root(), &LoadOptions::default()).unwrap();
    let text = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    let other = "content/en/press-releases/climate-talks.md";
    let other_text = std::fs::read_to_string(site.path(other)).unwrap();

    // Each field a release shows without moving in a list, one edit at a time.
    let edits = [
        text.replace(
            "1. The two ministers met",
            "1. The two foreign ministers met",
        ),
        text.replace("place = \"Honolulu\"", "place = \"Hawaii\""),
        text.replace("number = \"22-0123\"", "number = \"22-0124\""),
        text.replace("Joint Statement (PDF)", "Statement (PDF)"),
        text.replace("+++\n1.", "summary = \"A meeting.\"\n+++\n1."),
        // `updated` is the sitemap's `lastmod` and the feeds' `updated`.
        text.replace(
            "+++\n1.",
            "updated = 2022-02-14T09:00:00+09:00\n[extra]\nphoto = \"a.jpg\"\n+++\n1.",
        ),
        text.clone(),
    ];
    for edit in edits {
        site.write(RELEASE, &edit);
        let rebuilt = rebuild_like_a_full_build(&site, &mut live, content(&[RELEASE]));
        assert!(rebuilt.quick, "{edit}");
        assert!(rebuilt.pages_rendered >= 1);
    }

    // Two releases at once.
    site.write(RELEASE, &text.replace("Outcome of", "Result of"));
    site.write(other, &format!("{other_text}\nOne more line.\n"));
    let rebuilt = rebuild_like_a_full_build(&site, &mut live, content(&[other, RELEASE]));
    assert!(rebuilt.quick);

    // What moves a release in a list, links it or hides it: everything is read again.
    let moves = [
        text.replace("topics = [\"dprk\"]", "topics = [\"climate\"]"),
        text.replace("+++\n1.", "translation = \"elsewhere\"\n+++\n1."),
        text.replace("+++\n1.", "draft = true\n+++\n1."),
        text.clone(),
    ];
    for edit in moves {
        site.write(RELEASE, &edit);
        let rebuilt = rebuild_like_a_full_build(&site, &mut live, content(&[RELEASE]));
        assert!(!rebuilt.quick, "{edit}");
    }

    // A release and a static file: the static file must be read too.
    site.write(RELEASE, &text.replace("Outcome of", "Result of"));
    site.write("static/files/joint-statement.pdf", &"y".repeat(5000));
    let rebuilt = rebuild_like_a_full_build(
        &site,
        &mut live,
        content(&[RELEASE, "static/files/joint-statement.pdf"]),
    );
    assert!(!rebuilt.quick);

    // A file that no longer parses: its error, and the last good site still served.
    let before = live.files().clone();
    site.write(RELEASE, &text.replace("title = ", "title = = "));
    let error = live.rebuild(&content(&[RELEASE])).unwrap_err();
    assert!(format!("{error:#}").contains("honolulu.md"), "{error:#}");
    assert!(live.files() == &before);
    site.write(RELEASE, &text);
    assert_same_as_full_build(&site, &mut live, content(&[RELEASE]));
}

#[test]
fn a_failed_rebuild_changes_nothing_and_the_next_one_recovers() {
    let site = SiteTest::fixture("basic");
    let mut live = LiveSite::build(site.root(), &LoadOptions::default()).unwrap();
    let before = live.files().clone();
    site.write("templates/release.html", "{% if %}");
    let error = live.rebuild(&Rebuild::Templates).unwrap_err();
    assert!(
        format!("{error:#}").contains("templates/release.html"),
        "{error:#}"
    );
    assert!(live.files() == &before);

    // Content saved while the template is still broken must not look fine.
    let text = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    site.write(RELEASE, &text.replace("Outcome", "Result"));
    assert!(live.rebuild(&content(&[RELEASE])).is_err());

    site.remove("templates/release.html");
    assert_same_as_full_build(&site, &mut live, Rebuild::Templates);
}

/// serve leaves out what build leaves out: a release dated in the future, with a note, until
/// `--future` asks for it.
#[test]
fn serve_leaves_future_releases_out_unless_asked_for() {
    let site = SiteTest::fixture("basic");
    site.with_embargoed_release();
    const EMBARGOED: &str = "/en/press-releases/embargoed/";
    let server = Server::start(&site, &[]);
    assert!(
        server.seen.iter().any(|l| l.starts_with(
            "note: 1 release dated in the future left out until its date; `serve --future` includes them"
        )),
        "{}",
        server.seen.join("\n")
    );
    assert_eq!(server.get(EMBARGOED).status, 404);
    drop(server);

    let server = Server::start(&site, &["--future"]);
    let page = server.get(EMBARGOED);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Embargoed Announcement"));
}

//! The built-in theme: what its pages carry (skip link, landmarks, metadata, JSON-LD, print
//! button), that it is embedded in the binary, and that every page of the shipped site passes
//! the Nu Html Checker (`vnu-jar` from .ci/package.json, run with Java).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::SiteTest;

const RELEASE: &str = "press-releases/rok-us-foreign-ministers-meeting-honolulu/index.html";

fn shipped() -> SiteTest {
    let site = SiteTest::shipped_site();
    site.build().ok();
    site
}

fn required() -> bool {
    std::env::var("COMMUNIQUE_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not found"))
        + start.len();
    let to = text[from..].find(end).expect("end marker") + from;
    &text[from..to]
}

#[test]
fn every_page_starts_with_a_skip_link_to_main_and_has_the_ministry_frame() {
    let site = shipped();
    for lang in ["ko", "en"] {
        for page in [
            "index.html",
            "press-releases/index.html",
            "topics/index.html",
            "topics/dprk/index.html",
            RELEASE,
        ] {
            let path = format!("{lang}/{page}");
            let html = site.output(&path);
            let body = between(&html, "<body>", "</body>");
            let first_focusable = body.find(['<']).map(|i| &body[i..]).unwrap_or_default();
            assert!(
                first_focusable
                    .trim_start()
                    .starts_with("<a class=\"skip-link\" href=\"#main\">"),
                "{path}: the skip link must come first in <body>"
            );
            let skip = if lang == "ko" {
                "본문 바로가기"
            } else {
                "Skip to main content"
            };
            assert!(html.contains(skip), "{path}: skip link text");
            assert!(
                html.contains("<main id=\"main\" tabindex=\"-1\""),
                "{path}: main"
            );
            assert!(html.contains("class=\"language-switcher\""), "{path}");
            assert!(html.contains("<li lang=\"ko\">") && html.contains("<li lang=\"en\">"));
            assert!(
                html.contains(&format!("action=\"/{lang}/search/\"")),
                "{path}"
            );
            assert!(html.contains("name=\"q\""), "{path}: search box");
            assert!(html.contains("<address>"), "{path}: footer address");
            assert!(html.contains("class=\"copyright\""), "{path}: copyright");
        }
    }
    site.file_contains(
        "ko/index.html",
        "<a href=\"/en/\" hreflang=\"en\">English</a>",
    )
    .file_contains(
        "en/index.html",
        "aria-current=\"page\" hreflang=\"en\">English</a>",
    )
    .file_contains("ko/press-releases/index.html", "aria-label=\"현재 위치\"")
    .file_contains("en/press-releases/index.html", "<li aria-current=\"page\">");
}

#[test]
fn a_release_has_its_facts_metadata_and_a_print_button() {
    let site = shipped();
    let ko = site.output(&format!("ko/{RELEASE}"));
    for needle in [
        "<title>한미 외교장관회담 결과 | 외교부</title>",
        "<link rel=\"canonical\" href=\"https://www.mofa.example/ko/press-releases/rok-us-foreign-ministers-meeting-honolulu/\">",
        "<meta property=\"og:locale\" content=\"ko_KR\">",
        "<meta property=\"og:locale:alternate\" content=\"en_US\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<p class=\"section-label\"><a href=\"/ko/press-releases/\">",
        "<dt>장소</dt>",
        "<dt>번호</dt>",
        "<button type=\"button\" class=\"print-button\" data-print hidden>인쇄</button>",
        "<script src=\"/theme/print.js\" defer></script>",
        "<h2 id=\"attachments\">첨부파일</h2>",
        "(PDF,",
        "<nav aria-label=\"이전 글과 다음 글\" class=\"neighbours\">",
        "<h2 id=\"related\">관련 소식</h2>",
        "<a href=\"/ko/topics/dprk/\">북한</a>",
    ] {
        assert!(ko.contains(needle), "ko release lacks {needle:?}");
    }
    let json = between(&ko, "<script type=\"application/ld+json\">", "</script>");
    let article: serde_json::Value = serde_json::from_str(json).expect("JSON-LD is valid JSON");
    assert_eq!(article["@context"], "https://schema.org");
    assert_eq!(article["@type"], "NewsArticle");
    assert_eq!(article["headline"], "한미 외교장관회담 결과");
    assert_eq!(article["inLanguage"], "ko");
    assert_eq!(article["datePublished"], "2022-02-12T15:00:00-10:00");
    assert_eq!(article["publisher"]["name"], "외교부");
    assert!(
        article["keywords"]
            .as_array()
            .is_some_and(|k| !k.is_empty())
    );

    site.file_contains(
        &format!("en/{RELEASE}"),
        "<meta property=\"og:locale\" content=\"en_US\">",
    )
    .file_contains(
        &format!("en/{RELEASE}"),
        "<meta property=\"og:locale:alternate\" content=\"ko_KR\">",
    )
    .file_contains(
        "en/briefings/regular-briefing-2023-10-17/index.html",
        "<dt>Last updated</dt>",
    )
    .file_lacks(&format!("en/{RELEASE}"), "<dt>Last updated</dt>")
    .file_contains(
        "en/index.html",
        "<meta property=\"og:type\" content=\"website\">",
    );
}

#[test]
fn lists_are_ordered_with_a_count_and_labelled_pagination() {
    let site = SiteTest::shipped_site();
    site.write(
        "config.toml",
        &std::fs::read_to_string(site.path("config.toml"))
            .unwrap()
            .replace("per_page = 20", "per_page = 3"),
    );
    site.build().ok();
    site.file_contains(
        "en/press-releases/index.html",
        "<ol class=\"release-list\">",
    )
    .file_contains("en/press-releases/index.html", "11 releases · page 1 of 4")
    .file_contains(
        "en/press-releases/index.html",
        "<nav aria-label=\"Pagination\" class=\"pagination\">",
    )
    .file_contains(
        "en/press-releases/index.html",
        "<span class=\"visually-hidden\">Page </span>2</a>",
    )
    .file_contains(
        "en/press-releases/page/2/index.html",
        "rel=\"prev\">Previous page</a>",
    )
    .file_contains(
        "ko/press-releases/page/2/index.html",
        "rel=\"next\">다음 페이지</a>",
    )
    .file_contains(
        "ko/press-releases/page/2/index.html",
        "aria-current=\"page\">2<span class=\"visually-hidden\">페이지</span></a>",
    )
    .file_contains("ko/index.html", "전체 20건 중 최근 3건");
}

#[test]
fn the_theme_is_embedded_so_a_site_without_templates_or_static_gets_it() {
    let site = SiteTest::fixture("basic");
    assert!(!site.path("templates").exists() && !site.path("static/theme").exists());
    site.build().ok();
    assert!(site.output_exists("theme/communique.css"));
    assert!(site.output_exists("theme/print.js"));
    site.file_contains("ko/index.html", "class=\"emblem\"")
        .file_contains("404.html", "lang=\"en\"")
        .file_contains("404.html", "페이지를 찾을 수 없습니다")
        .file_contains("404.html", "Page not found");
}

#[test]
fn nothing_is_fetched_from_another_host_and_korean_keeps_words_whole() {
    let site = shipped();
    let css = site.output("theme/communique.css");
    assert!(css.contains("word-break: keep-all"));
    assert!(css.contains("\"Apple SD Gothic Neo\", \"Malgun Gothic\""));
    assert!(!css.contains("@import") && !css.contains("url("));
    for file in site.output_files().iter().filter(|f| f.ends_with(".html")) {
        let html = site.output(file);
        for attr in [
            "<script src=\"",
            "<link rel=\"stylesheet\" href=\"",
            "<img src=\"",
        ] {
            for (i, _) in html.match_indices(attr) {
                let url = &html[i + attr.len()..];
                assert!(
                    url.starts_with('/'),
                    "{file}: {attr}{} is not local",
                    &url[..20]
                );
            }
        }
        assert!(!html.contains("<script>"), "{file}: inline script");
    }
}

fn vnu_jar() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules/vnu-jar/build/dist/vnu.jar")
}

#[test]
fn every_page_of_the_shipped_site_passes_the_nu_html_checker() {
    let jar = vnu_jar();
    let java = Command::new("java").arg("-version").output().is_ok();
    if !jar.exists() || !java {
        assert!(
            !required(),
            "the Nu Html Checker is required (COMMUNIQUE_REQUIRE_BROWSER=1) but {} or java is missing",
            jar.display()
        );
        crate::common::say_skipped("Nu Html Checker: run `npm ci` in .ci/ and install Java");
        return;
    }
    let site = shipped();
    let pages = site
        .output_files()
        .iter()
        .filter(|f| f.ends_with(".html"))
        .count();
    assert!(pages > 50, "the shipped site has {pages} pages");
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html"])
        .arg(site.path("public"))
        .output()
        .expect("run the Nu Html Checker");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "the Nu Html Checker found errors in the shipped site:\n{report}"
    );
}

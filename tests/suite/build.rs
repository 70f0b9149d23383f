//! `communique build` on fixture sites: the pages of the spec, in both languages, linked to
//! each other the way readers and search engines expect.

use crate::common::SiteTest;

const KO_HONOLULU: &str = "ko/press-releases/honolulu/index.html";
const EN_HONOLULU: &str = "en/press-releases/honolulu/index.html";

#[test]
fn builds_every_page_of_the_spec_in_both_languages() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    for page in [
        "index.html",
        "404.html",
        "ko/index.html",
        "en/index.html",
        "ko/press-releases/index.html",
        "ko/press-releases/page/2/index.html",
        "en/press-releases/index.html",
        "ko/briefings/index.html",
        KO_HONOLULU,
        EN_HONOLULU,
        "ko/press-releases/korean-only/index.html",
        "ko/briefings/briefing-march/index.html",
        "en/briefings/regular-briefing-2022-03-03/index.html",
        "ko/topics/index.html",
        "en/topics/index.html",
        "ko/topics/dprk/index.html",
        "en/topics/dprk/index.html",
        "en/topics/climate/index.html",
        "theme/communique.css",
        "files/statement.pdf",
    ] {
        assert!(
            site.output_exists(page),
            "missing {page}; have {:?}",
            site.output_files()
        );
    }
    assert!(
        !site.output_exists("en/press-releases/page/2/index.html"),
        "two releases fit one page"
    );
}

#[test]
fn pages_carry_their_language_and_hreflang_alternates() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    site.file_contains(KO_HONOLULU, r#"<html lang="ko">"#)
        .file_contains(EN_HONOLULU, r#"<html lang="en">"#)
        .file_contains(
            KO_HONOLULU,
            r#"<link rel="alternate" hreflang="ko" href="https://www.mofa.example/ko/press-releases/honolulu/">"#,
        )
        .file_contains(
            KO_HONOLULU,
            r#"<link rel="alternate" hreflang="en" href="https://www.mofa.example/en/press-releases/honolulu/">"#,
        )
        .file_contains(
            EN_HONOLULU,
            r#"<link rel="alternate" hreflang="x-default" href="https://www.mofa.example/ko/press-releases/honolulu/">"#,
        )
        .file_contains("en/topics/dprk/index.html", r#"hreflang="ko" href="https://www.mofa.example/ko/topics/dprk/""#)
        .file_contains("en/index.html", r#"hreflang="x-default" href="https://www.mofa.example/ko/""#)
        .file_contains("en/press-releases/index.html", r#"hreflang="ko" href="https://www.mofa.example/ko/press-releases/""#);
}

#[test]
fn the_switcher_links_the_translation() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    site.file_contains(
        KO_HONOLULU,
        r#"<a href="/en/press-releases/honolulu/" hreflang="en">English</a>"#,
    )
    .file_contains(
        EN_HONOLULU,
        r#"<a href="/ko/press-releases/honolulu/" hreflang="ko">한국어</a>"#,
    )
    .file_contains(KO_HONOLULU, r#"<li lang="en">"#);
}

#[test]
fn a_release_in_one_language_says_so_and_links_the_section() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let page = "ko/press-releases/korean-only/index.html";
    site.file_contains(page, r#"href="/en/press-releases/""#)
        .file_contains(page, "Not available in English")
        .file_lacks(page, r#"hreflang="en" href="https://www.mofa.example/en/press-releases/korean-only/""#)
        .file_contains(
            page,
            r#"<link rel="alternate" hreflang="x-default" href="https://www.mofa.example/ko/press-releases/korean-only/">"#,
        );
    assert!(!site.output_exists("en/press-releases/korean-only/index.html"));
}

#[test]
fn a_custom_translation_key_links_different_file_names() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    site.file_contains(
        "ko/briefings/briefing-march/index.html",
        r#"<a href="/en/briefings/regular-briefing-2022-03-03/" hreflang="en">English</a>"#,
    )
    .file_contains(
        "en/briefings/regular-briefing-2022-03-03/index.html",
        r#"<a href="/ko/briefings/briefing-march/" hreflang="ko">한국어</a>"#,
    );
}

#[test]
fn dates_in_the_page_language_with_the_full_offset() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    // An offset date-time keeps the local time where it happened (Honolulu).
    site.file_contains(
        KO_HONOLULU,
        r#"<time datetime="2022-02-12T15:00:00-10:00">2022년 2월 12일"#,
    )
    .file_contains(
        EN_HONOLULU,
        r#"<time datetime="2022-02-12T15:00:00-10:00">February 12, 2022"#,
    )
    // A local date-time is read in the site's time zone (Asia/Seoul).
    .file_contains(
        "en/press-releases/climate-talks/index.html",
        r#"<time datetime="2023-05-02T14:00:00+09:00">May 2, 2023"#,
    )
    .file_contains(
        "en/press-releases/climate-talks/index.html",
        r#"<time datetime="2023-05-03T00:00:00+09:00">May 3, 2023"#,
    )
    .file_contains(
        "ko/press-releases/korean-only/index.html",
        "2023년 1월 10일",
    );
}

#[test]
fn releases_show_their_details_and_body() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    site.file_contains(EN_HONOLULU, "<h1>Outcome of ROK-U.S. Foreign Ministers&#39; Meeting</h1>")
        .file_contains(EN_HONOLULU, "Honolulu")
        .file_contains(EN_HONOLULU, "22-0123")
        .file_contains(EN_HONOLULU, "<ol>\n<li>\n<p>The two ministers met in Honolulu.</p>\n<ul>")
        .file_contains(EN_HONOLULU, r#"<a href="/en/topics/dprk/">North Korea</a>"#)
        .file_contains(EN_HONOLULU, r#"Joint Statement (PDF)</a> <span class="file-info">(PDF, 1 KB)</span>"#)
        .file_contains(EN_HONOLULU, r#"<a href="/en/press-releases/">Press Releases</a>"#)
        .file_contains(EN_HONOLULU, "<title>Outcome of ROK-U.S. Foreign Ministers&#39; Meeting | Ministry of Foreign Affairs</title>")
        .file_contains(KO_HONOLULU, r#"<meta name="description" content="양 장관은 회담을 가졌다.">"#);
}

#[test]
fn topic_pages_list_their_releases_in_each_language() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    site.file_contains("ko/topics/dprk/index.html", "/ko/press-releases/honolulu/")
        .file_contains(
            "ko/topics/dprk/index.html",
            "/ko/press-releases/korean-only/",
        )
        .file_contains("en/topics/dprk/index.html", "/en/press-releases/honolulu/")
        .file_lacks("en/topics/dprk/index.html", "korean-only")
        .file_contains(
            "ko/topics/index.html",
            r#"<a href="/ko/topics/dprk/">북한</a> <span class="count-badge">총 2건</span>"#,
        )
        .file_contains(
            "en/topics/index.html",
            r#"<a href="/en/topics/dprk/">North Korea</a> <span class="count-badge">1 release</span>"#,
        )
        .file_contains(
            "en/topics/index.html",
            r#"<a href="/en/topics/climate/">Climate Change</a>"#,
        );
}

#[test]
fn sections_are_paginated_newest_first() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let first = site.output("ko/press-releases/index.html");
    let newest = first
        .find("/ko/press-releases/climate-talks/")
        .expect("newest on page 1");
    let second = first
        .find("/ko/press-releases/korean-only/")
        .expect("second on page 1");
    assert!(newest < second, "newest first");
    assert!(
        !first.contains("/ko/press-releases/honolulu/\""),
        "the oldest is on page 2"
    );
    site.file_contains(
        "ko/press-releases/index.html",
        r#"<a href="/ko/press-releases/page/2/" rel="next">"#,
    )
    .file_contains(
        "ko/press-releases/page/2/index.html",
        "/ko/press-releases/honolulu/",
    )
    .file_contains(
        "ko/press-releases/page/2/index.html",
        r#"<a href="/ko/press-releases/" rel="prev">"#,
    )
    .file_contains("ko/press-releases/index.html", "<h1>보도자료</h1>")
    .file_contains("ko/press-releases/index.html", "외교부의 보도자료입니다.")
    .file_contains("ko/press-releases/index.html", "총 3건")
    // A folder without _index.md is titled by its name.
    .file_contains("ko/briefings/index.html", "<h1>briefings</h1>");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    assert!(!site.output_exists("ko/press-releases/unfinished/index.html"));
    site.file_lacks("ko/index.html", "unfinished");
    site.run(&["build", "--drafts"]).ok();
    assert!(site.output_exists("ko/press-releases/unfinished/index.html"));
    site.file_contains("ko/index.html", "/ko/press-releases/unfinished/");
}

#[test]
fn the_root_sends_visitors_to_the_default_language() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    site.file_contains(
        "index.html",
        r#"<meta http-equiv="refresh" content="0; url=/ko/">"#,
    )
    .file_contains(
        "index.html",
        r#"<link rel="alternate" hreflang="ko" href="https://www.mofa.example/ko/">"#,
    )
    .file_contains(
        "index.html",
        r#"<link rel="alternate" hreflang="en" href="https://www.mofa.example/en/">"#,
    )
    .file_contains(
        "index.html",
        r#"<link rel="alternate" hreflang="x-default" href="https://www.mofa.example/">"#,
    )
    .file_contains("index.html", r#"<a href="/en/" hreflang="en">"#)
    .file_contains("404.html", "페이지를 찾을 수 없습니다")
    .file_contains("404.html", "Page not found");
}

#[test]
fn homes_list_the_newest_releases_sections_and_topics() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    site.file_contains("en/index.html", "/en/press-releases/climate-talks/")
        .file_contains(
            "en/index.html",
            r#"<a href="/en/press-releases/">Press Releases</a>"#,
        )
        .file_contains(
            "en/index.html",
            r#"<a href="/en/topics/climate/">Climate Change"#,
        )
        .file_contains(
            "ko/index.html",
            r#"<h1 class="visually-hidden">외교부</h1>"#,
        );
}

#[test]
fn a_base_url_with_a_path_prefixes_every_link() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--base-url", "https://org.github.io/news"])
        .ok();
    site.file_contains(EN_HONOLULU, r#"href="/news/en/topics/dprk/""#)
        .file_contains(EN_HONOLULU, r#"href="/news/theme/communique.css""#)
        .file_contains(
            EN_HONOLULU,
            r#"hreflang="ko" href="https://org.github.io/news/ko/press-releases/honolulu/""#,
        )
        .file_contains("index.html", "url=/news/ko/");
}

#[test]
fn any_number_of_languages() {
    let site = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    let config = config
        .replace("[topics.dprk]", "[languages.fr]\nname = \"Français\"\ntitle = \"Ministère des Affaires étrangères\"\ndate_format = \"%d/%m/%Y\"\n\n[languages.fr.strings]\nskip_to_content = \"Aller au contenu\"\n\n[topics.dprk]")
        .replace("en = \"North Korea\"", "en = \"North Korea\"\nfr = \"Corée du Nord\"")
        .replace("en = \"Climate Change\"", "en = \"Climate Change\"\nfr = \"Changement climatique\"");
    site.write("config.toml", &config).write(
        "content/fr/press-releases/honolulu.md",
        "+++\ntitle = \"Réunion des ministres\"\ndate = 2022-02-12T15:00:00-10:00\ntopics = [\"dprk\"]\n+++\nLes ministres se sont réunis.\n",
    );
    site.build().ok();
    site.file_contains(
        "fr/press-releases/honolulu/index.html",
        r#"<html lang="fr">"#,
    )
    .file_contains("fr/press-releases/honolulu/index.html", "12/02/2022")
    .file_contains("fr/press-releases/honolulu/index.html", "Aller au contenu")
    // Strings the site did not translate fall back to English.
    .file_contains("fr/press-releases/honolulu/index.html", "Main menu")
    .file_contains(
        KO_HONOLULU,
        r#"hreflang="fr" href="https://www.mofa.example/fr/press-releases/honolulu/""#,
    )
    .file_contains(
        KO_HONOLULU,
        r#"<a href="/fr/press-releases/honolulu/" hreflang="fr">Français</a>"#,
    )
    .file_contains("fr/topics/dprk/index.html", "Corée du Nord");
}

#[test]
fn a_site_template_replaces_the_built_in_one() {
    let site = SiteTest::fixture("basic");
    site.write(
        "templates/base.html",
        "<!DOCTYPE html><html lang=\"{{ lang.code }}\"><title>{{ page.title }}</title><p class=\"ministry-brand\">{% block main %}{% endblock main %}</html>",
    );
    site.build().ok();
    // The built-in release.html extends the site's base.html.
    site.file_contains(EN_HONOLULU, "ministry-brand")
        .file_contains(EN_HONOLULU, "The two ministers met in Honolulu.");
}

#[test]
fn the_shipped_site_builds() {
    let site = SiteTest::shipped_site();
    site.build().ok();
    site.file_contains(
        "en/press-releases/rok-us-foreign-ministers-meeting-honolulu/index.html",
        r#"<time datetime="2022-02-12T15:00:00-10:00">February 12, 2022"#,
    );
    let releases = site
        .output_files()
        .into_iter()
        .filter(|f| f.matches('/').count() == 3 && !f.contains("/topics/") && !f.contains("/page/"))
        .count();
    assert!(
        releases >= 34,
        "at least 16 releases in both languages and more; found {releases}"
    );
}

/// The text of the main menu's links on a page, in order.
fn menu_titles(page: &str) -> Vec<String> {
    let start = page.find(r#"class="main-menu""#).expect("a main menu");
    let menu = &page[start..start + page[start..].find("</nav>").unwrap()];
    menu.split("<a href=")
        .skip(1)
        .map(|link| {
            let text = &link[link.find('>').unwrap() + 1..];
            text[..text.find("</a>").unwrap()].to_string()
        })
        .collect()
}

#[test]
fn the_main_menu_follows_section_weights_then_folder_names() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let home = |lang: &str| menu_titles(&site.output(&format!("{lang}/index.html")));
    assert_eq!(home("en"), ["briefings", "Press Releases", "Topics"]);
    site.write(
        "content/en/press-releases/_index.md",
        "+++\ntitle = \"Press Releases\"\nweight = 1\n+++\n",
    )
    .write(
        "content/en/briefings/_index.md",
        "+++\ntitle = \"Briefings\"\nweight = 2\n+++\n",
    )
    .write(
        "content/ko/press-releases/_index.md",
        "+++\ntitle = \"보도자료\"\nweight = 1\n+++\n",
    );
    site.build().ok();
    assert_eq!(home("en"), ["Press Releases", "Briefings", "Topics"]);
    // A section without a weight comes after those with one.
    assert_eq!(home("ko"), ["보도자료", "briefings", "주제별 소식"]);
    assert_eq!(
        menu_titles(&site.output(EN_HONOLULU)),
        home("en"),
        "every page has the same menu"
    );
}

/// A release dated in the future (an embargoed one) stays out of every page, list, feed,
/// sitemap and search index until its date has passed; the build says so, and `--future`
/// includes it.
#[test]
fn a_release_dated_in_the_future_waits_for_its_date_unless_asked_for() {
    let site = SiteTest::fixture("basic");
    site.with_embargoed_release();
    let run = site.build();
    run.ok();
    run
        .says("note: 1 release dated in the future left out until its date; `build --future` includes them")
        .says("  2999-01-01T06:00:00+09:00  content/en/press-releases/embargoed.md");
    assert!(!site.output_exists("en/press-releases/embargoed/index.html"));
    for file in site.output_files() {
        let text = site.output(&file);
        assert!(
            !text.contains("Embargoed") && !text.contains("embargoed"),
            "{file}"
        );
    }

    site.run(&["build", "--future"]).ok();
    site.file_contains(
        "en/press-releases/embargoed/index.html",
        "Embargoed Announcement",
    )
    .file_contains("en/press-releases/index.html", "Embargoed Announcement")
    .file_contains("sitemap.xml", "/en/press-releases/embargoed/");
}

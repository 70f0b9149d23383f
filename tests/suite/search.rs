//! Search at build time: the index files, the search page in both languages (with its message
//! for browsers without JavaScript), and addresses under a base path.

use std::collections::BTreeMap;

use crate::common::SiteTest;
use communique::search::SearchIndex;
use communique::search::index::FORMAT_VERSION;

/// The postings of the shards under `search/<lang>/` of a built site, read back.
fn postings(site: &SiteTest, lang: &str) -> BTreeMap<String, Vec<u32>> {
    let manifest: serde_json::Value =
        serde_json::from_str(&site.output(&format!("search/{lang}/index.json"))).unwrap();
    assert_eq!(manifest["version"], FORMAT_VERSION);
    let shards = manifest["shards"].as_u64().unwrap() as usize;
    let mut all = BTreeMap::new();
    for n in 0..shards {
        let shard: BTreeMap<String, Vec<u32>> =
            serde_json::from_str(&site.output(&format!("search/{lang}/shard-{n}.json"))).unwrap();
        for term in shard.keys() {
            assert_eq!(
                SearchIndex::shard_of(term, shards),
                n,
                "{term} in shard {n}"
            );
        }
        all.extend(shard);
    }
    all
}

#[test]
fn each_language_gets_an_index_over_titles_topics_and_body_text() {
    let site = SiteTest::fixture("search");
    site.build().ok();
    let ko = postings(&site, "ko");
    // Body text, bigrams: "외교부는" gives 외교, 교부, 부는.
    for term in ["외교", "교부", "부는"] {
        assert!(ko.contains_key(term), "{term} missing from {:?}", ko.keys());
    }
    // Topic names are indexed: 북한 appears only as the topic of the missile release.
    assert!(ko.contains_key("북한"));
    let en = postings(&site, "en");
    assert!(en.contains_key("minister") && en.contains_key("north"));
    assert!(!en.contains_key("ministers") && !en.contains_key("the"));
    // Korean terms stay in the Korean index.
    assert!(!en.contains_key("외교"));

    let doc: serde_json::Value =
        serde_json::from_str(&site.output("search/en/docs/1.json")).unwrap();
    assert_eq!(
        doc["title"],
        "Stronger Cooperation with the Pacific Islands"
    );
    assert_eq!(doc["url"], "/en/press-releases/statement/");
    assert_eq!(doc["date"], "May 30, 2023");
    assert_eq!(doc["section"], "Press Releases");
    assert!(doc["text"].as_str().unwrap().contains("The Minister said"));
}

#[test]
fn the_search_page_loads_the_script_and_says_what_to_do_without_javascript() {
    let site = SiteTest::fixture("search");
    site.build().ok();
    site.file_contains("ko/search/index.html", r#"data-index="/search/ko/""#)
        .file_contains(
            "ko/search/index.html",
            r#"<script src="/theme/search.js" defer>"#,
        )
        .file_contains("ko/search/index.html", "<noscript>")
        .file_contains("ko/search/index.html", "자바스크립트")
        .file_contains(
            "ko/search/index.html",
            r#"<a href="/ko/topics/">주제별 소식 보기</a>"#,
        )
        .file_contains("en/search/index.html", "Search needs JavaScript")
        .file_contains("en/search/index.html", r#"<a href="/en/topics/">"#)
        .file_contains(
            "en/search/index.html",
            r#"hreflang="ko" href="https://www.mofa.example/ko/search/""#,
        )
        .file_contains("theme/search.js", "communiqueSearch");
    // The header's search box goes to that page.
    site.file_contains("ko/index.html", r#"action="/ko/search/""#);
}

#[test]
fn under_a_base_path_every_address_moves_with_it() {
    let site = SiteTest::fixture("search");
    site.run(&["build", "--base-url", "https://example.org/news/"])
        .ok();
    site.file_contains("ko/search/index.html", r#"data-index="/news/search/ko/""#)
        .file_contains("ko/search/index.html", r#"src="/news/theme/search.js""#)
        .file_contains(
            "search/ko/docs/1.json",
            r#""url":"/news/ko/press-releases/statement/""#,
        );
}

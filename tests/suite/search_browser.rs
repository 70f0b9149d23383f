//! Search in headless Chromium on the `search` fixture site, served as a static host would
//! (at the root and under a sub-path): Korean words with particles, English plurals, topic
//! names, highlighted snippets, no results; and search.js's tokenizer against the Rust one.

use std::path::Path;
use std::time::Duration;

use crate::common::SiteTest;
use crate::common::browser::{Chromium, Tab, eval, wait_for};
use crate::common::http::StaticServer;
use communique::search::SearchIndex;
use communique::search::tokenize::{term_hash, tokenize};

/// Text that exercises every rule of the tokenizer.
const EXAMPLES: [&str; 12] = [
    "외교부는 오늘 발표하였다.",
    "Outcome of ROK-U.S. Foreign Ministers' Meeting",
    "양 장관은 G20정상회의에서 만났다",
    "2022년 2월 12일, 호놀룰루",
    "The ministries' policies: agreed, hoping, hopping, conflated, sized, happy, sky",
    "CAFÉ Zürich ÀÖØÞ ß ÿ Ł",
    "外交部 日本の外務省 カタカナ",
    "emoji 👍🏽 외교😀부 a\u{00a0}b\ttab",
    "x y z ab abc caresses ponies feed plastered filing falling",
    "İstanbul ΑΘΗΝΑ Москва",
    "",
    "   ...  ",
];

fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url)
        .and_then(|t| t.wait_until_navigated())
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
}

/// Search `query` on the page at `search_url` and wait until the script has answered.
fn search(tab: &Tab, search_url: &str, query: &str) -> String {
    let encoded: String = query
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    open(tab, &format!("{search_url}?q={encoded}"));
    wait_for(
        tab,
        "['done', 'none', 'error'].includes(document.getElementById('search').dataset.state)",
        Duration::from_secs(10),
    );
    eval(tab, "document.getElementById('search').dataset.state")
        .as_str()
        .unwrap()
        .to_string()
}

fn result_titles(tab: &Tab) -> Vec<String> {
    let titles = eval(
        tab,
        "JSON.stringify(Array.from(document.querySelectorAll('.search-results h3 a')).map(a => a.textContent))",
    );
    serde_json::from_str(titles.as_str().unwrap()).unwrap()
}

fn text_of(tab: &Tab, selector: &str) -> String {
    eval(
        tab,
        &format!(
            "Array.from(document.querySelectorAll('{selector}')).map(e => e.textContent).join('|')"
        ),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

fn build(site: &SiteTest, base_url: &str) -> std::path::PathBuf {
    site.run(&["build", "--base-url", base_url]).ok();
    site.path("public")
}

/// The scenarios of the issue, on a site served at `prefix`.
fn searches_work(chromium: &Chromium, output: &Path, prefix: &str) {
    let server = StaticServer::start(output, prefix);
    let tab = chromium.tab();
    let ko = server.url(&format!("{prefix}ko/search/"));
    let en = server.url(&format!("{prefix}en/search/"));

    // "외교부" finds the release that only says "외교부는", and marks the word in the snippet.
    assert_eq!(search(&tab, &ko, "외교부"), "done");
    assert_eq!(result_titles(&tab), ["태평양 도서국과의 협력 강화"]);
    assert_eq!(text_of(&tab, ".search-results .snippet mark"), "외교부");
    assert!(text_of(&tab, ".search-results .snippet").contains("외교부는 이번 협력이"));
    assert!(text_of(&tab, ".search-status").contains("1건"));
    assert_eq!(
        text_of(&tab, ".search-results .meta"),
        "2023년 5월 30일 · 보도자료"
    );
    // The result links to the release, under the sub-path, and the link works.
    let href = eval(
        &tab,
        "document.querySelector('.search-results h3 a').getAttribute('href')",
    );
    assert_eq!(href, format!("{prefix}ko/press-releases/statement/"));
    // The language switcher leads to the same search in English.
    let english = eval(
        &tab,
        "document.querySelector('.language-switcher a[hreflang=en]').getAttribute('href')",
    );
    assert_eq!(
        english,
        format!("{prefix}en/search/?q=%EC%99%B8%EA%B5%90%EB%B6%80")
    );
    // The query stays in the search boxes, so it can be changed.
    assert_eq!(
        eval(&tab, "document.getElementById('search-q').value"),
        "외교부"
    );

    // "ministers" finds the release that says "Minister".
    assert_eq!(search(&tab, &en, "ministers"), "done");
    assert_eq!(
        result_titles(&tab),
        ["Stronger Cooperation with the Pacific Islands"]
    );
    assert_eq!(text_of(&tab, ".search-results .snippet mark"), "Minister");
    // A title match outranks a newer release that says the word twice in its body.
    assert_eq!(search(&tab, &en, "missile"), "done");
    assert_eq!(
        result_titles(&tab),
        [
            "Spokesperson's Statement on the Missile Launch",
            "Spokesperson's Regular Briefing (March)"
        ]
    );
    assert_eq!(text_of(&tab, ".search-results h3 mark"), "Missile");

    // A topic name finds the topic's releases, though their text never says it.
    assert_eq!(search(&tab, &en, "North Korea"), "done");
    assert_eq!(
        result_titles(&tab),
        ["Spokesperson's Statement on the Missile Launch"]
    );
    assert_eq!(search(&tab, &ko, "북한"), "done");
    assert_eq!(result_titles(&tab), ["미사일 발사 관련 대변인 논평"]);
    assert_eq!(search(&tab, &ko, "기후변화"), "done");
    assert_eq!(result_titles(&tab), ["기후 협의 개최"]);

    // A one-syllable word finds only where it stands alone, and the page says so.
    assert_eq!(
        eval(&tab, "document.querySelector('.search-hint').hidden"),
        true,
        "no hint for a longer word"
    );
    search(&tab, &ko, "북");
    assert_eq!(
        text_of(&tab, ".search-hint"),
        "‘북’처럼 한 글자로 된 검색어는 그 글자가 따로 쓰인 곳만 찾습니다. \
         두 글자 이상으로 검색해 보십시오."
    );
    assert_eq!(
        eval(&tab, "document.querySelector('.search-hint').hidden"),
        false
    );

    // A word the site does not have: no results, and the page says so.
    assert_eq!(search(&tab, &en, "zebra"), "none");
    assert!(result_titles(&tab).is_empty());
    assert_eq!(
        text_of(&tab, ".search-status"),
        "No results for “zebra”. Try other words."
    );
    assert_eq!(search(&tab, &ko, "얼룩말"), "none");
    assert!(text_of(&tab, ".search-status").contains("검색 결과가 없습니다"));
    // Every word must match: one absent word empties the results.
    assert_eq!(search(&tab, &ko, "외교부 얼룩말"), "none");
}

#[test]
fn searches_find_korean_with_particles_english_plurals_and_topics() {
    let Some(chromium) = Chromium::launch("search_browser") else {
        return;
    };
    let site = SiteTest::fixture("search");
    let output = build(&site, "https://www.mofa.example/");
    searches_work(&chromium, &output, "/");
}

#[test]
fn searches_work_under_a_sub_path() {
    let Some(chromium) = Chromium::launch("search_browser sub-path") else {
        return;
    };
    let site = SiteTest::fixture("search");
    let output = build(&site, "https://org.example/news/");
    searches_work(&chromium, &output, "/news/");
}

#[test]
fn the_javascript_tokenizer_matches_the_rust_one() {
    let Some(chromium) = Chromium::launch("search_browser tokenizer") else {
        return;
    };
    let site = SiteTest::fixture("search");
    let output = build(&site, "https://www.mofa.example/");
    let server = StaticServer::start(&output, "/");
    let tab = chromium.tab();
    open(&tab, &server.url("/en/search/"));
    wait_for(
        &tab,
        "typeof window.communiqueSearch === 'object'",
        Duration::from_secs(10),
    );
    for example in EXAMPLES {
        let js = eval(
            &tab,
            &format!(
                "JSON.stringify(communiqueSearch.terms({}))",
                serde_json::to_string(example).unwrap()
            ),
        );
        let js: Vec<String> = serde_json::from_str(js.as_str().unwrap()).unwrap();
        let rust = tokenize(example);
        assert_eq!(js, rust, "terms of {example:?}");
        for term in &rust {
            let hash = eval(
                &tab,
                &format!(
                    "communiqueSearch.termHash({})",
                    serde_json::to_string(term).unwrap()
                ),
            );
            assert_eq!(
                hash.as_u64(),
                Some(u64::from(term_hash(term))),
                "hash of {term:?}"
            );
        }
    }
}

/// On the shipped site (more than one shard in Korean), search.js ranks exactly as the Rust
/// index does: same results, same order.
#[test]
fn the_browser_ranks_as_the_rust_index_on_the_shipped_site() {
    let Some(chromium) = Chromium::launch("search_browser shipped site") else {
        return;
    };
    let site = SiteTest::shipped_site();
    let output = build(&site, "https://www.mofa.example/");
    let loaded = communique::load(site.root(), &Default::default()).unwrap();
    let urls = communique::Urls::new(&loaded);
    let server = StaticServer::start(&output, "/");
    let tab = chromium.tab();
    let mut shards_seen = std::collections::BTreeSet::new();
    let mut compared = 0;
    for (code, queries) in [
        ("ko", ["외교부", "장관 회담", "북한", "협력"]),
        (
            "en",
            [
                "minister",
                "cooperation",
                "North Korea",
                "foreign ministers",
            ],
        ),
    ] {
        let lang = loaded.config.language_index(code).unwrap();
        let docs = communique::search::documents(&loaded, &urls, lang);
        let index = communique::search::SearchIndex::build(&docs);
        for query in queries {
            for term in tokenize(query) {
                shards_seen.insert((code, SearchIndex::shard_of(&term, index.shard_count())));
            }
            let expected: Vec<String> = index
                .search(query)
                .iter()
                .take(10)
                .map(|&(doc, _)| docs[doc as usize].url.clone())
                .collect();
            let state = search(&tab, &server.url(&format!("/{code}/search/")), query);
            assert_eq!(
                state,
                if expected.is_empty() { "none" } else { "done" },
                "{query}"
            );
            let hrefs = eval(
                &tab,
                "JSON.stringify(Array.from(document.querySelectorAll('.search-results h3 a')).map(a => a.getAttribute('href')))",
            );
            let found: Vec<String> = serde_json::from_str(hrefs.as_str().unwrap()).unwrap();
            assert_eq!(found, expected, "{code}: {query}");
            compared += found.len();
        }
    }
    assert!(compared > 20, "only {compared} results compared");
    assert!(
        shards_seen.iter().filter(|(code, _)| *code == "ko").count() > 1,
        "the Korean queries should read more than one shard: {shards_seen:?}"
    );
}

/// With JavaScript turned off, the page says that search needs it and links the topic index.
#[test]
fn without_javascript_the_page_says_so_and_links_the_topics() {
    let Some(chromium) = Chromium::launch("search_browser without JavaScript") else {
        return;
    };
    let site = SiteTest::fixture("search");
    let output = build(&site, "https://www.mofa.example/");
    let server = StaticServer::start(&output, "/");
    let tab = chromium.tab();
    tab.call_method(
        headless_chrome::protocol::cdp::Emulation::SetScriptExecutionDisabled { value: true },
    )
    .expect("turn JavaScript off");
    open(&tab, &server.url("/ko/search/?q=외교부"));
    let text = eval(&tab, "document.body.innerText");
    let text = text.as_str().unwrap();
    assert!(text.contains("자바스크립트를 켜 주십시오"), "{text}");
    assert!(!text.contains("검색 결과"), "nothing searched: {text}");
    assert_eq!(
        eval(
            &tab,
            "document.querySelector('.search-needs-js a').getAttribute('href')"
        ),
        "/ko/topics/"
    );
    assert_eq!(
        eval(&tab, "document.getElementById('search').dataset.state"),
        "idle"
    );
}

/// `window.__pwned`, which the hostile release's markup sets if any of it runs, after every
/// image error of the page had its chance: an image of our own with the same failing source
/// is put in last, and its handler's turn comes after theirs.
fn pwned_after_image_errors(tab: &Tab) -> serde_json::Value {
    eval(
        tab,
        "(() => { const img = document.createElement('img'); \
         img.onerror = () => { window.__checked = true; }; img.src = 'x'; \
         document.body.appendChild(img); return true; })()",
    );
    wait_for(tab, "window.__checked === true", Duration::from_secs(10));
    eval(tab, "String(window.__pwned)")
}

/// A release with markup in its title, summary, section and text: found by search, its title
/// and snippet show as text with only search.js's own `<mark>`, and none of it runs, in the
/// results or on the release's pages.
#[test]
fn hostile_titles_and_snippets_show_as_text_and_run_nothing() {
    let Some(chromium) = Chromium::launch("search_browser injection") else {
        return;
    };
    let site = SiteTest::fixture("injection");
    let output = build(&site, "https://www.mofa.example/");
    let server = StaticServer::start(&output, "/");
    let tab = chromium.tab();
    let title = crate::injection::hostile_field("title");

    assert_eq!(search(&tab, &server.url("/en/search/"), "zanzibar"), "done");
    assert_eq!(pwned_after_image_errors(&tab), "undefined");
    assert_eq!(result_titles(&tab), [title]);
    assert!(
        text_of(&tab, ".search-results .snippet").contains("<img src=x onerror="),
        "{}",
        text_of(&tab, ".search-results .snippet")
    );
    assert!(
        text_of(&tab, ".search-results .meta")
            .ends_with(" · News <img src=x onerror=\"window.__pwned='section'\">"),
        "{}",
        text_of(&tab, ".search-results .meta")
    );
    // The only elements in a result are the ones search.js makes.
    let elements = eval(
        &tab,
        "Array.from(new Set(Array.from(document.querySelectorAll('.search-results *')).map(e => e.localName))).sort().join(' ')",
    );
    assert_eq!(elements, "a h3 li mark p time");
    assert_eq!(text_of(&tab, ".search-results mark"), "Zanzibar|Zanzibar");

    for page in [
        "/en/news/hostile/",
        "/en/news/",
        "/en/",
        "/en/topics/hostile/",
        "/en/topics/",
    ] {
        open(&tab, &server.url(page));
        assert_eq!(
            eval(&tab, "document.querySelector('h1') !== null"),
            true,
            "{page}"
        );
        assert_eq!(pwned_after_image_errors(&tab), "undefined", "{page}");
    }
    open(&tab, &server.url("/en/news/hostile/"));
    assert_eq!(
        eval(&tab, "document.querySelector('h1').textContent"),
        crate::injection::hostile_field("title")
    );
}

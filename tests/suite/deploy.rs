//! Deploying the output: a site under a sub-path whose every link resolves against the files,
//! the sitemap and feeds read as XML, byte-identical rebuilds that touch only changed files,
//! and an output folder that is never lost.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::common::SiteTest;
use communique::check::html;
use url::Url;

const BASE: &str = "https://org.github.io/news/";
const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const XHTML: &str = "http://www.w3.org/1999/xhtml";

fn build_under_sub_path(site: &SiteTest) {
    site.run(&["build", "--base-url", BASE]).ok();
}

/// Every file of a folder with its bytes, by `/`-separated relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).unwrap();
            (
                relative.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The output file a URL of the site is served from, if there is one.
fn served_file(files: &BTreeMap<String, Vec<u8>>, url: &Url) -> Option<String> {
    let rest = url.path().strip_prefix("/news/")?;
    let rest = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .unwrap()
        .into_owned();
    [
        if rest.is_empty() || rest.ends_with('/') {
            format!("{rest}index.html")
        } else {
            rest.clone()
        },
        format!("{rest}/index.html"),
    ]
    .into_iter()
    .find(|f| files.contains_key(f))
}

fn page_url(file: &str) -> Url {
    Url::parse(BASE)
        .unwrap()
        .join(file.strip_suffix("index.html").unwrap_or(file))
        .unwrap()
}

#[test]
fn under_a_sub_path_every_internal_link_of_every_page_resolves_to_a_file() {
    for site in [SiteTest::fixture("basic"), SiteTest::shipped_site()] {
        build_under_sub_path(&site);
        let files = snapshot(&site.path("public"));
        let mut checked = 0;
        for (file, bytes) in files.iter().filter(|(f, _)| f.ends_with(".html")) {
            let scan = html::scan(std::str::from_utf8(bytes).unwrap());
            for link in &scan.links {
                assert!(
                    !link.url.starts_with('/') || link.url.starts_with("/news/"),
                    "{file}:{}: `{}` escapes the base path",
                    link.line,
                    link.url
                );
                let url = page_url(file).join(&link.url).unwrap();
                if url.host_str() != Some("org.github.io") {
                    continue;
                }
                let target = served_file(&files, &url).unwrap_or_else(|| {
                    panic!("{file}:{}: `{}` leads to no file", link.line, link.url)
                });
                if let Some(fragment) = url.fragment().filter(|f| !f.is_empty()) {
                    let fragment = percent_encoding::percent_decode_str(fragment)
                        .decode_utf8()
                        .unwrap();
                    let ids = html::scan(std::str::from_utf8(&files[&target]).unwrap()).ids;
                    assert!(
                        ids.contains(fragment.as_ref()),
                        "{file}: `{}` names a missing anchor",
                        link.url
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} links were seen");

        // The sitemaps' and feeds' own URLs (loc, id, href) lead to files under the sub-path.
        let mut xml_urls = 0;
        for (file, bytes) in files.iter().filter(|(f, _)| f.ends_with(".xml")) {
            let text = std::str::from_utf8(bytes).unwrap();
            let doc = roxmltree::Document::parse(text).unwrap();
            let urls = doc.descendants().flat_map(|n| {
                let text = matches!(n.tag_name().name(), "loc" | "id")
                    .then(|| n.text())
                    .flatten();
                text.into_iter().chain(n.attribute("href"))
            });
            for url in urls {
                assert!(url.starts_with(BASE), "{file}: `{url}` is not under {BASE}");
                let url = Url::parse(url).unwrap();
                assert!(
                    served_file(&files, &url).is_some(),
                    "{file}: `{url}` leads to no file"
                );
                xml_urls += 1;
            }
        }
        assert!(xml_urls > 50, "only {xml_urls} URLs in sitemaps and feeds");
    }
}

#[test]
fn markdown_root_relative_links_and_attachments_move_under_the_sub_path() {
    let site = SiteTest::shipped_site();
    site.write(
        "content/en/press-releases/link-test.md",
        "+++\ntitle = \"Links\"\ndate = 2020-01-01\nattachments = [{ title = \"Statement\", file = \"files/2022/joint-statement-en.pdf\" }]\n+++\nSee [the meeting](/en/press-releases/rok-us-foreign-ministers-meeting-honolulu/) and ![logo](/theme/communique.css).\n",
    );
    build_under_sub_path(&site);
    site.file_contains(
        "en/press-releases/link-test/index.html",
        r#"href="/news/en/press-releases/rok-us-foreign-ministers-meeting-honolulu/""#,
    )
    .file_contains(
        "en/press-releases/link-test/index.html",
        r#"src="/news/theme/communique.css""#,
    )
    .file_contains(
        "en/press-releases/link-test/index.html",
        r#"href="/news/files/2022/joint-statement-en.pdf""#,
    )
    .file_contains(
        "en/press-releases/link-test/index.html",
        r#"href="/news/theme/communique.css""#,
    )
    .file_contains(
        "robots.txt",
        "Sitemap: https://org.github.io/news/sitemap.xml",
    );
}

#[test]
fn the_sitemap_lists_every_page_once_with_reciprocal_alternates() {
    let site = SiteTest::fixture("basic");
    build_under_sub_path(&site);
    let files = snapshot(&site.path("public"));
    let text = site.output("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("sitemap.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(SITEMAP));
    assert_eq!(root.tag_name().name(), "urlset");

    // loc -> (hreflang -> href)
    let mut entries: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for url in root.children().filter(|n| n.is_element()) {
        assert_eq!(url.tag_name().name(), "url");
        let loc = url
            .children()
            .find(|n| n.tag_name().name() == "loc" && n.tag_name().namespace() == Some(SITEMAP))
            .and_then(|n| n.text())
            .expect("every url has a loc")
            .to_string();
        assert!(loc.starts_with(BASE), "{loc}");
        let alternates: BTreeMap<String, String> = url
            .children()
            .filter(|n| n.tag_name().namespace() == Some(XHTML) && n.tag_name().name() == "link")
            .map(|n| {
                assert_eq!(n.attribute("rel"), Some("alternate"));
                (
                    n.attribute("hreflang").unwrap().to_string(),
                    n.attribute("href").unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            entries.insert(loc.clone(), alternates).is_none(),
            "{loc} twice"
        );
    }

    // One entry per HTML page except the 404 page and the root redirect.
    let pages: BTreeSet<String> = files
        .keys()
        .filter(|f| f.ends_with(".html") && *f != "404.html" && *f != "index.html")
        .map(|f| page_url(f).to_string())
        .collect();
    assert_eq!(entries.keys().cloned().collect::<BTreeSet<_>>(), pages);

    let release = format!("{BASE}en/press-releases/honolulu/");
    let alternates = &entries[&release];
    assert_eq!(alternates["en"], release, "a page names itself");
    assert_eq!(
        alternates["ko"],
        format!("{BASE}ko/press-releases/honolulu/")
    );
    assert_eq!(
        alternates["x-default"],
        format!("{BASE}ko/press-releases/honolulu/")
    );
    let korean_only = &entries[&format!("{BASE}ko/press-releases/korean-only/")];
    assert!(
        !korean_only.contains_key("en"),
        "no translation, no en alternate"
    );

    for (loc, alternates) in &entries {
        if alternates.is_empty() {
            assert!(
                loc.contains("/page/"),
                "only later list pages lack alternates: {loc}"
            );
            continue;
        }
        assert!(
            alternates.values().any(|href| href == loc),
            "{loc} names itself"
        );
        assert!(alternates.contains_key("x-default"), "{loc} has x-default");
        for (hreflang, href) in alternates.iter().filter(|(h, _)| *h != "x-default") {
            let back = entries
                .get(href)
                .unwrap_or_else(|| panic!("{loc}: {hreflang} alternate {href} is not listed"));
            assert!(
                back.values().any(|h| h == loc),
                "{href} does not name {loc} back"
            );
        }
    }
}

/// A child element of the Atom namespace.
fn atom<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children()
        .find(|n| n.tag_name().name() == name && n.tag_name().namespace() == Some(ATOM))
}

fn timestamp(text: &str) -> jiff::Timestamp {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` is not an RFC 3339 date-time: {e}"))
}

/// Check the Atom rules that matter for one feed; returns its entries' ids, in order.
fn check_feed(text: &str, self_url: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(text).expect("a feed is well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(atom(feed, "id").unwrap().text(), Some(self_url));
    assert!(!atom(feed, "title").unwrap().text().unwrap().is_empty());
    assert!(atom(feed, "author").and_then(|a| atom(a, "name")).is_some());
    let updated = timestamp(atom(feed, "updated").unwrap().text().unwrap());
    let links: Vec<_> = feed
        .children()
        .filter(|n| n.tag_name().name() == "link")
        .collect();
    assert!(
        links
            .iter()
            .any(|l| l.attribute("rel") == Some("self") && l.attribute("href") == Some(self_url)),
        "rel=self is the feed's own URL"
    );
    let mut ids = Vec::new();
    let mut previous: Option<jiff::Timestamp> = None;
    for entry in feed.children().filter(|n| n.tag_name().name() == "entry") {
        let id = atom(entry, "id").unwrap().text().unwrap().to_string();
        assert!(id.starts_with(BASE), "{id}");
        assert!(!atom(entry, "title").unwrap().text().unwrap().is_empty());
        let entry_updated = timestamp(atom(entry, "updated").unwrap().text().unwrap());
        assert!(
            entry_updated <= updated,
            "the feed is as new as its newest entry"
        );
        let published = timestamp(atom(entry, "published").unwrap().text().unwrap());
        if let Some(previous) = previous {
            assert!(published <= previous, "newest first");
        }
        previous = Some(published);
        let alternate = entry
            .children()
            .find(|n| n.tag_name().name() == "link" && n.attribute("rel") == Some("alternate"))
            .unwrap();
        assert_eq!(alternate.attribute("href"), Some(id.as_str()));
        let content = atom(entry, "content").unwrap();
        assert_eq!(content.attribute("type"), Some("html"));
        let body = content.text().unwrap_or_default();
        for link in html::scan(body).links {
            assert!(
                link.url.starts_with("https://") || link.url.starts_with('#'),
                "{id}: `{}` in content is not absolute",
                link.url
            );
        }
        ids.push(id);
    }
    ids
}

#[test]
fn feeds_per_language_and_topic_are_atom_with_absolute_urls_and_are_linked_from_pages() {
    let site = SiteTest::fixture("basic");
    for n in 1..=22 {
        site.write(
            &format!("content/en/briefings/daily-{n:02}.md"),
            &format!(
                "+++\ntitle = \"Daily <briefing> & notes {n}\"\ndate = 2024-01-{n:02}T09:00:00+09:00\ntopics = [\"dprk\"]\n+++\nBriefing {n}, see [the meeting](/en/press-releases/honolulu/).\n"
            ),
        );
    }
    build_under_sub_path(&site);

    let en = check_feed(&site.output("en/atom.xml"), &format!("{BASE}en/atom.xml"));
    assert_eq!(en.len(), 20, "the newest 20 releases");
    assert_eq!(en[0], format!("{BASE}en/briefings/daily-22/"));
    let en_text = site.output("en/atom.xml");
    assert!(en_text.contains("<title>Daily &lt;briefing&gt; &amp; notes 22</title>"));
    assert!(
        en_text.contains("href=&quot;https://org.github.io/news/en/press-releases/honolulu/&quot;"),
        "full content with absolute links"
    );

    let ko = check_feed(&site.output("ko/atom.xml"), &format!("{BASE}ko/atom.xml"));
    assert_eq!(ko.len(), 4, "drafts are left out: {ko:?}");
    let climate = check_feed(
        &site.output("en/topics/climate/atom.xml"),
        &format!("{BASE}en/topics/climate/atom.xml"),
    );
    assert_eq!(climate, [format!("{BASE}en/press-releases/climate-talks/")]);
    // `updated` comes from the release's `updated` when it has one.
    let doc_text = site.output("en/topics/climate/atom.xml");
    let doc = roxmltree::Document::parse(&doc_text).unwrap();
    let entry = atom(doc.root_element(), "entry").unwrap();
    assert_eq!(
        atom(entry, "updated").unwrap().text(),
        Some("2023-05-03T00:00:00+09:00")
    );
    assert_eq!(
        atom(entry, "published").unwrap().text(),
        Some("2023-05-02T14:00:00+09:00")
    );
    let dprk = check_feed(
        &site.output("en/topics/dprk/atom.xml"),
        &format!("{BASE}en/topics/dprk/atom.xml"),
    );
    assert_eq!(dprk.len(), 20);

    let feed_link = |path: &str| {
        format!(r#"<link rel="alternate" type="application/atom+xml" href="{BASE}{path}""#)
    };
    site.file_contains(
        "en/press-releases/honolulu/index.html",
        &feed_link("en/atom.xml"),
    )
    .file_contains("ko/index.html", &feed_link("ko/atom.xml"))
    .file_lacks("ko/index.html", &feed_link("en/atom.xml"))
    .file_contains("en/topics/dprk/index.html", &feed_link("en/atom.xml"))
    .file_contains(
        "en/topics/dprk/index.html",
        &feed_link("en/topics/dprk/atom.xml"),
    );
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let site = SiteTest::shipped_site();
    site.run(&["build", "--output", "out-a"]).ok();
    site.run(&["build", "--output", "out-b"]).ok();
    let a = snapshot(&site.path("out-a"));
    let b = snapshot(&site.path("out-b"));
    assert!(a.len() > 50);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(*bytes == b[path], "{path} differs between two builds");
    }
}

fn set_mtime(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_rebuild_after_editing_one_release_rewrites_only_the_files_that_changed() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let out = site.path("public");
    let before = snapshot(&out);
    // An old, exact time, so the comparison does not depend on timestamp granularity.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for path in before.keys() {
        set_mtime(&out.join(path), old);
    }

    let release = "content/en/press-releases/honolulu.md";
    let text = std::fs::read_to_string(site.path(release)).unwrap();
    site.write(
        release,
        &text.replace("agreed to work together", "agreed to meet again"),
    );
    site.remove("content/ko/press-releases/korean-only.md");
    let run = site.build();
    run.ok();
    let after = snapshot(&out);

    let mut changed = Vec::new();
    for (path, bytes) in &after {
        let same = before.get(path) == Some(bytes);
        assert_eq!(
            mtime(&out.join(path)) == old,
            same,
            "{path}: {}",
            if same {
                "rewritten with the same bytes"
            } else {
                "changed but not rewritten"
            }
        );
        if !same {
            changed.push(path.as_str());
        }
    }
    assert!(changed.contains(&"en/press-releases/honolulu/index.html"));
    assert!(changed.contains(&"en/atom.xml"));
    assert!(!changed.contains(&"en/press-releases/climate-talks/index.html"));
    assert!(!changed.contains(&"theme/communique.css"));
    assert!(
        !out.join("ko/press-releases/korean-only").exists(),
        "stale pages are removed"
    );
    assert!(changed.len() < after.len() / 2, "{changed:?}");
}

#[test]
fn the_output_folder_refuses_what_it_would_destroy() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--output", "."])
        .fails(1)
        .says("is the site root");
    site.run(&["build", "--output", ".", "--force"])
        .fails(1)
        .says("is the site root");
    site.run(&["build", "--output", "content/out"])
        .fails(1)
        .says("inside the site's content/ folder");
    site.run(&["build", "--output", "static/x", "--force"])
        .fails(1)
        .says("inside the site's static/ folder");
    site.run(&["build", "--output", ".."])
        .fails(1)
        .says("contains the site itself");

    // Another site's sources, even with --force.
    site.write("elsewhere/other-site/templates/base.html", "x");
    site.run(&["build", "--output", "elsewhere/other-site", "--force"])
        .fails(1)
        .says("contains a templates/ folder");

    // Someone's non-empty folder: refused, unless --force, which writes beside their files.
    site.write("docs/notes.txt", "mine");
    site.run(&["build", "--output", "docs"])
        .fails(1)
        .says("is not empty and was not made by communique")
        .says("--force");
    assert!(site.path("docs/notes.txt").exists());
    site.run(&["build", "--output", "docs", "--force"]).ok();
    assert!(site.path("docs/.communique-output").exists());
    assert!(
        site.path("docs/notes.txt").exists(),
        "not communique's to remove"
    );
    // From then on the marker says the folder is ours.
    site.run(&["build", "--output", "docs"]).ok();
    assert!(site.path("docs/notes.txt").exists());

    // An empty folder is fine; nothing at all was written by the refused builds.
    std::fs::create_dir_all(site.path("empty")).unwrap();
    site.run(&["build", "--output", "empty"]).ok();
    assert!(!site.path("content/out").exists() && !site.path("static/x").exists());
}

#[test]
fn a_failed_build_leaves_the_previous_output_as_it_was() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let before = snapshot(&site.path("public"));
    site.write(
        "templates/release.html",
        "{% extends \"base.html\" %}{% block main %}{{ nope.x }}{% endblock main %}",
    );
    site.build().fails(1).says("nothing was written");
    assert_eq!(snapshot(&site.path("public")), before);
}

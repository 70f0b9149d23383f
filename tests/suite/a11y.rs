//! Accessibility of the built-in theme in headless Chromium: axe-core (from .ci/package.json)
//! finds no WCAG 2.x A/AA violation on the home, a section, a topic and a release, in both
//! languages, at desktop and phone widths; no page scrolls sideways at 320 px; the keyboard
//! reaches the skip link first and it moves focus into <main>. Screenshots of every checked
//! page go to target/screenshots/ for people to look at.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::SiteTest;
use crate::common::browser::{Chromium, Tab, eval, wait_for};
use crate::common::http::StaticServer;
use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::types::Bounds;

const PAGES: [(&str, &str); 4] = [
    ("home", ""),
    ("section", "press-releases/"),
    ("topic", "topics/dprk/"),
    (
        "release",
        "press-releases/rok-us-foreign-ministers-meeting-honolulu/",
    ),
];

/// (name, width, height) of the windows pages are checked in.
const WIDTHS: [(&str, u32, u32); 2] = [("desktop", 1280, 900), ("phone", 375, 812)];

const AXE_TAGS: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']";

fn required() -> bool {
    std::env::var("COMMUNIQUE_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// axe-core's script, or `None` (after saying why) when it is not installed and not required.
fn axe_source(test: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) if required() => panic!(
            "{test}: axe-core is required (COMMUNIQUE_REQUIRE_BROWSER=1) but {} is missing",
            path.display()
        ),
        Err(_) => {
            crate::common::say_skipped(&format!(
                "{test}: axe-core is not installed (run `npm ci` in .ci/)"
            ));
            None
        }
    }
}

fn screenshots_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp, so this is <target>/screenshots.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target folder")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots folder");
    dir
}

fn shipped_site() -> SiteTest {
    let site = SiteTest::shipped_site();
    site.build().ok();
    site
}

/// Give the page a viewport `width` px wide (headless Chromium has no window frame).
fn resize(tab: &Tab, width: u32, height: u32) {
    tab.set_bounds(Bounds::Normal {
        left: Some(0),
        top: Some(0),
        width: Some(f64::from(width)),
        height: Some(f64::from(height)),
    })
    .expect("resize the window");
    wait_for(
        tab,
        &format!("window.innerWidth === {width}"),
        Duration::from_secs(5),
    );
}

fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url).expect("navigate");
    tab.wait_until_navigated().expect("page loads");
    wait_for(
        tab,
        "document.readyState === 'complete'",
        Duration::from_secs(10),
    );
}

/// The whole page as a PNG: the window is made as tall as the page for the shot.
fn screenshot(tab: &Tab, width: u32, height: u32, file: &Path) {
    let page_height = eval(tab, "document.documentElement.scrollHeight")
        .as_u64()
        .unwrap_or(u64::from(height))
        .clamp(u64::from(height), 8000);
    let frame = eval(tab, "window.outerHeight - window.innerHeight")
        .as_u64()
        .unwrap_or(0);
    resize(tab, width, (page_height + frame) as u32);
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    std::fs::write(file, png).expect("save screenshot");
    resize(tab, width, height);
}

/// The WCAG A/AA violations axe finds in the open page, one readable line per element.
fn axe_violations(tab: &Tab, axe: &str) -> Vec<String> {
    if eval(tab, "typeof window.axe") != "object" {
        tab.evaluate(axe, false).expect("inject axe-core");
    }
    let script = format!(
        "axe.run(document, {{ runOnly: {{ type: 'tag', values: {AXE_TAGS} }}, resultTypes: ['violations'] }})
           .then(r => JSON.stringify(r.violations.flatMap(v => v.nodes.map(n =>
             `${{v.id}} (${{v.impact}}): ${{v.help}} at ${{n.target.join(' ')}}\n    ${{n.failureSummary.replace(/\\n/g, ' ')}}`))))"
    );
    let result = tab.evaluate(&script, true).expect("run axe");
    let json = result.value.and_then(|v| v.as_str().map(String::from));
    serde_json::from_str(&json.expect("axe returns its violations")).expect("violations JSON")
}

fn scrolls_sideways(tab: &Tab) -> bool {
    eval(
        tab,
        "document.documentElement.scrollWidth > window.innerWidth",
    ) == true
}

/// Check one page at every width: axe violations and sideways scrolling go to `failures`, a
/// screenshot per width to `shots` as `<name>-<device>.png`.
fn check_page(tab: &Tab, axe: &str, url: &str, name: &str, shots: &Path) -> Vec<String> {
    let mut failures = Vec::new();
    for (device, width, height) in WIDTHS {
        resize(tab, width, height);
        open(tab, url);
        for violation in axe_violations(tab, axe) {
            failures.push(format!("{name} at {width}px: {violation}"));
        }
        if scrolls_sideways(tab) {
            failures.push(format!("{name}: scrolls sideways at {width}px"));
        }
        screenshot(
            tab,
            width,
            height,
            &shots.join(format!("{name}-{device}.png")),
        );
    }
    resize(tab, 320, 640);
    open(tab, url);
    if scrolls_sideways(tab) {
        failures.push(format!("{name}: scrolls sideways at 320px"));
    }
    failures
}

fn assert_no_failures(failures: &[String], shots: &Path) {
    assert!(
        failures.is_empty(),
        "{} accessibility failures (screenshots in {}):\n{}",
        failures.len(),
        shots.display(),
        failures.join("\n")
    );
}

#[test]
fn key_pages_have_no_wcag_violations_and_fit_phones() {
    let test = "axe on key pages";
    let Some(axe) = axe_source(test) else { return };
    let Some(chromium) = Chromium::launch(test) else {
        return;
    };
    let site = shipped_site();
    let server = StaticServer::start(&site.path("public"), "/");
    let shots = screenshots_dir();
    let tab = chromium.tab();
    // axe must be able to fail: a page without lang and alt text has violations.
    open(&tab, "data:text/html,<title>bad</title><img src='x.png'>");
    let known = axe_violations(&tab, &axe);
    assert!(
        known.iter().any(|v| v.starts_with("image-alt")),
        "axe found no violation on a page with an image without alt: {known:?}"
    );
    let mut failures = Vec::new();
    for lang in ["ko", "en"] {
        for (name, path) in PAGES {
            let url = server.url(&format!("/{lang}/{path}"));
            failures.extend(check_page(
                &tab,
                &axe,
                &url,
                &format!("{lang}-{name}"),
                &shots,
            ));
        }
    }
    failures.extend(check_page(
        &tab,
        &axe,
        &server.url("/404.html"),
        "not-found",
        &shots,
    ));
    assert_no_failures(&failures, &shots);
}

#[test]
fn paginated_lists_have_no_wcag_violations() {
    let test = "axe on paginated lists";
    let Some(axe) = axe_source(test) else { return };
    let Some(chromium) = Chromium::launch(test) else {
        return;
    };
    let site = SiteTest::shipped_site();
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("per_page = 20", "per_page = 2"),
    );
    site.build().ok();
    let server = StaticServer::start(&site.path("public"), "/");
    let shots = screenshots_dir();
    let tab = chromium.tab();
    let mut failures = Vec::new();
    for (name, path) in [
        ("ko-section-page-3", "/ko/press-releases/page/3/"),
        ("en-topic-page-2", "/en/topics/dprk/page/2/"),
    ] {
        failures.extend(check_page(&tab, &axe, &server.url(path), name, &shots));
    }
    assert_no_failures(&failures, &shots);
}

#[test]
fn the_first_tab_reaches_the_skip_link_and_enter_moves_focus_into_main() {
    let Some(chromium) = Chromium::launch("keyboard skip link") else {
        return;
    };
    let site = shipped_site();
    let server = StaticServer::start(&site.path("public"), "/");
    let tab = chromium.tab();
    for (lang, text) in [("ko", "본문 바로가기"), ("en", "Skip to main content")] {
        for (_, path) in PAGES {
            open(&tab, &server.url(&format!("/{lang}/{path}")));
            tab.press_key("Tab").expect("Tab");
            let focused = eval(
                &tab,
                "document.activeElement.className + '|' + document.activeElement.textContent",
            );
            assert_eq!(
                focused,
                format!("skip-link|{text}").as_str(),
                "/{lang}/{path}: the first Tab must focus the skip link"
            );
            assert_eq!(
                eval(&tab, "getComputedStyle(document.activeElement).transform"),
                "none",
                "/{lang}/{path}: the focused skip link must be on screen"
            );
            tab.press_key("Enter").expect("Enter");
            wait_for(
                &tab,
                "document.querySelector('main#main').contains(document.activeElement)",
                Duration::from_secs(5),
            );
        }
    }
}

#[test]
fn the_print_button_appears_with_its_script_and_print_hides_navigation() {
    let Some(chromium) = Chromium::launch("print button") else {
        return;
    };
    let site = shipped_site();
    let server = StaticServer::start(&site.path("public"), "/");
    let tab = chromium.tab();
    open(&tab, &server.url(&format!("/en/{}", PAGES[3].1)));
    wait_for(
        &tab,
        "!document.querySelector('.print-button').hidden",
        Duration::from_secs(5),
    );
    // On paper: navigation is gone, the release and its facts stay.
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some("print".into()),
        features: None,
    })
    .expect("emulate print media");
    let shown = |selector: &str| {
        eval(
            &tab,
            &format!("getComputedStyle(document.querySelector('{selector}')).display !== 'none'"),
        ) == true
    };
    for selector in [
        ".main-menu",
        ".breadcrumbs",
        ".utility-bar",
        ".search-box",
        ".release-tools",
        ".neighbours",
        ".related",
    ] {
        assert!(!shown(selector), "print shows {selector}");
    }
    for selector in ["h1", ".release-meta", ".release-body", ".attachments"] {
        assert!(shown(selector), "print hides {selector}");
    }
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    std::fs::write(screenshots_dir().join("en-release-print.png"), png).expect("save");
}

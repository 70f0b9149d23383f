//! `communique serve` in headless Chromium: an open tab follows saves by itself (the test never
//! navigates or reloads it), and shows a broken save's errors over the page until it is fixed.

mod common;

use std::time::{Duration, Instant};

use common::SiteTest;
use common::browser::{Chromium, Tab};
use common::serve::Server;

const RELEASE: &str = "content/en/press-releases/honolulu.md";
const RELEASE_URL: &str = "/en/press-releases/honolulu/";

/// Poll `expression` until it is true; how long that took. Evaluation errors count as false:
/// while the page reloads itself there is briefly no document to ask.
fn wait_until(tab: &Tab, expression: &str, timeout: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let value = tab
            .evaluate(expression, false)
            .ok()
            .and_then(|r| r.value)
            .unwrap_or_default();
        if value == serde_json::Value::Bool(true) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < timeout,
            "waited {timeout:?} for `{expression}`"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

const OVERLAY: &str = "document.getElementById('communique-errors')";

#[test]
fn an_open_tab_follows_saves_and_shows_errors_until_fixed() {
    let Some(chromium) = Chromium::launch("serve live reload") else {
        return;
    };
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site, &[]);
    let tab = chromium.tab();
    tab.navigate_to(&server.url(RELEASE_URL))
        .expect("open the release")
        .wait_until_navigated()
        .expect("the release loads");
    wait_until(
        &tab,
        "document.title.startsWith('Outcome of ROK-U.S.')",
        Duration::from_secs(5),
    );
    // Gone after the page reloads itself; the test never reloads it.
    tab.evaluate("window.openedByTest = true", false)
        .expect("mark the page");
    let good = std::fs::read_to_string(site.path(RELEASE)).unwrap();

    // A new title: the tab shows it within 2 seconds of the save.
    site.write(
        RELEASE,
        &good.replace(
            "Outcome of ROK-U.S. Foreign Ministers' Meeting",
            "Ministers Meet in Honolulu",
        ),
    );
    let took = wait_until(
        &tab,
        "document.title.startsWith('Ministers Meet in Honolulu') \
         && document.querySelector('h1').textContent.includes('Ministers Meet in Honolulu')",
        Duration::from_secs(2),
    );
    eprintln!("the open tab showed the new title {took:?} after the save");
    assert_eq!(
        tab.evaluate("window.openedByTest === undefined", false)
            .unwrap()
            .value,
        Some(serde_json::Value::Bool(true)),
        "the page should have reloaded itself"
    );

    // Broken front-matter: the overlay names the file and the line.
    let broken = good.replace("date = 2022", "date = not-a-date # 2022");
    let line = broken
        .lines()
        .position(|l| l.starts_with("date = not-a-date"))
        .unwrap()
        + 1;
    site.write(RELEASE, &broken);
    let expected = format!("{RELEASE}:{line}:");
    wait_until(
        &tab,
        &format!("!!{OVERLAY} && {OVERLAY}.textContent.includes('{expected}')"),
        Duration::from_secs(5),
    );
    // The last good page is still there under it.
    wait_until(
        &tab,
        "document.title.startsWith('Ministers Meet in Honolulu')",
        Duration::from_secs(1),
    );

    // Fixed: the overlay goes and the fix shows.
    site.write(RELEASE, &good.replace("Honolulu", "Hawaii"));
    wait_until(
        &tab,
        &format!("!{OVERLAY} && document.body.textContent.includes('Hawaii')"),
        Duration::from_secs(5),
    );
}

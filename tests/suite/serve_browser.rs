//! `communique serve` in headless Chromium: an open tab follows saves by itself (the test never
//! navigates or reloads it), and shows a broken save's errors over the page until it is fixed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::SiteTest;
use crate::common::browser::{Chromium, Tab};
use crate::common::serve::Server;

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

/// Chromium, and `serve` running on a copy of the basic fixture; `None` when the test is
/// skipped (no Chromium). `test` names the test in the skip message.
fn serve_basic(test: &str) -> Option<(Chromium, SiteTest, Server)> {
    let chromium = Chromium::launch(test)?;
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site, &[]);
    Some((chromium, site, server))
}

/// The release's text with a new title, "Ministers Meet in Honolulu".
fn retitled(release: &str) -> String {
    release.replace(
        "Outcome of ROK-U.S. Foreign Ministers' Meeting",
        "Ministers Meet in Honolulu",
    )
}

/// Open the release in `tab` and wait until it has loaded.
fn open_release(tab: &Tab, server: &Server) {
    tab.navigate_to(&server.url(RELEASE_URL))
        .expect("open the release")
        .wait_until_navigated()
        .expect("the release loads");
}

#[test]
fn an_open_tab_follows_saves_and_shows_errors_until_fixed() {
    let Some((chromium, site, server)) = serve_basic("serve live reload") else {
        return;
    };
    let tab = chromium.tab();
    open_release(&tab, &server);
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
    site.write(RELEASE, &retitled(&good));
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

/// Browsers open at most six HTTP/1.1 connections to one server, and each tab's event stream
/// holds one for as long as the tab is open: the tabs of one browser share a single stream,
/// so a seventh tab still loads, and every tab follows a save.
#[test]
fn many_open_tabs_load_and_all_follow_a_save() {
    let Some((chromium, site, server)) = serve_basic("serve with many tabs") else {
        return;
    };
    const TABS: usize = 9;
    let tabs: Vec<_> = (0..TABS)
        .map(|n| {
            let tab = chromium.tab();
            // Sent, not awaited: a stalled load is what the test looks for.
            let url = server.url(RELEASE_URL);
            let _ = tab.evaluate(&format!("location.href = {url:?}"), false);
            let took = wait_until(
                &tab,
                "document.readyState === 'complete' \
                 && document.title.startsWith('Outcome of ROK-U.S.')",
                Duration::from_secs(10),
            );
            eprintln!("tab {} loaded in {took:?}", n + 1);
            tab
        })
        .collect();
    let good = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    site.write(RELEASE, &retitled(&good));
    for (n, tab) in tabs.iter().enumerate() {
        let took = wait_until(
            tab,
            "document.title.startsWith('Ministers Meet in Honolulu')",
            Duration::from_secs(5),
        );
        eprintln!("tab {} showed the save after {took:?}", n + 1);
    }

    // A broken save: every tab shows the errors, the ones passed on by another tab too.
    site.write(
        RELEASE,
        &good.replace("date = 2022", "date = not-a-date # 2022"),
    );
    for tab in &tabs {
        wait_until(
            tab,
            &format!("!!{OVERLAY} && {OVERLAY}.textContent.includes('{RELEASE}:')"),
            Duration::from_secs(5),
        );
    }

    // The tab that listens closes: another takes over, and the fix reaches every tab left.
    let listening = |tabs: &[Arc<Tab>]| -> Vec<usize> {
        (0..tabs.len())
            .filter(|&n| {
                let value = tabs[n].evaluate("window.communiqueListening === true", false);
                value.ok().and_then(|v| v.value) == Some(serde_json::Value::Bool(true))
            })
            .collect()
    };
    let listener = listening(&tabs);
    assert_eq!(listener.len(), 1, "one tab listens for all: {listener:?}");
    let mut tabs = tabs;
    tabs.remove(listener[0])
        .close(false)
        .expect("close the listening tab");
    site.write(RELEASE, &good.replace("Honolulu", "Hawaii"));
    for tab in &tabs {
        wait_until(
            tab,
            &format!("!{OVERLAY} && document.body.textContent.includes('Hawaii')"),
            Duration::from_secs(5),
        );
    }
    assert_eq!(listening(&tabs).len(), 1, "another tab took over");
}

/// A page away from localhost has no Web Locks (they need a secure origin): there each tab
/// listens for itself, as before tabs shared a stream.
#[test]
fn a_tab_without_web_locks_listens_for_itself() {
    let Some((chromium, site, server)) = serve_basic("serve without web locks") else {
        return;
    };
    let tab = chromium.tab();
    tab.call_method(
        headless_chrome::protocol::cdp::Page::AddScriptToEvaluateOnNewDocument {
            source: "delete Navigator.prototype.locks;".to_string(),
            world_name: None,
            include_command_line_api: None,
            run_immediately: None,
        },
    )
    .expect("remove Web Locks");
    open_release(&tab, &server);
    wait_until(
        &tab,
        "navigator.locks === undefined && window.communiqueListening === true",
        Duration::from_secs(5),
    );
    let good = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    site.write(RELEASE, &good.replace("Honolulu", "Hawaii"));
    wait_until(
        &tab,
        "document.body.textContent.includes('Hawaii')",
        Duration::from_secs(5),
    );
}

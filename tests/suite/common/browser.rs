//! Headless Chromium for tests, through the DevTools protocol. A test asks `Chromium::launch`
//! and gets `None` (with a "skipped: ..." line) when Chromium is not installed, unless
//! COMMUNIQUE_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails the test.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use headless_chrome::LaunchOptions;
pub use headless_chrome::{Browser, Tab};

const CANDIDATES: [&str; 3] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

pub struct Chromium {
    pub browser: Browser,
    _profile: tempfile::TempDir,
}

fn chromium_path() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

impl Chromium {
    /// Chromium, or `None` when it is not installed and not required. `test` names the caller
    /// in the skip message.
    pub fn launch(test: &str) -> Option<Chromium> {
        let Some(path) = chromium_path() else {
            if std::env::var("COMMUNIQUE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!(
                    "{test}: Chromium is required (COMMUNIQUE_REQUIRE_BROWSER=1) but not installed"
                );
            }
            super::say_skipped(&format!(
                "{test}: Chromium is not installed (apt-get install chromium)"
            ));
            return None;
        };
        let profile = tempfile::tempdir().expect("profile folder");
        let args: Vec<&OsStr> = [
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        let options = LaunchOptions::default_builder()
            .path(Some(path))
            .sandbox(false)
            .headless(true)
            .window_size(Some((1280, 900)))
            .user_data_dir(Some(profile.path().to_path_buf()))
            .idle_browser_timeout(Duration::from_secs(120))
            .args(args)
            .build()
            .expect("launch options");
        let browser = Browser::new(options).expect("start Chromium");
        Some(Chromium {
            browser,
            _profile: profile,
        })
    }

    pub fn tab(&self) -> std::sync::Arc<Tab> {
        self.browser.new_tab().expect("new tab")
    }
}

/// Evaluate `expression` in the page and return its JSON value.
pub fn eval(tab: &Tab, expression: &str) -> serde_json::Value {
    let result = tab.evaluate(expression, true).expect("evaluate");
    result.value.unwrap_or(serde_json::Value::Null)
}

/// Wait until `expression` is true in the page, or fail after `timeout`.
pub fn wait_for(tab: &Tab, expression: &str, timeout: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if eval(tab, expression) == serde_json::Value::Bool(true) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < timeout,
            "waited {timeout:?} for `{expression}`"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

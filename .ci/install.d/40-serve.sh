# serve's browser test (tests/serve_browser.rs) drives Debian's headless Chromium; CI sets
# COMMUNIQUE_REQUIRE_BROWSER=1, so a missing browser fails the test instead of skipping it.
need_apt chromium

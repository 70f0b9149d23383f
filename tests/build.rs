//! `communique build` on fixture sites: the pages of the spec, in both languages.

mod common;

use common::SiteTest;

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
        "en/press-releases/index.html",
        "ko/press-releases/honolulu/index.html",
        "en/press-releases/honolulu/index.html",
        "ko/topics/index.html",
        "en/topics/index.html",
        "ko/topics/dprk/index.html",
        "en/topics/climate/index.html",
        "theme/communique.css",
    ] {
        assert!(
            site.output_exists(page),
            "missing {page}; have {:?}",
            site.output_files()
        );
    }
}

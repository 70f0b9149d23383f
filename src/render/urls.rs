//! Every address communique makes, in one place. Paths are relative to the output root and end
//! in `/` (`ko/press-releases/x/`); `link` puts them under the base path for use in pages,
//! `permalink` makes them absolute for canonical, hreflang, feeds and the sitemap.

use std::borrow::Cow;

use rayon::prelude::*;

use crate::config::Config;
use crate::model::{ReleaseId, SectionId, Site};

pub struct Urls<'a> {
    site: &'a Site,
    base_path: &'a str,
    paths: Cow<'a, UrlPaths>,
}

/// Every release's and section's path, made once: pages ask for them many times over, and
/// `serve` keeps them from one rebuild to the next. Made in parallel: no page renders before
/// they are.
#[derive(Clone)]
pub struct UrlPaths {
    release: Vec<String>,
    section: Vec<String>,
}

impl UrlPaths {
    pub fn new(site: &Site) -> Self {
        let code = |lang: usize| site.config.languages[lang].code.as_str();
        UrlPaths {
            release: site
                .releases
                .par_iter()
                .map(|r| format!("{}/{}/", code(r.location.lang), r.location.relative_path()))
                .collect(),
            section: site
                .sections
                .iter()
                .map(|s| format!("{}/{}/", code(s.lang), s.path))
                .collect(),
        }
    }
}

impl<'a> Urls<'a> {
    pub fn new(site: &'a Site) -> Self {
        Urls {
            site,
            base_path: site.config.base_path(),
            paths: Cow::Owned(UrlPaths::new(site)),
        }
    }

    /// Over paths made before: `paths` must come from `site` (or a site with the same files).
    pub fn with_paths(site: &'a Site, paths: &'a UrlPaths) -> Self {
        Urls {
            site,
            base_path: site.config.base_path(),
            paths: Cow::Borrowed(paths),
        }
    }

    fn config(&self) -> &Config {
        &self.site.config
    }

    pub fn home(&self, lang: usize) -> String {
        format!("{}/", self.config().languages[lang].code)
    }

    pub fn release(&self, id: ReleaseId) -> String {
        self.paths.release[id].clone()
    }

    /// A section's list page `number` (1-based).
    pub fn section(&self, id: SectionId, number: usize) -> String {
        paged(self.paths.section[id].clone(), number)
    }

    pub fn topic_index(&self, lang: usize) -> String {
        format!("{}/topics/", self.config().languages[lang].code)
    }

    pub fn topic(&self, lang: usize, topic: usize, number: usize) -> String {
        paged(
            format!(
                "{}{}/",
                self.topic_index(lang),
                self.config().topics[topic].key
            ),
            number,
        )
    }

    /// A path as pages link it: under the base path (`/news/ko/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path)
    }

    /// A path as an absolute URL (`https://org.github.io/news/ko/`).
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.config().base_url, path)
    }
}

/// Page 1 of a list is the list's own address; page n is `page/n/` below it.
fn paged(first: String, number: usize) -> String {
    if number <= 1 {
        first
    } else {
        format!("{first}page/{number}/")
    }
}

/// The file a page at `path` is written to.
pub fn output_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_folders_with_an_index() {
        assert_eq!(output_file(""), "index.html");
        assert_eq!(output_file("ko/topics/"), "ko/topics/index.html");
        assert_eq!(output_file("404.html"), "404.html");
        assert_eq!(paged("ko/x/".into(), 1), "ko/x/");
        assert_eq!(paged("ko/x/".into(), 3), "ko/x/page/3/");
    }
}

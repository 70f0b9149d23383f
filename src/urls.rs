//! Every address communique makes, in one place. Paths are relative to the output root and end
//! in `/` (`ko/press-releases/x/`); `link` puts them under the base path for use in pages,
//! `permalink` makes them absolute for canonical, hreflang, feeds and the sitemap.
//! Addresses are joined with `concat`, which sizes the string once: `format!` took a few
//! percent of a build's instructions here, growing strings piece by piece.

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
                .map(|r| [code(r.location.lang), "/", &r.location.relative_path(), "/"].concat())
                .collect(),
            section: site
                .sections
                .iter()
                .map(|s| [code(s.lang), "/", &s.path, "/"].concat())
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
        [&self.config().languages[lang].code, "/"].concat()
    }

    pub fn release(&self, id: ReleaseId) -> String {
        self.paths.release[id].clone()
    }

    /// A section's list page `number` (1-based).
    pub fn section(&self, id: SectionId, number: usize) -> String {
        paged(self.paths.section[id].clone(), number)
    }

    pub fn topic_index(&self, lang: usize) -> String {
        [&self.config().languages[lang].code, "/topics/"].concat()
    }

    pub fn topic(&self, lang: usize, topic: usize, number: usize) -> String {
        let mut path = self.topic_index(lang);
        path.push_str(&self.config().topics[topic].key);
        path.push('/');
        paged(path, number)
    }

    /// A path as pages link it: under the base path (`/news/ko/`).
    pub fn link(&self, path: &str) -> String {
        [self.base_path, path].concat()
    }

    /// A path as an absolute URL (`https://org.github.io/news/ko/`).
    pub fn permalink(&self, path: &str) -> String {
        [&self.config().base_url, path].concat()
    }
}

/// Page 1 of a list is the list's own address; page n is `page/n/` below it.
fn paged(first: String, number: usize) -> String {
    if number <= 1 {
        first
    } else {
        let mut path = first;
        path.push_str("page/");
        path.push_str(&number.to_string());
        path.push('/');
        path
    }
}

/// The file a page at `path` is written to.
pub fn output_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        [path, "index.html"].concat()
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

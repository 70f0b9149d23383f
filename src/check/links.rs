//! Where the site's links lead, for `build` and `check` alike: every link and attachment an
//! editor wrote (reported at its line in the release), and the links and hreflang alternates
//! of the rendered pages that were read (reported at the page, naming its template).
//!
//! Reading a page costs more than rendering it, so a build reads only the pages it must: those
//! that links with an `#anchor` lead into, the site's static HTML, and every page when the site
//! has templates of its own. The built-in theme makes its links from the model itself.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use url::Url;

use super::html::{self, HtmlAlternate, PageScan};
use crate::content::{STATIC_DIR, TEMPLATES_DIR};
use crate::error::{SourceError, suggestion};
use crate::model::Site;
use crate::render::pages::{self, Page};
use crate::urls::{Urls, output_file};

/// Which rendered pages are read for their links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Every page and static HTML file (`check`, and builds of sites with their own templates).
    Everything,
    /// Only what the links written in releases need: the pages their anchors point into.
    WhatLinksNeed,
}

/// A link or attachment written in a release, with its place.
#[derive(Debug, Clone)]
struct SourceLink {
    /// The output file of the page it is on.
    page: String,
    url: String,
    at: SourceError,
    kind: LinkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    Markdown,
    Attachment,
}

/// Where a link leads.
enum Target {
    /// Not part of the site (another host, `mailto:`...): not checked.
    Elsewhere,
    /// An output file, by its path under the output root.
    File(String),
}

/// The links of a site, ready to be checked once its files are rendered.
pub struct Links<'a> {
    site: &'a Site,
    urls: Urls<'a>,
    base: Url,
    reading: Reading,
    /// Which page each HTML output file is.
    pages: HashMap<String, Page>,
    sources: Vec<SourceLink>,
    /// Output files a link with an anchor points into: read even when not reading everything.
    anchored: HashSet<String>,
}

impl<'a> Links<'a> {
    pub fn new(site: &'a Site, reading: Reading) -> anyhow::Result<Self> {
        let urls = Urls::new(site);
        let base = Url::parse(&site.config.base_url)?;
        let pages = pages::all(site)
            .into_iter()
            .map(|page| (output_file(&page.path(&urls)), page))
            .collect();
        let mut links = Links {
            site,
            urls,
            base,
            reading,
            pages,
            sources: Vec::new(),
            anchored: HashSet::new(),
        };
        links.sources = links.source_links();
        links.anchored = links
            .sources
            .iter()
            .filter(|link| link.url.contains('#'))
            .filter_map(|link| links.candidates(&link.page, &link.url))
            .flatten()
            .collect();
        Ok(links)
    }

    /// Whether the output file at `path` must be read before [`Links::check`].
    pub fn wants(&self, path: &str) -> bool {
        let html = path.ends_with(".html");
        match self.reading {
            Reading::Everything => html,
            Reading::WhatLinksNeed => {
                html && (!self.pages.contains_key(path) || self.anchored.contains(path))
            }
        }
    }

    /// Read a rendered file that [`Links::wants`].
    pub fn read(bytes: &[u8]) -> PageScan {
        html::scan(&String::from_utf8_lossy(bytes))
    }

    /// Every broken link, given the paths of all output files and the pages read.
    pub fn check(
        &self,
        files: &HashSet<&str>,
        scans: &BTreeMap<String, PageScan>,
    ) -> Vec<SourceError> {
        let resolver = Resolver {
            links: self,
            files,
            scans,
        };
        let mut errors = Vec::new();
        let mut at_source: HashMap<&str, HashSet<String>> = HashMap::new();
        for link in &self.sources {
            let seen = at_source.entry(link.page.as_str()).or_default();
            match link.kind {
                LinkKind::Markdown => {
                    seen.insert(link.url.clone());
                    if let Err(message) = resolver.resolve(&link.page, &link.url) {
                        errors.push(link.error(format!("broken link: {message}")));
                    }
                }
                LinkKind::Attachment => {
                    let path = link.url.trim_start_matches('/');
                    seen.insert(self.urls.link(path));
                    if !files.contains(path) {
                        let statics = self.site.static_files.iter().map(|f| f.path.as_str());
                        errors.push(link.error(format!(
                            "attachment `{}` is not in {STATIC_DIR}/: put the file at {STATIC_DIR}/{path}{}",
                            link.url,
                            suggestion(path, statics)
                        )));
                    }
                }
            }
        }
        errors.extend(resolver.rendered_links(&at_source));
        errors.extend(resolver.hreflang());
        errors
    }

    /// The links and attachments written in each release, at their place in its file.
    fn source_links(&self) -> Vec<SourceLink> {
        let mut links = Vec::new();
        for (id, release) in self.site.releases.iter().enumerate() {
            let page = output_file(&self.urls.release(id));
            let source = &release.location.source;
            let at = |(line, column)| SourceError::new(source, line, column, "");
            for link in &release.links {
                links.push(SourceLink {
                    page: page.clone(),
                    url: link.url.clone(),
                    at: at((link.line, link.column)),
                    kind: LinkKind::Markdown,
                });
            }
            for attachment in &release.attachments {
                links.push(SourceLink {
                    page: page.clone(),
                    url: attachment.file.clone(),
                    at: at(attachment.file_at),
                    kind: LinkKind::Attachment,
                });
            }
        }
        links
    }

    /// The absolute URL of the output file `file` (`ko/x/index.html` is `.../ko/x/`).
    fn url_of(&self, file: &str) -> Url {
        let address = file.strip_suffix("index.html").unwrap_or(file);
        self.base
            .join(address)
            .unwrap_or_else(|_| self.base.clone())
    }

    /// The output files `href` on the page `from` may lead to, or `None` when it leads off the
    /// site.
    fn candidates(&self, from: &str, href: &str) -> Option<Vec<String>> {
        let url = self.url_of(from).join(href.trim()).ok()?;
        if !matches!(url.scheme(), "http" | "https") || url.origin() != self.base.origin() {
            return None;
        }
        let rest = url.path().strip_prefix(self.base.path())?;
        let rest = percent_decode_str(rest).decode_utf8_lossy().into_owned();
        Some(if rest.is_empty() || rest.ends_with('/') {
            vec![format!("{rest}index.html")]
        } else {
            // Static hosts serve `x/` for `x` (after a redirect), so both count.
            vec![rest.clone(), format!("{rest}/index.html")]
        })
    }
}

impl SourceLink {
    fn error(&self, message: String) -> SourceError {
        SourceError {
            message,
            ..self.at.clone()
        }
    }
}

/// Links resolved against the rendered files.
struct Resolver<'l, 'a> {
    links: &'l Links<'a>,
    files: &'l HashSet<&'l str>,
    scans: &'l BTreeMap<String, PageScan>,
}

impl Resolver<'_, '_> {
    /// Where `href`, written on the page in `from`, leads; `Err` says why it leads nowhere.
    fn resolve(&self, from: &str, href: &str) -> Result<Target, String> {
        let links = self.links;
        let href = href.trim();
        if href.is_empty() {
            return Ok(Target::Elsewhere);
        }
        let url = links
            .url_of(from)
            .join(href)
            .map_err(|e| format!("`{href}` is not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.origin() != links.base.origin() {
            return Ok(Target::Elsewhere);
        }
        if !url.path().starts_with(links.base.path()) {
            return Err(format!(
                "`{href}` is outside the site, which is published under {}",
                links.base.path()
            ));
        }
        let candidates = links.candidates(from, href).unwrap_or_default();
        let Some(file) = candidates
            .into_iter()
            .find(|c| self.files.contains(c.as_str()))
        else {
            return Err(format!(
                "`{href}` leads to no page or static file of the site{}",
                self.did_you_mean(&url)
            ));
        };
        let fragment = url
            .fragment()
            .map(|f| percent_decode_str(f).decode_utf8_lossy().into_owned())
            .unwrap_or_default();
        if let Some(scan) = self.scans.get(&file)
            && !fragment.is_empty()
            && !scan.ids.contains(&fragment)
        {
            let ids = scan.ids.iter().map(String::as_str);
            return Err(format!(
                "`{href}`: the page has no element with id `{fragment}`{}",
                suggestion(&fragment, ids)
            ));
        }
        Ok(Target::File(file))
    }

    /// " (did you mean `/en/press-releases/x/`?)": the closest address of the site, written as
    /// an editor writes links (under the base path, a page as its folder).
    fn did_you_mean(&self, url: &Url) -> String {
        let addresses: Vec<String> = self
            .files
            .iter()
            .map(|file| {
                let address = file.strip_suffix("index.html").unwrap_or(file);
                self.links.urls.link(address)
            })
            .collect();
        suggestion(url.path(), addresses.iter().map(String::as_str))
    }

    /// Links of every page read that were not already checked at their source. A broken link
    /// that a template puts on many pages is reported once, at its first page, with a count.
    fn rendered_links(&self, at_source: &HashMap<&str, HashSet<String>>) -> Vec<SourceError> {
        let mut broken: BTreeMap<String, (SourceError, usize)> = BTreeMap::new();
        let none = HashSet::new();
        for (file, scan) in self.scans {
            let seen = at_source.get(file.as_str()).unwrap_or(&none);
            for link in scan.links.iter().filter(|l| !seen.contains(&l.url)) {
                if let Err(message) = self.resolve(file, &link.url) {
                    broken
                        .entry(message.clone())
                        .and_modify(|(_, count)| *count += 1)
                        .or_insert_with(|| (self.rendered_error(file, link.line, &message), 0));
                }
            }
        }
        broken
            .into_values()
            .map(|(mut error, others)| {
                if others > 0 {
                    let pages = if others == 1 { "page" } else { "pages" };
                    let _ = write!(error.message, " (and on {others} more {pages})");
                }
                error
            })
            .collect()
    }

    /// An error in a rendered page: at the static file it was copied from, or at the page's
    /// path in the output, naming the template that made it.
    fn rendered_error(&self, file: &str, line: usize, message: &str) -> SourceError {
        match self.links.pages.get(file) {
            Some(page) => SourceError::new(
                file,
                line,
                1,
                format!(
                    "broken link: {message} (in the page made by {TEMPLATES_DIR}/{})",
                    page.template()
                ),
            ),
            None => SourceError::new(
                PathBuf::from(STATIC_DIR).join(file),
                line,
                1,
                format!("broken link: {message}"),
            ),
        }
    }

    /// Every page read that names itself as a language version must be named back by each
    /// version it names; search engines ignore one-way alternates. A page that names itself
    /// only as `x-default` (the root, which chooses a language) is a chooser, not a version.
    fn hreflang(&self) -> Vec<SourceError> {
        let links = self.links;
        let versions = |file: &str| -> Vec<(&HtmlAlternate, String)> {
            let page_url = links.url_of(file);
            self.scans[file]
                .alternates
                .iter()
                .filter(|a| !a.hreflang.eq_ignore_ascii_case("x-default"))
                .filter_map(|a| page_url.join(&a.href).ok().map(|u| (a, u.to_string())))
                .collect()
        };
        let mut errors = Vec::new();
        for file in self.scans.keys().filter(|f| links.pages.contains_key(*f)) {
            let own = links.url_of(file).to_string();
            let mine = versions(file);
            if !mine.iter().any(|(_, url)| *url == own) {
                continue;
            }
            for (alternate, url) in mine.iter().filter(|(_, url)| *url != own) {
                let Ok(Target::File(target)) = self.resolve(file, &alternate.href) else {
                    continue; // Leads elsewhere, or reported as a broken link.
                };
                if !self.scans.contains_key(&target)
                    || versions(&target).iter().any(|(_, back)| *back == own)
                {
                    continue;
                }
                errors.push(SourceError::new(
                    file.as_str(),
                    alternate.line,
                    1,
                    format!(
                        "one-way hreflang: this page names {url} as its `{}` version, but that page does not name this one ({own}) back{}",
                        alternate.hreflang,
                        links
                            .pages
                            .get(&target)
                            .map(|p| format!(" (check {TEMPLATES_DIR}/{} and base.html)", p.template()))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        errors
    }
}

//! `communique check`: everything `build` validates, then, on the rendered site in memory and
//! without writing anything: every internal link and `#anchor` (in Markdown and in rendered
//! templates) leads to a page or static file under the base path, hreflang alternates are
//! reciprocal, and attachments exist in static/. Releases missing a translation are a warning,
//! returned as data for `main.rs` to show.

pub mod html;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;
use rayon::prelude::*;
use url::Url;

use crate::content::{LoadOptions, STATIC_DIR, TEMPLATES_DIR, front_matter};
use crate::error::{SourceError, SourceWarning, escape_controls, suggestion};
use crate::model::{ReleaseId, Site};
use crate::read;
use crate::render::pages::{self, Page};
use crate::render::urls::{Urls, output_file};
use crate::render::{self, OutputFile};
use html::PageScan;

/// What `check` found. `errors` fail the check; missing translations only warn.
#[derive(Debug)]
pub struct CheckReport {
    /// How many files a build would write.
    pub files: usize,
    /// Sorted by place.
    pub errors: Vec<SourceError>,
    /// One entry per language that some release is missing in, in config order.
    pub missing_translations: Vec<MissingTranslations>,
    /// Per language (code, top-level section folders in menu order), when the languages list
    /// the sections they share in different orders; else empty.
    pub menu_orders: Vec<(String, Vec<String>)>,
    /// Files of the site skipped (not regular files, link cycles).
    pub warnings: Vec<SourceWarning>,
}

/// The releases that have no version in `language`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingTranslations {
    pub language: String,
    pub releases: Vec<UntranslatedRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntranslatedRelease {
    /// `content/ko/press-releases/x.md`.
    pub source: PathBuf,
    pub title: String,
}

/// Check the site at `root`. Errors that stop a build (config, front-matter, templates) come
/// back as `Err(SiteErrors)`, like `build`; what only `check` looks at is in the report.
pub fn check(root: &Path) -> anyhow::Result<CheckReport> {
    let site = crate::load(root, &LoadOptions::default())?;
    let files = render::render(&site)?;
    let mut checker = Checker::new(&site, &files)?;
    let mut errors = checker.check_sources(root);
    errors.extend(checker.check_rendered_links());
    errors.extend(checker.check_hreflang());
    errors.sort();
    errors.dedup();
    Ok(CheckReport {
        files: files.len(),
        errors,
        missing_translations: missing_translations(&site),
        menu_orders: differing_menu_orders(&site),
        warnings: site.warnings.clone(),
    })
}

impl CheckReport {
    /// A warning that the languages' main menus list their sections in different orders, or
    /// `None` when they agree.
    pub fn menu_order_warning(&self) -> Option<String> {
        if self.menu_orders.is_empty() {
            return None;
        }
        let mut warning = String::from(
            "warning: the main menu lists the sections in a different order in each language \
             (set `weight` in each language's _index.md):",
        );
        for (language, folders) in &self.menu_orders {
            let _ = write!(warning, "\n  {language}: {}", folders.join(", "));
        }
        Some(warning)
    }

    /// The missing translations as a table for people, or `None` when every release has all.
    pub fn missing_translations_table(&self) -> Option<String> {
        if self.missing_translations.is_empty() {
            return None;
        }
        let rows: Vec<(&str, String, std::borrow::Cow<'_, str>)> = self
            .missing_translations
            .iter()
            .flat_map(|m| {
                m.releases.iter().map(|r| {
                    (
                        m.language.as_str(),
                        escape_controls(&r.source.display().to_string()).into_owned(),
                        escape_controls(&r.title),
                    )
                })
            })
            .collect();
        let width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
        let mut table = String::from("warning: releases missing a translation\n");
        let _ = writeln!(
            table,
            "  {:<10}  {:<width$}  title",
            "missing in", "release"
        );
        for (language, source, title) in &rows {
            let _ = writeln!(table, "  {language:<10}  {source:<width$}  {title}");
        }
        let counts: Vec<String> = self
            .missing_translations
            .iter()
            .map(|m| format!("{} in {}", m.releases.len(), m.language))
            .collect();
        let _ = write!(
            table,
            "warning: missing translations: {}",
            counts.join(", ")
        );
        Some(table)
    }
}

/// Each language's main menu as folder names, when two languages list the folders they both
/// have in different orders (a `weight` set in one language's `_index.md` only); else empty.
fn differing_menu_orders(site: &Site) -> Vec<(String, Vec<String>)> {
    let menus: Vec<Vec<&str>> = site
        .menu
        .iter()
        .map(|menu| {
            menu.iter()
                .map(|&s| site.sections[s].path.as_str())
                .collect()
        })
        .collect();
    let shared_order = |menu: &[&str], other: &[&str]| -> Vec<String> {
        menu.iter()
            .filter(|path| other.contains(path))
            .map(|path| path.to_string())
            .collect()
    };
    let differ = menus.iter().enumerate().any(|(a, menu)| {
        menus[a + 1..]
            .iter()
            .any(|other| shared_order(menu, other) != shared_order(other, menu))
    });
    if !differ {
        return Vec::new();
    }
    site.config
        .languages
        .iter()
        .zip(&menus)
        .map(|(language, menu)| {
            let folders = menu.iter().map(|path| path.to_string()).collect();
            (language.code.clone(), folders)
        })
        .collect()
}

/// Per language, every release of another language that has no translation into it.
fn missing_translations(site: &Site) -> Vec<MissingTranslations> {
    site.config
        .languages
        .iter()
        .enumerate()
        .filter_map(|(lang, language)| {
            let mut releases: Vec<UntranslatedRelease> = (0..site.releases.len())
                .filter(|&id| site.translations[id][lang].is_none())
                .map(|id| UntranslatedRelease {
                    source: site.releases[id].location.source.clone(),
                    title: site.releases[id].title.clone(),
                })
                .collect();
            releases.sort_by(|a, b| a.source.cmp(&b.source));
            (!releases.is_empty()).then(|| MissingTranslations {
                language: language.code.clone(),
                releases,
            })
        })
        .collect()
}

/// Where a link leads.
enum Target {
    /// Not part of the site (another host, `mailto:`...): not checked.
    Elsewhere,
    /// An output file, by its path under the output root.
    File(String),
}

struct Checker<'a> {
    site: &'a Site,
    urls: Urls<'a>,
    base: Url,
    files: HashSet<&'a str>,
    /// Which page each rendered HTML file is.
    pages: HashMap<String, Page>,
    /// Every HTML file of the output, read.
    scans: BTreeMap<&'a str, PageScan>,
    /// Per page file, the URLs already checked at their source (Markdown, front-matter), so
    /// the rendered page does not report them a second time.
    checked_at_source: HashMap<String, HashSet<String>>,
}

impl<'a> Checker<'a> {
    fn new(site: &'a Site, files: &'a [OutputFile]) -> anyhow::Result<Self> {
        let urls = Urls::new(site);
        let base = Url::parse(&site.config.base_url)?;
        let pages = pages::all(site)
            .into_iter()
            .map(|page| (output_file(&page.path(&urls)), page))
            .collect();
        let scans = files
            .par_iter()
            .filter(|f| f.path.ends_with(".html"))
            .map(|f| {
                (
                    f.path.as_str(),
                    html::scan(&String::from_utf8_lossy(&f.bytes)),
                )
            })
            .collect();
        Ok(Checker {
            site,
            urls,
            base,
            files: files.iter().map(|f| f.path.as_str()).collect(),
            pages,
            scans,
            checked_at_source: HashMap::new(),
        })
    }

    /// The absolute URL of the output file `file` (`ko/x/index.html` is `.../ko/x/`).
    fn url_of(&self, file: &str) -> Url {
        let address = file.strip_suffix("index.html").unwrap_or(file);
        self.base
            .join(address)
            .unwrap_or_else(|_| self.base.clone())
    }

    /// Where `href`, written on the page in `from`, leads; `Err` says why it leads nowhere.
    fn resolve(&self, from: &str, href: &str) -> Result<Target, String> {
        let href = href.trim();
        if href.is_empty() {
            return Ok(Target::Elsewhere);
        }
        let url = self
            .url_of(from)
            .join(href)
            .map_err(|e| format!("`{href}` is not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.origin() != self.base.origin() {
            return Ok(Target::Elsewhere);
        }
        let Some(rest) = url.path().strip_prefix(self.base.path()) else {
            return Err(format!(
                "`{href}` is outside the site, which is published under {}",
                self.base.path()
            ));
        };
        let rest = percent_decode_str(rest).decode_utf8_lossy().into_owned();
        let candidates = if rest.is_empty() || rest.ends_with('/') {
            vec![format!("{rest}index.html")]
        } else {
            // Static hosts serve `x/` for `x` (after a redirect), so both count.
            vec![rest.clone(), format!("{rest}/index.html")]
        };
        let Some(file) = candidates
            .into_iter()
            .find(|c| self.files.contains(c.as_str()))
        else {
            let known = self.files.iter().copied();
            return Err(format!(
                "`{href}` leads to no page or static file of the site (looked for {}{rest}){}",
                self.base.path(),
                suggestion(&rest, known)
            ));
        };
        let fragment = url
            .fragment()
            .map(|f| percent_decode_str(f).decode_utf8_lossy().into_owned())
            .unwrap_or_default();
        if let Some(scan) = self.scans.get(file.as_str())
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

    /// Links in each release's Markdown and its attachments, reported at their line in the
    /// release's file.
    fn check_sources(&mut self, root: &Path) -> Vec<SourceError> {
        let mut errors = Vec::new();
        let mut checked: HashMap<String, HashSet<String>> = HashMap::new();
        for id in 0..self.site.releases.len() {
            let release = &self.site.releases[id];
            let page = output_file(&self.urls.release(id));
            let source = &release.location.source;
            // Through the load stage's reader: the file may have been swapped for a pipe.
            let text = read::read_regular(&root.join(source), source, read::Limit::Text)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .unwrap_or_default();
            let body_start = front_matter::split(&text).map_or(0, |s| s.body.start);
            let seen = checked.entry(page.clone()).or_default();
            for link in &release.body.links {
                seen.insert(link.url.clone());
                if let Err(message) = self.resolve(&page, &link.url) {
                    errors.push(SourceError::at_offset(
                        source,
                        &text,
                        body_start + link.offset,
                        format!("broken link: {message}"),
                    ));
                }
            }
            errors.extend(self.check_attachments(id, seen));
        }
        self.checked_at_source = checked;
        errors
    }

    fn check_attachments(&self, id: ReleaseId, seen: &mut HashSet<String>) -> Vec<SourceError> {
        let release = &self.site.releases[id];
        let mut errors = Vec::new();
        for attachment in &release.attachments {
            let path = attachment.file.trim_start_matches('/');
            seen.insert(self.urls.link(path));
            if self.files.contains(path) {
                continue;
            }
            let statics = self.site.static_files.iter().map(|f| f.path.as_str());
            let (line, column) = attachment.file_at;
            errors.push(SourceError::new(
                &release.location.source,
                line,
                column,
                format!(
                    "attachment `{}` is not in {STATIC_DIR}/: put the file at {STATIC_DIR}/{path}{}",
                    attachment.file,
                    suggestion(path, statics)
                ),
            ));
        }
        errors
    }

    /// Links of every rendered page not already checked at their source. A broken link that a
    /// template puts on many pages is reported once, at its first page, with a count.
    fn check_rendered_links(&self) -> Vec<SourceError> {
        let mut broken: BTreeMap<String, (SourceError, usize)> = BTreeMap::new();
        let no_urls = HashSet::new();
        for (&file, scan) in &self.scans {
            let seen = self.checked_at_source.get(file).unwrap_or(&no_urls);
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
        match self.pages.get(file) {
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
                Path::new(STATIC_DIR).join(file),
                line,
                1,
                format!("broken link: {message}"),
            ),
        }
    }

    /// Every page that names itself as a language version must be named back by each version
    /// it names; search engines ignore one-way alternates. A page that names itself only as
    /// `x-default` (the root, which chooses a language) is a chooser, not a version.
    fn check_hreflang(&self) -> Vec<SourceError> {
        let versions = |file: &str| -> Vec<(&html::HtmlAlternate, String)> {
            let page_url = self.url_of(file);
            self.scans[file]
                .alternates
                .iter()
                .filter(|a| !a.hreflang.eq_ignore_ascii_case("x-default"))
                .filter_map(|a| page_url.join(&a.href).ok().map(|u| (a, u.to_string())))
                .collect()
        };
        let mut errors = Vec::new();
        for &file in self.scans.keys().filter(|f| self.pages.contains_key(**f)) {
            let own = self.url_of(file).to_string();
            let mine = versions(file);
            if !mine.iter().any(|(_, url)| *url == own) {
                continue;
            }
            for (alternate, url) in mine.iter().filter(|(_, url)| *url != own) {
                let Ok(Target::File(target)) = self.resolve(file, &alternate.href) else {
                    continue; // Leads elsewhere, or reported as a broken link.
                };
                if !self.scans.contains_key(target.as_str())
                    || versions(&target).iter().any(|(_, back)| *back == own)
                {
                    continue;
                }
                errors.push(SourceError::new(
                    file,
                    alternate.line,
                    1,
                    format!(
                        "one-way hreflang: this page names {url} as its `{}` version, but that page does not name this one ({own}) back{}",
                        alternate.hreflang,
                        self.pages
                            .get(target.as_str())
                            .map(|p| format!(" (check {TEMPLATES_DIR}/{} and base.html)", p.template()))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        errors
    }
}

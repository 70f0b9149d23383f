//! `communique check`: everything `build` validates, on the rendered site in memory and without
//! writing anything, reading every page (`build` reads only those its links need): every
//! internal link and `#anchor` leads to a page or static file under the base path, hreflang
//! alternates are reciprocal, and attachments exist in static/. Releases missing a translation
//! and main menus in different orders are warnings, returned as data for `main.rs` to show.

pub mod html;
pub mod links;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::LoadOptions;
use crate::error::{SourceError, SourceWarning, escape_controls};
use crate::model::Site;
use crate::render;
use html::PageScan;
use links::{Links, Reading};

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
/// back as `Err(Error::Site)`, like `build`; what only `check` looks at is in the report.
pub fn check(root: &Path) -> crate::error::Result<CheckReport> {
    let site = crate::load::load(root, &LoadOptions::default())?;
    let prepared = render::prepared::Prepared::new(&site);
    let files = render::render(&site, &prepared, render::sitemap::MAX_URLS, |file| file)?;
    let links = Links::new(&site, Reading::Everything)?;
    let scans: BTreeMap<String, PageScan> = files
        .par_iter()
        .filter(|f| links.wants(&f.path))
        .map(|f| (f.path.clone(), Links::read(&f.bytes)))
        .collect();
    let paths: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut errors = links.check(&paths, &scans);
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

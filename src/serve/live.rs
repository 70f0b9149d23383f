//! The site `serve` keeps in memory, and how each kind of change rebuilds it: the model, the
//! Tera, every page's context as last rendered, and the built files. A page is re-rendered
//! when its context (everything it shows) differs from the one it was last rendered with, so
//! which pages a change touches is derived from the model, never listed by hand.
//!
//! The common edit, existing releases changed in what they show but not in where they are
//! listed, takes a quicker path: only those files are read again, and only the pages that show
//! them (`pages::showing`, derived from the model's lists) are rendered.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::Release;
use crate::model::ReleaseId;
use crate::render::Derived;
use crate::render::prepared::Prepared;

use axum::body::Bytes;
use rayon::prelude::*;

use super::watch::Rebuild;
use crate::content::{self, LoadOptions, STATIC_DIR, SiteFile, TEMPLATES_DIR};
use crate::error::{Error, SourceWarning};
use crate::model::Site;
use crate::output::OutputFile;
use crate::read::{self, Limit, Problems, SiteRoot};
use crate::render::templates::SiteTemplates;
use crate::render::{self, PageInput, pages, views::Shared};

/// The site as served at one moment: the last good build, and the errors of the last rebuild
/// when it failed.
#[derive(Debug)]
pub struct Snapshot {
    /// Counts good builds; a page from an older one reloads.
    pub version: u64,
    pub files: Arc<Files>,
    /// `path:line:column: error: message` lines; empty when the last rebuild succeeded.
    pub errors: Vec<String>,
}

/// The built site as served: output path (`ko/index.html`) to bytes.
pub type Files = HashMap<String, Bytes>;

pub struct LiveSite {
    root: PathBuf,
    /// The same folder, for reading files again by the load stage's rules.
    site_root: SiteRoot,
    load: LoadOptions,
    site: Site,
    /// The values every page shares, made from `site`.
    prepared: Prepared,
    templates: SiteTemplates,
    /// Per output path: the context its page was last rendered with.
    contexts: HashMap<String, PageInput>,
    files: Files,
    /// The last rebuild failed and may have left a half-updated model: rebuild all next time.
    needs_full: bool,
    /// Languages whose search index a quick rebuild left behind the pages:
    /// [`LiveSite::catch_up`] remakes them after the pages are served, since that takes far
    /// longer than the pages do.
    search_behind: Vec<usize>,
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    pub pages_rendered: usize,
    pub files_changed: usize,
    pub files: usize,
    /// Only the edited releases were read again and their pages rendered (the quick path).
    pub quick: bool,
}

impl LiveSite {
    /// Load and render the whole site, through the same pipeline as `build`.
    pub fn build(root: &Path, load: &LoadOptions) -> crate::error::Result<LiveSite> {
        let site = crate::load::load(root, load)?;
        let templates = render::site_templates(&site.templates)?;
        let prepared = Prepared::new(&site);
        // All that `render::render` makes, not the pages alone, so serve shows whatever build makes.
        let built = render::render(&site, &prepared, render::sitemap::MAX_URLS, |file| file)?;
        let contexts = page_inputs(&Shared::new(&site, &prepared));
        Ok(LiveSite {
            root: root.to_path_buf(),
            site_root: SiteRoot::new(root)?,
            load: load.clone(),
            site,
            prepared,
            templates,
            contexts,
            files: to_files(built).collect(),
            needs_full: false,
            search_behind: Vec::new(),
        })
    }

    /// The site as last built.
    pub fn site(&self) -> &Site {
        &self.site
    }

    pub fn files(&self) -> &Files {
        &self.files
    }

    /// Remake what a quick rebuild left behind (the search index), once its pages are served.
    /// Returns how many files changed, or `None` when nothing was behind.
    pub fn catch_up(&mut self) -> Option<usize> {
        let behind = std::mem::take(&mut self.search_behind);
        if behind.is_empty() {
            return None;
        }
        let shared = Shared::new(&self.site, &self.prepared);
        let made: Vec<(String, Vec<OutputFile>)> = behind
            .iter()
            .map(|&lang| {
                let dir = crate::search::index_dir(&self.site.config.languages[lang].code);
                let files = crate::search::language_files(&self.site, &shared.urls, lang);
                (dir, files)
            })
            .collect();
        let mut changed = 0;
        for (dir, made) in made {
            // The index may now have another number of shards: drop the old files first.
            let kept: HashSet<&str> = made.iter().map(|f| f.path.as_str()).collect();
            let stale: Vec<String> = self
                .files
                .keys()
                .filter(|path| path.starts_with(&dir) && !kept.contains(path.as_str()))
                .cloned()
                .collect();
            for path in &stale {
                self.files.remove(path);
            }
            changed += stale.len() + self.replace_files(made);
        }
        Some(changed)
    }

    /// Put `made` in place of the files at their paths; how many changed.
    fn replace_files(&mut self, made: Vec<OutputFile>) -> usize {
        let mut changed = 0;
        for (path, bytes) in to_files(made) {
            if self.files.get(&path) != Some(&bytes) {
                changed += 1;
            }
            self.files.insert(path, bytes);
        }
        changed
    }

    /// Rebuild for a change. On error the site served stays as it was.
    pub fn rebuild(&mut self, rebuild: &Rebuild) -> crate::error::Result<Rebuilt> {
        let rebuild = if self.needs_full {
            &Rebuild::Full
        } else {
            rebuild
        };
        self.needs_full = true;
        let rebuilt = match rebuild {
            Rebuild::Full => {
                let before = self.files.clone();
                *self = LiveSite::build(&self.root, &self.load)?;
                Rebuilt {
                    pages_rendered: self.contexts.len(),
                    files_changed: changed_count(&before, &self.files),
                    files: self.files.len(),
                    quick: false,
                }
            }
            Rebuild::Content(paths) => match self.edit_releases(paths)? {
                Some(rebuilt) => rebuilt,
                None => {
                    let site = crate::load::load(&self.root, &self.load)?;
                    self.update(Some(site), None, false)?
                }
            },
            Rebuild::Templates => {
                let mut problems = Problems::default();
                let sources = content::read_templates(&self.site_root, &mut problems);
                Error::if_any(problems.errors)?;
                let templates = render::site_templates(&sources)?;
                self.site.templates = sources;
                let templates_dir = Path::new(TEMPLATES_DIR);
                replace_warnings(&mut self.site.warnings, &[templates_dir], problems.warnings);
                self.update(None, Some(templates), true)?
            }
            Rebuild::Static(paths) => {
                self.reread_static(paths)?;
                self.update(None, None, false)?
            }
        };
        self.needs_full = false;
        if !rebuilt.quick {
            // Every slower path remakes the search index with the rest.
            self.search_behind.clear();
        }
        Ok(rebuilt)
    }

    /// Re-read the static files at `paths` (files or folders, relative to static/).
    fn reread_static(&mut self, paths: &[String]) -> crate::error::Result<()> {
        let mut problems = Problems::default();
        let mut reread = Vec::with_capacity(paths.len());
        for path in paths {
            let below = format!("{path}/");
            self.site
                .static_files
                .retain(|f| f.path != *path && !f.path.starts_with(&below));
            let relative = Path::new(STATIC_DIR).join(path);
            let full = self.root.join(&relative);
            if full.is_dir() {
                let files =
                    content::read_tree(&self.site_root, &relative, Limit::Static, &mut problems);
                self.site
                    .static_files
                    .extend(files.into_iter().map(|f| SiteFile {
                        path: format!("{path}/{}", f.path),
                        bytes: f.bytes,
                    }));
            } else if std::fs::symlink_metadata(&full).is_ok() {
                match read::read_path(&self.site_root, &relative, Limit::Static) {
                    Ok(bytes) => self.site.static_files.push(SiteFile {
                        path: path.clone(),
                        bytes,
                    }),
                    Err(unread) => problems.add(unread),
                }
            }
            reread.push(relative);
        }
        self.site.static_files.sort_by(|a, b| a.path.cmp(&b.path));
        Error::if_any(problems.errors)?;
        let reread: Vec<&Path> = reread.iter().map(PathBuf::as_path).collect();
        replace_warnings(&mut self.site.warnings, &reread, problems.warnings);
        Ok(())
    }

    /// Re-render the pages whose context changed (all of them with `all`), take the static
    /// files from the model, drop pages the site no longer has, then keep the new state.
    fn update(
        &mut self,
        site: Option<Site>,
        templates: Option<SiteTemplates>,
        all: bool,
    ) -> Result<Rebuilt, Error> {
        let model = site.as_ref().unwrap_or(&self.site);
        let renderer = templates.as_ref().unwrap_or(&self.templates);
        let prepared = Prepared::new(model);
        let shared = Shared::new(model, &prepared);
        let inputs = page_inputs(&shared);
        let stale: Vec<&PageInput> = inputs
            .values()
            .filter(|input| all || self.contexts.get(&input.path) != Some(*input))
            .collect();
        let pages = render::render_inputs(&stale, renderer)?;

        let pages_rendered = pages.len();
        let mut files: Files = self
            .files
            .iter()
            .filter(|(path, _)| inputs.contains_key(*path))
            .map(|(path, bytes)| (path.clone(), bytes.clone()))
            .collect();
        files.extend(to_files(pages));
        // Feeds and the sitemap are made from the whole site, and cheaply: made anew each time.
        let all_pages = pages::all(model);
        let derived = render::derived_files(&shared, &all_pages, render::sitemap::MAX_URLS);
        files.extend(to_files(derived));
        // Unchanged static files keep their bytes; only a changed one is copied.
        for (path, bytes) in render::static_sources(model) {
            let kept = self.files.get(path).filter(|old| old.as_ref() == bytes);
            let bytes = kept
                .cloned()
                .unwrap_or_else(|| Bytes::copy_from_slice(bytes));
            files.insert(path.to_string(), bytes);
        }
        let files_changed = changed_count(&self.files, &files);

        if let Some(site) = site {
            self.site = site;
        }
        self.prepared = prepared;
        if let Some(templates) = templates {
            self.templates = templates;
        }
        self.contexts = inputs;
        self.files = files;
        Ok(Rebuilt {
            pages_rendered,
            files_changed,
            files: self.files.len(),
            quick: false,
        })
    }
}

impl LiveSite {
    /// The quick path for `paths` when each is an existing release's file whose new version
    /// stays where the old one was listed ([`same_place`]): swap the releases in the model, and
    /// render the pages that show them and the derived files they change. `None` when the
    /// change is anything else (or a file no longer parses): the full content rebuild decides.
    fn edit_releases(&mut self, paths: &[String]) -> Result<Option<Rebuilt>, Error> {
        let mut edits: Vec<(ReleaseId, Release)> = Vec::with_capacity(paths.len());
        for path in paths {
            let path = Path::new(path);
            let found = self
                .site
                .releases
                .iter()
                .position(|r| r.location.source == path);
            let Some(id) = found else { return Ok(None) };
            let old = &self.site.releases[id];
            let reloaded =
                content::reload_release(&self.site_root, old.location.clone(), &self.site.config);
            match reloaded {
                Ok(new) if same_place(old, &new) => edits.push((id, new)),
                _ => return Ok(None),
            }
        }

        let mut kinds: Vec<Derived> = Vec::new();
        let mut pages: Vec<pages::Page> = Vec::new();
        for (id, new) in edits {
            let old = std::mem::replace(&mut self.site.releases[id], new);
            let new = &self.site.releases[id];
            for kind in Derived::ALL {
                if kind == Derived::Search && kind.shows_release_edit(&old, new) {
                    if !self.search_behind.contains(&new.location.lang) {
                        self.search_behind.push(new.location.lang);
                    }
                } else if kind.shows_release_edit(&old, new) && !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            self.prepared.update_release(&self.site, id);
            for page in pages::showing(&self.site, id) {
                if !pages.contains(&page) {
                    pages.push(page);
                }
            }
        }

        let shared = Shared::new(&self.site, &self.prepared);
        let inputs: Vec<PageInput> = pages
            .par_iter()
            .map(|&page| PageInput::new(&shared, page))
            .collect();
        let mut made = render::render_inputs(&inputs.iter().collect::<Vec<_>>(), &self.templates)?;
        let pages_rendered = made.len();
        let all_pages = pages::all(&self.site);
        for kind in kinds {
            made.extend(kind.files(&shared, &all_pages, render::sitemap::MAX_URLS));
        }

        let files_changed = self.replace_files(made);
        for input in inputs {
            self.contexts.insert(input.path.clone(), input);
        }
        Ok(Some(Rebuilt {
            pages_rendered,
            files_changed,
            files: self.files.len(),
            quick: true,
        }))
    }
}

/// Whether `new` is listed where `old` was: same file, date, topics, translation and draft
/// state. Everything else (title, body, summary, place, number, attachments, updated, extra)
/// changes what pages show, not which pages show it.
fn same_place(old: &Release, new: &Release) -> bool {
    old.location.source == new.location.source
        && old.date == new.date
        && old.topics == new.topics
        && old.translation_key == new.translation_key
        && old.draft == new.draft
}

/// The warnings about files below `read` (files or folders read again) replaced by `found`.
fn replace_warnings(warnings: &mut Vec<SourceWarning>, read: &[&Path], found: Vec<SourceWarning>) {
    warnings.retain(|w| !read.iter().any(|path| w.path.starts_with(path)));
    warnings.extend(found);
    warnings.sort();
}

/// Every page of the site with what it shows, by output path.
fn page_inputs(shared: &Shared<'_>) -> HashMap<String, PageInput> {
    pages::all(shared.site)
        .into_par_iter()
        .map(|page| {
            let input = PageInput::new(shared, page);
            (input.path.clone(), input)
        })
        .collect()
}

fn to_files(files: Vec<OutputFile>) -> impl Iterator<Item = (String, Bytes)> {
    files.into_iter().map(|f| (f.path, Bytes::from(f.bytes)))
}

/// Files added, removed or with other bytes.
fn changed_count(before: &Files, after: &Files) -> usize {
    let changed_or_added = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .count();
    let removed = before.keys().filter(|p| !after.contains_key(*p)).count();
    changed_or_added + removed
}

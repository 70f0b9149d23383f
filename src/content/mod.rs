//! The load stage: read everything the site is made of from disk (config, releases, section
//! indexes, templates, static files) and check each file on its own. The only stage that reads.

pub mod front_matter;
pub mod release;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{self, Config};
use crate::error::{SiteErrors, SourceError};
use crate::markdown::MarkdownOptions;
pub use release::{Attachment, Location, Release, SectionIndex};

pub const CONTENT_DIR: &str = "content";
pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";

/// What `load` should do beyond reading the site as it is.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Replaces `base_url` of config.toml (`--base-url`, or the local address in `serve`).
    pub base_url: Option<String>,
    /// Keep releases marked `draft = true`.
    pub drafts: bool,
    /// Keep releases dated in the future (left out until their date has passed, so that an
    /// embargoed release is not published early).
    pub future: bool,
}

/// A release left out because its date has not come yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// Relative to the site root.
    pub source: PathBuf,
    pub date: jiff::ZonedDateTime,
}

/// A file of the site as read from disk, with its path relative to its folder (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Everything read from disk, each file checked on its own.
#[derive(Debug)]
pub struct LoadedSite {
    pub root: PathBuf,
    pub config: Config,
    /// Drafts and releases dated in the future already left out unless asked for.
    pub releases: Vec<Release>,
    /// The releases left out for their date, by date.
    pub scheduled: Vec<Scheduled>,
    pub section_indexes: Vec<SectionIndex>,
    /// `templates/` of the site: name (relative path) and text.
    pub templates: Vec<(String, String)>,
    /// `static/` of the site.
    pub static_files: Vec<SiteFile>,
}

/// Content files read and parsed in one go by one thread: about half a millisecond of work.
const FILES_PER_BATCH: usize = 32;

/// Read the site at `root`. Problems in its files come back as `SiteErrors`, all at once.
pub fn load(root: &Path, options: &LoadOptions) -> anyhow::Result<LoadedSite> {
    let mut config = config::load(root).map_err(site_errors)?;
    if let Some(url) = &options.base_url {
        config
            .set_base_url(url)
            .map_err(|message| site_errors(vec![SourceError::new("--base-url", 1, 1, message)]))?;
    }
    let markdown = MarkdownOptions {
        base_path: config.base_path().to_string(),
        unsafe_html: config.unsafe_html,
    };

    let mut errors = Vec::new();
    let files = content_files(root, &config, &mut errors)?;
    // In small batches, so that the thread done first can take some of the other's last
    // files: rayon would otherwise leave one thread to finish a long run alone.
    let loaded: Vec<Result<Loaded, Vec<SourceError>>> = files
        .into_par_iter()
        .with_max_len(FILES_PER_BATCH)
        .map(|file| load_file(root, file, &config, &markdown))
        .collect();

    // Sized once: a release is over 500 bytes, and a growing list copied them all again
    // into fresh memory at every doubling.
    let mut releases = Vec::with_capacity(loaded.len());
    let mut scheduled = Vec::new();
    let now = jiff::Timestamp::now();
    let mut section_indexes = Vec::new();
    for result in loaded {
        match result {
            Ok(Loaded::Release(release)) if release.draft && !options.drafts => {}
            Ok(Loaded::Release(release)) if release.date.timestamp() > now && !options.future => {
                scheduled.push(Scheduled {
                    source: release.location.source,
                    date: release.date,
                });
            }
            Ok(Loaded::Release(release)) => releases.push(*release),
            Ok(Loaded::Section(index)) => section_indexes.push(index),
            Err(file_errors) => errors.extend(file_errors),
        }
    }
    SiteErrors::check(errors)?;
    scheduled.sort_by(|a, b| (a.date.timestamp(), &a.source).cmp(&(b.date.timestamp(), &b.source)));

    Ok(LoadedSite {
        root: root.to_path_buf(),
        config,
        releases,
        scheduled,
        section_indexes,
        templates: read_templates(root)?,
        static_files: read_tree(&root.join(STATIC_DIR))?,
    })
}

fn site_errors(errors: Vec<SourceError>) -> anyhow::Error {
    SiteErrors::check(errors)
        .expect_err("called with errors")
        .into()
}

enum Loaded {
    Release(Box<Release>),
    Section(SectionIndex),
}

struct ContentFile {
    location: Location,
    full_path: PathBuf,
}

/// Every `.md` file under `content/<lang>/`, with its place; misplaced files and bad names
/// become errors.
fn content_files(
    root: &Path,
    config: &Config,
    errors: &mut Vec<SourceError>,
) -> anyhow::Result<Vec<ContentFile>> {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        return Ok(Vec::new());
    }
    let mut language_dirs = Vec::new();
    for entry in
        std::fs::read_dir(&content).with_context(|| format!("cannot read {}", content.display()))?
    {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let relative = Path::new(CONTENT_DIR).join(&name);
        match config.language_index(&name) {
            Some(lang) if entry.file_type()?.is_dir() => language_dirs.push((lang, relative)),
            _ => {
                let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
                errors.push(SourceError::new(
                    relative,
                    1,
                    1,
                    format!(
                        "content/ holds one folder per language of config.toml ({}); `{name}` is not one",
                        codes.join(", ")
                    ),
                ));
            }
        }
    }
    // The languages are walked at the same time: a walk waits on the file system, and at
    // 10,000 releases per language it is 30 ms that nothing else overlaps.
    let walked = language_dirs
        .into_par_iter()
        .map(|(lang, dir)| {
            let (mut files, mut errors) = (Vec::new(), Vec::new());
            walk_language(root, lang, &dir, &mut files, &mut errors).map(|()| (files, errors))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut files = Vec::new();
    for (language_files, language_errors) in walked {
        files.extend(language_files);
        errors.extend(language_errors);
    }
    Ok(files)
}

fn walk_language(
    root: &Path,
    lang: usize,
    language_dir: &Path,
    files: &mut Vec<ContentFile>,
    errors: &mut Vec<SourceError>,
) -> anyhow::Result<()> {
    let walker = WalkDir::new(root.join(language_dir))
        .min_depth(1)
        .sort_by(by_name)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.context("cannot read the content folder")?;
        let full_path = entry.path().to_path_buf();
        let relative = full_path
            .strip_prefix(root)
            .unwrap_or(&full_path)
            .to_path_buf();
        let Some(stem) = relative.file_name().and_then(|n| n.to_str()) else {
            errors.push(SourceError::new(
                &relative,
                1,
                1,
                "file name is not valid UTF-8",
            ));
            continue;
        };
        let stem = stem.to_string();
        if entry.file_type().is_dir() {
            if !release::valid_name(&stem) {
                errors.push(SourceError::new(
                    &relative,
                    1,
                    1,
                    format!(
                        "folder name `{stem}` is not a URL segment (lowercase a-z, 0-9, `-`, `_`, `.`): rename it `{}`",
                        release::propose_name(&stem)
                    ),
                ));
            }
            continue;
        }
        let Some(name) = stem.strip_suffix(".md") else {
            continue; // Only Markdown is content; images and PDFs belong in static/.
        };
        let folders: Vec<String> = relative
            .parent()
            .and_then(|p| p.strip_prefix(language_dir).ok())
            .map(|p| p.iter().map(|s| s.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        if name != "_index" && !release::valid_name(name) {
            errors.push(SourceError::new(
                &relative,
                1,
                1,
                format!(
                    "file name `{stem}` is not a URL segment (lowercase a-z, 0-9, `-`, `_`, `.`): rename it `{}.md`",
                    release::propose_name(name)
                ),
            ));
            continue;
        }
        if folders.is_empty() {
            errors.push(SourceError::new(
                &relative,
                1,
                1,
                "a release belongs in a section folder, like content/<lang>/press-releases/",
            ));
            continue;
        }
        files.push(ContentFile {
            location: Location {
                source: relative,
                lang,
                folders,
                name: name.to_string(),
            },
            full_path,
        });
    }
    Ok(())
}

fn load_file(
    root: &Path,
    file: ContentFile,
    config: &Config,
    markdown: &MarkdownOptions,
) -> Result<Loaded, Vec<SourceError>> {
    let path = file.location.source.clone();
    let bytes = std::fs::read(&file.full_path)
        .map_err(|e| vec![SourceError::new(&path, 1, 1, format!("cannot read: {e}"))])?;
    // Checked with SIMD: std's check goes character by character through Korean text, and
    // every release is read.
    let text = simdutf8::basic::from_utf8(&bytes)
        .map_err(|_| vec![SourceError::new(&path, 1, 1, "the file is not UTF-8 text")])?;
    debug_assert!(root.join(&path).exists());
    if file.location.name == "_index" {
        let Location { lang, folders, .. } = file.location;
        release::parse_section_index(&path, lang, folders, text, markdown).map(Loaded::Section)
    } else {
        release::parse_release(file.location, text, config, markdown)
            .map(|r| Loaded::Release(Box::new(r)))
    }
}

/// Read one release's file again, at a place already known: `serve`'s quick path when only
/// that file changed. Drafts come back too; the caller decides what a draft means.
pub fn reload_release(
    root: &Path,
    location: Location,
    config: &Config,
) -> Result<Release, Vec<SourceError>> {
    let markdown = MarkdownOptions {
        base_path: config.base_path().to_string(),
        unsafe_html: config.unsafe_html,
    };
    let source = location.source.clone();
    let full_path = root.join(&source);
    match load_file(
        root,
        ContentFile {
            location,
            full_path,
        },
        config,
        &markdown,
    )? {
        Loaded::Release(release) => Ok(*release),
        Loaded::Section(_) => Err(vec![SourceError::new(
            source,
            1,
            1,
            "a section index is not a release",
        )]),
    }
}

/// The site's own templates, named by their path under `templates/`.
pub fn read_templates(root: &Path) -> anyhow::Result<Vec<(String, String)>> {
    read_tree(&root.join(TEMPLATES_DIR))?
        .into_iter()
        .filter(|f| !f.path.ends_with(".toml"))
        .map(|f| {
            let text = String::from_utf8(f.bytes)
                .map_err(|_| anyhow::anyhow!("templates/{} is not UTF-8 text", f.path))?;
            Ok((f.path, text))
        })
        .collect()
}

/// Entries of one folder in file-name order. They share their folder, so their whole paths
/// compare as their names do; walkdir's `sort_by_file_name` takes each name out of its path
/// at every comparison (half a percent of a build's instructions).
fn by_name(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> std::cmp::Ordering {
    a.path().as_os_str().cmp(b.path().as_os_str())
}

/// Every file below `dir` (none if it does not exist), hidden ones left out.
pub fn read_tree(dir: &Path) -> anyhow::Result<Vec<SiteFile>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths = Vec::new();
    let walker = WalkDir::new(dir)
        .min_depth(1)
        .sort_by(by_name)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if entry.file_type().is_file() {
            paths.push(entry.into_path());
        }
    }
    paths
        .into_par_iter()
        .map(|full| {
            let bytes =
                std::fs::read(&full).with_context(|| format!("cannot read {}", full.display()))?;
            let relative = full.strip_prefix(dir).expect("walked below dir");
            let path = relative
                .iter()
                .map(|s| s.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Ok(SiteFile { path, bytes })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_in_the_order_of_their_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "b", "a.md", "b.md", "a", "B", "가나", "10", "9", "a-b", "a b",
        ];
        for name in names {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join("x.md"), "").unwrap();
            std::fs::write(dir.path().join(name).join("X.md"), "").unwrap();
        }
        let order = |walker: WalkDir| -> Vec<PathBuf> {
            walker.into_iter().map(|e| e.unwrap().into_path()).collect()
        };
        let by_walkdir = order(WalkDir::new(dir.path()).sort_by_file_name());
        let ours = order(WalkDir::new(dir.path()).sort_by(by_name));
        assert_eq!(ours.len(), 1 + 3 * names.len());
        assert_eq!(ours, by_walkdir);
    }
}

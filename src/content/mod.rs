//! The load stage: read everything the site is made of from disk (config, releases, section
//! indexes, templates, static files) and check each file on its own. The only stage that reads.

pub mod front_matter;
pub mod release;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;

use crate::config::{self, Config};
use crate::error::{Error, SourceError, SourceWarning};
use crate::markdown::MarkdownOptions;
use crate::read::{self, Limit, Problems, SiteRoot, Unread};
pub use release::{Location, Release, SectionIndex};

pub use crate::read::{CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};

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
    /// Files skipped (not regular files, link cycles), by path.
    pub warnings: Vec<SourceWarning>,
}

/// Content files read and parsed in one go by one thread: about half a millisecond of work.
const FILES_PER_BATCH: usize = 32;

/// Read the site at `root`. Problems in its files come back as `Error::Site`, all at once;
/// files skipped come back as the site's `warnings`.
pub fn load(root: &Path, options: &LoadOptions) -> crate::error::Result<LoadedSite> {
    let site = SiteRoot::new(root)?;
    let mut config = config::load(&site).map_err(Error::from)?;
    if let Some(url) = &options.base_url {
        config
            .set_base_url(url)
            .map_err(|message| Error::from(vec![SourceError::new("--base-url", 1, 1, message)]))?;
    }
    let markdown = MarkdownOptions {
        base_path: config.base_path().to_string(),
        unsafe_html: config.unsafe_html,
    };

    let mut problems = Problems::default();
    let files = content_files(&site, &config, &mut problems)?;
    // In small batches, so that the thread done first can take some of the other's last
    // files: rayon would otherwise leave one thread to finish a long run alone.
    let loaded: Vec<Result<Loaded, Vec<SourceError>>> = files
        .into_par_iter()
        .with_max_len(FILES_PER_BATCH)
        .map(|file| load_file(&file.full_path, file.location, &config, &markdown))
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
            Ok(Loaded::Skipped(warning)) => problems.warnings.push(warning),
            Err(file_errors) => problems.errors.extend(file_errors),
        }
    }
    let templates = read_templates(&site, &mut problems);
    let static_files = read_tree(&site, Path::new(STATIC_DIR), Limit::Static, &mut problems);
    Error::if_any(problems.errors)?;
    scheduled.sort_by(|a, b| (a.date.timestamp(), &a.source).cmp(&(b.date.timestamp(), &b.source)));
    let mut warnings = problems.warnings;
    warnings.sort();

    Ok(LoadedSite {
        root: root.to_path_buf(),
        config,
        releases,
        scheduled,
        section_indexes,
        templates,
        static_files,
        warnings,
    })
}

enum Loaded {
    Release(Box<Release>),
    Section(SectionIndex),
    /// Not a regular file once opened (it was, when listed).
    Skipped(SourceWarning),
}

struct ContentFile {
    location: Location,
    full_path: PathBuf,
}

/// Every `.md` file under `content/<lang>/`, with its place; misplaced files and bad names
/// become errors, files that are not regular warnings.
fn content_files(
    site: &SiteRoot,
    config: &Config,
    problems: &mut Problems,
) -> anyhow::Result<Vec<ContentFile>> {
    let content = site.path().join(CONTENT_DIR);
    if let Err(error) = site.check_path(Path::new(CONTENT_DIR)) {
        problems.errors.push(error);
        return Ok(Vec::new());
    }
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
        let is_dir = if entry.file_type()?.is_symlink() {
            // A link counts as the folder it leads to, when that is inside the site.
            if let Err(error) = site.check_link(&entry.path()) {
                problems.errors.push(error);
                continue;
            }
            entry.path().is_dir()
        } else {
            entry.file_type()?.is_dir()
        };
        match config.language_index(&name) {
            Some(lang) if is_dir => language_dirs.push((lang, relative)),
            _ => {
                let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
                problems.errors.push(SourceError::new(
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
    // The languages are walked at the same time: a walk waits on the file system, and
    // nothing else would overlap that wait.
    let walked: Vec<(Vec<ContentFile>, Problems)> = language_dirs
        .into_par_iter()
        .map(|(lang, dir)| walk_language(site, lang, &dir))
        .collect();
    let mut files = Vec::new();
    for (language_files, language_problems) in walked {
        files.extend(language_files);
        problems.extend(language_problems);
    }
    Ok(files)
}

fn walk_language(
    site: &SiteRoot,
    lang: usize,
    language_dir: &Path,
) -> (Vec<ContentFile>, Problems) {
    let (mut files, mut problems) = (Vec::new(), Problems::default());
    for entry in site.walk(language_dir) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(unread) => {
                problems.add(unread);
                continue;
            }
        };
        let relative = site.relative(entry.path()).to_path_buf();
        let Some(stem) = relative.file_name().and_then(|n| n.to_str()) else {
            problems.errors.push(SourceError::new(
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
                problems.errors.push(SourceError::new(
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
            problems.errors.push(SourceError::new(
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
        if !entry.file_type().is_file() {
            problems.add(read::skipped(&relative, entry.file_type()));
            continue;
        }
        if folders.is_empty() {
            problems.errors.push(SourceError::new(
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
            full_path: entry.into_path(),
        });
    }
    (files, problems)
}

/// Parse the content file at `full_path`, already found to be a regular file inside the site.
fn load_file(
    full_path: &Path,
    location: Location,
    config: &Config,
    markdown: &MarkdownOptions,
) -> Result<Loaded, Vec<SourceError>> {
    match read::read_regular(full_path, &location.source, Limit::Text) {
        Ok(bytes) => parse_file(&bytes, location, config, markdown),
        Err(Unread::Skipped(warning)) => Ok(Loaded::Skipped(warning)),
        Err(Unread::Error(error)) => Err(vec![error]),
    }
}

fn parse_file(
    bytes: &[u8],
    location: Location,
    config: &Config,
    markdown: &MarkdownOptions,
) -> Result<Loaded, Vec<SourceError>> {
    let path = &location.source;
    let text = std::str::from_utf8(bytes)
        .map_err(|_| vec![SourceError::new(path, 1, 1, "the file is not UTF-8 text")])?;
    if location.name == "_index" {
        let Location {
            source,
            lang,
            folders,
            ..
        } = location;
        release::parse_section_index(&source, lang, folders, text, markdown).map(Loaded::Section)
    } else {
        release::parse_release(location, text, config, markdown)
            .map(|r| Loaded::Release(Box::new(r)))
    }
}

/// Read one release's file again, at a place already known: `serve`'s quick path when only
/// that file changed. Drafts come back too; the caller decides what a draft means.
pub fn reload_release(
    site: &SiteRoot,
    location: Location,
    config: &Config,
) -> Result<Release, Vec<SourceError>> {
    let markdown = MarkdownOptions {
        base_path: config.base_path().to_string(),
        unsafe_html: config.unsafe_html,
    };
    let source = location.source.clone();
    let bytes = match read::read_path(site, &source, Limit::Text) {
        Ok(bytes) => bytes,
        Err(Unread::Error(error)) => return Err(vec![error]),
        Err(Unread::Skipped(warning)) => {
            return Err(vec![SourceError::new(warning.path, 1, 1, warning.message)]);
        }
    };
    match parse_file(&bytes, location, config, &markdown)? {
        Loaded::Release(release) => Ok(*release),
        Loaded::Section(_) | Loaded::Skipped(_) => Err(vec![SourceError::new(
            source,
            1,
            1,
            "a section index is not a release",
        )]),
    }
}

/// The site's own templates, named by their path under `templates/`.
pub fn read_templates(site: &SiteRoot, problems: &mut Problems) -> Vec<(String, String)> {
    let files = read_tree(site, Path::new(TEMPLATES_DIR), Limit::Text, problems);
    files
        .into_iter()
        .filter(|f| !f.path.ends_with(".toml"))
        .filter_map(|f| match String::from_utf8(f.bytes) {
            Ok(text) => Some((f.path, text)),
            Err(_) => {
                let path = Path::new(TEMPLATES_DIR).join(&f.path);
                problems
                    .errors
                    .push(SourceError::new(path, 1, 1, "the file is not UTF-8 text"));
                None
            }
        })
        .collect()
}

/// Every file below `dir` (a folder of the site, relative to its root; none if it does not
/// exist), hidden ones left out, each of at most `limit` bytes, named by its path below `dir`.
pub fn read_tree(
    site: &SiteRoot,
    dir: &Path,
    limit: Limit,
    problems: &mut Problems,
) -> Vec<SiteFile> {
    let mut entries = Vec::new();
    for entry in site.walk(dir) {
        match entry {
            Ok(entry) if entry.file_type().is_dir() => {}
            Ok(entry) if entry.file_type().is_file() => entries.push(entry),
            Ok(entry) => problems.add(read::skipped(
                site.relative(entry.path()),
                entry.file_type(),
            )),
            Err(unread) => problems.add(unread),
        }
    }
    let below = site.path().join(dir);
    let read: Vec<Result<SiteFile, Unread>> = entries
        .into_par_iter()
        .map(|entry| {
            let bytes = read::read_entry(site, &entry, limit)?;
            let relative = entry.path().strip_prefix(&below).expect("walked below dir");
            let path = relative
                .iter()
                .map(|s| s.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Ok(SiteFile { path, bytes })
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(file) => files.push(file),
            Err(unread) => problems.add(unread),
        }
    }
    files
}

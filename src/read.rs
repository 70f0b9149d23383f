//! The one way the site's files are read (config.toml, content/, templates/, static/), by one
//! rule for all of them:
//!
//! - Only regular files are read, each up to a size limit. A named pipe, a device or a socket
//!   is skipped with a warning: opening a pipe waits for a writer that never comes, and a
//!   device can be endless. A file over its limit is an error at its path.
//! - A symbolic link is followed when where it leads (resolved) is inside the site's folder,
//!   and not in a hidden part of it (`.git`): it then counts as the file or folder it points
//!   to. A link leading anywhere else is an error naming the link and its target, and nothing
//!   there is read. A link back to a folder it is in is skipped with a warning.

use std::fs::{self, File};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use crate::error::{SourceError, SourceWarning};

/// The site's folders, under its root.
pub const CONTENT_DIR: &str = "content";
pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";

/// What a file is read for, which sets how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// config.toml, a release, a template: parsed whole.
    Text,
    /// A file of static/ (PDFs, photos): held in memory until it is written.
    Static,
}

impl Limit {
    /// The most bytes a file of this kind may hold. A release is tens of kilobytes; a static
    /// file stays within what hosts such as GitHub Pages accept for one file.
    pub const fn bytes(self) -> u64 {
        match self {
            Limit::Text => 8 * MIB,
            Limit::Static => 100 * MIB,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Limit::Text => "config.toml, a release or a template",
            Limit::Static => "a static file",
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Not a regular file, or a link back to a folder it is in: left out, with a warning.
    Skipped(SourceWarning),
    /// Over its size limit, a link leading outside the site, unreadable: the site has an error.
    Error(SourceError),
}

/// The errors and warnings met while reading the site, gathered across files.
#[derive(Debug, Default)]
pub struct Problems {
    pub errors: Vec<SourceError>,
    pub warnings: Vec<SourceWarning>,
}

impl Problems {
    pub fn add(&mut self, unread: Unread) {
        match unread {
            Unread::Skipped(warning) => self.warnings.push(warning),
            Unread::Error(error) => self.errors.push(error),
        }
    }

    pub fn extend(&mut self, other: Problems) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
    }
}

/// The site's folder, as given (paths in messages are relative to it) and resolved once (what
/// links are checked against).
#[derive(Debug, Clone)]
pub struct SiteRoot {
    path: PathBuf,
    resolved: PathBuf,
}

impl SiteRoot {
    pub fn new(root: &Path) -> anyhow::Result<SiteRoot> {
        let resolved = fs::canonicalize(root).map_err(|e| {
            anyhow::anyhow!("cannot open the site's folder {}: {e}", root.display())
        })?;
        Ok(SiteRoot {
            path: root.to_path_buf(),
            resolved,
        })
    }

    /// The folder as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `full` (a path below the root as given) relative to the root.
    pub fn relative<'p>(&self, full: &'p Path) -> &'p Path {
        full.strip_prefix(&self.path).unwrap_or(full)
    }

    /// Whether the symbolic link at `full` may be followed: an error (at the link) unless it
    /// leads to an existing place inside the site.
    pub fn check_link(&self, full: &Path) -> Result<(), SourceError> {
        let error = |message: String| SourceError::new(self.relative(full), 1, 1, message);
        let target = fs::canonicalize(full).map_err(|e| {
            let written = fs::read_link(full).unwrap_or_default();
            if e.kind() == std::io::ErrorKind::NotFound {
                error(format!(
                    "the symbolic link leads to `{}`, which does not exist",
                    written.display()
                ))
            } else {
                error(format!(
                    "cannot follow the symbolic link to `{}`: {e}",
                    written.display()
                ))
            }
        })?;
        let in_content = |path: &Path| path.starts_with(CONTENT_DIR);
        match target.strip_prefix(&self.resolved) {
            // From static/ or templates/, the sources themselves would be published (drafts and
            // embargoed releases with them). A link to a folder above content/ is a cycle.
            Ok(inside) if !in_content(self.relative(full)) && in_content(inside) => {
                Err(error(format!(
                    "the symbolic link leads to `{}`, in the site's content/: only links inside content/ may lead there, so that drafts are never published",
                    target.display()
                )))
            }
            Ok(inside) if !inside.iter().any(|part| is_hidden(part.as_encoded_bytes())) => Ok(()),
            Ok(_) => Err(error(format!(
                "the symbolic link leads to `{}`, a hidden folder of the site (or a file in one): links are followed only to what the site shows",
                target.display()
            ))),
            Err(_) => Err(error(format!(
                "the symbolic link leads to `{}`, outside the site's folder: links are followed only to files and folders inside it",
                target.display()
            ))),
        }
    }

    /// Every link on the way from the root to `relative` checked: for a file or folder read on
    /// its own, outside a walk. A path that does not exist passes (reading it says so), unless
    /// it is a link to nowhere.
    pub fn check_path(&self, relative: &Path) -> Result<(), SourceError> {
        let full = self.path.join(relative);
        match fs::canonicalize(&full) {
            // The common case: no link on the way.
            Ok(target) if target == self.resolved.join(relative) => Ok(()),
            Ok(_) => self.check_link(&full),
            Err(_) if fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) => {
                self.check_link(&full)
            }
            Err(_) => Ok(()),
        }
    }

    /// The entries below `relative` (a folder of the site), in file-name order, hidden ones
    /// left out, links followed by this module's rule. `relative` itself is checked first: an
    /// error when it is a link leading outside; no entries when it does not exist.
    pub fn walk(&self, relative: &Path) -> Walk<'_> {
        let dir = self.path.join(relative);
        let refused = self.check_path(relative).err();
        let entries = (refused.is_none() && dir.is_dir()).then(|| {
            WalkDir::new(&dir)
                .min_depth(1)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(not_hidden as fn(&DirEntry) -> bool)
        });
        Walk {
            site: self,
            refused,
            entries,
        }
    }
}

fn is_hidden(name: &[u8]) -> bool {
    name.starts_with(b".")
}

fn not_hidden(entry: &DirEntry) -> bool {
    !is_hidden(entry.file_name().as_encoded_bytes())
}

/// walkdir's walk with hidden entries left out.
type Entries = walkdir::FilterEntry<walkdir::IntoIter, fn(&DirEntry) -> bool>;

/// See [`SiteRoot::walk`]. Each item is an entry (a folder, a file, or something else, which
/// the caller skips with [`skipped`] if it wanted it) or what stood in the way.
pub struct Walk<'a> {
    site: &'a SiteRoot,
    refused: Option<SourceError>,
    entries: Option<Entries>,
}

impl Iterator for Walk<'_> {
    type Item = Result<DirEntry, Unread>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.refused.take() {
            return Some(Err(Unread::Error(error)));
        }
        let entries = self.entries.as_mut()?;
        loop {
            match entries.next()? {
                Ok(entry) => {
                    if entry.path_is_symlink()
                        && let Err(error) = self.site.check_link(entry.path())
                    {
                        if entry.file_type().is_dir() {
                            entries.skip_current_dir();
                        }
                        return Some(Err(Unread::Error(error)));
                    }
                    return Some(Ok(entry));
                }
                // Not filtered by name like the entries: editors' lock files (`.#x.md`) are
                // links to nowhere.
                Err(error)
                    if error
                        .path()
                        .and_then(Path::file_name)
                        .is_some_and(|name| is_hidden(name.as_encoded_bytes())) => {}
                Err(error) => return Some(Err(self.walk_error(&error))),
            }
        }
    }
}

impl Walk<'_> {
    fn walk_error(&self, error: &walkdir::Error) -> Unread {
        let full = error.path().unwrap_or(Path::new(""));
        let relative = self.site.relative(full);
        if let Some(ancestor) = error.loop_ancestor() {
            return Unread::Skipped(SourceWarning::new(
                relative,
                format!(
                    "skipped: the symbolic link leads back to {}, a folder it is in",
                    self.site.relative(ancestor).display()
                ),
            ));
        }
        // A link that cannot be followed (to nowhere, or to a folder that cannot be listed)
        // is reported as a link.
        if fs::symlink_metadata(full).is_ok_and(|m| m.file_type().is_symlink())
            && let Err(error) = self.site.check_link(full)
        {
            return Unread::Error(error);
        }
        let cause = error
            .io_error()
            .map_or_else(|| error.to_string(), ToString::to_string);
        Unread::Error(SourceError::new(
            relative,
            1,
            1,
            format!("cannot read: {cause}"),
        ))
    }
}

/// The warning for an entry that is not a regular file (nor a folder), said before it is
/// opened: opening a device can do something of its own.
pub fn skipped(relative: &Path, file_type: fs::FileType) -> Unread {
    Unread::Skipped(SourceWarning::new(
        relative,
        format!("skipped: not a regular file but {}", describe(file_type)),
    ))
}

#[cfg(unix)]
fn describe(file_type: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if file_type.is_fifo() {
        "a named pipe"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else {
        "something else"
    }
}

#[cfg(not(unix))]
fn describe(_: fs::FileType) -> &'static str {
    "something else"
}

/// Read a walked entry (a regular file, or a link to one) of at most `limit` bytes.
pub fn read_entry(site: &SiteRoot, entry: &DirEntry, limit: Limit) -> Result<Vec<u8>, Unread> {
    let relative = site.relative(entry.path());
    if !entry.file_type().is_file() {
        return Err(skipped(relative, entry.file_type()));
    }
    read_regular(entry.path(), relative, limit)
}

/// Read the file at `relative` on its own (config.toml, or a file `serve` reads again), every
/// link on its way checked.
pub fn read_path(site: &SiteRoot, relative: &Path, limit: Limit) -> Result<Vec<u8>, Unread> {
    site.check_path(relative).map_err(Unread::Error)?;
    let full = site.path.join(relative);
    match fs::metadata(&full) {
        Ok(metadata) if !metadata.is_file() => Err(skipped(relative, metadata.file_type())),
        Ok(_) => read_regular(&full, relative, limit),
        Err(e) => Err(cannot_read(relative, &e)),
    }
}

/// Read `full`, a regular file of at most `limit` bytes. Opened without waiting (a file
/// swapped for a named pipe since it was listed cannot block) and checked again once open;
/// the same system calls as `std::fs::read`.
pub fn read_regular(full: &Path, relative: &Path, limit: Limit) -> Result<Vec<u8>, Unread> {
    let file = open_without_waiting(full).map_err(|e| cannot_read(relative, &e))?;
    let metadata = file.metadata().map_err(|e| cannot_read(relative, &e))?;
    if !metadata.is_file() {
        return Err(skipped(relative, metadata.file_type()));
    }
    let too_large = |size: u64| {
        Unread::Error(SourceError::new(
            relative,
            1,
            1,
            format!(
                "the file is {:.1} MiB, over the limit of {} MiB for {}",
                size as f64 / MIB as f64,
                limit.bytes() / MIB,
                limit.what()
            ),
        ))
    };
    if metadata.len() > limit.bytes() {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // One byte more than the limit, to see a file that grew since.
    file.take(limit.bytes() + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(relative, &e))?;
    if bytes.len() as u64 > limit.bytes() {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn cannot_read(relative: &Path, error: &std::io::Error) -> Unread {
    Unread::Error(SourceError::new(
        relative,
        1,
        1,
        format!("cannot read: {error}"),
    ))
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt as _;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags((OFlags::NONBLOCK | OFlags::NOCTTY).bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn site() -> (tempfile::TempDir, SiteRoot) {
        let dir = tempfile::tempdir().unwrap();
        let site = SiteRoot::new(dir.path()).unwrap();
        (dir, site)
    }

    #[test]
    fn entries_come_in_the_order_of_their_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "b", "a.md", "b.md", "a", "B", "가나", "10", "9", "a-b", "a b",
        ];
        for name in names {
            fs::create_dir(dir.path().join(name)).unwrap();
            fs::write(dir.path().join(name).join("x.md"), "").unwrap();
            fs::write(dir.path().join(name).join("X.md"), "").unwrap();
        }
        let order = |walker: WalkDir| -> Vec<PathBuf> {
            walker.into_iter().map(|e| e.unwrap().into_path()).collect()
        };
        let by_walkdir = order(WalkDir::new(dir.path()).sort_by_file_name());
        assert_eq!(by_walkdir.len(), 1 + 3 * names.len());
        let site = SiteRoot::new(dir.path()).unwrap();
        let walked: Vec<PathBuf> = site
            .walk(Path::new(""))
            .map(|e| e.unwrap().into_path())
            .collect();
        assert_eq!(walked, by_walkdir[1..]);
    }

    #[test]
    fn reads_regular_files_within_their_limit() {
        let (dir, site) = site();
        fs::write(dir.path().join("a.md"), "text").unwrap();
        assert_eq!(
            read_path(&site, Path::new("a.md"), Limit::Text).unwrap(),
            b"text"
        );
        let big = File::create(dir.path().join("big.md")).unwrap();
        big.set_len(Limit::Text.bytes() + 1).unwrap();
        let Err(Unread::Error(error)) = read_path(&site, Path::new("big.md"), Limit::Text) else {
            panic!("over the limit");
        };
        assert_eq!(error.path, Path::new("big.md"));
        assert!(error.message.contains("over the limit of 8 MiB"), "{error}");
        // The same size is fine for a static file.
        assert!(read_path(&site, Path::new("big.md"), Limit::Static).is_ok());
    }

    #[test]
    fn a_named_pipe_is_skipped_without_waiting_even_when_opened() {
        let (dir, site) = site();
        let pipe = dir.path().join("pipe.md");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&pipe)
                .status()
                .unwrap()
                .success()
        );
        let expected = Unread::Skipped(SourceWarning::new(
            "pipe.md",
            "skipped: not a regular file but a named pipe",
        ));
        assert_eq!(
            read_path(&site, Path::new("pipe.md"), Limit::Text),
            Err(expected.clone())
        );
        // Opened directly, as when a listed file was swapped for a pipe: no wait either.
        assert_eq!(
            read_regular(&pipe, Path::new("pipe.md"), Limit::Text),
            Err(expected)
        );
    }

    #[test]
    fn links_are_followed_inside_the_site_only() {
        let (dir, site) = site();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), "secret").unwrap();
        fs::write(dir.path().join("real.md"), "real").unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        symlink("real.md", dir.path().join("inside.md")).unwrap();
        symlink(outside.path().join("secret"), dir.path().join("outside.md")).unwrap();
        symlink(".git", dir.path().join("git")).unwrap();
        symlink("nowhere", dir.path().join("broken.md")).unwrap();
        assert_eq!(
            read_path(&site, Path::new("inside.md"), Limit::Text).unwrap(),
            b"real"
        );
        for (name, says) in [
            ("outside.md", "outside the site's folder"),
            ("git", "a hidden folder of the site"),
            ("broken.md", "`nowhere`, which does not exist"),
        ] {
            let error = site.check_link(&dir.path().join(name)).unwrap_err();
            assert_eq!(error.path, Path::new(name));
            assert!(error.message.contains(says), "{error}");
        }
        assert!(matches!(
            read_path(&site, Path::new("outside.md"), Limit::Text),
            Err(Unread::Error(_))
        ));
    }
}

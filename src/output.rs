//! The write stage: put a rendered site on disk without ever losing a folder that is not ours.
//! Only files whose bytes changed are written (unchanged ones keep their modification time, so
//! rsync and `aws s3 sync` upload only what changed), and files the site no longer has are
//! removed. A marker file says the folder is communique's.
//!
//! `build` stages: each file is compared with the output as soon as it is rendered, a changed
//! one is written into a hidden staging folder inside the output, and only when every page has
//! rendered are the staged files moved into place. A failed build removes the staging folder
//! and leaves the output as it was, and no build holds the whole site in memory.

mod folders;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use walkdir::WalkDir;

use crate::content::{CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};
use crate::render::OutputFile;

/// Left in every output folder communique writes; its presence allows later builds to
/// replace the folder's content.
pub const MARKER: &str = ".communique-output";
const MARKER_TEXT: &str =
    "This folder is written by communique build; its files are replaced on each build.\n";

/// What a write did, for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Refuse an output folder that would destroy the site's sources or someone else's files.
/// `force` overrides only the last rule (a non-empty folder without our marker): a folder that
/// is or holds a site's sources is refused whatever the flags.
pub fn check_output_dir(root: &Path, output: &Path, force: bool) -> anyhow::Result<()> {
    let root = absolute(root)?;
    let output = absolute(output)?;
    if output == root {
        bail!(
            "the output folder {} is the site root: its files would be replaced; choose another with --output",
            output.display()
        );
    }
    if root.starts_with(&output) {
        bail!(
            "the output folder {} contains the site itself: its files would be replaced; choose another with --output",
            output.display()
        );
    }
    for source in [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR] {
        if output.starts_with(root.join(source)) {
            bail!(
                "the output folder {} is inside the site's {source}/ folder: the build would copy itself into the sources; choose another with --output",
                output.display()
            );
        }
        if output.join(source).is_dir() {
            bail!(
                "the output folder {} contains a {source}/ folder, so it looks like a site's sources, which a build would delete; choose another with --output",
                output.display()
            );
        }
    }
    if force || !output.exists() || output.join(MARKER).exists() {
        return Ok(());
    }
    let empty = fs::read_dir(&output)
        .with_context(|| format!("cannot read the output folder {}", output.display()))?
        .next()
        .is_none();
    if !empty {
        bail!(
            "the output folder {} is not empty and was not made by communique (it has no {MARKER} file); \
             its files would be replaced: empty it, choose another folder, or pass --force",
            output.display()
        );
    }
    Ok(())
}

/// The hidden folder inside the output where a build stages changed files.
const STAGING: &str = ".communique-staging";

/// A build's write in progress: changed files staged, nothing in the output touched yet.
/// Into an output folder that does not exist yet there is nothing to protect: files are
/// written in place, and a failed build removes the folder again.
pub struct Staging {
    output: PathBuf,
    /// Where changed files go until the commit: the staging folder, or the output itself
    /// when this build creates it.
    staging: PathBuf,
    created_output: bool,
    /// Creates the files and folders under `staging`.
    folders: folders::Folders,
}

/// What staging did with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    pub path: String,
    pub changed: bool,
}

impl Staging {
    /// Start a staged write into `output` (already checked with [`check_output_dir`]).
    pub fn begin(output: &Path) -> anyhow::Result<Staging> {
        let created_output = !output.exists();
        let staging = if created_output {
            output.to_path_buf()
        } else {
            output.join(STAGING)
        };
        if staging.exists() && !created_output {
            // Left by a build that was killed: it holds nothing anyone needs.
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot remove {}", staging.display()))?;
        }
        fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        let folders = folders::Folders::open(&staging);
        Ok(Staging {
            output: output.to_path_buf(),
            staging,
            created_output,
            folders,
        })
    }

    /// Compare `file` with the output and stage it if its bytes differ. Safe to call from
    /// many threads at once.
    pub fn stage(&self, file: &OutputFile) -> anyhow::Result<Staged> {
        let changed =
            self.created_output || !same_bytes(&self.output.join(&file.path), &file.bytes);
        if changed {
            self.folders.write(&file.path, &file.bytes)?;
        }
        Ok(Staged {
            path: file.path.clone(),
            changed,
        })
    }

    /// Move the staged files into place, then remove the files the site no longer has.
    pub fn commit(self, staged: &[Staged]) -> anyhow::Result<WriteReport> {
        let output = &self.output;
        if self.created_output {
            write_marker(output)?;
            return Ok(WriteReport {
                written: staged.len(),
                ..WriteReport::default()
            });
        }
        let dirs: BTreeSet<PathBuf> = staged
            .iter()
            .filter(|s| s.changed)
            .filter_map(|s| Path::new(&s.path).parent().map(|p| output.join(p)))
            .collect();
        for dir in &dirs {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut report = WriteReport::default();
        for file in staged {
            if file.changed {
                let target = output.join(&file.path);
                fs::rename(self.staging.join(&file.path), &target)
                    .with_context(|| format!("cannot write {}", target.display()))?;
                report.written += 1;
            } else {
                report.unchanged += 1;
            }
        }
        write_marker(output)?;
        let keep: HashSet<PathBuf> = staged.iter().map(|s| output.join(&s.path)).collect();
        report.removed = remove_stale(&keep, output)?;
        fs::remove_dir_all(&self.staging)
            .with_context(|| format!("cannot remove {}", self.staging.display()))?;
        Ok(report)
    }

    /// Give up: remove what was staged; the output stays as it was.
    pub fn abort(self) {
        // Nothing else can be done if even this fails; the next build removes it. When this
        // build made the output folder, the staging folder is that folder.
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// Whether the file at `path` holds exactly `bytes` (the size is compared first: cheap).
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|existing| existing == bytes)
}

fn write_marker(output: &Path) -> anyhow::Result<()> {
    let marker = output.join(MARKER);
    if !marker.exists() {
        fs::write(&marker, MARKER_TEXT)
            .with_context(|| format!("cannot write {}", marker.display()))?;
    }
    Ok(())
}

/// Write `files` into `output`, leaving unchanged files untouched and removing stale ones.
pub fn write(files: &[OutputFile], output: &Path) -> anyhow::Result<WriteReport> {
    let staging = Staging::begin(output)?;
    let staged: anyhow::Result<Vec<Staged>> = files.iter().map(|f| staging.stage(f)).collect();
    match staged {
        Ok(staged) => staging.commit(&staged),
        Err(error) => {
            staging.abort();
            Err(error)
        }
    }
}

/// Remove the files under `output` that the site no longer has, and folders left empty.
/// Hidden files and folders are left alone: communique never writes one (static/ skips them),
/// and they are often someone's, like the `.git` of a gh-pages checkout.
fn remove_stale(keep: &HashSet<PathBuf>, output: &Path) -> anyhow::Result<usize> {
    let mut removed = 0;
    let mut dirs = Vec::new();
    let walker = WalkDir::new(output)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot read {}", output.display()))?;
        let path = entry.path();
        if entry.file_type().is_dir() {
            dirs.push(path.to_path_buf());
        } else if !keep.contains(path) && path != output.join(MARKER) {
            fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
            removed += 1;
        }
    }
    // Deepest first, so a folder emptied by its children's removal goes too.
    for dir in dirs.iter().rev() {
        if fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) {
            fs::remove_dir(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
        }
    }
    Ok(removed)
}

/// The absolute path with links resolved in its longest existing part, so that two spellings
/// of one folder compare equal even when the output folder does not exist yet.
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    let path =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while let Some(parent) = existing.parent() {
        if existing.exists() {
            break;
        }
        rest.push(existing.file_name().unwrap_or_default().to_owned());
        existing = parent;
    }
    let mut resolved = fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    resolved.extend(rest.iter().rev());
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn stale_files_go_and_hidden_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(&[file("a/index.html", "a"), file("b/index.html", "b")], out).unwrap();
        fs::create_dir_all(out.join(".git")).unwrap();
        fs::write(out.join(".git/HEAD"), "ref").unwrap();
        let report = write(&[file("a/index.html", "a")], out).unwrap();
        assert_eq!(
            report,
            WriteReport {
                written: 0,
                unchanged: 1,
                removed: 1
            }
        );
        assert!(!out.join("b").exists(), "emptied folders are removed");
        assert!(out.join(".git/HEAD").exists());
        assert!(out.join(MARKER).exists());
    }

    #[test]
    fn an_aborted_build_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let staging = Staging::begin(&output).unwrap();
        staging.stage(&file("ko/index.html", "x")).unwrap();
        staging.abort();
        assert!(!output.exists(), "the folder it made is gone again");

        write(&[file("ko/index.html", "old")], &output).unwrap();
        let staging = Staging::begin(&output).unwrap();
        assert!(
            staging
                .stage(&file("ko/index.html", "new"))
                .unwrap()
                .changed
        );
        let read = || fs::read_to_string(output.join("ko/index.html")).unwrap();
        assert_eq!(read(), "old", "staged, not yet in place");
        staging.abort();
        assert_eq!(read(), "old");
        assert!(!output.join(STAGING).exists());
    }

    #[test]
    fn a_committed_build_moves_changed_files_and_keeps_unchanged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        write(&[file("a.html", "1"), file("b.html", "2")], &output).unwrap();
        let report = write(&[file("a.html", "1"), file("b.html", "3")], &output).unwrap();
        assert_eq!((report.written, report.unchanged), (1, 1));
        assert_eq!(fs::read_to_string(output.join("b.html")).unwrap(), "3");
        assert!(!output.join(STAGING).exists());
    }

    #[test]
    fn a_missing_output_folder_is_compared_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::create_dir_all(real.join("content")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
            let inside = dir.path().join("link/content/out");
            let error = check_output_dir(&real, &inside, true).unwrap_err();
            assert!(
                error.to_string().contains("inside the site's content/"),
                "{error}"
            );
        }
    }
}

//! The write stage: put a rendered site on disk without ever losing a folder that is not ours.
//! Only files whose bytes changed are written (unchanged ones keep their modification time, so
//! rsync and `aws s3 sync` upload only what changed), and files the site no longer has are
//! removed. A marker file says the folder is communique's.

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

/// Write `files` into `output`, leaving unchanged files untouched and removing stale ones.
pub fn write(files: &[OutputFile], output: &Path) -> anyhow::Result<WriteReport> {
    let mut report = WriteReport::default();
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| output.join(p)))
        .chain([output.to_path_buf()])
        .collect();
    for dir in &dirs {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for file in files {
        let path = output.join(&file.path);
        let same = fs::metadata(&path).is_ok_and(|m| m.len() == file.bytes.len() as u64)
            && fs::read(&path).is_ok_and(|existing| existing == file.bytes);
        if same {
            report.unchanged += 1;
        } else {
            fs::write(&path, &file.bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            report.written += 1;
        }
    }
    let marker = output.join(MARKER);
    if !marker.exists() {
        fs::write(&marker, MARKER_TEXT)
            .with_context(|| format!("cannot write {}", marker.display()))?;
    }
    report.removed = remove_stale(files, output)?;
    Ok(report)
}

/// Remove the files under `output` that the site no longer has, and folders left empty.
/// Hidden files and folders are left alone: communique never writes one (static/ skips them),
/// and they are often someone's, like the `.git` of a gh-pages checkout.
fn remove_stale(files: &[OutputFile], output: &Path) -> anyhow::Result<usize> {
    let keep: HashSet<PathBuf> = files.iter().map(|f| output.join(&f.path)).collect();
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

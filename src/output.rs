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

/// What a write did, for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Refuse an output folder that would destroy the site's sources or someone else's files.
pub fn check_output_dir(root: &Path, output: &Path, force: bool) -> anyhow::Result<()> {
    let root = absolute(root)?;
    let output = absolute(output)?;
    if output == root {
        bail!(
            "the output folder {} is the site root: choose another with --output",
            output.display()
        );
    }
    for source in [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR] {
        let source_dir = root.join(source);
        if output.starts_with(&source_dir) {
            bail!(
                "the output folder {} is inside the site's {source}/ folder",
                output.display()
            );
        }
        if output.join(source).exists() && source_dir.starts_with(&output) {
            bail!(
                "the output folder {} contains the site's {source}/ folder",
                output.display()
            );
        }
    }
    if root.starts_with(&output) {
        bail!(
            "the output folder {} contains the site itself",
            output.display()
        );
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
    fs::write(
        output.join(MARKER),
        "This folder is written by communique build; its files are replaced on each build.\n",
    )
    .with_context(|| format!("cannot write {}", output.join(MARKER).display()))?;
    report.removed = remove_stale(files, output)?;
    Ok(report)
}

/// Remove the files under `output` that the site no longer has, and folders left empty.
fn remove_stale(files: &[OutputFile], output: &Path) -> anyhow::Result<usize> {
    let keep: HashSet<PathBuf> = files.iter().map(|f| output.join(&f.path)).collect();
    let mut removed = 0;
    let mut dirs = Vec::new();
    for entry in WalkDir::new(output).min_depth(1) {
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

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    let path =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    // Resolve links where the folder exists, so two spellings of one folder compare equal.
    Ok(fs::canonicalize(&path).unwrap_or(path))
}

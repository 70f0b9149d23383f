//! The write stage: put a rendered site on disk without ever losing a file that is not
//! communique's. Only files whose bytes changed are written (unchanged ones keep their
//! modification time, so rsync and `aws s3 sync` upload only what changed), and the files the
//! previous build wrote that this one does not have are removed.
//!
//! [`Output::open`] resolves the folder (`..` and links), refuses what would destroy the site
//! or someone's files, and takes the folder's lock. The marker `.communique-output` lists the
//! files communique wrote; only those are ever replaced or removed, and a file of someone
//! else's at a path the build needs is refused, not overwritten. [`Output::stage`] compares
//! each file with the output as soon as it is rendered and writes a changed one into a hidden
//! staging folder inside the output; when every page has rendered, [`Output::commit`] checks
//! every move, then makes them, and puts back what it moved if one fails. A failed build
//! leaves the output as it was, and no build holds the whole site in memory.

mod commit;
mod folders;
mod lock;
mod marker;
mod resolve;
mod tree;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use commit::Rename;
use lock::Lock;
use marker::{Previous, State};
use tree::{Kind, Tree};

/// A file of the built site: its path under the output root (`/`-separated) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

pub use commit::{Found, Staged};
pub use marker::MARKER;

/// The hidden folder inside the output where a build stages changed files (`new/`) and moves
/// the files it replaces or removes (`old/`) until the commit is done.
const STAGING: &str = ".communique-staging";

/// What a write did, for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// An output folder a build writes into, locked for it until [`Output::commit`] or
/// [`Output::abort`].
pub struct Output {
    dir: PathBuf,
    previous: Previous,
    /// Nothing but communique's own hidden files was in the folder: every file is new, and
    /// none is compared.
    fresh: bool,
    /// This build made the folder; if it fails, it removes it again.
    created: bool,
    /// This build wrote the folder's first marker; if it fails, it removes it again.
    marked: bool,
    staging: PathBuf,
    /// This build made the staging folder (a folder of that name that is not communique's
    /// is refused, and stays).
    staging_made: bool,
    /// Creates the changed files under `staging/new`.
    folders: folders::Folders,
    tree: Tree,
    /// Dropped last: the lock is held until everything else is done.
    lock: Lock,
}

impl Output {
    /// Open `path` for a build of the site at `root`. `path` is resolved (`..`, links) before
    /// any rule: refused when it is or holds the site or one of its source folders, lies inside
    /// one, looks like a site's sources, or is a non-empty folder without communique's marker
    /// (unless `force`, which lets the build write beside files that are not communique's,
    /// never replace or remove them). Refused too while another build writes into it.
    pub fn open(root: &Path, path: &Path, force: bool) -> anyhow::Result<Output> {
        let site = resolve::SiteFolders::resolve(root)?;
        let dir = resolve::resolve(path)?;
        site.refuse(&dir)?;
        let existed = match fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => true,
            Ok(_) => bail!("the output folder {} is not a folder", dir.display()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
        };
        if existed {
            // Before anything is made in it.
            refuse_foreign(&dir, force)?;
        }
        let created = !existed && make_folder(&dir)?;
        let lock = Lock::take(&dir).inspect_err(|_| {
            if created {
                let _ = fs::remove_dir(&dir);
            }
        })?;
        let mut output = Output {
            staging: dir.join(STAGING),
            folders: folders::Folders::open(&dir.join(STAGING).join("new")),
            tree: Tree::new(&dir),
            dir,
            previous: Previous::Nothing,
            fresh: false,
            created,
            marked: false,
            staging_made: false,
            lock,
        };
        match output.prepare(force) {
            Ok(()) => Ok(output),
            Err(error) => {
                output.leave_as_found();
                Err(error)
            }
        }
    }

    /// Under the lock: read the marker, look at the folder again, mark it as communique's and
    /// make the staging folder.
    fn prepare(&mut self, force: bool) -> anyhow::Result<()> {
        let previous = marker::read(&self.dir)?;
        if previous == Previous::Nothing {
            refuse_foreign(&self.dir, force)?;
        }
        if fs::symlink_metadata(&self.staging).is_ok() {
            if previous == Previous::Nothing {
                bail!(
                    "{} is in the way: the folder has no {MARKER}, so it is not communique's; move it away",
                    self.staging.display()
                );
            }
            // Left by a build that was stopped: it holds nothing anyone needs.
            fs::remove_dir_all(&self.staging)
                .with_context(|| format!("cannot remove {}", self.staging.display()))?;
        }
        self.fresh = only_reserved(&self.dir)?;
        if previous == Previous::Nothing {
            // From now on the folder says it is communique's, and lists nothing: a build
            // stopped from here on leaves a folder the next build can finish.
            marker::write(&self.dir, State::InProgress, [])?;
            self.marked = true;
        }
        self.previous = previous;
        let new = self.staging.join("new");
        self.staging_made = true;
        fs::create_dir_all(&new).with_context(|| format!("cannot create {}", new.display()))
    }

    /// The output folder, resolved.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Compare `file` with the output and stage it if its bytes differ. Safe to call from
    /// many threads at once.
    pub fn stage(&self, file: &OutputFile) -> anyhow::Result<Staged> {
        if !marker::is_output_path(&file.path) {
            bail!(
                "the build made a file at `{}`, which is not a path inside the output",
                file.path.escape_debug()
            );
        }
        let found = if self.fresh {
            Found::Absent
        } else {
            // Looked up here, in parallel; the commit finds them known.
            let dir = tree::parent(&file.path);
            self.tree
                .place(dir)
                .with_context(|| format!("cannot read {}", self.dir.join(dir).display()))?;
            self.find(file)?
        };
        if matches!(found, Found::Absent | Found::Changed | Found::Folder) {
            self.folders.write(&file.path, &file.bytes)?;
        }
        Ok(Staged {
            path: file.path.clone(),
            found,
        })
    }

    /// What is at `file`'s path in the output.
    fn find(&self, file: &OutputFile) -> anyhow::Result<Found> {
        let target = self.dir.join(&file.path);
        let meta = match fs::symlink_metadata(&target) {
            Ok(meta) => meta,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(Found::Absent);
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", target.display())),
        };
        Ok(match Kind::of(&meta) {
            None => Found::Folder,
            Some(Kind::Link) => Found::Link,
            Some(Kind::Other) => Found::Other,
            Some(Kind::File) if !self.previous.owns(&file.path) => Found::NotOurs,
            Some(Kind::File) => {
                let same = meta.len() == file.bytes.len() as u64
                    && fs::read(&target).is_ok_and(|existing| existing == file.bytes);
                if same { Found::Same } else { Found::Changed }
            }
        })
    }

    /// Move the staged files into place and the stale ones out, all or none.
    pub fn commit(self, staged: &[Staged]) -> anyhow::Result<WriteReport> {
        self.commit_with(staged, &mut commit::FileSystem)
    }

    fn commit_with(
        self,
        staged: &[Staged],
        renames: &mut dyn Rename,
    ) -> anyhow::Result<WriteReport> {
        let new = self.staging.join("new");
        let old = self.staging.join("old");
        let planned = commit::plan(&commit::Input {
            output: &self.dir,
            new: &new,
            old: &old,
            previous: &self.previous,
            tree: &self.tree,
            staged,
        })
        .and_then(|plan| {
            for dir in &plan.aside_dirs {
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            Ok(plan)
        });
        let plan = match planned {
            Ok(plan) => plan,
            Err(error) => {
                self.abort();
                return Err(error);
            }
        };
        // Every file that may be communique's while the moves are made: if the build is
        // stopped, the next one knows them.
        let files = self
            .previous
            .files()
            .chain(staged.iter().map(|s| s.path.as_str()));
        if let Err(error) = marker::write(&self.dir, State::InProgress, files) {
            let _ = marker::restore(&self.dir, &self.previous);
            self.abort();
            return Err(error);
        }
        if let Err(failure) = commit::apply(&plan, renames) {
            let restored = failure.unrestored.is_empty();
            let error = failure.into_error(&self.dir);
            if restored {
                let _ = marker::restore(&self.dir, &self.previous);
                self.abort();
            }
            // Otherwise the marker still lists every file that may be communique's, and the
            // staging folder keeps what could not be put back, until the next build.
            return Err(error);
        }
        marker::write(
            &self.dir,
            State::Complete,
            staged.iter().map(|s| s.path.as_str()),
        )?;
        remove_emptied_folders(&self.dir, &plan.removed);
        // The output is the new site; a staging folder that stays is removed by the next build.
        let _ = fs::remove_dir_all(&self.staging);
        Ok(WriteReport {
            written: plan.written,
            unchanged: plan.unchanged,
            removed: plan.removed.len(),
        })
    }

    /// Give up: remove what was staged; the output stays as it was.
    pub fn abort(self) {
        self.leave_as_found();
    }

    /// Remove everything this build added to the folder, the folder too if it made it.
    fn leave_as_found(&self) {
        // Nothing else can be done if one of these fails; the next build removes the staging
        // folder, and the others are hidden files that nothing depends on.
        if self.staging_made {
            let _ = fs::remove_dir_all(&self.staging);
        }
        if self.marked {
            let _ = marker::restore(&self.dir, &Previous::Nothing);
        }
        if self.lock.created {
            self.lock.remove_file();
        }
        if self.created {
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

/// Make the output folder (and those above it); whether this call made it.
fn make_folder(dir: &Path) -> anyhow::Result<bool> {
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    match fs::create_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", dir.display())),
    }
}

/// Whether `dir` holds nothing but communique's own hidden files.
fn only_reserved(dir: &Path) -> anyhow::Result<bool> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if !entry.file_name().to_str().is_some_and(marker::is_reserved) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Refuse a folder with something in it and no marker, unless `force`.
fn refuse_foreign(dir: &Path, force: bool) -> anyhow::Result<()> {
    if force || fs::symlink_metadata(dir.join(MARKER)).is_ok() || only_reserved(dir)? {
        return Ok(());
    }
    bail!(
        "the output folder {} is not empty and was not made by communique (it has no {MARKER} file): \
         empty it, choose another folder, or pass --force to write beside its files \
         (communique never replaces or removes a file it did not write)",
        dir.display()
    )
}

/// Remove the folders that removing `removed` (relative paths) left empty, deepest first.
fn remove_emptied_folders(output: &Path, removed: &[String]) {
    let mut dirs = BTreeSet::new();
    for path in removed {
        let mut dir = tree::parent(path);
        while !dir.is_empty() && dirs.insert(dir) {
            dir = tree::parent(dir);
        }
    }
    let mut dirs: Vec<&str> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    for dir in dirs {
        // A folder that still holds something stays; so does one that cannot be removed.
        let _ = fs::remove_dir(output.join(dir));
    }
}

#[cfg(test)]
mod tests;

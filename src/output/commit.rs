//! Moving a build's staged files into place. Every move is planned and checked before the
//! first one (nothing of someone else's replaced, no link written through, no file where a
//! folder must go or the reverse), each file a move replaces or a stale file removes is moved
//! aside into the staging folder rather than deleted, and a move that fails puts back every
//! move before it: the output is the old site or the new one, never a mix.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use walkdir::WalkDir;

use super::marker::{MARKER, Previous};
use super::tree::{Kind, Place, Tree, parent};

/// What was at a staged file's path in the output when it was staged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing (or the build made the folder): the file is new.
    Absent,
    /// communique's file, with the same bytes: left as it is.
    Same,
    /// communique's file, with other bytes: replaced.
    Changed,
    /// A file communique did not write.
    NotOurs,
    Folder,
    Link,
    /// A FIFO, socket or device.
    Other,
}

/// One file of a build, compared with the output and staged if it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    pub path: String,
    pub found: Found,
}

/// What a commit works on.
pub struct Input<'a> {
    pub output: &'a Path,
    /// Where the staged files are, at their paths.
    pub new: &'a Path,
    /// Where replaced and stale files are moved aside to.
    pub old: &'a Path,
    pub previous: &'a Previous,
    pub tree: &'a Tree,
    pub staged: &'a [Staged],
}

/// One rename of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub from: PathBuf,
    pub to: PathBuf,
}

/// Every rename of a commit, in order, checked.
#[derive(Debug, Default)]
pub struct Plan {
    pub moves: Vec<Move>,
    /// Folders to make under the `old` folder before the first move.
    pub aside_dirs: BTreeSet<PathBuf>,
    pub written: usize,
    pub unchanged: usize,
    /// The stale files moved aside, relative to the output.
    pub removed: Vec<String>,
}

/// At most this many problems are named in a refusal; the rest are counted.
const PROBLEMS_SHOWN: usize = 10;

struct Planner<'a> {
    input: &'a Input<'a>,
    /// communique's files of the previous build that this one does not have.
    stale: HashSet<&'a str>,
    plan: Plan,
    /// Paths moved into place whole (a folder with everything below it).
    whole: HashSet<String>,
    /// Stale paths already moved aside.
    handled: HashSet<String>,
    problems: BTreeSet<String>,
}

/// Plan the commit of `input`, or refuse it naming every path in the way.
pub fn plan(input: &Input) -> anyhow::Result<Plan> {
    let new: HashSet<&str> = input.staged.iter().map(|s| s.path.as_str()).collect();
    let stale = input
        .previous
        .files()
        .filter(|f| !new.contains(f))
        .collect();
    let mut planner = Planner {
        input,
        stale,
        plan: Plan::default(),
        whole: HashSet::new(),
        handled: HashSet::new(),
        problems: BTreeSet::new(),
    };
    for staged in input.staged {
        planner.file(staged)?;
    }
    planner.stale_files()?;
    if planner.problems.is_empty() {
        return Ok(planner.plan);
    }
    let count = planner.problems.len();
    let mut message = format!(
        "cannot write into {}: {count} path{} in the way; nothing was changed. \
         communique only replaces or removes files it wrote (listed in {MARKER}), and never \
         writes through a link; --force does not change that. Move these away, or choose another folder:",
        input.output.display(),
        if count == 1 { " is" } else { "s are" }
    );
    for problem in planner.problems.iter().take(PROBLEMS_SHOWN) {
        message.push_str("\n  ");
        message.push_str(problem);
    }
    if count > PROBLEMS_SHOWN {
        message.push_str(&format!("\n  and {} more", count - PROBLEMS_SHOWN));
    }
    Err(anyhow::anyhow!(message))
}

impl Planner<'_> {
    fn problem(&mut self, path: &str, what: &str) {
        let shown = self.input.output.join(path);
        self.problems.insert(format!("{}: {what}", shown.display()));
    }

    fn blocked(&mut self, at: &str, kind: Kind) {
        let what = match kind {
            Kind::Link => "a link, which communique does not write or remove files through",
            Kind::File => "a file communique did not write, where the build needs a folder",
            Kind::Other => "neither a file nor a folder, where the build needs a folder",
        };
        self.problem(at, what);
    }

    fn aside(&mut self, path: &str) {
        let to = self.input.old.join(path);
        if let Some(dir) = to.parent() {
            self.plan.aside_dirs.insert(dir.to_path_buf());
        }
        self.plan.moves.push(Move {
            from: self.input.output.join(path),
            to,
        });
    }

    fn place(&mut self, path: &str) {
        self.plan.moves.push(Move {
            from: self.input.new.join(path),
            to: self.input.output.join(path),
        });
    }

    fn file(&mut self, staged: &Staged) -> anyhow::Result<()> {
        let path = staged.path.as_str();
        let place = self.place_of(parent(path))?;
        if staged.found == Found::Same {
            // Its bytes were read through its folders; a link among them makes it not ours.
            match place {
                Place::Blocked { at, kind } => self.blocked(&at, kind),
                Place::Dir | Place::Missing { .. } => self.plan.unchanged += 1,
            }
            return Ok(());
        }
        let moved = match place {
            Place::Missing { top } => {
                if !self.whole.contains(&top) {
                    self.place(&top);
                    self.whole.insert(top);
                }
                true
            }
            Place::Blocked {
                at,
                kind: Kind::File,
            } if self.stale.contains(at.as_str()) => {
                // A stale file of ours where this build has a folder.
                if self.whole.insert(at.clone()) {
                    self.aside(&at);
                    self.place(&at);
                    self.handled.insert(at.clone());
                    self.plan.removed.push(at);
                }
                true
            }
            Place::Blocked { at, kind } => {
                self.blocked(&at, kind);
                false
            }
            Place::Dir => self.file_in_place(staged)?,
        };
        if moved {
            self.plan.written += 1;
        }
        Ok(())
    }

    /// Plan the move of a changed file whose folder is there; whether it can be made.
    fn file_in_place(&mut self, staged: &Staged) -> anyhow::Result<bool> {
        let path = staged.path.as_str();
        match staged.found {
            Found::Absent => self.place(path),
            Found::Changed => {
                self.aside(path);
                self.place(path);
            }
            Found::Folder => {
                let Some(files) = self.stale_folder(path)? else {
                    self.problem(
                        path,
                        "a folder holding something communique did not write, where the build needs a file",
                    );
                    return Ok(false);
                };
                self.aside(path);
                self.place(path);
                self.handled.extend(files.iter().cloned());
                self.plan.removed.extend(files);
            }
            Found::NotOurs => {
                self.problem(
                    path,
                    "a file communique did not write (it is not in the marker's list)",
                );
                return Ok(false);
            }
            Found::Link => {
                self.blocked(path, Kind::Link);
                return Ok(false);
            }
            Found::Other => {
                self.problem(path, "neither a file nor a folder");
                return Ok(false);
            }
            Found::Same => unreachable!("unchanged files are not moved"),
        }
        Ok(true)
    }

    fn place_of(&self, dir: &str) -> anyhow::Result<Place> {
        self.input
            .tree
            .place(dir)
            .with_context(|| format!("cannot read {}", self.input.output.join(dir).display()))
    }

    /// The files below the folder `path` if every one of them is a stale file of ours (so the
    /// folder can be moved aside whole); `None` if anything else is in it.
    fn stale_folder(&self, path: &str) -> anyhow::Result<Option<Vec<String>>> {
        let folder = self.input.output.join(path);
        let mut files = Vec::new();
        for entry in WalkDir::new(&folder).min_depth(1) {
            let entry = entry.with_context(|| format!("cannot read {}", folder.display()))?;
            if entry.file_type().is_dir() {
                continue;
            }
            let below = entry.path().strip_prefix(&folder).expect("walked below it");
            let names: Option<Vec<&str>> = below.iter().map(|n| n.to_str()).collect();
            let Some(names) = names else {
                return Ok(None);
            };
            let relative = format!("{path}/{}", names.join("/"));
            if !entry.file_type().is_file() || !self.stale.contains(relative.as_str()) {
                return Ok(None);
            }
            files.push(relative);
        }
        Ok(Some(files))
    }

    /// Move aside the stale files that are still communique's files: a path where something
    /// else is now (a folder, a link) is left as it is, and no file is removed through a link.
    fn stale_files(&mut self) -> anyhow::Result<()> {
        let mut stale: Vec<&str> = self.stale.iter().copied().collect();
        stale.sort_unstable();
        for path in stale {
            if self.handled.contains(path) {
                continue;
            }
            match self.place_of(parent(path))? {
                Place::Dir => {}
                Place::Blocked {
                    at,
                    kind: Kind::Link,
                } => {
                    self.blocked(&at, Kind::Link);
                    continue;
                }
                Place::Blocked { .. } | Place::Missing { .. } => continue,
            }
            let full = self.input.output.join(path);
            match fs::symlink_metadata(&full) {
                Ok(meta) if meta.is_file() => {
                    self.aside(path);
                    self.plan.removed.push(path.to_string());
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", full.display())),
            }
        }
        Ok(())
    }
}

/// The one operation of a commit that changes the output, so that a test can make it fail.
pub trait Rename {
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
}

/// Renames on the file system.
pub struct FileSystem;

impl Rename for FileSystem {
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
}

/// A commit that stopped partway.
#[derive(Debug)]
pub struct Failure {
    pub failed: Move,
    pub error: io::Error,
    /// Moves that could not be undone, with why: the output is then a mix.
    pub unrestored: Vec<(Move, io::Error)>,
}

impl Failure {
    pub fn into_error(self, output: &Path) -> anyhow::Error {
        let Move { from, to } = &self.failed;
        let first = format!(
            "cannot move {} to {}: {}",
            from.display(),
            to.display(),
            self.error
        );
        match self.unrestored.first() {
            None => anyhow::anyhow!(
                "{first}; every file moved before it was put back, so {} is as it was",
                output.display()
            ),
            Some((Move { from, to }, error)) => anyhow::anyhow!(
                "{first}; {} moves could not be undone (the first: {} back to {}: {error}), \
                 so {} holds part of the new build: build again to finish it",
                self.unrestored.len(),
                to.display(),
                from.display(),
                output.display()
            ),
        }
    }
}

/// Make every move of the plan; on a failure, undo the moves made, newest first. The plan's
/// `aside_dirs` must exist.
pub fn apply(plan: &Plan, renames: &mut dyn Rename) -> Result<(), Failure> {
    for (done, step) in plan.moves.iter().enumerate() {
        if let Err(error) = renames.rename(&step.from, &step.to) {
            let unrestored = plan.moves[..done]
                .iter()
                .rev()
                .filter_map(|m| renames.rename(&m.to, &m.from).err().map(|e| (m.clone(), e)))
                .collect();
            return Err(Failure {
                failed: step.clone(),
                error,
                unrestored,
            });
        }
    }
    Ok(())
}

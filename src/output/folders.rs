//! Creating the files of a build under one folder, from many threads at once. A build creates
//! tens of thousands of files in about half as many folders: each folder is made once, when
//! its first file comes, and not looked up again for every file it receives.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A folder to create files and folders under, from many threads at once.
pub struct Folders {
    root: PathBuf,
    /// Folders made so far (relative). Syscalls are made outside the lock; two threads may
    /// both make one folder, which is allowed.
    made: Mutex<HashSet<String>>,
}

/// `path` (relative, `/`-separated) split at its last `/`: its folder (empty at the top) and
/// its name.
fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

impl Folders {
    /// Create files under `root`, an existing folder.
    pub fn open(root: &Path) -> Folders {
        Folders {
            root: root.to_path_buf(),
            made: Mutex::default(),
        }
    }

    /// The full path of `path` under the root, for messages.
    pub fn full_path(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    /// Create (or truncate) the file at `path` with `bytes`, and its folders if needed. An
    /// error says which folder could not be made, or that the file could not be written.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), FolderError> {
        let (dir, _) = split(path);
        self.make_dir(dir).map_err(|error| FolderError::Dir {
            dir: self.full_path(dir),
            error,
        })?;
        fs::write(self.full_path(path), bytes).map_err(|error| FolderError::File {
            file: self.full_path(path),
            error,
        })
    }

    fn made(&self) -> MutexGuard<'_, HashSet<String>> {
        self.made.lock().expect("no thread panics holding it")
    }

    /// Make the folder `dir` (relative; empty for the root) and those above it: one `mkdir`
    /// per folder, parents first.
    fn make_dir(&self, dir: &str) -> io::Result<()> {
        if dir.is_empty() || self.made().contains(dir) {
            return Ok(());
        }
        self.make_dir(split(dir).0)?;
        match fs::create_dir(self.full_path(dir)) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
        self.made().insert(dir.to_string());
        Ok(())
    }
}

/// What [`Folders::write`] could not do.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("cannot create {}", dir.display())]
    Dir {
        dir: PathBuf,
        #[source]
        error: io::Error,
    },
    #[error("cannot write {}", file.display())]
    File {
        file: PathBuf,
        #[source]
        error: io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_at_their_paths_with_their_folders_made() {
        let dir = tempfile::tempdir().unwrap();
        let folders = Folders::open(dir.path());
        for path in [
            "index.html",
            "en/index.html",
            "en/press/2024/a/index.html",
            "en/press/2024/b/index.html",
            "search/ko/docs/0.json",
            "search/ko/docs/1.json",
        ] {
            folders.write(path, path.as_bytes()).unwrap();
            assert_eq!(
                std::fs::read(dir.path().join(path)).unwrap(),
                path.as_bytes()
            );
        }
        folders.write("en/index.html", b"again").unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("en/index.html")).unwrap(),
            b"again"
        );
    }

    #[test]
    fn a_file_in_the_way_of_a_folder_is_an_error_naming_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("en"), "a file").unwrap();
        let folders = Folders::open(dir.path());
        let error = folders.write("en/press/index.html", b"x").unwrap_err();
        let expected = format!("cannot create {}", dir.path().join("en/press").display());
        assert_eq!(error.to_string(), expected);
    }
}

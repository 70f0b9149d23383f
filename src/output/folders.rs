//! Creating the files of a build under one folder. A build creates some 40,000 files in 20,000
//! folders; opened by their full paths, the kernel walks every path from the root again, which
//! was a tenth of the kernel's time in a build. On Unix each file is created relative to an
//! open handle of the folder two levels up (a release's `…/2024/` for `2024/slug/index.html`),
//! so only the last two names are looked up.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// A folder to create files and folders under, from many threads at once.
pub struct Folders {
    root: PathBuf,
    #[cfg(unix)]
    handles: unix::Handles,
    #[cfg(not(unix))]
    made: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// `path` (relative, `/`-separated) split at its last `/`: its folder (empty at the top) and
/// its name.
fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

impl Folders {
    /// Create files under `root`, an existing folder.
    pub fn open(root: &Path) -> io::Result<Folders> {
        Ok(Folders {
            root: root.to_path_buf(),
            #[cfg(unix)]
            handles: unix::Handles::open(root)?,
            #[cfg(not(unix))]
            made: Default::default(),
        })
    }

    /// The full path of `path` under the root, for messages.
    pub fn full_path(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    /// Create (or truncate) the file at `path` with `bytes`, and its folders if needed. An
    /// error says which folder could not be made, or that the file could not be written.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), FolderError> {
        use std::io::Write as _;
        let (dir, _) = split(path);
        self.make_dir(dir).map_err(|error| FolderError::Dir {
            dir: self.full_path(dir),
            error,
        })?;
        let file_error = |error| FolderError::File {
            file: self.full_path(path),
            error,
        };
        let mut file = self.create(path).map_err(file_error)?;
        file.write_all(bytes).map_err(file_error)
    }

    #[cfg(unix)]
    fn make_dir(&self, dir: &str) -> io::Result<()> {
        self.handles.make_dir(dir)
    }

    #[cfg(unix)]
    fn create(&self, path: &str) -> io::Result<File> {
        self.handles.create(path)
    }

    /// Each folder made once, not checked again for every file it receives.
    #[cfg(not(unix))]
    fn make_dir(&self, dir: &str) -> io::Result<()> {
        let made = |m: &std::sync::Mutex<_>| m.lock().expect("no thread panics holding it");
        if dir.is_empty() || made(&self.made).contains(dir) {
            return Ok(());
        }
        std::fs::create_dir_all(self.root.join(dir))?;
        made(&self.made).insert(dir.to_string());
        Ok(())
    }

    #[cfg(not(unix))]
    fn create(&self, path: &str) -> io::Result<File> {
        File::create(self.root.join(path))
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

#[cfg(unix)]
mod unix {
    use std::collections::{HashMap, HashSet};
    use std::fs::File;
    use std::io;
    use std::os::fd::OwnedFd;
    use std::path::Path;
    use std::sync::{Arc, Mutex, MutexGuard};

    use rustix::fs::{CWD, Mode, OFlags, mkdirat, openat};

    use super::split;

    /// Folders made so far under the root, and open handles of the folders files are created
    /// from. Syscalls are made outside the lock; two threads may both make one folder, which
    /// is allowed.
    pub struct Handles {
        root: Arc<OwnedFd>,
        state: Mutex<State>,
    }

    #[derive(Default)]
    struct State {
        made: HashSet<String>,
        handles: HashMap<String, Arc<OwnedFd>>,
    }

    /// A handle for lookups only: nothing is read through it.
    fn open_dir(parent: &OwnedFd, name: impl rustix::path::Arg) -> io::Result<OwnedFd> {
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        Ok(openat(parent, name, flags, Mode::empty())?)
    }

    impl Handles {
        pub fn open(root: &Path) -> io::Result<Handles> {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            Ok(Handles {
                root: Arc::new(openat(CWD, root, flags, Mode::empty())?),
                state: Mutex::default(),
            })
        }

        fn state(&self) -> MutexGuard<'_, State> {
            self.state.lock().expect("no thread panics holding it")
        }

        /// Make the folder `dir` (relative; empty for the root) and those above it.
        pub fn make_dir(&self, dir: &str) -> io::Result<()> {
            if dir.is_empty() || self.state().made.contains(dir) {
                return Ok(());
            }
            let (parent, name) = split(dir);
            let parent = self.handle(parent)?;
            match mkdirat(&*parent, name, Mode::from_raw_mode(0o777)) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                Err(error) => return Err(error.into()),
            }
            self.state().made.insert(dir.to_string());
            Ok(())
        }

        /// The handle of `dir`, made and opened the first time it is asked for.
        fn handle(&self, dir: &str) -> io::Result<Arc<OwnedFd>> {
            if dir.is_empty() {
                return Ok(Arc::clone(&self.root));
            }
            if let Some(handle) = self.state().handles.get(dir) {
                return Ok(Arc::clone(handle));
            }
            self.make_dir(dir)?;
            let (parent, name) = split(dir);
            let opened = open_dir(&*self.handle(parent)?, name)?;
            let mut state = self.state();
            let handle = state
                .handles
                .entry(dir.to_string())
                .or_insert_with(|| Arc::new(opened));
            Ok(Arc::clone(handle))
        }

        /// Create the file at `path`, whose folder is made, from the handle of the folder
        /// above its own: release pages are each alone in a folder, so a handle per file's
        /// folder would cost an open of its own.
        pub fn create(&self, path: &str) -> io::Result<File> {
            let (dir, _) = split(path);
            let (above, _) = split(dir);
            let handle = self.handle(above)?;
            let relative = if above.is_empty() {
                path
            } else {
                &path[above.len() + 1..]
            };
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC;
            let fd = openat(&*handle, relative, flags, Mode::from_raw_mode(0o666))?;
            Ok(File::from(fd))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_at_their_paths_with_their_folders_made() {
        let dir = tempfile::tempdir().unwrap();
        let folders = Folders::open(dir.path()).unwrap();
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
        let folders = Folders::open(dir.path()).unwrap();
        let error = folders.write("en/press/index.html", b"x").unwrap_err();
        let expected = format!("cannot create {}", dir.path().join("en/press").display());
        assert_eq!(error.to_string(), expected);
    }
}

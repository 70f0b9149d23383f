//! What the folders of an output are, looked up once each: a build must never write or remove
//! through a link, nor put a folder where a file of someone else's is.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What is at a path that is not a real folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Link,
    /// A FIFO, socket or device.
    Other,
}

impl Kind {
    pub fn of(meta: &fs::Metadata) -> Option<Kind> {
        let kind = meta.file_type();
        if kind.is_dir() {
            None
        } else if kind.is_symlink() {
            Some(Kind::Link)
        } else if kind.is_file() {
            Some(Kind::File)
        } else {
            Some(Kind::Other)
        }
    }
}

/// Where a folder of the output stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A real folder, as is every folder above it.
    Dir,
    /// Not there; `top` is the highest folder on its path that is missing (itself, or one
    /// above it), which a build can move into place whole.
    Missing { top: String },
    /// Something that is not a folder is on its path: at `at`, a `kind`.
    Blocked { at: String, kind: Kind },
}

/// The folders of one output folder, looked up as they are asked for, from many threads.
pub struct Tree {
    root: PathBuf,
    places: Mutex<HashMap<String, Place>>,
}

/// The folder of `path` (relative, `/`-separated): empty at the top.
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

impl Tree {
    pub fn new(root: &Path) -> Tree {
        Tree {
            root: root.to_path_buf(),
            places: Mutex::default(),
        }
    }

    fn cached(&self, dir: &str) -> Option<Place> {
        let places = self.places.lock().expect("no thread panics holding it");
        places.get(dir).cloned()
    }

    /// Where the folder `dir` (relative; empty for the output itself) stands. The file
    /// system is asked outside the lock; two threads may both ask it for one folder.
    pub fn place(&self, dir: &str) -> io::Result<Place> {
        if dir.is_empty() {
            return Ok(Place::Dir);
        }
        if let Some(place) = self.cached(dir) {
            return Ok(place);
        }
        let place = match self.place(parent(dir))? {
            Place::Dir => match fs::symlink_metadata(self.root.join(dir)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Place::Missing {
                    top: dir.to_string(),
                },
                Err(e) => return Err(e),
                Ok(meta) => match Kind::of(&meta) {
                    None => Place::Dir,
                    Some(kind) => Place::Blocked {
                        at: dir.to_string(),
                        kind,
                    },
                },
            },
            above => above,
        };
        let mut places = self.places.lock().expect("no thread panics holding it");
        places.insert(dir.to_string(), place.clone());
        Ok(place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_folder_is_seen_with_what_is_above_it() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("en/press")).unwrap();
        fs::write(dir.path().join("file"), "x").unwrap();
        let tree = Tree::new(dir.path());
        assert_eq!(tree.place("").unwrap(), Place::Dir);
        assert_eq!(tree.place("en/press").unwrap(), Place::Dir);
        let missing = Place::Missing {
            top: "en/new".into(),
        };
        assert_eq!(tree.place("en/new/a/b").unwrap(), missing);
        assert_eq!(tree.place("en/new").unwrap(), missing);
        let blocked = Place::Blocked {
            at: "file".into(),
            kind: Kind::File,
        };
        assert_eq!(tree.place("file/a/b").unwrap(), blocked);
        assert_eq!(parent("a/b/c.html"), "a/b");
        assert_eq!(parent("c.html"), "");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_folder_blocks_what_is_below_it() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("en")).unwrap();
        fs::create_dir(elsewhere.path().join("press")).unwrap();
        let tree = Tree::new(dir.path());
        assert_eq!(
            tree.place("en/press").unwrap(),
            Place::Blocked {
                at: "en".into(),
                kind: Kind::Link
            }
        );
    }
}

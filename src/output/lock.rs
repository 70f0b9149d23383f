//! One build at a time per output folder: a build holds a lock on a file of communique's inside
//! the folder from its first check to the end of its commit; a second build refuses.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

pub const LOCK: &str = ".communique-lock";

/// A held lock; dropping it lets the next build in.
pub struct Lock {
    path: PathBuf,
    /// The lock is this handle's; it is closed, and the lock released, when it is dropped.
    _file: File,
    /// Whether this build made the lock file (so that a build that leaves nothing behind can
    /// remove it again).
    pub created: bool,
}

impl Lock {
    /// Take the lock of `output`, an existing folder, or refuse if another build holds it.
    pub fn take(output: &Path) -> anyhow::Result<Lock> {
        let path = output.join(LOCK);
        let created = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => false,
            Ok(_) => bail!(
                "{} is in the way of communique's lock file: it is not a file; move it away",
                path.display()
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => true,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let busy = || {
            anyhow::anyhow!(
                "another build is writing into {}: wait for it to end, then build again",
                output.display()
            )
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(busy()),
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        // A build that gives up on a folder it made removes the lock file; one that opened the
        // file just before would hold the lock of a file no other build sees.
        if !same_file(&file, &path)? {
            return Err(busy());
        }
        Ok(Lock {
            path,
            _file: file,
            created,
        })
    }

    /// Remove the lock file, for a build that leaves the folder as it found it. The lock is
    /// still held until `self` is dropped.
    pub fn remove_file(&self) {
        // If this fails, an empty hidden file stays; nothing depends on its absence.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> anyhow::Result<bool> {
    use std::os::unix::fs::MetadataExt as _;
    let held = file.metadata()?;
    Ok(match fs::metadata(path) {
        Ok(now) => now.dev() == held.dev() && now.ino() == held.ino(),
        Err(_) => false,
    })
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> anyhow::Result<bool> {
    Ok(path.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_folder_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::take(dir.path()).unwrap();
        assert!(first.created);
        let error = Lock::take(dir.path()).err().unwrap().to_string();
        assert!(error.contains("another build is writing into"), "{error}");
        drop(first);
        let again = Lock::take(dir.path()).unwrap();
        assert!(!again.created);
    }

    #[test]
    fn a_lock_on_a_removed_lock_file_is_not_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join(LOCK)).unwrap();
        fs::remove_file(dir.path().join(LOCK)).unwrap();
        // What a build that opened the file before it was removed would see.
        file.try_lock().unwrap();
        assert!(!same_file(&file, &dir.path().join(LOCK)).unwrap());
    }
}

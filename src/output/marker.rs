//! The marker `.communique-output`: it says a folder is communique's output, and lists the
//! files communique wrote there, the only ones a later build may replace or remove. While a
//! build is moving files into place it says so ("in-progress") and lists every file that may
//! be communique's at that moment, so that a build started after a crash can finish the job.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use super::resolve::RESERVED_PREFIX;

pub const MARKER: &str = ".communique-output";
/// Where a new marker is written before it replaces the old one, so that no crash leaves half
/// a marker.
const MARKER_NEW: &str = ".communique-output.new";
/// The text marker of communique before the marker listed files.
pub const LEGACY_TEXT: &str =
    "This folder is written by communique build; its files are replaced on each build.\n";
const WRITTEN_BY: &str = "communique";
const FORMAT: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// A build is moving files, or was stopped while it did.
    InProgress,
    Complete,
}

#[derive(Serialize)]
struct MarkerOut<'a> {
    written_by: &'a str,
    format: u32,
    state: State,
    files: Vec<&'a str>,
}

#[derive(Deserialize)]
struct MarkerIn {
    written_by: String,
    format: u32,
    state: State,
    files: Vec<String>,
}

/// What the marker of an output folder says is communique's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    /// No marker: nothing in the folder is communique's.
    Nothing,
    /// The marker of an earlier communique, which listed nothing: a file at a path the build
    /// writes was that build's, but nothing can be proven stale, so nothing is removed.
    Unlisted,
    Listed {
        state: State,
        files: HashSet<String>,
    },
}

impl Previous {
    /// Whether the file at `path` (relative, `/`-separated) was written by communique.
    pub fn owns(&self, path: &str) -> bool {
        match self {
            Previous::Nothing => false,
            Previous::Unlisted => true,
            Previous::Listed { files, .. } => files.contains(path),
        }
    }

    /// The files communique wrote, as far as it can tell.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        let files = match self {
            Previous::Listed { files, .. } => Some(files.iter().map(String::as_str)),
            _ => None,
        };
        files.into_iter().flatten()
    }
}

/// Whether `path` is a path communique could have written: relative, `/`-separated names, no
/// `.` or `..`, none hidden. A list from a marker that breaks this is not communique's.
pub fn is_output_path(path: &str) -> bool {
    // On Windows `\` separates names too, and `:` names a drive.
    let separator = |c: char| c == '/' || (cfg!(windows) && c == '\\');
    !path.is_empty()
        && !path.split(separator).any(|name| {
            name.is_empty()
                || name.starts_with('.')
                || name.contains('\0')
                || (cfg!(windows) && name.contains(':'))
        })
}

/// Read the marker of `output`. One that communique did not write, or cannot read, is an
/// error: the folder may or may not be communique's, and guessing could cost someone's files.
pub fn read(output: &Path) -> anyhow::Result<Previous> {
    let path = output.join(MARKER);
    let not_ours = |why: &str| {
        anyhow::anyhow!(
            "{} {why}, so it is not a marker communique can trust; if this folder is communique's \
             output, remove that file and build again with --force (no file of the folder will \
             be removed)",
            path.display()
        )
    };
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Previous::Nothing),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        Ok(meta) if !meta.is_file() => return Err(not_ours("is not a file")),
        Ok(_) => {}
    }
    let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes == LEGACY_TEXT.as_bytes() {
        return Ok(Previous::Unlisted);
    }
    let marker: MarkerIn =
        serde_json::from_slice(&bytes).map_err(|_| not_ours("is not communique's JSON"))?;
    if marker.written_by != WRITTEN_BY {
        return Err(not_ours("was not written by communique"));
    }
    if marker.format != FORMAT {
        return Err(not_ours(&format!(
            "has format {}, which this communique does not know",
            marker.format
        )));
    }
    if let Some(bad) = marker.files.iter().find(|f| !is_output_path(f)) {
        return Err(not_ours(&format!(
            "lists `{}`, a path communique never writes",
            bad.escape_debug()
        )));
    }
    Ok(Previous::Listed {
        state: marker.state,
        files: marker.files.into_iter().collect(),
    })
}

/// Replace the marker of `output` with one in `state` listing `files` (in a stable order, so
/// that two equal lists make equal markers).
pub fn write<'a>(
    output: &Path,
    state: State,
    files: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<()> {
    let mut files: Vec<&str> = files.into_iter().collect();
    files.sort_unstable();
    files.dedup();
    let marker = MarkerOut {
        written_by: WRITTEN_BY,
        format: FORMAT,
        state,
        files,
    };
    let new = output.join(MARKER_NEW);
    let written = (|| -> io::Result<()> {
        // Left by a build that was stopped, or something else: it is replaced, not written
        // through.
        match fs::remove_file(&new) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut file = io::BufWriter::new(fs::File::create_new(&new)?);
        serde_json::to_writer(&mut file, &marker)?;
        file.write_all(b"\n")?;
        file.into_inner().map_err(io::IntoInnerError::into_error)?;
        fs::rename(&new, output.join(MARKER))
    })();
    written.with_context(|| format!("cannot write {}", output.join(MARKER).display()))
}

/// Put back the marker that was there before this build (none, if there was none).
pub fn restore(output: &Path, previous: &Previous) -> anyhow::Result<()> {
    match previous {
        Previous::Nothing => match fs::remove_file(output.join(MARKER)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("cannot remove {}", output.join(MARKER).display()))
            }
            _ => Ok(()),
        },
        Previous::Unlisted => fs::write(output.join(MARKER), LEGACY_TEXT)
            .with_context(|| format!("cannot write {}", output.join(MARKER).display())),
        Previous::Listed { state, files } => {
            write(output, *state, files.iter().map(String::as_str))
        }
    }
}

/// Whether `name`, an entry at the top of an output folder, is one communique keeps for
/// itself (the marker, the lock, the staging folder).
pub fn is_reserved(name: &str) -> bool {
    name.starts_with(RESERVED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> anyhow::Result<Previous> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MARKER), text).unwrap();
        read(dir.path())
    }

    #[test]
    fn a_written_marker_reads_back_with_its_files_and_state() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), Previous::Nothing);
        let files = [
            "ko/index.html",
            "파일 이름.pdf",
            "a\nb.txt",
            "en/index.html",
        ];
        write(dir.path(), State::InProgress, files).unwrap();
        let Previous::Listed { state, files: read } = read(dir.path()).unwrap() else {
            panic!("not listed");
        };
        assert_eq!(state, State::InProgress);
        assert_eq!(read, files.iter().map(|f| f.to_string()).collect());
        assert!(!dir.path().join(MARKER_NEW).exists());
        let text = fs::read_to_string(dir.path().join(MARKER)).unwrap();
        assert!(
            text.starts_with(
                r#"{"written_by":"communique","format":1,"state":"in-progress","files":["#
            ),
            "{text}"
        );
    }

    #[test]
    fn the_old_text_marker_owns_every_path_but_lists_nothing() {
        let previous = read_text(LEGACY_TEXT).unwrap();
        assert_eq!(previous, Previous::Unlisted);
        assert!(previous.owns("en/index.html"));
        assert_eq!(previous.files().count(), 0);
    }

    #[test]
    fn a_marker_communique_did_not_write_is_refused() {
        for (text, why) in [
            ("", "is not communique's JSON"),
            ("mine", "is not communique's JSON"),
            (
                r#"{"written_by":"other","format":1,"state":"complete","files":[]}"#,
                "was not written by communique",
            ),
            (
                r#"{"written_by":"communique","format":9,"state":"complete","files":[]}"#,
                "has format 9",
            ),
            (
                r#"{"written_by":"communique","format":1,"state":"complete","files":["../../etc/passwd"]}"#,
                "a path communique never writes",
            ),
            (
                r#"{"written_by":"communique","format":1,"state":"complete","files":[".git/config"]}"#,
                "a path communique never writes",
            ),
            (
                r#"{"written_by":"communique","format":1,"state":"complete","files":["/etc/passwd"]}"#,
                "a path communique never writes",
            ),
        ] {
            let error = read_text(text).unwrap_err().to_string();
            assert!(error.contains(why), "{text}: {error}");
            assert!(error.contains("--force"), "{error}");
        }
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(MARKER)).unwrap();
        let error = read(dir.path()).unwrap_err().to_string();
        assert!(error.contains("is not a file"), "{error}");
    }

    #[test]
    fn paths_communique_never_writes_are_told_apart() {
        for good in ["index.html", "en/press/a/index.html", "파일.pdf", "a b/c"] {
            assert!(is_output_path(good), "{good}");
        }
        for bad in [
            "",
            "/x",
            "a//b",
            "a/",
            "../x",
            "a/../b",
            "./a",
            ".git/x",
            "a/.hidden",
        ] {
            assert!(!is_output_path(bad), "{bad}");
        }
        assert_eq!(is_output_path("a\\b"), cfg!(unix), "a name on Unix");
        assert!(!is_output_path("..\\b"));
    }

    #[test]
    fn restoring_puts_back_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), State::InProgress, ["a.html"]).unwrap();
        restore(dir.path(), &Previous::Nothing).unwrap();
        assert!(!dir.path().join(MARKER).exists());
        restore(dir.path(), &Previous::Unlisted).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Previous::Unlisted);
        let listed = Previous::Listed {
            state: State::Complete,
            files: ["b.html".to_string()].into(),
        };
        restore(dir.path(), &listed).unwrap();
        assert_eq!(read(dir.path()).unwrap(), listed);
    }
}

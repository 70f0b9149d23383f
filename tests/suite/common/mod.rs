//! The fixture harness: copy a fixture site from `tests/fixtures/` into a temporary folder,
//! change files, run the `communique` binary on it, and check what it wrote or said.
//! Each check returns `&Self`, so a test reads as a story:
//! `SiteTest::fixture("basic").build().ok().file_contains("ko/index.html", "외교부")`.
#![allow(dead_code)]

pub mod browser;
pub mod http;
pub mod serve;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct SiteTest {
    dir: tempfile::TempDir,
}

/// What one run of the binary did.
pub struct Run<'a> {
    pub site: &'a SiteTest,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>` in a fresh temporary folder.
    pub fn fixture(name: &str) -> SiteTest {
        let dir = tempfile::tempdir().expect("temporary folder");
        copy_dir(&fixtures().join(name), dir.path());
        SiteTest { dir }
    }

    /// The repository's own site (content/, templates/, static/, config.toml).
    pub fn shipped_site() -> SiteTest {
        let dir = tempfile::tempdir().expect("temporary folder");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for part in ["content", "templates", "static"] {
            copy_dir(&repo.join(part), &dir.path().join(part));
        }
        std::fs::copy(repo.join("config.toml"), dir.path().join("config.toml"))
            .expect("copy config.toml");
        SiteTest { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Write (or replace) a file of the site.
    pub fn write(&self, relative: &str, text: &str) -> &Self {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Put an error fixture (`tests/fixtures/errors/<name>`) at `relative` in the site.
    pub fn with_error_fixture(&self, name: &str, relative: &str) -> &Self {
        let text =
            std::fs::read_to_string(fixtures().join("errors").join(name)).expect("error fixture");
        self.write(relative, &text)
    }

    /// Add an English press release dated in the year 2999 ("Embargoed Announcement", at
    /// `en/press-releases/embargoed/`): one whose date has not come.
    pub fn with_embargoed_release(&self) -> &Self {
        self.write(
            "content/en/press-releases/embargoed.md",
            "+++\ntitle = \"Embargoed Announcement\"\ndate = 2999-01-01T06:00:00+09:00\n+++\nNot yet.\n",
        )
    }

    pub fn remove(&self, relative: &str) -> &Self {
        let path = self.path(relative);
        if path.is_dir() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
        self
    }

    /// Run `communique <args>` with the site as the current folder.
    pub fn run(&self, args: &[&str]) -> Run<'_> {
        let output: Output = Command::new(env!("CARGO_BIN_EXE_communique"))
            .args(args)
            .current_dir(self.root())
            .output()
            .expect("run communique");
        Run {
            site: self,
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `command` (communique, or a shell that starts it) with `args`, at the site's root;
    /// killed, and the test failed with what it said, if it is still running after `limit`,
    /// so that a run that would never finish cannot hang the suite.
    pub fn run_within(&self, mut command: Command, args: &[&str], limit: Duration) -> Run<'_> {
        let mut child = command
            .args(args)
            .current_dir(self.root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run communique");
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stdout.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        });
        let err = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        });
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`communique {}` was still running after {limit:?}; it said:\n{}",
                    args.join(" "),
                    err.join().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Run {
            site: self,
            status: status.code().unwrap_or(-1),
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        }
    }

    pub fn build(&self) -> Run<'_> {
        self.run(&["build"])
    }

    /// The text of an output file under `public/`.
    pub fn output(&self, relative: &str) -> String {
        let path = self.path("public").join(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read output {}: {e}", path.display()))
    }

    pub fn output_exists(&self, relative: &str) -> bool {
        self.path("public").join(relative).exists()
    }

    pub fn file_contains(&self, relative: &str, needle: &str) -> &Self {
        let text = self.output(relative);
        assert!(
            text.contains(needle),
            "{relative} should contain {needle:?}; it is:\n{text}"
        );
        self
    }

    pub fn file_lacks(&self, relative: &str, needle: &str) -> &Self {
        let text = self.output(relative);
        assert!(
            !text.contains(needle),
            "{relative} should not contain {needle:?}; it is:\n{text}"
        );
        self
    }

    /// Every file under `public/`, relative, sorted.
    /// Every output file with its bytes and modification time: what a failed build must leave
    /// as it was.
    pub fn output_snapshot(&self) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
        self.output_files()
            .into_iter()
            .map(|f| {
                let path = self.path("public").join(&f);
                let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
                (f, std::fs::read(&path).unwrap(), modified)
            })
            .collect()
    }

    pub fn output_files(&self) -> Vec<String> {
        let root = self.path("public");
        let mut files: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        files.sort();
        files
    }
}

impl Run<'_> {
    /// The run succeeded (exit 0).
    pub fn ok(&self) -> &SiteTest {
        assert_eq!(self.status, 0, "expected success; stderr:\n{}", self.stderr);
        self.site
    }

    /// The run failed with `status`, and said `message` (a whole line, or part of one).
    pub fn fails(&self, status: i32) -> &Self {
        assert_eq!(
            self.status, status,
            "expected exit {status}; stderr:\n{}",
            self.stderr
        );
        self
    }

    pub fn says(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr should contain {needle:?}; it is:\n{}",
            self.stderr
        );
        self
    }

    /// The error lines (`path:line:column: error: ...`) of stderr.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Say that a test skipped part of its work, where the person running `cargo test` sees it:
/// written to the process's standard error, which the test harness does not capture.
pub fn say_skipped(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "skipped: {message}");
}

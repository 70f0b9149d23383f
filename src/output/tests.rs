use std::collections::BTreeMap;
use std::path::Path;

use super::lock::LOCK;
use super::*;

fn file(path: &str, text: &str) -> OutputFile {
    OutputFile {
        path: path.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

/// A site folder and the paths of its output, in one temporary folder.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("site")).unwrap();
        Fixture { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn out(&self) -> PathBuf {
        fs::canonicalize(self.dir.path()).unwrap().join("out")
    }

    fn open(&self, force: bool) -> anyhow::Result<Output> {
        Output::open(&self.root(), &self.out(), force)
    }

    fn stage_all(output: &Output, files: &[OutputFile]) -> Vec<Staged> {
        files.iter().map(|f| output.stage(f).unwrap()).collect()
    }

    fn write_with(
        &self,
        files: &[OutputFile],
        force: bool,
        renames: &mut dyn Rename,
    ) -> anyhow::Result<WriteReport> {
        let output = self.open(force)?;
        let staged = Fixture::stage_all(&output, files);
        output.commit_with(&staged, renames)
    }

    fn write(&self, files: &[OutputFile]) -> anyhow::Result<WriteReport> {
        self.write_with(files, false, &mut commit::FileSystem)
    }

    fn write_forced(&self, files: &[OutputFile]) -> anyhow::Result<WriteReport> {
        self.write_with(files, true, &mut commit::FileSystem)
    }

    /// Every file and link under the output, communique's own hidden files included, with
    /// its bytes (a link: its target).
    fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(self.out())
            .min_depth(1)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| !e.file_type().is_dir())
            .map(|e| {
                let relative = e.path().strip_prefix(self.out()).unwrap();
                let bytes = if e.file_type().is_symlink() {
                    fs::read_link(e.path())
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                        .into_bytes()
                } else {
                    fs::read(e.path()).unwrap()
                };
                (relative.to_string_lossy().into_owned(), bytes)
            })
            .collect()
    }

    fn read(&self, path: &str) -> String {
        fs::read_to_string(self.out().join(path)).unwrap()
    }
}

/// Renames of which the first into one chosen path fails; `done` counts those made before.
struct FailOn {
    path: PathBuf,
    done: usize,
    failed: bool,
}

impl FailOn {
    fn new(path: PathBuf) -> FailOn {
        FailOn {
            path,
            done: 0,
            failed: false,
        }
    }
}

impl Rename for FailOn {
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        if to == self.path && !self.failed {
            self.failed = true;
            return Err(io::Error::other("the chosen failure"));
        }
        if !self.failed {
            self.done += 1;
        }
        fs::rename(from, to)
    }
}

/// Counts renames.
#[derive(Default)]
struct Count(usize);

impl Rename for Count {
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.0 += 1;
        fs::rename(from, to)
    }
}

#[test]
fn stale_files_go_and_hidden_ones_stay() {
    let site = Fixture::new();
    site.write(&[file("a/index.html", "a"), file("b/index.html", "b")])
        .unwrap();
    let out = site.out();
    fs::create_dir_all(out.join(".git")).unwrap();
    fs::write(out.join(".git/HEAD"), "ref").unwrap();
    let report = site.write(&[file("a/index.html", "a")]).unwrap();
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
    assert!(out.join(LOCK).exists());
    assert!(!out.join(STAGING).exists());
}

#[test]
fn an_aborted_build_leaves_no_trace() {
    let site = Fixture::new();
    let output = site.open(false).unwrap();
    output.stage(&file("ko/index.html", "x")).unwrap();
    output.abort();
    assert!(!site.out().exists(), "the folder it made is gone again");

    // An empty folder someone made stays, empty.
    fs::create_dir(site.out()).unwrap();
    site.open(false).unwrap().abort();
    assert_eq!(fs::read_dir(site.out()).unwrap().count(), 0);

    site.write(&[file("ko/index.html", "old")]).unwrap();
    let before = site.snapshot();
    let output = site.open(false).unwrap();
    assert!(output.stage(&file("ko/index.html", "new")).unwrap().found != Found::Same);
    assert_eq!(
        site.read("ko/index.html"),
        "old",
        "staged, not yet in place"
    );
    output.abort();
    assert_eq!(site.snapshot(), before);
    assert!(!site.out().join(STAGING).exists());
}

#[test]
fn a_committed_build_moves_changed_files_and_keeps_unchanged_ones() {
    let site = Fixture::new();
    site.write(&[file("a.html", "1"), file("b.html", "2")])
        .unwrap();
    let report = site
        .write(&[file("a.html", "1"), file("b.html", "3")])
        .unwrap();
    assert_eq!((report.written, report.unchanged), (1, 1));
    assert_eq!(site.read("b.html"), "3");
    assert!(!site.out().join(STAGING).exists());
}

#[test]
fn a_first_build_moves_each_top_folder_whole() {
    let site = Fixture::new();
    let files = [
        file("index.html", "i"),
        file("en/index.html", "e"),
        file("en/press/a/index.html", "a"),
        file("en/press/b/index.html", "b"),
        file("ko/index.html", "k"),
    ];
    let mut count = Count::default();
    let report = site.write_with(&files, false, &mut count).unwrap();
    assert_eq!(count.0, 3, "index.html, en/ and ko/");
    assert_eq!(report.written, 5);
    assert_eq!(site.read("en/press/b/index.html"), "b");

    // A new release folder in a later build is one move too.
    let mut more = files.to_vec();
    more.push(file("en/press/c/index.html", "c"));
    more.push(file("en/press/c/photo.jpg", "p"));
    let mut count = Count::default();
    site.write_with(&more, false, &mut count).unwrap();
    assert_eq!(count.0, 1);
}

#[test]
fn forced_into_someones_folder_a_build_writes_beside_their_files_and_never_removes_them() {
    let site = Fixture::new();
    fs::create_dir_all(site.out().join("notes")).unwrap();
    fs::write(site.out().join("notes/mine.txt"), "mine").unwrap();
    fs::write(site.out().join("todo.txt"), "mine too").unwrap();
    let refused = site.write(&[file("index.html", "1")]).unwrap_err();
    assert!(refused.to_string().contains("--force"), "{refused}");

    site.write_forced(&[file("index.html", "1"), file("en/index.html", "e")])
        .unwrap();
    let report = site.write(&[file("index.html", "2")]).unwrap();
    assert_eq!(report.removed, 1, "en/index.html, which communique wrote");
    assert_eq!(site.read("notes/mine.txt"), "mine");
    assert_eq!(site.read("todo.txt"), "mine too");
    assert!(!site.out().join("en").exists());
}

#[test]
fn a_file_of_someone_elses_where_the_build_writes_is_refused_even_forced() {
    let site = Fixture::new();
    fs::create_dir_all(site.out().join("en")).unwrap();
    fs::write(site.out().join("en/index.html"), "theirs").unwrap();
    fs::write(site.out().join("index.html"), "theirs").unwrap();
    let before = site.snapshot();
    let error = site
        .write_forced(&[
            file("index.html", "ours"),
            file("en/index.html", "theirs"),
            file("ko/index.html", "ours"),
        ])
        .unwrap_err()
        .to_string();
    assert!(error.contains("2 paths are in the way"), "{error}");
    assert!(
        error.contains(&format!(
            "{}: a file communique did not write",
            site.out().join("en/index.html").display()
        )),
        "{error}"
    );
    assert!(error.contains("--force does not change that"), "{error}");
    assert_eq!(site.snapshot(), before, "not even a marker is left");
}

#[test]
fn a_failed_move_puts_back_every_move_before_it() {
    let site = Fixture::new();
    site.write(&[
        file("a.html", "a1"),
        file("b/index.html", "b1"),
        file("gone/index.html", "g1"),
        file("z.html", "z1"),
    ])
    .unwrap();
    let before = site.snapshot();
    let next = [
        file("a.html", "a2"),
        file("b/index.html", "b1"),
        file("b/new.html", "n2"),
        file("c/index.html", "c2"),
        file("z.html", "z2"),
    ];
    // z.html is replaced after a.html, b/new.html and c/ are moved in.
    let mut fail = FailOn::new(site.out().join("z.html"));
    let error = site
        .write_with(&next, false, &mut fail)
        .unwrap_err()
        .to_string();
    assert!(fail.done >= 4, "the failure came after other moves");
    assert!(error.contains("the chosen failure"), "{error}");
    assert!(error.contains("is as it was"), "{error}");
    assert_eq!(site.snapshot(), before);
    assert!(!site.out().join(STAGING).exists());

    // With the failure gone, the same build goes through.
    site.write(&next).unwrap();
    assert_eq!(site.read("z.html"), "z2");
    assert!(!site.out().join("gone").exists());
}

#[test]
fn a_failed_first_build_removes_the_folder_it_made() {
    let site = Fixture::new();
    let mut fail = FailOn::new(site.out().join("ko"));
    let files = [file("en/index.html", "e"), file("ko/index.html", "k")];
    site.write_with(&files, false, &mut fail).unwrap_err();
    assert_eq!(fail.done, 1);
    assert!(!site.out().exists());
}

#[test]
fn a_move_that_cannot_be_undone_is_said_and_the_next_build_finishes() {
    let site = Fixture::new();
    site.write(&[file("a.html", "a1"), file("b.html", "b1")])
        .unwrap();
    let next = [file("a.html", "a2"), file("b.html", "b2")];
    // a.html is moved aside and replaced; b.html's move fails, and a.html's undoing too.
    let output = site.open(false).unwrap();
    let staged = Fixture::stage_all(&output, &next);
    let mut renames = FailThenStuck {
        fail: site.out().join("b.html"),
        aside: site.out().join(STAGING).join("old/a.html"),
    };
    let error = output
        .commit_with(&staged, &mut renames)
        .unwrap_err()
        .to_string();
    assert!(error.contains("build again to finish it"), "{error}");
    let Previous::Listed { state, files } = marker::read(&site.out()).unwrap() else {
        panic!("the marker lists files");
    };
    assert_eq!(state, State::InProgress);
    assert!(files.contains("a.html") && files.contains("b.html"));
    site.write(&next).unwrap();
    assert_eq!(
        (site.read("a.html"), site.read("b.html")),
        ("a2".into(), "b2".into())
    );
}

/// Fails the move into `fail`, and cannot undo moves out of `aside` (where the replaced
/// file went).
struct FailThenStuck {
    fail: PathBuf,
    aside: PathBuf,
}

impl Rename for FailThenStuck {
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        if to == self.fail {
            return Err(io::Error::other("the chosen failure"));
        }
        if from == self.aside {
            return Err(io::Error::other("stuck"));
        }
        fs::rename(from, to)
    }
}

#[test]
fn a_build_stopped_while_moving_is_finished_by_the_next() {
    let site = Fixture::new();
    site.write(&[file("a.html", "a1"), file("gone.html", "g1")])
        .unwrap();
    // What a build stopped partway through its moves leaves: the marker in progress listing
    // old and new files, some moved, a staging folder.
    marker::write(
        &site.out(),
        State::InProgress,
        ["a.html", "gone.html", "new.html"],
    )
    .unwrap();
    fs::write(site.out().join("new.html"), "half").unwrap();
    fs::create_dir_all(site.out().join(STAGING).join("new")).unwrap();
    fs::write(site.out().join(STAGING).join("new/a.html"), "a2").unwrap();
    fs::write(site.out().join("someone.txt"), "not listed").unwrap();

    site.write(&[file("a.html", "a2"), file("new.html", "n2")])
        .unwrap();
    assert_eq!(site.read("a.html"), "a2");
    assert_eq!(site.read("new.html"), "n2");
    assert!(!site.out().join("gone.html").exists());
    assert_eq!(site.read("someone.txt"), "not listed");
    assert!(!site.out().join(STAGING).exists());
    assert_eq!(
        marker::read(&site.out()).unwrap(),
        Previous::Listed {
            state: State::Complete,
            files: ["a.html".into(), "new.html".into()].into()
        }
    );
}

#[test]
fn a_folder_marked_by_an_earlier_communique_is_taken_over_without_removing_anything() {
    let site = Fixture::new();
    fs::create_dir_all(site.out()).unwrap();
    fs::write(site.out().join(MARKER), marker::LEGACY_TEXT).unwrap();
    fs::write(site.out().join("a.html"), "old").unwrap();
    fs::write(site.out().join("old.html"), "from a build long ago").unwrap();
    let report = site.write(&[file("a.html", "new")]).unwrap();
    assert_eq!((report.written, report.removed), (1, 0));
    assert_eq!(site.read("a.html"), "new");
    assert_eq!(site.read("old.html"), "from a build long ago");
    assert!(marker::read(&site.out()).unwrap().owns("a.html"));
    assert!(!marker::read(&site.out()).unwrap().owns("old.html"));
}

#[test]
fn a_stale_file_where_a_folder_goes_and_a_stale_folder_where_a_file_goes_swap() {
    let site = Fixture::new();
    site.write(&[file("x", "file"), file("y/index.html", "in y")])
        .unwrap();
    let report = site
        .write(&[file("x/index.html", "in x"), file("y", "file")])
        .unwrap();
    assert_eq!((report.written, report.removed), (2, 2));
    assert_eq!(site.read("x/index.html"), "in x");
    assert_eq!(site.read("y"), "file");
}

#[test]
fn a_folder_of_someone_elses_where_a_file_goes_is_refused() {
    let site = Fixture::new();
    site.write(&[file("y/index.html", "in y")]).unwrap();
    fs::write(site.out().join("y/theirs.txt"), "theirs").unwrap();
    let before = site.snapshot();
    let error = site.write(&[file("y", "file")]).unwrap_err().to_string();
    assert!(error.contains("a folder holding something communique did not write"));
    assert_eq!(site.snapshot(), before);
}

#[test]
fn a_stale_path_that_is_now_someone_elses_folder_is_left_alone() {
    let site = Fixture::new();
    site.write(&[file("a.html", "a"), file("old.html", "o")])
        .unwrap();
    fs::remove_file(site.out().join("old.html")).unwrap();
    fs::create_dir(site.out().join("old.html")).unwrap();
    fs::write(site.out().join("old.html/theirs.txt"), "theirs").unwrap();
    let report = site.write(&[file("a.html", "a")]).unwrap();
    assert_eq!(report.removed, 0);
    assert_eq!(site.read("old.html/theirs.txt"), "theirs");
    // And it is no longer listed, so it is never touched again.
    assert!(!marker::read(&site.out()).unwrap().owns("old.html"));
}

#[cfg(unix)]
#[test]
fn nothing_is_written_or_removed_through_a_link() {
    use std::os::unix::fs::symlink;
    let site = Fixture::new();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("index.html"), "elsewhere").unwrap();
    fs::write(elsewhere.path().join("gone.html"), "elsewhere").unwrap();
    site.write(&[
        file("en/index.html", "e"),
        file("en/gone.html", "g"),
        file("ko/index.html", "k"),
        file("ko/gone.html", "g"),
        file("page.html", "p"),
    ])
    .unwrap();
    fs::remove_dir_all(site.out().join("en")).unwrap();
    symlink(elsewhere.path(), site.out().join("en")).unwrap();
    fs::remove_file(site.out().join("page.html")).unwrap();
    symlink(
        elsewhere.path().join("index.html"),
        site.out().join("page.html"),
    )
    .unwrap();
    let before = site.snapshot();
    for files in [
        // Written through en/, and page.html replaced.
        vec![
            file("en/index.html", "e2"),
            file("ko/index.html", "k"),
            file("page.html", "p2"),
        ],
        // Unchanged through the link, and stale files removed through it.
        vec![file("ko/index.html", "k"), file("page.html", "p")],
    ] {
        let error = site.write(&files).unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "{}: a link, which communique does not write or remove files through",
                site.out().join("en").display()
            )),
            "{error}"
        );
        assert_eq!(site.snapshot(), before);
        assert_eq!(
            fs::read_to_string(elsewhere.path().join("index.html")).unwrap(),
            "elsewhere"
        );
        assert!(elsewhere.path().join("gone.html").exists());
    }
}

#[test]
fn odd_file_names_are_written_listed_and_removed() {
    let site = Fixture::new();
    let names = [
        "파일 이름.pdf",
        "café/index.html",
        "a\nb.txt",
        "quote\"d.txt",
        "back\\slash.txt",
        "emoji 🎉.txt",
    ];
    let files: Vec<OutputFile> = names.iter().map(|n| file(n, n)).collect();
    #[cfg(windows)]
    let files: Vec<OutputFile> = files
        .into_iter()
        .filter(|f| !f.path.contains(['\n', '"', '\\']))
        .collect();
    site.write(&files).unwrap();
    for f in &files {
        assert_eq!(site.read(&f.path).as_bytes(), f.bytes);
        assert!(marker::read(&site.out()).unwrap().owns(&f.path));
    }
    let report = site.write(&[file("index.html", "i")]).unwrap();
    assert_eq!(report.removed, files.len());
    assert_eq!(
        site.snapshot()
            .keys()
            .filter(|k| !k.starts_with('.'))
            .count(),
        1
    );
}

#[test]
fn a_path_outside_the_output_is_never_staged() {
    let site = Fixture::new();
    let output = site.open(false).unwrap();
    for path in ["../escape.html", "/etc/x", "a/../../b", ".hidden", ""] {
        assert!(output.stage(&file(path, "x")).is_err(), "{path}");
    }
    output.abort();
    assert!(!site.dir.path().join("escape.html").exists());
}

#[test]
fn a_held_lock_refuses_a_second_build_and_leaves_nothing() {
    let site = Fixture::new();
    site.write(&[file("a.html", "a")]).unwrap();
    let first = site.open(false).unwrap();
    let error = site.open(false).err().unwrap().to_string();
    assert!(error.contains("another build is writing into"), "{error}");
    let staged = Fixture::stage_all(&first, &[file("a.html", "b")]);
    first.commit(&staged).unwrap();
    assert_eq!(site.read("a.html"), "b");

    // Into a folder that does not exist yet: the second build does not remove the folder the
    // first is writing into.
    let other = Fixture::new();
    let first = other.open(false).unwrap();
    assert!(other.open(false).is_err());
    assert!(other.out().join(LOCK).exists());
    first.abort();
    assert!(!other.out().exists());
}

#[test]
fn a_marker_communique_cannot_trust_is_left_as_it_is() {
    let site = Fixture::new();
    fs::create_dir(site.out()).unwrap();
    fs::write(site.out().join(MARKER), "someone's notes").unwrap();
    fs::write(site.out().join("notes.txt"), "mine").unwrap();
    let before = site.snapshot();
    for force in [false, true] {
        let error = site.open(force).err().unwrap().to_string();
        assert!(
            error.contains("not a marker communique can trust"),
            "{error}"
        );
        assert_eq!(site.snapshot(), before);
    }
}

#[test]
fn a_staging_folder_in_a_folder_that_is_not_communiques_is_refused_and_kept() {
    let site = Fixture::new();
    fs::create_dir_all(site.out().join(STAGING)).unwrap();
    fs::write(site.out().join(STAGING).join("theirs.txt"), "theirs").unwrap();
    let before = site.snapshot();
    let error = site.open(true).err().unwrap().to_string();
    assert!(error.contains("is in the way"), "{error}");
    assert_eq!(site.snapshot(), before);
}

#[test]
fn an_output_that_is_a_file_is_refused() {
    let site = Fixture::new();
    fs::write(site.out(), "a file").unwrap();
    let error = site.open(true).err().unwrap().to_string();
    assert!(error.contains("is not a folder"), "{error}");
    assert_eq!(fs::read_to_string(site.out()).unwrap(), "a file");
}

#[cfg(unix)]
#[test]
fn a_name_that_is_not_utf8_is_never_taken_for_communiques() {
    use std::os::unix::ffi::OsStrExt as _;
    let site = Fixture::new();
    site.write(&[file("y/index.html", "in y")]).unwrap();
    let odd = site
        .out()
        .join("y")
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
    fs::write(&odd, "theirs").unwrap();
    let error = site.write(&[file("y", "file")]).unwrap_err().to_string();
    assert!(error.contains("a folder holding something communique did not write"));
    assert_eq!(fs::read_to_string(&odd).unwrap(), "theirs");
}

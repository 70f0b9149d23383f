//! The write stage never loses or corrupts a user's files: the output folder is resolved
//! before it is judged, only the files communique wrote are replaced or removed, nothing is
//! written through a link, a stopped build is finished by the next, two builds do not write
//! into one folder at once, and a commit is all or nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::SiteTest;

const STAGING: &str = ".communique-staging";
const MARKER: &str = ".communique-output";
const LOCK: &str = ".communique-lock";

/// Every file and link below `dir` with its bytes (a link: its target), hidden ones included.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).unwrap();
            let bytes = if e.file_type().is_symlink() {
                let target = std::fs::read_link(e.path()).unwrap();
                target.to_string_lossy().into_owned().into_bytes()
            } else {
                std::fs::read(e.path()).unwrap()
            };
            (relative.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// The same, without communique's own hidden files (the marker, the lock).
fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(dir);
    files.retain(|path, _| !path.starts_with(".communique-"));
    files
}

fn break_a_template(site: &SiteTest) {
    site.write(
        "templates/release.html",
        "{% extends \"base.html\" %}{% block main %}{{ nope.x }}{% endblock main %}",
    );
}

fn edit_a_release(site: &SiteTest) {
    let release = "content/en/press-releases/honolulu.md";
    let text = std::fs::read_to_string(site.path(release)).unwrap();
    site.write(
        release,
        &text.replace("agreed to work together", "agreed to meet again"),
    );
}

#[test]
fn an_output_spelled_with_dot_dot_that_is_the_site_root_is_refused() {
    let site = SiteTest::fixture("basic");
    let before = snapshot(site.root());
    let spelled = site.root().join("nonexist/..");
    let spelled = spelled.to_str().unwrap();
    for args in [
        vec!["build", "--output", spelled],
        vec!["build", "--output", spelled, "--force"],
        vec!["build", "--output", "nonexist/.."],
    ] {
        site.run(&args).fails(1).says("is the site root");
        assert_eq!(
            snapshot(site.root()),
            before,
            "{args:?} wrote into the site"
        );
    }
    // A build with a template error removed the site's own files.
    break_a_template(&site);
    let before = snapshot(site.root());
    site.run(&["build", "--output", spelled, "--force"])
        .fails(1)
        .says("is the site root");
    assert_eq!(snapshot(site.root()), before);
    for kept in ["config.toml", "content", "static", "templates"] {
        assert!(site.path(kept).exists(), "{kept}");
    }
}

#[test]
fn an_output_dir_of_config_toml_with_dot_dot_is_resolved_before_the_rules() {
    let site = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("output_dir = \"public/..\"\n{config}"),
    );
    let before = snapshot(site.root());
    site.build().fails(1).says("is the site root");
    assert_eq!(snapshot(site.root()), before);
    break_a_template(&site);
    let before = snapshot(site.root());
    site.build().fails(1).says("is the site root");
    assert_eq!(snapshot(site.root()), before);

    site.write(
        "config.toml",
        &format!("output_dir = \"public/../content/out\"\n{config}"),
    );
    site.build()
        .fails(1)
        .says("inside the site's content/ folder");
}

#[cfg(unix)]
#[test]
fn a_static_folder_that_is_a_link_is_resolved_so_the_output_is_never_inside_it() {
    // Links are followed only inside the site's folder: static/ leads to assets/ beside it.
    let site = SiteTest::fixture("basic");
    let assets = site.path("assets");
    std::fs::rename(site.path("static"), &assets).unwrap();
    std::os::unix::fs::symlink(&assets, site.path("static")).unwrap();
    let before = snapshot(&assets);
    let inside = site.path("static");
    site.run(&["build", "--output", inside.to_str().unwrap(), "--force"])
        .fails(1)
        .says("inside the site's static/ folder");
    site.run(&["build", "--output", "static/public", "--force"])
        .fails(1)
        .says("inside the site's static/ folder");
    // The real static/ folder is refused by its own name too.
    site.run(&["build", "--output", "assets", "--force"])
        .fails(1)
        .says("inside the site's static/ folder");
    assert_eq!(snapshot(&assets), before);
    // The site still builds, with its static files.
    site.build().ok();
    assert!(site.output_exists("files/statement.pdf"));
}

#[test]
fn forced_beside_someones_files_a_build_keeps_them_through_every_later_build() {
    let site = SiteTest::fixture("basic");
    site.write("docs/notes.txt", "mine");
    site.write("docs/drafts/plan.md", "mine too");
    site.write("docs/파일 이름.txt", "mine, with an odd name");
    let theirs = snapshot(&site.path("docs"));
    site.run(&["build", "--output", "docs"])
        .fails(1)
        .says("is not empty and was not made by communique")
        .says("--force");
    site.run(&["build", "--output", "docs", "--force"]).ok();
    assert!(site.path("docs/index.html").exists());
    site.remove("content/ko/press-releases/korean-only.md");
    site.run(&["build", "--output", "docs"]).ok();
    assert!(!site.path("docs/ko/press-releases/korean-only").exists());
    let after = snapshot(&site.path("docs"));
    for (path, bytes) in &theirs {
        assert_eq!(after.get(path), Some(bytes), "{path} was lost");
    }
}

#[test]
fn a_file_of_someone_elses_where_the_build_writes_is_refused_even_with_force() {
    let site = SiteTest::fixture("basic");
    site.write("docs/index.html", "my own home page");
    site.write("docs/en/index.html", "mine too");
    let before = snapshot(&site.path("docs"));
    let run = site.run(&["build", "--output", "docs", "--force"]);
    run.fails(1)
        .says("2 paths are in the way")
        .says(&format!(
            "{}: a file communique did not write",
            site.path("docs/en/index.html").display()
        ))
        .says("--force does not change that");
    assert_eq!(snapshot(&site.path("docs")), before, "nothing was changed");
}

#[cfg(unix)]
#[test]
fn a_folder_of_the_output_that_is_a_link_is_refused_and_nothing_is_written_through_it() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let elsewhere = tempfile::tempdir().unwrap();
    let en = elsewhere.path().join("en");
    std::fs::rename(site.path("public/en"), &en).unwrap();
    std::os::unix::fs::symlink(&en, site.path("public/en")).unwrap();
    let before = snapshot(elsewhere.path());
    let public = snapshot(&site.path("public"));
    edit_a_release(&site);
    site.remove("content/en/briefings/regular-briefing-2022-03-03.md");
    site.build().fails(1).says(&format!(
        "{}: a link, which communique does not write or remove files through",
        site.path("public/en").display()
    ));
    assert_eq!(
        snapshot(elsewhere.path()),
        before,
        "written through the link"
    );
    assert_eq!(snapshot(&site.path("public")), public);
    assert!(site.path("public/en").is_symlink());
}

/// A site large enough that a build takes a while, so that a build can be stopped partway.
fn large_site() -> SiteTest {
    let site = SiteTest::fixture("basic");
    for n in 0..200 {
        site.write(
            &format!("content/en/briefings/b-{n:03}.md"),
            &format!(
                "+++\ntitle = \"Briefing {n}\"\ndate = 2023-01-01T09:00:00+09:00\n+++\nText {n}.\n"
            ),
        );
    }
    site
}

fn spawn_build(site: &SiteTest, output: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .args(["build", "--output", output])
        .current_dir(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run communique")
}

#[cfg(unix)]
#[test]
fn a_first_build_killed_partway_is_finished_by_the_next() {
    use std::os::unix::process::ExitStatusExt as _;
    let site = large_site();
    site.run(&["build", "--output", "reference"]).ok();
    let reference = site_files(&site.path("reference"));
    let mut killed = 0;
    // Killed at several points of the first build into a new folder: each time the next
    // build must take the folder as communique's and finish the job.
    for delay_ms in [0, 20, 100, 300] {
        let _ = std::fs::remove_dir_all(site.path("out"));
        let mut child = spawn_build(&site, "out");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !site.path("out").exists() && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if status.signal() != Some(9) {
            continue;
        }
        killed += 1;
        site.run(&["build", "--output", "out"]).ok();
        assert_eq!(
            site_files(&site.path("out")),
            reference,
            "killed after {delay_ms} ms"
        );
        assert!(!site.path("out").join(STAGING).exists());
    }
    assert!(killed >= 2, "only {killed} builds were stopped partway");
}

#[test]
fn a_build_refuses_an_output_another_build_holds() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let before = snapshot(&site.path("public"));
    let lock = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(site.path("public").join(LOCK))
        .unwrap();
    lock.lock().unwrap();
    edit_a_release(&site);
    site.build().fails(1).says(&format!(
        "another build is writing into {}",
        std::fs::canonicalize(site.path("public"))
            .unwrap()
            .display()
    ));
    assert_eq!(snapshot(&site.path("public")), before);
    drop(lock);
    site.build().ok();
    assert_ne!(snapshot(&site.path("public")), before);
}

#[test]
fn two_builds_at_once_into_one_folder_leave_one_whole_build() {
    let site = large_site();
    site.run(&["build", "--output", "reference"]).ok();
    let reference = site_files(&site.path("reference"));
    site.build().ok();
    edit_a_release(&site);
    site.run(&["build", "--output", "reference"]).ok();
    let edited = site_files(&site.path("reference"));
    let builds = [spawn_build(&site, "public"), spawn_build(&site, "public")];
    let mut succeeded = 0;
    for build in builds {
        let output = build.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            succeeded += 1;
        } else {
            assert!(stderr.contains("another build is writing into"), "{stderr}");
        }
    }
    assert!(succeeded >= 1);
    let files = site_files(&site.path("public"));
    assert_ne!(files, reference);
    assert_eq!(files, edited, "the output is one build's, whole");
    assert!(!site.path("public").join(STAGING).exists());
}

#[test]
fn a_move_that_would_fail_is_seen_before_the_first_and_the_output_stays_as_it_was() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    // Where the build writes a file (one of the last it moves), a folder of someone's.
    std::fs::remove_file(site.path("public/robots.txt")).unwrap();
    site.write("public/robots.txt/mine.txt", "mine");
    let before = snapshot(&site.path("public"));
    edit_a_release(&site);
    let run = site.build();
    run.fails(1);
    assert_eq!(snapshot(&site.path("public")), before, "half updated");
    assert!(!site.path("public").join(STAGING).exists());
    run.says("1 path is in the way")
        .says("a folder holding something communique did not write");
}

#[test]
fn a_marker_communique_did_not_write_is_refused_and_nothing_is_removed() {
    let site = SiteTest::fixture("basic");
    site.write("docs/notes.txt", "mine");
    site.write(&format!("docs/{MARKER}"), "my own notes about this folder");
    let before = snapshot(&site.path("docs"));
    for args in [
        ["build", "--output", "docs", ""],
        ["build", "--output", "docs", "--force"],
    ] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        site.run(&args)
            .fails(1)
            .says("is not a marker communique can trust");
        assert_eq!(snapshot(&site.path("docs")), before);
    }
}

#[test]
fn a_stale_page_that_is_now_a_folder_of_someones_files_is_left_alone() {
    let site = SiteTest::fixture("basic");
    site.build().ok();
    let page = "public/ko/press-releases/korean-only/index.html";
    std::fs::remove_file(site.path(page)).unwrap();
    site.write(&format!("{page}/mine.txt"), "mine");
    // A name that is not UTF-8 is never taken for one of communique's.
    #[cfg(unix)]
    let odd = {
        use std::os::unix::ffi::OsStrExt as _;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        let odd = site.path(page).join(name);
        std::fs::write(&odd, "mine too").unwrap();
        odd
    };
    site.remove("content/ko/press-releases/korean-only.md");
    site.build().ok();
    assert_eq!(
        std::fs::read_to_string(site.path(&format!("{page}/mine.txt"))).unwrap(),
        "mine"
    );
    #[cfg(unix)]
    assert_eq!(std::fs::read_to_string(odd).unwrap(), "mine too");
}

#[test]
fn static_files_with_odd_names_are_written_and_removed_beside_someones() {
    let site = SiteTest::fixture("basic");
    let names = [
        "files/보도 자료.pdf",
        "files/café & co.txt",
        "files/emoji 🎉.txt",
    ];
    for name in names {
        site.write(&format!("static/{name}"), name);
    }
    site.write("public/files/내 파일.txt", "mine");
    site.run(&["build", "--force"]).ok();
    for name in names {
        assert_eq!(site.output(name), name);
    }
    for name in names {
        site.remove(&format!("static/{name}"));
    }
    site.build().ok();
    for name in names {
        assert!(!site.output_exists(name), "{name} is stale");
    }
    assert_eq!(site.output("files/내 파일.txt"), "mine");
}

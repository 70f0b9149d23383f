//! The documentation kept honest where it is cheap: the README's quick start builds as it says,
//! the complete examples of docs/format.md are accepted (unknown keys are errors, so a key the
//! page names but the code does not read fails here), every key the code reads is named on
//! that page, its command line has exactly the flags of `--help`, and every link between the
//! documentation's pages leads to a file and a heading that exist.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::SiteTest;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// The part of a Markdown page from the heading `heading` to the next heading of its level.
fn section<'a>(markdown: &'a str, heading: &str) -> &'a str {
    let level = heading.split(' ').next().unwrap();
    let start = markdown
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no heading {heading:?}"))
        + 1;
    let body = &markdown[start + heading.len()..];
    let end = body
        .find(&format!("\n{level} "))
        .map_or(markdown.len(), |i| start + heading.len() + i);
    &markdown[start..end]
}

/// The example files of a page: every fenced block whose nearest non-blank line before it is
/// a path in backticks followed by a colon (`` `config.toml`: ``), as (path, text).
fn example_files(markdown: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut last_text_line = "";
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            let path = last_text_line
                .strip_prefix('`')
                .and_then(|rest| rest.strip_suffix("`:"));
            if let Some(path) = path {
                files.push((path.to_string(), block.join("\n") + "\n"));
            }
            last_text_line = "";
        } else if !line.trim().is_empty() {
            last_text_line = line;
        }
    }
    files
}

/// A site made of exactly `files`, from the harness's temporary copy of a fixture emptied.
fn site_of(files: &[(String, String)]) -> SiteTest {
    let site = SiteTest::fixture("basic");
    site.remove("config.toml")
        .remove("content")
        .remove("static");
    for (path, text) in files {
        site.write(path, text);
    }
    site
}

#[test]
fn the_readme_quick_start_builds_as_it_says() {
    let readme = read("README.md");
    let quick_start = section(&readme, "## Quick start: a new site");
    let files = example_files(quick_start);
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"config.toml"), "{paths:?}");
    for lang in ["ko", "en"] {
        let prefix = format!("content/{lang}/");
        assert!(paths.iter().any(|p| p.starts_with(&prefix)), "{paths:?}");
    }
    let site = site_of(&files);
    site.run(&["check"]).ok();
    let run = site.build();
    run.ok();
    // "`build` writes 29 files: ..." must be what build says it wrote.
    let promised = quick_start
        .split("`build` writes ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("the quick start says how many files build writes");
    run.says(&format!(": {promised} files ("));
    for (path, _) in files.iter().filter(|(p, _)| p.starts_with("content/")) {
        let page = path
            .strip_prefix("content/")
            .and_then(|p| p.strip_suffix(".md"))
            .unwrap();
        site.file_contains(&format!("{page}/index.html"), "hreflang=\"ko\"")
            .file_contains(&format!("{page}/index.html"), "hreflang=\"en\"");
    }
}

#[test]
fn the_complete_examples_of_the_format_page_are_accepted() {
    let files = example_files(&read("docs/format.md"));
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"config.toml"), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("/_index.md")), "{paths:?}");
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("content/") && !p.ends_with("/_index.md")),
        "{paths:?}"
    );
    let site = site_of(&files);
    // The release's attachment, so that `check` finds it.
    site.write("static/files/2022/joint-statement-en.pdf", "%PDF-1.4\n");
    site.run(&["check"]).ok();
    site.build().ok();
}

/// The keys of every `const …_KEYS: &[&str] = &[…];` list in a source file: the keys the code
/// reads.
fn keys_read_by(source: &str) -> Vec<String> {
    source
        .split("_KEYS: &[&str] = &[")
        .skip(1)
        .filter_map(|rest| rest.split_once("];").map(|(list, _)| list))
        .flat_map(|list| list.split('"').skip(1).step_by(2).map(str::to_string))
        .collect()
}

#[test]
fn every_key_the_code_reads_is_on_the_format_page() {
    let page = read("docs/format.md");
    for source in ["src/config.rs", "src/content/release.rs"] {
        let keys = keys_read_by(&read(source));
        assert!(keys.len() > 3, "no keys found in {source}");
        for key in keys {
            let named = [format!("`{key}`"), format!("[{key}"), format!(".{key}]")]
                .iter()
                .any(|form| page.contains(form.as_str()));
            assert!(
                named,
                "docs/format.md does not name the key `{key}` of {source}"
            );
        }
    }
}

/// The `--flags` in `text`, without `--help` and `--version`.
fn flags_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '|' | '`' | ','))
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(|word| word.trim_end_matches(['.', ':']).to_string())
        .filter(|flag| flag != "--help" && flag != "--version")
        .collect()
}

#[test]
fn the_command_line_on_the_format_page_is_what_help_shows() {
    let page = read("docs/format.md");
    let usage = section(&page, "## The command line");
    let site = SiteTest::fixture("basic");
    for command in ["build", "serve", "check"] {
        let help = site.run(&[command, "--help"]);
        assert_eq!(help.status, 0, "{}", help.stderr);
        let shown = flags_in(&help.stdout);
        let line = usage
            .lines()
            .find(|l| l.starts_with(&format!("communique {command} ")))
            .unwrap_or_else(|| panic!("no usage line for {command}"));
        assert_eq!(flags_in(line), shown, "flags of `communique {command}`");
        for flag in &shown {
            assert!(
                usage.contains(&format!("| `{flag}")),
                "the flag table does not explain {flag}"
            );
        }
    }
}

/// `text` without its inline code spans, so that examples of links are not taken for links.
fn without_code_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let fence = "`".repeat(ticks);
        let after = &rest[start + ticks..];
        rest = after.find(&fence).map_or("", |end| &after[end + ticks..]);
    }
    out.push_str(rest);
    out
}

/// The link targets of a Markdown page, outside fenced blocks and code spans.
fn links_in(markdown: &str) -> Vec<String> {
    let mut prose = String::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence {
            prose.push_str(&without_code_spans(line));
            prose.push('\n');
        }
    }
    prose
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(target, _)| target.to_string()))
        .collect()
}

/// GitHub's anchor for a heading: lower case, letters, digits, `-` and `_` kept, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors_of(markdown: &str) -> BTreeSet<String> {
    let mut in_fence = false;
    let mut anchors = BTreeSet::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            anchors.insert(anchor(line.trim_start_matches('#')));
        }
    }
    anchors
}

#[test]
fn links_between_the_documentation_pages_lead_somewhere() {
    let mut pages: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "benches/README.md"]
        .iter()
        .map(PathBuf::from)
        .collect();
    for entry in std::fs::read_dir(repo().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path.strip_prefix(repo()).unwrap().to_path_buf());
        }
    }
    assert!(pages.len() > 8, "{pages:?}");
    let mut checked = 0;
    for page in &pages {
        let text = read(page.to_str().unwrap());
        for link in links_in(&text) {
            if link.contains("://") || link.starts_with('/') || link.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            let full = repo().join(&target);
            assert!(
                full.exists(),
                "{}: the link {link} leads to no file",
                page.display()
            );
            if !fragment.is_empty() {
                let anchors = anchors_of(&std::fs::read_to_string(&full).unwrap());
                assert!(
                    anchors.contains(fragment),
                    "{}: the link {link} leads to no heading of {} (it has {anchors:?})",
                    page.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} links found");
}

//! `cargo bench --bench serve_rebuild`: `serve`'s rebuild for one edited release at 10,000
//! releases per language. It builds the synthetic archive in memory through `LiveSite`, then
//! edits one release's body on disk again and again and times `rebuild` alone, the whole
//! change (write the file, rebuild, copy the file table as `serve` publishes it, when open
//! pages reload), and the search index catching up afterwards.
//!
//! COMMUNIQUE_BENCH_SIZES=1000,10000 picks the sizes (10,000 by default); the watcher's own
//! debounce (120 ms, so an editor's save is one batch) comes before and is not counted.

// A benchmark reports its figures on standard output.
#![allow(clippy::print_stdout)]

#[path = "support/corpus.rs"]
mod corpus;

use std::path::Path;
use std::time::{Duration, Instant};

use communique::LoadOptions;
use communique::serve::live::LiveSite;
use communique::serve::watch::Rebuild;

/// The allocator of the `communique` binary (`src/main.rs`), so that this in-process
/// benchmark times what `communique` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROUNDS: usize = 15;

fn main() {
    let sizes = corpus::bench_sizes("10000");
    let scratch = corpus::scratch_dir("communique-serve-bench");
    println!(
        "communique serve rebuild benchmark ({} cores, scratch {}, {ROUNDS} edits each)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        scratch.display()
    );
    for &size in &sizes {
        let site = scratch.join(format!("corpus-{size}"));
        corpus::generate(&site, size);
        let start = Instant::now();
        let mut live = LiveSite::build(&site, &LoadOptions::default()).expect("the corpus builds");
        println!(
            "{size} releases per language: {} files built in memory in {:.2} s",
            live.files().len(),
            start.elapsed().as_secs_f64()
        );
        // The newest release (on the home page, first in its lists) and one in the middle.
        for (label, number) in [("newest", size - 1), ("middle", size / 2)] {
            let Some(path) = find_release(&site, number) else {
                continue;
            };
            measure(&site, &mut live, &path, label);
        }
        if let Some(path) = find_release(&site, size / 2) {
            measure_full_content(&site, &mut live, &path);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Edit `path` (relative to the site) `ROUNDS` times and print min and median times.
fn measure(site: &Path, live: &mut LiveSite, path: &str, label: &str) {
    let original = std::fs::read_to_string(site.join(path)).unwrap();
    let page = format!(
        "{}/index.html",
        path.strip_prefix("content/")
            .and_then(|p| p.strip_suffix(".md"))
            .unwrap()
    );
    let rebuild = Rebuild::Content(vec![path.to_string()]);
    let mut rebuilds = Vec::new();
    let mut changes = Vec::new();
    let mut catch_ups = Vec::new();
    let mut rendered = 0;
    for round in 0..ROUNDS {
        let marker = format!("Edited in round {round}.");
        let start = Instant::now();
        std::fs::write(site.join(path), format!("{original}\n{marker}\n")).unwrap();
        let rebuild_start = Instant::now();
        let rebuilt = live.rebuild(&rebuild).expect("the edit rebuilds");
        rebuilds.push(rebuild_start.elapsed());
        // What serve publishes after a rebuild: a copy of the file table.
        let served = live.files().clone();
        changes.push(start.elapsed());
        let html = std::str::from_utf8(&served[&page]).unwrap();
        assert!(html.contains(&marker), "{page} shows the edit");
        assert!(rebuilt.quick, "a body edit takes the quick path");
        rendered = rebuilt.pages_rendered;
        let catch_up_start = Instant::now();
        assert!(live.catch_up().is_some(), "the search index follows");
        catch_ups.push(catch_up_start.elapsed());
    }
    std::fs::write(site.join(path), original).unwrap();
    println!(
        "  {label:>6} release {path}: {rendered} pages rendered; rebuild min {:.1} ms, median {:.1} ms; change to served files min {:.1} ms, median {:.1} ms; search index caught up after min {:.0} ms, median {:.0} ms",
        ms(min(&rebuilds)),
        ms(median(&mut rebuilds)),
        ms(min(&changes)),
        ms(median(&mut changes)),
        ms(min(&catch_ups)),
        ms(median(&mut catch_ups)),
    );
}

/// For comparison: the same edit through the rebuild that reads all content again (taken
/// when a file is added or removed, or a release moves in its lists).
fn measure_full_content(site: &Path, live: &mut LiveSite, path: &str) {
    let original = std::fs::read_to_string(site.join(path)).unwrap();
    // A folder among the changed paths: no quick path.
    let rebuild = Rebuild::Content(vec![path.to_string(), "content/en".to_string()]);
    let mut times = Vec::new();
    for round in 0..3 {
        std::fs::write(
            site.join(path),
            format!("{original}\nFull round {round}.\n"),
        )
        .unwrap();
        let start = Instant::now();
        let rebuilt = live.rebuild(&rebuild).expect("the edit rebuilds");
        times.push(start.elapsed());
        assert!(!rebuilt.quick);
    }
    std::fs::write(site.join(path), original).unwrap();
    println!(
        "  the same edit with all content read again: min {:.0} ms, median {:.0} ms",
        ms(min(&times)),
        ms(median(&mut times)),
    );
}

/// The English file of release number `number`, relative to the site.
fn find_release(site: &Path, number: usize) -> Option<String> {
    let name = format!("release-{number:06}.md");
    walkdir::WalkDir::new(site.join("content/en"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_str() == Some(name.as_str()))
        .map(|e| {
            let relative = e.path().strip_prefix(site).unwrap();
            relative.to_string_lossy().replace('\\', "/")
        })
}

fn min(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

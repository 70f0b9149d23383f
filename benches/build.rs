//! `cargo bench --bench build`: builds synthetic bilingual archives of 1,000, 10,000 and
//! 50,000 releases (per language) with the release binary on tmpfs, and prints pages, wall
//! time, pages per second, peak memory and the time of each stage; with `hugo` installed, it
//! builds the same corpus with Hugo and prints the ratio.
//!
//! COMMUNIQUE_BENCH_SIZES=1000,10000 picks the sizes. Peak memory comes from GNU time
//! (Debian package `time`).

// A benchmark reports its figures on standard output.
#![allow(clippy::print_stdout)]

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/hugo.rs"]
mod hugo;
#[path = "support/measure.rs"]
mod measure;

use std::path::Path;

use measure::{Measured, run_measured};

fn main() {
    let sizes = corpus::bench_sizes("1000,10000,50000");
    let scratch = corpus::scratch_dir("communique-bench");
    println!(
        "communique build benchmark ({} cores, scratch {})",
        num_cores(),
        scratch.display()
    );
    println!(
        "{:>8} {:>8} {:>8} {:>9} {:>10} {:>9}  stages",
        "releases", "files", "pages", "wall s", "pages/s", "peak MB"
    );
    let mut walls = Vec::new();
    for &size in &sizes {
        let site = scratch.join(format!("corpus-{size}"));
        let files = corpus::generate(&site, size);
        let output = scratch.join(format!("out-{size}"));
        let _ = std::fs::remove_dir_all(&output);
        let args = ["build", "--timings", "--output", output.to_str().unwrap()];
        let run = run_measured(Path::new(env!("CARGO_BIN_EXE_communique")), &args, &site);
        let pages = count_html(&output);
        print_row(size, files, pages, &run);
        walls.push((size, run.wall));
        if let Some(hugo_run) = hugo::build(&site, &scratch.join(format!("hugo-{size}"))) {
            println!(
                "{:>8} hugo: {:.2} s, peak {:.0} MB, {} pages; communique is {:.1}x faster, {:.1}x less memory",
                size,
                hugo_run.wall,
                hugo_run.peak_mb,
                hugo_run.pages,
                hugo_run.wall / run.wall,
                hugo_run.peak_mb / run.peak_mb
            );
        }
        let _ = std::fs::remove_dir_all(&output);
    }
    let wall_of = |n: usize| walls.iter().find(|(s, _)| *s == n).map(|(_, w)| *w);
    if let (Some(ten), Some(fifty)) = (wall_of(10_000), wall_of(50_000)) {
        println!(
            "growth 10,000 -> 50,000 releases: {:.2}x the time (5x the releases)",
            fifty / ten
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

fn print_row(size: usize, files: usize, pages: usize, run: &Measured) {
    let stages = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("timings: "))
        .unwrap_or("")
        .to_string();
    println!(
        "{:>8} {:>8} {:>8} {:>9.3} {:>10.0} {:>9.0}  {}",
        size,
        files,
        pages,
        run.wall,
        pages as f64 / run.wall,
        run.peak_mb,
        stages
    );
    assert!(run.success, "build failed:\n{}", run.stderr);
}

fn count_html(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count()
}

fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

//! `cargo bench --bench build`: builds synthetic bilingual archives of 1,000, 10,000 and
//! 50,000 releases (per language) with the release binary on tmpfs, and prints pages, wall
//! time, pages per second, peak memory and the time of each stage; with `hugo` installed, it
//! builds the same corpus with Hugo and prints the ratio.
//!
//! COMMUNIQUE_BENCH_SIZES=1000,10000 picks the sizes; COMMUNIQUE_BENCH_RUNS (3) is how many
//! builds of each size it times: a shared machine's speed changes from one minute to the
//! next, so it prints the best and the median. Peak memory comes from GNU time (Debian
//! package `time`).

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
        "{:>8} {:>8} {:>8} {:>15} {:>15} {:>9}  stages of the best run",
        "releases", "files", "pages", "wall s best/med", "pages/s best", "peak MB"
    );
    let runs = bench_runs();
    let mut walls = Vec::new();
    for &size in &sizes {
        let site = scratch.join(format!("corpus-{size}"));
        let files = corpus::generate(&site, size);
        let output = scratch.join(format!("out-{size}"));
        let args = ["build", "--timings", "--output", output.to_str().unwrap()];
        let measured: Vec<Measured> = (0..runs)
            .map(|_| {
                let _ = std::fs::remove_dir_all(&output);
                let run = run_measured(Path::new(env!("CARGO_BIN_EXE_communique")), &args, &site);
                assert!(run.success, "build failed:\n{}", run.stderr);
                run
            })
            .collect();
        let pages = count_html(&output);
        let summary = Summary::of(&measured);
        print_row(size, files, pages, &summary);
        walls.push((size, summary.best.wall, summary.median));
        if let Some(hugo_run) = hugo::build(&site, &scratch.join(format!("hugo-{size}"))) {
            println!(
                "{:>8} hugo: {:.2} s, peak {:.0} MB, {} pages; communique (median) is {:.1}x faster, {:.1}x less memory",
                size,
                hugo_run.wall,
                hugo_run.peak_mb,
                hugo_run.pages,
                hugo_run.wall / summary.median,
                hugo_run.peak_mb / summary.peak_mb
            );
        }
        let _ = std::fs::remove_dir_all(&output);
    }
    let walls_of = |n: usize| walls.iter().find(|(s, ..)| *s == n);
    if let (Some(ten), Some(fifty)) = (walls_of(10_000), walls_of(50_000)) {
        println!(
            "growth 10,000 -> 50,000 releases (5x the releases): {:.2}x the time (best), {:.2}x (median)",
            fifty.1 / ten.1,
            fifty.2 / ten.2
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The builds of one size: the fastest, the median wall time and the highest peak memory.
struct Summary<'a> {
    best: &'a Measured,
    median: f64,
    peak_mb: f64,
}

impl<'a> Summary<'a> {
    fn of(runs: &'a [Measured]) -> Self {
        let mut walls: Vec<f64> = runs.iter().map(|r| r.wall).collect();
        walls.sort_by(f64::total_cmp);
        let middle = walls.len() / 2;
        let median = if walls.len().is_multiple_of(2) {
            (walls[middle - 1] + walls[middle]) / 2.0
        } else {
            walls[middle]
        };
        Summary {
            best: runs
                .iter()
                .min_by(|a, b| a.wall.total_cmp(&b.wall))
                .expect("at least one run"),
            median,
            peak_mb: runs.iter().map(|r| r.peak_mb).fold(0.0, f64::max),
        }
    }
}

fn print_row(size: usize, files: usize, pages: usize, summary: &Summary) {
    let stages = summary
        .best
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("timings: "))
        .unwrap_or("")
        .to_string();
    println!(
        "{:>8} {:>8} {:>8} {:>15} {:>15.0} {:>9.0}  {}",
        size,
        files,
        pages,
        format!("{:.3} / {:.3}", summary.best.wall, summary.median),
        pages as f64 / summary.best.wall,
        summary.peak_mb,
        stages
    );
}

/// How many builds of each size to time: COMMUNIQUE_BENCH_RUNS, else 3.
fn bench_runs() -> usize {
    std::env::var("COMMUNIQUE_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3)
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

//! communique: a static site generator for a foreign ministry's bilingual news.
//!
//! One pipeline serves every command: [`content::load`] reads and checks the files,
//! [`model::Site::build`] resolves translations, sections and topics, [`render::render`] makes
//! every page, and [`output::Staging`] puts them on disk as they come (or `serve` keeps them in
//! memory). The library never prints: it returns what happened, and `main.rs` reports it.

pub mod check;
pub mod config;
pub mod content;
pub mod error;
mod fitted;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod theme;
pub mod toml_source;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use check::{CheckReport, check};
pub use content::LoadOptions;
pub use error::{SiteErrors, SourceError};
pub use model::Site;
pub use render::OutputFile;

/// What `build` should do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Replaces `output_dir` of config.toml; relative paths are from the current folder.
    pub output: Option<PathBuf>,
    pub load: LoadOptions,
    /// Write into a non-empty folder communique did not make.
    pub force: bool,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub output: PathBuf,
    pub releases: usize,
    /// Releases left out because their date has not come yet (without `--future`).
    pub scheduled: Vec<content::Scheduled>,
    pub files: usize,
    pub write: output::WriteReport,
    pub timings: Timings,
}

/// How long each stage of a build took (`build --timings`). Pages are compared with the
/// output and staged as they render, so `render` includes that; `write` is moving the staged
/// files into place and removing stale ones.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub load: Duration,
    pub model: Duration,
    pub render: Duration,
    pub write: Duration,
}

/// Load and model the site at `root`.
pub fn load(root: &Path, options: &LoadOptions) -> anyhow::Result<Site> {
    let loaded = content::load(root, options)?;
    Ok(modelled(loaded)?)
}

/// The model of what was loaded, refused when two of its files would share an address.
fn modelled(loaded: content::LoadedSite) -> Result<Site, SiteErrors> {
    let site = Site::build(loaded)?;
    let urls = render::urls::Urls::new(&site);
    SiteErrors::check(render::plan::collisions(&site, &urls))?;
    Ok(site)
}

/// Load, render and write the site. Nothing is written unless every page rendered.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildSummary> {
    let mut timings = Timings::default();
    let start = Instant::now();
    let loaded = content::load(&options.root, &options.load)?;
    timings.load = start.elapsed();
    let start = Instant::now();
    let site = modelled(loaded)?;
    timings.model = start.elapsed();
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join(&site.config.output_dir));
    output::check_output_dir(&options.root, &output, options.force)?;
    let start = Instant::now();
    let staging = output::Staging::begin(&output)?;
    let prepared = render::prepared::Prepared::new(&site);
    let staged = render::render_each(&site, &prepared, render::sitemap::MAX_URLS, |file| {
        staging.stage(&file)
    });
    let staged: anyhow::Result<Vec<output::Staged>> = match staged {
        Ok(results) => results.into_iter().collect(),
        Err(errors) => Err(errors.into()),
    };
    let staged = match staged {
        Ok(staged) => staged,
        Err(error) => {
            staging.abort();
            return Err(error);
        }
    };
    timings.render = start.elapsed();
    let start = Instant::now();
    let write = staging.commit(&staged)?;
    timings.write = start.elapsed();
    let summary = BuildSummary {
        output,
        releases: site.releases.len(),
        scheduled: site.scheduled.clone(),
        files: staged.len(),
        write,
        timings,
    };
    drop_in_background((site, prepared, staged));
    Ok(summary)
}

/// Free `value` on a thread of its own. A site is millions of small allocations (70 ms to free
/// at 10,000 releases, on one core): the caller need not wait, and a command that exits right
/// after lets the operating system take the memory back at once. If no thread can be started,
/// the value is freed here.
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("communique-free".into())
        .spawn(move || drop(value));
}

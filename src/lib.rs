//! communique: a static site generator for a foreign ministry's bilingual news.
//!
//! One pipeline serves every command: [`content::load`] reads and checks the files,
//! [`model::Site::build`] resolves translations, sections and topics, [`render::render`] makes
//! every page in memory, and [`output::write`] puts them on disk (or `serve` keeps them in
//! memory). The library never prints: it returns what happened, and `main.rs` reports it.

pub mod config;
pub mod content;
pub mod error;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod search;
pub mod theme;
pub mod toml_source;

use std::path::{Path, PathBuf};

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
    pub files: usize,
    pub write: output::WriteReport,
}

/// Load and model the site at `root`.
pub fn load(root: &Path, options: &LoadOptions) -> anyhow::Result<Site> {
    let loaded = content::load(root, options)?;
    Ok(Site::build(loaded)?)
}

/// Load, render and write the site. Nothing is written unless every page rendered.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildSummary> {
    let site = load(&options.root, &options.load)?;
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join(&site.config.output_dir));
    output::check_output_dir(&options.root, &output, options.force)?;
    let files = render::render(&site)?;
    let write = output::write(&files, &output)?;
    Ok(BuildSummary {
        output,
        releases: site.releases.len(),
        files: files.len(),
        write,
    })
}

/// Everything `build` checks, without writing anything.
pub fn check(root: &Path) -> anyhow::Result<usize> {
    let site = load(root, &LoadOptions::default())?;
    let files = render::render(&site)?;
    Ok(files.len())
}

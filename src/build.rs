//! `build`: the whole pipeline, from the site's files to the output folder.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::check::{
    self,
    links::{Links, Reading},
};
use crate::content::{self, LoadOptions};
use crate::error::{Error, Result, SourceWarning};
use crate::load::modelled;
use crate::model::Site;
use crate::{output, render, theme};

/// What `build` should do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Replaces `output_dir` of config.toml; relative paths are from the current folder.
    pub output: Option<PathBuf>,
    pub load: LoadOptions,
    /// Write into a non-empty folder communique did not make, beside its files (never
    /// replacing or removing one).
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
    /// Files of the site skipped (not regular files, link cycles).
    pub warnings: Vec<SourceWarning>,
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

/// Load, render and write the site. Nothing is written unless every page rendered.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let mut timings = Timings::default();
    let start = Instant::now();
    let loaded = content::load(&options.root, &options.load)?;
    timings.load = start.elapsed();
    let start = Instant::now();
    let site = modelled(loaded)?;
    timings.model = start.elapsed();
    let path = options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join(&site.config.output_dir));
    let start = Instant::now();
    let links = Links::new(&site, link_reading(&site))?;
    let output = output::Output::open(&options.root, &path, options.force)?;
    let prepared = render::prepared::Prepared::new(&site);
    let staged = render::render(&site, &prepared, render::sitemap::MAX_URLS, |file| {
        let scan = links.wants(&file.path).then(|| Links::read(&file.bytes));
        output.stage(&file).map(|staged| (staged, scan))
    });
    let staged: Result<Vec<(output::Staged, Option<check::html::PageScan>)>> = match staged {
        Ok(results) => results
            .into_iter()
            .map(|r| r.map_err(Error::from))
            .collect(),
        Err(errors) => Err(errors),
    };
    let staged = match staged.and_then(|staged| checked_links(&links, staged)) {
        Ok(staged) => staged,
        Err(error) => {
            output.abort();
            return Err(error);
        }
    };
    timings.render = start.elapsed();
    let start = Instant::now();
    let output_dir = output.path().to_path_buf();
    let write = output.commit(&staged)?;
    timings.write = start.elapsed();
    let summary = BuildSummary {
        output: output_dir,
        releases: site.releases.len(),
        scheduled: site.scheduled.clone(),
        files: staged.len(),
        write,
        timings,
        warnings: site.warnings.clone(),
    };
    drop_in_background((site, prepared, staged));
    Ok(summary)
}

/// How much of the rendered site a build reads for links: everything when the site has
/// templates of its own, else what the links written in releases need (the built-in theme
/// makes its links from the model).
fn link_reading(site: &Site) -> Reading {
    let own = site
        .templates
        .iter()
        .any(|(name, text)| !theme::is_builtin_template(name, text));
    if own {
        Reading::Everything
    } else {
        Reading::WhatLinksNeed
    }
}

/// The staged files, once every link of the site leads somewhere.
fn checked_links(
    links: &Links<'_>,
    staged: Vec<(output::Staged, Option<check::html::PageScan>)>,
) -> Result<Vec<output::Staged>> {
    let mut files = Vec::with_capacity(staged.len());
    let mut scans = BTreeMap::new();
    for (file, scan) in staged {
        if let Some(scan) = scan {
            scans.insert(file.path.clone(), scan);
        }
        files.push(file);
    }
    let paths: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    Error::if_any(links.check(&paths, &scans))?;
    Ok(files)
}

/// Free `value` on a thread of its own. A site is millions of small allocations, slow to free
/// on one core: the caller need not wait, and a command that exits right
/// after lets the operating system take the memory back at once. If no thread can be started,
/// the value is freed here.
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("communique-free".into())
        .spawn(move || drop(value));
}

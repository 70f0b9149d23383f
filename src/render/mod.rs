//! The render stage: every page of the site through Tera, in parallel, into an in-memory list
//! of output files (pages, feeds, sitemap, then static files). Nothing is written here.

pub mod feeds;
pub mod i18n;
pub mod pages;
pub mod sitemap;
pub mod templates;
pub mod urls;
pub mod views;

use rayon::prelude::*;

use crate::error::{SiteErrors, SourceError};
use crate::model::Site;
use crate::theme;
use pages::Page;
use views::Shared;

/// A file of the built site: its path under the output root (`/`-separated) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Render the whole site. Template errors come back as `SiteErrors`, every distinct one.
pub fn render(site: &Site) -> Result<Vec<OutputFile>, SiteErrors> {
    render_with_sitemap_limit(site, sitemap::MAX_URLS)
}

/// [`render`] with another limit of URLs per sitemap file, so tests can see the index.
pub fn render_with_sitemap_limit(
    site: &Site,
    sitemap_max_urls: usize,
) -> Result<Vec<OutputFile>, SiteErrors> {
    let tera =
        templates::build_tera(&site.templates).map_err(|e| SiteErrors::check(e).unwrap_err())?;
    let shared = Shared::new(site);
    let pages = pages::all(site);
    let rendered: Vec<Result<OutputFile, SourceError>> = pages
        .par_iter()
        .map(|&page| render_page(&tera, &shared, page))
        .collect();

    let mut files = Vec::with_capacity(rendered.len() + site.static_files.len());
    let mut errors = Vec::new();
    for result in rendered {
        match result {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    SiteErrors::check(errors)?;
    files.extend(feeds::files(&shared));
    files.extend(sitemap::files(&shared, &pages, sitemap_max_urls));
    // A site's own static/robots.txt wins over the generated one.
    if !site.static_files.iter().any(|f| f.path == "robots.txt") {
        files.push(sitemap::robots(&shared));
    }
    files.extend(static_files(site));
    Ok(files)
}

fn render_page(
    tera: &tera::Tera,
    shared: &Shared<'_>,
    page: Page,
) -> Result<OutputFile, SourceError> {
    let context = shared.context(page);
    let mut bytes = Vec::with_capacity(16 * 1024);
    tera.render_to(page.template(), &context, &mut bytes)
        .map_err(|e| templates::to_source_error(&e, page.template()))?;
    Ok(OutputFile {
        path: urls::output_file(&page.path(&shared.urls)),
        bytes,
    })
}

/// The site's static files, and the theme's where the site has none at that path.
fn static_files(site: &Site) -> Vec<OutputFile> {
    let own = site.static_files.iter().map(|f| OutputFile {
        path: f.path.clone(),
        bytes: f.bytes.clone(),
    });
    let theme = theme::STATIC
        .iter()
        .filter(|(path, _)| !site.static_files.iter().any(|f| f.path == *path))
        .map(|(path, bytes)| OutputFile {
            path: path.to_string(),
            bytes: bytes.to_vec(),
        });
    own.chain(theme).collect()
}

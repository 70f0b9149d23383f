//! The render stage: every page of the site through Tera, in parallel, into an in-memory list
//! of output files (pages, then static files). Nothing is written here.

pub mod i18n;
pub mod pages;
pub mod templates;
pub mod urls;
pub mod views;

use rayon::prelude::*;

use crate::error::{SiteErrors, SourceError};
use crate::model::Site;
use crate::search;
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
    let tera =
        templates::build_tera(&site.templates).map_err(|e| SiteErrors::check(e).unwrap_err())?;
    let shared = Shared::new(site);
    let rendered: Vec<Result<OutputFile, SourceError>> = pages::all(site)
        .into_par_iter()
        .map(|page| render_page(&tera, &shared, page))
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
    files.extend(static_files(site));
    files.extend(search::output_files(site, &shared.urls));
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

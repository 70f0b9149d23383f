//! The render stage: every page of the site through Tera, in parallel, into an in-memory list
//! of output files (pages, then static files). Nothing is written here.

pub mod i18n;
pub mod metadata;
pub mod pages;
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
    let tera = tera(&site.templates)?;
    let shared = Shared::new(site);
    let rendered: Vec<Result<OutputFile, SourceError>> = pages::all(site)
        .into_par_iter()
        .map(|page| PageInput::new(&shared, page).render(&tera))
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
    Ok(files)
}

/// Tera with the built-in theme and the site's templates, or every error in those templates.
pub fn tera(site_templates: &[(String, String)]) -> Result<tera::Tera, SiteErrors> {
    templates::build_tera(site_templates).map_err(|e| SiteErrors::check(e).unwrap_err())
}

/// One page ready to render: the file it becomes, its template and everything it shows.
/// `serve` keeps these to re-render only the pages whose context changed.
#[derive(Debug, Clone, PartialEq)]
pub struct PageInput {
    pub path: String,
    pub template: &'static str,
    pub context: tera::Context,
}

impl PageInput {
    pub fn new(shared: &Shared<'_>, page: Page) -> Self {
        PageInput {
            path: urls::output_file(&page.path(&shared.urls)),
            template: page.template(),
            context: shared.context(page),
        }
    }

    /// Render with an already-built Tera.
    pub fn render(&self, tera: &tera::Tera) -> Result<OutputFile, SourceError> {
        let mut bytes = Vec::with_capacity(16 * 1024);
        tera.render_to(self.template, &self.context, &mut bytes)
            .map_err(|e| templates::to_source_error(&e, self.template))?;
        // Every page stays in memory until all are rendered: give back the growth slack.
        bytes.shrink_to_fit();
        Ok(OutputFile {
            path: self.path.clone(),
            bytes,
        })
    }
}

/// The site's static files, and the theme's where the site has none at that path.
fn static_files(site: &Site) -> Vec<OutputFile> {
    static_sources(site)
        .map(|(path, bytes)| OutputFile {
            path: path.to_string(),
            bytes: bytes.to_vec(),
        })
        .collect()
}

/// The static files of the output, borrowed: each path under the output root and its bytes.
pub fn static_sources(site: &Site) -> impl Iterator<Item = (&str, &[u8])> {
    let own = site
        .static_files
        .iter()
        .map(|f| (f.path.as_str(), f.bytes.as_slice()));
    let theme = theme::STATIC
        .iter()
        .filter(|(path, _)| !site.static_files.iter().any(|f| f.path == *path))
        .map(|(path, bytes)| (*path, *bytes));
    own.chain(theme)
}

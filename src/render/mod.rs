//! The render stage: every page of the site through Tera, in parallel, into an in-memory list
//! of output files (pages, feeds, sitemap, then static files). Nothing is written here.

pub mod feeds;
pub mod metadata;
pub mod pages;
pub mod plan;
pub mod prepared;
pub mod sitemap;
pub mod templates;
pub mod views;

use rayon::prelude::*;

use crate::content::Release;
use crate::error::{Error, SourceError};
use crate::model::Site;
use crate::output::OutputFile;
use crate::search;
use crate::theme;
use pages::Page;
use prepared::Prepared;
use templates::SiteTemplates;
use views::Shared;

/// Pages rendered in one go by one thread: about a millisecond of work.
const PAGES_PER_BATCH: usize = 16;
/// Derived files (search documents above all) handed on in one go by one thread.
const FILES_PER_BATCH: usize = 64;

/// Render the whole site over values already prepared from it, and hand each file to `each`
/// as soon as it is made, in parallel (a build writes it to disk and lets it go, so the site
/// is never whole in memory; `check` and `serve` keep it, with `|file| file`). Returns what
/// `each` returned for every file, or every distinct template error (Error::Site). When a
/// template fails, `each` may already have seen other files. The one entry point of the
/// stage: `serve` re-renders single pages with [`render_inputs`], the same page pass.
pub fn render<T: Send>(
    site: &Site,
    prepared: &Prepared,
    sitemap_max_urls: usize,
    each: impl Fn(OutputFile) -> T + Sync + Send,
) -> Result<Vec<T>, Error> {
    let templates = site_templates(&site.templates)?;
    let shared = Shared::new(site, prepared);
    let pages = pages::all(site);
    // Feeds, sitemap, search index and static files are made, and handed on, while the pages
    // render. The pages go in small batches: rayon otherwise splits a list into about as many
    // runs as there are threads, and a run already started cannot be shared, so the thread
    // that finished the derived files could sit idle while the other rendered a quarter of
    // the site alone.
    let (rendered, derived) = rayon::join(
        || {
            pages
                .par_iter()
                .with_max_len(PAGES_PER_BATCH)
                .map(|&page| PageInput::new(&shared, page).render(&templates).map(&each))
                .collect()
        },
        || {
            let mut handed = Vec::new();
            for kind in Derived::ALL {
                for group in kind.groups(&shared, &pages, sitemap_max_urls) {
                    handed.par_extend(
                        group
                            .into_par_iter()
                            .with_max_len(FILES_PER_BATCH)
                            .map(&each),
                    );
                }
            }
            handed.par_extend(static_files(site).into_par_iter().map(&each));
            handed
        },
    );
    let mut results = all_or_errors(rendered)?;
    results.extend(derived);
    Ok(results)
}

/// Render `inputs` in parallel, in a pass of their own: every page, or every distinct
/// template error.
pub fn render_inputs(
    inputs: &[&PageInput],
    templates: &SiteTemplates,
) -> Result<Vec<OutputFile>, Error> {
    templates.start_pass();
    let rendered = inputs
        .par_iter()
        .map(|input| input.render(templates))
        .collect();
    all_or_errors(rendered)
}

/// Every result, or every error (sorted, one per place: one broken template fails many
/// pages, and Tera's message may list what each page had, which differs from page to page).
fn all_or_errors<T>(results: Vec<Result<T, SourceError>>) -> Result<Vec<T>, Error> {
    let mut oks = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(ok) => oks.push(ok),
            Err(error) => errors.push(error),
        }
    }
    errors.sort();
    errors.dedup_by(|a, b| (&a.path, a.line, a.column) == (&b.path, b.line, b.column));
    Error::if_any(errors)?;
    Ok(oks)
}

/// A kind of file made from the whole site rather than one page. A new kind (a search index)
/// is one more variant: `build` and `serve` make every kind listed in [`Derived::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    Feeds,
    /// The search index of each language (`src/search/`).
    Search,
    Sitemap,
    Robots,
}

impl Derived {
    pub const ALL: [Derived; 4] = [
        Derived::Feeds,
        Derived::Search,
        Derived::Sitemap,
        Derived::Robots,
    ];

    /// The files of this kind; `pages` is every page of the site.
    pub fn files(
        self,
        shared: &Shared<'_>,
        pages: &[Page],
        sitemap_max_urls: usize,
    ) -> Vec<OutputFile> {
        self.groups(shared, pages, sitemap_max_urls)
            .flatten()
            .collect()
    }

    /// The files of this kind in groups made one after another, so that a build can write
    /// each group and let it go before the next is made (a search index per language).
    pub fn groups<'a>(
        self,
        shared: &'a Shared<'_>,
        pages: &'a [Page],
        sitemap_max_urls: usize,
    ) -> Box<dyn Iterator<Item = Vec<OutputFile>> + 'a> {
        match self {
            Derived::Search => Box::new(search::files_by_language(shared.site, &shared.urls)),
            Derived::Feeds => Box::new(std::iter::once(feeds::files(shared))),
            Derived::Sitemap => Box::new(std::iter::once(sitemap::files(
                shared,
                pages,
                sitemap_max_urls,
            ))),
            // A site's own static/robots.txt wins over the generated one.
            Derived::Robots if has_own_robots(shared.site) => Box::new(std::iter::empty()),
            Derived::Robots => Box::new(std::iter::once(vec![sitemap::robots(shared)])),
        }
    }

    /// Whether these files can change when a release changes from `old` to `new` in what it
    /// shows only (same file, date, topics, translation and draft state: see `serve`).
    pub fn shows_release_edit(self, old: &Release, new: &Release) -> bool {
        match self {
            // Entries carry the title, summary, body, attachments and dates.
            Derived::Feeds => true,
            // Documents hold the title, summary, body and date of every release.
            Derived::Search => true,
            // Releases' addresses and `lastmod` (their `updated`, else their date).
            Derived::Sitemap => old.updated != new.updated,
            Derived::Robots => false,
        }
    }
}

/// Every file made from the whole site rather than one page: feeds, search index, sitemap,
/// robots.txt.
pub fn derived_files(
    shared: &Shared<'_>,
    pages: &[Page],
    sitemap_max_urls: usize,
) -> Vec<OutputFile> {
    Derived::ALL
        .iter()
        .flat_map(|kind| kind.files(shared, pages, sitemap_max_urls))
        .collect()
}

fn has_own_robots(site: &Site) -> bool {
    site.static_files.iter().any(|f| f.path == "robots.txt")
}

/// Tera with the built-in theme and the site's templates, or every error in those templates.
pub fn site_templates(site_templates: &[(String, String)]) -> Result<SiteTemplates, Error> {
    Ok(SiteTemplates::new(site_templates)?)
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
            path: crate::urls::output_file(&page.path(&shared.urls)),
            template: page.template(),
            context: shared.context(page),
        }
    }

    /// Render with the site's templates, already set up.
    pub fn render(&self, templates: &SiteTemplates) -> Result<OutputFile, SourceError> {
        let mut bytes = Vec::with_capacity(16 * 1024);
        templates.render_to(self.template, &self.context, &mut bytes)?;
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

//! The files a build will make, known before anything renders, so that two of them at one
//! address (a static file where communique makes a page) or a file where another needs a folder
//! (a section folder named `index.html` or `atom.xml`) is an error at its source, in `check`
//! and `build` alike, before anything is written.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::feeds;
use super::pages::{self, Page};
use crate::content::{CONTENT_DIR, STATIC_DIR};
use crate::error::SourceError;
use crate::model::Site;
use crate::search;
use crate::urls::{Urls, output_file};

/// What makes a file of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Maker<'a> {
    /// A file of the site's `static/`, by its path there.
    Static(&'a str),
    Page(Page),
    /// A file made from the whole site (a feed, the sitemap, robots.txt).
    Generated(&'static str),
}

impl Maker<'_> {
    /// Where an editor would change it: a static file or a content file comes first, since
    /// the addresses communique makes itself cannot move.
    fn rank(&self) -> u8 {
        match self {
            Maker::Static(_) => 0,
            Maker::Page(Page::Release(_) | Page::Section(..)) => 1,
            Maker::Page(_) | Maker::Generated(_) => 2,
        }
    }

    /// The file an error about it is reported at.
    fn source(&self, site: &Site) -> PathBuf {
        match *self {
            Maker::Static(path) => PathBuf::from(STATIC_DIR).join(path),
            Maker::Page(Page::Release(id)) => site.releases[id].location.source.clone(),
            Maker::Page(Page::Section(id, _)) => {
                let section = &site.sections[id];
                let code = &site.config.languages[section.lang].code;
                PathBuf::from(CONTENT_DIR).join(code).join(&section.path)
            }
            Maker::Page(_) | Maker::Generated(_) => PathBuf::from(crate::config::CONFIG_FILE),
        }
    }

    /// What it is, for the message about the other one.
    fn describe(&self, site: &Site) -> String {
        let code = |lang: usize| &site.config.languages[lang].code;
        match *self {
            Maker::Static(path) => format!("the static file {STATIC_DIR}/{path}"),
            Maker::Generated(what) => what.to_string(),
            Maker::Page(page) => match page {
                Page::Release(id) => {
                    format!(
                        "the page of {}",
                        site.releases[id].location.source.display()
                    )
                }
                Page::Section(id, _) => {
                    format!("the list page of the section `{}`", site.sections[id].path)
                }
                Page::Root => "the root page (index.html)".into(),
                Page::NotFound => "the not-found page (404.html)".into(),
                Page::Home(lang) => format!("the home page of `{}`", code(lang)),
                Page::TopicIndex(lang) => format!("the topic index of `{}`", code(lang)),
                Page::Search(lang) => format!("the search page of `{}`", code(lang)),
                Page::Topic { topic, .. } => {
                    format!("the page of the topic `{}`", site.config.topics[topic].key)
                }
            },
        }
    }
}

/// Every file the site will have whose path is known before rendering: pages, feeds, the
/// sitemap, robots.txt and the site's static files. The search index's files are known only
/// as its folder, which no other file may use.
fn planned<'a>(site: &'a Site, urls: &Urls<'_>) -> Vec<(String, Maker<'a>)> {
    let mut files: Vec<(String, Maker<'a>)> = pages::all(site)
        .into_iter()
        .map(|page| (output_file(&page.path(urls)), Maker::Page(page)))
        .collect();
    for lang in 0..site.config.languages.len() {
        files.push((
            feeds::language_feed_path(urls, lang),
            Maker::Generated("a feed"),
        ));
        for topic in 0..site.config.topics.len() {
            let path = feeds::topic_feed_path(urls, lang, topic);
            files.push((path, Maker::Generated("a topic's feed")));
        }
        let index = search::index_dir(&site.config.languages[lang].code);
        files.push((index, Maker::Generated("the search index")));
    }
    files.push(("sitemap.xml".into(), Maker::Generated("the sitemap")));
    for file in &site.static_files {
        // A site's own robots.txt replaces the generated one (see `Derived::Robots`).
        files.push((file.path.clone(), Maker::Static(&file.path)));
    }
    if !site.static_files.iter().any(|f| f.path == "robots.txt") {
        files.push(("robots.txt".into(), Maker::Generated("robots.txt")));
    }
    files
}

/// Two files at one address, or a file at an address another needs as its folder: each an
/// error at the one an editor can rename.
pub fn collisions(site: &Site, urls: &Urls<'_>) -> Vec<SourceError> {
    let files = planned(site, urls);
    // Folders that communique fills itself (the search index) end in `/`.
    let (reserved, files): (Vec<_>, Vec<_>) = files.iter().partition(|(p, _)| p.ends_with('/'));
    let mut at: HashMap<&str, Maker<'_>> = HashMap::with_capacity(files.len());
    let mut clashes = Vec::new();
    for (path, maker) in &files {
        match at.get(path.as_str()) {
            Some(other) if other != maker => clashes.push((*other, *maker, Clash::Same(path))),
            _ => {
                at.insert(path, *maker);
            }
        }
    }
    let mut folders_reported = HashSet::new();
    for (path, maker) in &files {
        if let Some((folder, owner)) = reserved.iter().find(|(f, _)| path.starts_with(f.as_str())) {
            clashes.push((*owner, *maker, Clash::Reserved { folder, path }));
        }
        for (i, _) in path.match_indices('/') {
            let folder = &path[..i];
            let Some(file_maker) = at.get(folder).filter(|o| *o != maker) else {
                continue;
            };
            // Every file below a misnamed folder clashes with the same file: say it once.
            if folders_reported.insert(folder) {
                clashes.push((*file_maker, *maker, Clash::Folder { folder, path }));
            }
        }
    }
    clashes
        .into_iter()
        .map(|(first, second, clash)| {
            let (a, b) = (first.describe(site), second.describe(site));
            let message = match clash {
                Clash::Same(file) => {
                    format!("`/{file}` would be made twice, by {a} and by {b}: rename or remove one")
                }
                Clash::Reserved { folder, path } => format!(
                    "`/{path}` is inside `/{folder}`, which holds {a}: rename or move {b}"
                ),
                Clash::Folder { folder, path } => format!(
                    "`/{folder}` would be a file, made by {a}, and the folder of `/{path}`, made by {b}: rename one of them"
                ),
            };
            let reported = if first.rank() <= second.rank() { first } else { second };
            SourceError::new(reported.source(site), 1, 1, message)
        })
        .collect()
}

/// How two planned files clash.
enum Clash<'a> {
    /// Both at this path.
    Same(&'a str),
    /// The second is inside `folder`, which the first fills.
    Reserved { folder: &'a str, path: &'a str },
    /// The first is a file at `folder`, which the second needs as the folder of `path`.
    Folder { folder: &'a str, path: &'a str },
}

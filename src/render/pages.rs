//! Which pages a site has: one `Page` per output HTML file, each knowing its template, its
//! address and its counterparts in the other languages.

use crate::model::{ReleaseId, SectionId, Site};
use crate::urls::Urls;

/// How many related releases a release page shows.
pub const RELATED_COUNT: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `index.html`: sends the visitor to the default language.
    Root,
    /// `404.html`, in every language.
    NotFound,
    Home(usize),
    Release(ReleaseId),
    /// A section's list page `number` (1-based).
    Section(SectionId, usize),
    TopicIndex(usize),
    Topic {
        lang: usize,
        topic: usize,
        number: usize,
    },
    /// `/<lang>/search/`: the search page, filled in the browser by search.js.
    Search(usize),
}

/// A page of a list: which slice of the items it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSlice {
    pub number: usize,
    pub total: usize,
    pub start: usize,
    pub end: usize,
}

impl PageSlice {
    pub fn new(number: usize, items: usize, per_page: usize) -> Self {
        let total = items.div_ceil(per_page).max(1);
        let start = ((number - 1) * per_page).min(items);
        PageSlice {
            number,
            total,
            start,
            end: (start + per_page).min(items),
        }
    }
}

/// The number of list pages for `items` items.
pub fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// Every page of the site, in a stable order.
pub fn all(site: &Site) -> Vec<Page> {
    let per_page = site.config.per_page;
    let mut pages = vec![Page::Root, Page::NotFound];
    for lang in 0..site.config.languages.len() {
        pages.push(Page::Home(lang));
        pages.push(Page::TopicIndex(lang));
        pages.push(Page::Search(lang));
        for topic in 0..site.config.topics.len() {
            for number in 1..=page_count(site.by_topic[lang][topic].len(), per_page) {
                pages.push(Page::Topic {
                    lang,
                    topic,
                    number,
                });
            }
        }
    }
    for (id, section) in site.sections.iter().enumerate() {
        for number in 1..=page_count(section.releases.len(), per_page) {
            pages.push(Page::Section(id, number));
        }
    }
    pages.extend((0..site.releases.len()).map(Page::Release));
    pages
}

/// Every page whose context shows release `id`'s list entry or content, derived from the
/// model's lists as [`all`] derives the pages: the release's own page; each list page it is
/// on (its sections', its topics', its language's home); the release pages that show it as
/// newer, older or related. Its translations' pages show only its address, and the topic
/// and section counts only how many releases a list has, so an edit that moves it in no list
/// changes no other page. `serve` re-renders these when only what the release shows changed.
pub fn showing(site: &Site, id: ReleaseId) -> Vec<Page> {
    let per_page = site.config.per_page;
    let release = &site.releases[id];
    let lang = release.location.lang;
    // Every list holds releases in id order (the model's order, newest first).
    let position = |list: &[ReleaseId]| list.binary_search(&id).ok();
    let number = |position: usize| position / per_page + 1;
    let mut pages = vec![Page::Release(id)];
    if position(&site.by_language[lang]).is_some_and(|p| p < per_page) {
        pages.push(Page::Home(lang));
    }
    let folders = &release.location.folders;
    for depth in 1..=folders.len() {
        let section = site.section(lang, &folders[..depth].join("/"));
        if let Some(section) = section
            && let Some(p) = position(&site.sections[section].releases)
        {
            pages.push(Page::Section(section, number(p)));
        }
    }
    let (newer, older) = site.neighbours(id);
    pages.extend(newer.into_iter().chain(older).map(Page::Release));
    for &topic in &release.topics {
        let list = &site.by_topic[lang][topic];
        let Some(p) = position(list) else { continue };
        pages.push(Page::Topic {
            lang,
            topic,
            number: number(p),
        });
        // Related releases come from each topic's list within this window around a release.
        let window = p.saturating_sub(RELATED_COUNT)..(p + RELATED_COUNT + 1).min(list.len());
        pages.extend(
            list[window]
                .iter()
                .filter(|&&other| other != id && site.related(other, RELATED_COUNT).contains(&id))
                .map(|&other| Page::Release(other)),
        );
    }
    let mut unique = Vec::with_capacity(pages.len());
    for page in pages {
        if !unique.contains(&page) {
            unique.push(page);
        }
    }
    unique
}

impl Page {
    pub fn template(&self) -> &'static str {
        match self {
            Page::Root => "root.html",
            Page::NotFound => "404.html",
            Page::Home(_) => "home.html",
            Page::Release(_) => "release.html",
            Page::Section(..) => "section.html",
            Page::TopicIndex(_) => "topics.html",
            Page::Topic { .. } => "topic.html",
            Page::Search(_) => "search.html",
        }
    }

    /// The page's language; the root and 404 pages count as the default language's.
    pub fn lang(&self, site: &Site) -> usize {
        match *self {
            Page::Root | Page::NotFound => site.config.default_language,
            Page::Home(lang)
            | Page::TopicIndex(lang)
            | Page::Topic { lang, .. }
            | Page::Search(lang) => lang,
            Page::Release(id) => site.releases[id].location.lang,
            Page::Section(id, _) => site.sections[id].lang,
        }
    }

    /// Its address relative to the output root (`ko/topics/`), or its file for the 404 page.
    pub fn path(&self, urls: &Urls<'_>) -> String {
        match *self {
            Page::Root => String::new(),
            Page::NotFound => "404.html".into(),
            Page::Home(lang) => urls.home(lang),
            Page::Release(id) => urls.release(id),
            Page::Section(id, number) => urls.section(id, number),
            Page::TopicIndex(lang) => urls.topic_index(lang),
            Page::Topic {
                lang,
                topic,
                number,
            } => urls.topic(lang, topic, number),
            Page::Search(lang) => urls.home(lang) + "search/",
        }
    }

    /// The same page in language `lang`: `Ok` when it exists there, `Err` with the page to
    /// offer instead (the release's section there, else that language's home).
    pub fn counterpart(&self, site: &Site, lang: usize) -> Result<Page, Page> {
        match *self {
            Page::Root | Page::NotFound | Page::Home(_) => Ok(Page::Home(lang)),
            Page::TopicIndex(_) => Ok(Page::TopicIndex(lang)),
            Page::Search(_) => Ok(Page::Search(lang)),
            Page::Topic { topic, .. } => Ok(Page::Topic {
                lang,
                topic,
                number: 1,
            }),
            Page::Release(id) => match site.translations[id][lang] {
                Some(other) => Ok(Page::Release(other)),
                None => {
                    let section = site.release_section[id];
                    let top = site.section(
                        site.sections[section].lang,
                        top_folder(&site.sections[section].path),
                    );
                    Err(section_in(site, top.unwrap_or(section), lang))
                }
            },
            Page::Section(id, _) => match site.section_counterpart(id, lang) {
                Some(other) => Ok(Page::Section(other, 1)),
                None => Err(Page::Home(lang)),
            },
        }
    }
}

fn top_folder(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

fn section_in(site: &Site, section: SectionId, lang: usize) -> Page {
    site.section_counterpart(section, lang)
        .map_or(Page::Home(lang), |s| Page::Section(s, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every page's context, in the order of [`all`].
    fn contexts(site: &Site) -> Vec<tera::Context> {
        let prepared = crate::render::prepared::Prepared::new(site);
        let shared = crate::render::views::Shared::new(site, &prepared);
        all(site).into_iter().map(|p| shared.context(p)).collect()
    }

    /// A site of releases in nested sections sharing topics, so that release pages show
    /// releases from other sections as related, beyond their neighbours.
    fn interlinked_site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        std::fs::copy(fixture.join("config.toml"), dir.path().join("config.toml")).unwrap();
        let sections = ["press-releases", "briefings/2022", "speeches"];
        let topics = [
            r#"["dprk"]"#,
            r#"["climate"]"#,
            r#"["dprk", "climate"]"#,
            "[]",
        ];
        for i in 0..14 {
            for lang in ["en", "ko"].into_iter().take(1 + i % 2) {
                let folder = dir.path().join("content").join(lang).join(sections[i % 3]);
                std::fs::create_dir_all(&folder).unwrap();
                let text = format!(
                    "+++\ntitle = \"Release {i}\"\ndate = 2022-01-{:02}T10:00:00+09:00\ntopics = {}\n+++\nText {i}.\n",
                    i + 1,
                    topics[i % 4]
                );
                std::fs::write(folder.join(format!("release-{i}.md")), text).unwrap();
            }
        }
        dir
    }

    #[test]
    fn showing_is_every_page_whose_context_shows_the_release() {
        let interlinked = interlinked_site();
        let basic = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        for root in [basic.as_path(), interlinked.path()] {
            for per_page in [1, 2, 20] {
                let mut site = crate::load(root, &crate::LoadOptions::default()).unwrap();
                site.config.per_page = per_page;
                let before = contexts(&site);
                for id in 0..site.releases.len() {
                    // The brute force: mark what the release shows, see which contexts change.
                    let title = std::mem::replace(&mut site.releases[id].title, "\u{1}".into());
                    let after = contexts(&site);
                    site.releases[id].title = title;
                    let expected: Vec<Page> = all(&site)
                        .into_iter()
                        .zip(before.iter().zip(&after))
                        .filter(|(_, (b, a))| b != a)
                        .map(|(page, _)| page)
                        .collect();
                    let showing = showing(&site, id);
                    let case = format!("release {id}, per_page {per_page}, {}", root.display());
                    for page in &expected {
                        assert!(showing.contains(page), "{page:?} shows {case}");
                    }
                    for page in &showing {
                        assert!(expected.contains(page), "{page:?} does not show {case}");
                    }
                }
            }
        }
    }

    #[test]
    fn slices_cover_every_item_once() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(41, 20), 3);
        let last = PageSlice::new(3, 41, 20);
        assert_eq!((last.start, last.end, last.total), (40, 41, 3));
        let empty = PageSlice::new(1, 0, 20);
        assert_eq!((empty.start, empty.end), (0, 0));
    }
}

//! Which pages a site has: one `Page` per output HTML file, each knowing its template, its
//! address and its counterparts in the other languages.

use crate::model::{ReleaseId, SectionId, Site};
use crate::render::urls::Urls;

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
            Page::Search(lang) => format!("{}search/", urls.home(lang)),
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

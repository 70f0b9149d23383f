//! The values made once per site and shared by every page (per language: strings, menu; per
//! release: its list entry; the address tables), owned so that `serve` keeps them from one
//! rebuild to the next and updates one release's entry when only that release changed.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::Value;

use super::i18n::{self, DateView, Strings};
use super::metadata::og_locale;
use super::urls::{UrlPaths, Urls};
use crate::model::{ReleaseId, Site};

/// Everything pages share, made from one site; [`super::views::Shared`] is the borrowed view.
pub struct Prepared {
    paths: UrlPaths,
    pub strings: Vec<Strings>,
    date_formats: Vec<String>,
    /// Per language: `lang`, `t` and `menu`.
    pub(super) language_values: Vec<LanguageValues>,
    pub(super) site_value: Value,
    /// Per release: its entry in lists (`items`, `related`, `newer`...).
    pub summaries: Vec<Value>,
    /// Per static file of the site (path under static/): its size in bytes.
    pub(super) static_sizes: HashMap<String, usize>,
}

pub(super) struct LanguageValues {
    pub(super) lang: Value,
    pub(super) strings: Value,
    pub(super) menu: Value,
}

#[derive(Serialize)]
pub(super) struct LinkView {
    pub(super) title: String,
    pub(super) url: String,
}

#[derive(Serialize)]
pub(super) struct TopicView {
    key: String,
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct SummaryView<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    lang: &'a str,
    date: DateView,
    updated: Option<DateView>,
    summary: &'a str,
    place: Option<&'a str>,
    number: Option<&'a str>,
    draft: bool,
    section: LinkView,
    topics: Vec<TopicView>,
}

impl Prepared {
    pub fn new(site: &Site) -> Self {
        let paths = UrlPaths::new(site);
        let urls = Urls::with_paths(site, &paths);
        let config = &site.config;
        let strings = i18n::strings_for(&config.languages);
        let date_formats: Vec<String> = config.languages.iter().map(i18n::date_format).collect();
        let lang_view = |lang: usize| {
            let language = &config.languages[lang];
            plain::Lang {
                code: &language.code,
                name: &language.name,
                title: &language.title,
                home: urls.link(&urls.home(lang)),
                locale: og_locale(&language.code),
            }
        };
        let language_values = (0..config.languages.len())
            .map(|lang| {
                let menu: Vec<LinkView> = site.menu[lang]
                    .iter()
                    .map(|&s| LinkView {
                        title: site.sections[s].title.clone(),
                        url: urls.link(&urls.section(s, 1)),
                    })
                    .collect();
                LanguageValues {
                    lang: Value::from_serializable(&lang_view(lang)),
                    strings: Value::from_serializable(&strings[lang]),
                    menu: Value::from_serializable(&menu),
                }
            })
            .collect();
        let site_value = Value::from_serializable(&plain::SiteView {
            base_url: &config.base_url,
            base_path: config.base_path(),
            default_language: &config.languages[config.default_language].code,
            languages: (0..config.languages.len()).map(lang_view).collect(),
        });
        let summaries = (0..site.releases.len())
            .into_par_iter()
            .map(|id| summary(site, &urls, &date_formats, id))
            .collect();
        let static_sizes = site
            .static_files
            .iter()
            .map(|f| (f.path.clone(), f.bytes.len()))
            .collect();
        Prepared {
            paths,
            strings,
            date_formats,
            language_values,
            site_value,
            summaries,
            static_sizes,
        }
    }

    /// The addresses of `site`, which must be the site these values were made from (or one
    /// with the same files).
    pub fn urls<'a>(&'a self, site: &'a Site) -> Urls<'a> {
        Urls::with_paths(site, &self.paths)
    }

    /// Release `id` changed in what it shows but not in where it is listed (its file, date,
    /// topics, translation and draft state are as before): make its list entry again.
    pub fn update_release(&mut self, site: &Site, id: ReleaseId) {
        let summary = summary(
            site,
            &Urls::with_paths(site, &self.paths),
            &self.date_formats,
            id,
        );
        self.summaries[id] = summary;
    }

    pub(super) fn date(&self, date: &jiff::ZonedDateTime, lang: usize) -> DateView {
        i18n::date_view(date, &self.date_formats[lang])
    }
}

pub(super) fn topic_view(site: &Site, urls: &Urls<'_>, lang: usize, topic: usize) -> TopicView {
    TopicView {
        key: site.config.topics[topic].key.clone(),
        name: site.config.topics[topic].names[lang].clone(),
        url: urls.link(&urls.topic(lang, topic, 1)),
        count: site.by_topic[lang][topic].len(),
    }
}

/// A release's entry in lists.
fn summary(site: &Site, urls: &Urls<'_>, date_formats: &[String], id: ReleaseId) -> Value {
    let release = &site.releases[id];
    let lang = release.location.lang;
    let section = site.release_section[id];
    let path = urls.release(id);
    let date = |d: &jiff::ZonedDateTime| i18n::date_view(d, &date_formats[lang]);
    Value::from_serializable(&SummaryView {
        title: &release.title,
        url: urls.link(&path),
        permalink: urls.permalink(&path),
        lang: &site.config.languages[lang].code,
        date: date(&release.date),
        updated: release.updated.as_ref().map(date),
        summary: &release.summary,
        place: release.place.as_deref(),
        number: release.number.as_deref(),
        draft: release.draft,
        section: LinkView {
            title: site.sections[section].title.clone(),
            url: urls.link(&urls.section(section, 1)),
        },
        topics: release
            .topics
            .iter()
            .map(|&t| topic_view(site, urls, lang, t))
            .collect(),
    })
}

/// Plain views of a language and the site, shared by the structures above.
mod plain {
    use serde::Serialize;

    #[derive(Serialize)]
    pub struct Lang<'a> {
        pub code: &'a str,
        pub name: &'a str,
        pub title: &'a str,
        pub home: String,
        /// For Open Graph: `ko_KR`.
        pub locale: String,
    }

    #[derive(Serialize)]
    pub struct SiteView<'a> {
        pub base_url: &'a str,
        pub base_path: &'a str,
        pub default_language: &'a str,
        pub languages: Vec<Lang<'a>>,
    }
}

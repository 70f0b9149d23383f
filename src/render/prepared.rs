//! The values made once per site and shared by every page (per language: strings, menu; per
//! release: its list entry; the address tables), owned so that `serve` keeps them from one
//! rebuild to the next and updates one release's entry when only that release changed.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::Value;

use super::feeds;
use super::metadata::og_locale;
use crate::i18n::{self, Strings};
use crate::model::{ReleaseId, Site};
use crate::urls::{UrlPaths, Urls};

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
    /// Per language, per topic: its entry (`key`, `name`, `url`, `count`), in every summary
    /// and topic list that shows it.
    pub(super) topic_values: Vec<Vec<Value>>,
    /// Per section: its link (`title`, `url`), in every summary of a release it holds.
    section_links: Vec<Value>,
    /// Per section: the breadcrumbs of the releases in it.
    pub(super) release_breadcrumbs: Vec<Value>,
    /// Per static file of the site (path under static/): its size in bytes.
    pub(super) static_sizes: HashMap<String, usize>,
}

pub(super) struct LanguageValues {
    pub(super) lang: Value,
    pub(super) strings: Value,
    pub(super) menu: Value,
    /// The feeds a page links in its head: the language's feed (a topic page adds its own).
    pub(super) feeds: Value,
    /// For Open Graph: `ko_KR`.
    pub(super) locale: String,
}

#[derive(Serialize)]
pub(super) struct LinkView {
    pub(super) title: String,
    pub(super) url: String,
}

#[derive(Serialize)]
struct TopicView {
    key: String,
    name: String,
    url: String,
    count: usize,
}

impl Prepared {
    pub fn new(site: &Site) -> Self {
        let paths = UrlPaths::new(site);
        let urls = Urls::with_paths(site, &paths);
        let config = &site.config;
        let strings = i18n::strings_for(&config.languages);
        let date_formats: Vec<String> = config.languages.iter().map(i18n::date_format).collect();
        let locales: Vec<String> = config
            .languages
            .iter()
            .map(|l| og_locale(&l.code))
            .collect();
        let lang_view = |lang: usize| {
            let language = &config.languages[lang];
            plain::Lang {
                code: &language.code,
                name: &language.name,
                title: &language.title,
                home: urls.link(&urls.home(lang)),
                locale: &locales[lang],
            }
        };
        let section_links: Vec<Value> = (0..site.sections.len())
            .map(|s| safe_value(&section_link(site, &urls, s)))
            .collect();
        let language_values = (0..config.languages.len())
            .map(|lang| {
                let menu: Vec<Value> = site.menu[lang]
                    .iter()
                    .map(|&s| section_links[s].clone())
                    .collect();
                LanguageValues {
                    lang: safe_value(&lang_view(lang)),
                    strings: safe_value(&strings[lang]),
                    menu: menu.into(),
                    feeds: safe_value(&[feed_link(site, &urls, lang, None)]),
                    locale: locales[lang].clone(),
                }
            })
            .collect();
        let site_value = safe_value(&plain::SiteView {
            base_url: &config.base_url,
            base_path: config.base_path(),
            default_language: &config.languages[config.default_language].code,
            languages: (0..config.languages.len()).map(lang_view).collect(),
        });
        let topic_values = (0..config.languages.len())
            .map(|lang| {
                (0..config.topics.len())
                    .map(|t| safe_value(&topic_view(site, &urls, lang, t)))
                    .collect()
            })
            .collect();
        let release_breadcrumbs = (0..site.sections.len())
            .map(|s| {
                let lang = site.sections[s].lang;
                safe_value(&crumbs_to(site, &urls, &strings[lang], s))
            })
            .collect();
        let mut prepared = Prepared {
            paths,
            strings,
            date_formats,
            language_values,
            site_value,
            summaries: Vec::new(),
            topic_values,
            section_links,
            release_breadcrumbs,
            static_sizes: HashMap::new(),
        };
        prepared.summaries = (0..site.releases.len())
            .into_par_iter()
            .map(|id| prepared.summary(site, id))
            .collect();
        prepared.static_sizes = site
            .static_files
            .iter()
            .map(|f| (f.path.clone(), f.bytes.len()))
            .collect();
        prepared
    }

    /// The addresses of `site`, which must be the site these values were made from (or one
    /// with the same files).
    pub fn urls<'a>(&'a self, site: &'a Site) -> Urls<'a> {
        Urls::with_paths(site, &self.paths)
    }

    /// Release `id` changed in what it shows but not in where it is listed (its file, date,
    /// topics, translation and draft state are as before): make its list entry again.
    pub fn update_release(&mut self, site: &Site, id: ReleaseId) {
        self.summaries[id] = self.summary(site, id);
    }

    /// A release's entry in lists. Built from values rather than from a struct of strings:
    /// every release has one, and its section's link and its topics' entries are shared, not
    /// made again.
    fn summary(&self, site: &Site, id: ReleaseId) -> Value {
        let urls = self.urls(site);
        let release = &site.releases[id];
        let lang = release.location.lang;
        let path = urls.release(id);
        let date =
            |d: &jiff::ZonedDateTime| safe_value(&i18n::date_view(d, &self.date_formats[lang]));
        let topics: Vec<Value> = release
            .topics
            .iter()
            .map(|&t| self.topic_values[lang][t].clone())
            .collect();
        map([
            ("title", text(&release.title)),
            ("url", text(&urls.link(&path))),
            ("permalink", text(&urls.permalink(&path))),
            ("lang", text(&site.config.languages[lang].code)),
            ("date", date(&release.date)),
            ("updated", release.updated.as_ref().map(date).into()),
            ("summary", text(&release.summary)),
            ("place", release.place.as_deref().map(text).into()),
            ("number", release.number.as_deref().map(text).into()),
            ("draft", release.draft.into()),
            (
                "section",
                self.section_links[site.release_section[id]].clone(),
            ),
            ("topics", topics.into()),
        ])
    }
}

fn topic_view(site: &Site, urls: &Urls<'_>, lang: usize, topic: usize) -> TopicView {
    TopicView {
        key: site.config.topics[topic].key.clone(),
        name: site.config.topics[topic].names[lang].clone(),
        url: urls.link(&urls.topic(lang, topic, 1)),
        count: site.by_topic[lang][topic].len(),
    }
}

/// The link to a feed for a page's head: its language's, or a topic's in that language.
pub(super) fn feed_link(
    site: &Site,
    urls: &Urls<'_>,
    lang: usize,
    topic: Option<usize>,
) -> LinkView {
    let path = match topic {
        Some(topic) => feeds::topic_feed_path(urls, lang, topic),
        None => feeds::language_feed_path(urls, lang),
    };
    LinkView {
        title: feeds::feed_title(site, lang, topic),
        url: urls.permalink(&path),
    }
}

/// The breadcrumbs down to `section`, itself included: its language's home, then each
/// section from the top.
pub(super) fn crumbs_to(
    site: &Site,
    urls: &Urls<'_>,
    strings: &Strings,
    section: usize,
) -> Vec<LinkView> {
    let lang = site.sections[section].lang;
    let home = home_link(urls, strings, lang);
    let parts: Vec<&str> = site.sections[section].path.split('/').collect();
    let above = (1..=parts.len())
        .filter_map(|depth| site.section(lang, &parts[..depth].join("/")))
        .map(|s| section_link(site, urls, s));
    std::iter::once(home).chain(above).collect()
}

/// The first breadcrumb of every page below a home: the home of language `lang`, named in
/// its `strings`.
pub(super) fn home_link(urls: &Urls<'_>, strings: &Strings, lang: usize) -> LinkView {
    LinkView {
        title: strings["home"].clone(),
        url: urls.link(&urls.home(lang)),
    }
}

/// A section's link: its title, and the address of its first page.
fn section_link(site: &Site, urls: &Urls<'_>, section: usize) -> LinkView {
    LinkView {
        title: site.sections[section].title.clone(),
        url: urls.link(&urls.section(section, 1)),
    }
}

/// `value` with every string in it that HTML escaping leaves as it is marked safe: tera then
/// writes such a string as it is instead of scanning it again on every page that shows it. The
/// page is the same byte for byte; strings with `&<>"'` are escaped as before.
fn marked_safe(value: Value) -> Value {
    if let Some(text) = value.as_str() {
        return if needs_escaping(text) {
            value
        } else {
            value.mark_safe()
        };
    }
    if let Some(items) = value.as_array() {
        return items
            .iter()
            .cloned()
            .map(marked_safe)
            .collect::<Vec<_>>()
            .into();
    }
    if value.is_map() {
        let map = value.into_map().expect("a map");
        return map
            .into_iter()
            .map(|(key, value)| (key, marked_safe(value)))
            .collect::<tera::Map>()
            .into();
    }
    value
}

/// `value` as a template value, its strings [`marked_safe`].
fn safe_value(value: &(impl Serialize + ?Sized)) -> Value {
    marked_safe(Value::from_serializable(value))
}

/// A string for templates, [`marked_safe`] when it can be.
fn text(text: &str) -> Value {
    marked_safe(text.into())
}

/// Whether tera's HTML escaping changes `text` (the characters of `tera::escape_html`).
fn needs_escaping(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
}

/// A map value of `entries`. Made through serde as a struct would be: tera fills one table
/// of the right size and takes the values as they are (sharing what they share), where
/// collecting a `tera::Map` and converting it inserted every entry twice.
pub(super) fn map<const N: usize>(entries: [(&'static str, Value); N]) -> Value {
    Value::from_serializable(&Entries(entries))
}

/// Named entries, serialized as the fields of a struct.
struct Entries<const N: usize>([(&'static str, Value); N]);

impl<const N: usize> Serialize for Entries<N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut map = serializer.serialize_struct("map", N)?;
        for (key, value) in &self.0 {
            map.serialize_field(key, value)?;
        }
        map.end()
    }
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
        pub locale: &'a str,
    }

    #[derive(Serialize)]
    pub struct SiteView<'a> {
        pub base_url: &'a str,
        pub base_path: &'a str,
        pub default_language: &'a str,
        pub languages: Vec<Lang<'a>>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::DateView;

    /// A summary as serde would write it: what the map built by hand must equal.
    #[derive(Serialize)]
    struct SerializedSummary<'a> {
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

    #[test]
    fn summaries_built_by_hand_are_what_serde_makes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for site_root in [root.join("tests/fixtures/basic"), root.to_path_buf()] {
            let site = crate::load(&site_root, &crate::LoadOptions::default()).unwrap();
            let prepared = Prepared::new(&site);
            let urls = prepared.urls(&site);
            assert!(!site.releases.is_empty());
            for (id, release) in site.releases.iter().enumerate() {
                let lang = release.location.lang;
                let format = i18n::date_format(&site.config.languages[lang]);
                let date = |d: &jiff::ZonedDateTime| i18n::date_view(d, &format);
                let section = site.release_section[id];
                let path = urls.release(id);
                let expected = Value::from_serializable(&SerializedSummary {
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
                        .map(|&t| topic_view(&site, &urls, lang, t))
                        .collect(),
                });
                assert!(prepared.summaries[id] == expected, "{}", release.title);
            }
        }
    }

    #[test]
    fn only_strings_that_escaping_leaves_alone_are_marked_safe() {
        let value = Value::from_serializable(&serde_json::json!({
            "plain": "외교부 Ministry 2024-02-01",
            "quoted": "Ministers' Meeting",
            "list": ["/ko/x/", "a & b", {"inner": "<b>", "url": "/en/"}],
            "count": 3,
        }));
        let marked = marked_safe(value.clone());
        assert_eq!(marked, value, "the same values");
        let map = marked.as_map().unwrap();
        let get = |map: &tera::Map, name: &'static str| map[&tera::value::Key::Str(name)].clone();
        assert!(get(map, "plain").is_safe());
        assert!(!get(map, "quoted").is_safe());
        let list = get(map, "list");
        let list = list.as_array().unwrap();
        assert!(list[0].is_safe());
        assert!(!list[1].is_safe());
        let inner = list[2].as_map().unwrap();
        assert!(!get(inner, "inner").is_safe());
        assert!(get(inner, "url").is_safe());

        // Rendered, a marked value is what escaping the unmarked one gives.
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t.html", "{{ v.plain }}|{{ v.quoted }}|{{ v.list }}")
            .unwrap();
        let render = |v: &Value| {
            let mut context = tera::Context::new();
            context.insert_value("v", v.clone());
            tera.render("t.html", &context).unwrap()
        };
        assert_eq!(render(&marked), render(&value));
    }
}

//! What each template sees: a small context per page, assembled from values prepared once per
//! site (`prepared.rs`: per language strings and menu, per release its list entry), so no page
//! copies the site.
//! Tera values share their arrays and maps, so reusing a built value costs a reference count.

use serde::Serialize;
use tera::{Context, Value};

use super::pages::{Page, PageSlice, RELATED_COUNT};
use super::prepared::{LinkView, Prepared, crumbs_to, feed_link, home_link, map};
use crate::i18n::Strings;
use crate::model::{ReleaseId, Site};
use crate::urls::Urls;

/// What a page's context is made of: the site, and the values prepared from it once.
pub struct Shared<'a> {
    pub site: &'a Site,
    pub urls: Urls<'a>,
    pub strings: &'a [Strings],
    prepared: &'a Prepared,
}

#[derive(Serialize)]
struct AttachmentView<'a> {
    title: &'a str,
    url: String,
    /// The file type from its extension: `PDF`.
    kind: String,
    /// The size in bytes, when the file is in static/.
    size: Option<usize>,
    /// The size for people: `1.2 MB`.
    size_display: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct SwitcherEntry {
    code: String,
    /// For Open Graph: `en_US`.
    locale: String,
    name: String,
    url: String,
    current: bool,
    /// False when the page has no version in that language and `url` goes elsewhere.
    available: bool,
    /// In that language: why the link goes elsewhere.
    note: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Alternate {
    pub(crate) hreflang: String,
    pub(crate) href: String,
}

#[derive(Serialize)]
struct PaginationView {
    current: usize,
    total: usize,
    items_total: usize,
    previous: Option<String>,
    next: Option<String>,
    /// A window of page links around the current one, plus the first and the last.
    pages: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

impl<'a> Shared<'a> {
    /// A view of `site` over values prepared from it (or from a site with the same files).
    pub fn new(site: &'a Site, prepared: &'a Prepared) -> Self {
        Shared {
            site,
            urls: prepared.urls(site),
            strings: &prepared.strings,
            prepared,
        }
    }

    /// The context of one page.
    pub fn context(&self, page: Page) -> Context {
        let site = self.site;
        let lang = page.lang(site);
        let path = page.path(&self.urls);
        let values = &self.prepared.language_values[lang];
        let mut context = Context::new();
        context.insert_value("site", self.prepared.site_value.clone());
        context.insert_value("lang", values.lang.clone());
        context.insert_value("t", values.strings.clone());
        context.insert_value("menu", values.menu.clone());

        let [title, description, url, permalink] = self.page_values(page, lang, &path);
        let (switcher, alternates) = self.translations_of(page);
        context.insert_value(
            "page",
            map([
                ("kind", kind(page).into()),
                ("title", title),
                ("description", description),
                ("url", url),
                ("permalink", permalink),
                ("switcher", Value::from_serializable(&switcher)),
                ("alternates", Value::from_serializable(&alternates)),
                ("feeds", self.feeds_of(page, lang)),
            ]),
        );
        context.insert_value("breadcrumbs", self.breadcrumbs(page, lang));

        match page {
            Page::Root | Page::NotFound => {
                let languages: Vec<Value> = (0..site.config.languages.len())
                    .map(|l| {
                        map([
                            ("lang", self.prepared.language_values[l].lang.clone()),
                            ("t", self.prepared.language_values[l].strings.clone()),
                        ])
                    })
                    .collect();
                context.insert_value("languages", languages.into());
            }
            Page::Home(lang) => {
                let latest = &site.by_language[lang]
                    [..site.by_language[lang].len().min(site.config.per_page)];
                context.insert_value("items", self.items(latest));
                context.insert_value("total", site.by_language[lang].len().into());
                let sections: Vec<SectionCount> = site.menu[lang]
                    .iter()
                    .map(|&s| SectionCount {
                        title: site.sections[s].title.clone(),
                        url: self.urls.link(&self.urls.section(s, 1)),
                        count: site.sections[s].releases.len(),
                    })
                    .collect();
                context.insert_value("sections", Value::from_serializable(&sections));
                context.insert_value("topics", self.topic_list(lang));
            }
            Page::TopicIndex(lang) => context.insert_value("topics", self.topic_list(lang)),
            Page::Search(_) => {}
            Page::Topic {
                lang,
                topic,
                number,
            } => {
                context.insert_value("topic", self.prepared.topic_values[lang][topic].clone());
                let list = &site.by_topic[lang][topic];
                self.insert_list(&mut context, list, number, |n| {
                    self.urls.topic(lang, topic, n)
                });
            }
            Page::Section(id, number) => {
                let section = &site.sections[id];
                context.insert_value(
                    "section",
                    map([
                        ("title", section.title.as_str().into()),
                        ("path", section.path.as_str().into()),
                        ("url", self.urls.link(&self.urls.section(id, 1)).into()),
                        ("intro", Value::safe_string(&section.intro_html)),
                        ("extra", Value::from_serializable(&section.extra)),
                    ]),
                );
                self.insert_list(&mut context, &section.releases, number, |n| {
                    self.urls.section(id, n)
                });
            }
            Page::Release(id) => self.insert_release(&mut context, id),
        }
        context
    }

    fn insert_release(&self, context: &mut Context, id: ReleaseId) {
        let release = &self.site.releases[id];
        context.insert_value("release", self.prepared.summaries[id].clone());
        context.insert_value("body", Value::safe_string(&release.body.html));
        context.insert_value("extra", Value::from_serializable(&release.extra));
        context.insert_value("json_ld", Value::safe_string(&self.json_ld(id)));
        let attachments: Vec<AttachmentView<'_>> = release
            .attachments
            .iter()
            .map(|a| {
                let size = self
                    .prepared
                    .static_sizes
                    .get(a.file.trim_start_matches('/'))
                    .copied();
                AttachmentView {
                    title: &a.title,
                    url: self.urls.link(a.file.trim_start_matches('/')),
                    kind: a
                        .file
                        .rsplit_once('.')
                        .map(|(_, ext)| ext.to_uppercase())
                        .unwrap_or_default(),
                    size,
                    size_display: size.map(human_size),
                }
            })
            .collect();
        context.insert_value("attachments", Value::from_serializable(&attachments));
        let (newer, older) = self.site.neighbours(id);
        context.insert_value(
            "newer",
            newer.map(|n| self.prepared.summaries[n].clone()).into(),
        );
        context.insert_value(
            "older",
            older.map(|n| self.prepared.summaries[n].clone()).into(),
        );
        context.insert_value("related", self.items(&self.site.related(id, RELATED_COUNT)));
    }

    fn insert_list(
        &self,
        context: &mut Context,
        list: &[ReleaseId],
        number: usize,
        path_of: impl Fn(usize) -> String,
    ) {
        let slice = PageSlice::new(number, list.len(), self.site.config.per_page);
        context.insert_value("items", self.items(&list[slice.start..slice.end]));
        let link = |n: usize| self.urls.link(&path_of(n));
        let mut shown: Vec<usize> =
            (number.saturating_sub(2).max(1)..=(number + 2).min(slice.total)).collect();
        if !shown.contains(&1) {
            shown.insert(0, 1);
        }
        if !shown.contains(&slice.total) {
            shown.push(slice.total);
        }
        let pagination = PaginationView {
            current: number,
            total: slice.total,
            items_total: list.len(),
            previous: (number > 1).then(|| link(number - 1)),
            next: (number < slice.total).then(|| link(number + 1)),
            pages: shown
                .into_iter()
                .map(|n| PageLink {
                    number: n,
                    url: link(n),
                    current: n == number,
                })
                .collect(),
        };
        context.insert_value("pagination", Value::from_serializable(&pagination));
    }

    fn items(&self, ids: &[ReleaseId]) -> Value {
        ids.iter()
            .map(|&id| self.prepared.summaries[id].clone())
            .collect::<Vec<_>>()
            .into()
    }

    fn topic_list(&self, lang: usize) -> Value {
        self.prepared.topic_values[lang].to_vec().into()
    }

    /// The page's own title (without the site's), its description for meta tags, its link and
    /// its permalink. A release page shares them with its list entry, where they are made once
    /// and marked safe for tera.
    fn page_values(&self, page: Page, lang: usize, path: &str) -> [Value; 4] {
        let site = self.site;
        let t = &self.strings[lang];
        let language = &site.config.languages[lang];
        let numbered = |title: String, number: usize| {
            if number > 1 {
                format!(
                    "{title} ({})",
                    t["page_n"].replace("{n}", &number.to_string())
                )
            } else {
                title
            }
        };
        let (title, description) = match page {
            Page::Release(id) => {
                let entry = self.prepared.summaries[id].as_map().expect("a map");
                let field = |name| entry[&tera::value::Key::Str(name)].clone();
                return [
                    field("title"),
                    field("summary"),
                    field("url"),
                    field("permalink"),
                ];
            }
            Page::Root => (language.title.clone(), language.title.clone()),
            Page::NotFound => (t["not_found_title"].clone(), t["not_found_text"].clone()),
            Page::Home(_) => (language.title.clone(), t["latest"].clone()),
            Page::Section(id, number) => {
                let title = site.sections[id].title.clone();
                (numbered(title.clone(), number), title)
            }
            Page::TopicIndex(_) => (t["topics"].clone(), t["topic_index_intro"].clone()),
            Page::Search(_) => (t["search"].clone(), t["search_label"].clone()),
            Page::Topic { topic, number, .. } => {
                let name = site.config.topics[topic].names[lang].clone();
                (numbered(name.clone(), number), name)
            }
        };
        [
            title.into(),
            description.into(),
            self.urls.link(path).into(),
            self.urls.permalink(path).into(),
        ]
    }

    /// The language switcher and the hreflang alternates (with x-default) of a page.
    pub(crate) fn translations_of(&self, page: Page) -> (Vec<SwitcherEntry>, Vec<Alternate>) {
        let site = self.site;
        let current = page.lang(site);
        let multilingual = matches!(page, Page::Root | Page::NotFound);
        // A list's page 2 or later is no version of any page in another language (those list
        // other releases), and hreflang must be reciprocal: it carries no alternates.
        let continuation =
            matches!(page, Page::Section(_, n) | Page::Topic { number: n, .. } if n > 1);
        let mut switcher = Vec::new();
        let mut alternates = Vec::new();
        for (lang, language) in site.config.languages.iter().enumerate() {
            let counterpart = page.counterpart(site, lang);
            let target = match counterpart {
                Ok(p) | Err(p) => p,
            };
            let path = if lang == current && !multilingual {
                page.path(&self.urls)
            } else {
                target.path(&self.urls)
            };
            let available = counterpart.is_ok();
            if available && !multilingual && !continuation {
                alternates.push(Alternate {
                    hreflang: language.code.clone(),
                    href: self.urls.permalink(&path),
                });
            }
            let note = (!available).then(|| {
                let section_title = match target {
                    Page::Section(s, _) => site.sections[s].title.clone(),
                    _ => language.title.clone(),
                };
                format!(
                    "{} · {}",
                    self.strings[lang]["no_translation"],
                    self.strings[lang]["no_translation_link"].replace("{section}", &section_title)
                )
            });
            switcher.push(SwitcherEntry {
                code: language.code.clone(),
                locale: self.prepared.language_values[lang].locale.clone(),
                name: language.name.clone(),
                url: self.urls.link(&path),
                current: lang == current && !multilingual,
                available,
                note,
            });
        }
        if multilingual {
            for (lang, language) in site.config.languages.iter().enumerate() {
                alternates.push(Alternate {
                    hreflang: language.code.clone(),
                    href: self.urls.permalink(&self.urls.home(lang)),
                });
            }
        }
        let default = match (
            multilingual,
            page.counterpart(site, site.config.default_language),
        ) {
            (true, _) => String::new(),
            (false, Ok(p)) => p.path(&self.urls),
            (false, Err(_)) => page.path(&self.urls),
        };
        if !continuation {
            alternates.push(Alternate {
                hreflang: "x-default".into(),
                href: self.urls.permalink(&default),
            });
        }
        (switcher, alternates)
    }

    /// The Atom feeds a page links in its head (`<link rel="alternate">`): its language's feed
    /// on every page, and a topic page's own feed too.
    fn feeds_of(&self, page: Page, lang: usize) -> Value {
        let Page::Topic { topic, .. } = page else {
            return self.prepared.language_values[lang].feeds.clone();
        };
        Value::from_serializable(&[
            feed_link(self.site, &self.urls, lang, None),
            feed_link(self.site, &self.urls, lang, Some(topic)),
        ])
    }

    fn breadcrumbs(&self, page: Page, lang: usize) -> Value {
        let site = self.site;
        let home = || home_link(&self.urls, &self.strings[lang], lang);
        let crumbs = match page {
            Page::Root | Page::NotFound | Page::Home(_) => Vec::new(),
            Page::Release(id) => {
                return self.prepared.release_breadcrumbs[site.release_section[id]].clone();
            }
            Page::Section(id, _) => {
                let mut crumbs = crumbs_to(site, &self.urls, &self.strings[lang], id);
                crumbs.pop();
                crumbs
            }
            Page::TopicIndex(_) | Page::Search(_) => vec![home()],
            Page::Topic { .. } => vec![
                home(),
                LinkView {
                    title: self.strings[lang]["topics"].clone(),
                    url: self.urls.link(&self.urls.topic_index(lang)),
                },
            ],
        };
        Value::from_serializable(&crumbs)
    }
}

#[derive(Serialize)]
struct SectionCount {
    title: String,
    url: String,
    count: usize,
}

fn kind(page: Page) -> &'static str {
    match page {
        Page::Root => "root",
        Page::NotFound => "not_found",
        Page::Home(_) => "home",
        Page::Release(_) => "release",
        Page::Section(..) => "section",
        Page::TopicIndex(_) => "topics",
        Page::Topic { .. } => "topic",
        Page::Search(_) => "search",
    }
}

/// `1.2 MB`, `340 KB`; a file under a kilobyte shows as `1 KB`, since units read the same in
/// every language and "bytes" would need translating.
pub fn human_size(bytes: usize) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else {
        format!("{:.0} KB", (b / KB).ceil().max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_size(12), "1 KB");
        assert_eq!(human_size(3 * 1024), "3 KB");
        assert_eq!(human_size(1_300_000), "1.2 MB");
    }
}

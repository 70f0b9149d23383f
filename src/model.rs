//! The model stage: the site in memory, with every cross-file relation resolved once
//! (translations, sections, topic lists, neighbours), so that each page's view is a lookup.
//! No I/O here.

use std::collections::HashMap;

use crate::config::Config;
use crate::content::{LoadedSite, Release, Scheduled, SectionIndex, SiteFile};
use crate::error::{Error, SourceError, SourceWarning};

/// Index into `Site::releases`.
pub type ReleaseId = usize;
/// Index into `Site::sections`.
pub type SectionId = usize;

/// The whole site, ready to render.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Newest first (then by path and language), so every list built from it is in order.
    pub releases: Vec<Release>,
    pub sections: Vec<Section>,
    /// Per release: its immediate section (the folder it is in).
    pub release_section: Vec<SectionId>,
    /// Per release, per language: the release that is its translation there (itself in its own).
    pub translations: Vec<Vec<Option<ReleaseId>>>,
    /// Per language: its releases, newest first.
    pub by_language: Vec<Vec<ReleaseId>>,
    /// Per language, per topic: its releases, newest first.
    pub by_topic: Vec<Vec<Vec<ReleaseId>>>,
    /// Per language: its top-level sections (the main menu), by the `weight` of their
    /// `_index.md`, lower first, then those without one in folder-name order.
    pub menu: Vec<Vec<SectionId>>,
    /// Releases left out because their date has not come yet, by date.
    pub scheduled: Vec<Scheduled>,
    pub templates: Vec<(String, String)>,
    pub static_files: Vec<SiteFile>,
    /// Files skipped while loading (not regular files, link cycles), by path.
    pub warnings: Vec<SourceWarning>,
    section_lookup: HashMap<(usize, String), SectionId>,
    /// Per release: its position in its immediate section's list.
    section_position: Vec<usize>,
    /// Per release: its position in each of its topics' lists (same order as `topics`).
    topic_position: Vec<Vec<usize>>,
}

/// A folder under `content/<lang>/`, at any depth: it lists every release below it.
#[derive(Debug)]
pub struct Section {
    pub lang: usize,
    /// `press-releases` or `press-releases/2022`.
    pub path: String,
    /// From `_index.md`, else the folder's name.
    pub title: String,
    /// From `_index.md`: its place in the main menu.
    pub weight: Option<i64>,
    pub intro_html: String,
    pub extra: Option<toml::Table>,
    /// Every release below this folder, newest first.
    pub releases: Vec<ReleaseId>,
}

impl Section {
    pub fn is_top_level(&self) -> bool {
        !self.path.contains('/')
    }
}

/// Folder names that would clash with pages communique makes itself.
const RESERVED_TOP_LEVEL: [&str; 3] = ["topics", "search", "page"];

impl Site {
    /// Resolve the relations between the loaded files; clashes between files are errors.
    pub fn build(loaded: LoadedSite) -> Result<Site, Error> {
        let LoadedSite {
            config,
            mut releases,
            scheduled,
            section_indexes,
            templates,
            static_files,
            warnings,
            ..
        } = loaded;
        let language_count = config.languages.len();
        releases.sort_by_cached_key(|r| {
            (
                std::cmp::Reverse(r.date.timestamp()),
                r.location.relative_path(),
                r.location.lang,
            )
        });
        let mut errors = Vec::new();
        check_reserved_names(&releases, &mut errors);

        // Sections and translations at the same time, on two threads: between loading and
        // rendering nothing else runs.
        let (placed, (translations, translation_errors)) = rayon::join(
            || Placed::new(&releases, section_indexes),
            || {
                let mut errors = Vec::new();
                let translations = link_translations(&releases, language_count, &mut errors);
                (translations, errors)
            },
        );
        errors.extend(translation_errors);
        let Placed {
            sections,
            section_lookup,
            release_section,
            section_position,
        } = placed;

        let mut by_language = vec![Vec::new(); language_count];
        let mut by_topic = vec![vec![Vec::new(); config.topics.len()]; language_count];
        let mut topic_position = Vec::with_capacity(releases.len());
        for (id, release) in releases.iter().enumerate() {
            let lang = release.location.lang;
            by_language[lang].push(id);
            let positions = release
                .topics
                .iter()
                .map(|&topic| {
                    by_topic[lang][topic].push(id);
                    by_topic[lang][topic].len() - 1
                })
                .collect();
            topic_position.push(positions);
        }

        check_release_section_clash(&releases, &section_lookup, &mut errors);

        let mut menu = vec![Vec::new(); language_count];
        let mut top_level: Vec<SectionId> = (0..sections.len())
            .filter(|&s| sections[s].is_top_level())
            .collect();
        top_level.sort_by_key(|&s| {
            let section = &sections[s];
            (section.weight.is_none(), section.weight, &section.path)
        });
        for id in top_level {
            menu[sections[id].lang].push(id);
        }

        Error::if_any(errors)?;
        Ok(Site {
            config,
            releases,
            sections,
            release_section,
            translations,
            by_language,
            by_topic,
            menu,
            scheduled,
            templates,
            static_files,
            warnings,
            section_lookup,
            section_position,
            topic_position,
        })
    }

    /// The section at `path` (`press-releases`) in a language.
    pub fn section(&self, lang: usize, path: &str) -> Option<SectionId> {
        self.section_lookup.get(&(lang, path.to_string())).copied()
    }

    /// The section of the same folder in another language, if it exists there.
    pub fn section_counterpart(&self, section: SectionId, lang: usize) -> Option<SectionId> {
        self.section(lang, &self.sections[section].path)
    }

    /// The newer and the older release next to this one in its section.
    pub fn neighbours(&self, id: ReleaseId) -> (Option<ReleaseId>, Option<ReleaseId>) {
        let list = &self.sections[self.release_section[id]].releases;
        let position = self.section_position[id];
        let newer = position.checked_sub(1).map(|p| list[p]);
        let older = list.get(position + 1).copied();
        (newer, older)
    }

    /// Up to `count` releases that share a topic with this one, closest in time first: the
    /// neighbours in each topic's list, so no page scans the whole site.
    pub fn related(&self, id: ReleaseId, count: usize) -> Vec<ReleaseId> {
        let release = &self.releases[id];
        let lang = release.location.lang;
        let mut related = Vec::with_capacity(count);
        for distance in 1..=count {
            for (topic, &position) in release.topics.iter().zip(&self.topic_position[id]) {
                let list = &self.by_topic[lang][*topic];
                let candidates = [position.checked_sub(distance), Some(position + distance)];
                for candidate in candidates.into_iter().flatten().filter_map(|p| list.get(p)) {
                    if related.len() < count && !related.contains(candidate) {
                        related.push(*candidate);
                    }
                }
            }
            if related.len() >= count {
                break;
            }
        }
        related.sort_by(|a, b| {
            self.releases[*b]
                .date
                .timestamp()
                .cmp(&self.releases[*a].date.timestamp())
        });
        related
    }
}

/// The sections of a site and where each release sits in them.
struct Placed {
    sections: Vec<Section>,
    section_lookup: HashMap<(usize, String), SectionId>,
    /// Per release: its immediate section, and its position in that section's list.
    release_section: Vec<SectionId>,
    section_position: Vec<usize>,
}

impl Placed {
    /// Sections: every folder that holds a release (at any depth) or an `_index.md`.
    fn new(releases: &[Release], section_indexes: Vec<SectionIndex>) -> Placed {
        let mut sections: Vec<Section> = Vec::new();
        let mut section_lookup: HashMap<(usize, String), SectionId> = HashMap::new();
        let mut section_id =
            |sections: &mut Vec<Section>, lang: usize, path: String| -> SectionId {
                *section_lookup
                    .entry((lang, path.clone()))
                    .or_insert_with(|| {
                        let title = path.rsplit('/').next().unwrap_or(&path).to_string();
                        sections.push(Section {
                            lang,
                            path,
                            title,
                            weight: None,
                            intro_html: String::new(),
                            extra: None,
                            releases: Vec::new(),
                        });
                        sections.len() - 1
                    })
            };
        for index in section_indexes {
            let id = section_id(&mut sections, index.lang, index.folders.join("/"));
            let section = &mut sections[id];
            if let Some(title) = index.title {
                section.title = title;
            }
            section.weight = index.weight;
            section.intro_html = index.intro_html;
            section.extra = index.extra;
        }
        let mut release_section = Vec::with_capacity(releases.len());
        let mut section_position = Vec::with_capacity(releases.len());
        for (id, release) in releases.iter().enumerate() {
            let folders = &release.location.folders;
            let mut immediate = 0;
            for depth in 1..=folders.len() {
                let section = section_id(
                    &mut sections,
                    release.location.lang,
                    folders[..depth].join("/"),
                );
                if depth == folders.len() {
                    immediate = section;
                    section_position.push(sections[section].releases.len());
                }
                sections[section].releases.push(id);
            }
            release_section.push(immediate);
        }

        Placed {
            sections,
            section_lookup,
            release_section,
            section_position,
        }
    }
}

/// Group releases by translation key; two of one language with one key is an error.
fn link_translations(
    releases: &[Release],
    language_count: usize,
    errors: &mut Vec<SourceError>,
) -> Vec<Vec<Option<ReleaseId>>> {
    let mut groups: HashMap<&str, Vec<Option<ReleaseId>>> = HashMap::new();
    for (id, release) in releases.iter().enumerate() {
        let group = groups
            .entry(release.translation_key.as_str())
            .or_insert_with(|| vec![None; language_count]);
        let slot = &mut group[release.location.lang];
        match slot {
            None => *slot = Some(id),
            Some(other) => {
                let (first, second) = ordered_by_path(releases, *other, id);
                let (line, column) = releases[second].translation_at;
                errors.push(SourceError::new(
                    &releases[second].location.source,
                    line,
                    column,
                    format!(
                        "translation key `{}` is used by two releases of one language: this one and {}",
                        release.translation_key,
                        releases[first].location.source.display()
                    ),
                ));
            }
        }
    }
    releases
        .iter()
        .map(|release| groups[release.translation_key.as_str()].clone())
        .collect()
}

fn ordered_by_path(releases: &[Release], a: ReleaseId, b: ReleaseId) -> (ReleaseId, ReleaseId) {
    if releases[a].location.source <= releases[b].location.source {
        (a, b)
    } else {
        (b, a)
    }
}

/// A release `a/b.md` and a folder `a/b/` would both be published at `<lang>/a/b/`.
fn check_release_section_clash(
    releases: &[Release],
    sections: &HashMap<(usize, String), SectionId>,
    errors: &mut Vec<SourceError>,
) {
    for release in releases {
        let path = release.location.relative_path();
        if sections.contains_key(&(release.location.lang, path.clone())) {
            errors.push(SourceError::new(
                &release.location.source,
                1,
                1,
                format!("this release and the section folder `{path}/` would have the same address: rename one of them"),
            ));
        }
    }
}

/// Section folders named like the pages communique makes (`topics`, `search`, `page`) would
/// be overwritten by them.
fn check_reserved_names(releases: &[Release], errors: &mut Vec<SourceError>) {
    for release in releases {
        let folders = &release.location.folders;
        let clash = folders.iter().enumerate().find(|(depth, name)| {
            (*depth == 0 && RESERVED_TOP_LEVEL.contains(&name.as_str())) || name.as_str() == "page"
        });
        if let Some((_, name)) = clash {
            errors.push(SourceError::new(
                &release.location.source,
                1,
                1,
                format!("a section folder cannot be named `{name}`: communique makes pages at that address"),
            ));
        }
    }
}

//! `config.toml`: read once, checked, and resolved into a `Config` the rest of the pipeline
//! trusts (languages in switcher order, topics with a name per language, the time zone).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use toml::Spanned;

use crate::error::{SourceError, suggestion};
use crate::read::{self, Limit, SiteRoot, Unread};
use crate::toml_source::{Field, Table, TomlReader, TomlSource};

pub const CONFIG_FILE: &str = "config.toml";

const CONFIG_KEYS: &[&str] = &[
    "base_url",
    "default_language",
    "timezone",
    "per_page",
    "output_dir",
    "languages",
    "topics",
    "markdown",
];
const LANGUAGE_KEYS: &[&str] = &["name", "title", "date_format", "strings"];
const MARKDOWN_KEYS: &[&str] = &["unsafe_html"];
/// The keys of tables whose keys are the site's own (language codes, topic keys, strings).
const ANY_KEYS: &[&str] = &[];

/// config.toml as written, each value read on its own (a wrong one reported and left out).
struct RawConfig {
    base_url: Field<Spanned<String>>,
    default_language: Field<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    per_page: Option<Spanned<i64>>,
    output_dir: Option<String>,
    languages: Vec<(Spanned<String>, RawLanguage)>,
    /// Every language table was read: checks against the language codes can be made.
    languages_read: bool,
    topics: Vec<RawTopic>,
    unsafe_html: bool,
}

struct RawLanguage {
    name: Option<String>,
    title: Option<String>,
    date_format: Option<String>,
    strings: BTreeMap<String, String>,
}

struct RawTopic {
    key: Spanned<String>,
    /// The topic's table, for errors about it as a whole.
    span: Range<usize>,
    /// Per language code written, its name; `None` when it was not text (reported).
    names: Vec<(Spanned<String>, Option<String>)>,
}

/// The checked site settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Absolute, always ending in `/`.
    pub base_url: String,
    pub default_language: usize,
    pub timezone: TimeZone,
    pub per_page: usize,
    pub output_dir: PathBuf,
    /// In the order of config.toml, which is the switcher's order.
    pub languages: Vec<Language>,
    /// In the order of config.toml.
    pub topics: Vec<Topic>,
    pub unsafe_html: bool,
}

#[derive(Debug, Clone)]
pub struct Language {
    pub code: String,
    /// The language's name in itself ("한국어").
    pub name: String,
    /// The site's title in this language.
    pub title: String,
    pub date_format: Option<String>,
    /// UI strings that override or add to the theme's.
    pub strings: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub key: String,
    /// One name per language, in the order of `Config::languages`.
    pub names: Vec<String>,
}

impl Config {
    /// The path part of `base_url`: `/` or `/news/`. Site links start with it.
    pub fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    }

    /// `scheme://host` of `base_url`, without the path.
    pub fn origin(&self) -> &str {
        let path = self.base_path();
        &self.base_url[..self.base_url.len() - path.len()]
    }

    pub fn language_index(&self, code: &str) -> Option<usize> {
        self.languages.iter().position(|l| l.code == code)
    }

    pub fn topic_index(&self, key: &str) -> Option<usize> {
        self.topics.iter().position(|t| t.key == key)
    }

    /// Replace `base_url` (from `--base-url`, or `serve`'s local address).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        self.base_url = normalize_base_url(url)?;
        Ok(())
    }
}

/// Read and check `config.toml` at the site root.
pub fn load(site: &SiteRoot) -> Result<Config, Vec<SourceError>> {
    let path = Path::new(CONFIG_FILE);
    let bytes = read::read_path(site, path, Limit::Text).map_err(|unread| {
        let (path, message) = match unread {
            Unread::Error(error) => (error.path, error.message),
            Unread::Skipped(warning) => (warning.path, warning.message),
        };
        let message = message.trim_start_matches("skipped: ");
        vec![SourceError::new(
            path,
            1,
            1,
            format!("cannot read the site's configuration: {message}"),
        )]
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| vec![SourceError::new(path, 1, 1, "the file is not UTF-8 text")])?;
    parse(&text)
}

/// Check the text of `config.toml`. Every error of the file is reported: unknown keys, values
/// of the wrong type and values that make no sense, all together.
pub fn parse(text: &str) -> Result<Config, Vec<SourceError>> {
    let source = TomlSource {
        path: Path::new(CONFIG_FILE),
        file_text: text,
        range: 0..text.len(),
    };
    let (mut toml, top) = source.parse(CONFIG_KEYS)?;
    let raw = read_config(&mut toml, top);
    let config = resolve(raw, &mut toml);
    let errors = toml.into_errors();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(config)
}

fn read_config<'a>(toml: &mut TomlReader<'a>, mut top: Table<'a>) -> RawConfig {
    let base_url = toml.take(&mut top, "base_url");
    let default_language = toml.take(&mut top, "default_language");
    let timezone = toml.take(&mut top, "timezone").value();
    let per_page = toml.take(&mut top, "per_page").value();
    let output_dir = toml.take(&mut top, "output_dir").value();

    let mut languages = Vec::new();
    let mut languages_read = true;
    match toml.take_table(&mut top, "languages", ANY_KEYS) {
        Field::Value(table) => {
            for (code, value) in table.into_entries() {
                let code = Spanned::new(code.span(), code.into_inner().into_owned());
                let name = format!("languages.{}", code.get_ref());
                match toml.read_table(value, &name, false, LANGUAGE_KEYS) {
                    Some(table) => languages.push((code, read_language(toml, table))),
                    None => languages_read = false,
                }
            }
        }
        Field::Wrong => languages_read = false,
        Field::Absent => {}
    }

    let mut topics = Vec::new();
    if let Field::Value(table) = toml.take_table(&mut top, "topics", ANY_KEYS) {
        for (key, value) in table.into_entries() {
            let key = Spanned::new(key.span(), key.into_inner().into_owned());
            let span = value.span();
            let name = format!("topics.{}", key.get_ref());
            let Some(table) = toml.read_table(value, &name, false, ANY_KEYS) else {
                continue;
            };
            let names = table
                .into_entries()
                .map(|(code, value)| {
                    let code = Spanned::new(code.span(), code.into_inner().into_owned());
                    let name = format!("topics.{}.{}", key.get_ref(), code.get_ref());
                    let text = toml.read(value, &name, code.get_ref());
                    (code, text)
                })
                .collect();
            topics.push(RawTopic { key, span, names });
        }
    }

    let mut unsafe_html = false;
    if let Field::Value(mut markdown) = toml.take_table(&mut top, "markdown", MARKDOWN_KEYS) {
        unsafe_html = toml
            .take(&mut markdown, "unsafe_html")
            .value()
            .unwrap_or(false);
        toml.finish(markdown);
    }
    toml.finish(top);
    RawConfig {
        base_url,
        default_language,
        timezone,
        per_page,
        output_dir,
        languages,
        languages_read,
        topics,
        unsafe_html,
    }
}

fn read_language<'a>(toml: &mut TomlReader<'a>, mut table: Table<'a>) -> RawLanguage {
    let mut language = RawLanguage {
        name: toml.take(&mut table, "name").value(),
        title: toml.take(&mut table, "title").value(),
        date_format: toml.take(&mut table, "date_format").value(),
        strings: BTreeMap::new(),
    };
    if let Field::Value(strings) = toml.take_table(&mut table, "strings", ANY_KEYS) {
        for (key, value) in strings.into_entries() {
            let name = format!("{}.strings.{}", "languages", key.get_ref());
            if let Some(text) = toml.read::<String>(value, &name, key.get_ref()) {
                language.strings.insert(key.into_inner().into_owned(), text);
            }
        }
    }
    toml.finish(table);
    language
}

/// The settings the rest of the pipeline trusts; what makes no sense is reported to `toml`.
fn resolve(raw: RawConfig, toml: &mut TomlReader<'_>) -> Config {
    let top = 0..0;

    let base_url = match &raw.base_url {
        Field::Absent => {
            toml.error(
                top.clone(),
                "missing `base_url`, the site's absolute address",
            );
            String::new()
        }
        Field::Wrong => String::new(),
        Field::Value(url) => normalize_base_url(url.get_ref()).unwrap_or_else(|message| {
            toml.error(url.span(), message);
            String::new()
        }),
    };

    let mut languages = Vec::new();
    for (code, language) in raw.languages {
        if !valid_language_code(code.get_ref()) {
            toml.error(
                code.span(),
                format!(
                    "`{}` is not a language code like `ko`, `en` or `pt-br`",
                    code.get_ref()
                ),
            );
        }
        let name = language.name.unwrap_or_else(|| code.get_ref().clone());
        let title = language.title.unwrap_or_default();
        languages.push(Language {
            code: code.into_inner(),
            name,
            title,
            date_format: language.date_format,
            strings: language.strings,
        });
    }
    if languages.is_empty() && raw.languages_read {
        toml.error(
            top.clone(),
            "no `[languages.<code>]` table: a site needs at least one language",
        );
    }
    let codes: Vec<&str> = languages.iter().map(|l| l.code.as_str()).collect();

    let default_language = match &raw.default_language {
        Field::Absent => {
            toml.error(top.clone(), "missing `default_language`");
            0
        }
        Field::Wrong => 0,
        Field::Value(code) => codes
            .iter()
            .position(|c| c == code.get_ref())
            .unwrap_or_else(|| {
                // A language whose table was wrong is missing from the codes, not unknown.
                if raw.languages_read {
                    let hint = suggestion(code.get_ref(), codes.iter().copied());
                    toml.error(
                        code.span(),
                        format!(
                            "default_language `{}` is not one of [languages]{hint}",
                            code.get_ref()
                        ),
                    );
                }
                0
            }),
    };

    let timezone = match &raw.timezone {
        None => TimeZone::UTC,
        Some(name) => TimeZone::get(name.get_ref()).unwrap_or_else(|_| {
            toml.error(
                name.span(),
                format!(
                    "unknown time zone `{}`: use an IANA name like `Asia/Seoul`",
                    name.get_ref()
                ),
            );
            TimeZone::UTC
        }),
    };

    let per_page = match &raw.per_page {
        None => 20,
        Some(n) if *n.get_ref() >= 1 => *n.get_ref() as usize,
        Some(n) => {
            toml.error(n.span(), "`per_page` must be 1 or more");
            20
        }
    };

    let mut topics = Vec::new();
    for RawTopic { key, span, names } in raw.topics {
        if !valid_topic_key(key.get_ref()) {
            toml.error(
                key.span(),
                format!(
                    "topic key `{}` may use only a-z, 0-9 and `-`",
                    key.get_ref()
                ),
            );
        }
        if raw.languages_read {
            for (name_code, _) in &names {
                if !codes.contains(&name_code.get_ref().as_str()) {
                    let hint = suggestion(name_code.get_ref(), codes.iter().copied());
                    toml.error(
                        name_code.span(),
                        format!("`{}` is not one of [languages]{hint}", name_code.get_ref()),
                    );
                }
            }
        }
        let mut by_language = Vec::new();
        for code in &codes {
            match names.iter().find(|(c, _)| c.get_ref() == code) {
                Some((_, Some(name))) if !name.trim().is_empty() => by_language.push(name.clone()),
                // Not text: reported where it is written.
                Some((_, None)) => by_language.push(key.get_ref().clone()),
                _ => {
                    toml.error(
                        span.clone(),
                        format!("topic `{}` has no name in `{code}`", key.get_ref()),
                    );
                    by_language.push(key.get_ref().clone());
                }
            }
        }
        topics.push(Topic {
            key: key.into_inner(),
            names: by_language,
        });
    }

    Config {
        base_url,
        default_language,
        timezone,
        per_page,
        output_dir: PathBuf::from(raw.output_dir.unwrap_or_else(|| "public".into())),
        languages,
        topics,
        unsafe_html: raw.unsafe_html,
    }
}

/// Check an absolute http(s) URL and make it end in `/`.
fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("base_url `{url}` must be an absolute http:// or https:// address")
        })?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(format!(
            "base_url `{url}` must be an absolute address with a host, like https://www.mofa.example/"
        ));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

fn valid_language_code(code: &str) -> bool {
    !code.is_empty()
        && code.split('-').all(|part| {
            !part.is_empty()
                && part.len() <= 8
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

pub fn valid_topic_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
base_url = "https://org.github.io/news"
default_language = "ko"
timezone = "Asia/Seoul"
[languages.ko]
name = "한국어"
title = "외교부"
[languages.en]
name = "English"
title = "Ministry of Foreign Affairs"
[topics.dprk]
ko = "북한"
en = "North Korea"
"#;

    #[test]
    fn resolves_languages_in_order_and_base_path() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.base_url, "https://org.github.io/news/");
        assert_eq!(config.base_path(), "/news/");
        assert_eq!(config.origin(), "https://org.github.io");
        let codes: Vec<_> = config.languages.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["ko", "en"]);
        assert_eq!(config.topics[0].names, ["북한", "North Korea"]);
        assert_eq!(config.per_page, 20);
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let text = MINIMAL
            .replace(
                "timezone = \"Asia/Seoul\"",
                "timezone = \"Asia/Seol\"\nper_pag = 3",
            )
            .replace("en = \"North Korea\"", "");
        let errors = parse(&text).unwrap_err();
        let mut shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        shown.sort();
        // The unknown key does not hide the other errors.
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(
            shown[0].starts_with("config.toml:12:1: error: topic `dprk` has no name in `en`"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("config.toml:4:12: error: unknown time zone"),
            "{shown:?}"
        );
        assert_eq!(
            shown[2],
            "config.toml:5:1: error: unknown key `per_pag` (did you mean `per_page`?)"
        );
        let text = MINIMAL
            .replace("timezone = \"Asia/Seoul\"", "timezone = \"Asia/Seol\"")
            .replace("en = \"North Korea\"", "");
        let shown: Vec<String> = parse(&text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("config.toml:4:12: error: unknown time zone"),
            "{shown:?}"
        );
        assert!(
            shown[1].contains("topic `dprk` has no name in `en`"),
            "{shown:?}"
        );
    }

    #[test]
    fn base_url_must_be_absolute() {
        let errors = parse(&MINIMAL.replace("https://org.github.io/news", "/news/")).unwrap_err();
        assert!(errors[0].message.contains("absolute"));
    }
}

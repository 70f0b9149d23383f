//! One Markdown file under `content/<lang>/`: a release or a section's `_index.md`, checked
//! on its own (cross-file checks belong to the model).

use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;
use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use super::front_matter;
use crate::config::Config;
use crate::error::{SourceError, suggestion};
use crate::markdown::{self, MarkdownOptions, Rendered};
use crate::toml_source::{Keys, TomlSource};

const ATTACHMENT_KEYS: Keys = Keys::Fixed(&[("title", Keys::Any), ("file", Keys::Any)]);
const RELEASE_KEYS: Keys = Keys::Fixed(&[
    ("title", Keys::Any),
    ("date", Keys::Any),
    ("topics", Keys::Any),
    ("place", Keys::Any),
    ("number", Keys::Any),
    ("summary", Keys::Any),
    ("translation", Keys::Any),
    ("updated", Keys::Any),
    ("draft", Keys::Any),
    ("attachments", Keys::ArrayOf(&ATTACHMENT_KEYS)),
    ("extra", Keys::Any),
]);
const SECTION_KEYS: Keys = Keys::Fixed(&[
    ("title", Keys::Any),
    ("weight", Keys::Any),
    ("extra", Keys::Any),
]);

#[derive(Deserialize)]
struct RawRelease {
    title: Option<Spanned<String>>,
    date: Option<Spanned<Datetime>>,
    #[serde(default)]
    topics: Vec<Spanned<String>>,
    place: Option<String>,
    number: Option<String>,
    summary: Option<String>,
    translation: Option<Spanned<String>>,
    updated: Option<Spanned<Datetime>>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    attachments: Vec<Attachment>,
    extra: Option<toml::Table>,
}

#[derive(Deserialize)]
struct RawSection {
    title: Option<Spanned<String>>,
    weight: Option<i64>,
    extra: Option<toml::Table>,
}

/// A file offered for download with a release, from `static/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Attachment {
    pub title: String,
    /// Path under `static/`, which is also its path under the output root.
    pub file: String,
}

/// Where a release's file sits: its language, the folders under `content/<lang>/`, its name.
#[derive(Debug, Clone)]
pub struct Location {
    /// Relative to the site root, for error messages.
    pub source: PathBuf,
    pub lang: usize,
    /// Folders between `content/<lang>/` and the file: the first is the section.
    pub folders: Vec<String>,
    /// The file name without `.md`: the last URL segment.
    pub name: String,
}

impl Location {
    /// `press-releases/2022/x`: the path under the language folder, without `.md`.
    pub fn relative_path(&self) -> String {
        let mut path = self.folders.join("/");
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&self.name);
        path
    }
}

#[derive(Debug)]
pub struct Release {
    pub location: Location,
    pub title: String,
    pub date: ZonedDateTime,
    pub updated: Option<ZonedDateTime>,
    pub place: Option<String>,
    pub number: Option<String>,
    /// Given, or the first paragraph.
    pub summary: String,
    /// Indexes into `Config::topics`.
    pub topics: Vec<usize>,
    pub translation_key: String,
    /// Where the translation key comes from (the `translation` line, or the top of the file).
    pub translation_at: (usize, usize),
    pub draft: bool,
    pub attachments: Vec<Attachment>,
    pub extra: Option<toml::Table>,
    pub body: Rendered,
}

/// A section's `_index.md`.
#[derive(Debug)]
pub struct SectionIndex {
    pub lang: usize,
    pub folders: Vec<String>,
    pub title: Option<String>,
    /// Where a top-level section goes in the main menu: lower first.
    pub weight: Option<i64>,
    pub intro_html: String,
    pub extra: Option<toml::Table>,
}

/// Parse a release's file.
pub fn parse_release(
    location: Location,
    text: &str,
    config: &Config,
    markdown: &MarkdownOptions,
) -> Result<Release, Vec<SourceError>> {
    let path = location.source.clone();
    let (raw, source, body): (RawRelease, _, _) = parse_file(&path, text)?;
    let mut errors = Vec::new();

    let title = match raw.title {
        Some(title) if !title.get_ref().trim().is_empty() => title.into_inner().trim().to_string(),
        Some(title) => {
            errors.push(source.error_at(title.span(), "`title` is empty"));
            String::new()
        }
        None => {
            errors.push(SourceError::new(
                &path,
                1,
                1,
                "missing `title` in the front-matter",
            ));
            String::new()
        }
    };
    let date = match raw.date {
        Some(date) => to_zoned(date.get_ref(), &config.timezone)
            .map_err(|message| errors.push(source.error_at(date.span(), message)))
            .ok(),
        None => {
            errors.push(SourceError::new(
                &path,
                1,
                1,
                "missing `date` in the front-matter (like `date = 2022-02-12T15:00:00+09:00`)",
            ));
            None
        }
    };
    let updated = raw.updated.and_then(|updated| {
        to_zoned(updated.get_ref(), &config.timezone)
            .map_err(|message| errors.push(source.error_at(updated.span(), message)))
            .ok()
    });
    let mut topics = Vec::new();
    for topic in &raw.topics {
        match config.topic_index(topic.get_ref()) {
            Some(index) if !topics.contains(&index) => topics.push(index),
            Some(_) => {}
            None => {
                let hint = suggestion(
                    topic.get_ref(),
                    config.topics.iter().map(|t| t.key.as_str()),
                );
                errors.push(source.error_at(
                    topic.span(),
                    format!(
                        "unknown topic `{}`: it is not in [topics] of config.toml{hint}",
                        topic.get_ref()
                    ),
                ));
            }
        }
    }
    let (translation_key, translation_at) = match &raw.translation {
        Some(key) if !key.get_ref().trim().is_empty() => {
            let at = source.error_at(key.span(), "");
            (key.get_ref().trim().to_string(), (at.line, at.column))
        }
        Some(key) => {
            errors.push(source.error_at(key.span(), "`translation` is empty"));
            (String::new(), (1, 1))
        }
        None => (location.relative_path(), (1, 1)),
    };

    let body_start = body.start;
    let body = markdown::render(&text[body], markdown);
    errors.extend(body.source_errors(&path, text, body_start));
    if !errors.is_empty() {
        return Err(errors);
    }
    let summary = raw
        .summary
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| body.first_paragraph.clone());
    Ok(Release {
        location,
        title,
        date: date.expect("checked above"),
        updated,
        place: raw.place.filter(|p| !p.trim().is_empty()),
        number: raw.number.filter(|n| !n.trim().is_empty()),
        summary,
        topics,
        translation_key,
        translation_at,
        draft: raw.draft,
        attachments: raw.attachments,
        extra: raw.extra,
        body,
    })
}

/// Parse a section's `_index.md`.
pub fn parse_section_index(
    path: &Path,
    lang: usize,
    folders: Vec<String>,
    text: &str,
    markdown: &MarkdownOptions,
) -> Result<SectionIndex, Vec<SourceError>> {
    let (raw, source, body): (RawSection, _, _) = parse_file(path, text)?;
    let title = match raw.title {
        Some(title) if title.get_ref().trim().is_empty() => {
            return Err(vec![source.error_at(title.span(), "`title` is empty")]);
        }
        title => title.map(|t| t.into_inner().trim().to_string()),
    };
    let body_start = body.start;
    let intro = markdown::render(&text[body], markdown);
    let errors = intro.source_errors(path, text, body_start);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SectionIndex {
        lang,
        folders,
        title,
        weight: raw.weight,
        intro_html: intro.html,
        extra: raw.extra,
    })
}

type Parsed<'a, T> = (T, TomlSource<'a>, std::ops::Range<usize>);

fn parse_file<'a, T: serde::de::DeserializeOwned>(
    path: &'a Path,
    text: &'a str,
) -> Result<Parsed<'a, T>, Vec<SourceError>> {
    let split =
        front_matter::split(text).map_err(|e| vec![SourceError::new(path, 1, 1, e.message())])?;
    let source = TomlSource {
        path,
        file_text: text,
        range: split.toml,
    };
    let keys = if path.file_name().is_some_and(|n| n == "_index.md") {
        &SECTION_KEYS
    } else {
        &RELEASE_KEYS
    };
    let raw = source.parse(keys)?;
    Ok((raw, source, split.body))
}

/// A TOML date or date-time as a point in time with the offset to show it in: an offset
/// date-time keeps its own offset (the local time where it happened); a local one is read in
/// the site's time zone; a bare date is midnight there.
pub fn to_zoned(value: &Datetime, timezone: &TimeZone) -> Result<ZonedDateTime, String> {
    let not_a_date = || {
        format!(
            "`{value}` is not a date: write a date (2022-02-12) or a date-time (2022-02-12T15:00:00+09:00)"
        )
    };
    let date = value.date.as_ref().ok_or_else(not_a_date)?;
    let date = civil::Date::new(date.year as i16, date.month as i8, date.day as i8)
        .map_err(|_| not_a_date())?;
    let time = match &value.time {
        Some(t) => civil::Time::new(
            t.hour as i8,
            t.minute as i8,
            t.second.unwrap_or(0) as i8,
            t.nanosecond.unwrap_or(0) as i32,
        )
        .map_err(|_| not_a_date())?,
        None => civil::Time::midnight(),
    };
    let datetime = date.to_datetime(time);
    match value.offset {
        None => datetime
            .to_zoned_datetime(timezone.clone())
            .map_err(|e| e.to_string()),
        Some(toml::value::Offset::Z) => datetime
            .to_zoned_datetime(TimeZone::UTC)
            .map_err(|e| e.to_string()),
        Some(toml::value::Offset::Custom { minutes }) => {
            let offset =
                Offset::from_seconds(i32::from(minutes) * 60).map_err(|e| e.to_string())?;
            datetime
                .to_zoned_datetime(TimeZone::fixed(offset))
                .map_err(|e| e.to_string())
        }
    }
}

/// Whether a file or folder name can be a URL segment: lowercase ASCII letters, digits, `-`,
/// `_` and `.`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// A valid name close to `name`, to propose in the error.
pub fn propose_name(name: &str) -> String {
    let mut proposed = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.') {
            proposed.push(c);
        } else if !proposed.ends_with('-') {
            proposed.push('-');
        }
    }
    let proposed = proposed.trim_matches(['-', '.']).to_string();
    if proposed.is_empty() {
        "release".into()
    } else {
        proposed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datetime(text: &str) -> Datetime {
        text.parse().unwrap()
    }

    #[test]
    fn offset_dates_keep_their_offset_and_local_dates_use_the_site_zone() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let honolulu = to_zoned(&datetime("2022-02-12T15:00:00-10:00"), &seoul).unwrap();
        assert_eq!(
            honolulu.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            "2022-02-12T15:00:00-10:00"
        );
        let local = to_zoned(&datetime("2022-02-13T10:00:00"), &seoul).unwrap();
        assert_eq!(
            local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            "2022-02-13T10:00:00+09:00"
        );
        let day = to_zoned(&datetime("2022-02-13"), &seoul).unwrap();
        assert_eq!(day.strftime("%H:%M%:z").to_string(), "00:00+09:00");
        assert!(to_zoned(&datetime("10:00:00"), &seoul).is_err());
    }

    #[test]
    fn names_are_checked_and_fixed() {
        assert!(valid_name("rok-us_meeting.2022"));
        assert!(!valid_name("ROK US"));
        assert_eq!(propose_name("ROK US Meeting!"), "rok-us-meeting");
        assert_eq!(propose_name("한미 회담"), "release");
    }
}

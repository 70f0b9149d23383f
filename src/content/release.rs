//! One Markdown file under `content/<lang>/`: a release or a section's `_index.md`, checked
//! on its own (cross-file checks belong to the model).

use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;
use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use toml::Spanned;
use toml::de::DeValue;
use toml::value::Datetime;

use super::front_matter;
use crate::config::Config;
use crate::error::{SourceError, suggestion};
use crate::markdown::{self, MarkdownOptions, PlacedLink, Rendered};
use crate::toml_source::{Field, Table, TomlReader, TomlSource};

const RELEASE_KEYS: &[&str] = &[
    "title",
    "date",
    "topics",
    "place",
    "number",
    "summary",
    "translation",
    "updated",
    "draft",
    "attachments",
    "extra",
];
const ATTACHMENT_KEYS: &[&str] = &["title", "file"];
const SECTION_KEYS: &[&str] = &["title", "weight", "extra"];

/// A file offered for download with a release, from `static/`.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub title: String,
    /// Path under `static/`, which is also its path under the output root.
    pub file: String,
    /// Where `file` is written in the release's file (line, column), for errors about it.
    pub file_at: (usize, usize),
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
    /// The links of the body, at their place in the file, for `check`.
    pub links: Vec<PlacedLink>,
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

/// Parse a release's file. Every key's value is read on its own, so that all of its errors
/// are reported at once.
pub fn parse_release(
    location: Location,
    text: &str,
    config: &Config,
    markdown: &MarkdownOptions,
) -> Result<Release, Vec<SourceError>> {
    let path = location.source.clone();
    let (mut toml, mut front, body) = parse_file(&path, text, RELEASE_KEYS)?;
    let title = toml.take::<Spanned<String>>(&mut front, "title");
    let date = toml.take::<Spanned<Datetime>>(&mut front, "date");
    let raw_topics = toml.take_list::<Spanned<String>>(&mut front, "topics");
    let place = toml.take::<String>(&mut front, "place").value();
    let number = toml.take::<String>(&mut front, "number").value();
    let summary = toml.take::<String>(&mut front, "summary").value();
    let translation = toml.take::<Spanned<String>>(&mut front, "translation");
    let updated = toml.take::<Spanned<Datetime>>(&mut front, "updated");
    let draft = toml.take::<bool>(&mut front, "draft").value();
    let attachments = read_attachments(&mut toml, &mut front);
    let extra = toml.take::<toml::Table>(&mut front, "extra").value();
    toml.finish(front);

    let title = match title {
        Field::Value(title) if !title.get_ref().trim().is_empty() => {
            title.into_inner().trim().to_string()
        }
        Field::Value(title) => {
            toml.error(title.span(), "`title` is empty");
            String::new()
        }
        Field::Absent => {
            toml.push(SourceError::new(
                &path,
                1,
                1,
                "missing `title` in the front-matter",
            ));
            String::new()
        }
        Field::Wrong => String::new(),
    };
    let date = match date {
        Field::Value(date) => to_zoned(date.get_ref(), &config.timezone)
            .map_err(|message| toml.error(date.span(), message))
            .ok(),
        Field::Absent => {
            toml.push(SourceError::new(
                &path,
                1,
                1,
                "missing `date` in the front-matter (like `date = 2022-02-12T15:00:00+09:00`)",
            ));
            None
        }
        Field::Wrong => None,
    };
    let updated = updated.value().and_then(|updated| {
        to_zoned(updated.get_ref(), &config.timezone)
            .map_err(|message| toml.error(updated.span(), message))
            .ok()
    });
    let mut topics = Vec::new();
    for topic in raw_topics.value().unwrap_or_default() {
        match config.topic_index(topic.get_ref()) {
            Some(index) if !topics.contains(&index) => topics.push(index),
            Some(_) => {}
            None => {
                let hint = suggestion(
                    topic.get_ref(),
                    config.topics.iter().map(|t| t.key.as_str()),
                );
                toml.error(
                    topic.span(),
                    format!(
                        "unknown topic `{}`: it is not in [topics] of config.toml{hint}",
                        topic.get_ref()
                    ),
                );
            }
        }
    }
    let (translation_key, translation_at) = match translation {
        Field::Value(key) if !key.get_ref().trim().is_empty() => {
            let at = toml.source.line_column(&key.span());
            (key.get_ref().trim().to_string(), at)
        }
        Field::Value(key) => {
            toml.error(key.span(), "`translation` is empty");
            (String::new(), (1, 1))
        }
        Field::Absent | Field::Wrong => (location.relative_path(), (1, 1)),
    };

    let body_start = body.start;
    let mut body = markdown::render(&text[body], markdown);
    let mut errors = toml.into_errors();
    errors.extend(body.source_errors(&path, text, body_start));
    let links = body.take_placed_links(text, body_start);
    if !errors.is_empty() {
        return Err(errors);
    }
    let summary = summary
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| body.first_paragraph.clone());
    Ok(Release {
        location,
        title,
        date: date.expect("checked above"),
        updated,
        place: place.filter(|p| !p.trim().is_empty()),
        number: number.filter(|n| !n.trim().is_empty()),
        summary,
        topics,
        translation_key,
        translation_at,
        draft: draft.unwrap_or(false),
        attachments,
        extra,
        links,
        body,
    })
}

/// The `attachments` of a release, each with its `title` and `file`; every wrong one reported
/// at its own place.
fn read_attachments<'a>(toml: &mut TomlReader<'a>, front: &mut Table<'a>) -> Vec<Attachment> {
    let Field::Value(items) = toml.take_array(front, "attachments") else {
        return Vec::new();
    };
    let mut attachments = Vec::with_capacity(items.len());
    for item in items {
        let span = item.span();
        if let DeValue::String(_) = item.get_ref() {
            // The likely mistake: the file alone, as in a list of files.
            let file = toml.source_text(&span);
            toml.error(
                span,
                format!(
                    "an item of `attachments` must be a table, not text: write `{{ title = \"…\", file = {file} }}`"
                ),
            );
            continue;
        }
        let Some(mut attachment) = toml.read_table(item, "attachments", true, ATTACHMENT_KEYS)
        else {
            continue;
        };
        let title = toml.take::<Spanned<String>>(&mut attachment, "title");
        let file = toml.take::<Spanned<String>>(&mut attachment, "file");
        toml.finish(attachment);
        let title = match title {
            Field::Value(title) if title.get_ref().trim().is_empty() => {
                toml.error(title.span(), "the attachment's `title` is empty");
                None
            }
            Field::Value(title) => Some(title.into_inner()),
            Field::Absent => {
                toml.error(
                    span.clone(),
                    "missing `title` in this attachment: the name readers see for the file",
                );
                None
            }
            Field::Wrong => None,
        };
        let file = match file {
            Field::Value(file) if file.get_ref().trim().is_empty() => {
                toml.error(file.span(), "the attachment's `file` is empty");
                None
            }
            Field::Value(file) => Some(file),
            Field::Absent => {
                toml.error(
                    span,
                    "missing `file` in this attachment: the path of a file under static/",
                );
                None
            }
            Field::Wrong => None,
        };
        if let (Some(title), Some(file)) = (title, file) {
            attachments.push(Attachment {
                title,
                file_at: toml.source.line_column(&file.span()),
                file: file.into_inner(),
            });
        }
    }
    attachments
}

/// Parse a section's `_index.md`.
pub fn parse_section_index(
    path: &Path,
    lang: usize,
    folders: Vec<String>,
    text: &str,
    markdown: &MarkdownOptions,
) -> Result<SectionIndex, Vec<SourceError>> {
    let (mut toml, mut front, body) = parse_file(path, text, SECTION_KEYS)?;
    let title = toml.take::<Spanned<String>>(&mut front, "title");
    let weight = toml.take::<i64>(&mut front, "weight").value();
    let extra = toml.take::<toml::Table>(&mut front, "extra").value();
    toml.finish(front);
    let title = match title {
        Field::Value(title) if title.get_ref().trim().is_empty() => {
            toml.error(title.span(), "`title` is empty");
            None
        }
        title => title.value().map(|t| t.into_inner().trim().to_string()),
    };
    let body_start = body.start;
    let intro = markdown::render(&text[body], markdown);
    let mut errors = toml.into_errors();
    errors.extend(intro.source_errors(path, text, body_start));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SectionIndex {
        lang,
        folders,
        title,
        weight,
        intro_html: intro.html,
        extra,
    })
}

type Parsed<'a> = (TomlReader<'a>, Table<'a>, std::ops::Range<usize>);

/// Split a content file and parse its front-matter, whose keys are `known`.
fn parse_file<'a>(
    path: &'a Path,
    text: &'a str,
    known: &'static [&'static str],
) -> Result<Parsed<'a>, Vec<SourceError>> {
    let split =
        front_matter::split(text).map_err(|e| vec![SourceError::new(path, 1, 1, e.message())])?;
    let source = TomlSource {
        path,
        file_text: text,
        range: split.toml,
    };
    let (toml, front) = source.parse(known)?;
    Ok((toml, front, split.body))
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

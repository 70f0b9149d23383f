//! UI strings and dates in the page's language: the theme's built-in strings (Korean and
//! English; English for any other language), overridden by `[languages.<code>.strings]`.

use std::collections::BTreeMap;

use jiff::ZonedDateTime;

use crate::config::Language;
use crate::theme;

pub type Strings = BTreeMap<String, String>;

/// The language whose built-in strings stand in for a language the theme does not know.
const FALLBACK: &str = "en";

/// The UI strings for each configured language, in config order.
pub fn strings_for(languages: &[Language]) -> Vec<Strings> {
    let builtin: BTreeMap<String, Strings> =
        toml::from_str(theme::STRINGS).expect("the theme's strings.toml is valid (tested)");
    languages
        .iter()
        .map(|language| {
            let mut strings = builtin
                .get(&language.code)
                .or_else(|| builtin.get(FALLBACK))
                .cloned()
                .unwrap_or_default();
            strings.extend(language.strings.clone());
            strings
        })
        .collect()
}

/// The date format of a language: its own, or the theme's default for it.
pub fn date_format(language: &Language) -> String {
    language.date_format.clone().unwrap_or_else(|| {
        match language.code.as_str() {
            "ko" => "%Y년 %-m월 %-d일",
            "en" => "%B %-d, %Y",
            "ja" | "zh" => "%Y年%-m月%-d日",
            _ => "%Y-%m-%d",
        }
        .to_string()
    })
}

/// A date as the page shows it and as `<time datetime>` carries it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DateView {
    /// The full offset date-time: `2022-02-12T15:00:00-10:00`.
    pub iso: String,
    /// In the page's language: `2022년 2월 12일`, `February 12, 2022`.
    pub display: String,
    /// The local time of day, `15:00`.
    pub time: String,
    /// The UTC offset, `-10:00`.
    pub offset: String,
}

pub fn date_view(date: &ZonedDateTime, format: &str) -> DateView {
    DateView {
        iso: iso(date),
        display: date.strftime(format).to_string(),
        time: date.strftime("%H:%M").to_string(),
        offset: date.strftime("%:z").to_string(),
    }
}

/// The full offset date-time, `2022-02-12T15:00:00-10:00`: what `<time datetime>`, feeds, the
/// sitemap and JSON-LD carry.
pub fn iso(date: &ZonedDateTime) -> String {
    date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_form_carries_the_offset_of_the_place() {
        let date: ZonedDateTime = "2024-03-10T12:30:00+05:45[Asia/Kathmandu]".parse().unwrap();
        let view = date_view(&date, "%Y");
        assert_eq!(view.iso, "2024-03-10T12:30:00+05:45");
        assert_eq!(
            (view.time.as_str(), view.offset.as_str()),
            ("12:30", "+05:45")
        );
    }

    fn language(code: &str) -> Language {
        Language {
            code: code.into(),
            name: code.into(),
            title: String::new(),
            date_format: None,
            strings: BTreeMap::from([("skip_to_content".to_string(), "Zum Inhalt".to_string())]),
        }
    }

    #[test]
    fn built_in_strings_cover_korean_and_english_alike() {
        let builtin: BTreeMap<String, Strings> = toml::from_str(theme::STRINGS).unwrap();
        let ko: Vec<_> = builtin["ko"].keys().collect();
        let en: Vec<_> = builtin["en"].keys().collect();
        assert_eq!(ko, en, "every UI string exists in Korean and English");
    }

    #[test]
    fn config_overrides_and_unknown_languages_fall_back_to_english() {
        let strings = strings_for(&[language("de")]);
        assert_eq!(strings[0]["skip_to_content"], "Zum Inhalt");
        assert_eq!(strings[0]["main_menu"], "Main menu");
    }

    #[test]
    fn dates_in_korean_and_english() {
        let date: ZonedDateTime = "2022-02-12T15:00:00-10:00[-10:00]".parse().unwrap();
        let ko = date_view(&date, &date_format(&language("ko")));
        assert_eq!(ko.display, "2022년 2월 12일");
        assert_eq!(ko.iso, "2022-02-12T15:00:00-10:00");
        let en = date_view(&date, &date_format(&language("en")));
        assert_eq!(en.display, "February 12, 2022");
        assert_eq!(en.time, "15:00");
    }
}

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
    let iso = iso(date);
    // The time and the offset are read from the full form (`…T15:00:00-10:00`) rather than
    // formatted again: every release's date is shown, in its list entry and its search
    // document.
    let (_, time_and_offset) = iso.split_once('T').expect("the form has a T");
    DateView {
        display: date.strftime(format).to_string(),
        time: time_and_offset[..5].to_string(),
        offset: time_and_offset[8..].to_string(),
        iso,
    }
}

/// The full offset date-time, `2022-02-12T15:00:00-10:00`, as jiff's
/// `%Y-%m-%dT%H:%M:%S%:z` writes it. Pages, feeds, the sitemap and the search index write every
/// release's date in this form, so it is put together from the numbers instead of having
/// strftime read its format each time. Years outside 0–9999 and offsets with seconds (old
/// local mean times) are left to strftime.
pub fn iso(date: &ZonedDateTime) -> String {
    let offset = date.offset().seconds();
    let year = date.year();
    if !(0..=9999).contains(&year) || offset % 60 != 0 {
        return date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    }
    let offset_minutes = offset.unsigned_abs() / 60;
    let sign = if offset < 0 { b'-' } else { b'+' };
    // Each number with the character before it (none before the year) and its width in
    // digits: 25 characters in all, written into one array and copied once.
    let parts = [
        (None, year as u32, 4),
        (Some(b'-'), date.month() as u32, 2),
        (Some(b'-'), date.day() as u32, 2),
        (Some(b'T'), date.hour() as u32, 2),
        (Some(b':'), date.minute() as u32, 2),
        (Some(b':'), date.second() as u32, 2),
        (Some(sign), offset_minutes / 60, 2),
        (Some(b':'), offset_minutes % 60, 2),
    ];
    let mut iso = [0u8; 25];
    let mut at = 0;
    for (before, number, width) in parts {
        if let Some(before) = before {
            iso[at] = before;
            at += 1;
        }
        // The last `width` digits, from the right.
        let mut rest = number;
        for digit in iso[at..at + width].iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        at += width;
    }
    String::from_utf8(iso.to_vec()).expect("ASCII digits and separators")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_and_offset_are_what_their_own_formats_give() {
        for (time, zone) in [
            ("2022-02-12T15:00:00", "Pacific/Honolulu"),
            ("2023-07-01T09:05:59", "Asia/Seoul"),
            ("1900-01-01T00:00:00", "Asia/Seoul"),
            ("2024-03-10T12:30:00", "Asia/Kathmandu"),
            ("0999-12-31T23:59:00", "UTC"),
        ] {
            let date: ZonedDateTime = time
                .parse::<jiff::civil::DateTime>()
                .unwrap()
                .in_tz(zone)
                .unwrap();
            let view = date_view(&date, "%Y");
            assert_eq!(view.time, date.strftime("%H:%M").to_string(), "{date}");
            assert_eq!(view.offset, date.strftime("%:z").to_string(), "{date}");
            assert_eq!(view.iso, date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
        }
    }

    #[test]
    fn iso_is_what_strftime_writes() {
        let zones = [
            "Asia/Seoul",
            "America/St_Johns",
            "Pacific/Chatham",
            "UTC",
            "Asia/Kathmandu",
        ];
        // Every 7,919,999 seconds (about 92 days, never a whole day or hour) from 1880 to 2100,
        // the first second of year 0 and the one before it, and the last one jiff allows.
        let mut seconds: Vec<i64> = (-2_840_000_000..4_100_000_000).step_by(7_919_999).collect();
        seconds.extend([-62_167_219_200, -62_167_219_201, 253_402_207_200]);
        for zone in zones {
            for &second in &seconds {
                let date = jiff::Timestamp::from_second(second)
                    .unwrap()
                    .in_tz(zone)
                    .unwrap();
                let expected = date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
                assert_eq!(iso(&date), expected, "{date}");
            }
        }
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

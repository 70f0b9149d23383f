//! Machine-readable page metadata for search engines and link previews: Open Graph locales
//! and the JSON-LD `NewsArticle` of a release.

use serde::Serialize;

use super::i18n;
use super::views::Shared;
use crate::json;
use crate::model::ReleaseId;

/// The Open Graph locale of a language code: `ko` → `ko_KR`, `en` → `en_US`, `pt-BR` → `pt_BR`.
/// Open Graph wants `language_TERRITORY`; a bare code gets its most common territory.
pub fn og_locale(code: &str) -> String {
    if let Some((language, region)) = code.split_once(['-', '_']) {
        return format!("{}_{}", language.to_lowercase(), region.to_uppercase());
    }
    let territory = match code {
        "ko" => "KR",
        "en" => "US",
        "ja" => "JP",
        "zh" => "CN",
        "fr" => "FR",
        "de" => "DE",
        "es" => "ES",
        "ru" => "RU",
        "ar" => "SA",
        "vi" => "VN",
        _ => return code.to_string(),
    };
    format!("{code}_{territory}")
}

/// What a `NewsArticle` says about a release. (Serializable so that a test can compare the
/// JSON-LD written by hand with serde_json's.)
#[derive(Serialize)]
pub struct NewsArticle<'a> {
    pub headline: &'a str,
    pub description: &'a str,
    #[serde(rename = "datePublished")]
    pub date_published: &'a str,
    #[serde(rename = "dateModified")]
    pub date_modified: &'a str,
    #[serde(rename = "inLanguage")]
    pub in_language: &'a str,
    pub url: &'a str,
    #[serde(rename = "articleSection")]
    pub article_section: &'a str,
    pub keywords: Vec<&'a str>,
    /// The ministry, as author and publisher.
    #[serde(skip)]
    pub ministry: Ministry<'a>,
}

#[derive(Serialize, Clone, Copy)]
pub struct Ministry<'a> {
    pub name: &'a str,
    pub url: &'a str,
}

impl NewsArticle<'_> {
    /// The `<script type="application/ld+json">` body. `<` is escaped as `\u003c` so no text
    /// of the release can close the script element; JSON reads it as the same character.
    /// Written field by field with the strings escaped as `serde_json` escapes them (a test
    /// compares the two): serializing it through serde was 1.5% of a build's instructions.
    pub fn to_json_ld(&self) -> String {
        let mut out = Vec::with_capacity(1024);
        for (before, value) in [
            (
                &br#"{"@context":"https://schema.org","@type":"NewsArticle","mainEntityOfPage":"#[..],
                self.url,
            ),
            (br#","headline":"#, self.headline),
            (br#","description":"#, self.description),
            (br#","datePublished":"#, self.date_published),
            (br#","dateModified":"#, self.date_modified),
            (br#","inLanguage":"#, self.in_language),
            (br#","url":"#, self.url),
            (br#","articleSection":"#, self.article_section),
        ] {
            out.extend_from_slice(before);
            json::push_str(&mut out, value);
        }
        out.extend_from_slice(br#","keywords":["#);
        for (i, keyword) in self.keywords.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::push_str(&mut out, keyword);
        }
        out.push(b']');
        for role in [&br#","author":"#[..], br#","publisher":"#] {
            out.extend_from_slice(role);
            out.extend_from_slice(br#"{"@type":"GovernmentOrganization","name":"#);
            json::push_str(&mut out, self.ministry.name);
            out.extend_from_slice(br#","url":"#);
            json::push_str(&mut out, self.ministry.url);
            out.push(b'}');
        }
        out.push(b'}');
        let json = String::from_utf8(out).expect("JSON of UTF-8 strings is UTF-8");
        // Few titles have a `<`: look with memchr's vector search before copying the text.
        if memchr::memchr(b'<', json.as_bytes()).is_some() {
            json.replace('<', "\\u003c")
        } else {
            json
        }
    }
}

impl Shared<'_> {
    /// The JSON-LD `NewsArticle` of a release, for its `<head>`.
    pub(super) fn json_ld(&self, id: ReleaseId) -> String {
        let release = &self.site.releases[id];
        let lang = release.location.lang;
        let permalink = self.urls.permalink(&self.urls.release(id));
        let home = self.urls.permalink(&self.urls.home(lang));
        let published = i18n::iso(&release.date);
        let modified = release
            .updated
            .as_ref()
            .map_or_else(|| published.clone(), i18n::iso);
        let config = &self.site.config;
        NewsArticle {
            headline: &release.title,
            description: &release.summary,
            date_published: &published,
            date_modified: &modified,
            in_language: &config.languages[lang].code,
            url: &permalink,
            article_section: &self.site.sections[self.site.release_section[id]].title,
            keywords: release
                .topics
                .iter()
                .map(|&t| config.topics[t].names[lang].as_str())
                .collect(),
            ministry: Ministry {
                name: &config.languages[lang].title,
                url: &home,
            },
        }
        .to_json_ld()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_for_open_graph() {
        assert_eq!(og_locale("ko"), "ko_KR");
        assert_eq!(og_locale("en"), "en_US");
        assert_eq!(og_locale("pt-br"), "pt_BR");
        assert_eq!(og_locale("xx"), "xx");
    }

    /// The JSON-LD as serde_json writes it: the structure `to_json_ld` writes by hand.
    fn serialized(article: &NewsArticle<'_>) -> String {
        #[derive(Serialize)]
        struct Organization<'a> {
            #[serde(rename = "@type")]
            kind: &'static str,
            #[serde(flatten)]
            ministry: Ministry<'a>,
        }
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(rename = "@context")]
            context: &'static str,
            #[serde(rename = "@type")]
            kind: &'static str,
            #[serde(rename = "mainEntityOfPage")]
            main_entity_of_page: &'a str,
            #[serde(flatten)]
            article: &'a NewsArticle<'a>,
            author: Organization<'a>,
            publisher: Organization<'a>,
        }
        let organization = || Organization {
            kind: "GovernmentOrganization",
            ministry: article.ministry,
        };
        serde_json::to_string(&Document {
            context: "https://schema.org",
            kind: "NewsArticle",
            main_entity_of_page: article.url,
            article,
            author: organization(),
            publisher: organization(),
        })
        .unwrap()
        .replace('<', "\\u003c")
    }

    #[test]
    fn json_ld_written_by_hand_is_what_serde_json_writes() {
        let texts = [
            "한미 외교장관회담 결과",
            "A \"quoted\" </script><b> title",
            "back\\slash\ttab\nline \u{1} é😀",
            "",
        ];
        for (i, text) in texts.iter().enumerate() {
            let keywords: Vec<&str> = texts[..i].to_vec();
            let article = NewsArticle {
                headline: text,
                description: texts[(i + 1) % texts.len()],
                date_published: "2022-02-12T15:00:00-10:00",
                date_modified: "2022-02-13T00:00:00-10:00",
                in_language: "ko",
                url: "https://www.mofa.example/ko/a/",
                article_section: text,
                keywords,
                ministry: Ministry {
                    name: text,
                    url: "https://www.mofa.example/ko/",
                },
            };
            assert_eq!(article.to_json_ld(), serialized(&article), "{text}");
        }
    }

    #[test]
    fn json_ld_is_valid_json_that_cannot_close_its_script() {
        let article = NewsArticle {
            headline: "A \"quoted\" </script><b> title",
            description: "<!-- <script>alert(1)</script> </SCRIPT ",
            date_published: "2022-02-12T15:00:00-10:00",
            date_modified: "2022-02-13T00:00:00-10:00",
            in_language: "en",
            url: "https://www.mofa.example/en/a/",
            article_section: "Press Releases",
            keywords: vec!["Ukraine"],
            ministry: Ministry {
                name: "Ministry of Foreign Affairs",
                url: "https://www.mofa.example/en/",
            },
        };
        let json = article.to_json_ld();
        assert!(!json.contains('<'));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["@type"], "NewsArticle");
        assert_eq!(value["headline"], "A \"quoted\" </script><b> title");
        assert_eq!(
            value["description"],
            "<!-- <script>alert(1)</script> </SCRIPT "
        );
        assert_eq!(value["publisher"]["@type"], "GovernmentOrganization");
        assert_eq!(value["author"]["name"], "Ministry of Foreign Affairs");
        assert_eq!(value["keywords"][0], "Ukraine");
    }
}

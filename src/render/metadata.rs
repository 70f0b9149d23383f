//! Machine-readable page metadata for search engines and link previews: Open Graph locales
//! and the JSON-LD `NewsArticle` of a release.

use serde::Serialize;

use super::views::Shared;
use crate::i18n;
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

/// What a `NewsArticle` says about a release.
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

/// The JSON-LD document of a `NewsArticle`, its fields in the order written.
#[derive(Serialize)]
struct JsonLd<'a> {
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

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: &'a str,
}

impl NewsArticle<'_> {
    /// The `<script type="application/ld+json">` body. `<` is escaped as `\u003c` so no text
    /// of the release can close the script element; JSON reads it as the same character.
    pub fn to_json_ld(&self) -> String {
        let organization = || Organization {
            kind: "GovernmentOrganization",
            name: self.ministry.name,
            url: self.ministry.url,
        };
        let document = JsonLd {
            context: "https://schema.org",
            kind: "NewsArticle",
            main_entity_of_page: self.url,
            article: self,
            author: organization(),
            publisher: organization(),
        };
        let json = serde_json::to_string(&document).expect("plain data serializes");
        // Outside its strings JSON has no `<`; few texts have one.
        if json.contains('<') {
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

//! The built-in theme, embedded in the binary: templates, UI strings and static assets, so a
//! site with no `templates/` or `static/` folder still builds. The files live in the
//! repository's own `templates/` and `static/`, which is how the ministry's site uses them.

macro_rules! embedded {
    ($kind:literal, $read:ident, $($name:literal),* $(,)?) => {
        &[$(($name, $read!(concat!("../", $kind, "/", $name)))),*]
    };
}

/// Templates by name, as a site would name them in its own `templates/`.
pub const TEMPLATES: &[(&str, &str)] = embedded!(
    "templates",
    include_str,
    "base.html",
    "root.html",
    "404.html",
    "home.html",
    "release.html",
    "section.html",
    "topic.html",
    "topics.html",
    "search.html",
    "partials/release_list.html",
    "partials/pagination.html",
    "partials/emblem.html",
);

/// Static assets of the theme, at their path under `static/` (and so under the output root).
/// A site's own file at the same path replaces one.
pub const STATIC: &[(&str, &[u8])] = embedded!(
    "static",
    include_bytes,
    "theme/communique.css",
    "theme/print.js",
    "theme/search.js",
);

/// The theme's UI strings for Korean and English; config.toml may override any of them.
pub const STRINGS: &str = include_str!("../templates/strings.toml");

/// Whether a site's template `name` is the built-in theme's own, as this repository's
/// `templates/` is: such a template makes the links the theme makes.
pub fn is_builtin_template(name: &str, text: &str) -> bool {
    TEMPLATES.iter().any(|(n, t)| *n == name && *t == text)
}

/// The ids the built-in theme gives its own elements on the pages that show Markdown (a
/// release's body, a section's introduction). Headings are not given these, so that a
/// heading "Attachments" cannot take the id the attachments section is labelled by.
pub const PAGE_IDS: &[&str] = &[
    "main",
    "search-q",
    "attachments",
    "release-topics",
    "related",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fixed `id="..."` of the templates of the pages that show Markdown is in
    /// [`PAGE_IDS`].
    #[test]
    fn page_ids_are_those_of_the_templates() {
        let pages = [
            "base.html",
            "release.html",
            "section.html",
            "partials/release_list.html",
            "partials/pagination.html",
            "partials/emblem.html",
        ];
        let mut found = Vec::new();
        for (name, text) in TEMPLATES.iter().filter(|(name, _)| pages.contains(name)) {
            for (at, _) in text.match_indices(" id=\"") {
                let value = &text[at + 5..];
                let value = &value[..value.find('"').expect("a closing quote")];
                assert!(
                    !value.contains("{{"),
                    "{name}: an id made from data: {value}"
                );
                found.push(value);
            }
        }
        found.sort_unstable();
        found.dedup();
        let mut expected = PAGE_IDS.to_vec();
        expected.sort_unstable();
        assert_eq!(found, expected);
    }
}

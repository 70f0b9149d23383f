//! Which addresses a release may link to or show an image from: http, https, mailto, tel and
//! relative ones. Everything else (`javascript:`, `data:`, `vbscript:`, `file:`...) could run
//! script or reach the reader's machine, and an allowlist cannot miss a scheme invented later.

use url::{ParseError, Url};

/// The schemes a link or an image may have; a relative address has none and is allowed too.
pub const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Why `url` may not be linked, or `None` when it may. The scheme is read as browsers read it
/// (the WHATWG rules of the `url` crate: case folded, tabs and newlines removed, leading
/// spaces and control characters skipped), so no spelling of `javascript:` gets through.
pub fn refusal(url: &str) -> Option<String> {
    match Url::parse(url) {
        Ok(parsed) if ALLOWED_SCHEMES.contains(&parsed.scheme()) => None,
        Ok(parsed) => Some(format!("the `{}:` scheme is not allowed", parsed.scheme())),
        Err(ParseError::RelativeUrlWithoutBase) => None,
        // A browser would not follow it either: say why, so the editor can mend it.
        Err(error) => Some(format!("it is not a valid address ({error})")),
    }
}

/// The end of a refusal message: what is allowed.
pub const ALLOWED: &str =
    "an address is http, https, mailto, tel or relative (`/x`, `x`, `#a`, `?q`, `./x`)";

/// `text` as an error message shows it: control characters escaped, and cut to a length that
/// fits on a line.
pub fn shown(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 4));
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// A root-relative `url` moved under `base_path`, or `None` when it stays: a full or
/// protocol-relative address, a relative one, or one already under the base path.
pub fn moved_under(url: &str, base_path: &str) -> Option<String> {
    let stays = base_path == "/"
        || !url.starts_with('/')
        || url.starts_with("//")
        || url.starts_with(base_path);
    (!stays).then(|| format!("{}{}", base_path.trim_end_matches('/'), url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_schemes_and_relative_addresses_pass() {
        for url in [
            "http://e.org/",
            "https://e.org/a?b#c",
            "HTTPS://E.ORG/",
            "mailto:press@mofa.example",
            "tel:+82-2-2100-7402",
            "/ko/press/x/",
            "x/",
            "./x",
            "../x",
            "#top",
            "?q=1",
            "//cdn.example/x.png",
            "",
            "주요-내용",
            "java%73cript:alert(1)",
            "files/2022/joint:statement.pdf",
        ] {
            assert_eq!(refusal(url), None, "{url:?}");
        }
    }

    #[test]
    fn every_spelling_of_a_dangerous_scheme_is_refused() {
        for (url, scheme) in [
            ("javascript:alert(1)", "javascript"),
            ("JaVaScRiPt:alert(1)", "javascript"),
            ("java\tscript:alert(1)", "javascript"),
            ("java\nscript:alert(1)", "javascript"),
            ("java\rscript:alert(1)", "javascript"),
            ("  javascript:alert(1)", "javascript"),
            ("\u{1}\u{0}javascript:alert(1)", "javascript"),
            ("\u{0c}javascript:alert(1)", "javascript"),
            ("javascript:alert(1)  ", "javascript"),
            (
                "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
                "data",
            ),
            ("vbscript:msgbox(1)", "vbscript"),
            ("file:///etc/passwd", "file"),
            ("ftp://e.org/", "ftp"),
            ("blob:https://e.org/x", "blob"),
            ("x-custom:thing", "x-custom"),
        ] {
            let refusal = refusal(url).unwrap_or_else(|| panic!("{url:?} passed"));
            assert!(
                refusal.contains(&format!("`{scheme}:`")),
                "{url:?}: {refusal}"
            );
        }
    }

    #[test]
    fn addresses_no_browser_would_follow_are_refused_with_the_reason() {
        let refusal = refusal("http://exa mple.org/").unwrap();
        assert!(refusal.contains("not a valid address"), "{refusal}");
        assert!(super::refusal("https://[::1/").is_some());
    }

    #[test]
    fn messages_show_control_characters_and_stay_short() {
        assert_eq!(shown("java\tscript:"), "java\\tscript:");
        assert_eq!(shown(&"a".repeat(100)).chars().count(), 81);
    }
}

//! TOML read with its place in a file kept: syntax errors, unknown keys (with "did you mean")
//! and type errors all come back as `SourceError`s at the file's own line and column.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

use crate::error::{SourceError, suggestion};

/// A TOML document inside a file: the whole file's text and the byte range of the TOML in it,
/// so that spans in the TOML map to the file's lines (front-matter starts on line 2).
pub struct TomlSource<'a> {
    pub path: &'a Path,
    pub file_text: &'a str,
    pub range: Range<usize>,
}

/// What keys a table may have, for the unknown-key check.
pub enum Keys {
    /// Exactly these keys, each with what its value may hold.
    Fixed(&'static [(&'static str, Keys)]),
    /// Any key; each value is checked against the inner rule (`[languages.<code>]`).
    Each(&'static Keys),
    /// An array of tables, each checked against the inner rule.
    ArrayOf(&'static Keys),
    /// A plain value or a free-form table: nothing to check.
    Any,
}

impl TomlSource<'_> {
    /// An error at a byte span of the TOML text.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> SourceError {
        SourceError::at_offset(
            self.path,
            self.file_text,
            self.range.start + span.start,
            message,
        )
    }

    /// Parse the TOML and check its keys, then deserialize it. All unknown keys are reported
    /// together; type errors come from serde, one at a time.
    pub fn parse<T: DeserializeOwned>(&self, keys: &Keys) -> Result<T, Vec<SourceError>> {
        let toml_text = &self.file_text[self.range.clone()];
        let table = DeTable::parse(toml_text).map_err(|e| vec![self.toml_error(&e)])?;
        let mut errors = Vec::new();
        self.check_keys(table.get_ref(), keys, "", &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        // Deserialize from the table already parsed: front-matter of every release goes
        // through here, and parsing it twice was a tenth of a build.
        T::deserialize(toml::de::Deserializer::from(table)).map_err(|e| vec![self.toml_error(&e)])
    }

    fn toml_error(&self, error: &toml::de::Error) -> SourceError {
        let span = error.span().unwrap_or(0..0);
        let mut message = error.message().trim_end().replace('\n', " ");
        if message.contains("expected a TOML datetime") {
            message.push_str(": write a date (2022-02-12) or a date-time (2022-02-12T15:00:00+09:00), without quotes");
        } else if message.ends_with("expected i64") {
            message.push_str(": write a whole number (1, 2, 3...), without quotes");
        }
        self.error_at(span, message)
    }

    fn check_keys(
        &self,
        table: &DeTable<'_>,
        keys: &Keys,
        prefix: &str,
        errors: &mut Vec<SourceError>,
    ) {
        let Keys::Fixed(allowed) = keys else {
            if let Keys::Each(inner) = keys {
                for (key, value) in table.iter() {
                    let name = format!("{prefix}{}.", key.get_ref());
                    self.check_value(value.get_ref(), value.span(), inner, &name, errors);
                }
            }
            return;
        };
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            match allowed.iter().find(|(known, _)| *known == name) {
                Some((_, inner)) => {
                    let nested = [prefix, name, "."].concat();
                    self.check_value(value.get_ref(), value.span(), inner, &nested, errors);
                }
                None => {
                    let hint = suggestion(name, allowed.iter().map(|(k, _)| *k));
                    errors.push(
                        self.error_at(key.span(), format!("unknown key `{prefix}{name}`{hint}")),
                    );
                }
            }
        }
    }

    fn check_value(
        &self,
        value: &DeValue<'_>,
        span: Range<usize>,
        keys: &Keys,
        prefix: &str,
        errors: &mut Vec<SourceError>,
    ) {
        match (keys, value) {
            (Keys::Any, _) => {}
            (Keys::ArrayOf(inner), DeValue::Array(items)) => {
                for item in items.iter() {
                    self.check_value(item.get_ref(), item.span(), inner, prefix, errors);
                }
            }
            (Keys::Fixed(_) | Keys::Each(_), DeValue::Table(table)) => {
                self.check_keys(table, keys, prefix, errors);
            }
            (_, other) => {
                let name = prefix.trim_end_matches('.');
                errors.push(self.error_at(
                    span,
                    format!("`{name}` must be a table, not {}", other.type_str()),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTACHMENT: Keys = Keys::Fixed(&[("title", Keys::Any), ("file", Keys::Any)]);
    const SCHEMA: Keys = Keys::Fixed(&[
        ("title", Keys::Any),
        ("attachments", Keys::ArrayOf(&ATTACHMENT)),
    ]);

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
    }

    fn parse(text: &str) -> Result<Doc, Vec<SourceError>> {
        let source = TomlSource {
            path: Path::new("a.md"),
            file_text: text,
            range: 4..text.len(),
        };
        source.parse(&SCHEMA)
    }

    #[test]
    fn every_unknown_key_is_reported_at_its_line() {
        let errors = parse("+++\ntitel = \"x\"\nattachments = [{ title = \"a\", fiel = \"b\" }]\n")
            .unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "a.md:2:1: error: unknown key `titel` (did you mean `title`?)",
                "a.md:3:31: error: unknown key `attachments.fiel` (did you mean `file`?)",
            ]
        );
    }

    #[test]
    fn syntax_and_type_errors_carry_the_file_line() {
        let errors = parse("+++\n\ntitle = = 1\n").unwrap_err();
        assert_eq!(errors[0].line, 3);
        let errors = parse("+++\n\ntitle = 5\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].column), (3, 9));
        assert!(
            errors[0].message.contains("string"),
            "{}",
            errors[0].message
        );
    }
}

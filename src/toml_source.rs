//! TOML read with its place in a file kept, one value at a time: syntax errors, unknown keys
//! (with "did you mean") and values of the wrong type all come back as `SourceError`s at the
//! file's own line and column, every one of them, each saying how to write the value.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue, ValueDeserializer};
use toml::value::Datetime;

use crate::error::{SourceError, line_column, suggestion};

/// A TOML document inside a file: the whole file's text and the byte range of the TOML in it,
/// so that spans in the TOML map to the file's lines (front-matter starts on line 2).
pub struct TomlSource<'a> {
    pub path: &'a Path,
    pub file_text: &'a str,
    pub range: Range<usize>,
}

impl<'a> TomlSource<'a> {
    /// An error at a byte span of the TOML text.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> SourceError {
        SourceError::at_offset(
            self.path,
            self.file_text,
            self.range.start + span.start,
            message,
        )
    }

    /// The line and column in the file of a byte span of the TOML text.
    pub fn line_column(&self, span: &Range<usize>) -> (usize, usize) {
        line_column(self.file_text, self.range.start + span.start)
    }

    fn toml_text(&self) -> &'a str {
        &self.file_text[self.range.clone()]
    }

    /// Parse the TOML: its top table, whose keys are `known`, and a reader to take the values
    /// out of it one by one. A syntax error is the only error then.
    pub fn parse(
        self,
        known: &'static [&'static str],
    ) -> Result<(TomlReader<'a>, Table<'a>), Vec<SourceError>> {
        let table = DeTable::parse(self.toml_text()).map_err(|e| vec![self.toml_error(&e)])?;
        let table = Table::new(String::new(), known, table.into_inner());
        Ok((
            TomlReader {
                source: self,
                errors: Vec::new(),
            },
            table,
        ))
    }

    fn toml_error(&self, error: &toml::de::Error) -> SourceError {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim_end().replace('\n', " ");
        self.error_at(span, message)
    }
}

/// The entries of a table not read yet. What is left once its known keys are taken is
/// unknown keys ([`TomlReader::finish`]).
pub struct Table<'a> {
    /// The table's dotted name and a dot (`languages.ko.`), or nothing for the top table.
    prefix: String,
    known: &'static [&'static str],
    entries: Vec<(Spanned<DeString<'a>>, Spanned<DeValue<'a>>)>,
}

impl<'a> Table<'a> {
    fn new(prefix: String, known: &'static [&'static str], table: DeTable<'a>) -> Self {
        Table {
            prefix,
            known,
            entries: table.into_iter().collect(),
        }
    }

    fn take(&mut self, key: &str) -> Option<Spanned<DeValue<'a>>> {
        debug_assert!(self.known.contains(&key), "`{key}` is not a known key");
        let position = self.entries.iter().position(|(k, _)| k.get_ref() == key)?;
        Some(self.entries.swap_remove(position).1)
    }

    /// Every entry, for a table whose keys are the site's own (languages, topics, strings).
    pub fn into_entries(
        self,
    ) -> impl Iterator<Item = (Spanned<DeString<'a>>, Spanned<DeValue<'a>>)> {
        self.entries.into_iter()
    }

    fn name(&self, key: &str) -> String {
        [self.prefix.as_str(), key].concat()
    }
}

/// A key's value as read: not there, there but wrong (its error already reported), or good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field<T> {
    Absent,
    Wrong,
    Value(T),
}

impl<T> Field<T> {
    /// The value, when there was a good one.
    pub fn value(self) -> Option<T> {
        match self {
            Field::Value(value) => Some(value),
            Field::Absent | Field::Wrong => None,
        }
    }
}

/// What a value must be, for the message when it is something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Text,
    Date,
    WholeNumber,
    Boolean,
    Table,
    List,
}

impl Expected {
    fn accepts(self, value: &DeValue<'_>) -> bool {
        matches!(
            (self, value),
            (Expected::Text, DeValue::String(_))
                | (Expected::Date, DeValue::Datetime(_))
                | (Expected::WholeNumber, DeValue::Integer(_))
                | (Expected::Boolean, DeValue::Boolean(_))
                | (Expected::Table, DeValue::Table(_))
                | (Expected::List, DeValue::Array(_))
        )
    }

    fn described(self) -> &'static str {
        match self {
            Expected::Text => "text",
            Expected::Date => "a date",
            Expected::WholeNumber => "a whole number",
            Expected::Boolean => "true or false",
            Expected::Table => "a table",
            Expected::List => "a list",
        }
    }
}

/// A type a single TOML value is read into, and what the value must be for it.
pub trait FromToml: DeserializeOwned {
    const EXPECTED: Expected;
}

impl FromToml for String {
    const EXPECTED: Expected = Expected::Text;
}

impl FromToml for Datetime {
    const EXPECTED: Expected = Expected::Date;
}

impl FromToml for i64 {
    const EXPECTED: Expected = Expected::WholeNumber;
}

impl FromToml for bool {
    const EXPECTED: Expected = Expected::Boolean;
}

impl FromToml for toml::Table {
    const EXPECTED: Expected = Expected::Table;
}

impl<T: FromToml> FromToml for Spanned<T> {
    const EXPECTED: Expected = T::EXPECTED;
}

/// What a value is called in messages: its dotted name, its key as written on its line (for
/// examples like `title = "5"`), and whether it is an item of the list of that name.
#[derive(Clone, Copy)]
struct Subject<'n> {
    name: &'n str,
    key: &'n str,
    item: bool,
}

impl Subject<'_> {
    fn what(&self) -> String {
        if self.item {
            format!("an item of `{}`", self.name)
        } else {
            format!("`{}`", self.name)
        }
    }

    /// How to write `value` for this subject: `key = value`, or the value alone in a list.
    fn example(&self, value: &str) -> String {
        if self.item {
            format!("`{value}`")
        } else {
            format!("`{} = {value}`", self.key)
        }
    }
}

/// Takes a document's values out of its tables key by key, so that every wrong value is
/// reported, each at its own place; holds the errors until [`TomlReader::into_errors`].
pub struct TomlReader<'a> {
    pub source: TomlSource<'a>,
    errors: Vec<SourceError>,
}

impl<'a> TomlReader<'a> {
    /// Report an error at a byte span of the TOML text.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let error = self.source.error_at(span, message);
        self.errors.push(error);
    }

    pub fn push(&mut self, error: SourceError) {
        self.errors.push(error);
    }

    /// The TOML text at a byte span, as written.
    pub fn source_text(&self, span: &Range<usize>) -> &'a str {
        &self.source.toml_text()[span.clone()]
    }

    /// The value of `key` in `table` as a `T`.
    pub fn take<T: FromToml>(&mut self, table: &mut Table<'a>, key: &str) -> Field<T> {
        let Some(value) = table.take(key) else {
            return Field::Absent;
        };
        let name = table.name(key);
        let subject = Subject {
            name: &name,
            key,
            item: false,
        };
        self.read_value(value, subject)
            .map_or(Field::Wrong, Field::Value)
    }

    /// The value of `key` in `table` as a list of `T`, each item read on its own: a wrong item
    /// is reported and left out.
    pub fn take_list<T: FromToml>(&mut self, table: &mut Table<'a>, key: &str) -> Field<Vec<T>> {
        let items = match self.take_array(table, key) {
            Field::Value(items) => items,
            Field::Absent => return Field::Absent,
            Field::Wrong => return Field::Wrong,
        };
        let name = table.name(key);
        let subject = Subject {
            name: &name,
            key,
            item: true,
        };
        Field::Value(
            items
                .into_iter()
                .filter_map(|item| self.read_value(item, subject))
                .collect(),
        )
    }

    /// The value of `key` in `table` as a list of TOML values, to read one by one.
    pub fn take_array(
        &mut self,
        table: &mut Table<'a>,
        key: &str,
    ) -> Field<Vec<Spanned<DeValue<'a>>>> {
        let Some(value) = table.take(key) else {
            return Field::Absent;
        };
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => Field::Value(items.into_iter().collect()),
            other => {
                let name = table.name(key);
                let subject = Subject {
                    name: &name,
                    key,
                    item: false,
                };
                let message = self.wrong_type(Expected::List, &other, &span, subject);
                self.error(span, message);
                Field::Wrong
            }
        }
    }

    /// The value of `key` in `table` as a table whose keys are `known`.
    pub fn take_table(
        &mut self,
        table: &mut Table<'a>,
        key: &str,
        known: &'static [&'static str],
    ) -> Field<Table<'a>> {
        let Some(value) = table.take(key) else {
            return Field::Absent;
        };
        let name = table.name(key);
        self.read_table(value, &name, false, known)
            .map_or(Field::Wrong, Field::Value)
    }

    /// `value` as a table whose keys are `known`; `name` is its dotted name, `item` whether it
    /// is an item of the list of that name.
    pub fn read_table(
        &mut self,
        value: Spanned<DeValue<'a>>,
        name: &str,
        item: bool,
        known: &'static [&'static str],
    ) -> Option<Table<'a>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => Some(Table::new(format!("{name}."), known, table)),
            other => {
                let subject = Subject {
                    name,
                    key: name,
                    item,
                };
                let message = self.wrong_type(Expected::Table, &other, &span, subject);
                self.error(span, message);
                None
            }
        }
    }

    /// `value` as a `T`; `name` is its dotted name, `key` its key as written.
    pub fn read<T: FromToml>(
        &mut self,
        value: Spanned<DeValue<'a>>,
        name: &str,
        key: &str,
    ) -> Option<T> {
        let subject = Subject {
            name,
            key,
            item: false,
        };
        self.read_value(value, subject)
    }

    fn read_value<T: FromToml>(
        &mut self,
        value: Spanned<DeValue<'a>>,
        subject: Subject<'_>,
    ) -> Option<T> {
        let span = value.span();
        if !T::EXPECTED.accepts(value.get_ref()) {
            let message = self.wrong_type(T::EXPECTED, value.get_ref(), &span, subject);
            self.error(span, message);
            return None;
        }
        // The type is right; what is left to fail is a value out of range (a number too
        // large for 64 bits), which toml's own message says.
        T::deserialize(ValueDeserializer::from(value))
            .map_err(|e| {
                let error = self.source.toml_error(&e);
                self.errors.push(error);
            })
            .ok()
    }

    fn wrong_type(
        &self,
        expected: Expected,
        value: &DeValue<'_>,
        span: &Range<usize>,
        subject: Subject<'_>,
    ) -> String {
        let raw = self.source.toml_text()[span.clone()].trim();
        let short = !raw.contains('\n') && raw.chars().count() <= 60;
        let actual = match value {
            DeValue::String(_) => "text".to_string(),
            DeValue::Integer(_) => "a whole number".to_string(),
            DeValue::Float(_) => "a number with a decimal point".to_string(),
            DeValue::Boolean(_) => format!("`{raw}`"),
            DeValue::Datetime(_) => "a date".to_string(),
            DeValue::Array(_) => "a list".to_string(),
            DeValue::Table(_) => "a table".to_string(),
        };
        let hint = match (expected, value) {
            (
                Expected::Text,
                DeValue::Integer(_)
                | DeValue::Float(_)
                | DeValue::Boolean(_)
                | DeValue::Datetime(_),
            ) => Some(format!(
                "put it in quotes: {}",
                subject.example(&format!("\"{raw}\""))
            )),
            (Expected::Date, DeValue::String(text))
                if short && text.trim().parse::<Datetime>().is_ok() =>
            {
                Some(format!(
                    "remove the quotes: {}",
                    subject.example(text.trim())
                ))
            }
            (Expected::Date, _) => Some(
                "write a date (2022-02-12) or a date-time (2022-02-12T15:00:00+09:00), without quotes"
                    .to_string(),
            ),
            (Expected::WholeNumber, _) => {
                Some("write a whole number (1, 2, 3...), without quotes".to_string())
            }
            (Expected::Boolean, _) => Some(format!(
                "write {} or {}, without quotes",
                subject.example("true"),
                subject.example("false")
            )),
            (Expected::List, DeValue::String(_)) if short => {
                Some(format!("write {}", subject.example(&format!("[{raw}]"))))
            }
            (Expected::List, _) => Some("write the items in brackets: [...]".to_string()),
            _ => None,
        };
        let head = format!(
            "{} must be {}, not {actual}",
            subject.what(),
            expected.described()
        );
        match hint {
            Some(hint) => format!("{head}: {hint}"),
            None => head,
        }
    }

    /// Report every key left in `table` as unknown, with the closest known key.
    pub fn finish(&mut self, table: Table<'a>) {
        for (key, _) in &table.entries {
            let name = key.get_ref().as_ref();
            let hint = suggestion(name, table.known.iter().copied());
            self.error(
                key.span(),
                format!("unknown key `{}{name}`{hint}", table.prefix),
            );
        }
    }

    /// Every error reported, in the order found.
    pub fn into_errors(self) -> Vec<SourceError> {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTACHMENT: &[&str] = &["title", "file"];
    const DOCUMENT: &[&str] = &["title", "count", "attachments"];

    /// Each error of the document as shown.
    fn read(text: &str) -> Vec<String> {
        let source = TomlSource {
            path: Path::new("a.md"),
            file_text: text,
            range: 4..text.len(),
        };
        let (mut toml, mut top) = match source.parse(DOCUMENT) {
            Ok(parsed) => parsed,
            Err(errors) => return errors.iter().map(ToString::to_string).collect(),
        };
        let _: Field<String> = toml.take(&mut top, "title");
        let _: Field<i64> = toml.take(&mut top, "count");
        if let Field::Value(items) = toml.take_array(&mut top, "attachments") {
            for item in items {
                if let Some(mut attachment) = toml.read_table(item, "attachments", true, ATTACHMENT)
                {
                    let _: Field<String> = toml.take(&mut attachment, "title");
                    let _: Field<String> = toml.take(&mut attachment, "file");
                    toml.finish(attachment);
                }
            }
        }
        toml.finish(top);
        let mut errors = toml.into_errors();
        errors.sort();
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_unknown_key_is_reported_at_its_line() {
        assert_eq!(
            read("+++\ntitel = \"x\"\nattachments = [{ title = \"a\", fiel = \"b\" }]\n"),
            [
                "a.md:2:1: error: unknown key `titel` (did you mean `title`?)",
                "a.md:3:31: error: unknown key `attachments.fiel` (did you mean `file`?)",
            ]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_values_are_reported_together() {
        assert_eq!(
            read(
                "+++\ntitle = 5\ncont = 1\ncount = \"2\"\nattachments = [\"x\", { title = true }]\n"
            ),
            [
                "a.md:2:9: error: `title` must be text, not a whole number: put it in quotes: `title = \"5\"`",
                "a.md:3:1: error: unknown key `cont` (did you mean `count`?)",
                "a.md:4:9: error: `count` must be a whole number, not text: write a whole number (1, 2, 3...), without quotes",
                "a.md:5:16: error: an item of `attachments` must be a table, not text",
                "a.md:5:31: error: `attachments.title` must be text, not `true`: put it in quotes: `title = \"true\"`",
            ]
        );
    }

    #[test]
    fn syntax_errors_and_values_out_of_range_carry_the_file_line() {
        let errors = read("+++\n\ntitle = = 1\n");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("a.md:3:"), "{errors:?}");
        let errors = read("+++\ncount = 99999999999999999999\n");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("a.md:2:9: error: "), "{errors:?}");
    }
}

//! communique: a static site generator for a foreign ministry's bilingual news.
//!
//! One pipeline serves every command: [`content::load`] reads and checks the files,
//! [`model::Site::build`] resolves translations, sections and topics, [`render::render`] makes
//! every page, and [`output::Output`] puts them on disk as they come (or `serve` keeps them in
//! memory). The library never prints: it returns what happened, and `main.rs` reports it.

mod build;
pub mod check;
mod config;
mod content;
mod error;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
mod i18n;
mod load;
mod markdown;
mod model;
mod output;
mod read;
mod render;
pub mod search;
pub mod serve;
mod theme;
mod toml_source;
mod urls;

pub use build::{BuildOptions, BuildSummary, Timings, build};
pub use check::{CheckReport, check};
pub use content::LoadOptions;
pub use error::{Error, Result, SourceError, SourceWarning, escape_controls};
pub use i18n::iso as iso_date;
pub use load::load;
pub use model::Site;
pub use output::OutputFile;
pub use urls::Urls;

//! The integration tests, in one binary so that the crate is linked once for all of them (as
//! mdBook and ripgrep do). `common` is the fixture harness; each other module is one feature.

mod common;

mod a11y;
mod build;
mod check;
mod collisions;
mod deploy;
mod docs;
mod errors;
mod injection;
mod layers;
mod load;
mod output;
mod search;
mod search_browser;
mod serve;
mod serve_browser;
mod serve_limits;
mod templates;
mod theme;

//! The command line: `build`, `check` (and `serve`), with the site arguments they share.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "communique",
    version,
    about = "Build a ministry's bilingual news site from Markdown"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the site into the output folder.
    Build(BuildArgs),
    /// Preview the site on a local address, rebuilding and reloading on every save.
    Serve(ServeArgs),
    /// Check the site for errors without writing anything.
    Check(SiteArgs),
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's folder (where config.toml is).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site (default: output_dir of config.toml, under the root).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Publish under another address than base_url of config.toml.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include releases marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include releases dated in the future (left out until their date has passed).
    #[arg(long)]
    pub future: bool,
    /// Write into a non-empty folder that communique did not make, beside its files (which
    /// are never replaced or removed).
    #[arg(long)]
    pub force: bool,
    /// Print how long each stage took (load, model, render, write).
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The address to listen on; anything but loopback shows the site to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Include releases marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include releases dated in the future (left out until their date has passed).
    #[arg(long)]
    pub future: bool,
}

//! The `communique` command: parse the command line, run the library, report, pick the exit
//! status (0 done, 1 the site has errors, 2 the command line is wrong).

mod cli;

use std::process::ExitCode;

use clap::Parser;
use communique::{BuildOptions, LoadOptions, SiteErrors};

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Build(args) => {
            let options = BuildOptions {
                root: args.site.root,
                output: args.output,
                load: LoadOptions {
                    base_url: args.base_url,
                    drafts: args.drafts,
                },
                force: args.force,
            };
            let summary = communique::build(&options)?;
            eprintln!(
                "built {} releases into {}: {} files ({} written, {} unchanged, {} removed)",
                summary.releases,
                summary.output.display(),
                summary.files,
                summary.write.written,
                summary.write.unchanged,
                summary.write.removed
            );
        }
        Command::Check(args) => {
            let report = communique::check(&args.root)?;
            if let Some(table) = report.missing_translations_table() {
                eprintln!("{table}");
            }
            if !report.errors.is_empty() {
                return Err(SiteErrors(report.errors).into());
            }
            eprintln!("no errors: {} files would be built", report.files);
        }
    }
    Ok(())
}

/// Every site error on its own line, then a count; other failures with their cause chain.
fn report(error: &anyhow::Error) {
    if let Some(errors) = error.downcast_ref::<SiteErrors>() {
        for e in &errors.0 {
            eprintln!("{e}");
        }
        let count = errors.0.len();
        eprintln!(
            "error: the site has {count} error{}; nothing was written",
            if count == 1 { "" } else { "s" }
        );
    } else {
        eprintln!("error: {error:#}");
    }
}

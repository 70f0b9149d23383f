//! The `communique` command: parse the command line, run the library, report, pick the exit
//! status (0 done, 1 the site has errors, 2 the command line is wrong).

mod cli;

use std::net::IpAddr;
use std::process::ExitCode;

use clap::Parser;
use communique::escape_controls;
use communique::serve::{Report, ServeOptions};
use communique::{BuildOptions, Error, LoadOptions, SourceWarning};

use cli::{Cli, Command};

/// mimalloc instead of glibc's malloc: a build makes and frees millions of small strings and
/// maps on rayon's threads, where glibc's free lists took a tenth of the CPU time and its
/// per-thread heaps grew by thousands of `mprotect` calls.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // What the site is left as when a command fails: only `build` writes.
    let outcome = match cli.command {
        Command::Build(_) => Some("nothing was written"),
        Command::Serve(_) => Some("serve did not start"),
        Command::Check(_) => None,
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error, outcome);
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> communique::Result<()> {
    match command {
        Command::Build(args) => {
            let timings = args.timings;
            let options = BuildOptions {
                root: args.site.root,
                output: args.output,
                load: LoadOptions {
                    base_url: args.base_url,
                    drafts: args.drafts,
                    future: args.future,
                },
                force: args.force,
            };
            let summary = communique::build(&options)?;
            report_warnings(&summary.warnings);
            eprintln!(
                "built {} releases into {}: {} files ({} written, {} unchanged, {} removed)",
                summary.releases,
                escape_controls(&summary.output.display().to_string()),
                summary.files,
                summary.write.written,
                summary.write.unchanged,
                summary.write.removed
            );
            if let Some(note) = scheduled_note(summary.scheduled.len(), "build --future") {
                eprintln!("{note}");
                for release in &summary.scheduled {
                    let date = communique::iso_date(&release.date);
                    let source = release.source.display().to_string();
                    eprintln!("  {date}  {}", escape_controls(&source));
                }
            }
            if timings {
                let t = &summary.timings;
                eprintln!(
                    "timings: load {} ms, model {} ms, render {} ms, write {} ms",
                    t.load.as_millis(),
                    t.model.as_millis(),
                    t.render.as_millis(),
                    t.write.as_millis()
                );
            }
        }
        Command::Serve(args) => {
            let options = ServeOptions {
                root: args.site.root,
                bind: args.bind,
                port: args.port,
                drafts: args.drafts,
                future: args.future,
            };
            communique::serve::run(&options, report_serve)?;
            eprintln!("stopped");
        }
        Command::Check(args) => {
            let report = communique::check(&args.root)?;
            report_warnings(&report.warnings);
            if let Some(table) = report.missing_translations_table() {
                eprintln!("{table}");
            }
            if let Some(warning) = report.menu_order_warning() {
                eprintln!("{warning}");
            }
            if !report.errors.is_empty() {
                return Err(report.errors.into());
            }
            eprintln!("no errors: {} files would be built", report.files);
        }
    }
    Ok(())
}

/// What `serve` does, as it happens: its address, each rebuild and how long it took, errors.
fn report_serve(event: Report<'_>) {
    match event {
        Report::Listening {
            url,
            address,
            files,
            took,
            scheduled,
            warnings,
        } => {
            if let Some(warning) = exposure_warning(address.ip()) {
                eprintln!("{warning}");
            }
            report_warnings(warnings);
            eprintln!("built {files} files in {} ms", took.as_millis());
            if let Some(note) = scheduled_note(scheduled, "serve --future") {
                eprintln!("{note}");
            }
            eprintln!("serving at {url} (press Ctrl-C to stop)");
        }
        Report::Rebuilt {
            rebuild,
            rebuilt,
            took,
            scheduled,
            warnings,
        } => {
            report_warnings(warnings);
            eprintln!(
                "rebuilt in {:.1} ms ({}: {} pages rendered, {} of {} files changed)",
                took.as_secs_f64() * 1000.0,
                escape_controls(&rebuild.describe()),
                rebuilt.pages_rendered,
                rebuilt.files_changed,
                rebuilt.files
            );
            if let Some(note) = scheduled_note(scheduled, "serve --future") {
                eprintln!("{note}");
            }
        }
        Report::CaughtUp {
            files_changed,
            took,
        } => eprintln!(
            "search index updated in {:.1} ms ({files_changed} files changed)",
            took.as_secs_f64() * 1000.0
        ),
        Report::Failed { error } => report(error, Some("still serving the last good build")),
        Report::WatchError { message } => {
            eprintln!(
                "warning: watching the site's files: {}",
                escape_controls(message)
            )
        }
    }
}

/// What to say when `count` releases were left out for being dated in the future; `command`
/// is the one that would include them.
fn scheduled_note(count: usize, command: &str) -> Option<String> {
    (count > 0).then(|| {
        let releases = if count == 1 { "release" } else { "releases" };
        format!(
            "note: {count} {releases} dated in the future left out until {} date; `{command}` includes them",
            if count == 1 { "its" } else { "their" }
        )
    })
}

/// A preview on anything but loopback is visible to the network; say so.
fn exposure_warning(ip: IpAddr) -> Option<String> {
    (!ip.is_loopback()).then(|| {
        format!(
            "warning: listening on {ip}, which other computers can reach: anyone on the network can see this preview, drafts included"
        )
    })
}

/// Every site error on its own line, then a count and what became of the site (`outcome`);
/// other failures with their cause chain.
fn report(error: &Error, outcome: Option<&str>) {
    match error {
        Error::Site(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            let count = errors.len();
            let plural = if count == 1 { "" } else { "s" };
            match outcome {
                Some(outcome) => eprintln!("error: the site has {count} error{plural}; {outcome}"),
                None => eprintln!("error: the site has {count} error{plural}"),
            }
        }
        // Its causes name files of the site.
        Error::Other(error) => eprintln!("error: {}", escape_controls(&format!("{error:#}"))),
    }
}

/// Each file the site skipped, on a line of its own.
fn report_warnings(warnings: &[SourceWarning]) {
    for warning in warnings {
        eprintln!("{warning}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_loopback_addresses_are_warned_about() {
        assert_eq!(exposure_warning("127.0.0.1".parse().unwrap()), None);
        assert_eq!(exposure_warning("::1".parse().unwrap()), None);
        let warning = exposure_warning("0.0.0.0".parse().unwrap()).unwrap();
        assert!(
            warning.starts_with("warning: listening on 0.0.0.0"),
            "{warning}"
        );
        assert!(exposure_warning("192.168.0.10".parse().unwrap()).is_some());
    }
}

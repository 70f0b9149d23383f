//! `serve`: build the site in memory, serve it on a local address, watch its sources, rebuild
//! what a change touches and reload the open pages. Nothing is written to disk. What happens
//! is handed to a `Report` callback; `main.rs` prints it.

pub mod connections;
pub mod live;
pub mod reload;
pub mod server;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::sync::watch as channel;

use crate::content::LoadOptions;
use crate::error::{Error, SourceWarning};
use live::{LiveSite, Rebuilt, Snapshot};
use watch::Rebuild;

/// What `serve` should do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port (the `Listening` report says which).
    pub port: u16,
    pub drafts: bool,
    /// Show releases dated in the future.
    pub future: bool,
}

/// What `serve` tells its caller, as it happens.
#[derive(Debug)]
pub enum Report<'a> {
    Listening {
        url: &'a str,
        address: SocketAddr,
        files: usize,
        took: Duration,
        /// Releases left out because their date has not come yet.
        scheduled: usize,
        /// Files skipped (not regular files, link cycles).
        warnings: &'a [SourceWarning],
    },
    Rebuilt {
        rebuild: &'a Rebuild,
        rebuilt: Rebuilt,
        /// Releases left out because their date has not come yet.
        scheduled: usize,
        /// Files skipped that the site before this rebuild did not skip.
        warnings: &'a [SourceWarning],
        took: Duration,
    },
    Failed {
        error: &'a Error,
    },
    /// The search index caught up with a quick rebuild, after its pages were served.
    CaughtUp {
        files_changed: usize,
        took: Duration,
    },
    /// The file watcher failed; changes may be missed.
    WatchError {
        message: &'a str,
    },
}

/// What the rebuild loop waits for.
enum Message {
    Changed(Vec<PathBuf>),
    WatchFailed(String),
    Stop,
}

/// Serve the site until Ctrl-C. Errors in the first build are returned: there is no good
/// site to show yet.
pub fn run(
    options: &ServeOptions,
    mut report: impl FnMut(Report<'_>) + Send + 'static,
) -> crate::error::Result<()> {
    let started = Instant::now();
    let listener = TcpListener::bind((options.bind, options.port))
        .with_context(|| format!("cannot listen on {}:{}", options.bind, options.port))?;
    let address = listener.local_addr()?;
    let url = format!("http://{address}/");
    let root = std::path::absolute(&options.root)
        .with_context(|| format!("cannot resolve {}", options.root.display()))?;
    let load = LoadOptions {
        // Links go to this server, whatever base_url says.
        base_url: Some(url.clone()),
        drafts: options.drafts,
        future: options.future,
    };
    let live = LiveSite::build(&root, &load)?;
    let (snapshots, receiver) = channel::channel(Arc::new(Snapshot {
        version: 1,
        files: Arc::new(live.files().clone()),
        errors: Vec::new(),
    }));
    let (messages, inbox) = mpsc::channel();
    let watcher_messages = messages.clone();
    let watcher = watch::start(&root, move |batch| {
        // The receiver is gone only while `serve` stops.
        let _ = watcher_messages.send(match batch {
            Ok(paths) => Message::Changed(paths),
            Err(message) => Message::WatchFailed(message),
        });
    })?;
    report(Report::Listening {
        url: &url,
        address,
        files: live.files().len(),
        took: started.elapsed(),
        scheduled: live.site().scheduled.len(),
        warnings: &live.site().warnings,
    });

    let rebuilder = Rebuilder {
        root,
        live,
        watcher,
        snapshots,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    // Dropped when the rebuild thread ends, however it ends.
    let (finished, rebuilder_gone) = mpsc::channel::<()>();
    let rebuilds = std::thread::spawn(move || {
        let _finished = finished;
        rebuilder.run(&inbox, &mut report);
    });
    let stop = messages.clone();
    let served = runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let stop_requested = async move {
            stop_requested().await;
            let _ = stop.send(Message::Stop);
        };
        connections::serve(listener, server::router(receiver), stop_requested).await;
        std::io::Result::Ok(())
    });
    // Also when the server failed: the rebuild loop must not outlive it.
    let _ = messages.send(Message::Stop);
    // A rebuild cannot be interrupted and what it makes would never be served: wait for the
    // loop to see `Stop`, not for a rebuild to finish. A busy thread ends with the process.
    match rebuilder_gone.recv_timeout(REBUILD_GRACE) {
        Err(mpsc::RecvTimeoutError::Timeout) => {}
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => rebuilds
            .join()
            .map_err(|_| anyhow::anyhow!("the rebuild thread panicked"))?,
    }
    Ok(served.context("the server failed")?)
}

/// How long a stop waits for the rebuild loop to end.
const REBUILD_GRACE: Duration = Duration::from_secs(1);

/// Ctrl-C, or on Unix SIGTERM: what a terminal, a process manager or `docker stop` sends.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            let interrupt = std::pin::pin!(tokio::signal::ctrl_c());
            futures_util::future::select(interrupt, std::pin::pin!(terminate.recv())).await;
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The messages waiting for the rebuild loop, taken together.
#[derive(Debug, Default, PartialEq, Eq)]
struct Batch {
    paths: Vec<PathBuf>,
    watch_errors: Vec<String>,
    stop: bool,
}

impl Batch {
    fn of(messages: impl IntoIterator<Item = Message>) -> Batch {
        let mut batch = Batch::default();
        for message in messages {
            match message {
                Message::Changed(paths) => batch.paths.extend(paths),
                Message::WatchFailed(message) => batch.watch_errors.push(message),
                Message::Stop => batch.stop = true,
            }
        }
        batch
    }
}

/// The rebuild loop's state: it owns the watcher and the site, and publishes snapshots.
struct Rebuilder {
    root: PathBuf,
    live: LiveSite,
    watcher: watch::Watcher,
    snapshots: channel::Sender<Arc<Snapshot>>,
}

impl Rebuilder {
    /// Rebuild for each batch of changes until told to stop. Dropping `self` at the end drops
    /// the snapshot sender, which ends every open event stream (the server closes them when it
    /// stops in any case).
    fn run(mut self, inbox: &mpsc::Receiver<Message>, report: &mut impl FnMut(Report<'_>)) {
        while let Ok(message) = inbox.recv() {
            // What came during the last rebuild is one batch: one rebuild for every save, and
            // a stop before any of them.
            let batch = Batch::of(std::iter::once(message).chain(inbox.try_iter()));
            for message in &batch.watch_errors {
                report(Report::WatchError { message });
            }
            if batch.stop {
                break;
            }
            let paths = batch.paths.iter().map(PathBuf::as_path);
            if let Some(rebuild) = watch::classify(&self.root, paths) {
                self.rebuild(&rebuild, report);
            }
        }
    }

    fn rebuild(&mut self, rebuild: &Rebuild, report: &mut impl FnMut(Report<'_>)) {
        if *rebuild == Rebuild::Full
            && let Err(error) = watch::watch_folders(&mut self.watcher, &self.root)
        {
            report(Report::WatchError {
                message: &format!("{error:#}"),
            });
        }
        let start = Instant::now();
        let warned_before = self.live.site().warnings.clone();
        let result = self.live.rebuild(rebuild);
        let previous = self.snapshots.borrow().clone();
        match result {
            Ok(rebuilt) => {
                self.snapshots.send_replace(Arc::new(Snapshot {
                    version: previous.version + 1,
                    files: Arc::new(self.live.files().clone()),
                    errors: Vec::new(),
                }));
                let took = start.elapsed();
                let new_warnings: Vec<SourceWarning> = (self.live.site().warnings.iter())
                    .filter(|w| !warned_before.contains(w))
                    .cloned()
                    .collect();
                report(Report::Rebuilt {
                    rebuild,
                    rebuilt,
                    took,
                    scheduled: self.live.site().scheduled.len(),
                    warnings: &new_warnings,
                });
                // The pages are served and open tabs reload; the search index follows, under
                // the same version so that nothing reloads twice.
                let start = Instant::now();
                if let Some(files_changed) = self.live.catch_up() {
                    let current = self.snapshots.borrow().clone();
                    self.snapshots.send_replace(Arc::new(Snapshot {
                        version: current.version,
                        files: Arc::new(self.live.files().clone()),
                        errors: Vec::new(),
                    }));
                    report(Report::CaughtUp {
                        files_changed,
                        took: start.elapsed(),
                    });
                }
            }
            Err(error) => {
                self.snapshots.send_replace(Arc::new(Snapshot {
                    version: previous.version,
                    files: previous.files.clone(),
                    errors: error_lines(&error),
                }));
                report(Report::Failed { error: &error });
            }
        }
    }
}

/// Each error as the terminal shows it: `path:line:column: error: message`.
fn error_lines(error: &Error) -> Vec<String> {
    match error {
        Error::Site(errors) => errors.iter().map(ToString::to_string).collect(),
        Error::Other(error) => vec![format!("error: {error:#}")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_made_during_a_rebuild_are_one_batch_and_a_stop_comes_first() {
        let batch = Batch::of([
            Message::Changed(vec!["a.md".into()]),
            Message::WatchFailed("lost".into()),
            Message::Changed(vec!["b.md".into(), "a.md".into()]),
        ]);
        assert_eq!(
            batch,
            Batch {
                paths: vec!["a.md".into(), "b.md".into(), "a.md".into()],
                watch_errors: vec!["lost".into()],
                stop: false,
            }
        );
        let batch = Batch::of([Message::Changed(vec!["a.md".into()]), Message::Stop]);
        assert!(batch.stop);
    }
}

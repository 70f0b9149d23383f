//! Live reload: the script injected into served pages, and the server-sent events that tell
//! open pages to reload after a rebuild or to show the errors of a broken one.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::watch;

use super::live::Snapshot;

/// Addresses `serve` answers itself, under a prefix no site uses.
pub const SCRIPT_PATH: &str = "/__communique/live-reload.js";
pub const EVENTS_PATH: &str = "/__communique/events";

const SCRIPT: &str = include_str!("live-reload.js");

/// `html` with the live-reload script before its last `</body>` (or at its end), telling the
/// script which build the page is from.
pub fn inject(html: &[u8], version: u64) -> Vec<u8> {
    let tag = format!(r#"<script src="{SCRIPT_PATH}" data-version="{version}"></script>"#);
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
}

/// The event stream of one open page: `hello` with the current build's version, `errors`
/// while the site is broken, `reload` after each good rebuild. It ends when `serve` stops.
pub async fn events(
    State(snapshots): State<watch::Receiver<Arc<Snapshot>>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut snapshots = snapshots;
    let current = snapshots.borrow_and_update().clone();
    let mut first = vec![
        Event::default()
            .event("hello")
            .data(current.version.to_string()),
    ];
    first.extend(errors_event(&current));
    first.reverse(); // popped from the end
    let stream = futures_util::stream::unfold(
        (snapshots, current.version, first),
        |(mut snapshots, mut version, mut pending)| async move {
            loop {
                if let Some(event) = pending.pop() {
                    return Some((Ok(event), (snapshots, version, pending)));
                }
                // An error here means the rebuild loop is gone: `serve` is stopping.
                snapshots.changed().await.ok()?;
                let snapshot = snapshots.borrow_and_update().clone();
                if let Some(event) = errors_event(&snapshot) {
                    pending.push(event);
                } else if snapshot.version != version {
                    version = snapshot.version;
                    pending.push(Event::default().event("reload").data(version.to_string()));
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn errors_event(snapshot: &Snapshot) -> Option<Event> {
    (!snapshot.errors.is_empty()).then(|| {
        Event::default()
            .event("errors")
            .data(snapshot.errors.join("\n"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, 7)).unwrap();
        assert_eq!(
            out,
            format!(
                r#"<html><body><p>x</p><script src="{SCRIPT_PATH}" data-version="7"></script></BODY></html>"#
            )
        );
        let bare = String::from_utf8(inject(b"<p>x</p>", 1)).unwrap();
        assert!(bare.starts_with("<p>x</p><script"), "{bare}");
    }
}

//! The HTTP side of `serve`: answers from the built site in memory only (never the disk), with
//! the live-reload script in its HTML, the 404 page for what the site does not have, and 400
//! for addresses that try to climb out of it.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;

use super::live::Snapshot;
use super::reload;

pub fn router(snapshots: watch::Receiver<Arc<Snapshot>>) -> Router {
    Router::new()
        .route(reload::SCRIPT_PATH, get(reload::script))
        .route(reload::EVENTS_PATH, get(reload::events))
        .fallback(site_file)
        .with_state(snapshots)
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPath;

/// The output file a request path asks for (`/ko/` is `ko/index.html`), or `BadPath` for a path
/// with `.` or `..` segments, backslashes, NUL or bad percent-encoding, encoded or not.
pub fn file_for(path: &str) -> Result<String, BadPath> {
    let path = path.strip_prefix('/').ok_or(BadPath)?;
    if path.contains('\\') {
        return Err(BadPath);
    }
    let decoded = percent_decode(path).ok_or(BadPath)?;
    let unsafe_segment = decoded
        .split('/')
        .any(|segment| segment == ".." || segment == "." || segment.contains(['\\', '\0']));
    if unsafe_segment {
        return Err(BadPath);
    }
    Ok(if decoded.is_empty() || decoded.ends_with('/') {
        format!("{decoded}index.html")
    } else {
        decoded
    })
}

/// `%xx` escapes decoded; `None` for a bad escape or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type for an output file, by its extension; text is UTF-8.
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "rss" => "application/rss+xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "pdf" => "application/pdf",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wasm" => "application/wasm",
        "zip" => "application/zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "hwp" => "application/x-hwp",
        _ => "application/octet-stream",
    }
}

/// Any address that is not `serve`'s own: a file of the built site, or its 404 page.
/// HEAD gets the same headers without the body (hyper leaves the body out).
async fn site_file(
    State(snapshots): State<watch::Receiver<Arc<Snapshot>>>,
    method: Method,
    uri: Uri,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let Ok(file) = file_for(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad request path\n").into_response();
    };
    let snapshot = snapshots.borrow().clone();
    if snapshot.files.contains_key(&file) {
        return respond(&snapshot, StatusCode::OK, &file);
    }
    // `/ko/press-releases` is the folder `ko/press-releases/`, as on static hosts.
    if snapshot.files.contains_key(&format!("{file}/index.html")) {
        let location = format!("{}/", uri.path());
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    respond(&snapshot, StatusCode::NOT_FOUND, "404.html")
}

fn respond(snapshot: &Snapshot, status: StatusCode, file: &str) -> Response {
    let Some(bytes) = snapshot.files.get(file) else {
        return (status, "not found\n").into_response();
    };
    let content_type = content_type(file);
    let body = if content_type.starts_with("text/html") {
        Body::from(reload::inject(bytes, snapshot.version))
    } else {
        Body::from(bytes.clone())
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A preview must show the latest build on every load.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_their_index_page() {
        assert_eq!(file_for("/"), Ok("index.html".into()));
        assert_eq!(file_for("/ko/"), Ok("ko/index.html".into()));
        assert_eq!(
            file_for("/files/a%20b.pdf"),
            Ok("files/a b.pdf".to_string())
        );
        assert_eq!(
            file_for("/ko/%EC%86%8C%EC%8B%9D/"),
            Ok("ko/소식/index.html".into())
        );
    }

    #[test]
    fn climbing_out_is_refused_however_spelled() {
        for path in [
            "/../config.toml",
            "/%2e%2e/config.toml",
            "/%2E%2E/config.toml",
            "/..%2fconfig.toml",
            "/ko/..%2F..%2Fconfig.toml",
            "/\\..\\config.toml",
            "/%5c..%5cconfig.toml",
            "/./index.html",
            "/ko/%00",
            "/bad%zz",
            "/%ff",
            "relative",
        ] {
            assert_eq!(file_for(path), Err(BadPath), "{path}");
        }
    }

    #[test]
    fn text_is_utf8_and_files_have_their_types() {
        assert_eq!(content_type("ko/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("theme/communique.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("a.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("f.pdf"), "application/pdf");
        assert_eq!(content_type("p.jpeg"), "image/jpeg");
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}

//! Watching the site's sources: file-system events, debounced into batches, and the pure
//! function that turns a batch of changed paths into the one rebuild it needs.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// The watcher; watching stops when it is dropped.
pub type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

use crate::config::CONFIG_FILE;
use crate::content::{CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};

/// Events closer together than this are one batch, so an editor's write-to-temporary-then-
/// rename save is one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(120);

/// The cheapest rebuild that is still correct for a batch of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebuild {
    /// Only files under static/ changed: these paths (relative to static/, `/`-separated).
    Static(Vec<String>),
    /// Only templates changed: re-render every page without reading content again.
    Templates,
    /// Content (and maybe static files) changed: read the content again, re-render what shows
    /// it. With every changed path (relative to the root, `/`-separated, sorted), so that an
    /// edit of existing releases can take a quicker path.
    Content(Vec<String>),
    /// config.toml, a whole source folder, or several kinds at once: everything again.
    Full,
}

impl Rebuild {
    /// For the rebuild line in the terminal.
    pub fn describe(&self) -> String {
        match self {
            Rebuild::Static(paths) => format!("static {}", paths.join(", ")),
            Rebuild::Templates => "templates".into(),
            Rebuild::Content(paths) if paths.len() == 1 => paths[0].clone(),
            Rebuild::Content(paths) => format!("{} content files", paths.len()),
            Rebuild::Full => "everything".into(),
        }
    }
}

/// What one changed path belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Touched {
    Config,
    /// Relative to the root.
    Content(String),
    Templates,
    Static(String),
    /// A source folder itself appeared or went.
    Folder,
}

/// The rebuild a batch of changed paths (absolute, below `root`) needs; `None` when none of
/// them is part of the site (editor swap files, the output folder...).
pub fn classify<'a>(root: &Path, paths: impl IntoIterator<Item = &'a Path>) -> Option<Rebuild> {
    let touched: Vec<Touched> = paths
        .into_iter()
        .filter_map(|path| touched(root, path))
        .collect();
    if touched.is_empty() {
        return None;
    }
    let has = |kind: &Touched| touched.contains(kind);
    let content: Vec<&String> = touched
        .iter()
        .filter_map(|t| match t {
            Touched::Content(path) => Some(path),
            _ => None,
        })
        .collect();
    let statics: Vec<String> = touched
        .iter()
        .filter_map(|t| match t {
            Touched::Static(path) => Some(path.clone()),
            _ => None,
        })
        .collect();
    let rebuild = if has(&Touched::Config)
        || has(&Touched::Folder)
        || (has(&Touched::Templates) && (!content.is_empty() || !statics.is_empty()))
    {
        Rebuild::Full
    } else if !content.is_empty() {
        let mut paths: Vec<String> = content.into_iter().cloned().collect();
        paths.extend(statics.iter().map(|p| format!("{STATIC_DIR}/{p}")));
        paths.sort();
        paths.dedup();
        Rebuild::Content(paths)
    } else if has(&Touched::Templates) {
        Rebuild::Templates
    } else {
        let mut statics = statics;
        statics.sort();
        statics.dedup();
        Rebuild::Static(statics)
    };
    Some(rebuild)
}

fn touched(root: &Path, path: &Path) -> Option<Touched> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = relative
        .components()
        .map(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if parts.iter().any(|p| is_scratch(p)) {
        return None;
    }
    match parts.as_slice() {
        [CONFIG_FILE] => Some(Touched::Config),
        [CONTENT_DIR] | [TEMPLATES_DIR] | [STATIC_DIR] => Some(Touched::Folder),
        [CONTENT_DIR, rest @ ..] => {
            // Only Markdown is content; a name without an extension may be a folder.
            let name = rest.last()?;
            let markdown_or_folder = match name.rsplit_once('.') {
                Some((_, extension)) => extension == "md",
                None => true,
            };
            markdown_or_folder.then(|| Touched::Content(parts.join("/")))
        }
        [TEMPLATES_DIR, _, ..] => Some(Touched::Templates),
        [STATIC_DIR, rest @ ..] => Some(Touched::Static(rest.join("/"))),
        _ => None,
    }
}

/// Editors' hidden, backup and swap files, which the site never reads.
fn is_scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913" // vim's test file for whether a folder is writable
}

/// Watch `root`'s config.toml, content/, templates/ and static/ (not the output folder), and
/// hand each debounced batch of changed paths (or the watcher's error) to `on_batch`.
/// Reads are left out: the rebuild itself opens every file.
pub fn start(
    root: &Path,
    mut on_batch: impl FnMut(Result<Vec<PathBuf>, String>) + Send + 'static,
) -> anyhow::Result<Watcher> {
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let batch = match result {
            Ok(events) => Ok(events
                .into_iter()
                .filter(|e| !e.kind.is_access())
                .flat_map(|e| e.event.paths)
                .collect::<Vec<_>>()),
            Err(errors) => Err(errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")),
        };
        if !matches!(&batch, Ok(paths) if paths.is_empty()) {
            on_batch(batch);
        }
    })?;
    debouncer.watch(root, RecursiveMode::NonRecursive)?;
    watch_folders(&mut debouncer, root)?;
    Ok(debouncer)
}

/// Watch each source folder that exists and everything below it; called again after a full
/// rebuild, so a folder that appeared is watched too.
pub fn watch_folders(watcher: &mut Watcher, root: &Path) -> anyhow::Result<()> {
    for dir in [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR] {
        let dir = root.join(dir);
        if dir.is_dir() {
            watcher.watch(&dir, RecursiveMode::Recursive)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rebuild(paths: &[&str]) -> Option<Rebuild> {
        let root = Path::new("/site");
        let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
        classify(root, paths.iter().map(PathBuf::as_path))
    }

    #[test]
    fn each_kind_of_source_gets_its_own_rebuild() {
        assert_eq!(rebuild(&["config.toml"]), Some(Rebuild::Full));
        assert_eq!(
            rebuild(&["content/ko/press-releases/x.md"]),
            Some(Rebuild::Content(vec![
                "content/ko/press-releases/x.md".into()
            ]))
        );
        assert_eq!(rebuild(&["templates/base.html"]), Some(Rebuild::Templates));
        assert_eq!(
            rebuild(&[
                "static/files/a.pdf",
                "static/theme/x.css",
                "static/files/a.pdf"
            ]),
            Some(Rebuild::Static(vec![
                "files/a.pdf".into(),
                "theme/x.css".into()
            ]))
        );
    }

    #[test]
    fn a_save_by_rename_is_one_content_rebuild() {
        // How many editors save: write a temporary file, then rename it over the original.
        assert_eq!(
            rebuild(&[
                "content/en/press-releases/.x.md.swp",
                "content/en/press-releases/x.md~",
                "content/en/press-releases/x.md",
            ]),
            Some(Rebuild::Content(vec![
                "content/en/press-releases/x.md".into()
            ]))
        );
    }

    #[test]
    fn mixed_changes_take_the_wider_rebuild() {
        assert_eq!(
            rebuild(&["content/ko/a/x.md", "static/files/a.pdf"]),
            Some(Rebuild::Content(vec![
                "content/ko/a/x.md".into(),
                "static/files/a.pdf".into()
            ]))
        );
        assert_eq!(
            rebuild(&["content/ko/a/x.md", "templates/base.html"]),
            Some(Rebuild::Full)
        );
        assert_eq!(
            rebuild(&["templates/base.html", "static/a.css"]),
            Some(Rebuild::Full)
        );
        assert_eq!(rebuild(&["content", "static/a.css"]), Some(Rebuild::Full));
    }

    #[test]
    fn files_the_site_does_not_read_change_nothing() {
        assert_eq!(rebuild(&["public/index.html"]), None);
        assert_eq!(rebuild(&["target/debug/x"]), None);
        assert_eq!(rebuild(&["content/ko/a/.x.md.swp"]), None);
        assert_eq!(rebuild(&["content/ko/a/4913"]), None);
        assert_eq!(rebuild(&["content/ko/a/photo.jpg"]), None);
        assert_eq!(rebuild(&["README.md"]), None);
        assert_eq!(
            classify(Path::new("/site"), [Path::new("/elsewhere/x")]),
            None
        );
    }

    #[test]
    fn a_new_folder_of_content_is_read() {
        assert_eq!(
            rebuild(&["content/ko/speeches"]),
            Some(Rebuild::Content(vec!["content/ko/speeches".into()]))
        );
    }
}

//! Where an output folder really is, and whether a build may write there. Every rule compares
//! resolved paths: `..` and links are resolved first, so that `SITE/nonexist/..`, a link to
//! the site or a `static/` that is a link are seen for what they are.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::read::{CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};

/// The start of the names communique keeps for itself inside an output folder.
pub const RESERVED_PREFIX: &str = ".communique-";

/// `path` made absolute, with links followed in its longest existing part and the rest
/// applied name by name (`..` drops the name before it). A path that exists comes out as
/// [`fs::canonicalize`] gives it.
pub fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            // Everything before is resolved already, so dropping its last name is the
            // folder above, not a link's parent.
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if exists(&resolved)? {
                    resolved = fs::canonicalize(&resolved).with_context(|| {
                        format!("cannot resolve {} (a link to nothing?)", resolved.display())
                    })?;
                }
            }
        }
    }
    Ok(resolved)
}

/// Whether something, a dangling link included, is at `path`.
fn exists(path: &Path) -> anyhow::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// A site's root and source folders, resolved.
pub struct SiteFolders {
    root: PathBuf,
    sources: Vec<(&'static str, PathBuf)>,
}

impl SiteFolders {
    pub fn resolve(root: &Path) -> anyhow::Result<SiteFolders> {
        let root = resolve(root)?;
        let sources = [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR]
            .into_iter()
            .map(|name| Ok((name, resolve(&root.join(name))?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(SiteFolders { root, sources })
    }

    /// Refuse an output folder (resolved) that is or holds the site or one of its source
    /// folders, lies inside one, or looks like another site's sources. No flag lifts these.
    pub fn refuse(&self, output: &Path) -> anyhow::Result<()> {
        let shown = output.display();
        if *output == self.root {
            bail!(
                "the output folder {shown} is the site root: its files would be replaced; choose another with --output"
            );
        }
        if self.root.starts_with(output) {
            bail!(
                "the output folder {shown} contains the site itself: its files would be replaced; choose another with --output"
            );
        }
        for (name, dir) in &self.sources {
            if output.starts_with(dir) {
                bail!(
                    "the output folder {shown} is inside the site's {name}/ folder ({}): the build would copy itself into the sources; choose another with --output",
                    dir.display()
                );
            }
            if dir.starts_with(output) {
                bail!(
                    "the output folder {shown} contains the site's {name}/ folder ({}): its files would be replaced; choose another with --output",
                    dir.display()
                );
            }
        }
        for (name, _) in &self.sources {
            if output.join(name).is_dir() {
                bail!(
                    "the output folder {shown} contains a {name}/ folder, so it looks like a site's sources; choose another with --output"
                );
            }
        }
        if let Some(reserved) = output.iter().find(|name| {
            name.to_str()
                .is_some_and(|name| name.starts_with(RESERVED_PREFIX))
        }) {
            bail!(
                "the output folder {shown} is inside {}, which communique keeps for itself; choose another with --output",
                reserved.display()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_after_a_missing_name_comes_back_to_the_folder_above_it() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        assert_eq!(resolve(&dir.path().join("nonexist/..")).unwrap(), real);
        assert_eq!(
            resolve(&dir.path().join("a/b/../../c/./d")).unwrap(),
            real.join("c/d")
        );
        assert_eq!(resolve(&dir.path().join("a/..")).unwrap(), real);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_before_dot_dot_and_in_a_missing_path() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(real.join("deep/inside")).unwrap();
        std::os::unix::fs::symlink(real.join("deep/inside"), real.join("link")).unwrap();
        // `link/..` is the link's target's parent, as the kernel sees it.
        assert_eq!(resolve(&real.join("link/..")).unwrap(), real.join("deep"));
        assert_eq!(
            resolve(&real.join("link/new/x")).unwrap(),
            real.join("deep/inside/new/x")
        );
        std::os::unix::fs::symlink(real.join("nothing"), real.join("dangling")).unwrap();
        let error = resolve(&real.join("dangling/x")).unwrap_err();
        assert!(
            format!("{error:#}").contains("a link to nothing"),
            "{error:#}"
        );
    }

    #[test]
    fn every_overlap_with_the_site_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        fs::create_dir_all(root.join("elsewhere/templates")).unwrap();
        let site = SiteFolders::resolve(&root).unwrap();
        let refusal = |output: &str| {
            let output = resolve(&root.join(output)).unwrap();
            site.refuse(&output).err().map(|e| e.to_string())
        };
        let says = |output: &str, needle: &str| {
            let message = refusal(output).unwrap_or_else(|| panic!("{output} is accepted"));
            assert!(message.contains(needle), "{output}: {message}");
        };
        says("x/..", "is the site root");
        says("..", "contains the site itself");
        says("content/out", "inside the site's content/ folder");
        says("static/nonexist/../x", "inside the site's static/ folder");
        says("elsewhere", "contains a templates/ folder");
        says(
            "public/.communique-staging",
            "which communique keeps for itself",
        );
        assert_eq!(refusal("public"), None);
        assert_eq!(refusal("public/../out"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_source_folder_that_is_a_link_is_resolved_too() {
        let dir = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(dir.path()).unwrap();
        let root = base.join("site");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(base.join("shared/assets")).unwrap();
        std::os::unix::fs::symlink(base.join("shared/assets"), root.join("static")).unwrap();
        let site = SiteFolders::resolve(&root).unwrap();
        let message = |output: &Path| site.refuse(&resolve(output).unwrap()).unwrap_err();
        let inside = message(&root.join("static"));
        assert!(
            inside.to_string().contains("inside the site's static/"),
            "{inside}"
        );
        let holding = message(&base.join("shared"));
        assert!(
            holding.to_string().contains("contains the site's static/"),
            "{holding}"
        );
    }
}

//! Load and model: the first two stages, which every command starts with.

use std::path::Path;

use crate::content::{self, LoadOptions};
use crate::error::{Error, Result};
use crate::model::Site;
use crate::render;
use crate::urls::Urls;

/// Load and model the site at `root`.
pub fn load(root: &Path, options: &LoadOptions) -> Result<Site> {
    let loaded = content::load(root, options)?;
    modelled(loaded)
}

/// The model of what was loaded, refused when two of its files would share an address.
pub(crate) fn modelled(loaded: content::LoadedSite) -> Result<Site, Error> {
    let site = Site::build(loaded)?;
    let urls = Urls::new(&site);
    Error::if_any(render::plan::collisions(&site, &urls))?;
    Ok(site)
}

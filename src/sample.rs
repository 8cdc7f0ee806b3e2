//! The small sample data set committed in `datasets/sample/` and compiled into the binary,
//! so `misura run` works with no arguments on any machine.

use crate::error::{Error, Result};
use include_dir::{Dir, include_dir};
use std::path::Path;

static SAMPLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/datasets/sample");

/// How the embedded sample is shown in messages and the manifest.
pub(crate) const DISPLAY: &str = "<embedded sample>";

/// The sample's project file (`datasets/sample/misura.toml`), or an empty one.
pub(crate) fn project_file() -> &'static str {
    SAMPLE
        .get_file("misura.toml")
        .and_then(|f| f.contents_utf8())
        .unwrap_or("")
}

/// Writes the sample's data files into `dir` (which must exist).
pub(crate) fn extract_to(dir: &Path) -> Result<()> {
    for file in SAMPLE.files() {
        let target = dir.join(file.path());
        std::fs::write(&target, file.contents()).map_err(|e| Error::io(&target, e))?;
    }
    Ok(())
}

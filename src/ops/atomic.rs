//! Atomic replacement of directories and of the `latest` pointer: a reader sees the old
//! complete folder or the new complete folder, never a half-written one. Work happens in
//! hidden siblings (`.<name>.partial-<pid>`), which a killed run leaves behind and the next
//! run removes.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The hidden staging sibling of `target` for this process.
pub(crate) fn staging_for(target: &Path) -> PathBuf {
    sibling(target, "partial")
}

fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Moves the complete folder `staging` to `target`, replacing an earlier one.
pub(crate) fn replace_dir(staging: &Path, target: &Path) -> Result<()> {
    if target.exists() {
        let old = sibling(target, "old");
        std::fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
        std::fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
    }
    Ok(())
}

/// Points `<dir>/latest` at `name` (a sibling folder), atomically.
pub(crate) fn point_latest(dir: &Path, name: &str) -> Result<()> {
    let link = dir.join("latest");
    let tmp = dir.join(format!(".latest.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(name, &tmp).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &link).map_err(|e| Error::io(&link, e))
}

/// Removes hidden work folders left by runs that were killed (their process is gone).
pub(crate) fn clean_leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name.rsplit_once('-').and_then(|(head, pid)| {
            (name.starts_with('.')
                && (head.ends_with(".partial")
                    || head.ends_with(".old")
                    || head.ends_with(".latest.tmp")))
            .then(|| pid.parse::<u32>().ok())
            .flatten()
        }) else {
            continue;
        };
        let alive = Path::new(&format!("/proc/{pid}")).exists() && pid != std::process::id();
        if !alive {
            let path = entry.path();
            let gone = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if gone.is_ok() {
                removed.push(path);
            }
        }
    }
    removed
}

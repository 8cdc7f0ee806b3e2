//! Retention (`--keep N`): keeps the N newest run folders (`YYYY-MM-DD`) of an output
//! directory and removes the older ones. The history and the folder `latest` points to are
//! never removed.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// Run folders of `out`, oldest first.
pub fn run_folders(out: &Path) -> Vec<(NaiveDate, PathBuf)> {
    let mut v: Vec<(NaiveDate, PathBuf)> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir() && !e.path().is_symlink())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            NaiveDate::parse_from_str(&name, "%Y-%m-%d")
                .ok()
                .map(|d| (d, e.path()))
        })
        .collect();
    v.sort();
    v
}

/// Removes all but the `keep` newest run folders; returns what was removed.
pub fn prune(out: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let latest = std::fs::read_link(out.join("latest"))
        .ok()
        .map(|p| out.join(p));
    let folders = run_folders(out);
    let excess = folders.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for (_, path) in folders.into_iter().take(excess) {
        if Some(&path) == latest.as_ref() {
            continue;
        }
        std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        removed.push(path);
    }
    Ok(removed)
}

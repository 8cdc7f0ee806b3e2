//! Retention (`--keep N`): keeps the run folders of the N newest as-of days of an output
//! directory (the successful `<as-of>/` and the failed attempts `<as-of>.failed-<n>/`
//! beside it) and removes the older ones. The history and the folder `latest` points to
//! are never removed.

use super::run_dirs;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Removes the run folders of all but the `keep` newest as-of days; returns what was removed.
pub(crate) fn prune(out: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let latest = std::fs::read_link(out.join("latest"))
        .ok()
        .map(|p| out.join(p));
    let folders = run_dirs::list(out);
    let mut days: Vec<_> = folders.iter().map(|f| f.as_of).collect();
    days.dedup();
    let Some(&oldest_kept) = days.iter().rev().nth(keep.max(1) - 1).or(days.first()) else {
        return Ok(Vec::new());
    };
    let mut removed = Vec::new();
    for f in folders.into_iter().filter(|f| f.as_of < oldest_kept) {
        if Some(&f.path) == latest.as_ref() {
            continue;
        }
        std::fs::remove_dir_all(&f.path).map_err(|e| Error::io(&f.path, e))?;
        removed.push(f.path);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn failed_attempts_go_with_their_day_and_latest_stays() {
        let out = tempfile::tempdir().unwrap();
        for n in [
            "2026-03-01",
            "2026-03-01.failed-1",
            "2026-03-02.failed-1",
            "2026-03-03",
            "2026-03-04",
            "2026-03-04.failed-1",
            "history",
        ] {
            std::fs::create_dir(out.path().join(n)).unwrap();
        }
        std::os::unix::fs::symlink("2026-03-01", out.path().join("latest")).unwrap();
        let removed = super::prune(out.path(), 2).unwrap();
        let mut names: Vec<String> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["2026-03-01.failed-1", "2026-03-02.failed-1"]);
        for kept in [
            "2026-03-01",
            "2026-03-03",
            "2026-03-04",
            "2026-03-04.failed-1",
            "history",
        ] {
            assert!(out.path().join(kept).is_dir(), "{kept}");
        }
    }
}

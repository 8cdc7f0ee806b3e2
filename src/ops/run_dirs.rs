//! The run folders of an output directory and how they are named: `<as-of>/` holds the
//! newest *successful* run for that day (the folder `latest` may point to); every run that
//! failed — a use case that failed, data that did not validate, a file that could not be
//! read — is published beside it as `<as-of>.failed-<n>/` (n = 1, 2, … in the order of the
//! attempts), so a failure never replaces a good report and is still visible to
//! `misura status`.

use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// One run folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunFolder {
    /// The as-of day the run was for.
    pub as_of: NaiveDate,
    /// `None` for the successful run `<as-of>/`, `Some(n)` for `<as-of>.failed-<n>/`.
    pub failed_attempt: Option<u32>,
    /// The folder.
    pub path: PathBuf,
}

impl RunFolder {
    /// The folder's name (`2026-03-01` or `2026-03-01.failed-2`).
    pub fn name(&self) -> String {
        name(self.as_of, self.failed_attempt)
    }
}

fn name(as_of: NaiveDate, failed_attempt: Option<u32>) -> String {
    match failed_attempt {
        None => as_of.to_string(),
        Some(n) => format!("{as_of}.failed-{n}"),
    }
}

/// Parses a run folder name.
fn parse(name: &str) -> Option<(NaiveDate, Option<u32>)> {
    let (day, attempt) = match name.split_once(".failed-") {
        Some((day, n)) => (day, Some(n.parse::<u32>().ok().filter(|n| *n > 0)?)),
        None => (name, None),
    };
    if day.len() != 10 {
        return None;
    }
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some((date, attempt))
}

/// Every run folder of `out` (successful and failed), oldest as-of first; for one as-of the
/// successful folder first, then the failed attempts in order.
pub fn list(out: &Path) -> Vec<RunFolder> {
    let mut v: Vec<RunFolder> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir() && !e.path().is_symlink())
        .filter_map(|e| {
            let (as_of, failed_attempt) = parse(&e.file_name().to_string_lossy())?;
            Some(RunFolder {
                as_of,
                failed_attempt,
                path: e.path(),
            })
        })
        .collect();
    v.sort();
    v
}

/// The successful run folders of `out` (`<as-of>/`), oldest first.
pub fn successful(out: &Path) -> Vec<RunFolder> {
    list(out)
        .into_iter()
        .filter(|f| f.failed_attempt.is_none())
        .collect()
}

/// Where a successful run for `as_of` is published.
pub(crate) fn ok_folder(out: &Path, as_of: NaiveDate) -> PathBuf {
    out.join(name(as_of, None))
}

/// Where the next failed attempt for `as_of` is published: one past the highest attempt
/// number present.
pub(crate) fn next_failed_folder(out: &Path, as_of: NaiveDate) -> PathBuf {
    let last = list(out)
        .iter()
        .filter(|f| f.as_of == as_of)
        .filter_map(|f| f.failed_attempt)
        .max()
        .unwrap_or(0);
    out.join(name(as_of, Some(last + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_ignored() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(parse("2026-03-01"), Some((d, None)));
        assert_eq!(parse("2026-03-01.failed-12"), Some((d, Some(12))));
        for other in [
            "history",
            "latest",
            "2026-03-01.failed-",
            "2026-03-01.failed-0",
            "2026-3-1",
            ".2026-03-01.partial-7",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }
    }

    #[test]
    fn failed_attempts_are_numbered_after_the_highest_present() {
        let out = tempfile::tempdir().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert!(next_failed_folder(out.path(), d).ends_with("2026-03-01.failed-1"));
        for n in [
            "2026-03-01",
            "2026-03-01.failed-1",
            "2026-03-01.failed-3",
            "2026-03-02",
        ] {
            std::fs::create_dir(out.path().join(n)).unwrap();
        }
        assert!(next_failed_folder(out.path(), d).ends_with("2026-03-01.failed-4"));
        let names: Vec<String> = list(out.path()).iter().map(RunFolder::name).collect();
        assert_eq!(
            names,
            [
                "2026-03-01",
                "2026-03-01.failed-1",
                "2026-03-01.failed-3",
                "2026-03-02"
            ]
        );
        assert_eq!(successful(out.path()).len(), 2);
    }
}

//! Finds the files of each canonical table in a data directory: by canonical file name
//! (`<table>.csv`, `.csv.gz`, `.parquet`, `.ndjson`, or a directory `<table>/` of such
//! files) with no configuration, or by the path/glob of `[datasets.<table>]`.

use crate::config::{DatasetConfig, Format};
use crate::error::{Error, Result, did_you_mean};
use crate::model::tables::TABLES;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Extensions misura recognises, with their format and whether they are gzip-compressed.
const EXTENSIONS: &[(&str, Format, bool)] = &[
    (".csv.gz", Format::Csv, true),
    (".csv", Format::Csv, false),
    (".parquet", Format::Parquet, false),
    (".ndjson.gz", Format::Ndjson, true),
    (".ndjson", Format::Ndjson, false),
    (".jsonl", Format::Ndjson, false),
];

/// One input file of a table.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// Absolute or data-dir-relative path on disk.
    pub path: PathBuf,
    /// How it is shown to people (relative to the data directory).
    pub display: String,
    /// File format.
    pub format: Format,
    /// Gzip-compressed.
    pub gzip: bool,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// The files found for one table.
#[derive(Debug, Clone)]
pub struct TableFiles {
    /// Canonical table name.
    pub table: &'static str,
    /// Its files, sorted by path.
    pub files: Vec<InputFile>,
}

/// Result of discovery: tables found and files nobody claimed.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Tables with files, in canonical (dependency) order.
    pub tables: Vec<TableFiles>,
    /// Warnings about ignored files.
    pub warnings: Vec<String>,
}

/// The format of a file by its extension, case ignored (`orders.CSV` is CSV).
fn classify(name: &str) -> Option<(&'static str, Format, bool)> {
    let lower = name.to_ascii_lowercase();
    EXTENSIONS
        .iter()
        .find(|(ext, _, _)| lower.ends_with(ext))
        .map(|(ext, f, gz)| (*ext, *f, *gz))
}

fn input_file(
    path: PathBuf,
    root: &Path,
    shown_root: &str,
    table: &str,
    forced: Option<Format>,
) -> Result<InputFile> {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let display = format!("{shown_root}/{rel}");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let gzip_by_name = name.to_ascii_lowercase().ends_with(".gz");
    let (format, gzip) = match (forced, classify(&name)) {
        (Some(format), _) => (format, gzip_by_name),
        (None, Some((_, format, gzip))) => (format, gzip),
        (None, None) => {
            return Err(Error::UnsupportedFormat {
                table: table.into(),
                path: display,
            });
        }
    };
    let (sha256, bytes) = sha256_and_size(&path)?;
    Ok(InputFile {
        path,
        display,
        format,
        gzip,
        sha256,
        bytes,
    })
}

/// SHA-256 and size of a file, read in 1 MiB blocks.
fn sha256_and_size(path: &Path) -> Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

fn files_in_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if path.is_file() && !name.starts_with('.') && classify(&name).is_some() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Discovers the tables under `root`; `shown_root` prefixes displayed paths.
pub(crate) fn discover(
    root: &Path,
    shown_root: &str,
    datasets: &BTreeMap<String, DatasetConfig>,
) -> Result<Discovery> {
    let mut found = Discovery::default();
    let mut claimed: Vec<PathBuf> = Vec::new();
    // File and folder names of the data directory, matched to table names with case ignored:
    // an export named `Orders.CSV` is the orders table, never silently skipped.
    let entries: Vec<(String, PathBuf)> = match std::fs::read_dir(root) {
        Ok(rd) => rd
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().to_ascii_lowercase(),
                    e.path(),
                )
            })
            .filter(|(name, _)| !name.starts_with('.'))
            .collect(),
        Err(e) => return Err(Error::io(root, e)),
    };
    for table in TABLES {
        let cfg = datasets.get(table.name);
        let forced = cfg.and_then(|c| c.format);
        let paths: Vec<PathBuf> = match cfg.and_then(|c| c.path.as_deref()) {
            Some(pattern) => {
                let full = root.join(pattern);
                let paths = if full.is_dir() {
                    files_in_dir(&full)?
                } else if pattern.contains(['*', '?', '[']) {
                    let pat = full.to_string_lossy().to_string();
                    let mut v: Vec<PathBuf> = glob::glob(&pat)
                        .map_err(|_| Error::MissingFile {
                            table: table.name.into(),
                            pattern: pat.clone(),
                        })?
                        .filter_map(|p| p.ok())
                        .filter(|p| p.is_file())
                        .collect();
                    v.sort();
                    v
                } else if full.is_file() {
                    vec![full.clone()]
                } else {
                    vec![]
                };
                if paths.is_empty() {
                    return Err(Error::MissingFile {
                        table: table.name.into(),
                        pattern: full.display().to_string(),
                    });
                }
                paths
            }
            None => {
                let mut candidates: Vec<PathBuf> = entries
                    .iter()
                    .filter(|(name, path)| {
                        path.is_file()
                            && EXTENSIONS
                                .iter()
                                .any(|(ext, _, _)| *name == format!("{}{ext}", table.name))
                    })
                    .map(|(_, path)| path.clone())
                    .collect();
                candidates.sort();
                candidates.extend(
                    entries
                        .iter()
                        .filter(|(name, path)| name == table.name && path.is_dir())
                        .map(|(_, path)| path.clone()),
                );
                match candidates.len() {
                    0 => continue,
                    1 if candidates[0].is_dir() => {
                        let files = files_in_dir(&candidates[0])?;
                        claimed.push(candidates[0].clone());
                        files
                    }
                    1 => candidates,
                    _ => {
                        return Err(Error::AmbiguousFiles {
                            table: table.name.into(),
                            candidates: candidates
                                .iter()
                                .map(|p| p.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                }
            }
        };
        if paths.is_empty() {
            found.warnings.push(format!(
                "{shown_root}/{}/ holds no .csv, .csv.gz, .parquet or .ndjson file: table {} treated as absent",
                table.name, table.name
            ));
            continue;
        }
        claimed.extend(paths.iter().cloned());
        let files = paths
            .into_iter()
            .map(|p| input_file(p, root, shown_root, table.name, forced))
            .collect::<Result<Vec<_>>>()?;
        found.tables.push(TableFiles {
            table: table.name,
            files,
        });
    }
    // Data files at the top level that no table claimed are reported, never silently skipped.
    for path in files_in_dir(root)? {
        if !claimed.contains(&path) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let stem = classify(&name)
                .map_or(name.as_str(), |(ext, _, _)| &name[..name.len() - ext.len()]);
            found.warnings.push(format!(
                "{shown_root}/{name} was ignored: `{stem}` is not a canonical table{}; map it with [datasets.<table>] path in misura.toml",
                did_you_mean(stem, TABLES.iter().map(|t| t.name))
            ));
        }
    }
    Ok(found)
}

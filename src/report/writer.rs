//! Writes the content of a run folder (into its hidden staging sibling): result tables,
//! rejects and the manifest. Publishing the folder is `ops::atomic`'s job.

use crate::arrow_io;
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::report::manifest::OutputFile;
use datafusion::arrow::array::RecordBatch;
use std::collections::BTreeMap;
use std::path::Path;

/// Writes `tables/kpi_values.{csv,parquet}` (from `kpi_values`, the batch of
/// `kpi_values::kpi_values_batch`) and `rejects/<table>.csv` under `dir`; returns the files written.
/// With `pseudonymize`, the rejected rows' person-identifying columns are pseudonymised.
pub(crate) fn write_tables(
    dir: &Path,
    kpi_values: &RecordBatch,
    catalog: &Catalog,
    pseudonymize: Option<&crate::report::pseudonym::Pseudonymizer>,
) -> Result<Vec<OutputFile>> {
    let mut outputs = write_table(dir, "kpi_values", kpi_values)?;
    if !catalog.rejected.is_empty() {
        let rejects = dir.join("rejects");
        std::fs::create_dir_all(&rejects).map_err(|e| Error::io(&rejects, e))?;
        let mut by_table: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for r in &catalog.rejected {
            by_table
                .entry(r.table)
                .or_default()
                .push(match pseudonymize {
                    Some(p) => p.apply_all(&r.batch)?,
                    None => r.batch.clone(),
                });
        }
        for (table, batches) in by_table {
            let path = rejects.join(format!("{table}.csv"));
            arrow_io::write_csv(&path, &batches[0].schema(), &batches)?;
            outputs.push(OutputFile {
                path: format!("rejects/{table}.csv"),
                rows: batches.iter().map(|b| b.num_rows() as u64).sum(),
            });
        }
    }
    Ok(outputs)
}

/// Writes `tables/<name>.{csv,parquet}` under `dir`; returns the files written.
pub(crate) fn write_table(
    dir: &Path,
    name: &str,
    batch: &datafusion::arrow::array::RecordBatch,
) -> Result<Vec<OutputFile>> {
    let tables_dir = dir.join("tables");
    std::fs::create_dir_all(&tables_dir).map_err(|e| Error::io(&tables_dir, e))?;
    let one = std::slice::from_ref(batch);
    arrow_io::write_csv(
        &tables_dir.join(format!("{name}.csv")),
        &batch.schema(),
        one,
    )?;
    arrow_io::write_parquet(
        &tables_dir.join(format!("{name}.parquet")),
        &batch.schema(),
        one,
    )?;
    Ok(["csv", "parquet"]
        .iter()
        .map(|ext| OutputFile {
            path: format!("tables/{name}.{ext}"),
            rows: batch.num_rows() as u64,
        })
        .collect())
}

/// Writes `manifest.json` under `dir`.
pub(crate) fn write_manifest(
    dir: &Path,
    manifest: &crate::report::manifest::Manifest,
) -> Result<()> {
    let path = dir.join("manifest.json");
    let json = serde_json::to_string_pretty(manifest).expect("manifest serialises");
    std::fs::write(&path, json + "\n").map_err(|e| Error::io(&path, e))
}

/// Writes `value` as pretty JSON into `dir/name` (e.g. `alerts.json`); the output's rows are
/// the elements of a list.
pub(crate) fn write_json<T: serde::Serialize>(
    dir: &Path,
    name: &str,
    value: &[T],
) -> Result<OutputFile> {
    let path = dir.join(name);
    let json = serde_json::to_string_pretty(value).expect("serialises");
    std::fs::write(&path, json + "\n").map_err(|e| Error::io(&path, e))?;
    Ok(OutputFile {
        path: name.to_string(),
        rows: value.len() as u64,
    })
}

/// Reads the manifest of a run folder, if it has a readable one.
pub(crate) fn read_manifest(run_dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(run_dir.join("manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

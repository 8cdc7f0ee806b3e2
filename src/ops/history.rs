//! KPI history: every run writes its result tables to a Hive-partitioned Parquet history,
//! `<out>/history/<table>/as_of=YYYY-MM-DD/part-0.parquet`, replacing that night's partition
//! on a re-run, so trends and analysts' queries span many nights. Retention never prunes it.

use crate::arrow_io::write_parquet;
use crate::error::{Error, Result};
use crate::ops::atomic;
use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use std::path::{Path, PathBuf};

/// The history folder of `table` under `out`.
pub(crate) fn table_dir(out: &Path, table: &str) -> PathBuf {
    out.join("history").join(table)
}

/// Writes (or replaces) the `as_of` partition of `table`; returns the partition folder.
pub(crate) fn write_partition(
    out: &Path,
    table: &str,
    as_of: NaiveDate,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<PathBuf> {
    let dir = table_dir(out, table);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    atomic::clean_leftovers(&dir);
    let target = dir.join(format!("as_of={as_of}"));
    let staging = atomic::staging_for(&target);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    write_parquet(&staging.join("part-0.parquet"), schema, batches)?;
    atomic::replace_dir(&staging, &target)?;
    Ok(target)
}

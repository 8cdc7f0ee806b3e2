//! Hands the validated tables to the cluster: each canonical table with rows written as
//! Parquet under a shared directory and registered, in the cluster session, under its
//! canonical name; the empty ones registered as empty views (so every query plans). In-memory tables cannot travel to
//! executors; files on a disk they all mount can.

use crate::arrow_io::write_parquet;
use crate::error::{Error, Result};
use crate::model::tables::TABLES;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use std::path::{Path, PathBuf};

/// A directory of shared tables; removed when dropped.
#[derive(Debug)]
pub struct Shared {
    dir: PathBuf,
}

impl Shared {
    /// The directory holding one folder per table.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Registers `name` in `cluster` as a view with `schema` and no rows. An empty Parquet table
/// would scan zero partitions, and Ballista 55's executors trip over a sort above such a
/// scan (DataFusion's TopK filter asserts at least one partition in debug builds); the
/// empty view plans to a one-partition empty scan instead, with the same result.
async fn register_empty(cluster: &SessionContext, name: &str, schema: &SchemaRef) -> Result<()> {
    let columns: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("arrow_cast(NULL, '{}') AS \"{}\"", f.data_type(), f.name()))
        .collect();
    let sql = format!("SELECT {} WHERE false", columns.join(", "));
    let fail = |e| {
        Error::engine(
            format!("registering the empty table {name} on the cluster"),
            e,
        )
    };
    let view = cluster.sql(&sql).await.map_err(fail)?.into_view();
    cluster.register_table(name, view).map_err(fail)?;
    Ok(())
}

/// Writes every canonical table of `local` under `dir` (created; must not exist) and
/// registers it in `cluster`.
pub async fn share(local: &SessionContext, cluster: &SessionContext, dir: &Path) -> Result<Shared> {
    if dir.exists() {
        return Err(Error::Usage {
            problem: format!(
                "{} already exists: the shared directory of a cluster run must be new (remove it if a run was interrupted)",
                dir.display()
            ),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // Absolute: executors resolve the path on their own, whatever their working directory.
    let dir = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
    let shared = Shared { dir: dir.clone() };
    for table in TABLES {
        let df = local
            .table(table.name)
            .await
            .map_err(|e| Error::engine(format!("reading {}", table.name), e))?;
        let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
        let batches = df
            .collect()
            .await
            .map_err(|e| Error::engine(format!("reading {}", table.name), e))?;
        if batches.iter().all(|b| b.num_rows() == 0) {
            register_empty(cluster, table.name, &schema).await?;
            continue;
        }
        let folder = dir.join(table.name);
        std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
        write_parquet(&folder.join("part-0.parquet"), &schema, &batches)?;
        let path = format!("{}/", folder.display());
        cluster
            .register_parquet(table.name, &path, ParquetReadOptions::default())
            .await
            .map_err(|e| Error::engine(format!("registering {} on the cluster", table.name), e))?;
    }
    Ok(shared)
}

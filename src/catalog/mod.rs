//! The catalog: finds, reads, validates and registers the canonical tables in a DataFusion
//! session. Tables absent from the data are registered empty (with their canonical
//! schema) so that every query plans; [`Catalog::present`] says which ones hold data.

pub mod csv_lines;
pub mod discover;
pub mod docs;
pub mod ingest;
pub mod parse;

pub mod validate;

use crate::arrow_io::{Named, text};
use crate::config::{DataSource, OnInvalid, Settings};
use crate::engine::EngineOptions;
use crate::error::ValidationFailure;
use crate::error::{Error, Result};
use crate::model::{schema, tables};
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch, StringArray};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;
use ingest::Violation;
use ingest::{FileReport, IngestedTable};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Row accounting of one table:
/// `rows_accepted + rows_rejected + rows_after_as_of == rows_read`, always.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableReport {
    /// Canonical name.
    pub table: String,
    /// Files read.
    pub files: Vec<FileReport>,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows registered for the KPIs.
    pub rows_accepted: u64,
    /// Rows set aside (policy `reject`) or found invalid (policy `fail`).
    pub rows_rejected: u64,
    /// Valid rows left out because they lie after `--as-of`.
    pub rows_after_as_of: u64,
    /// Problems found.
    pub problems: usize,
}

/// Rows of one table set aside, with the reason of each (`reason` column last).
#[derive(Debug, Clone)]
pub struct Rejected {
    /// Canonical name.
    pub table: &'static str,
    /// Canonical columns + `source_file`, `source_row`, `reason`.
    pub batch: RecordBatch,
}

/// Problems of one table, described for people.
#[derive(Debug, Clone)]
pub struct TableProblems {
    /// Canonical name.
    pub table: &'static str,
    /// (description, fix) of every problem.
    pub problems: Vec<(String, String)>,
    /// Distinct invalid rows.
    pub invalid_rows: u64,
    /// Rows read.
    pub rows_read: u64,
}

/// The located input files (the embedded sample is unpacked into a temporary folder that
/// lives as long as this value).
pub struct Inputs {
    _unpacked: Option<tempfile::TempDir>,
    /// What discovery found, with each file's checksum.
    pub discovery: discover::Discovery,
    /// The folder the files are in (the unpacked sample for the embedded one).
    pub root: std::path::PathBuf,
}

impl Inputs {
    /// Finds the files of every canonical table of the settings' data source.
    pub fn locate(settings: &Settings) -> Result<Inputs> {
        let (unpacked, root, shown) = match &settings.data {
            DataSource::Dir(dir) => (None, dir.clone(), dir.display().to_string()),
            DataSource::EmbeddedSample => {
                let tmp = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
                crate::sample::extract_to(tmp.path())?;
                let root = tmp.path().to_path_buf();
                (Some(tmp), root, crate::sample::DISPLAY.to_string())
            }
        };
        let discovery = discover::discover(&root, &shown, &settings.datasets)?;
        Ok(Inputs {
            _unpacked: unpacked,
            discovery,
            root,
        })
    }
}

/// The tables whose time column is the programme's activity (the default window).
pub(crate) const ACTIVITY_TABLES: &[&str] =
    &["social_mentions", "tickets", "touchpoints", "orders"];

/// The loaded data.
pub struct Catalog {
    /// Session holding every canonical table.
    pub ctx: SessionContext,
    /// Tables that hold data (the others are registered empty).
    pub present: BTreeSet<&'static str>,
    /// Row accounting per present table.
    pub reports: Vec<TableReport>,
    /// Rows set aside under policy `reject`.
    pub rejected: Vec<Rejected>,
    /// Problems found, per table (under either policy).
    pub problems: Vec<TableProblems>,
    /// Notes for the manifest.
    pub warnings: Vec<String>,
    /// Primary keys (single-column) of the rows set aside or after the as-of, per table: a
    /// child row pointing at one is told its parent was rejected, or is after the as-of too.
    pub left_out: validate::LeftOutKeys,
}

/// A new DataFusion session configured the way misura queries it.
pub fn new_session() -> SessionContext {
    let mut config = SessionConfig::new().with_information_schema(true);
    // Canonical tables hold Utf8; keep SQL casts to VARCHAR in the same type.
    config.options_mut().sql_parser.map_string_types_to_utf8view = false;
    SessionContext::new_with_config(config)
}

impl Catalog {
    /// Reads, validates and registers the data of `settings`.
    ///
    /// Under policy `fail` the catalog is returned with its problems listed; call
    /// [`Catalog::failure`] to turn them into the error.
    ///
    /// With `as_of`, rows whose own time column lies after that day are left out (counted
    /// as `rows_after_as_of`): the run sees the data as it stood at the end of that day.
    pub async fn load(
        settings: &Settings,
        inputs: &Inputs,
        as_of: Option<NaiveDate>,
    ) -> Result<Catalog> {
        Self::load_with(settings, inputs, as_of, &EngineOptions::default()).await
    }

    /// [`Catalog::load`] in a session with `engine`'s runtime (memory budget, spilling): the
    /// validation queries and everything later run on the catalog's session run within it.
    pub async fn load_with(
        settings: &Settings,
        inputs: &Inputs,
        as_of: Option<NaiveDate>,
        engine: &EngineOptions,
    ) -> Result<Catalog> {
        let found = inputs.discovery.clone();
        let cutoff = as_of.map(|d| {
            (d + chrono::Days::new(1))
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp_nanos_opt()
                .unwrap_or(i64::MAX)
        });
        let ctx = engine.apply(&new_session())?;
        let present: BTreeSet<&'static str> = found.tables.iter().map(|t| t.table).collect();
        let mut catalog = Catalog {
            ctx,
            present: present.clone(),
            reports: Vec::new(),
            rejected: Vec::new(),
            problems: Vec::new(),
            warnings: found.warnings,
            left_out: validate::LeftOutKeys::default(),
        };
        // Tables are read and converted on every core at once (each reading is one thread);
        // they are validated and registered one by one in discovery order, since a foreign
        // key check needs the referenced table registered first.
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut ingests = futures::stream::iter(found.tables.iter().cloned().map(|files| {
            let cfg = settings.datasets.get(files.table).cloned();
            tokio::spawn(async move { ingest::ingest(&files, cfg.as_ref()).await })
        }))
        .buffered(workers);
        // A file that cannot be read at all stops the run, but every table is still read so
        // that one run names every such file.
        let mut unreadable: Vec<Error> = Vec::new();
        let progress =
            crate::progress::Progress::start("reading", found.tables.len() as u64, "tables");
        let mut rows_read = 0u64;
        while let Some(joined) = ingests.next().await {
            let read = joined.map_err(|e| {
                Error::engine(
                    "reading an input table",
                    datafusion::error::DataFusionError::External(Box::new(e)),
                )
            })?;
            let mut ingested = match read {
                Ok(t) => t,
                Err(Error::Inputs(errors)) => {
                    unreadable.extend(errors);
                    continue;
                }
                Err(e) if e.is_unreadable_file() => {
                    unreadable.push(e);
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !unreadable.is_empty() {
                // Validation needs every referenced table registered; the run stops anyway.
                continue;
            }
            // Rows after --as-of are not part of the data: left out before any check.
            let after_as_of = match cutoff {
                Some(c) => ingested.cut_at(c)?,
                None => 0,
            };
            let typed_name = format!("__typed_{}", ingested.table.name);
            let typed = MemTable::try_new(
                IngestedTable::typed_schema(ingested.table),
                vec![ingested.batches.clone()],
            )
            .map_err(|e| Error::engine("registering typed table", e))?;
            catalog
                .ctx
                .register_table(&typed_name, Arc::new(typed))
                .map_err(|e| Error::engine("registering typed table", e))?;
            validate::validate(
                &catalog.ctx,
                &mut ingested,
                &typed_name,
                &present,
                &catalog.left_out,
            )
            .await?;
            // Rows that refer to rows after the as-of lie after it too.
            let by_reference = std::mem::take(&mut ingested.after_as_of_by_reference);
            let after_as_of =
                after_as_of + ingested.remove_rows(&by_reference, "applying --as-of")?;
            let cut = std::mem::take(&mut ingested.cut_keys);
            if !cut.is_empty() {
                catalog
                    .left_out
                    .after_as_of
                    .entry(ingested.table.name)
                    .or_default()
                    .extend(cut);
            }
            catalog
                .ctx
                .deregister_table(&typed_name)
                .map_err(|e| Error::engine("deregistering typed table", e))?;
            rows_read += ingested
                .batches
                .iter()
                .map(|b| b.num_rows() as u64)
                .sum::<u64>();
            let name = ingested.table.name;
            catalog.accept(ingested, settings.on_invalid, after_as_of)?;
            progress.done(format!("{name} ({rows_read} rows so far)"));
        }
        drop(progress);
        match unreadable.len() {
            0 => {}
            1 => return Err(unreadable.remove(0)),
            _ => return Err(Error::Inputs(unreadable)),
        }
        for table in tables::TABLES.iter().filter(|t| !present.contains(t.name)) {
            let schema = nullable(&table.arrow_schema());
            let empty = MemTable::try_new(schema, vec![vec![]])
                .map_err(|e| Error::engine("registering empty table", e))?;
            catalog
                .ctx
                .register_table(table.name, Arc::new(empty))
                .map_err(|e| Error::engine("registering empty table", e))?;
        }
        Ok(catalog)
    }

    /// Splits valid from invalid rows, registers the valid ones and records the accounting
    /// (`after_as_of`: rows already left out by `--as-of`).
    fn accept(
        &mut self,
        ingested: IngestedTable,
        policy: OnInvalid,
        after_as_of: u64,
    ) -> Result<()> {
        let table = ingested.table;
        let mut reasons: HashMap<(i32, i64), Vec<String>> = HashMap::new();
        for v in &ingested.violations {
            reasons
                .entry((v.file as i32, v.row))
                .or_default()
                .push(reason_text(v));
        }
        let rows_read = ingested.rows();
        let invalid = reasons.len() as u64;
        self.warnings.extend(ingested.warnings.iter().cloned());
        if !ingested.violations.is_empty() {
            self.problems.push(TableProblems {
                table: table.name,
                problems: ingested
                    .violations
                    .iter()
                    .map(|v: &Violation| (validate::describe(v, &ingested), v.fix.clone()))
                    .collect(),
                invalid_rows: invalid,
                rows_read,
            });
        }
        let canonical = nullable(&table.arrow_schema());
        let n_cols = table.columns.len();
        let mut accepted = Vec::with_capacity(ingested.batches.len());
        let mut rejected = Vec::new();
        let mut accepted_rows = 0u64;
        // Only a reject with problems copies data; otherwise the batches are shared as they are.
        let filtering = policy == OnInvalid::Reject && !reasons.is_empty();
        for batch in &ingested.batches {
            let kept = if filtering {
                let files = batch.column(n_cols).as_primitive::<Int32Type>();
                let rows = batch.column(n_cols + 1).as_primitive::<Int64Type>();
                let keep: BooleanArray = (0..batch.num_rows())
                    .map(|i| Some(!reasons.contains_key(&(files.value(i), rows.value(i)))))
                    .collect();
                let drop = datafusion::arrow::compute::not(&keep)
                    .map_err(|e| Error::engine("filtering rows", e.into()))?;
                let gone = filter_record_batch(batch, &drop)
                    .map_err(|e| Error::engine("filtering rows", e.into()))?;
                if gone.num_rows() > 0 {
                    if let Some(idx) = table.single_key_index() {
                        let keys = text(gone.column(idx));
                        let set = self.left_out.rejected.entry(table.name).or_default();
                        set.extend(
                            (0..keys.len())
                                .filter(|i| keys.is_valid(*i))
                                .map(|i| keys.value(i).to_string()),
                        );
                    }
                    rejected.push(rejects_batch(&gone, table, &ingested, &reasons)?);
                }
                filter_record_batch(batch, &keep)
                    .map_err(|e| Error::engine("filtering rows", e.into()))?
            } else {
                batch.clone()
            };
            accepted_rows += kept.num_rows() as u64;
            let cols: Vec<_> = kept.columns()[..n_cols].to_vec();
            accepted.push(
                RecordBatch::try_new(canonical.clone(), cols)
                    .map_err(|e| Error::engine("assembling table", e.into()))?,
            );
        }
        let rows_rejected = if policy == OnInvalid::Reject {
            rows_read - accepted_rows - after_as_of
        } else {
            invalid
        };
        let mem = MemTable::try_new(
            canonical,
            partitions(accepted, self.ctx.copied_config().target_partitions()),
        )
        .map_err(|e| Error::engine("registering table", e))?;
        self.ctx
            .register_table(table.name, Arc::new(mem))
            .map_err(|e| Error::engine("registering table", e))?;
        self.reports.push(TableReport {
            table: table.name.to_string(),
            files: ingested.files.clone(),
            rows_read,
            rows_accepted: if policy == OnInvalid::Reject {
                accepted_rows
            } else {
                rows_read.saturating_sub(invalid + after_as_of)
            },
            rows_rejected,
            rows_after_as_of: after_as_of,
            problems: ingested.violations.len(),
        });
        for batch in rejected {
            self.rejected.push(Rejected {
                table: table.name,
                batch,
            });
        }
        Ok(())
    }

    /// Under policy `fail`, the error listing the problems found (first 20), if any.
    pub fn failure(&self, policy: OnInvalid) -> Option<Error> {
        if policy != OnInvalid::Fail || self.problems.is_empty() {
            return None;
        }
        let total = self.problems.iter().map(|p| p.problems.len()).sum();
        Some(Error::InvalidData(Box::new(ValidationFailure {
            tables: self
                .problems
                .iter()
                .map(|p| (p.table.to_string(), p.invalid_rows, p.rows_read))
                .collect(),
            examples: self
                .problems
                .iter()
                .flat_map(|p| p.problems.iter().cloned())
                .take(20)
                .collect(),
            total,
        })))
    }

    /// First and last instant found in the time columns of the present tables.
    pub async fn data_span(
        &self,
    ) -> Result<Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>> {
        self.span_of(|_| true).await
    }

    /// First and last instant of the activity tables (mentions, tickets, touchpoints,
    /// orders): what the default window is made of. A contact created years ago is not
    /// activity.
    pub async fn activity_span(
        &self,
    ) -> Result<Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>> {
        self.span_of(|t| ACTIVITY_TABLES.contains(&t)).await
    }

    async fn span_of(
        &self,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>> {
        let parts: Vec<String> = tables::TABLES
            .iter()
            .filter(|t| self.present.contains(t.name) && keep(t.name))
            .filter_map(|t| {
                t.time_column
                    .map(|c| format!("SELECT min({c}) AS lo, max({c}) AS hi FROM {}", t.name))
            })
            .collect();
        if parts.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT min(lo) AS lo, max(hi) AS hi FROM ({})",
            parts.join(" UNION ALL ")
        );
        let batches = self.collect(&sql, "computing the data span").await?;
        let b = Named::new(&batches[0], "computing the data span");
        let lo = b
            .column("lo")?
            .as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
        let hi = b
            .column("hi")?
            .as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
        if lo.is_null(0) || hi.is_null(0) {
            return Ok(None);
        }
        let to = |ns: i64| chrono::DateTime::from_timestamp_nanos(ns).naive_utc();
        Ok(Some((to(lo.value(0)), to(hi.value(0)))))
    }

    /// A note when `brand` matches no mention of `social_mentions.brand` (matching is
    /// exact, case included), naming the brands that come close.
    pub async fn brand_check(&self, brand: &str) -> Result<Option<String>> {
        if !self.present.contains("social_mentions") {
            return Ok(None);
        }
        let sql = "SELECT brand, count(*) AS n FROM social_mentions WHERE brand IS NOT NULL GROUP BY brand ORDER BY n DESC, brand";
        let batches = self.collect(sql, "checking the brand").await?;
        let mut brands: Vec<(String, i64)> = Vec::new();
        for b in &batches {
            let b = Named::new(b, "checking the brand");
            let names = b.text("brand")?;
            let n = b
                .column("n")?
                .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
            for i in 0..b.num_rows() {
                brands.push((names.value(i).to_string(), n.value(i)));
            }
        }
        if brands.iter().any(|(b, _)| b == brand) {
            return Ok(None);
        }
        let folded = brand.trim().to_lowercase();
        let mut near: Vec<&(String, i64)> = brands
            .iter()
            .filter(|(b, _)| {
                let b = b.trim().to_lowercase();
                b == folded || strsim::levenshtein(&b, &folded) <= 2.max(folded.len() / 4)
            })
            .collect();
        near.truncate(3);
        let hint = if near.is_empty() {
            let top: Vec<String> = brands
                .iter()
                .take(3)
                .map(|(b, n)| format!("`{b}` ({n})"))
                .collect();
            format!("the most mentioned brands are {}", top.join(", "))
        } else {
            let list: Vec<String> = near
                .iter()
                .map(|(b, n)| format!("`{b}` ({n} mentions)"))
                .collect();
            format!(
                "did you mean {}? Set brand = \"{}\"",
                list.join(" or "),
                near[0].0
            )
        };
        Ok(Some(format!(
            "the brand `{brand}` matches no mention in social_mentions.brand (matching is exact, case included), so every brand KPI (volume, share of voice, sentiment of the own brand) is 0: {hint}"
        )))
    }

    /// The brand with the most brand posts, if any.
    pub async fn dominant_brand(&self) -> Result<Option<String>> {
        let sql = "SELECT brand FROM social_mentions WHERE is_brand_post GROUP BY brand ORDER BY count(*) DESC, brand LIMIT 1";
        let batches = self.collect(sql, "finding the own brand").await?;
        Ok(batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .map(|b| Named::new(b, "finding the own brand").text("brand"))
            .transpose()?
            .map(|brands| brands.value(0).to_string()))
    }

    async fn collect(&self, sql: &str, context: &str) -> Result<Vec<RecordBatch>> {
        self.ctx
            .sql(sql)
            .await
            .map_err(|e| Error::engine(context, e))?
            .collect()
            .await
            .map_err(|e| Error::engine(context, e))
    }
}

fn reason_text(v: &Violation) -> String {
    if v.column.is_empty() {
        // The line as read, so that nothing of it is lost.
        return format!(
            "the line {}: {}",
            v.problem,
            v.value.as_deref().unwrap_or_default()
        );
    }
    match &v.value {
        Some(val) => format!("{}: {val:?} {}", v.column, v.problem),
        None => format!("{}: {}", v.column, v.problem),
    }
}

/// Deals batches round-robin into `n` partitions so scans use every core.
fn partitions(batches: Vec<RecordBatch>, n: usize) -> Vec<Vec<RecordBatch>> {
    let mut parts = vec![Vec::new(); n.max(1)];
    let len = parts.len();
    for (i, b) in batches.into_iter().enumerate() {
        parts[i % len].push(b);
    }
    parts
}

/// Schema with every field nullable (registered tables accept what validation let through).
fn nullable(schema: &Schema) -> Arc<Schema> {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect::<Vec<_>>(),
    ))
}

fn rejects_batch(
    gone: &RecordBatch,
    table: &schema::Table,
    ingested: &IngestedTable,
    reasons: &HashMap<(i32, i64), Vec<String>>,
) -> Result<RecordBatch> {
    let n_cols = table.columns.len();
    let files = gone.column(n_cols).as_primitive::<Int32Type>();
    let rows = gone.column(n_cols + 1).as_primitive::<Int64Type>();
    let source_file: StringArray = (0..gone.num_rows())
        .map(|i| Some(ingested.files[files.value(i) as usize].path.clone()))
        .collect();
    let reason: StringArray = (0..gone.num_rows())
        .map(|i| {
            reasons
                .get(&(files.value(i), rows.value(i)))
                .map(|r| r.join("; "))
        })
        .collect();
    let mut fields: Vec<Field> = nullable(&table.arrow_schema())
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(Field::new("source_file", DataType::Utf8, false));
    fields.push(Field::new("source_row", DataType::Int64, false));
    fields.push(Field::new("reason", DataType::Utf8, false));
    let mut cols = gone.columns()[..n_cols].to_vec();
    cols.push(Arc::new(source_file));
    cols.push(gone.column(n_cols + 1).clone());
    cols.push(Arc::new(reason));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
        .map_err(|e| Error::engine("assembling rejects", e.into()))
}

/// Sorted map of table name to report, for the manifest.
pub(crate) fn reports_by_table(reports: &[TableReport]) -> BTreeMap<&str, &TableReport> {
    reports.iter().map(|r| (r.table.as_str(), r)).collect()
}

//! Reads the files of one table through DataFusion with a declared all-text (CSV) or the
//! file's own (Parquet, NDJSON) schema, maps file columns onto canonical ones, converts
//! every value to its canonical type, and numbers every row by file and position so that
//! any later problem can be pointed at precisely.

use crate::catalog::discover::{InputFile, TableFiles};
use crate::catalog::parse::{BadValue, TextFormats, to_canonical};
use crate::catalog::schema::Table;
use crate::catalog::tables;
use crate::catalog::validate::Violation;
use crate::config::{DatasetConfig, Format};
use crate::error::{Error, Result};
use datafusion::arrow::array::{
    ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array, RecordBatch, new_null_array,
};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::{
    DataType, Field, Int32Type, Int64Type, Schema, SchemaRef, TimestampNanosecondType,
};
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::prelude::{
    CsvReadOptions, JsonReadOptions, ParquetReadOptions, SessionConfig, SessionContext, ident,
};
use futures::StreamExt;
use serde::Serialize;
use std::io::Read;
use std::sync::Arc;

/// Name of the column holding the index of the source file of each row.
pub const FILE_COL: &str = "__file";
/// Name of the column holding the 1-based record number of each row within its file.
pub const ROW_COL: &str = "__row";

/// What was read from one file.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FileReport {
    /// Path as shown to people.
    pub path: String,
    /// Format read.
    pub format: Format,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// File size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// A table as read: typed rows with their provenance, and the problems found so far.
#[derive(Debug)]
pub struct IngestedTable {
    /// The canonical definition.
    pub table: &'static Table,
    /// Files read, in order; `__file` indexes this list.
    pub files: Vec<FileReport>,
    /// Rows in the canonical schema plus `__file` and `__row`.
    pub batches: Vec<RecordBatch>,
    /// Values that did not parse and required values that are missing.
    pub violations: Vec<Violation>,
    /// Non-fatal notes (ignored or absent optional columns).
    pub warnings: Vec<String>,
}

impl IngestedTable {
    /// Rows read across all files.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// Leaves out the rows whose own time column (the table's `time_column`) lies at or
    /// after `cutoff` (ns since the epoch), with the problems found in them: under `--as-of`
    /// those rows are not part of the data, so neither their values nor the references to
    /// rows they point at are checked. Returns how many rows were left out.
    pub fn cut_at(&mut self, cutoff: i64) -> Result<u64> {
        let Some(idx) = self
            .table
            .time_column
            .and_then(|c| self.table.columns.iter().position(|col| col.name == c))
        else {
            return Ok(0);
        };
        let n_cols = self.table.columns.len();
        let mut cut = std::collections::HashSet::new();
        for batch in &mut self.batches {
            let ts = batch.column(idx).as_primitive::<TimestampNanosecondType>();
            if ts.iter().all(|t| t.is_none_or(|t| t < cutoff)) {
                continue;
            }
            let keep: BooleanArray = ts
                .iter()
                .map(|t| Some(t.is_none_or(|t| t < cutoff)))
                .collect();
            let files = batch.column(n_cols).as_primitive::<Int32Type>();
            let rows = batch.column(n_cols + 1).as_primitive::<Int64Type>();
            for i in (0..batch.num_rows()).filter(|i| !keep.value(*i)) {
                cut.insert((files.value(i) as usize, rows.value(i)));
            }
            *batch = filter_record_batch(batch, &keep)
                .map_err(|e| Error::engine("applying --as-of", e.into()))?;
        }
        self.violations.retain(|v| !cut.contains(&(v.file, v.row)));
        Ok(cut.len() as u64)
    }

    /// Schema of the typed batches (canonical + provenance columns).
    pub fn typed_schema(table: &Table) -> SchemaRef {
        let canonical = table.arrow_schema();
        let mut fields: Vec<Field> = canonical
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect();
        fields.push(Field::new(FILE_COL, DataType::Int32, false));
        fields.push(Field::new(ROW_COL, DataType::Int64, false));
        Arc::new(Schema::new(fields))
    }
}

fn csv_header(file: &InputFile, delimiter: u8) -> Result<Vec<String>> {
    let f = std::fs::File::open(&file.path).map_err(|e| Error::io(&file.path, e))?;
    let reader: Box<dyn Read> = if file.gzip {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(reader);
    let headers = rdr.headers().map_err(|e| Error::Io {
        path: file.path.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
    })?;
    Ok(headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect())
}

/// Reads all files of one table.
pub async fn ingest(files: &TableFiles, cfg: Option<&DatasetConfig>) -> Result<IngestedTable> {
    let table = tables::table(files.table).expect("discovered tables are canonical");
    // One partition per file keeps batches in file order, so row numbers are exact.
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    let formats = TextFormats {
        timestamp: cfg.and_then(|c| c.timestamp_format.clone()),
        date: cfg.and_then(|c| c.date_format.clone()),
    };
    let mut out = IngestedTable {
        table,
        files: Vec::new(),
        batches: Vec::new(),
        violations: Vec::new(),
        warnings: Vec::new(),
    };
    let typed_schema = IngestedTable::typed_schema(table);
    for (file_idx, file) in files.files.iter().enumerate() {
        let rows = read_file(
            file,
            file_idx,
            table,
            cfg,
            &formats,
            &ctx,
            &typed_schema,
            &mut out,
        )
        .await?;
        out.files.push(FileReport {
            path: file.display.clone(),
            format: file.format,
            rows,
            bytes: file.bytes,
            sha256: file.sha256.clone(),
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn read_file(
    file: &InputFile,
    file_idx: usize,
    table: &'static Table,
    cfg: Option<&DatasetConfig>,
    formats: &TextFormats,
    ctx: &SessionContext,
    typed_schema: &SchemaRef,
    out: &mut IngestedTable,
) -> Result<u64> {
    let path = file.path.to_string_lossy().to_string();
    let compression = if file.gzip {
        FileCompressionType::GZIP
    } else {
        FileCompressionType::UNCOMPRESSED
    };
    let unreadable = |e| Error::Unreadable {
        table: table.name.into(),
        file: file.display.clone(),
        format: format!("{:?}", file.format).to_lowercase(),
        source: Box::new(e),
    };
    let df = match file.format {
        Format::Csv => {
            let delimiter = cfg.and_then(|c| c.delimiter).unwrap_or(',');
            let delimiter = u8::try_from(delimiter).map_err(|_| Error::InvalidParameter {
                name: format!("[datasets.{}] delimiter", table.name),
                origin: "misura.toml".into(),
                value: delimiter.to_string(),
                expected: "a single ASCII character".into(),
            })?;
            let header = csv_header(file, delimiter)?;
            let schema = Schema::new(
                header
                    .iter()
                    .map(|h| Field::new(h, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            );
            let opts = CsvReadOptions::new()
                .has_header(true)
                .delimiter(delimiter)
                .schema(&schema)
                .file_extension("")
                .file_compression_type(compression);
            ctx.read_csv(path, opts).await.map_err(unreadable)?
        }
        Format::Parquet => ctx
            .read_parquet(path, ParquetReadOptions::default().file_extension(""))
            .await
            .map_err(unreadable)?,
        Format::Ndjson => {
            let opts = JsonReadOptions {
                file_extension: "",
                file_compression_type: compression,
                ..Default::default()
            };
            ctx.read_json(path, opts).await.map_err(unreadable)?
        }
    };
    let found: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mapping = |canonical: &str| -> String {
        cfg.and_then(|c| c.columns.get(canonical).cloned())
            .unwrap_or_else(|| canonical.to_string())
    };
    let mut selected = Vec::new();
    let mut positions = Vec::new(); // canonical column index -> position in the selection
    let mut missing_required = Vec::new();
    for c in table.columns {
        let source = mapping(c.name);
        if found.contains(&source) {
            positions.push(Some(selected.len()));
            selected.push(ident(source).alias(c.name));
        } else {
            positions.push(None);
            if c.nullable {
                out.warnings.push(format!(
                    "{}: optional column `{}` absent; treated as empty",
                    file.display, c.name
                ));
            } else {
                missing_required.push(if source == c.name {
                    c.name.to_string()
                } else {
                    format!("{} (mapped to `{source}`)", c.name)
                });
            }
        }
    }
    if !missing_required.is_empty() {
        return Err(Error::MissingColumns {
            table: table.name.into(),
            file: file.display.clone(),
            example: table
                .columns
                .iter()
                .find(|c| !c.nullable && !found.contains(&mapping(c.name)))
                .map(|c| c.name)
                .unwrap_or_default()
                .to_string(),
            missing: missing_required.join(", "),
            found: found.join(", "),
        });
    }
    let used: Vec<String> = table.columns.iter().map(|c| mapping(c.name)).collect();
    let ignored: Vec<&String> = found.iter().filter(|f| !used.contains(f)).collect();
    if !ignored.is_empty() {
        out.warnings.push(format!(
            "{}: column(s) not in the canonical model ignored: {}",
            file.display,
            ignored
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let df = df
        .select(selected)
        .map_err(|e| Error::engine(format!("reading {}", file.display), e))?;
    let mut stream = df.execute_stream().await.map_err(unreadable)?;
    let mut next_row: i64 = 1;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(unreadable)?;
        let n = batch.num_rows();
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(table.columns.len() + 2);
        for (c, pos) in table.columns.iter().zip(&positions) {
            let typed = match pos {
                Some(p) => {
                    let mut bad: Vec<BadValue> = Vec::new();
                    let typed =
                        to_canonical(batch.column(*p), c, formats, &mut bad).map_err(|e| {
                            Error::engine(
                                format!("converting {}.{}", file.display, c.name),
                                e.into(),
                            )
                        })?;
                    for b in &bad {
                        out.violations.push(Violation {
                            file: file_idx,
                            row: next_row + b.index as i64,
                            column: c.name.to_string(),
                            value: Some(b.value.clone()),
                            problem: b.problem.clone(),
                            fix: type_fix(table.name, c.ty),
                        });
                    }
                    if !c.nullable && typed.null_count() > bad.len() {
                        let bad_idx: std::collections::HashSet<usize> =
                            bad.iter().map(|b| b.index).collect();
                        for i in (0..n).filter(|i| typed.is_null(*i) && !bad_idx.contains(i)) {
                            out.violations.push(Violation {
                                file: file_idx,
                                row: next_row + i as i64,
                                column: c.name.to_string(),
                                value: None,
                                problem: "is empty, but the column is required".into(),
                                fix: "fill it in the export, or set on_invalid = \"reject\" to set such rows aside".into(),
                            });
                        }
                    }
                    typed
                }
                None => new_null_array(&c.ty.data_type(), n),
            };
            arrays.push(typed);
        }
        arrays.push(Arc::new(Int32Array::from(vec![file_idx as i32; n])));
        arrays.push(Arc::new(Int64Array::from_iter_values(
            next_row..next_row + n as i64,
        )));
        let typed = RecordBatch::try_new(typed_schema.clone(), arrays)
            .map_err(|e| Error::engine(format!("assembling {}", file.display), e.into()))?;
        out.batches.push(typed);
        next_row += n as i64;
    }
    Ok((next_row - 1) as u64)
}

fn type_fix(table: &str, ty: crate::catalog::schema::ColType) -> String {
    use crate::catalog::schema::ColType;
    match ty {
        ColType::Timestamp => format!(
            "write UTC ISO 8601 (2026-03-01T09:15:00Z), or declare the format with [datasets.{table}] timestamp_format = \"%d/%m/%Y %H:%M\" in misura.toml"
        ),
        ColType::Date => format!(
            "write YYYY-MM-DD, or declare the format with [datasets.{table}] date_format in misura.toml"
        ),
        ColType::Bool => "write true or false".into(),
        ColType::Int | ColType::Float => {
            "remove thousands separators, units and currency symbols; use `.` for decimals".into()
        }
        ColType::Str | ColType::Enum(_) => "correct the value in the export".into(),
    }
}

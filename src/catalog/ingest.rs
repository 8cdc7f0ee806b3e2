//! Reads the files of one table through DataFusion with a declared all-text (CSV) or the
//! file's own (Parquet, NDJSON) schema, maps file columns onto canonical ones, converts
//! every value to its canonical type, and numbers every row by file and position so that
//! any later problem can be pointed at precisely.

use crate::catalog::csv_lines;
use crate::catalog::discover::{InputFile, TableFiles};
use crate::catalog::parse::{BadValue, TextFormats, to_canonical};
use crate::config::{DatasetConfig, Format};
use crate::error::{Error, Result};
use crate::model::schema::Table;
use crate::model::tables;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array, RecordBatch, new_null_array,
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
pub(crate) const FILE_COL: &str = "__file";
/// Name of the column holding the 1-based record number of each row within its file.
pub(crate) const ROW_COL: &str = "__row";

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
    /// Primary keys of the rows left out as after the as-of.
    pub cut_keys: Vec<String>,
    /// Rows whose reference points at a row after the as-of (found by validation): left
    /// out as after the as-of too.
    pub after_as_of_by_reference: std::collections::HashSet<(usize, i64)>,
}

impl IngestedTable {
    /// Rows read across all files.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// Leaves out the rows whose own time column (the table's `time_column`) lies at or
    /// after `cutoff` (ns since the epoch), with the problems found in them: under `--as-of`
    /// those rows are not part of the data, so neither their values nor the references to
    /// rows they point at are checked. Returns how many rows were left out; the primary keys
    /// of those rows are added to `cut_keys`.
    pub fn cut_at(&mut self, cutoff: i64) -> Result<u64> {
        let Some(idx) = self
            .table
            .time_column
            .and_then(|c| self.table.columns.iter().position(|col| col.name == c))
        else {
            return Ok(0);
        };
        self.leave_out(
            |batch| {
                let ts = batch.column(idx).as_primitive::<TimestampNanosecondType>();
                ts.iter().any(|t| t.is_some_and(|t| t >= cutoff)).then(|| {
                    ts.iter()
                        .map(|t| Some(t.is_none_or(|t| t < cutoff)))
                        .collect()
                })
            },
            "applying --as-of",
        )
    }

    /// Leaves out the rows `(file, row)` of `rows` and the problems found in them, as rows
    /// that lie after the as-of (a row referring to a row after the as-of is after it too).
    /// Returns how many were left out; their primary keys are added to `cut_keys`.
    pub fn remove_rows(
        &mut self,
        rows: &std::collections::HashSet<(usize, i64)>,
        context: &str,
    ) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let n_cols = self.table.columns.len();
        self.leave_out(
            |batch| {
                let files = batch.column(n_cols).as_primitive::<Int32Type>();
                let numbers = batch.column(n_cols + 1).as_primitive::<Int64Type>();
                let keep: BooleanArray = (0..batch.num_rows())
                    .map(|i| Some(!rows.contains(&(files.value(i) as usize, numbers.value(i)))))
                    .collect();
                (keep.true_count() < batch.num_rows()).then_some(keep)
            },
            context,
        )
    }

    /// Filters every batch by the mask `keep_of` gives (`None`: keep the whole batch); the
    /// rows left out lose their problems and their primary keys go to `cut_keys`.
    fn leave_out(
        &mut self,
        keep_of: impl Fn(&RecordBatch) -> Option<BooleanArray>,
        context: &str,
    ) -> Result<u64> {
        let n_cols = self.table.columns.len();
        let key = self.table.single_key_index();
        let mut gone = std::collections::HashSet::new();
        for batch in &mut self.batches {
            let Some(keep) = keep_of(batch) else { continue };
            let files = batch.column(n_cols).as_primitive::<Int32Type>();
            let rows = batch.column(n_cols + 1).as_primitive::<Int64Type>();
            let keys = key.map(|k| crate::arrow_io::text(batch.column(k)));
            for i in (0..batch.num_rows()).filter(|i| !keep.value(*i)) {
                gone.insert((files.value(i) as usize, rows.value(i)));
                if let Some(keys) = keys.as_ref().filter(|k| k.is_valid(i)) {
                    self.cut_keys.push(keys.value(i).to_string());
                }
            }
            *batch =
                filter_record_batch(batch, &keep).map_err(|e| Error::engine(context, e.into()))?;
        }
        self.violations.retain(|v| !gone.contains(&(v.file, v.row)));
        Ok(gone.len() as u64)
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
        decimal_comma: cfg.and_then(|c| c.decimal) == Some(','),
    };
    let mut out = IngestedTable {
        table,
        files: Vec::new(),
        batches: Vec::new(),
        violations: Vec::new(),
        warnings: Vec::new(),
        cut_keys: Vec::new(),
        after_as_of_by_reference: std::collections::HashSet::new(),
    };
    let typed_schema = IngestedTable::typed_schema(table);
    // A file that cannot be read does not hide the table's other files: each is tried, and
    // every one that cannot be read is named.
    let mut unreadable = Vec::new();
    for (file_idx, file) in files.files.iter().enumerate() {
        let r = FileRead {
            file,
            file_idx,
            table,
            cfg,
            formats: &formats,
            typed_schema: &typed_schema,
        };
        let read = read_file(&r, &ctx, &mut out).await;
        let rows = match read {
            Ok(rows) => rows,
            Err(e) if e.is_unreadable_file() => {
                unreadable.push(e);
                0
            }
            Err(e) => return Err(e),
        };
        out.files.push(FileReport {
            path: file.display.clone(),
            format: file.format,
            rows,
            bytes: file.bytes,
            sha256: file.sha256.clone(),
        });
    }
    match unreadable.len() {
        0 => Ok(out),
        1 => Err(unreadable.remove(0)),
        _ => Err(Error::Inputs(unreadable)),
    }
}

/// How one file is read: where it is, its index in the table's list, and how to convert.
struct FileRead<'a> {
    file: &'a InputFile,
    file_idx: usize,
    table: &'static Table,
    cfg: Option<&'a DatasetConfig>,
    formats: &'a TextFormats,
    typed_schema: &'a SchemaRef,
}

impl FileRead<'_> {
    /// The file cannot be read at all, because of `source`; `fix` says what to do.
    fn unreadable_because(&self, source: datafusion::error::DataFusionError, fix: &str) -> Error {
        Error::Unreadable {
            table: self.table.name.into(),
            file: self.file.display.clone(),
            format: format!("{:?}", self.file.format).to_lowercase(),
            source: Box::new(source),
            fix: fix.to_string(),
        }
    }

    /// [`Self::unreadable_because`] as a `map_err` function.
    fn unreadable(&self, fix: String) -> impl Fn(datafusion::error::DataFusionError) -> Error + '_ {
        move |e| self.unreadable_because(e, &fix)
    }

    /// How DataFusion decompresses the file.
    fn compression(&self) -> FileCompressionType {
        if self.file.gzip {
            FileCompressionType::GZIP
        } else {
            FileCompressionType::UNCOMPRESSED
        }
    }
}

async fn read_file(r: &FileRead<'_>, ctx: &SessionContext, out: &mut IngestedTable) -> Result<u64> {
    let (file, table) = (r.file, r.table);
    if file.bytes == 0 {
        return Err(Error::EmptyFile {
            table: table.name.into(),
            file: file.display.clone(),
        });
    }
    let path = file.path.to_string_lossy().to_string();
    let df = match file.format {
        Format::Csv => return read_csv(r, ctx, out).await,
        Format::Parquet => ctx
            .read_parquet(path, ParquetReadOptions::default().file_extension(""))
            .await
            .map_err(r.unreadable(format!(
                "the file is not a complete Parquet file (cut short, or another format under a .parquet name): export or copy it again; [datasets.{}] format = \"csv\" reads another format under this name",
                table.name
            )))?,
        Format::Ndjson => {
            let opts = JsonReadOptions {
                file_extension: "",
                file_compression_type: r.compression(),
                ..Default::default()
            };
            ctx.read_json(path, opts)
                .await
                .map_err(r.unreadable(ndjson_fix(file)))?
        }
    };
    let fix = match file.format {
        Format::Parquet => "the Parquet file is damaged: export or copy it again".to_string(),
        _ => ndjson_fix(file),
    };
    convert(r, df, &std::collections::HashSet::new(), out, fix).await
}

fn ndjson_fix(file: &InputFile) -> String {
    if file.gzip {
        "each line must be one JSON object; if the message speaks of gzip or deflate, the file is cut short or damaged: compress or download it again (`gzip -t FILE` tests it)".into()
    } else {
        "each line must be one complete JSON object (no pretty-printed JSON, no trailing commas)"
            .into()
    }
}

/// A CSV file: DataFusion's reader when the file is clean UTF-8; record by record
/// ([`csv_lines`](super::csv_lines)) when it declares another encoding or when the fast
/// reader stops at a bad line, so that every bad line is found and the rest is read.
async fn read_csv(r: &FileRead<'_>, ctx: &SessionContext, out: &mut IngestedTable) -> Result<u64> {
    let (file, table, cfg) = (r.file, r.table, r.cfg);
    let delimiter = cfg.and_then(|c| c.delimiter).unwrap_or(',');
    let delimiter = u8::try_from(delimiter).map_err(|_| Error::InvalidParameter {
        name: format!("[datasets.{}] delimiter", table.name),
        origin: "misura.toml".into(),
        value: delimiter.to_string(),
        expected: "a single ASCII character".into(),
    })?;
    let encoding = cfg.and_then(|c| c.encoding).unwrap_or_default();
    if encoding == crate::config::project::Encoding::Utf8
        && let Ok(header) = csv_header(file, delimiter)
    {
        check_delimiter(&header, delimiter, r)?;
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
            .file_compression_type(r.compression());
        let path = file.path.to_string_lossy().to_string();
        let mark = (out.batches.len(), out.violations.len(), out.warnings.len());
        if let Ok(df) = ctx.read_csv(path, opts).await {
            match convert(r, df, &std::collections::HashSet::new(), out, String::new()).await {
                Ok(rows) => return Ok(rows),
                Err(Error::Unreadable { .. }) => {
                    // A bad line stopped the fast reader: read the file again, record by record.
                    out.batches.truncate(mark.0);
                    out.violations.truncate(mark.1);
                    out.warnings.truncate(mark.2);
                }
                Err(e) => return Err(e),
            }
        }
    }
    let bytes = csv_lines::file_bytes(&file.path, file.gzip).map_err(|e| {
        r.unreadable_because(
            datafusion::error::DataFusionError::IoError(e),
            if file.gzip {
                "the gzip stream is cut short or damaged: compress or download the file again (`gzip -t FILE` tests it)"
            } else {
                "the file cannot be read from disk: check that it is complete and readable"
            },
        )
    })?;
    let bytes = csv_lines::to_utf8(bytes, encoding.decoder());
    let lines = csv_lines::read(&bytes, delimiter, table.name).map_err(|e| {
        r.unreadable_because(
            datafusion::error::DataFusionError::External(Box::new(e)),
            "check the file's delimiter, quoting and encoding",
        )
    })?;
    check_delimiter(&lines.header, delimiter, r)?;
    let bad_rows: std::collections::HashSet<i64> = lines.bad.iter().map(|b| b.row).collect();
    for b in &lines.bad {
        out.violations.push(Violation {
            file: r.file_idx,
            row: b.row,
            column: String::new(),
            value: Some(b.text.clone()),
            problem: b.problem.clone(),
            fix: b.fix.clone(),
        });
    }
    let df = ctx
        .read_batch(lines.batch)
        .map_err(|e| Error::engine(format!("reading {}", file.display), e))?;
    convert(r, df, &bad_rows, out, String::new()).await
}

/// A header read as one column that holds another likely delimiter is a file with another
/// delimiter, not a file with missing columns.
fn check_delimiter(header: &[String], delimiter: u8, r: &FileRead<'_>) -> Result<()> {
    let [only] = header else { return Ok(()) };
    let Some(found) = [';', '\t', '|', ',']
        .into_iter()
        .filter(|c| *c as u32 != delimiter as u32)
        .max_by_key(|c| only.matches(*c).count())
        .filter(|c| only.contains(*c))
    else {
        return Ok(());
    };
    Err(Error::WrongDelimiter {
        table: r.table.name.into(),
        file: r.file.display.clone(),
        header: only.chars().take(120).collect(),
        expected: delimiter as char,
        found,
    })
}

/// Maps a file's columns onto the canonical ones and converts every value (rows in
/// `bad_rows` are bad lines already recorded: not checked again); `fix` is the advice when
/// the stream fails while reading.
async fn convert(
    r: &FileRead<'_>,
    df: datafusion::dataframe::DataFrame,
    bad_rows: &std::collections::HashSet<i64>,
    out: &mut IngestedTable,
    fix: String,
) -> Result<u64> {
    let (file, file_idx, table, cfg, formats, typed_schema) = (
        r.file,
        r.file_idx,
        r.table,
        r.cfg,
        r.formats,
        r.typed_schema,
    );
    let unreadable = r.unreadable(fix);
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
    let mut stream = df.execute_stream().await.map_err(&unreadable)?;
    let mut next_row: i64 = 1;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(&unreadable)?;
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
                        for i in (0..n).filter(|i| {
                            typed.is_null(*i)
                                && !bad_idx.contains(i)
                                && !bad_rows.contains(&(next_row + *i as i64))
                        }) {
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

fn type_fix(table: &str, ty: crate::model::schema::ColType) -> String {
    use crate::model::schema::ColType;
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

/// One problem with one value of one row.
#[derive(Debug, Clone)]
pub struct Violation {
    /// Index of the file in the table's file list.
    pub file: usize,
    /// 1-based record number within the file (header excluded).
    pub row: i64,
    /// Canonical column.
    pub column: String,
    /// The offending value as text, `None` when empty.
    pub value: Option<String>,
    /// What is wrong (completes "value ...").
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

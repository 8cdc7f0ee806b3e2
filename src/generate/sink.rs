//! Streams generated rows of one canonical table into a CSV or Parquet file, in batches,
//! with the canonical schema, so the generator's output is valid input by construction.

use crate::arrow_io::{csv_writer, parquet_writer};
use crate::error::{Error, Result};
use crate::model::schema::{ColType, Table};
use crate::model::tables;
use datafusion::arrow::array::{
    ArrayBuilder, ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder,
    RecordBatch, StringBuilder, TimestampNanosecondBuilder,
};
use datafusion::arrow::csv::Writer as CsvWriter;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use std::path::{Path, PathBuf};

/// Output format of the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutFormat {
    /// `<table>.csv`
    Csv,
    /// `<table>.parquet`
    Parquet,
}

/// One value of a generated row. Times are seconds since the Unix epoch (UTC), dates days.
#[derive(Debug, Clone, Copy)]
pub(crate) enum V<'a> {
    /// Text (or enum value).
    S(&'a str),
    /// Whole number.
    I(i64),
    /// Number.
    F(f64),
    /// Boolean.
    B(bool),
    /// Timestamp, seconds since the epoch.
    T(i64),
    /// Date, days since the epoch.
    D(i32),
    /// Null.
    N,
}

enum Col {
    S(StringBuilder),
    I(Int64Builder),
    F(Float64Builder),
    B(BooleanBuilder),
    T(TimestampNanosecondBuilder),
    D(Date32Builder),
}

const BATCH: usize = 65_536;

/// Buffers rows of one table and writes them when finished.
pub(crate) struct Sink {
    table: &'static Table,
    schema: SchemaRef,
    cols: Vec<Col>,
    writer: Writer,
    rows: u64,
    path: PathBuf,
}

enum Writer {
    Csv(Box<CsvWriter<std::io::BufWriter<std::fs::File>>>),
    Parquet(Box<ArrowWriter<std::fs::File>>),
}

impl Sink {
    /// A sink for `table` writing `<dir>/<table>.<ext>`.
    pub fn new(name: &str, dir: &Path, format: OutFormat) -> Result<Self> {
        let table = tables::table(name).expect("generator writes canonical tables");
        let ext = match format {
            OutFormat::Csv => "csv",
            OutFormat::Parquet => "parquet",
        };
        let path = dir.join(format!("{name}.{ext}"));
        let schema = table.arrow_schema();
        let writer = match format {
            OutFormat::Csv => Writer::Csv(Box::new(csv_writer(&path)?)),
            OutFormat::Parquet => Writer::Parquet(Box::new(parquet_writer(&path, &schema)?)),
        };
        let mut s = Sink {
            table,
            schema,
            cols: Vec::new(),
            writer,
            rows: 0,
            path,
        };
        s.reset();
        Ok(s)
    }

    fn reset(&mut self) {
        self.cols = self
            .table
            .columns
            .iter()
            .map(|c| match c.ty {
                ColType::Str | ColType::Enum(_) => Col::S(StringBuilder::new()),
                ColType::Int => Col::I(Int64Builder::new()),
                ColType::Float => Col::F(Float64Builder::new()),
                ColType::Bool => Col::B(BooleanBuilder::new()),
                ColType::Timestamp => Col::T(TimestampNanosecondBuilder::new()),
                ColType::Date => Col::D(Date32Builder::new()),
            })
            .collect();
    }

    /// Appends one row; values in canonical column order.
    pub fn row(&mut self, values: &[V]) {
        debug_assert_eq!(
            values.len(),
            self.cols.len(),
            "row width of {}",
            self.table.name
        );
        for (col, v) in self.cols.iter_mut().zip(values) {
            match (col, v) {
                (Col::S(b), V::S(s)) => b.append_value(s),
                (Col::I(b), V::I(i)) => b.append_value(*i),
                (Col::F(b), V::F(x)) => b.append_value(*x),
                (Col::B(b), V::B(x)) => b.append_value(*x),
                (Col::T(b), V::T(t)) => b.append_value(t * 1_000_000_000),
                (Col::D(b), V::D(d)) => b.append_value(*d),
                (Col::S(b), V::N) => b.append_null(),
                (Col::I(b), V::N) => b.append_null(),
                (Col::F(b), V::N) => b.append_null(),
                (Col::B(b), V::N) => b.append_null(),
                (Col::T(b), V::N) => b.append_null(),
                (Col::D(b), V::N) => b.append_null(),
                (_, v) => panic!(
                    "generator bug: value {v:?} does not fit a column of {}",
                    self.table.name
                ),
            }
        }
        self.rows += 1;
        if self.rows.is_multiple_of(BATCH as u64) {
            self.flush()
        }
    }

    fn flush(&mut self) {
        if let Err(e) = self.try_flush() {
            panic!("generator: cannot write {}: {e}", self.path.display());
        }
    }

    fn try_flush(&mut self) -> Result<()> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| match c {
                Col::S(b) => ArrayBuilder::finish(b),
                Col::I(b) => ArrayBuilder::finish(b),
                Col::F(b) => ArrayBuilder::finish(b),
                Col::B(b) => ArrayBuilder::finish(b),
                Col::T(b) => ArrayBuilder::finish(b),
                Col::D(b) => ArrayBuilder::finish(b),
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .expect("generated rows fit the schema");
        let fail = |e: String| Error::Generate {
            problem: format!("writing {}: {e}", self.path.display()),
        };
        if batch.num_rows() > 0 || self.rows == 0 {
            match &mut self.writer {
                Writer::Csv(w) => w.write(&batch).map_err(|e| fail(e.to_string()))?,
                Writer::Parquet(w) => w.write(&batch).map_err(|e| fail(e.to_string()))?,
            }
        }
        Ok(())
    }

    /// Writes the file; returns (table, rows).
    pub fn finish(mut self) -> Result<(&'static str, u64)> {
        if !self.rows.is_multiple_of(BATCH as u64) || self.rows == 0 {
            self.try_flush()?;
        }
        let fail = |e: String| Error::Generate {
            problem: format!("closing {}: {e}", self.path.display()),
        };
        match self.writer {
            Writer::Csv(w) => drop(w.into_inner()),
            Writer::Parquet(w) => {
                w.close().map_err(|e| fail(e.to_string()))?;
            }
        }
        Ok((self.table.name, self.rows))
    }
}

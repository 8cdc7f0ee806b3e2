//! Writes result tables as CSV and Parquet: `kpi_values` (the contract of docs/spec/kpis.md) and the
//! rejects of each input table.

use crate::error::{Error, Result};
use crate::kpi::KpiValue;
use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::csv::{Writer, WriterBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// Schema of the `kpi_values` table.
pub fn kpi_values_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("use_case", DataType::Utf8, false),
        Field::new("kpi", DataType::Utf8, false),
        Field::new("period", DataType::Utf8, false),
        Field::new("dimension", DataType::Utf8, true),
        Field::new("dimension_value", DataType::Utf8, true),
        Field::new("value", DataType::Float64, true),
        Field::new("unit", DataType::Utf8, false),
        Field::new("n", DataType::Int64, false),
        Field::new("ci_low", DataType::Float64, true),
        Field::new("ci_high", DataType::Float64, true),
    ]))
}

/// The KPI values as one Arrow batch.
pub fn kpi_values_batch(values: &[KpiValue]) -> Result<RecordBatch> {
    let s = |f: fn(&KpiValue) -> Option<&str>| {
        Arc::new(values.iter().map(f).collect::<StringArray>()) as ArrayRef
    };
    let x = |f: fn(&KpiValue) -> Option<f64>| {
        Arc::new(values.iter().map(f).collect::<Float64Array>()) as ArrayRef
    };
    let columns = vec![
        s(|v| Some(&v.use_case)),
        s(|v| Some(&v.kpi)),
        s(|v| Some(&v.period)),
        s(|v| v.dimension.as_deref()),
        s(|v| v.dimension_value.as_deref()),
        x(|v| v.value),
        s(|v| Some(&v.unit)),
        Arc::new(values.iter().map(|v| v.n).collect::<Int64Array>()) as ArrayRef,
        x(|v| v.ci_low),
        x(|v| v.ci_high),
    ];
    RecordBatch::try_new(kpi_values_schema(), columns)
        .map_err(|e| Error::engine("assembling kpi_values", e.into()))
}

/// A CSV writer with a header line, timestamps in ISO 8601 with `Z` and dates `YYYY-MM-DD`.
pub fn csv_writer(path: &Path) -> Result<Writer<std::io::BufWriter<std::fs::File>>> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    Ok(WriterBuilder::new()
        .with_header(true)
        .with_timestamp_format("%Y-%m-%dT%H:%M:%SZ".to_string())
        .with_date_format("%Y-%m-%d".to_string())
        .build(std::io::BufWriter::with_capacity(1 << 20, file)))
}

/// A Parquet writer (zstd) for `schema`.
pub fn parquet_writer(path: &Path, schema: &SchemaRef) -> Result<ArrowWriter<std::fs::File>> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_created_by(format!("misura {}", env!("CARGO_PKG_VERSION")))
        .build();
    ArrowWriter::try_new(file, schema.clone(), Some(props))
        .map_err(|e| Error::engine(format!("writing {}", path.display()), e.into()))
}

/// Writes `batches` to `path` as CSV (see [`csv_writer`]).
pub fn write_csv(path: &Path, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<()> {
    let mut w = csv_writer(path)?;
    if batches.is_empty() {
        w.write(&RecordBatch::new_empty(schema.clone()))
            .map_err(|e| Error::engine(format!("writing {}", path.display()), e.into()))?;
    }
    for b in batches {
        w.write(b)
            .map_err(|e| Error::engine(format!("writing {}", path.display()), e.into()))?;
    }
    Ok(())
}

/// Writes `batches` to `path` as Parquet (zstd).
pub fn write_parquet(path: &Path, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<()> {
    let fail = |e: datafusion::parquet::errors::ParquetError| {
        Error::engine(format!("writing {}", path.display()), e.into())
    };
    let mut w = parquet_writer(path, schema)?;
    for b in batches {
        w.write(b).map_err(fail)?;
    }
    w.close().map_err(fail)?;
    Ok(())
}

/// A string column from optional values.
pub fn text_column<'a>(v: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(v.collect::<datafusion::arrow::array::StringArray>())
}

/// A float column from optional values.
pub fn float_column(v: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(v.collect::<datafusion::arrow::array::Float64Array>())
}

/// A count column.
pub fn count_column(v: impl Iterator<Item = u64>) -> ArrayRef {
    Arc::new(
        v.map(Some)
            .collect::<datafusion::arrow::array::UInt64Array>(),
    )
}

//! Writing Arrow: CSV and Parquet files with the house settings, and columns built from
//! Rust values.

use crate::error::{Error, Result};
use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::csv::{Writer, WriterBuilder};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

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

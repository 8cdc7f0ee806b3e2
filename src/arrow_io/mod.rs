//! Arrow in and out, in one leaf: reading arrays into Rust values ([`read`]), reading a query's
//! output by column name against its declared schema ([`named`]), and writing CSV, Parquet
//! and columns ([`mod@write`]). It imports nothing of misura but the error type.

pub mod named;
pub mod read;
pub mod write;

pub use named::{Kind, Named, OutputColumn, OutputSchema};
pub use read::{bools, floats, text};
pub use write::{
    count_column, csv_writer, float_column, parquet_writer, text_column, write_csv, write_parquet,
};

//! How `misura sql` prints results: an aligned text table (default in a terminal), CSV
//! (with header), JSON (one array of objects) or a Markdown table.

use crate::error::{Error, Result};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::arrow::util::pretty::pretty_format_batches;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Aligned text table.
    #[default]
    Table,
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
    /// A Markdown (GitHub) table.
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown format `{other}`: use table, csv, json or markdown"
            )),
        }
    }
}

fn err(e: impl ToString) -> Error {
    Error::Sql {
        problem: format!("formatting the result: {}", e.to_string()),
    }
}

/// Renders `batches` (an empty result still shows its columns where the format can).
pub fn render(batches: &[RecordBatch], format: Format) -> Result<String> {
    match format {
        Format::Table => Ok(pretty_format_batches(batches).map_err(err)?.to_string()),
        Format::Csv => {
            let mut out = Vec::new();
            {
                let mut w = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut out);
                for b in batches {
                    w.write(b).map_err(err)?;
                }
            }
            String::from_utf8(out).map_err(err)
        }
        Format::Json => {
            let mut out = Vec::new();
            {
                let mut w = datafusion::arrow::json::ArrayWriter::new(&mut out);
                for b in batches {
                    w.write(b).map_err(err)?;
                }
                w.finish().map_err(err)?;
            }
            let text = String::from_utf8(out).map_err(err)?;
            Ok(if text.is_empty() { "[]".into() } else { text })
        }
        Format::Markdown => markdown(batches),
    }
}

fn markdown(batches: &[RecordBatch]) -> Result<String> {
    let Some(first) = batches.first() else {
        return Ok(String::new());
    };
    let names: Vec<String> = first
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().replace('|', "\\|"))
        .collect();
    let mut out = format!(
        "| {} |\n|{}\n",
        names.join(" | "),
        "---|".repeat(names.len())
    );
    let options = FormatOptions::default().with_null("");
    for b in batches {
        let cols: Vec<ArrayFormatter> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<std::result::Result<_, _>>()
            .map_err(err)?;
        for row in 0..b.num_rows() {
            let cells: Vec<String> = cols
                .iter()
                .map(|c| c.value(row).to_string().replace('|', "\\|"))
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
    }
    Ok(out)
}

//! The project file `misura.toml`: strict (unknown keys are errors), optional, and only
//! about *what* the data is and *which* parameters apply. Resolution with the CLI and the
//! environment happens in [`super::Settings`].

use crate::error::{Error, Result, did_you_mean};
use crate::model::tables;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// What to do with invalid rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum OnInvalid {
    /// Stop the run and list the problems (default).
    #[default]
    Fail,
    /// Write invalid rows to `<run>/rejects/<table>.csv` with their reason and go on.
    Reject,
}

/// A file format misura reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Comma-separated values with a header line, optionally gzip-compressed (`.csv.gz`).
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON objects.
    Ndjson,
}

/// The character encoding of a text file (CSV, NDJSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
pub enum Encoding {
    /// UTF-8 (default); a byte sequence that is not UTF-8 is a bad line.
    #[default]
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    /// ISO-8859-1, read as its superset Windows-1252 (as browsers and Excel do).
    #[serde(
        rename = "latin-1",
        alias = "latin1",
        alias = "iso-8859-1",
        alias = "ISO-8859-1"
    )]
    Latin1,
    /// Windows-1252 (Western European exports from Excel on Windows).
    #[serde(rename = "windows-1252", alias = "cp1252")]
    Windows1252,
}

impl Encoding {
    /// The decoder of a non-UTF-8 encoding; `None` for UTF-8. Latin-1 is read as
    /// Windows-1252, its superset for printable text (the WHATWG encoding standard maps the
    /// label iso-8859-1 to windows-1252 for the same reason).
    pub fn decoder(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Utf8 => None,
            Encoding::Latin1 | Encoding::Windows1252 => Some(encoding_rs::WINDOWS_1252),
        }
    }
}

/// `[datasets.<table>]`: where a canonical table's data is and how to read it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetConfig {
    /// File, directory or glob, relative to the data directory.
    pub path: Option<String>,
    /// Format, when the extension does not tell.
    pub format: Option<Format>,
    /// CSV delimiter (default `,`).
    pub delimiter: Option<char>,
    /// chrono format of timestamps, e.g. `%d/%m/%Y %H:%M` (default ISO 8601; naive = UTC).
    pub timestamp_format: Option<String>,
    /// chrono format of dates (default `%Y-%m-%d`).
    pub date_format: Option<String>,
    /// Text encoding of CSV files: `utf-8` (default), `latin-1`, `windows-1252`.
    pub encoding: Option<Encoding>,
    /// Decimal separator of numbers in CSV files: `.` (default) or `,` (then `.` and spaces
    /// are thousands separators: `1.234,5` is 1234.5).
    pub decimal: Option<char>,
    /// Canonical column name = column name in the file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// `[use_cases.<id>]`: a project's display name for a use case, or hiding it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UseCaseOverride {
    /// Display name used in reports.
    pub name: Option<String>,
    /// Skip this use case entirely.
    pub hidden: Option<bool>,
}

/// The whole project file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Reporting currency, e.g. `EUR`.
    pub currency: Option<String>,
    /// Policy for invalid rows.
    pub on_invalid: Option<OnInvalid>,
    /// The parameters of docs/spec/kpis.md, by their exact names.
    #[serde(default)]
    pub parameters: toml::Table,
    /// Per-table mappings.
    #[serde(default)]
    pub datasets: BTreeMap<String, DatasetConfig>,
    /// Renamed or hidden use cases.
    #[serde(default)]
    pub use_cases: BTreeMap<String, UseCaseOverride>,
    /// Maturity-model settings.
    #[serde(default)]
    pub maturity: MaturityConfig,
    /// Nightly alert rules: mutes and per-KPI changes (defaults in `queries/alerts.toml`).
    #[serde(default)]
    pub alerts: AlertsConfig,
}

/// A project's change to one KPI's rule (`[alerts.kpis."<id>"]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    /// Limits at this many standard deviations.
    pub sigma: Option<f64>,
    /// Months of history needed.
    pub min_history: Option<usize>,
    /// Units a share's month must rest on.
    pub min_n: Option<f64>,
    /// Events a count must average a month.
    pub min_mean_count: Option<f64>,
    /// Never alert on this KPI.
    pub mute: Option<bool>,
}

/// misura.toml's `[alerts]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// KPI ids (or use case ids, for their ROI) never alerted on.
    #[serde(default)]
    pub mute: Vec<String>,
    /// Per-KPI rule changes.
    #[serde(default)]
    pub kpis: BTreeMap<String, RuleOverride>,
    /// `false`: no ROI alerts.
    pub roi: Option<bool>,
}

/// `[maturity]`: thresholds of the stage rules by rule id (see `queries/maturity.toml`),
/// e.g. `[maturity.thresholds] "culture.4.response_rate" = 0.6`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MaturityConfig {
    /// Rule id → threshold.
    #[serde(default)]
    pub thresholds: BTreeMap<String, f64>,
}

impl ProjectFile {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses project-file text; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let file: ProjectFile = toml::from_str(text).map_err(|e| Error::ConfigSyntax {
            path: path.to_path_buf(),
            source: Box::new(e),
        })?;
        file.check()?;
        Ok(file)
    }

    /// Checks the currency code, and table and column names against the canonical model.
    fn check(&self) -> Result<()> {
        if let Some(c) = &self.currency {
            super::currency::check(c)?;
        }
        let names = || tables::TABLES.iter().map(|t| t.name);
        for (name, ds) in &self.datasets {
            if let Some(d) = ds.decimal
                && d != '.'
                && d != ','
            {
                return Err(Error::InvalidParameter {
                    name: format!("[datasets.{name}] decimal"),
                    origin: "misura.toml".into(),
                    value: d.to_string(),
                    expected: "\".\" or \",\"".into(),
                });
            }
            let Some(table) = tables::table(name) else {
                return Err(Error::UnknownTable {
                    name: name.clone(),
                    hint: did_you_mean(name, names()),
                    known: names().collect::<Vec<_>>().join(", "),
                });
            };
            for canonical in ds.columns.keys() {
                if table.column(canonical).is_none() {
                    let cols = || table.columns.iter().map(|c| c.name);
                    return Err(Error::UnknownColumn {
                        table: name.clone(),
                        column: canonical.clone(),
                        hint: did_you_mean(canonical, cols()),
                        known: cols().collect::<Vec<_>>().join(", "),
                    });
                }
            }
        }
        Ok(())
    }
}

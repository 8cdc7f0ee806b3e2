//! `manifest.json`: what a run read (files, rows, checksums, rejects), with which settings
//! and seed, what it wrote, how long each stage took, and what it could not do. The only
//! output that carries wall-clock times, so that the tables of a re-run are identical.

use crate::catalog::TableReport;
use crate::config::params::{ParamValue, Source};
use crate::kpi::run::{NotMeasurable, QueryFailure};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A resolved parameter in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestParam {
    /// Value.
    pub value: ParamValue,
    /// Where it came from.
    pub source: Source,
}

/// A file the run wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutputFile {
    /// Path relative to the run folder.
    pub path: String,
    /// Data rows.
    pub rows: u64,
}

/// The manifest of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// misura version.
    pub misura_version: String,
    /// `ok`, or `failed` when a use case failed, the data did not validate or a file could
    /// not be read (then `error` says why).
    pub status: String,
    /// Why the run stopped before computing anything (invalid data, an unreadable file, an
    /// environment error); `None` when it got as far as the results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The as-of date (run folder name): the run saw the data as it stood at that day's end.
    pub as_of: String,
    /// SHA-256 of version, inputs, settings and queries: equal fingerprints, equal tables.
    pub fingerprint: String,
    /// Wall-clock start (RFC 3339, UTC).
    pub started_at: String,
    /// Wall-clock end (RFC 3339, UTC).
    pub finished_at: String,
    /// The whole run's wall time, milliseconds (lock to publication).
    #[serde(default)]
    pub duration_ms: f64,
    /// Input data location as shown to people.
    pub data: String,
    /// Project file used, if any.
    pub config: Option<String>,
    /// Reporting currency.
    pub currency: String,
    /// Policy for invalid rows.
    pub on_invalid: String,
    /// Analysis window `[start, end)`.
    pub window: (String, String),
    /// Random seed.
    pub seed: i64,
    /// Resolved parameters.
    pub parameters: BTreeMap<String, ManifestParam>,
    /// Row accounting per input table.
    pub inputs: Vec<TableReport>,
    /// Rejected rows per table.
    pub rejected: BTreeMap<String, u64>,
    /// Files written.
    pub outputs: Vec<OutputFile>,
    /// Use cases or KPIs the data cannot measure.
    pub not_measurable: Vec<NotMeasurable>,
    /// Use cases the project hides (`[use_cases.<id>] hidden = true`).
    pub hidden_use_cases: Vec<String>,
    /// Queries that failed.
    pub failures: Vec<QueryFailure>,
    /// Milliseconds per stage.
    pub timings_ms: BTreeMap<String, f64>,
    /// Peak resident memory of the process during each stage, MiB (Linux only).
    #[serde(default)]
    pub peak_rss_mb: BTreeMap<String, f64>,
    /// Notes worth reading.
    pub warnings: Vec<String>,
    /// The nightly alerts: how many fired (listed in `alerts.json`), how many KPIs and ROIs
    /// were judged, and those not judged with the reason; absent when they were not judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<AlertCounts>,
    /// Every query file of the run with the SHA-256 of its SQL.
    #[serde(default)]
    pub queries: BTreeMap<String, String>,
}

/// The alerts of a run, counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertCounts {
    /// Alerts that fired.
    pub fired: usize,
    /// KPIs and ROIs judged.
    pub judged: usize,
    /// Those not judged: id and reason.
    pub not_judged: Vec<crate::analyses::alerts::NotJudged>,
}

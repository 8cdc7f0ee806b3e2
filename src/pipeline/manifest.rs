//! What a run records about itself: the attempt gathered so far (enough to record a run
//! that stops early), the manifest built from it, and the up-to-date check of a rerun.

use super::RunOptions;
use crate::catalog::{TableReport, reports_by_table};
use crate::config::run_params::RunParams;
use crate::config::{DataSource, Settings};
use crate::error::{Error, Result};
use crate::kpi::run::QueryFailure;
use crate::ops::stopwatch::Stopwatch;
use crate::ops::{atomic, run_dirs};
use crate::report::manifest::{Manifest, ManifestParam};
use crate::report::writer;
use chrono::Utc;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The step of a run whose folder has been published.
pub(super) const PUBLISHED: &str = "published";

/// What a run has gathered so far: enough to record it even when it stops early.
pub(super) struct Attempt {
    pub started_at: chrono::DateTime<Utc>,
    pub clock: Instant,
    /// The step running now (named in the record of a run that stopped).
    pub step: &'static str,
    pub warnings: Vec<String>,
    pub fingerprint: String,
    /// Query file → SHA-256 of its SQL.
    pub queries: std::collections::BTreeMap<String, String>,
    /// Row accounting of the tables read, once they are.
    pub inputs: Vec<TableReport>,
    /// The seed the analyses use, once the parameters are resolved.
    pub seed: Option<u64>,
    pub stopwatch: Stopwatch,
}

impl Attempt {
    /// An attempt starting now, at the lock.
    pub fn start() -> Self {
        Attempt {
            started_at: Utc::now(),
            clock: Instant::now(),
            step: "lock",
            warnings: Vec::new(),
            fingerprint: String::new(),
            queries: Default::default(),
            inputs: Vec::new(),
            seed: None,
            stopwatch: Stopwatch::new(),
        }
    }
}

/// Publishes the record of a run that stopped before its results: a folder
/// `<as-of>.failed-<n>/` holding its manifest (status `failed`, the error, the step it
/// stopped in, the rows read so far).
pub(super) fn record_stopped(
    settings: &Settings,
    opts: &RunOptions,
    attempt: &Attempt,
    error: &Error,
) -> Result<PathBuf> {
    let dir = run_dirs::next_failed_folder(&opts.out, opts.as_of);
    let staging = atomic::staging_for(&dir);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    let text = format!("{error:#}");
    let failure = QueryFailure {
        use_case: attempt.step.to_string(),
        file: error.file().unwrap_or_default().to_string(),
        error: text.clone(),
    };
    let mut manifest = base_manifest(settings, opts, attempt);
    manifest.status = "failed".into();
    manifest.error = Some(text);
    manifest.failures = vec![failure];
    writer::write_manifest(&staging, &manifest)?;
    atomic::replace_dir(&staging, &dir)?;
    Ok(dir)
}

/// The manifest of `run_dir` when it records a successful run with `fingerprint`.
pub(super) fn up_to_date(run_dir: &Path, fingerprint: &str) -> Option<Manifest> {
    let text = std::fs::read_to_string(run_dir.join("manifest.json")).ok()?;
    let m: Manifest = serde_json::from_str(&text).ok()?;
    (m.status == "ok" && m.fingerprint == fingerprint).then_some(m)
}

/// The manifest of a run from what it gathered: settings, inputs read, steps timed and
/// warnings; outputs, failures and what could not be measured are filled in by the caller.
pub(super) fn base_manifest(settings: &Settings, opts: &RunOptions, attempt: &Attempt) -> Manifest {
    let p = &settings.parameters;
    let day = |name: &str| p.date(name).map(|d| d.to_string()).unwrap_or_default();
    let secs = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Before the parameters are resolved (a run that stopped early), the seed as given.
    let seed = attempt
        .seed
        .or_else(|| RunParams::resolve(p).ok().map(|r| r.seed))
        .map_or(0, |s| s as i64);
    Manifest {
        misura_version: env!("CARGO_PKG_VERSION").to_string(),
        status: "failed".into(),
        error: None,
        as_of: opts.as_of.to_string(),
        fingerprint: attempt.fingerprint.clone(),
        started_at: secs(attempt.started_at),
        finished_at: secs(Utc::now()),
        duration_ms: attempt.clock.elapsed().as_secs_f64() * 1e3,
        data: match &settings.data {
            DataSource::EmbeddedSample => crate::sample::DISPLAY.to_string(),
            DataSource::Dir(d) => d.display().to_string(),
        },
        config: settings
            .config_path
            .as_ref()
            .map(|p| p.display().to_string()),
        currency: settings.currency.clone(),
        on_invalid: format!("{:?}", settings.on_invalid).to_lowercase(),
        window: (day("window_start"), day("window_end")),
        seed,
        parameters: p
            .iter()
            .map(|(k, v, s)| {
                (
                    k.to_string(),
                    ManifestParam {
                        value: v.clone(),
                        source: s,
                    },
                )
            })
            .collect(),
        rejected: attempt
            .inputs
            .iter()
            .map(|r| (r.table.to_string(), r.rows_rejected))
            .collect(),
        inputs: reports_by_table(&attempt.inputs)
            .into_values()
            .cloned()
            .collect(),
        outputs: Vec::new(),
        not_measurable: Vec::new(),
        hidden_use_cases: Vec::new(),
        failures: Vec::new(),
        timings_ms: attempt.stopwatch.timings_ms.clone(),
        peak_rss_mb: attempt.stopwatch.peak_rss_mb.clone(),
        warnings: attempt.warnings.clone(),
        alerts: None,
        queries: attempt.queries.clone(),
    }
}

//! `misura status`: every recorded run of an output directory, newest first — successful
//! (`<as-of>/`) and failed (`<as-of>.failed-<n>/`, including runs stopped by invalid data or
//! an unreadable file) — with outcome, whole-run wall time, rows, what failed; and whether a
//! run is going on now. As a table for people or JSON for machines.

use super::output::line;
use crate::error::Result;
use crate::logging::LogFormat;
use crate::ops::run_dirs::{self, RunFolder};
use crate::report::writer::read_manifest;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `misura status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Output root to inspect
    #[arg(
        long,
        env = "MISURA_OUT",
        default_value = "reports",
        value_name = "DIR"
    )]
    out: PathBuf,
    /// How many runs to list
    #[arg(long, default_value_t = 10)]
    last: usize,
    /// table (for people) or json (one document, for machines) [default: json when
    /// --log-format json, else table]
    #[arg(long, value_enum)]
    format: Option<StatusFormat>,
}

/// How `misura status` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusFormat {
    /// Aligned columns.
    Table,
    /// One JSON document: `{"running_now": pid|null, "latest": name|null, "runs": [...]}`.
    Json,
}

/// One run as `misura status` reports it.
#[derive(Debug, Clone, Serialize)]
struct RunLine {
    /// Folder name (`2026-03-01` or `2026-03-01.failed-2`).
    run: String,
    as_of: String,
    /// `ok`, `failed`, or `?` when the manifest cannot be read.
    status: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    /// The whole run's wall time.
    seconds: Option<f64>,
    rows_read: u64,
    rows_rejected: u64,
    kpi_values: u64,
    /// What failed: use cases, models, or the stage the run stopped in.
    failed: Vec<String>,
    /// Why a run stopped before its results (invalid data, an unreadable file).
    error: Option<String>,
    /// `latest` points here.
    latest: bool,
    /// 0 for the successful folder, n for `<as-of>.failed-<n>` (orders attempts of one day).
    #[serde(skip)]
    attempt: u32,
}

fn describe(f: &RunFolder, latest: Option<&str>) -> RunLine {
    let name = f.name();
    let mut line = RunLine {
        latest: latest == Some(name.as_str()),
        run: name,
        as_of: f.as_of.to_string(),
        status: "?".into(),
        started_at: None,
        finished_at: None,
        seconds: None,
        rows_read: 0,
        rows_rejected: 0,
        kpi_values: 0,
        failed: Vec::new(),
        error: Some("no readable manifest.json".into()),
        attempt: f.failed_attempt.unwrap_or(0),
    };
    let Some(m) = read_manifest(&f.path) else {
        return line;
    };
    let sum = |key: &str| {
        m["inputs"].as_array().map_or(0, |a| {
            a.iter().map(|i| i[key].as_u64().unwrap_or(0)).sum::<u64>()
        })
    };
    let text = |key: &str| m[key].as_str().map(str::to_string);
    let instant = |key: &str| {
        m[key]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    // The manifest's whole-run time; older manifests only have start and end (to the second).
    let seconds = m["duration_ms"].as_f64().map(|ms| ms / 1e3).or_else(|| {
        let (a, b) = (instant("started_at")?, instant("finished_at")?);
        Some((b - a).num_milliseconds() as f64 / 1e3)
    });
    line.status = text("status").unwrap_or_else(|| "?".into());
    line.started_at = text("started_at");
    line.finished_at = text("finished_at");
    line.seconds = seconds;
    line.rows_read = sum("rows_read");
    line.rows_rejected = sum("rows_rejected");
    line.kpi_values = m["outputs"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["path"] == "tables/kpi_values.csv")
        .map_or(0, |o| o["rows"].as_u64().unwrap_or(0));
    line.failed = m["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["use_case"].as_str().unwrap_or("?").to_string())
        .collect();
    line.error = text("error");
    line
}

/// Runs `misura status`: exit 0 when the newest run succeeded, 1 when it failed or none
/// exists.
pub(crate) fn execute(args: StatusArgs, log_format: LogFormat) -> Result<u8> {
    let format = args.format.unwrap_or(match log_format {
        LogFormat::Json => StatusFormat::Json,
        LogFormat::Text => StatusFormat::Table,
    });
    let lock = std::fs::read_to_string(args.out.join(".misura.lock")).unwrap_or_default();
    let running = lock
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
    let latest = std::fs::read_link(args.out.join("latest"))
        .ok()
        .map(|p| p.to_string_lossy().to_string());
    let mut runs: Vec<RunLine> = run_dirs::list(&args.out)
        .iter()
        .map(|f| describe(f, latest.as_deref()))
        .collect();
    // Newest first: by as-of, then by when the attempt started, then by attempt number.
    runs.sort_by(|a, b| {
        (&b.as_of, &b.started_at, b.attempt).cmp(&(&a.as_of, &a.started_at, a.attempt))
    });
    runs.truncate(args.last);
    let code = match runs.first() {
        Some(r) if r.status == "ok" => 0,
        _ => 1,
    };
    match format {
        StatusFormat::Json => {
            let doc = serde_json::json!({
                "out": args.out.display().to_string(),
                "running_now": running,
                "latest": latest,
                "runs": runs,
            });
            line(serde_json::to_string_pretty(&doc).expect("status serialises"))?;
        }
        StatusFormat::Table => table(&args, running, &runs)?,
    }
    Ok(code)
}

fn table(args: &StatusArgs, running: Option<u32>, runs: &[RunLine]) -> Result<()> {
    if let Some(pid) = running {
        line(format!("running now: pid {pid}"))?;
    }
    if runs.is_empty() {
        return line(format!("no run in {}", args.out.display()));
    }
    line(format!(
        "{:<21} {:<7} {:<21} {:>9} {:>11} {:>9} {:>7}  failed",
        "run", "status", "finished_at", "seconds", "rows_read", "rejected", "kpis"
    ))?;
    for r in runs {
        let secs = r.seconds.map_or("".into(), |s| format!("{s:.1}"));
        let mark = if r.latest { " <- latest" } else { "" };
        let mut failed = r.failed.join(", ");
        if let Some(e) = &r.error {
            let first = e.lines().next().unwrap_or_default();
            failed = if failed.is_empty() {
                first.to_string()
            } else {
                format!("{failed}: {first}")
            };
        }
        line(format!(
            "{:<21} {:<7} {:<21} {secs:>9} {:>11} {:>9} {:>7}  {failed}{mark}",
            r.run,
            r.status,
            r.finished_at.as_deref().unwrap_or(""),
            r.rows_read,
            r.rows_rejected,
            r.kpi_values,
        ))?;
    }
    Ok(())
}

//! `misura run`: the main job.

use super::common::DataArgs;
use crate::error::Result;
use crate::pipeline::{self, RunOptions};
use chrono::{NaiveDate, Utc};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `misura run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Output root; the run writes <out>/<as-of>/
    #[arg(
        long,
        env = "MISURA_OUT",
        default_value = "reports",
        value_name = "DIR"
    )]
    out: PathBuf,
    /// Date naming the run folder [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// Extra query directory (SQL + sidecar per KPI set), added to the built-in queries
    #[arg(long, value_name = "DIR")]
    queries: Option<PathBuf>,
}

/// Runs `misura run`.
pub async fn execute(args: RunArgs) -> Result<u8> {
    let settings = args.data.settings()?;
    if args.data.show_settings {
        println!("{}", settings.render());
    }
    let opts = RunOptions {
        out: args.out,
        as_of: args.as_of.unwrap_or_else(|| Utc::now().date_naive()),
        queries: args.queries,
    };
    let summary = pipeline::run(settings, &opts).await?;
    let m = &summary.manifest;
    let read: u64 = m.inputs.iter().map(|i| i.rows_read).sum();
    let rejected: u64 = m.rejected.values().sum();
    eprintln!(
        "misura: {} tables, {read} rows read, {rejected} rejected; window {} to {} (exclusive)",
        m.inputs.len(),
        m.window.0,
        m.window.1
    );
    for f in &m.failures {
        eprintln!(
            "error: use case {} failed: {}: {}",
            f.use_case, f.file, f.error
        );
    }
    for nm in &m.not_measurable {
        let what = nm.kpi.clone().unwrap_or_else(|| nm.use_case.clone());
        eprintln!("note: {what} not measurable: needs {}", nm.needs.join(", "));
    }
    for w in &m.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!("misura: results in {}", summary.run_dir.display());
    Ok(summary.exit_code())
}

//! `misura run`: the main job.

use super::common::DataArgs;
use super::output::line;
use crate::error::Result;
use crate::pipeline::{self, RunOptions};
use chrono::{NaiveDate, Utc};
use clap::Args;
use std::path::PathBuf;
use tracing::{info, warn};

/// Arguments of `misura run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Output root; the run writes <out>/<as-of>/ and points <out>/latest at it
    #[arg(
        long,
        env = "MISURA_OUT",
        default_value = "reports",
        value_name = "DIR"
    )]
    out: PathBuf,
    /// See the data as it stood at the end of this day (rows after it are left out) and
    /// name the run folder after it [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// Extra query directory (SQL + sidecar per KPI set), added to the built-in queries
    #[arg(long, value_name = "DIR")]
    queries: Option<PathBuf>,
    /// Run even if the last successful run for this as-of saw the same inputs, settings and queries
    #[arg(long)]
    force: bool,
    /// Keep only the N newest run folders (the history is never pruned)
    #[arg(long, value_name = "N")]
    keep: Option<usize>,
    /// Replace contact ids in contact-level tables (clv) by keyed pseudonyms, so the files
    /// can be shared; the key comes from MISURA_PSEUDONYMIZE_KEY (>= 16 bytes)
    #[arg(long)]
    pseudonymize: bool,
    /// Memory budget of the run's queries, e.g. 2GB: sorts and aggregations spill to disk
    /// beyond it instead of growing; hash joins cannot (the loaded tables are not counted)
    #[arg(long, env = "MISURA_MEMORY_LIMIT", value_name = "SIZE", value_parser = crate::engine::parse_size)]
    memory_limit: Option<usize>,
    /// Directory for spill files [default: the system temp dir]
    #[arg(long, value_name = "DIR")]
    spill_dir: Option<PathBuf>,
    /// Run the KPI SQL on a Ballista cluster (see `misura cluster`)
    #[arg(long, env = "MISURA_CLUSTER", value_name = "df://HOST:PORT", value_parser = crate::cluster::ClusterOptions::parse_url)]
    cluster: Option<String>,
    /// Directory every executor reads at the same path, for the tables handed to the
    /// cluster [default: <out>/.cluster, right when the executors run on this machine]
    #[arg(long, value_name = "DIR", requires = "cluster")]
    cluster_share: Option<PathBuf>,
    /// Seconds a use case's query may take on the cluster before it fails (a lost executor
    /// is re-run within ~20 s; this bounds the wait when its work cannot be)
    #[arg(long, value_name = "SECS", default_value_t = 600, requires = "cluster")]
    cluster_query_timeout: u64,
    /// Print the report to report.pdf with a headless Chromium: `auto` when one is found
    /// (MISURA_CHROMIUM, else chromium or google-chrome on PATH), `off` never
    #[arg(long, env = "MISURA_PDF", value_name = "WHEN", default_value = "auto", value_parser = ["auto", "off"])]
    pdf: String,
    /// Exit with code 4 when an alert fired (the run itself succeeded), for schedulers
    #[arg(long)]
    fail_on_alert: bool,
    /// When an alert fired, run this shell command with the alerts file's path as $1 (and in
    /// MISURA_ALERTS), e.g. 'mail -s "misura alerts" ops@example.com < "$1"'
    #[arg(long, value_name = "CMD")]
    on_alert: Option<String>,
}

/// The exit code of a successful run in which an alert fired, under `--fail-on-alert`.
pub(crate) const ALERT_EXIT: u8 = 4;

/// Runs the `--on-alert` hook with the alerts file; its failure is logged, never fatal.
fn run_hook(cmd: &str, alerts: &std::path::Path) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .arg("misura-on-alert")
        .arg(alerts)
        .env("MISURA_ALERTS", alerts)
        .stdin(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => info!(stage = "alerts", "--on-alert command ran"),
        Ok(s) => tracing::error!(
            stage = "alerts",
            "--on-alert command failed ({s}): the alerts are in {}",
            alerts.display()
        ),
        Err(e) => tracing::error!(
            stage = "alerts",
            "--on-alert command could not start ({e}): the alerts are in {}",
            alerts.display()
        ),
    }
}

/// Runs `misura run`.
pub(crate) async fn execute(args: RunArgs) -> Result<u8> {
    let settings = args.data.settings()?;
    if args.data.show_settings {
        // The settings are a courtesy: a reader that closed the pipe does not stop the run.
        if let Err(e) = line(settings.render())
            && !super::output::is_closed_pipe(&e)
        {
            return Err(e);
        }
    }
    let opts = RunOptions {
        out: args.out,
        as_of: args.as_of.unwrap_or_else(|| Utc::now().date_naive()),
        queries: args.queries,
        force: args.force,
        keep: args.keep,
        pseudonymize: if args.pseudonymize {
            let env = std::env::vars().collect();
            Some(crate::report::pseudonym::Pseudonymizer::from_env(&env)?)
        } else {
            None
        },
        engine: crate::engine::EngineOptions {
            memory_limit: args.memory_limit,
            spill_dir: args.spill_dir,
        },
        cluster: args.cluster.map(|url| crate::cluster::ClusterOptions {
            url,
            share_dir: args.cluster_share,
            query_timeout: std::time::Duration::from_secs(args.cluster_query_timeout),
        }),
        pdf: if args.pdf == "off" {
            crate::report::pdf::Pdf::Off
        } else {
            crate::report::pdf::Pdf::Auto
        },
    };
    let summary = pipeline::run(settings, &opts).await?;
    let m = &summary.manifest;
    let fired = m.alerts.as_ref().map_or(0, |a| a.fired);
    let alert_code = |code: u8| {
        if code == 0 && fired > 0 && args.fail_on_alert {
            ALERT_EXIT
        } else {
            code
        }
    };
    if summary.skipped {
        info!(
            "up to date: {} already holds this as-of's results (--force reruns)",
            summary.run_dir.display()
        );
        return Ok(alert_code(0));
    }
    let read: u64 = m.inputs.iter().map(|i| i.rows_read).sum();
    let rejected: u64 = m.rejected.values().sum();
    info!(
        rows = read,
        rejected,
        "{} tables, {read} rows read, {rejected} rejected; window {} to {} (exclusive)",
        m.inputs.len(),
        m.window.0,
        m.window.1
    );
    for nm in &m.not_measurable {
        let what = nm.kpi.clone().unwrap_or_else(|| nm.use_case.clone());
        info!(use_case = %nm.use_case, "{what} not measurable: needs {}", nm.needs.join(", "));
    }
    for w in &m.warnings {
        warn!("{w}");
    }
    info!(status = %m.status, "results in {}", summary.run_dir.display());
    if fired > 0 {
        let path = summary.run_dir.join("alerts.json");
        warn!(
            stage = "alerts",
            fired,
            "{fired} alert(s) fired: {}",
            path.display()
        );
        if let Some(cmd) = &args.on_alert {
            run_hook(cmd, &path);
        }
    }
    Ok(alert_code(summary.exit_code()))
}

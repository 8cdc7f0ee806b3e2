//! Command-line interface (clap derive): one file per subcommand. [`main`] parses, runs and
//! maps the outcome to the exit code documented in `--help`.

mod check;
mod cluster;
mod common;
mod diff;
mod generate;
mod impact;
mod output;
mod plan;
mod run;
mod serve;
mod sql;
mod status;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes:
  0  success (also: nothing to do, the last run for this as-of is up to date)
  1  the run completed but data checks or a use case failed (see the message / manifest.json)
  2  usage, configuration or environment error
  3  another run holds the output directory's lock
  4  run --fail-on-alert: the run succeeded and an alert fired (see <run>/alerts.json)
  5  diff: the two runs cannot be compared (the message says why)

Examples:
  misura run                                   # the embedded sample, into reports/<today>/
  misura run --data exports/ --param brand=acme
  misura check --data exports/ --show-settings
  misura generate --scale 0.01 --seed 7 --out /tmp/acme
  misura run --data /srv/exports --out /srv/misura --keep 30 --log-format json   # nightly
  misura status --out /srv/misura
  MISURA_PG_PASSWORD=… misura serve --run reports/latest --port 5433
  misura run --memory-limit 2GB                # spill to disk beyond 2 GiB of query memory
  misura cluster scheduler & misura cluster executor & misura run --cluster df://localhost:50050
  misura plan --baseline 0.12 --mde 0.01 --eligible-per-week 4000   # a holdout's size and length
  misura run --fail-on-alert --on-alert 'mail -s \"misura alerts\" ops@example.com < \"$1\"'
  misura diff reports/2026-11-21 reports/latest --format markdown
  misura sql --run reports/latest -e \"SELECT kpi, value FROM kpi_values WHERE period = 'all'\"";

/// misura: measurement and ROI engine for Social CRM.
#[derive(Debug, Parser)]
#[command(name = "misura", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines on stderr: text (default) or json (one object per line, for log collectors)
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "MISURA_LOG_FORMAT"
    )]
    log_format: crate::logging::LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read, validate and measure the data; write tables and a manifest into <out>/<as-of>/.
    Run(run::RunArgs),
    /// Validate the configuration and the data without computing anything.
    Check(check::CheckArgs),
    /// Write a synthetic company's data with planted truth (truth.json).
    Generate(generate::GenerateArgs),
    /// List the runs of an output directory: outcome, duration, rows, failures.
    Status(status::StatusArgs),
    /// Query the data, the KPI views and a run's tables with SQL (read-only).
    Sql(sql::SqlArgs),
    /// Serve the same SQL over the PostgreSQL protocol (psql, Python, BI tools; read-only).
    Serve(serve::ServeArgs),
    /// Run the processes of a Ballista cluster (scheduler, executor) for `run --cluster`.
    Cluster(cluster::ClusterArgs),
    /// What a launch did, against a counterfactual: BSTS (CausalImpact) on one series, or a
    /// synthetic control on a panel of units.
    Impact(impact::ImpactArgs),
    /// How many contacts and weeks a two-arm holdout test needs to detect a given lift.
    Plan(plan::PlanArgs),
    /// What changed between two runs and why: inputs, parameters, queries, then every KPI
    /// and ROI that moved, furthest beyond its noise first.
    Diff(diff::DiffArgs),
}

/// Parses the command line, runs it and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::logging::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run::execute(args).await,
            Command::Check(args) => check::execute(args).await,
            Command::Generate(args) => generate::execute(args),
            Command::Status(args) => status::execute(args, cli.log_format),
            Command::Sql(args) => sql::execute(args).await,
            Command::Serve(args) => serve::execute(args).await,
            Command::Cluster(args) => cluster::execute(args).await,
            Command::Impact(args) => impact::execute(args),
            Command::Plan(args) => plan::execute(args),
            Command::Diff(args) => diff::execute(args),
        }
    });
    match outcome {
        Ok(code) => ExitCode::from(code),
        // The reader of stdout went away (`misura check | head`): a normal end.
        Err(e) if output::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(exit_code = e.exit_code(), "{e:#}");
            ExitCode::from(e.exit_code())
        }
    }
}

//! Command-line interface (clap derive): one file per subcommand. [`main`] parses, runs and
//! maps the outcome to the exit code documented in `--help`.

mod check;
mod common;
mod generate;
mod run;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  the run completed but data checks or a use case failed (see the message / manifest.json)
  2  usage, configuration or environment error

Examples:
  misura run                                   # the embedded sample, into reports/<today>/
  misura run --data exports/ --param brand=acme
  misura check --data exports/ --show-settings
  misura generate --scale 0.01 --seed 7 --out /tmp/acme";

/// misura: measurement and ROI engine for Social CRM.
#[derive(Debug, Parser)]
#[command(name = "misura", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read, validate and measure the data; write tables and a manifest into <out>/<as-of>/.
    Run(run::RunArgs),
    /// Validate the configuration and the data without computing anything.
    Check(check::CheckArgs),
    /// Write a synthetic company's data with planted truth (truth.json).
    Generate(generate::GenerateArgs),
}

/// Parses the command line, runs it and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
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
        }
    });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(e.exit_code())
        }
    }
}

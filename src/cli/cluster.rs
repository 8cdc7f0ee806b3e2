//! `misura cluster scheduler|executor`: the processes of a Ballista cluster, so that runs
//! can use `misura run --cluster df://HOST:PORT`.

use crate::cluster::process::{self, ExecutorOptions, SchedulerOptions};
use crate::error::{Error, Result};
use clap::{Args, Subcommand};
use tracing::info;

/// Arguments of `misura cluster`.
#[derive(Debug, Args)]
pub(crate) struct ClusterArgs {
    #[command(subcommand)]
    command: ClusterCommand,
}

#[derive(Debug, Subcommand)]
enum ClusterCommand {
    /// Run a Ballista scheduler (one per cluster) until stopped.
    Scheduler {
        /// Address to listen on (use 0.0.0.0:50050 for executors on other machines)
        #[arg(long, default_value = "127.0.0.1:50050", value_name = "HOST:PORT")]
        bind: String,
        /// Host name executors and clients reach this scheduler by
        #[arg(long, default_value = "localhost", value_name = "HOST")]
        external_host: String,
    },
    /// Run a Ballista executor that works for a scheduler, until stopped.
    Executor(ExecutorOptions),
}

/// Runs `misura cluster …`; returns only when the process is stopped or fails.
pub(crate) async fn execute(args: ClusterArgs) -> Result<u8> {
    match args.command {
        ClusterCommand::Scheduler {
            bind,
            external_host,
        } => {
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .map_err(|e| Error::Usage {
                    problem: format!("cannot listen on {bind}: {e} (is another scheduler running there? choose another --bind)"),
                })?;
            info!(
                "Ballista scheduler listening on {bind}; runs use --cluster df://{external_host}:{}",
                bind.rsplit(':').next().unwrap_or("50050")
            );
            process::run_scheduler(listener, &SchedulerOptions { external_host }).await?;
        }
        ClusterCommand::Executor(opts) => {
            info!(
                "Ballista executor on {}:{} working for scheduler {}:{}",
                opts.bind_host, opts.port, opts.scheduler.0, opts.scheduler.1
            );
            process::run_executor(&opts).await?;
        }
    }
    Ok(0)
}

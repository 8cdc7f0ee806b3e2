//! `misura cluster scheduler|executor`: the processes of a Ballista cluster, so that runs
//! can use `misura run --cluster df://HOST:PORT`.

use crate::cluster::process::{self, ExecutorOptions, SchedulerOptions};
use crate::error::{Error, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use tracing::info;

/// Arguments of `misura cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
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
    Executor {
        /// The scheduler
        #[arg(long, default_value = "localhost:50050", value_name = "HOST:PORT")]
        scheduler: String,
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
        bind_host: String,
        /// Host name the scheduler and clients reach this executor by [default: the bind host]
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
        /// Arrow Flight port (task results); one executor per port on a machine
        #[arg(long, default_value_t = 50051)]
        port: u16,
        /// gRPC port (calls from the scheduler)
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks at once [default: one per core]
        #[arg(long, default_value_t = 0, value_name = "N")]
        concurrent_tasks: usize,
        /// Directory for shuffle files [default: a temporary directory]
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
        /// Memory budget of the executor, shared by its tasks (spills beyond it), e.g. 4GB
        #[arg(long, value_name = "SIZE", value_parser = crate::engine::parse_size)]
        memory_limit: Option<usize>,
    },
}

/// Runs `misura cluster …`; returns only when the process is stopped or fails.
pub async fn execute(args: ClusterArgs) -> Result<u8> {
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
        ClusterCommand::Executor {
            scheduler,
            bind_host,
            external_host,
            port,
            grpc_port,
            concurrent_tasks,
            work_dir,
            memory_limit,
        } => {
            let (host, sched_port) = scheduler
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
                .ok_or_else(|| Error::Usage {
                    problem: format!(
                        "--scheduler `{scheduler}`: write HOST:PORT, e.g. localhost:50050"
                    ),
                })?;
            info!("Ballista executor on {bind_host}:{port} working for scheduler {scheduler}");
            process::run_executor(&ExecutorOptions {
                scheduler_host: host,
                scheduler_port: sched_port,
                bind_host,
                external_host,
                port,
                grpc_port,
                concurrent_tasks,
                work_dir,
                memory_limit,
            })
            .await?;
        }
    }
    Ok(0)
}

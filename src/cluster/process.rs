//! The cluster's processes, wrapped so one `misura` binary is all a machine needs:
//! `misura cluster scheduler` (the Ballista scheduler, gRPC on one port) and
//! `misura cluster executor` (an executor that registers with a scheduler, runs tasks and
//! serves their results over Arrow Flight). Both run until stopped (Ctrl-C or SIGTERM).

use crate::error::{Error, Result};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::execution::SessionStateBuilder;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Seconds between an executor's heartbeats to its scheduler (Ballista's default is 60).
pub(crate) const HEARTBEAT_SECS: u64 = 3;
/// Seconds without a heartbeat after which the scheduler declares an executor lost, re-runs
/// its tasks on the others and re-computes the shuffle output it held (Ballista's default is
/// 180, during which a run whose executor died waits in silence).
pub(crate) const EXECUTOR_TIMEOUT_SECS: u64 = 15;

/// A scheduler's settings.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Host name executors and clients use to reach this scheduler.
    pub external_host: String,
}

/// An executor's settings (also `misura cluster executor`'s arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct ExecutorOptions {
    /// The scheduler
    #[arg(long, default_value = "localhost:50050", value_name = "HOST:PORT", value_parser = host_port)]
    pub scheduler: (String, u16),
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    pub bind_host: String,
    /// Host name the scheduler and clients reach this executor by [default: the bind host]
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,
    /// Arrow Flight port (task results); one executor per port on a machine
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// gRPC port (calls from the scheduler)
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Tasks at once [default: one per core]
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub concurrent_tasks: usize,
    /// Directory for shuffle files [default: a temporary directory]
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Memory budget of the executor, shared by its tasks (spills beyond it), e.g. 4GB
    #[arg(long, value_name = "SIZE", value_parser = crate::engine::parse_size)]
    pub memory_limit: Option<usize>,
}

/// Eight hex digits from the clock and the process id: tells two lives of one executor apart.
fn instance_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    format!(
        "{:08x}",
        (nanos ^ (u64::from(std::process::id()) << 20)) as u32
    )
}

/// `HOST:PORT` → (host, port).
fn host_port(s: &str) -> std::result::Result<(String, u16), String> {
    s.rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
        .filter(|(h, _)| !h.is_empty())
        .ok_or_else(|| format!("`{s}`: write HOST:PORT, e.g. localhost:50050"))
}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Cluster {
        url: what.to_string(),
        problem: e.to_string(),
    }
}

/// Serves a scheduler on `listener` until the process is stopped.
pub async fn run_scheduler(listener: TcpListener, opts: &SchedulerOptions) -> Result<()> {
    let addr = listener.local_addr().map_err(|e| failed("scheduler", e))?;
    let config = SchedulerConfig {
        external_host: opts.external_host.clone(),
        bind_host: addr.ip().to_string(),
        bind_port: addr.port(),
        // A killed executor is noticed within EXECUTOR_TIMEOUT_SECS + 2 s: its tasks run
        // again on the executors left; with none left, the running jobs fail after the same
        // grace instead of waiting for one to come back.
        executor_timeout_seconds: EXECUTOR_TIMEOUT_SECS,
        expire_dead_executor_interval_seconds: 2,
        no_executors_grace_period_seconds: EXECUTOR_TIMEOUT_SECS,
        ..SchedulerConfig::default()
    };
    let what = format!("scheduler on {addr}");
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| failed(&what, e))?;
    let scheduler =
        create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, Arc::new(config))
            .await
            .map_err(|e| failed(&what, e))?;
    start_grpc_service_with_listener(listener, scheduler)
        .await
        .map_err(|e| failed(&what, e))
}

/// Runs an executor until the process is stopped or the scheduler tells it to.
pub async fn run_executor(opts: &ExecutorOptions) -> Result<()> {
    let host = opts
        .external_host
        .clone()
        .unwrap_or_else(|| opts.bind_host.clone());
    let mut config = ExecutorProcessConfig {
        // Named by where it listens (what the scheduler's messages about a lost executor
        // show), with a fresh suffix so a restarted executor is a new one.
        executor_id: format!("{host}:{}-{}", opts.port, &instance_suffix()),
        executor_heartbeat_interval_seconds: HEARTBEAT_SECS,
        scheduler_host: opts.scheduler.0.clone(),
        scheduler_port: opts.scheduler.1,
        bind_host: opts.bind_host.clone(),
        external_host: opts.external_host.clone(),
        port: opts.port,
        grpc_port: opts.grpc_port,
        work_dir: opts.work_dir.as_ref().map(|d| d.display().to_string()),
        memory_pool_size: opts.memory_limit.map(|b| b as u64),
        // Every function a local session knows (the default registry lacks the nested
        // ones, e.g. UC03's generate_series over columns).
        override_function_registry: Some(Arc::new(BallistaFunctionRegistry::from(
            &SessionStateBuilder::new().with_default_features().build(),
        ))),
        override_execution_engine: Some(Arc::new(super::stage::WithoutOperatorMetrics::default())),
        ..ExecutorProcessConfig::default()
    };
    if opts.concurrent_tasks > 0 {
        config.vcores = opts.concurrent_tasks;
    }
    let what = format!(
        "executor for scheduler {}:{}",
        opts.scheduler.0, opts.scheduler.1
    );
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| failed(&what, e))
}

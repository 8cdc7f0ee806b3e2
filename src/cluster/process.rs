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

/// A scheduler's settings.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Host name executors and clients use to reach this scheduler.
    pub external_host: String,
}

/// An executor's settings.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Address the executor listens on.
    pub bind_host: String,
    /// Host name the scheduler and clients use to reach this executor.
    pub external_host: Option<String>,
    /// Arrow Flight port (task results).
    pub port: u16,
    /// gRPC port (the scheduler's calls).
    pub grpc_port: u16,
    /// Tasks run at once (0: one per core).
    pub concurrent_tasks: usize,
    /// Shuffle files; a temporary directory when absent.
    pub work_dir: Option<PathBuf>,
    /// Memory budget of the executor in bytes, shared by its task slots.
    pub memory_limit: Option<usize>,
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
    let mut config = ExecutorProcessConfig {
        scheduler_host: opts.scheduler_host.clone(),
        scheduler_port: opts.scheduler_port,
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
        opts.scheduler_host, opts.scheduler_port
    );
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| failed(&what, e))
}

//! Distributed execution on Apache Ballista: the KPI SQL of a run executed by a Ballista
//! scheduler and its executors instead of in process (`misura run --cluster df://HOST:PORT`),
//! and the scheduler and executor processes themselves (`misura cluster scheduler|executor`).
//!
//! What runs where: the run reads and validates its inputs locally (rejects and row
//! accounting stay exact), writes the validated tables as Parquet into a directory every
//! executor can read at the same path ([`share`]), registers them in a Ballista session and
//! runs the use-case queries there, unchanged. Models that are not SQL (attribution,
//! bootstrap, CLV fits) and the report run locally on the results. The same SQL on the same
//! rows: `kpi_values` equals the local run's (asserted by the integration test).

pub mod process;
pub mod share;
pub mod stage;

use crate::error::{Error, Result};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::path::PathBuf;

/// Where the cluster is and how to hand it the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterOptions {
    /// The scheduler, `df://HOST:PORT`.
    pub url: String,
    /// A directory every executor reads at the same path (shared disk); `None`: a folder
    /// under the output directory (right for a cluster on this machine).
    pub share_dir: Option<PathBuf>,
    /// The longest a use case's query may take on the cluster before it fails: a bound on
    /// the wait when executors are lost and their work cannot be re-run.
    pub query_timeout: std::time::Duration,
}

impl ClusterOptions {
    /// Checks the address's form: `df://HOST:PORT`.
    pub fn parse_url(s: &str) -> std::result::Result<String, String> {
        let rest = s
            .strip_prefix("df://")
            .ok_or_else(|| format!("`{s}`: a Ballista scheduler is addressed as df://HOST:PORT (e.g. df://localhost:50050)"))?;
        let (host, port) = rest.rsplit_once(':').ok_or_else(|| {
            format!(
                "`{s}`: the port is missing (df://HOST:PORT, the scheduler's default port is 50050)"
            )
        })?;
        if host.is_empty() {
            return Err(format!("`{s}`: the host is missing (df://HOST:PORT)"));
        }
        port.parse::<u16>()
            .map_err(|_| format!("`{s}`: `{port}` is not a port number"))?;
        Ok(s.to_string())
    }
}

/// How long the first query may take before the cluster is reported as not working.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A session on the Ballista scheduler at `url`, configured as misura's local sessions
/// are, and checked to answer.
pub async fn connect(url: &str) -> Result<SessionContext> {
    let mut config = SessionConfig::new_with_ballista().with_information_schema(true);
    // As in `catalog::new_session`: canonical tables hold Utf8, keep SQL casts in that type.
    config.options_mut().sql_parser.map_string_types_to_utf8view = false;
    // No broadcast (CollectLeft) hash joins: on Ballista 55 every task of a broadcast LEFT or
    // FULL join emits the build side's unmatched rows, so they come out once per task
    // (datafusion-ballista#1055). Joins are repartitioned on their keys instead. (Ballista's
    // adaptive planner stays on: turned off, the static planner multiplied UC18's rows; its
    // own defect, a repeated subtree answered twice, is avoided in the SQL — docs/cluster.md,
    // "Distributed runs on Apache Ballista".)
    let options = config.options_mut();
    options.optimizer.hash_join_single_partition_threshold = 0;
    options.optimizer.hash_join_single_partition_threshold_rows = 0;
    for key in [
        ballista_core::config::BALLISTA_BROADCAST_JOIN_THRESHOLD_BYTES,
        ballista_core::config::BALLISTA_BROADCAST_JOIN_THRESHOLD_ROWS,
    ] {
        config = config.set_u64(key, 0);
    }
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    let fail = |what: &str, e: datafusion::error::DataFusionError| Error::Cluster {
        url: url.to_string(),
        problem: format!(
            "{what}: {e}\n  is a scheduler running there? Start one with `misura cluster scheduler` and at least one `misura cluster executor` (docs/cluster.md, \"Distributed runs on Apache Ballista\")"
        ),
    };
    let ctx = SessionContext::remote_with_state(url, state)
        .await
        .map_err(|e| fail("cannot open a session", e))?;
    let probe = ctx
        .sql("SELECT 1")
        .await
        .map_err(|e| fail("cannot plan a query", e))?
        .collect();
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(answer) => answer.map_err(|e| fail("the cluster did not answer a query", e))?,
        Err(_) => {
            return Err(Error::Cluster {
                url: url.to_string(),
                problem: format!(
                    "the scheduler took no query within {} s: does it have an executor? Start one with `misura cluster executor --scheduler HOST:PORT`",
                    PROBE_TIMEOUT.as_secs()
                ),
            });
        }
    };
    Ok(ctx)
}

/// The scheduler's count of alive executors, read from its `/readyz` endpoint (served on the
/// scheduler's port beside gRPC): what the KPI step compares before and after each query.
pub(crate) struct ExecutorWatch {
    /// `host:port` of the scheduler.
    addr: String,
}

impl ExecutorWatch {
    /// A watch on the scheduler at `url` (`df://HOST:PORT`).
    pub fn new(url: &str) -> Self {
        ExecutorWatch {
            addr: url.trim_start_matches("df://").to_string(),
        }
    }

    async fn readyz(&self) -> std::io::Result<String> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&self.addr).await?;
        let host = self
            .addr
            .rsplit_once(':')
            .map_or(self.addr.as_str(), |(h, _)| h);
        stream
            .write_all(
                format!("GET /readyz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
        let mut text = String::new();
        stream.read_to_string(&mut text).await?;
        Ok(text)
    }
}

/// The count in a `/readyz` answer: `ready: N executors registered` or `not ready: N/M …`.
fn alive_in(answer: &str) -> Option<usize> {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or(answer);
    let rest = body
        .trim()
        .strip_prefix("ready: ")
        .or_else(|| body.trim().strip_prefix("not ready: "))?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[async_trait::async_trait]
impl crate::kpi::run::Executors for ExecutorWatch {
    async fn alive(&self) -> Option<usize> {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(5), self.readyz())
            .await
            .ok()?
            .ok()?;
        alive_in(&answer)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn readyz_answers_are_read() {
        let ok =
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nready: 2 executors registered\n";
        assert_eq!(super::alive_in(ok), Some(2));
        let not = "HTTP/1.1 503 Service Unavailable\r\n\r\nnot ready: 0/1 executors registered\n";
        assert_eq!(super::alive_in(not), Some(0));
        assert_eq!(super::alive_in("HTTP/1.1 404 Not Found\r\n\r\n"), None);
    }
}

//! `misura serve`: the SQL catalog over the PostgreSQL wire protocol (read-only).

use super::common::DataArgs;
use crate::error::{Error, Result};
use crate::sql::server::{self, AuthMethod, ServeOptions};
use crate::sql::{SqlSession, follow};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `misura serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Also serve the output tables of this run folder (e.g. reports/latest), following it:
    /// each newly published run is served from the next query on, without a restart
    #[arg(long, value_name = "RUN_DIR")]
    run: Option<PathBuf>,
    /// How often the --run folder is looked at for a new run, in seconds (0: never)
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    reload_interval: f64,
    /// Address to listen on; anything but loopback requires a password
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0 = any free port, printed at start)
    #[arg(long, default_value_t = 5433)]
    port: u16,
    /// The user name clients log in with (database name: misura)
    #[arg(long, default_value = "misura")]
    user: String,
    /// File holding the password (first line) [default: the MISURA_PG_PASSWORD environment variable; never on the command line]
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// How the password is checked
    #[arg(long, value_enum, default_value = "scram")]
    auth: AuthMethod,
    /// TLS certificate chain (PEM); with --tls-key
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Longest a query may run, in seconds (it is cancelled after)
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    query_timeout: f64,
    /// Memory the server's queries may use together, e.g. 2GB or 512MB: sorts and grouped
    /// aggregations spill beyond it, a query that cannot fails alone (SQLSTATE 53200).
    /// Default: a quarter of the machine's memory, at most 4 GiB
    #[arg(long, value_name = "SIZE", value_parser = crate::engine::parse_size)]
    memory_limit: Option<usize>,
    /// Most concurrent connections (psql's Ctrl-C uses one more for a moment)
    #[arg(long, default_value_t = 32)]
    max_connections: usize,
}

fn password(args: &ServeArgs) -> Result<Option<String>> {
    if let Some(file) = &args.password_file {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
        return Ok(Some(text.lines().next().unwrap_or("").to_string()));
    }
    Ok(std::env::var("MISURA_PG_PASSWORD").ok())
}

/// Runs `misura serve` until the process is stopped.
pub(crate) async fn execute(args: ServeArgs) -> Result<u8> {
    if args.query_timeout.is_nan() || args.query_timeout <= 0.0 {
        return Err(Error::Usage {
            problem: "--query-timeout must be a positive number of seconds".into(),
        });
    }
    if args.reload_interval.is_nan() || args.reload_interval < 0.0 {
        return Err(Error::Usage {
            problem: "--reload-interval must be 0 (never) or a positive number of seconds".into(),
        });
    }
    let settings = args.data.settings()?;
    let catalog = SqlSession::open(&mut settings.clone(), args.run.as_deref()).await?;
    let serving = match &args.run {
        Some(run) => follow::label(run),
        None => "the data only (no --run)".to_string(),
    };
    let memory_limit = match args.memory_limit {
        Some(bytes) => {
            tracing::info!(
                budget_mb = bytes / (1024 * 1024),
                "memory budget of the queries: --memory-limit"
            );
            bytes
        }
        None => {
            let (bytes, total) = crate::engine::memory::default_server_budget();
            tracing::info!(
                budget_mb = bytes / (1024 * 1024),
                machine_mb = total.map(|t| t / (1024 * 1024)),
                "memory budget of the queries: a quarter of the machine's memory, at most 4 GiB (--memory-limit changes it)"
            );
            bytes
        }
    };
    let opts = ServeOptions {
        host: args.host.clone(),
        port: args.port,
        user: args.user.clone(),
        password: password(&args)?,
        auth: args.auth,
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        query_timeout: Duration::from_secs_f64(args.query_timeout),
        memory_limit: Some(memory_limit),
        max_connections: args.max_connections,
    };
    let bound = server::bind(&catalog.ctx, serving.clone(), &opts).await?;
    tracing::info!(
        address = %bound.addr,
        user = %opts.user,
        authentication = if opts.password.is_some() { "password" } else { "none (loopback)" },
        tls = opts.tls.is_some(),
        tables = catalog.objects.len(),
        serving = %serving,
        "serving read-only SQL: psql \"host={} port={} user={} dbname=misura\"",
        bound.addr.ip(),
        bound.addr.port(),
        opts.user
    );
    if let Some(run) = args.run.clone().filter(|_| args.reload_interval > 0.0) {
        tokio::spawn(follow::follow(
            run,
            settings,
            bound.publisher(),
            Duration::from_secs_f64(args.reload_interval),
        ));
    }
    bound.serve().await;
    Ok(0)
}

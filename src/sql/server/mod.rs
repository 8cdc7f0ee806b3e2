//! `misura serve`: the catalog over the PostgreSQL wire protocol (datafusion-postgres on
//! pgwire), for psql, Python and BI tools. Loopback by default; authentication (SCRAM-SHA-256
//! or cleartext password) required on any other address; optional TLS; read-only (the
//! statement guard runs before anything else); every query bounded by a timeout on its whole
//! execution (planning and every row of the result stream under one deadline, on both the
//! simple and the extended protocol) and by the session's memory pool; a connection limit. `pg_catalog` is set up so
//! that psql's `\d` and `\dt` and the BI tools' catalogue queries work.
//!
//! `hook` holds the read-only rule and the timed simple protocol, `bounded` the timed extended
//! protocol, `auth` who may connect, `bind` the address, TLS and session checks.

use datafusion_postgres::pgwire;
use pgwire::api::auth::StartupHandler;
use pgwire::api::auth::cleartext::CleartextPasswordAuthStartupHandler;
use pgwire::api::auth::sasl::SASLAuthStartupHandler;
use pgwire::api::auth::sasl::scram::ScramAuth;
use pgwire::api::cancel::{CancelHandler, DefaultCancelHandler};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::{ConnectionManager, PgWireServerHandlers};
use pgwire::error::{ErrorInfo, PgWireError};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod auth;
mod bind;
mod bounded;
mod copy;
mod hook;
mod live;
mod parse;

use auth::{ITERATIONS, Inner, Open, SingleUser, Startup, parameters};
pub use bind::{Bound, Publisher, bind};
use bounded::Bounded;

/// How clients prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMethod {
    /// SCRAM-SHA-256 (the password never crosses the wire).
    Scram,
    /// Cleartext password (use only with TLS).
    Password,
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind.
    pub host: String,
    /// Port (0 = any free port).
    pub port: u16,
    /// The one user name accepted.
    pub user: String,
    /// Password; `None` = no authentication (loopback only).
    pub password: Option<String>,
    /// How the password is checked.
    pub auth: AuthMethod,
    /// TLS certificate and key (PEM).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Longest a query may run (planning, execution and result).
    pub query_timeout: Duration,
    /// Memory pool of the server's queries, in bytes (queries over it fail, not the server).
    pub memory_limit: Option<usize>,
    /// Most concurrent connections.
    pub max_connections: usize,
}

fn user_error(code: &str, message: String) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "ERROR".into(),
        code.into(),
        message,
    )))
}

/// Handlers of every connection.
struct Handlers {
    live: Arc<live::Live>,
    extended: Arc<Bounded>,
    connections: Arc<ConnectionManager>,
    user: Option<SingleUser>,
    require_tls: bool,
}

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.live.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        self.extended.clone()
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        let manager = self.connections.clone();
        let inner = match &self.user {
            None => Inner::Open(Open {
                connections: manager,
            }),
            Some(u) if u.scram => {
                let mut scram = ScramAuth::new(Arc::new(u.clone()));
                scram.set_iterations(ITERATIONS);
                Inner::Scram(
                    SASLAuthStartupHandler::new(Arc::new(parameters()))
                        .with_scram(scram)
                        .with_connection_manager(manager),
                )
            }
            Some(u) => Inner::Cleartext(
                CleartextPasswordAuthStartupHandler::new(u.clone(), parameters())
                    .with_connection_manager(manager),
            ),
        };
        Arc::new(Startup {
            require_tls: self.require_tls,
            inner,
        })
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        Arc::new(DefaultCancelHandler::new(self.connections.clone()))
    }
}

//! `misura serve`: the catalog over the PostgreSQL wire protocol (datafusion-postgres on
//! pgwire), for psql, Python and BI tools. Loopback by default; authentication (SCRAM-SHA-256
//! or cleartext password) required on any other address; optional TLS; read-only (the
//! statement guard runs before anything else); every query bounded by a timeout on its whole
//! execution (planning and every row of the result stream under one deadline, on both the
//! simple and the extended protocol) and by the session's memory pool; a connection limit. `pg_catalog` is set up so
//! that psql's `\d` and `\dt` and the BI tools' catalogue queries work.

use super::guard;
use crate::error::{Error, Result};
use async_trait::async_trait;
use datafusion::common::ParamValues;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion_postgres::hooks::cursor::CursorStatementHook;
use datafusion_postgres::hooks::set_show::SetShowHook;
use datafusion_postgres::hooks::transactions::TransactionStatementHook;
use datafusion_postgres::hooks::{HookClient, QueryHook};
use datafusion_postgres::pgwire;
use datafusion_postgres::{DfSessionService, arrow_pg};
use pgwire::api::auth::cleartext::CleartextPasswordAuthStartupHandler;
use pgwire::api::auth::noop::NoopStartupHandler;
use pgwire::api::auth::sasl::SASLAuthStartupHandler;
use pgwire::api::auth::sasl::scram::{ScramAuth, gen_salted_password, random_nonce};
use pgwire::api::auth::{
    AuthSource, DefaultServerParameterProvider, LoginInfo, Password, StartupHandler,
};
use pgwire::api::cancel::{CancelHandler, DefaultCancelHandler};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::Response;
use pgwire::api::{ClientInfo, ConnectionManager, PgWireServerHandlers};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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

/// The read-only guard and the timed execution of queries.
struct Guard {
    timeout: Duration,
}

impl Guard {
    fn reads(s: &Statement) -> bool {
        matches!(s, Statement::Query(_) | Statement::Explain { .. })
    }

    /// Plans, refuses a plan that writes (DataFusion's verifier), and streams the result as
    /// text rows under the deadline (dropping the stream on expiry cancels the execution).
    async fn run(
        &self,
        statement: &Statement,
        ctx: &SessionContext,
        client: &mut dyn HookClient,
    ) -> PgWireResult<Response> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let engine = |e: datafusion::error::DataFusionError| match e {
            datafusion::error::DataFusionError::ResourcesExhausted(m) => user_error(
                "53200",
                format!("out of memory for this query: {m} (misura serve --memory-limit)"),
            ),
            other => PgWireError::ApiError(Box::new(other)),
        };
        let plan = ctx
            .state()
            .statement_to_plan(DfStatement::Statement(Box::new(statement.clone())))
            .await
            .map_err(engine)?;
        guard::verify(&plan).map_err(|m| user_error(guard::REFUSED, m))?;
        let options = Arc::new(pgwire::types::format::FormatOptions::from_client_metadata(
            client.metadata(),
        ));
        let encoded = tokio::time::timeout_at(deadline, async {
            let df = ctx.execute_logical_plan(plan).await.map_err(engine)?;
            arrow_pg::datatypes::df::encode_dataframe(
                df,
                &pgwire::api::portal::Format::UnifiedText,
                Some(options),
            )
            .await
        })
        .await
        .map_err(|_| timed_out(self.timeout))??;
        Ok(bounded(Response::Query(encoded), deadline, self.timeout))
    }
}

#[async_trait]
impl QueryHook for Guard {
    async fn handle_simple_query(
        &self,
        statement: &Statement,
        ctx: &SessionContext,
        client: &mut dyn HookClient,
    ) -> Option<PgWireResult<Response>> {
        if let Err(m) = guard::check(statement) {
            return Some(Err(user_error(guard::REFUSED, m)));
        }
        if Self::reads(statement) {
            return Some(self.run(statement, ctx, client).await);
        }
        None // SHOW, allowed SETs, BEGIN/COMMIT: the default hooks
    }

    async fn handle_extended_parse_query(
        &self,
        statement: &Statement,
        _ctx: &SessionContext,
        _client: &(dyn ClientInfo + Send + Sync),
    ) -> Option<PgWireResult<LogicalPlan>> {
        guard::check(statement)
            .err()
            .map(|m| Err(user_error(guard::REFUSED, m)))
    }

    async fn handle_extended_query(
        &self,
        statement: &Statement,
        plan: &LogicalPlan,
        _params: &ParamValues,
        _ctx: &SessionContext,
        _client: &mut dyn HookClient,
    ) -> Option<PgWireResult<Response>> {
        let checked = guard::check(statement).and_then(|()| {
            if Self::reads(statement) {
                guard::verify(plan)
            } else {
                Ok(())
            }
        });
        checked.err().map(|m| Err(user_error(guard::REFUSED, m)))
    }
}

/// The extended query protocol (prepared statements: JDBC, psycopg, most BI tools) through
/// datafusion-postgres, with the timeout applied to the whole execution: the planning call
/// and then every row of the result stream must come before the deadline; on expiry the
/// stream ends with SQLSTATE 57014 and dropping it cancels the DataFusion execution.
struct Bounded {
    inner: Arc<DfSessionService>,
    timeout: Duration,
}

fn timed_out(timeout: Duration) -> PgWireError {
    user_error(
        "57014",
        format!(
            "canceling statement due to statement timeout ({} s; misura serve --query-timeout)",
            timeout.as_secs_f64()
        ),
    )
}

/// `response` with its rows ended by a timeout error at `deadline`.
fn bounded(response: Response, deadline: tokio::time::Instant, timeout: Duration) -> Response {
    match response {
        Response::Query(q) => {
            let tag = q.command_tag.clone();
            let mut bounded = pgwire::api::results::QueryResponse::new(
                q.row_schema.clone(),
                bounded_rows(q.data_rows, deadline, timeout),
            );
            bounded.command_tag = tag;
            Response::Query(bounded)
        }
        other => other,
    }
}

/// `rows`, ended with a timeout error at `deadline`.
fn bounded_rows(
    rows: pgwire::api::results::SendableRowStream,
    deadline: tokio::time::Instant,
    timeout: Duration,
) -> pgwire::api::results::SendableRowStream {
    use futures::StreamExt;
    Box::pin(futures::stream::unfold(
        Some(rows),
        move |state| async move {
            let mut rows = state?;
            // `timeout_at` alone never fires on a stream that is always ready: check first.
            if tokio::time::Instant::now() >= deadline {
                return Some((Err(timed_out(timeout)), None));
            }
            match tokio::time::timeout_at(deadline, rows.next()).await {
                Ok(Some(row)) => Some((row, Some(rows))),
                Ok(None) => None,
                Err(_) => Some((Err(timed_out(timeout)), None)),
            }
        },
    ))
}

#[async_trait]
impl ExtendedQueryHandler for Bounded {
    type Statement = <DfSessionService as ExtendedQueryHandler>::Statement;
    type QueryParser = <DfSessionService as ExtendedQueryHandler>::QueryParser;

    fn query_parser(&self) -> Arc<Self::QueryParser> {
        self.inner.query_parser()
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &pgwire::api::portal::Portal<Self::Statement>,
        max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo
            + pgwire::api::ClientPortalStore
            + futures::Sink<PgWireBackendMessage>
            + Unpin
            + Send
            + Sync,
        C::PortalStore: pgwire::api::store::PortalStore<Statement = Self::Statement>,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as futures::Sink<PgWireBackendMessage>>::Error>,
    {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let response = tokio::time::timeout_at(
            deadline,
            ExtendedQueryHandler::do_query(&*self.inner, client, portal, max_rows),
        )
        .await
        .map_err(|_| timed_out(self.timeout))??;
        Ok(bounded(response, deadline, self.timeout))
    }
}

/// The one user and its password.
#[derive(Debug, Clone)]
struct SingleUser {
    user: String,
    password: String,
    salt: Vec<u8>,
    salted: Vec<u8>,
    scram: bool,
}

/// SCRAM iterations (PostgreSQL's default).
const ITERATIONS: usize = 4096;

#[async_trait]
impl AuthSource for SingleUser {
    async fn get_password(&self, login: &LoginInfo) -> PgWireResult<Password> {
        if login.user() != Some(self.user.as_str()) {
            return Err(PgWireError::InvalidPassword(
                login.user().unwrap_or_default().to_string(),
            ));
        }
        Ok(if self.scram {
            Password::new(Some(self.salt.clone()), self.salted.clone())
        } else {
            Password::new(None, self.password.clone().into_bytes())
        })
    }
}

fn parameters() -> DefaultServerParameterProvider {
    let mut p = DefaultServerParameterProvider::default();
    p.default_transaction_read_only = true;
    p.is_superuser = false;
    p
}

/// No authentication (loopback only).
struct Open {
    connections: Arc<ConnectionManager>,
}

#[async_trait]
impl NoopStartupHandler for Open {
    fn connection_manager(&self) -> Option<Arc<ConnectionManager>> {
        Some(self.connections.clone())
    }
}

/// The startup handler of one connection: with TLS configured, a plaintext client is
/// refused before it can send a password.
struct Startup {
    require_tls: bool,
    inner: Inner,
}

/// How the connection authenticates.
enum Inner {
    Open(Open),
    Cleartext(CleartextPasswordAuthStartupHandler<SingleUser, DefaultServerParameterProvider>),
    Scram(SASLAuthStartupHandler<DefaultServerParameterProvider>),
}

#[async_trait]
impl StartupHandler for Startup {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + futures::Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as futures::Sink<PgWireBackendMessage>>::Error>,
    {
        if self.require_tls
            && !client.is_secure()
            && matches!(message, PgWireFrontendMessage::Startup(_))
        {
            return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                "FATAL".into(),
                "28000".into(),
                "this server requires TLS: connect with sslmode=require".into(),
            ))));
        }
        match &self.inner {
            Inner::Open(h) => h.on_startup(client, message).await,
            Inner::Cleartext(h) => h.on_startup(client, message).await,
            Inner::Scram(h) => h.on_startup(client, message).await,
        }
    }
}

/// Handlers of every connection.
struct Handlers {
    service: Arc<DfSessionService>,
    extended: Arc<Bounded>,
    connections: Arc<ConnectionManager>,
    user: Option<SingleUser>,
    require_tls: bool,
}

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.service.clone()
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

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn tls_acceptor(cert: &PathBuf, key: &PathBuf) -> Result<pgwire::tokio::TlsAcceptor> {
    use pgwire::tokio::tokio_rustls::rustls::{
        self, ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    };
    let bad = |what: &PathBuf, e: String| Error::Usage {
        problem: format!(
            "TLS: {}: {e}\n  fix: give a PEM certificate chain (--tls-cert) and its private key (--tls-key)",
            what.display()
        ),
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, e.to_string()))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(cert, e.to_string()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, e.to_string()))?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(cert, e.to_string()))?;
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(pgwire::tokio::TlsAcceptor::from(Arc::new(config)))
}

/// The session the server queries: the catalog's tables and views, a memory pool, and
/// `pg_catalog` for psql and BI tools.
fn server_context(ctx: &SessionContext, memory_limit: Option<usize>) -> Result<SessionContext> {
    let ctx = crate::engine::EngineOptions::with_memory_limit(memory_limit).apply(ctx)?;
    let catalog = ctx
        .state()
        .config()
        .options()
        .catalog
        .default_catalog
        .clone();
    datafusion_postgres::datafusion_pg_catalog::setup_pg_catalog(
        &ctx,
        &catalog,
        datafusion_postgres::datafusion_pg_catalog::pg_catalog::context::EmptyContextProvider,
    )
    .map_err(|e| Error::engine("setting up pg_catalog", *e))?;
    Ok(ctx)
}

/// A bound server: its address, and the future that serves until it is dropped.
pub struct Bound {
    /// The address clients connect to.
    pub addr: SocketAddr,
    listener: tokio::net::TcpListener,
    handlers: Arc<Handlers>,
    tls: Option<pgwire::tokio::TlsAcceptor>,
    max_connections: usize,
}

/// Checks the options, prepares the session and binds the port.
pub async fn bind(ctx: &SessionContext, opts: &ServeOptions) -> Result<Bound> {
    if opts.password.is_none() && !is_loopback(&opts.host) {
        return Err(Error::Usage {
            problem: format!(
                "refusing to serve on {} without authentication\n  fix: set MISURA_PG_PASSWORD (or --password-file), or bind to 127.0.0.1",
                opts.host
            ),
        });
    }
    if opts.password.as_deref() == Some("") {
        return Err(Error::Usage {
            problem: "the password is empty\n  fix: set MISURA_PG_PASSWORD or --password-file to a non-empty secret".into(),
        });
    }
    if opts.password.is_some()
        && opts.auth == AuthMethod::Password
        && opts.tls.is_none()
        && !is_loopback(&opts.host)
    {
        return Err(Error::Usage {
            problem: format!(
                "refusing to accept cleartext passwords on {} without TLS\n  fix: use --auth scram (the default), or give --tls-cert and --tls-key",
                opts.host
            ),
        });
    }
    let tls = match &opts.tls {
        Some((cert, key)) => Some(tls_acceptor(cert, key)?),
        None => None,
    };
    let ctx = Arc::new(server_context(ctx, opts.memory_limit)?);
    let hooks: Vec<Arc<dyn QueryHook>> = vec![
        Arc::new(Guard {
            timeout: opts.query_timeout,
        }),
        Arc::new(CursorStatementHook),
        Arc::new(SetShowHook),
        Arc::new(TransactionStatementHook),
    ];
    let user = opts.password.as_ref().map(|password| {
        let salt = random_nonce().into_bytes();
        SingleUser {
            user: opts.user.clone(),
            salted: gen_salted_password(password, &salt, ITERATIONS),
            salt,
            password: password.clone(),
            scram: opts.auth == AuthMethod::Scram,
        }
    });
    let service = Arc::new(DfSessionService::new_with_hooks(ctx, hooks));
    let listener = tokio::net::TcpListener::bind((opts.host.as_str(), opts.port))
        .await
        .map_err(|e| Error::Usage {
            problem: format!(
                "cannot listen on {}:{}: {e}\n  fix: choose another --port or --host",
                opts.host, opts.port
            ),
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io(format!("{}:{}", opts.host, opts.port), e))?;
    Ok(Bound {
        addr,
        listener,
        handlers: Arc::new(Handlers {
            service: service.clone(),
            extended: Arc::new(Bounded {
                inner: service,
                timeout: opts.query_timeout,
            }),
            connections: Arc::new(ConnectionManager::new()),
            user,
            require_tls: tls.is_some(),
        }),
        tls,
        max_connections: opts.max_connections.max(1),
    })
}

impl Bound {
    /// Accepts connections until the future is dropped; a connection over the limit is
    /// closed at once (logged).
    pub async fn serve(self) {
        let slots = Arc::new(tokio::sync::Semaphore::new(self.max_connections));
        loop {
            let (socket, peer) = match self.listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("accepting a connection: {e}");
                    continue;
                }
            };
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                tracing::warn!(%peer, limit = self.max_connections, "connection refused: too many connections (--max-connections)");
                continue;
            };
            let (handlers, tls) = (self.handlers.clone(), self.tls.clone());
            tokio::spawn(async move {
                let _slot = permit;
                if let Err(e) = pgwire::tokio::process_socket(socket, tls, handlers).await {
                    tracing::debug!(%peer, "connection ended: {e}");
                }
            });
        }
    }
}

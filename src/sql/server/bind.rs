//! Binding the server: the address check (loopback unless authenticated), TLS, the
//! session with its memory pool, and the bound listener.

use super::auth::{ITERATIONS, SingleUser};
use super::bounded::Bounded;
use super::hook::Guard;
use super::live::{Live, Snapshot};
use super::{AuthMethod, Handlers, ServeOptions};
use crate::error::{Error, Result};
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::SessionContext;
use datafusion_postgres::DfSessionService;
use datafusion_postgres::hooks::QueryHook;
use datafusion_postgres::hooks::cursor::CursorStatementHook;
use datafusion_postgres::hooks::set_show::SetShowHook;
use datafusion_postgres::hooks::transactions::TransactionStatementHook;
use datafusion_postgres::pgwire;
use pgwire::api::ConnectionManager;
use pgwire::api::auth::sasl::scram::{gen_salted_password, random_nonce};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub(super) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(super) fn tls_acceptor(cert: &PathBuf, key: &PathBuf) -> Result<pgwire::tokio::TlsAcceptor> {
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

/// The session the server queries: the catalog's tables and views, the server's one
/// runtime (its memory pool, shared by every snapshot), and `pg_catalog` for psql and BI
/// tools.
pub(super) fn server_context(
    ctx: &SessionContext,
    runtime: Arc<RuntimeEnv>,
) -> Result<SessionContext> {
    let state = SessionStateBuilder::new_from_existing(ctx.state())
        .with_runtime_env(runtime)
        .build();
    let ctx = SessionContext::new_with_state(state);
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
    publisher: Publisher,
}

/// Replaces the catalog a running server answers from (a newly published run), without
/// dropping connections: each query runs on the catalog current when it started.
#[derive(Clone)]
pub struct Publisher {
    live: Arc<Live>,
    runtime: Arc<RuntimeEnv>,
    hooks: Vec<Arc<dyn QueryHook>>,
}

/// The session service over `ctx` with the server's runtime and statement hooks, and the
/// session it runs on.
fn session_service(
    ctx: &SessionContext,
    runtime: &Arc<RuntimeEnv>,
    hooks: &[Arc<dyn QueryHook>],
) -> Result<(Arc<DfSessionService>, Arc<SessionContext>)> {
    let ctx = Arc::new(server_context(ctx, runtime.clone())?);
    let service = DfSessionService::new_with_hooks(ctx.clone(), hooks.to_vec());
    Ok((Arc::new(service), ctx))
}

impl Publisher {
    /// Serves `ctx` from the next query on; `label` names it in the log. Returns the
    /// generation published (0 is the catalog the server started with).
    pub fn publish(&self, ctx: &SessionContext, label: String) -> Result<u64> {
        let service = session_service(ctx, &self.runtime, &self.hooks)?;
        Ok(self.live.publish(service, label))
    }

    /// What is served now.
    pub fn serving(&self) -> String {
        self.live.snapshot().label.clone()
    }
}

/// Checks the options, prepares the session and binds the port; `label` names what `ctx`
/// serves, in the log.
pub async fn bind(ctx: &SessionContext, label: String, opts: &ServeOptions) -> Result<Bound> {
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
    let runtime = crate::engine::EngineOptions::with_memory_limit(opts.memory_limit).runtime()?;
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
    let (service, session) = session_service(ctx, &runtime, &hooks)?;
    let live = Arc::new(Live::new(Snapshot {
        service,
        ctx: session,
        hooks: hooks.clone(),
        generation: 0,
        label,
    }));
    let publisher = Publisher {
        live: live.clone(),
        runtime,
        hooks,
    };
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
            live: live.clone(),
            extended: Arc::new(Bounded {
                inner: live,
                timeout: opts.query_timeout,
            }),
            connections: Arc::new(ConnectionManager::new()),
            user,
            require_tls: tls.is_some(),
        }),
        tls,
        max_connections: opts.max_connections.max(1),
        publisher,
    })
}

impl Bound {
    /// The handle that replaces what this server serves.
    pub fn publisher(&self) -> Publisher {
        self.publisher.clone()
    }

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

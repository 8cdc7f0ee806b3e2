//! Who may connect: the single user and its password (SCRAM-SHA-256 or cleartext), the open
//! startup on loopback, and the TLS requirement.

use async_trait::async_trait;
use datafusion_postgres::pgwire;
use pgwire::api::auth::cleartext::CleartextPasswordAuthStartupHandler;
use pgwire::api::auth::noop::NoopStartupHandler;
use pgwire::api::auth::sasl::SASLAuthStartupHandler;
use pgwire::api::auth::{
    AuthSource, DefaultServerParameterProvider, LoginInfo, Password, StartupHandler,
};
use pgwire::api::{ClientInfo, ConnectionManager};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use std::sync::Arc;

/// The one user and its password.
#[derive(Debug, Clone)]
pub(super) struct SingleUser {
    pub(super) user: String,
    pub(super) password: String,
    pub(super) salt: Vec<u8>,
    pub(super) salted: Vec<u8>,
    pub(super) scram: bool,
}

/// The one database name the server answers to (also accepted: the user's name, which
/// clients send when no database is given).
pub(super) const DATABASE: &str = "misura";

/// SCRAM iterations (PostgreSQL's default).
pub(super) const ITERATIONS: usize = 4096;

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

pub(super) fn parameters() -> DefaultServerParameterProvider {
    let mut p = DefaultServerParameterProvider::default();
    p.default_transaction_read_only = true;
    p.is_superuser = false;
    p
}

/// No authentication (loopback only).
pub(super) struct Open {
    pub(super) connections: Arc<ConnectionManager>,
}

#[async_trait]
impl NoopStartupHandler for Open {
    fn connection_manager(&self) -> Option<Arc<ConnectionManager>> {
        Some(self.connections.clone())
    }
}

/// The startup handler of one connection: with TLS configured, a plaintext client is
/// refused before it can send a password.
pub(super) struct Startup {
    pub(super) require_tls: bool,
    pub(super) inner: Inner,
}

/// How the connection authenticates.
pub(super) enum Inner {
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
        let peer = client.socket_addr();
        if let PgWireFrontendMessage::Startup(s) = &message {
            let user = s.parameters.get("user").map_or("", String::as_str);
            let database = s.parameters.get("database").map_or(user, String::as_str);
            tracing::info!(
                event = "connection",
                user,
                client = %peer,
                database,
                tls = client.is_secure(),
                "connection"
            );
            // psql and most drivers send the user name as the database when none is given.
            if !database.is_empty() && database != DATABASE && database != user {
                tracing::warn!(event = "refused", user, client = %peer, database, "refused: unknown database");
                return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                    "FATAL".into(),
                    "3D000".into(),
                    format!(
                        "database \"{database}\" does not exist: connect with dbname={DATABASE}"
                    ),
                ))));
            }
        }
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
        let user = client
            .metadata()
            .get(pgwire::api::METADATA_USER)
            .cloned()
            .unwrap_or_default();
        let outcome = match &self.inner {
            Inner::Open(h) => h.on_startup(client, message).await,
            Inner::Cleartext(h) => h.on_startup(client, message).await,
            Inner::Scram(h) => h.on_startup(client, message).await,
        };
        if let Err(e) = &outcome {
            if matches!(e, PgWireError::InvalidPassword(_)) {
                tracing::warn!(event = "refused", user = %user, client = %peer, "refused: wrong password for user {user}");
                return Err(PgWireError::InvalidPassword(user));
            }
            tracing::warn!(event = "refused", user = %user, client = %peer, "refused: {e}");
        }
        outcome
    }
}

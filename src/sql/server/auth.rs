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

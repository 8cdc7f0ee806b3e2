//! The extended query protocol bounded by the statement timeout: planning and every row
//! of the result stream under one deadline.

use super::live::Live;
use super::user_error;
use async_trait::async_trait;
use datafusion_postgres::pgwire;
use pgwire::api::ClientInfo;
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::Response;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use std::sync::Arc;
use std::time::Duration;

/// The extended query protocol (prepared statements: JDBC, psycopg, most BI tools) through
/// datafusion-postgres, with the timeout applied to the whole execution: the planning call
/// and then every row of the result stream must come before the deadline; on expiry the
/// stream ends with SQLSTATE 57014 and dropping it cancels the DataFusion execution.
pub(super) struct Bounded {
    pub(super) inner: Arc<Live>,
    pub(super) timeout: Duration,
}

pub(super) fn timed_out(timeout: Duration) -> PgWireError {
    tracing::warn!(
        event = "timeout",
        seconds = timeout.as_secs_f64(),
        "timeout: a query ran past --query-timeout and was cancelled"
    );
    user_error(
        "57014",
        format!(
            "canceling statement due to statement timeout ({} s; misura serve --query-timeout)",
            timeout.as_secs_f64()
        ),
    )
}

/// `response` with its rows ended by a timeout error at `deadline`.
pub(super) fn bounded(
    response: Response,
    deadline: tokio::time::Instant,
    timeout: Duration,
) -> Response {
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
pub(super) fn bounded_rows(
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
    type Statement = <Live as ExtendedQueryHandler>::Statement;
    type QueryParser = <Live as ExtendedQueryHandler>::QueryParser;

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

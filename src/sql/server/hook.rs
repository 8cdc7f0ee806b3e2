//! The statement hook every query passes first: the read-only rule, then the timed
//! execution of the simple protocol.

use super::bounded::{bounded, timed_out};
use super::copy;
use super::user_error;
use crate::sql::guard;
use async_trait::async_trait;
use datafusion::common::ParamValues;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion_postgres::arrow_pg;
use datafusion_postgres::hooks::{HookClient, QueryHook};
use datafusion_postgres::pgwire;
use pgwire::api::ClientInfo;
use pgwire::api::results::{CopyResponse, Response};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::copy::CopyData;
use std::sync::Arc;
use std::time::Duration;

/// One line of the audit log: a refusal, a timeout or a query out of memory, with who and
/// from where.
fn audit(client: &(impl ClientInfo + ?Sized), event: &str, message: &str) {
    let user = client
        .metadata()
        .get(pgwire::api::METADATA_USER)
        .map_or("", String::as_str);
    tracing::warn!(event, user, client = %client.socket_addr(), "{event}: {message}");
}

/// A DataFusion error as the client reads it: out of memory is SQLSTATE 53200.
fn engine(e: datafusion::error::DataFusionError) -> PgWireError {
    match e {
        datafusion::error::DataFusionError::ResourcesExhausted(m) => user_error(
            "53200",
            format!("out of memory for this query: {m} (misura serve --memory-limit)"),
        ),
        other => PgWireError::ApiError(Box::new(other)),
    }
}

/// The read-only guard and the timed execution of queries.
pub(super) struct Guard {
    pub(super) timeout: Duration,
}

impl Guard {
    fn reads(s: &Statement) -> bool {
        matches!(s, Statement::Query(_) | Statement::Explain { .. })
    }

    /// `COPY (query) TO STDOUT`: the query under the same guard and deadline, its rows sent
    /// as CopyData for the client to write.
    async fn copy_out(
        &self,
        query: &datafusion::sql::sqlparser::ast::Query,
        format: &copy::CopyFormat,
        ctx: &SessionContext,
    ) -> PgWireResult<Response> {
        let statement = Statement::Query(Box::new(query.clone()));
        guard::check(&statement).map_err(|m| user_error(guard::REFUSED, m))?;
        let deadline = tokio::time::Instant::now() + self.timeout;
        let plan = ctx
            .state()
            .statement_to_plan(DfStatement::Statement(Box::new(statement)))
            .await
            .map_err(engine)?;
        guard::verify(&plan).map_err(|m| user_error(guard::REFUSED, m))?;
        let names: Vec<String> = plan
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let batches = tokio::time::timeout_at(deadline, async {
            ctx.execute_logical_plan(plan).await?.collect().await
        })
        .await
        .map_err(|_| timed_out(self.timeout))?
        .map_err(engine)?;
        let mut data = Vec::new();
        for b in &batches {
            data.extend(copy::rows(b, format).map_err(|m| user_error("XX000", m))?);
        }
        // The header travels with the first row, so psql's "COPY n" counts rows only.
        if let Some(h) = copy::header(&names, format) {
            match data.first_mut() {
                Some(first) => {
                    let mut joined = h.data.to_vec();
                    joined.extend_from_slice(&first.data);
                    *first = CopyData::new(joined.into());
                }
                None => data.push(h),
            }
        }
        Ok(Response::CopyOut(CopyResponse::new(
            0,
            names.len(),
            futures::stream::iter(data.into_iter().map(Ok)),
        )))
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
        if let Some((query, format)) = copy::to_stdout(statement) {
            let result = self.copy_out(&query, &format, ctx).await;
            if let Err(PgWireError::UserError(info)) = &result {
                audit(client, "refused", &info.message);
            }
            return Some(result);
        }
        if let Err(m) = guard::check(statement) {
            audit(client, "refused", &m);
            return Some(Err(user_error(guard::REFUSED, m)));
        }
        if Self::reads(statement) {
            let result = self.run(statement, ctx, client).await;
            if let Err(PgWireError::UserError(info)) = &result {
                // (a timeout logs itself where it fires, in `bounded`)
                let event = match info.code.as_str() {
                    "53200" => "out_of_memory",
                    c if c == guard::REFUSED => "refused",
                    _ => "",
                };
                if !event.is_empty() {
                    audit(client, event, &info.message);
                }
            }
            return Some(result);
        }
        None // SHOW, allowed SETs, BEGIN/COMMIT: the default hooks
    }

    async fn handle_extended_parse_query(
        &self,
        statement: &Statement,
        _ctx: &SessionContext,
        client: &(dyn ClientInfo + Send + Sync),
    ) -> Option<PgWireResult<LogicalPlan>> {
        guard::check(statement).err().map(|m| {
            audit(client, "refused", &m);
            Err(user_error(guard::REFUSED, m))
        })
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

//! The catalog the server answers from, replaceable while clients stay connected: every
//! query takes the snapshot current when it starts and keeps it to its last row, so a
//! query sees one run, never a mix, and the next query sees the newest one.

use super::parse::{self, StatementParser};
use bytes::Bytes;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::source_as_provider;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use datafusion_postgres::pgwire;
use datafusion_postgres::{DfSessionService, QueryHook};
use pgwire::api::portal::Portal;
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::Response;
use pgwire::api::stmt::{QueryParser, StoredStatement};
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use std::sync::{Arc, RwLock};

/// One published catalog: the session service over it and what it serves.
pub(super) struct Snapshot {
    pub(super) service: Arc<DfSessionService>,
    /// The session the service runs on.
    pub(super) ctx: Arc<SessionContext>,
    /// The statement hooks (the read-only guard first).
    pub(super) hooks: Vec<Arc<dyn QueryHook>>,
    /// 0 for the first, one more for each publication.
    pub(super) generation: u64,
    /// What this snapshot serves, for the log (e.g. `run 2026-12-04 (reports/2026-12-04)`).
    pub(super) label: String,
}

/// The current snapshot, swapped whole.
pub(super) struct Live {
    current: RwLock<Arc<Snapshot>>,
}

impl Live {
    pub(super) fn new(first: Snapshot) -> Live {
        Live {
            current: RwLock::new(Arc::new(first)),
        }
    }

    /// The snapshot a query starting now runs on (the lock is held only to clone it).
    pub(super) fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Publishes `service` as the next generation: queries already running finish on the
    /// snapshot they started with. Returns the generation published.
    pub(super) fn publish(
        &self,
        (service, ctx): (Arc<DfSessionService>, Arc<SessionContext>),
        label: String,
    ) -> u64 {
        let hooks = self.snapshot().hooks.clone();
        let mut slot = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let generation = slot.generation + 1;
        *slot = Arc::new(Snapshot {
            service,
            ctx,
            hooks,
            generation,
            label,
        });
        generation
    }
}

impl Snapshot {
    /// The extended protocol's parser over this snapshot.
    fn parser(&self) -> Arc<StatementParser> {
        Arc::new(StatementParser {
            ctx: self.ctx.clone(),
            hooks: self.hooks.clone(),
            compat: self.service.query_parser(),
        })
    }
}

#[async_trait::async_trait]
impl SimpleQueryHandler for Live {
    async fn do_query<C>(&self, client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo
            + ClientPortalStore
            + futures::Sink<PgWireBackendMessage>
            + Unpin
            + Send
            + Sync,
        C::PortalStore: PortalStore,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as futures::Sink<PgWireBackendMessage>>::Error>,
    {
        // Every statement of the message on one snapshot; the response streams keep it.
        let snapshot = self.snapshot();
        let service = &*snapshot.service;
        if parse::names_catalog(query) {
            return SimpleQueryHandler::do_query(service, client, query).await;
        }
        // As written (see `parse`), through the same hooks the service would run.
        let mut responses = Vec::new();
        'statement: for statement in parse::as_written(query)? {
            for hook in &snapshot.hooks {
                if let Some(response) = hook
                    .handle_simple_query(&statement, &snapshot.ctx, client)
                    .await
                {
                    responses.push(response?);
                    continue 'statement;
                }
            }
            // No hook answers it (SHOW TABLES and the like): the service's default path.
            let text = statement.to_string();
            responses.extend(SimpleQueryHandler::do_query(service, client, &text).await?);
        }
        if responses.is_empty() {
            responses.push(Response::EmptyQuery);
        }
        Ok(responses)
    }
}

type Statement = parse::Parsed;

/// Whether every table `plan` scans is the one `ctx` holds under that name now (a plan
/// made before a publication scans the previous catalog's tables).
async fn reads_current(plan: &LogicalPlan, ctx: &SessionContext) -> bool {
    let mut scans = Vec::new();
    let walked = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            scans.push((scan.table_name.clone(), scan.source.clone()));
        }
        Ok(TreeNodeRecursion::Continue)
    });
    if walked.is_err() {
        return false;
    }
    for (name, source) in scans {
        let Ok(planned) = source_as_provider(&source) else {
            return false;
        };
        match ctx.table_provider(name).await {
            Ok(now) if std::ptr::addr_eq(Arc::as_ptr(&now), Arc::as_ptr(&planned)) => {}
            _ => return false,
        }
    }
    true
}

/// The portal's parameters with a date given as text for a timestamp parameter written as
/// that day's midnight, as PostgreSQL reads `'2026-10-01'` for a timestamp (the wire
/// decoder accepts only a full date and time); `None` when there is none.
fn dates_as_timestamps(
    portal: &Portal<Statement>,
    plan: &LogicalPlan,
) -> Option<Vec<Option<Bytes>>> {
    let types = plan.get_parameter_types().ok()?;
    let is_date = |b: &[u8]| {
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    let mut parameters = portal.parameters.clone();
    let mut changed = false;
    for (i, value) in parameters.iter_mut().enumerate() {
        let timestamp = matches!(
            types.get(&format!("${}", i + 1)),
            Some(Some(DataType::Timestamp(_, None)))
        );
        if let Some(bytes) = value.as_mut()
            && timestamp
            && portal.parameter_format.is_text(i)
            && is_date(bytes)
        {
            let mut midnight = bytes.to_vec();
            midnight.extend_from_slice(b" 00:00:00");
            *bytes = Bytes::from(midnight);
            changed = true;
        }
    }
    changed.then_some(parameters)
}

#[async_trait::async_trait]
impl ExtendedQueryHandler for Live {
    type Statement = Statement;
    type QueryParser = StatementParser;

    /// The parser of the current snapshot: a statement is planned against the catalog
    /// current at Parse.
    fn query_parser(&self) -> Arc<StatementParser> {
        self.snapshot().parser()
    }

    /// Runs the portal on the current snapshot. A statement planned on an older one (a
    /// prepared statement kept across a nightly publication) is planned again from its
    /// text first, so it reads the new run, never a mix.
    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<Statement>,
        max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo
            + ClientPortalStore
            + futures::Sink<PgWireBackendMessage>
            + Unpin
            + Send
            + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as futures::Sink<PgWireBackendMessage>>::Error>,
    {
        let snapshot = self.snapshot();
        let service = &*snapshot.service;
        let stored = &portal.statement;
        let current = match &stored.statement.1 {
            Some((_, plan)) => reads_current(plan, &snapshot.ctx).await,
            None => true,
        };
        let statement = if current {
            None
        } else {
            match snapshot
                .parser()
                .parse_sql(client, &stored.statement.0, &stored.parameter_types)
                .await?
            {
                Some(s) => Some(s),
                None => return Ok(Response::EmptyQuery),
            }
        };
        let plan = statement
            .as_ref()
            .unwrap_or(&stored.statement)
            .1
            .as_ref()
            .map(|(_, plan)| plan);
        let parameters = plan.and_then(|plan| dates_as_timestamps(portal, plan));
        if statement.is_none() && parameters.is_none() {
            return ExtendedQueryHandler::do_query(service, client, portal, max_rows).await;
        }
        let mut changed = Portal::new_cursor(
            portal.name.clone(),
            match statement {
                Some(statement) => Arc::new(StoredStatement::new(
                    stored.id.clone(),
                    statement,
                    stored.parameter_types.clone(),
                )),
                None => stored.clone(),
            },
        );
        changed.parameter_format = portal.parameter_format.clone();
        changed.parameters = parameters.unwrap_or_else(|| portal.parameters.clone());
        changed.result_column_format = portal.result_column_format.clone();
        changed.state = portal.state.clone();
        ExtendedQueryHandler::do_query(service, client, &changed, max_rows).await
    }
}

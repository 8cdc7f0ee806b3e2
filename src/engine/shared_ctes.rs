//! Common table expressions read more than once are computed once.
//!
//! DataFusion 55 inlines a CTE at every place it is read: a CTE that three later ones read is
//! computed three times (UC17's `lead()` window over every ticket ran five times; the scale
//! benchmark found the KPI SQL 5.7× slower than DuckDB, which materialises such CTEs). [`plan`]
//! does what DuckDB does: before the query runs, each CTE that would be computed more than once
//! is run on its own, its result held in memory as a table (`__cte_<tag>_<n>_<name>`,
//! partitions kept) and every later reference is pointed at that table; the query then plans
//! with the remaining CTEs. The SQL files stay as they are, and the result is the same rows.
//!
//! The held rows count against the session's memory pool (`--memory-limit`): a CTE whose
//! result the budget cannot hold beside what is running is inlined after all (computed at
//! each read, as before), so a budget still bounds the run.
//!
//! Recursive `WITH`, CTEs with a `WITH` of their own and CTEs that name their columns
//! (`WITH x(a, b) AS …`) are left to DataFusion. (PostgreSQL's `AS [NOT] MATERIALIZED` hints are not parsed by DataFusion's
//! default SQL dialect, so there is no per-CTE override.)
//!
//! The tables live in the calling session: not usable where the plan runs elsewhere (a Ballista
//! cluster cannot read in-memory tables), so the KPI runner skips this there.

use datafusion::common::TableReference;
use datafusion::datasource::MemTable;
use datafusion::error::Result;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::logical_expr::LogicalPlanBuilder;
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    Cte, Ident, ObjectName, ObjectNamePart, Query, Statement, TableAlias, TableFactor, Visit,
    VisitMut, Visitor, VisitorMut, With,
};
use std::ops::ControlFlow;
use std::sync::Arc;

/// A planned query and the tables holding its shared CTEs (remove them with [`Planned::release`]
/// once the query's result is collected).
pub struct Planned {
    /// The query, reading the materialised CTEs.
    pub df: DataFrame,
    held: Held,
}

/// The tables holding materialised CTEs and their share of the memory pool.
#[derive(Default)]
struct Held {
    tables: Vec<String>,
    reservations: Vec<MemoryReservation>,
}

impl Held {
    /// Deregisters the tables and returns their memory to the pool.
    fn release(self, ctx: &SessionContext) -> Result<()> {
        for t in &self.tables {
            ctx.deregister_table(TableReference::bare(t.as_str()))?;
        }
        for r in &self.reservations {
            r.free();
        }
        Ok(())
    }
}

impl Planned {
    /// A query planned as it is (no CTE computed on its own).
    pub fn inline(df: DataFrame) -> Self {
        Planned {
            df,
            held: Held::default(),
        }
    }

    /// Names of the tables holding materialised CTEs, in the order they were computed.
    pub fn tables(&self) -> &[String] {
        &self.held.tables
    }

    /// Deregisters the tables of the materialised CTEs and returns their memory to the pool.
    pub fn release(self, ctx: &SessionContext) -> Result<()> {
        self.held.release(ctx)
    }
}

/// Plans `sql` in `ctx`, first computing every CTE that would otherwise be computed more than
/// once; `tag` makes the table names unique to the query (a use case id, a model name).
pub async fn plan(ctx: &SessionContext, sql: &str, tag: &str) -> Result<Planned> {
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let statement = state.sql_to_statement(sql, &dialect)?;
    let query = match &statement {
        DfStatement::Statement(s) => match s.as_ref() {
            Statement::Query(q) if q.with.as_ref().is_some_and(|w| !w.recursive) => Some(q.clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(mut body) = query else {
        let plan = state.statement_to_plan(statement).await?;
        return Ok(Planned::inline(ctx.execute_logical_plan(plan).await?));
    };
    let mut with = body.with.take().expect("a query with a WITH clause");
    let mut ctes = std::mem::take(&mut with.cte_tables);
    let names: Vec<String> = ctes.iter().map(|c| key(&c.alias.name)).collect();
    let mut shared = shared(&ctes, &body, &names);

    let mut held = Held::default();
    let tag: String = safe(tag);
    for i in 0..ctes.len() {
        if !shared[i] {
            continue;
        }
        let table = format!("__cte_{tag}_{i}_{}", safe(&names[i]));
        match materialise(ctx, &ctes, &shared, i, &with, &table).await {
            Ok(Some(reservation)) => {
                held.tables.push(table.clone());
                held.reservations.push(reservation);
            }
            // the budget cannot hold it: inlined after all
            Ok(None) => {
                shared[i] = false;
                continue;
            }
            Err(e) => {
                let _ = held.release(ctx);
                return Err(e);
            }
        }
        // the CTEs after this one and the body read the table from now on
        let mut point = Repoint {
            from: &names[i],
            to: &table,
        };
        for later in &mut ctes[i + 1..] {
            let _ = VisitMut::visit(&mut later.query, &mut point);
        }
        let _ = VisitMut::visit(&mut body, &mut point);
    }
    let kept: Vec<_> = ctes
        .into_iter()
        .zip(&shared)
        .filter(|(_, s)| !**s)
        .map(|(c, _)| c)
        .collect();
    if !kept.is_empty() {
        with.cte_tables = kept;
        body.with = Some(with);
    }
    let statement = DfStatement::Statement(Box::new(Statement::Query(body)));
    let df = async {
        ctx.execute_logical_plan(state.statement_to_plan(statement).await?)
            .await
    };
    match df.await {
        Ok(df) => Ok(Planned { df, held }),
        Err(e) => {
            let _ = held.release(ctx);
            Err(e)
        }
    }
}

/// Lowercase ASCII letters, digits and `_` of `s` (others become `_`): a table name part that
/// needs no quoting.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs CTE `i` with the inlined CTEs before it and registers its result as `table`, its
/// memory reserved in the session's pool; `None` (nothing registered) when the pool cannot
/// hold it.
async fn materialise(
    ctx: &SessionContext,
    ctes: &[Cte],
    shared: &[bool],
    i: usize,
    with: &With,
    table: &str,
) -> Result<Option<MemoryReservation>> {
    let mut q = ctes[i].query.clone();
    let visible: Vec<Cte> = ctes[..i]
        .iter()
        .zip(shared)
        .filter(|(_, s)| !**s)
        .map(|(c, _)| c.clone())
        .collect();
    if !visible.is_empty() {
        let mut w = with.clone();
        w.cte_tables = visible;
        q.with = Some(w);
    }
    let state = ctx.state();
    let plan = state
        .statement_to_plan(DfStatement::Statement(Box::new(Statement::Query(q))))
        .await?;
    // As DataFusion does for a CTE: the alias makes repeated output names unique (`id:1`).
    let plan = LogicalPlanBuilder::from(plan)
        .alias(TableReference::bare(table))?
        .build()?;
    let df = ctx.execute_logical_plan(plan).await?;
    let schema = Arc::new(df.schema().as_arrow().clone());
    let partitions = df.collect_partitioned().await?;
    let bytes: usize = partitions
        .iter()
        .flatten()
        .map(|b| b.get_array_memory_size())
        .sum();
    let reservation =
        MemoryConsumer::new(format!("shared CTE {table}")).register(&ctx.runtime_env().memory_pool);
    if reservation.try_grow(bytes).is_err() {
        return Ok(None);
    }
    let schema = partitions
        .iter()
        .flatten()
        .next()
        .map_or(schema, |b| b.schema());
    ctx.register_table(
        TableReference::bare(table),
        Arc::new(MemTable::try_new(schema, partitions)?),
    )?;
    Ok(Some(reservation))
}

/// Which CTEs would be computed more than once. A CTE read by a CTE that is itself computed n times is computed n times per read,
/// unless that reader is materialised: decided from the last CTE to the first.
fn shared(ctes: &[Cte], body: &Query, names: &[String]) -> Vec<bool> {
    let n = ctes.len();
    let refs: Vec<Vec<usize>> = ctes.iter().map(|c| count(&c.query, names)).collect();
    let body_refs = count(body, names);
    let mut uses = vec![0usize; n];
    let mut shared = vec![false; n];
    for i in (0..n).rev() {
        let mut u = body_refs[i];
        for j in i + 1..n {
            let computed = if shared[j] { 1 } else { uses[j] };
            u += refs[j][i] * computed;
        }
        uses[i] = u;
        shared[i] = ctes[i].alias.columns.is_empty() && ctes[i].query.with.is_none() && u >= 2;
    }
    shared
}

/// How a name compares: unquoted identifiers are case-insensitive.
fn key(ident: &Ident) -> String {
    match ident.quote_style {
        None => ident.value.to_lowercase(),
        Some(_) => ident.value.clone(),
    }
}

/// The CTE name a table factor may read: a single-part table name without arguments (with
/// arguments, `name(…)` calls a table function, never a CTE).
fn relation_key(factor: &TableFactor) -> Option<String> {
    match factor {
        TableFactor::Table {
            name, args: None, ..
        } => match name.0.as_slice() {
            [ObjectNamePart::Identifier(ident)] => Some(key(ident)),
            _ => None,
        },
        _ => None,
    }
}

/// Counts how often each of `names` is read as a relation in `node`.
fn count(node: &Query, names: &[String]) -> Vec<usize> {
    struct Counter<'a> {
        names: &'a [String],
        counts: Vec<usize>,
    }
    impl Visitor for Counter<'_> {
        type Break = ();
        fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
            if let Some(k) = relation_key(factor)
                && let Some(i) = self.names.iter().position(|n| *n == k)
            {
                self.counts[i] += 1;
            }
            ControlFlow::Continue(())
        }
    }
    let mut c = Counter {
        names,
        counts: vec![0; names.len()],
    };
    let _ = node.visit(&mut c);
    c.counts
}

/// Points relations named `from` at the table `to`, keeping `from` as their alias so that
/// qualified column references (`from.column`) still resolve.
struct Repoint<'a> {
    from: &'a str,
    to: &'a str,
}

impl VisitorMut for Repoint<'_> {
    type Break = ();
    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if relation_key(factor).as_deref() == Some(self.from)
            && let TableFactor::Table { name, alias, .. } = factor
        {
            let original = match name.0.as_slice() {
                [ObjectNamePart::Identifier(ident)] => ident.clone(),
                _ => unreachable!("relation_key matched a single identifier"),
            };
            // quoted: the generated name is used exactly as registered
            *name = ObjectName(vec![ObjectNamePart::Identifier(Ident::with_quote(
                '"', self.to,
            ))]);
            if alias.is_none() {
                *alias = Some(TableAlias {
                    explicit: true,
                    name: original,
                    columns: Vec::new(),
                    at: None,
                });
            }
        }
        ControlFlow::Continue(())
    }
}

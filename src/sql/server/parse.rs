//! Which parser a statement gets. datafusion-postgres rewrites every statement so that the
//! catalogue queries of psql and BI tools plan on DataFusion; some of its rewrites change
//! what a query means (a scalar subquery in the select list that is correlated or takes a
//! parameter becomes NULL, any other one gets `LIMIT 1`). An analyst's query must mean what
//! it says, exactly as in `misura sql`: so only statements that name the PostgreSQL
//! catalogue (`pg_catalog`, `information_schema`, a `pg_*` relation or function, an
//! oid-alias type such as `regclass`) go through those rewrites; every other statement is
//! parsed as written.

use async_trait::async_trait;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser as SqlParser;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};
use datafusion_postgres::QueryHook;
use datafusion_postgres::pgwire;
use datafusion_postgres::{DfSessionService, Parser as CompatParser};
use pgwire::api::portal::Format;
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::FieldInfo;
use pgwire::api::stmt::QueryParser;
use pgwire::api::{ClientInfo, Type};
use pgwire::error::{PgWireError, PgWireResult};
use std::sync::Arc;

/// A parsed statement as the session service stores it: its text and, unless empty, the
/// statement with its plan.
pub(super) type Parsed = <DfSessionService as ExtendedQueryHandler>::Statement;

/// Oid-alias types: a cast to one of them is a catalogue lookup.
const OID_TYPES: &[&str] = &[
    "regclass",
    "regtype",
    "regproc",
    "regprocedure",
    "regnamespace",
    "regoper",
    "regoperator",
    "regrole",
    "regconfig",
];

/// Whether `sql` names the PostgreSQL catalogue (outside string literals and comments).
/// Text that does not tokenize goes to the compatibility parser, which reports the error.
pub(super) fn names_catalog(sql: &str) -> bool {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        return true;
    };
    tokens.iter().any(|t| match t {
        Token::Word(w) => {
            let v = w.value.to_ascii_lowercase();
            v == "pg_catalog"
                || v == "information_schema"
                || v.starts_with("pg_")
                || OID_TYPES.contains(&v.as_str())
        }
        _ => false,
    })
}

/// `sql` parsed as written (PostgreSQL dialect, no rewrites).
pub(super) fn as_written(sql: &str) -> PgWireResult<Vec<Statement>> {
    SqlParser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| PgWireError::ApiError(Box::new(e)))
}

/// The parser of the extended protocol: catalogue statements through datafusion-postgres's
/// rewrites, every other statement as written; both pass the statement hooks first (the
/// read-only guard refuses writes at Parse).
pub(super) struct StatementParser {
    pub(super) ctx: Arc<SessionContext>,
    pub(super) hooks: Vec<Arc<dyn QueryHook>>,
    pub(super) compat: Arc<CompatParser>,
}

#[async_trait]
impl QueryParser for StatementParser {
    type Statement = Parsed;

    async fn parse_sql<C>(
        &self,
        client: &C,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Parsed>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        if names_catalog(sql) {
            return self.compat.parse_sql(client, sql, types).await;
        }
        let Some(statement) = as_written(sql)?.into_iter().next() else {
            return Ok(None);
        };
        let text = statement.to_string();
        for hook in &self.hooks {
            if let Some(plan) = hook
                .handle_extended_parse_query(&statement, &self.ctx, client)
                .await
            {
                return Ok(Some((text, Some((statement, plan?)))));
            }
        }
        let plan: LogicalPlan = self
            .ctx
            .state()
            .statement_to_plan(DfStatement::Statement(Box::new(statement.clone())))
            .await
            .map_err(|e| PgWireError::ApiError(Box::new(e)))?;
        Ok(Some((text, Some((statement, plan)))))
    }

    fn get_parameter_types(&self, stmt: &Parsed) -> PgWireResult<Vec<Type>> {
        self.compat.get_parameter_types(stmt)
    }

    fn get_result_schema(
        &self,
        stmt: &Parsed,
        column_format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        self.compat.get_result_schema(stmt, column_format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_statements_naming_the_catalogue_are_rewritten() {
        for catalog in [
            "SELECT c.relname FROM pg_catalog.pg_class c",
            "select * from pg_namespace",
            "SELECT table_name FROM information_schema.tables",
            "SELECT 'contacts'::regclass",
            "SELECT pg_get_userbyid(10)",
            "not sql at all '",
        ] {
            assert!(names_catalog(catalog), "{catalog}");
        }
        for analyst in [
            "SELECT (SELECT count(*) FROM tickets t WHERE t.contact_id = c.contact_id) FROM contacts c",
            "SELECT count(*) FROM social_responses WHERE team = 'pg_catalog'",
            "-- pg_class\nSELECT 1",
            "SELECT version()",
        ] {
            assert!(!names_catalog(analyst), "{analyst}");
        }
    }
}

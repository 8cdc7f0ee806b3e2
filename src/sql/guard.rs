//! The read-only rule of `misura sql` and `misura serve`: only statements that read —
//! `SELECT`/`WITH`/`VALUES`, `EXPLAIN` of one, `SHOW`, `DESCRIBE` — and the handful of
//! session `SET`s that psql and BI tools send on connect. Everything that writes, creates,
//! drops or touches files (`INSERT`, `COPY … TO`, `CREATE EXTERNAL TABLE`, `DROP`, other
//! `SET`s…) is refused with a message saying so. A second check runs DataFusion's own
//! plan verifier with DDL, DML and statements disallowed (it catches `SELECT … INTO` and
//! anything else that plans into a write).

use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SQLOptions;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{Set, Statement};

/// Session variables a client may set (harmless, per connection in meaning).
pub(crate) const ALLOWED_SET: &[&str] = &[
    "application_name",
    "client_encoding",
    "datestyle",
    "extra_float_digits",
    "intervalstyle",
    "search_path",
    "statement_timeout",
    "bytea_output",
    "timezone",
    "time zone",
    "client_min_messages",
];

/// SQLSTATE of a refused statement (read_only_sql_transaction).
pub(crate) const REFUSED: &str = "25006";

fn refuse(what: &str) -> String {
    format!(
        "misura's SQL is read-only: {what} is not allowed (allowed: SELECT, WITH, VALUES, EXPLAIN, SHOW, DESCRIBE)"
    )
}

/// The first word(s) of a statement, for messages.
fn verb(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    let upper = words.join(" ").to_uppercase();
    for two in [
        "CREATE EXTERNAL TABLE",
        "CREATE TABLE",
        "CREATE VIEW",
        "DROP TABLE",
        "DROP VIEW",
    ] {
        if upper.starts_with(two) {
            return format!("`{two}`");
        }
    }
    format!(
        "`{}`",
        words.first().map_or(String::new(), |w| w.to_uppercase())
    )
}

/// Checks one statement as sqlparser parsed it (the server's path).
pub fn check(s: &Statement) -> Result<(), String> {
    match s {
        Statement::Query(_)
        | Statement::ShowTables { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowFunctions { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowViews { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ExplainTable { .. }
        | Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. } => Ok(()),
        Statement::Explain {
            statement, analyze, ..
        } => check(statement).map_err(|e| {
            if *analyze {
                format!("{e} (EXPLAIN ANALYZE runs the statement)")
            } else {
                e
            }
        }),
        Statement::Set(set) => match set {
            Set::SingleAssignment { variable, .. }
                if ALLOWED_SET.contains(&variable.to_string().to_lowercase().as_str()) =>
            {
                Ok(())
            }
            Set::SetTimeZone { .. } => Ok(()),
            _ => Err(format!(
                "misura's SQL is read-only: `{s}` is not allowed; only these session settings may be SET: {}",
                ALLOWED_SET.join(", ")
            )),
        },
        other => Err(refuse(&verb(&other.to_string()))),
    }
}

/// Checks one statement as DataFusion parsed it (the shell's path).
pub fn check_df(s: &DfStatement) -> Result<(), String> {
    match s {
        DfStatement::Statement(s) => check(s),
        DfStatement::Explain(e) => check_df(&e.statement),
        DfStatement::CopyTo(_) => Err(refuse("`COPY … TO` (it writes files)")),
        DfStatement::CreateExternalTable(_) => {
            Err(refuse("`CREATE EXTERNAL TABLE` (it reads arbitrary files)"))
        }
        other => Err(refuse(&verb(&other.to_string()))),
    }
}

/// DataFusion's own verifier: no DDL, no DML, no statements.
pub(crate) fn verify(plan: &LogicalPlan) -> Result<(), String> {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
        .verify_plan(plan)
        .map_err(|e| refuse(&format!("this statement ({e})")))
}

//! Set-based validation in DataFusion: accepted values, value rules, duplicate primary
//! keys, orphan foreign keys and row-level checks, each one query over the typed table,
//! each violation pointing at file, row, column and value with a suggested fix.

use crate::catalog::ingest::{FILE_COL, IngestedTable, ROW_COL, Violation};
use crate::error::{Error, Result};
use crate::model::schema::{ColType, Rule, Table};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Int32Type, Int64Type};
use datafusion::prelude::SessionContext;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A set-based check: the SQL that finds violating rows and how to describe them.
struct SqlCheck {
    column: String,
    sql: String,
    problem: String,
    fix: String,
    /// The table a foreign key points to: an orphan whose parent was rejected is told so.
    parent: Option<&'static str>,
}

fn value_rule_sql(name: &str, ty: ColType, rule: Option<Rule>) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let ColType::Enum(values) = ty {
        let list = values
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push((
            format!("t.{name} NOT IN ({list})"),
            format!("is not an accepted value (accepted: {})", values.join(", ")),
            "use one of the accepted values exactly (lowercase); misura never maps values silently"
                .into(),
        ));
    }
    match rule {
        Some(Rule::NonNegative) => out.push((
            format!("t.{name} < 0"),
            "is negative".into(),
            "amounts and counts must be >= 0; refunds belong in a separate export".into(),
        )),
        Some(Rule::Range(lo, hi)) => out.push((
            format!("(t.{name} < {lo} OR t.{name} > {hi})"),
            format!("is outside the range [{lo}, {hi}]"),
            format!("values of {name} must lie between {lo} and {hi}"),
        )),
        Some(Rule::Pattern(re, desc)) => out.push((
            format!("NOT regexp_like(t.{name}, '{re}')"),
            format!("is not {desc}"),
            format!("write {desc}"),
        )),
        None => {}
    }
    out
}

fn checks_for(
    table: &Table,
    typed: &str,
    present: &BTreeSet<&str>,
    warnings: &mut Vec<String>,
) -> Vec<SqlCheck> {
    let mut checks = Vec::new();
    let sel = |value: &str| {
        format!("SELECT t.{FILE_COL}, t.{ROW_COL}, CAST({value} AS VARCHAR) AS value")
    };
    for c in table.columns {
        for (pred, problem, fix) in value_rule_sql(c.name, c.ty, c.rule) {
            checks.push(SqlCheck {
                column: c.name.into(),
                sql: format!(
                    "{} FROM {typed} t WHERE t.{} IS NOT NULL AND {pred}",
                    sel(&format!("t.{}", c.name)),
                    c.name
                ),
                problem,
                fix,
                parent: None,
            });
        }
    }
    if !table.primary_key.is_empty() {
        let pk = table.primary_key.join(", ");
        let not_null = table
            .primary_key
            .iter()
            .map(|k| format!("{k} IS NOT NULL"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let value = table
            .primary_key
            .iter()
            .map(|k| format!("CAST(t.{k} AS VARCHAR)"))
            .collect::<Vec<_>>()
            .join(", ");
        let w = format!("PARTITION BY {pk} ORDER BY {FILE_COL}, {ROW_COL}");
        // Keys seen more than once are found by a hash aggregate; only their rows are then
        // numbered by the window (sorting every row of a large table took most of the check).
        let on = table
            .primary_key
            .iter()
            .map(|k| format!("k.{k} = x.{k}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let dup_rows = format!(
            "SELECT k.* FROM {typed} k JOIN (SELECT {pk} FROM {typed} WHERE {not_null} GROUP BY {pk} HAVING count(*) > 1) x ON {on}"
        );
        checks.push(SqlCheck {
            column: pk.clone(),
            sql: format!(
                "SELECT t.{FILE_COL}, t.{ROW_COL}, concat_ws(', ', {value}) AS value, t.first_file, t.first_row \
                 FROM (SELECT *, row_number() OVER ({w}) AS rn, first_value({FILE_COL}) OVER ({w}) AS first_file, first_value({ROW_COL}) OVER ({w}) AS first_row \
                 FROM ({dup_rows}) d) t WHERE t.rn > 1"
            ),
            problem: format!("duplicates the primary key ({pk}) of an earlier row"),
            fix: "remove the duplicate from the export; the first occurrence is kept when on_invalid = \"reject\"".into(),
            parent: None,
        });
    }
    for fk in table.foreign_keys {
        if !present.contains(fk.table) {
            warnings.push(format!(
                "{}.{} references {}, which is absent: references not checked",
                table.name, fk.column, fk.table
            ));
            continue;
        }
        checks.push(SqlCheck {
            column: fk.column.into(),
            sql: format!(
                "{} FROM {typed} t WHERE t.{c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {p} r WHERE r.{rc} = t.{c})",
                sel(&format!("t.{}", fk.column)),
                c = fk.column,
                p = fk.table,
                rc = fk.ref_column
            ),
            problem: format!("is not found in {}.{}", fk.table, fk.ref_column),
            fix: format!("export the referenced {} row too, or leave the reference empty", fk.table),
            parent: Some(fk.table),
        });
    }
    for check in table.checks {
        let join = match check.join {
            Some((other, _)) if !present.contains(other) => continue,
            Some((other, on)) => format!("LEFT JOIN {other} r ON {on}"),
            None => String::new(),
        };
        checks.push(SqlCheck {
            column: check.column.into(),
            sql: format!(
                "SELECT DISTINCT t.{FILE_COL}, t.{ROW_COL}, CAST(t.{c} AS VARCHAR) AS value FROM {typed} t {join} WHERE {v}",
                c = check.column,
                v = check.violation
            ),
            problem: check.reason.into(),
            fix: check.fix.into(),
            parent: None,
        });
    }
    checks
}

/// Primary keys of rows of already loaded tables that are not registered: set aside as
/// invalid, or left out as lying after the as-of.
#[derive(Debug, Default)]
pub struct LeftOutKeys {
    /// Per table, keys of the rows rejected (policy `reject`).
    pub rejected: HashMap<&'static str, HashSet<String>>,
    /// Per table, keys of the rows after the as-of.
    pub after_as_of: HashMap<&'static str, HashSet<String>>,
}

/// Runs every set-based check of `ingested` (registered in `ctx` as `typed_name`) and adds
/// the violations to it. Referenced tables must already be registered under their names.
/// A reference to a row that was rejected is an orphan because its parent was rejected (said
/// so, not "export it"); a reference to a row after the as-of puts the referring row after
/// the as-of too (`after_as_of_by_reference`): as the data stood then, neither existed.
pub(crate) async fn validate(
    ctx: &SessionContext,
    ingested: &mut IngestedTable,
    typed_name: &str,
    present: &BTreeSet<&str>,
    left_out: &LeftOutKeys,
) -> Result<()> {
    let table = ingested.table;
    let checks = checks_for(table, typed_name, present, &mut ingested.warnings);
    for check in checks {
        let context = || format!("validating {}.{}", table.name, check.column);
        let batches: Vec<RecordBatch> = ctx
            .sql(&check.sql)
            .await
            .map_err(|e| Error::engine(context(), e))?
            .collect()
            .await
            .map_err(|e| Error::engine(context(), e))?;
        let what = context();
        for batch in &batches {
            let b = crate::arrow_io::Named::new(batch, &what);
            let files = b.column(FILE_COL)?.as_primitive::<Int32Type>();
            let rows = b.column(ROW_COL)?.as_primitive::<Int64Type>();
            let values = b.text("value")?;
            // The duplicate-key check also returns where the key was first seen.
            let first = match (
                batch.column_by_name("first_file"),
                batch.column_by_name("first_row"),
            ) {
                (Some(f), Some(r)) => Some((
                    f.as_primitive::<Int32Type>().clone(),
                    r.as_primitive::<Int64Type>().clone(),
                )),
                _ => None,
            };
            let rejected = check
                .parent
                .and_then(|p| left_out.rejected.get(p).map(|k| (p, k)));
            let later = check.parent.and_then(|p| left_out.after_as_of.get(p));
            for i in 0..b.num_rows() {
                let value = values.is_valid(i).then(|| values.value(i).to_string());
                if let (Some(keys), Some(v)) = (later, &value)
                    && keys.contains(v)
                {
                    ingested
                        .after_as_of_by_reference
                        .insert((files.value(i) as usize, rows.value(i)));
                    continue;
                }
                let (mut problem, mut fix) = (check.problem.clone(), check.fix.clone());
                if let Some((f, r)) = &first {
                    let earlier = &ingested.files[f.value(i) as usize];
                    let line = match earlier.format {
                        crate::config::Format::Csv => format!(" (line {})", r.value(i) + 1),
                        _ => String::new(),
                    };
                    problem = format!(
                        "duplicates the primary key ({}) of {} row {}{line}",
                        check.column,
                        earlier.path,
                        r.value(i)
                    );
                }
                if let (Some((parent, keys)), Some(v)) = (rejected, &value)
                    && keys.contains(v)
                {
                    problem = format!(
                        "refers to a {parent} row that was exported but rejected as invalid (see rejects/{parent}.csv)"
                    );
                    fix = format!(
                        "correct that {parent} row; this row is set aside with it and comes back once its parent is valid"
                    );
                }
                ingested.violations.push(Violation {
                    file: files.value(i) as usize,
                    row: rows.value(i),
                    column: check.column.clone(),
                    value,
                    problem,
                    fix,
                });
            }
        }
    }
    ingested
        .violations
        .sort_by(|a, b| (a.file, a.row, &a.column).cmp(&(b.file, b.row, &b.column)));
    Ok(())
}

/// Renders one violation for people: `file row N (line M), column `c`: value "v" problem`.
pub(crate) fn describe(v: &Violation, ingested: &IngestedTable) -> String {
    let file = &ingested.files[v.file];
    let place = match file.format {
        crate::config::Format::Csv => format!("row {} (line {})", v.row, v.row + 1),
        _ => format!("row {}", v.row),
    };
    let value = match &v.value {
        Some(s) => format!("value {s:?}"),
        None => "value".to_string(),
    };
    if v.column.is_empty() {
        // A line that could not be taken as a record: no column to name.
        let text = v.value.as_deref().unwrap_or_default();
        return format!("{} {place}: the line {} ({text:?})", file.path, v.problem);
    }
    format!(
        "{} {place}, column `{}`: {value} {}",
        file.path, v.column, v.problem
    )
}

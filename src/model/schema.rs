//! Types that describe a canonical table: columns with their logical type, nullability,
//! accepted values and value rules, primary and foreign keys, and row-level checks.
//!
//! The definitions themselves live in [`super::tables`]; this file only owns the vocabulary
//! and the translation of a definition into an Arrow schema.

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::sync::Arc;

/// Logical type of a canonical column, as the data model documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Free text.
    Str,
    /// 64-bit integer.
    Int,
    /// 64-bit float (money, scores, rates).
    Float,
    /// `true`/`false` (also `1`/`0`, `yes`/`no`).
    Bool,
    /// UTC timestamp, ISO 8601 in CSV.
    Timestamp,
    /// Calendar date `YYYY-MM-DD`.
    Date,
    /// Lowercase string restricted to the listed values.
    Enum(&'static [&'static str]),
}

impl ColType {
    /// The Arrow type a column of this logical type has once ingested.
    pub fn data_type(self) -> DataType {
        match self {
            ColType::Str | ColType::Enum(_) => DataType::Utf8,
            ColType::Int => DataType::Int64,
            ColType::Float => DataType::Float64,
            ColType::Bool => DataType::Boolean,
            ColType::Timestamp => DataType::Timestamp(TimeUnit::Nanosecond, None),
            ColType::Date => DataType::Date32,
        }
    }

    /// Short name used in documentation and error messages.
    pub fn name(self) -> &'static str {
        match self {
            ColType::Str => "string",
            ColType::Int => "int64",
            ColType::Float => "float64",
            ColType::Bool => "bool",
            ColType::Timestamp => "timestamp",
            ColType::Date => "date",
            ColType::Enum(_) => "enum",
        }
    }

    /// What a valid value looks like, for error messages.
    pub fn expected(self) -> String {
        match self {
            ColType::Str => "text".into(),
            ColType::Int => "a whole number, e.g. 42".into(),
            ColType::Float => "a number with `.` as decimal separator, e.g. 12.50".into(),
            ColType::Bool => "true/false (or 1/0, yes/no)".into(),
            ColType::Timestamp => "a UTC ISO 8601 timestamp, e.g. 2026-03-01T09:15:00Z".into(),
            ColType::Date => "a date YYYY-MM-DD, e.g. 2026-03-01".into(),
            ColType::Enum(values) => format!("one of: {}", values.join(", ")),
        }
    }
}

/// A value rule checked on non-null values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Value must be within `[min, max]`, both inclusive.
    Range(f64, f64),
    /// Value must be `>= 0`.
    NonNegative,
    /// Value must match the SQL regular expression.
    Pattern(&'static str, &'static str),
}

/// One canonical column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// snake_case name.
    pub name: &'static str,
    /// Logical type.
    pub ty: ColType,
    /// Whether null (empty in CSV) is allowed.
    pub nullable: bool,
    /// Optional value rule.
    pub rule: Option<Rule>,
    /// One-line meaning, shown in docs and `\d`.
    pub doc: &'static str,
}

/// A foreign key: `column` must exist in `table.ref_column` when not null.
#[derive(Debug, Clone, Copy)]
pub struct ForeignKey {
    /// Column in this table.
    pub column: &'static str,
    /// Referenced table.
    pub table: &'static str,
    /// Referenced column (its primary key).
    pub ref_column: &'static str,
}

/// A row-level rule that may involve several columns or another table.
///
/// `violation` is a SQL boolean expression over the alias `t` (this table) that is true
/// for an invalid row; when `join` is set, the referenced table is joined as `r` with the
/// given condition (a left join, so rows without a match are not violations).
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Column the message points at.
    pub column: &'static str,
    /// SQL predicate over `t` (and `r`) that holds for invalid rows.
    pub violation: &'static str,
    /// Optional joined table and join condition: (table, condition over `t` and `r`).
    pub join: Option<(&'static str, &'static str)>,
    /// What is wrong, in words.
    pub reason: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// One canonical table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// snake_case table name; also the default file name stem.
    pub name: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// Columns in canonical order.
    pub columns: &'static [Column],
    /// Primary-key columns (unique together, not null); empty when the table has none.
    pub primary_key: &'static [&'static str],
    /// Foreign keys.
    pub foreign_keys: &'static [ForeignKey],
    /// Row-level checks.
    pub checks: &'static [Check],
    /// The column that places a row in time (the analysis window uses it).
    pub time_column: Option<&'static str>,
}

impl Table {
    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The Arrow schema of the ingested table.
    pub fn arrow_schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(c.name, c.ty.data_type(), c.nullable))
                .collect::<Vec<_>>(),
        ))
    }

    /// Position of the primary key column when the key is a single column (what foreign
    /// keys of other tables refer to).
    pub fn single_key_index(&self) -> Option<usize> {
        match self.primary_key {
            [pk] => self.columns.iter().position(|c| c.name == *pk),
            _ => None,
        }
    }

    /// Tables this one references through foreign keys or joined checks.
    pub fn depends_on(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.foreign_keys
            .iter()
            .map(|fk| fk.table)
            .chain(self.checks.iter().filter_map(|c| c.join.map(|j| j.0)))
            .filter(move |t| *t != self.name)
    }
}

/// Shorthand constructors used by the table definitions.
pub(crate) mod col {
    use super::{ColType, Column, Rule};

    /// A required column.
    pub const fn req(name: &'static str, ty: ColType, doc: &'static str) -> Column {
        Column {
            name,
            ty,
            nullable: false,
            rule: None,
            doc,
        }
    }

    /// A nullable column.
    pub const fn opt(name: &'static str, ty: ColType, doc: &'static str) -> Column {
        Column {
            name,
            ty,
            nullable: true,
            rule: None,
            doc,
        }
    }

    /// Adds a value rule to a column.
    pub const fn with(mut c: Column, rule: Rule) -> Column {
        c.rule = Some(rule);
        c
    }
}

//! A query's output read by column name, against the output schema its sidecar declares:
//! reordering or renaming a SELECT's columns is an error that names the file, never a
//! silent misreading.

use super::read;
use crate::error::{Error, Result};
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Schema};
use serde::Deserialize;

/// The logical type of an output column (the engine may choose among several Arrow types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Any string type.
    Text,
    /// Any integer type.
    Integer,
    /// Any numeric type (integers and decimals included), read as `f64`.
    Float,
    /// Boolean.
    Boolean,
}

impl Kind {
    /// Whether a column of Arrow type `t` holds this kind (a column of nulls holds any).
    pub fn accepts(self, t: &DataType) -> bool {
        if t.is_null() {
            return true;
        }
        match self {
            Kind::Text => matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8),
            Kind::Integer => t.is_integer(),
            Kind::Float => t.is_numeric(),
            Kind::Boolean => matches!(t, DataType::Boolean),
        }
    }
}

/// One declared output column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputColumn {
    /// Column name, as the SELECT names it.
    pub name: String,
    /// Its logical type.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// What it holds, in words.
    pub doc: String,
}

/// The declared output of a query (a model query's `<name>.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSchema {
    /// What one row is.
    pub grain: String,
    /// The columns, in any order.
    pub columns: Vec<OutputColumn>,
}

impl OutputSchema {
    /// Checks an output against the declaration: every declared column is there with its
    /// kind, and nothing else is. `file` is named in the error.
    pub fn check(&self, schema: &Schema, file: &str) -> Result<()> {
        let bad = |problem: String| Error::QueryDefinition {
            file: file.to_string(),
            problem,
        };
        let returned: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        for c in &self.columns {
            let Some(f) = schema.fields().iter().find(|f| f.name() == &c.name) else {
                return Err(bad(format!(
                    "its sidecar declares output column `{}`, which the query does not return (it returns: {})",
                    c.name,
                    returned.join(", ")
                )));
            };
            if !c.kind.accepts(f.data_type()) {
                return Err(bad(format!(
                    "output column `{}` is {}, but its sidecar declares {:?}",
                    c.name,
                    f.data_type(),
                    c.kind
                )));
            }
        }
        if let Some(extra) = returned
            .iter()
            .find(|n| !self.columns.iter().any(|c| c.name == **n))
        {
            return Err(bad(format!(
                "the query returns column `{extra}`, which its sidecar does not declare"
            )));
        }
        Ok(())
    }
}

/// One batch of a query's output, read by column name.
pub struct Named<'a> {
    batch: &'a RecordBatch,
    file: &'a str,
}

impl<'a> Named<'a> {
    /// Reads `batch`, the output of `file`.
    pub fn new(batch: &'a RecordBatch, file: &'a str) -> Self {
        Named { batch, file }
    }

    /// Rows in the batch.
    pub fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Result<&'a ArrayRef> {
        self.batch
            .column_by_name(name)
            .ok_or_else(|| Error::QueryDefinition {
                file: self.file.to_string(),
                problem: format!("the output has no column `{name}`"),
            })
    }

    /// A string column.
    pub fn text(&self, name: &str) -> Result<StringArray> {
        Ok(read::text(self.column(name)?))
    }

    /// A numeric column as `f64` values.
    pub fn floats(&self, name: &str) -> Result<Vec<Option<f64>>> {
        read::floats(
            self.column(name)?,
            &format!("reading {} of {}", name, self.file),
        )
    }

    /// A boolean column, null read as false.
    pub fn bools(&self, name: &str) -> Result<Vec<bool>> {
        Ok(read::bools(self.column(name)?))
    }

    /// A column cast to `to`.
    pub fn cast(&self, name: &str, to: &DataType) -> Result<ArrayRef> {
        datafusion::arrow::compute::cast(self.column(name)?, to)
            .map_err(|e| Error::engine(format!("reading {} of {}", name, self.file), e.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int64Array};
    use datafusion::arrow::datatypes::Field;
    use std::sync::Arc;

    fn schema() -> OutputSchema {
        toml::from_str(
            r#"
grain = "one row per thing"
[[columns]]
name = "id"
type = "integer"
doc = "the thing"
[[columns]]
name = "value"
type = "float"
doc = "its value"
"#,
        )
        .unwrap()
    }

    #[test]
    fn an_output_is_read_by_name_whatever_the_order_of_its_columns() {
        let s = Arc::new(Schema::new(vec![
            Field::new("value", DataType::Float64, true),
            Field::new("id", DataType::Int64, false),
        ]));
        let b = RecordBatch::try_new(
            s.clone(),
            vec![
                Arc::new(Float64Array::from(vec![Some(2.5), None])),
                Arc::new(Int64Array::from(vec![7, 8])),
            ],
        )
        .unwrap();
        schema().check(&s, "q.sql").unwrap();
        let n = Named::new(&b, "q.sql");
        assert_eq!(n.floats("value").unwrap(), vec![Some(2.5), None]);
        assert_eq!(n.floats("id").unwrap(), vec![Some(7.0), Some(8.0)]);
        let e = n.column("nope").unwrap_err().to_string();
        assert!(e.contains("q.sql") && e.contains("nope"), "{e}");
    }

    #[test]
    fn a_missing_extra_or_mistyped_column_is_an_error_naming_the_file() {
        let of = |fields: Vec<Field>| Schema::new(fields);
        let missing = schema()
            .check(&of(vec![Field::new("id", DataType::Int64, false)]), "q.sql")
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("q.sql") && missing.contains("`value`"),
            "{missing}"
        );
        let extra = schema()
            .check(
                &of(vec![
                    Field::new("id", DataType::Int64, false),
                    Field::new("value", DataType::Float64, true),
                    Field::new("more", DataType::Utf8, true),
                ]),
                "q.sql",
            )
            .unwrap_err()
            .to_string();
        assert!(extra.contains("`more`"), "{extra}");
        let typed = schema()
            .check(
                &of(vec![
                    Field::new("id", DataType::Utf8, false),
                    Field::new("value", DataType::Float64, true),
                ]),
                "q.sql",
            )
            .unwrap_err()
            .to_string();
        assert!(typed.contains("Integer"), "{typed}");
    }
}

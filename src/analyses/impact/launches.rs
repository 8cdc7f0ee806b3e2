//! The validated `launches` table, read into the launches a run judges.

use crate::arrow_io::Named;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use datafusion::arrow::array::Array;
use datafusion::prelude::SessionContext;

/// One launch of a use case.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// Launch id.
    pub id: String,
    /// Use case launched.
    pub use_case: String,
    /// First day live.
    pub launched_on: NaiveDate,
    /// Where it went live first (dimension, value); `None` for everywhere.
    pub scope: Option<(String, String)>,
    /// Last day live, when it ended.
    pub ended_on: Option<NaiveDate>,
    /// What was launched.
    pub description: Option<String>,
}

const SQL: &str = "SELECT launch_id, use_case, \
    to_char(launched_on, '%Y-%m-%d') AS launched_on, scope_dimension, scope_value, \
    to_char(ended_on, '%Y-%m-%d') AS ended_on, description \
    FROM launches ORDER BY launch_id";

/// Every launch, by id.
pub async fn read(ctx: &SessionContext) -> Result<Vec<Launch>> {
    let fail = |e| Error::engine("reading launches", e);
    let batches = ctx
        .sql(SQL)
        .await
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)?;
    let day = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|e| Error::report("launches", format!("date `{s}`: {e}")))
    };
    let mut out = Vec::new();
    for b in &batches {
        let b = Named::new(b, "launches");
        let text = |c: &str| b.text(c);
        let (id, uc, on) = (text("launch_id")?, text("use_case")?, text("launched_on")?);
        let (dim, val) = (text("scope_dimension")?, text("scope_value")?);
        let (end, desc) = (text("ended_on")?, text("description")?);
        let opt = |a: &datafusion::arrow::array::StringArray, i: usize| {
            (!a.is_null(i)).then(|| a.value(i).to_string())
        };
        for i in 0..b.num_rows() {
            out.push(Launch {
                id: id.value(i).to_string(),
                use_case: uc.value(i).to_string(),
                launched_on: day(on.value(i))?,
                scope: opt(&dim, i).zip(opt(&val, i)),
                ended_on: opt(&end, i).map(|d| day(&d)).transpose()?,
                description: opt(&desc, i),
            });
        }
    }
    Ok(out)
}

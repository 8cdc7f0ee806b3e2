//! Names for the ids a breakdown KPI reports by (`campaign_id` → the campaign's name,
//! `event_id` → the event's), from the model query `dimension_labels.sql`. Topics, segments
//! and channels are names already and need none.

use crate::config::params::Parameters;
use crate::error::Result;
use crate::kpi::load::QuerySet;
use datafusion::arrow::array::Array;
use datafusion::prelude::SessionContext;
use std::collections::BTreeMap;

/// Display names of dimension values, by (dimension, value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels(BTreeMap<(String, String), String>);

impl Labels {
    /// The name of `value` of `dimension`, when it has one.
    pub fn get(&self, dimension: &str, value: &str) -> Option<&str> {
        self.0
            .get(&(dimension.to_string(), value.to_string()))
            .map(String::as_str)
    }

    /// From (dimension, value, label) triples; a later name of the same value wins.
    pub fn from_triples(triples: impl IntoIterator<Item = (String, String, String)>) -> Self {
        Labels(triples.into_iter().map(|(d, v, l)| ((d, v), l)).collect())
    }
}

/// Runs `dimension_labels.sql` (absent tables are registered empty: their ids get no name).
pub async fn load(ctx: &SessionContext, queries: &QuerySet, params: &Parameters) -> Result<Labels> {
    let mut triples = Vec::new();
    for b in queries
        .run_model(ctx, params, "dimension_labels")
        .await?
        .iter()
    {
        let (d, v, l) = (b.text("dimension")?, b.text("value")?, b.text("label")?);
        for i in 0..d.len() {
            // Ids and names are required columns: validation leaves no null behind.
            if d.is_null(i) || v.is_null(i) || l.is_null(i) {
                continue;
            }
            triples.push((
                d.value(i).to_string(),
                v.value(i).to_string(),
                l.value(i).to_string(),
            ));
        }
    }
    Ok(Labels::from_triples(triples))
}

//! UC04's attributed revenue and ROAS per campaign: the default model again, crediting
//! campaigns, over the campaign costs of the KPI SQL.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;

/// Adds `uc04.attributed_revenue` and `uc04.roas` to the KPI rows.
pub(crate) struct Uc04;

#[async_trait]
impl Stage for Uc04 {
    fn name(&self) -> &'static str {
        "uc04"
    }
    fn failure_name(&self) -> &'static str {
        "UC04"
    }
    fn file(&self) -> &'static str {
        "queries/models/journeys.sql"
    }
    fn needs(&self) -> &'static [Need] {
        &[Need::Table("campaigns"), Need::Result(Slot::Journeys)]
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::Journeys, Slot::SqlKpis]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::KpiRows]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let journeys = done.journeys.as_ref().expect("needs Result(Journeys)");
        let rows = crate::analyses::roi::uc04::kpis(
            journeys,
            &cx.run.default_attribution_model,
            &crate::analyses::roi::model_params(cx.run),
            &done.kpis.values,
        )?;
        Ok(Product::KpiRows(rows).into())
    }
}

//! Journeys from touchpoints to conversions, credited by every attribution model.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use tracing::info;

/// Builds the journeys and runs every model on them into `attribution`.
pub struct Attribution;

#[async_trait]
impl Stage for Attribution {
    fn name(&self) -> &'static str {
        "attribution"
    }
    fn file(&self) -> &'static str {
        "queries/models/journeys.sql"
    }
    fn needs(&self) -> &'static [Need] {
        &[
            Need::Table("touchpoints"),
            Need::AnyTable(&["orders", "opportunities"]),
        ]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Attribution, Slot::Journeys]
    }

    async fn run(&self, cx: &RunContext<'_>, _: &Results) -> Result<Output> {
        let journeys = crate::analyses::attribution::journeys::load(
            &cx.catalog.ctx,
            cx.queries,
            cx.run.sql(),
            cx.run.attribution_lookback_days,
        )
        .await?;
        let m = crate::analyses::roi::model_params(cx.run);
        let models = crate::analyses::attribution::models(
            m.half_life_days,
            m.markov_order,
            m.shapley_max_channels,
        )?;
        let refs: Vec<&dyn crate::analyses::attribution::Model> =
            models.iter().map(|m| m.as_ref()).collect();
        let rows = crate::analyses::attribution::attribute(&journeys, &refs)?;
        info!(
            stage = "attribution",
            conversions = journeys.converting.len(),
            coverage = journeys.coverage().unwrap_or(0.0),
            "journeys attributed"
        );
        Ok(Product::Attribution(rows, journeys).into())
    }
}

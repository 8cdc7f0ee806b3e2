//! Holdout experiments read on their arms' conversions.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use tracing::info;

/// Reads every experiment into `experiments_result`.
pub(crate) struct Experiments;

#[async_trait]
impl Stage for Experiments {
    fn name(&self) -> &'static str {
        "experiments"
    }
    fn file(&self) -> &'static str {
        "queries/models/experiment_arms.sql"
    }
    // An experiment is read on its arms' conversions: without them it measures nothing.
    fn needs(&self) -> &'static [Need] {
        &[
            Need::Table("experiments"),
            Need::Table("experiment_assignments"),
            Need::ConversionTable,
        ]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Experiments]
    }

    async fn run(&self, cx: &RunContext<'_>, _: &Results) -> Result<Output> {
        let results =
            crate::analyses::experiments::run(&cx.catalog.ctx, cx.queries, cx.run).await?;
        for r in &results {
            info!(stage = "experiments", experiment = %r.experiment_id, label = %r.label, "experiment evaluated");
        }
        Ok(Product::Experiments(results).into())
    }
}

//! The perception gap: what customers say matters against how they rate it, by segment.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;

/// Computes `perception_gap` and `perception_rank` from the survey.
pub struct Perception;

#[async_trait]
impl Stage for Perception {
    fn name(&self) -> &'static str {
        "perception"
    }
    fn failure_name(&self) -> &'static str {
        "perception_gap"
    }
    fn file(&self) -> &'static str {
        "queries/models/perception_gap.sql"
    }
    fn needs(&self) -> &'static [Need] {
        &[Need::Table("survey_responses")]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Perception]
    }

    async fn run(&self, cx: &RunContext<'_>, _: &Results) -> Result<Output> {
        let p = crate::analyses::perception::run(&cx.catalog.ctx, cx.queries, cx.run).await?;
        Ok(Product::Perception(p).into())
    }
}

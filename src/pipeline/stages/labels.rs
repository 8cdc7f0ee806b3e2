//! The names of the campaigns and events the breakdown KPIs report by id, for the report.

use crate::error::Result;
use crate::pipeline::stage::{Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;

/// Reads `dimension_labels`.
pub(crate) struct Labels;

#[async_trait]
impl Stage for Labels {
    fn name(&self) -> &'static str {
        "labels"
    }
    fn file(&self) -> &'static str {
        "queries/models/dimension_labels.sql"
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Labels]
    }

    async fn run(&self, cx: &RunContext<'_>, _done: &Results) -> Result<Output> {
        let labels = crate::kpi::labels::load(&cx.catalog.ctx, cx.queries, cx.run.sql()).await?;
        Ok(Product::Labels(labels).into())
    }
}

//! A counterfactual for every launch: BSTS and synthetic control, with their checks.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use tracing::info;

/// Judges every launch into `impact` and `impact_series`.
pub(crate) struct Impact;

#[async_trait]
impl Stage for Impact {
    fn name(&self) -> &'static str {
        "impact"
    }
    fn file(&self) -> &'static str {
        "src/analyses/impact/mod.rs"
    }
    fn needs(&self) -> &'static [Need] {
        &[Need::Table("launches")]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Impact]
    }

    async fn run(&self, cx: &RunContext<'_>, _: &Results) -> Result<Output> {
        let impact = crate::analyses::impact::run(&cx.catalog.ctx, cx.queries, cx.run).await?;
        for r in &impact.rows {
            info!(stage = "impact", launch = %r.launch_id, use_case = %r.use_case, method = r.method, verdict = r.verdict.as_str(), effect = r.effect, "launch judged");
        }
        let notes = impact.notes.clone();
        Ok(Output {
            notes,
            ..Output::from(Product::Impact(impact))
        })
    }
}

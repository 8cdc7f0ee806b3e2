//! Experiment plans: the holdout that would measure each weakly evidenced use case.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use tracing::info;

/// Plans a holdout for every use case whose value rests on evidence weaker than an experiment.
pub(crate) struct Plans;

#[async_trait]
impl Stage for Plans {
    fn name(&self) -> &'static str {
        "experiment_plans"
    }
    fn file(&self) -> &'static str {
        "queries/models/plan_exposures.sql"
    }
    // A plan is for a valued use case: without the ROI there is nothing to plan for.
    fn needs(&self) -> &'static [Need] {
        &[Need::Result(Slot::Roi), Need::Table("contacts")]
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::Roi]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Plans]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let roi = done.roi.as_ref().expect("needed");
        let rows = crate::analyses::plans::run(&cx.catalog.ctx, cx.queries, cx.run, roi).await?;
        for r in rows.iter().filter(|r| r.recommended) {
            info!(stage = "experiment_plans", use_case = %r.use_case, weeks = r.weeks, holdout = r.proposed_share(), "holdout planned");
        }
        Ok(Product::Plans(rows).into())
    }
}

//! ROI per use case: cost, value by driver, interval and evidence class.

use crate::error::Result;
use crate::pipeline::stage::{Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use tracing::info;

/// Values every use case into `roi` and `roi_drivers`.
pub struct Roi;

#[async_trait]
impl Stage for Roi {
    fn name(&self) -> &'static str {
        "roi"
    }
    fn file(&self) -> &'static str {
        "queries/models/roi_units.sql"
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::Experiments, Slot::Journeys, Slot::Clv, Slot::Impact]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Roi]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let roi = crate::analyses::roi::run(
            &cx.catalog.ctx,
            cx.queries,
            cx.run,
            &cx.catalog.present,
            cx.catalogue,
            crate::analyses::roi::Upstream {
                journeys: done.journeys.as_ref(),
                clv: done.clv.as_ref(),
                impact: done.impact.as_ref(),
                experiments: done.experiments.as_deref(),
            },
        )
        .await?;
        for r in &roi.rows {
            info!(stage = "roi", use_case = %r.use_case, cost = r.cost, value = r.value, evidence = r.evidence.map_or("none", |e| e.as_str()), "use case valued");
        }
        let notes = crate::pipeline::notes::unmeasured_drivers(&roi.unmeasured);
        Ok(Output {
            notes,
            ..Output::from(Product::Roi(roi))
        })
    }
}

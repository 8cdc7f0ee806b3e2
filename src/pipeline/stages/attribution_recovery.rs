//! How well each attribution model recovers what was planted (on data from `misura
//! generate`, whose `truth.json` sits beside the tables) and how much the models agree (on
//! any data): the `attribution_recovery` table and the report's method note.

use crate::analyses::attribution::recovery::{Planted, recovery};
use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use tracing::info;

/// Scores every attribution model's credit per touch.
pub struct AttributionRecovery;

#[async_trait]
impl Stage for AttributionRecovery {
    fn name(&self) -> &'static str {
        "attribution_recovery"
    }
    fn file(&self) -> &'static str {
        "truth.json"
    }
    fn needs(&self) -> &'static [Need] {
        &[
            Need::Result(Slot::Attribution),
            Need::Result(Slot::Journeys),
        ]
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::Attribution, Slot::Journeys]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::AttributionRecovery]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let rows = done
            .attribution
            .as_ref()
            .expect("needs Result(Attribution)");
        let journeys = done.journeys.as_ref().expect("needs Result(Journeys)");
        let planted = Planted::read(cx.data_root)?;
        let table = recovery(rows, journeys, planted.as_ref());
        for r in &table {
            info!(
                stage = "attribution_recovery",
                model = %r.model,
                rho_planted = r.rho_planted.unwrap_or(f64::NAN),
                agreement = r.agreement.unwrap_or(f64::NAN),
                "attribution model scored"
            );
        }
        Ok(Product::AttributionRecovery(table).into())
    }
}

//! UC18's CLV of advocates and of the other customers, with bootstrap intervals.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;

/// Adds `uc18.clv_advocates` and `uc18.clv_others` to the KPI rows.
pub(crate) struct Uc18;

#[async_trait]
impl Stage for Uc18 {
    fn name(&self) -> &'static str {
        "uc18"
    }
    fn failure_name(&self) -> &'static str {
        "UC18"
    }
    fn file(&self) -> &'static str {
        "queries/models/clv_rfm.sql"
    }
    fn needs(&self) -> &'static [Need] {
        &[Need::Result(Slot::Clv)]
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::Clv]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::KpiRows]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let clv = done.clv.as_ref().expect("needs Result(Clv)");
        let rows = crate::analyses::clv::uc18::kpis(clv, cx.run.bootstrap_samples, cx.run.seed)?;
        Ok(Product::KpiRows(rows).into())
    }
}

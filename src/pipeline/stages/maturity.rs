//! The Social Business maturity stage per dimension and period.

use crate::error::Result;
use crate::pipeline::stage::{Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;

/// Assesses maturity from indicators and KPI rows into `maturity`.
pub struct Maturity;

#[async_trait]
impl Stage for Maturity {
    fn name(&self) -> &'static str {
        "maturity"
    }
    fn file(&self) -> &'static str {
        "queries/models/maturity_indicators.sql"
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::KpiRows]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Maturity]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let m = crate::analyses::maturity::run(
            &cx.catalog.ctx,
            cx.queries,
            &cx.settings.parameters,
            &cx.catalog.present,
            &done.kpis.values,
            &cx.settings.maturity_thresholds,
        )
        .await?;
        Ok(Product::Maturity(m).into())
    }
}

//! Customer lifetime value: BG/NBD and Gamma-Gamma fitted on the orders.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;

/// Fits the CLV models into `clv_model` and `clv`.
pub struct Clv;

#[async_trait]
impl Stage for Clv {
    fn name(&self) -> &'static str {
        "clv"
    }
    fn file(&self) -> &'static str {
        "queries/models/clv_rfm.sql"
    }
    fn needs(&self) -> &'static [Need] {
        &[Need::Table("orders")]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Clv]
    }

    async fn run(&self, cx: &RunContext<'_>, _: &Results) -> Result<Output> {
        let c = crate::analyses::clv::run(&cx.catalog.ctx, cx.queries, cx.run).await?;
        let mut warnings = Vec::new();
        if let Err(e) = &c.fit {
            warnings.push(format!("CLV: the BG/NBD model could not be fitted: {e}"));
        }
        if let Err(e) = &c.spend {
            warnings.push(format!(
                "CLV: the Gamma-Gamma spend model could not be fitted: {e}"
            ));
        }
        // A fit that stopped before converging still gives estimates: said where they are read.
        let unconverged = [
            c.fit
                .as_ref()
                .ok()
                .filter(|f| !f.converged)
                .map(|f| ("BG/NBD", f.message.clone())),
            c.spend
                .as_ref()
                .ok()
                .filter(|f| !f.converged)
                .map(|f| ("Gamma-Gamma", f.message.clone())),
        ];
        let notes = unconverged.into_iter().flatten().map(|(model, why)| format!(
            "CLV: the {model} fit did not converge ({why}): customer lifetime values, and the retention value of UC03/UC17 built on them, rest on estimates that may be far from the maximum likelihood"
        )).collect();
        Ok(Output {
            notes,
            warnings,
            ..Output::from(Product::Clv(c))
        })
    }
}

//! The service channel mix: cost per contact and repeat contacts per channel.

use crate::error::Result;
use crate::pipeline::stage::{Need, Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;

/// Computes `channel_mix` from the tickets and UC17's repeat-contact rate.
pub(crate) struct ChannelMix;

#[async_trait]
impl Stage for ChannelMix {
    fn name(&self) -> &'static str {
        "channel_mix"
    }
    fn file(&self) -> &'static str {
        "queries/models/channel_mix.sql"
    }
    fn needs(&self) -> &'static [Need] {
        &[Need::Table("tickets")]
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::KpiRows]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::ChannelMix]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let rows = crate::analyses::channel_mix::run(
            &cx.catalog.ctx,
            cx.queries,
            cx.run,
            &done.kpis.values,
        )
        .await?;
        Ok(Product::ChannelMix(rows).into())
    }
}

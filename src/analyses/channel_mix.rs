//! Voice of the customer across channels (docs/domain.md; issue 6): contacts per channel and
//! month, their share, cost per contact and cost (model query `channel_mix.sql`), the
//! repeat-contact rate by channel (`uc17.repeat_contact_rate`, not recomputed), and whether
//! the channel is cheaper than the assisted channel — the shift the sponsor wants to see.

use crate::config::run_params::RunParams;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::kpi::run::KpiValue;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema, UInt64Type};
use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// One row of `channel_mix`.
#[derive(Debug, Clone, PartialEq)]
pub struct MixRow {
    /// `all` or `YYYY-MM`.
    pub period: String,
    /// Channel.
    pub channel: String,
    /// Contacts handled.
    pub contacts: u64,
    /// Share of the period's contacts.
    pub share: f64,
    /// Cost per contact in force at the period's end.
    pub cost_per_contact: Option<f64>,
    /// contacts × cost per contact.
    pub cost: Option<f64>,
    /// Share of tickets followed by another ticket within 7 days (uc17).
    pub repeat_contact_rate: Option<f64>,
    /// Cost per contact below the assisted channel's.
    pub cheaper_than_assisted: Option<bool>,
}

/// Runs the model query and joins the repeat-contact rates.
pub async fn run(
    ctx: &SessionContext,
    queries: &QuerySet,
    run: &RunParams,
    kpis: &[KpiValue],
) -> Result<Vec<MixRow>> {
    let params = run.sql();
    let mut rows = Vec::new();
    for b in queries.run_model(ctx, params, "channel_mix").await?.iter() {
        let (period, channel) = (b.text("period")?, b.text("channel")?);
        let contacts = b.cast("contacts", &DataType::UInt64)?;
        let contacts = contacts.as_primitive::<UInt64Type>();
        let f = |name: &str| b.cast(name, &DataType::Float64);
        let (share, cpc, cost) = (f("share")?, f("cost_per_contact")?, f("cost")?);
        let (share, cpc, cost) = (
            share.as_primitive::<Float64Type>(),
            cpc.as_primitive::<Float64Type>(),
            cost.as_primitive::<Float64Type>(),
        );
        for i in 0..b.num_rows() {
            let opt = |a: &datafusion::arrow::array::PrimitiveArray<Float64Type>| {
                (!a.is_null(i)).then(|| a.value(i))
            };
            rows.push(MixRow {
                period: period.value(i).to_string(),
                channel: channel.value(i).to_string(),
                contacts: contacts.value(i),
                share: share.value(i),
                cost_per_contact: opt(cpc),
                cost: opt(cost),
                repeat_contact_rate: None,
                cheaper_than_assisted: None,
            });
        }
    }
    let assisted = run.assisted_channel.clone();
    let reference: Vec<(String, Option<f64>)> = rows
        .iter()
        .filter(|r| r.channel == assisted)
        .map(|r| (r.period.clone(), r.cost_per_contact))
        .collect();
    for r in &mut rows {
        r.repeat_contact_rate = crate::kpi::run::find(
            kpis,
            "uc17.repeat_contact_rate",
            &r.period,
            Some(&r.channel),
        )
        .and_then(|v| v.value);
        let base = reference
            .iter()
            .find(|(p, _)| *p == r.period)
            .and_then(|(_, c)| *c);
        r.cheaper_than_assisted = match (r.cost_per_contact, base) {
            (Some(c), Some(b)) => Some(c < b),
            _ => None,
        };
    }
    Ok(rows)
}

/// The `channel_mix` table.
pub(crate) fn to_batch(rows: &[MixRow]) -> Result<RecordBatch> {
    let schema = Schema::new(vec![
        Field::new("period", DataType::Utf8, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("contacts", DataType::UInt64, false),
        Field::new("share", DataType::Float64, false),
        Field::new("cost_per_contact", DataType::Float64, true),
        Field::new("cost", DataType::Float64, true),
        Field::new("repeat_contact_rate", DataType::Float64, true),
        Field::new("cheaper_than_assisted", DataType::Boolean, true),
    ]);
    let text = |f: fn(&MixRow) -> &str| -> ArrayRef {
        Arc::new(rows.iter().map(|r| Some(f(r))).collect::<StringArray>())
    };
    let float = |f: fn(&MixRow) -> Option<f64>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<Float64Array>())
    };
    let cols = vec![
        text(|r| &r.period),
        text(|r| &r.channel),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.contacts))
                .collect::<UInt64Array>(),
        ) as ArrayRef,
        float(|r| Some(r.share)),
        float(|r| r.cost_per_contact),
        float(|r| r.cost),
        float(|r| r.repeat_contact_rate),
        Arc::new(
            rows.iter()
                .map(|r| r.cheaper_than_assisted)
                .collect::<BooleanArray>(),
        ),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling channel_mix", e.into()))
}

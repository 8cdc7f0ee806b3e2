//! Journeys and non-converting paths as the models see them, read from the model queries
//! `queries/models/journeys.sql` and `non_converting_paths.sql`. A contact's touches that
//! belong to no journey are cut into spans of at most `attribution_lookback_days` ([`spans`]),
//! so that non-converting paths have the journeys' horizon.

use crate::config::params::Parameters;
use crate::error::Result;
use crate::kpi::load::QuerySet;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::prelude::SessionContext;

/// One touch of a journey.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Touch {
    /// Channel.
    pub channel: String,
    /// Use case (its own or its campaign's).
    pub use_case: Option<String>,
    /// Days from the touch to the conversion.
    pub days_before: f64,
    /// Campaign of the touch, if any.
    pub campaign: Option<String>,
}

/// A conversion with its touches, oldest first (empty: no touch).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Journey {
    /// The converting contact.
    pub contact: String,
    /// Conversion value.
    pub value: f64,
    /// Conversion margin (the order's margin, else `default_margin_rate` × value).
    pub margin: f64,
    /// Touches in order.
    pub touches: Vec<Touch>,
}

/// The input of every attribution model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Journeys {
    /// Converting journeys (with or without touches).
    pub converting: Vec<Journey>,
    /// Channel sequences of non-converting paths (spans of at most the lookback).
    pub non_converting: Vec<Vec<String>>,
    /// The contact of each non-converting path (same order).
    pub path_contacts: Vec<String>,
}

impl Journeys {
    /// Share of conversions with at least one touch.
    pub fn coverage(&self) -> Option<f64> {
        let n = self.converting.len();
        (n > 0).then(|| {
            self.converting
                .iter()
                .filter(|j| !j.touches.is_empty())
                .count() as f64
                / n as f64
        })
    }
}

/// One contact's touches that belong to no journey, oldest first (`at`: seconds since the
/// epoch), cut into non-converting paths: a span starts at the first touch not yet in a span
/// and holds the touches that occurred less than `lookback_days` after it; a touch exactly
/// `lookback_days` after the span's first starts the next span.
pub fn spans<'a>(touches: &[(f64, &'a str)], lookback_days: f64) -> Vec<Vec<&'a str>> {
    let horizon = lookback_days * 86_400.0;
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut first = f64::NEG_INFINITY;
    for &(at, channel) in touches {
        match out.last_mut() {
            Some(span) if at - first < horizon => span.push(channel),
            _ => {
                first = at;
                out.push(vec![channel]);
            }
        }
    }
    out
}

/// Reads the journeys and paths of the catalog in `ctx`; `lookback_days` is
/// `attribution_lookback_days`, the longest span of a non-converting path.
pub async fn load(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
    lookback_days: f64,
) -> Result<Journeys> {
    let mut out = Journeys::default();
    let mut last_id = None;
    for b in queries.run_model(ctx, params, "journeys").await?.iter() {
        let id = b.cast("conversion_id", &DataType::Int64)?;
        let id = id.as_primitive::<Int64Type>();
        let value = b.cast("value", &DataType::Float64)?;
        let value = value.as_primitive::<Float64Type>();
        let (channel, use_case) = (b.text("channel")?, b.text("use_case")?);
        let days = b.cast("days_before", &DataType::Float64)?;
        let days = days.as_primitive::<Float64Type>();
        let contact = b.text("contact_id")?;
        let margin = b.cast("margin", &DataType::Float64)?;
        let margin = margin.as_primitive::<Float64Type>();
        let campaign = b.text("campaign_id")?;
        for i in 0..b.num_rows() {
            if last_id != Some(id.value(i)) {
                out.converting.push(Journey {
                    contact: contact.value(i).to_string(),
                    value: value.value(i),
                    margin: margin.value(i),
                    touches: Vec::new(),
                });
                last_id = Some(id.value(i));
            }
            if channel.is_valid(i) {
                let j = out.converting.last_mut().expect("pushed above");
                j.touches.push(Touch {
                    channel: channel.value(i).to_string(),
                    use_case: use_case.is_valid(i).then(|| use_case.value(i).to_string()),
                    days_before: days.value(i),
                    campaign: campaign.is_valid(i).then(|| campaign.value(i).to_string()),
                });
            }
        }
    }
    // The query orders touches by contact, then time: each contact's run is cut into spans.
    let mut contact_touches: Vec<(f64, String)> = Vec::new();
    let mut last_contact: Option<String> = None;
    let flush = |contact: &Option<String>, touches: &mut Vec<(f64, String)>, out: &mut Journeys| {
        if let Some(contact) = contact {
            let refs: Vec<(f64, &str)> = touches.iter().map(|(t, c)| (*t, c.as_str())).collect();
            for span in spans(&refs, lookback_days) {
                out.non_converting
                    .push(span.into_iter().map(str::to_string).collect());
                out.path_contacts.push(contact.clone());
            }
        }
        touches.clear();
    };
    for b in queries
        .run_model(ctx, params, "non_converting_paths")
        .await?
        .iter()
    {
        let (contact, channel) = (b.text("contact_id")?, b.text("channel")?);
        let at = b.cast("occurred_epoch", &DataType::Float64)?;
        let at = at.as_primitive::<Float64Type>();
        for i in 0..b.num_rows() {
            if last_contact.as_deref() != Some(contact.value(i)) {
                flush(&last_contact, &mut contact_touches, &mut out);
                last_contact = Some(contact.value(i).to_string());
            }
            contact_touches.push((at.value(i), channel.value(i).to_string()));
        }
    }
    flush(&last_contact, &mut contact_touches, &mut out);
    Ok(out)
}

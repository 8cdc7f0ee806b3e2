//! Attribution (docs/spec/attribution-and-roi.md): journeys from the model queries, one model per
//! file (rule-based in `rules`, `markov`, `shapley` and `shapley_incremental` in `shapley`), credits per channel and per use case, and the
//! `attribution` table: model, channel, use_case (null for the channel total), conversions,
//! revenue, coverage. Conversions without a touch go to the pseudo-channel `(no touch)`
//! under every model; the models share out the rest.

pub mod journeys;
pub mod markov;
pub mod recovery;
pub mod rules;
pub mod shapley;

use crate::error::{Error, Result};
use datafusion::arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use journeys::Journeys;
use rules::Rule;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The pseudo-channel of conversions without a touch.
pub const NO_TOUCH: &str = "(no touch)";

/// Credit per (channel, use case): (conversions, revenue). `None` use case = channel total.
pub type Credits = BTreeMap<(String, Option<String>), (f64, f64)>;

/// One attribution model.
pub trait Model {
    /// The spec's model id.
    fn id(&self) -> &'static str;
    /// Credits of the touched conversions (the `(no touch)` row is added by [`attribute`]).
    fn credit(&self, journeys: &Journeys) -> Result<Credits>;
}

fn add(c: &mut Credits, channel: &str, use_case: Option<&str>, conv: f64, rev: f64) {
    let e = c
        .entry((channel.to_string(), use_case.map(str::to_string)))
        .or_default();
    e.0 += conv;
    e.1 += rev;
}

impl Model for Rule {
    fn id(&self) -> &'static str {
        Rule::id(self)
    }

    fn credit(&self, journeys: &Journeys) -> Result<Credits> {
        let mut c = Credits::new();
        for j in &journeys.converting {
            for (t, w) in j.touches.iter().zip(self.weights(&j.touches)) {
                add(&mut c, &t.channel, None, w, w * j.value);
                if let Some(uc) = &t.use_case {
                    add(&mut c, &t.channel, Some(uc), w, w * j.value);
                }
            }
        }
        Ok(c)
    }
}

/// The Markov model of a given order (1–3).
#[derive(Debug, Clone, Copy)]
pub struct Markov(pub usize);

impl Model for Markov {
    fn id(&self) -> &'static str {
        "markov"
    }

    fn credit(&self, journeys: &Journeys) -> Result<Credits> {
        Ok(markov::removal_shares(journeys, self.0)?
            .map_or_else(Credits::new, |s| share_out(journeys, s)))
    }
}

/// The Shapley model, exact up to a number of channels.
#[derive(Debug, Clone, Copy)]
pub struct Shapley(pub usize);

impl Model for Shapley {
    fn id(&self) -> &'static str {
        "shapley"
    }

    fn credit(&self, journeys: &Journeys) -> Result<Credits> {
        Ok(
            shapley::shares(journeys, self.0)?
                .map_or_else(Credits::new, |s| share_out(journeys, s)),
        )
    }
}

/// The incremental Shapley model: conversions over the baseline as the coalitions' worth
/// (`shapley::incremental_shares`).
#[derive(Debug, Clone, Copy)]
pub struct ShapleyIncremental(pub usize);

impl Model for ShapleyIncremental {
    fn id(&self) -> &'static str {
        "shapley_incremental"
    }

    fn credit(&self, journeys: &Journeys) -> Result<Credits> {
        Ok(shapley::incremental_shares(journeys, self.0)?
            .map_or_else(Credits::new, |s| share_out(journeys, s)))
    }
}

/// Turns channel shares into credits of the touched conversions; each channel's credit is
/// split across use cases in proportion to that channel's touches per use case inside
/// converting journeys (spec: per use case, for markov and shapley).
fn share_out(journeys: &Journeys, shares: BTreeMap<String, f64>) -> Credits {
    let mut c = Credits::new();
    let touched: Vec<_> = journeys
        .converting
        .iter()
        .filter(|j| !j.touches.is_empty())
        .collect();
    let (n, revenue) = (
        touched.len() as f64,
        touched.iter().map(|j| j.value).sum::<f64>(),
    );
    let mut touches: BTreeMap<&str, (f64, BTreeMap<&str, f64>)> = BTreeMap::new();
    for t in touched.iter().flat_map(|j| &j.touches) {
        let e = touches.entry(&t.channel).or_default();
        e.0 += 1.0;
        if let Some(uc) = &t.use_case {
            *e.1.entry(uc).or_default() += 1.0;
        }
    }
    for (channel, share) in shares {
        add(&mut c, &channel, None, share * n, share * revenue);
        if let Some((all, by_uc)) = touches.get(channel.as_str()) {
            for (uc, k) in by_uc {
                add(
                    &mut c,
                    &channel,
                    Some(uc),
                    share * n * k / all,
                    share * revenue * k / all,
                );
            }
        }
    }
    c
}

/// One row of the `attribution` table.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributionRow {
    /// Model id.
    pub model: String,
    /// Channel (or `(no touch)`).
    pub channel: String,
    /// Use case; `None` for the channel total.
    pub use_case: Option<String>,
    /// Credited conversions.
    pub conversions: f64,
    /// Credited revenue.
    pub revenue: f64,
    /// Share of conversions with at least one touch.
    pub coverage: Option<f64>,
}

/// Runs `models` on `journeys`; rows sorted by model (in the given order), channel, use case.
pub fn attribute(journeys: &Journeys, models: &[&dyn Model]) -> Result<Vec<AttributionRow>> {
    let untouched: Vec<_> = journeys
        .converting
        .iter()
        .filter(|j| j.touches.is_empty())
        .collect();
    let coverage = journeys.coverage();
    let mut rows = Vec::new();
    for m in models {
        let mut credits = m.credit(journeys)?;
        if !untouched.is_empty() {
            add(
                &mut credits,
                NO_TOUCH,
                None,
                untouched.len() as f64,
                untouched.iter().map(|j| j.value).sum(),
            );
        }
        for ((channel, use_case), (conversions, revenue)) in credits {
            rows.push(AttributionRow {
                model: m.id().into(),
                channel,
                use_case,
                conversions,
                revenue,
                coverage,
            });
        }
    }
    Ok(rows)
}

/// Every model of the spec, with its parameters.
pub fn models(
    half_life_days: f64,
    markov_order: usize,
    shapley_max_channels: usize,
) -> Result<Vec<Box<dyn Model>>> {
    if !(1..=3).contains(&markov_order) {
        return Err(Error::Model {
            model: "markov".into(),
            problem: format!("markov_order {markov_order} is not 1, 2 or 3"),
        });
    }
    Ok(vec![
        Box::new(Rule::FirstTouch),
        Box::new(Rule::LastTouch),
        Box::new(Rule::Linear),
        Box::new(Rule::TimeDecay(half_life_days)),
        Box::new(Rule::PositionBased),
        Box::new(Markov(markov_order)),
        Box::new(Shapley(shapley_max_channels)),
        Box::new(ShapleyIncremental(shapley_max_channels)),
    ])
}

/// Schema of the `attribution` table.
pub(crate) fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("model", DataType::Utf8, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("use_case", DataType::Utf8, true),
        Field::new("conversions", DataType::Float64, false),
        Field::new("revenue", DataType::Float64, false),
        Field::new("coverage", DataType::Float64, true),
    ]))
}

/// The rows as one batch of `attribution`.
pub(crate) fn to_batch(rows: &[AttributionRow]) -> Result<RecordBatch> {
    let cols: Vec<ArrayRef> = vec![
        Arc::new(
            rows.iter()
                .map(|r| Some(r.model.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.channel.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| r.use_case.as_deref())
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.conversions))
                .collect::<Float64Array>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.revenue))
                .collect::<Float64Array>(),
        ),
        Arc::new(rows.iter().map(|r| r.coverage).collect::<Float64Array>()),
    ];
    RecordBatch::try_new(schema(), cols)
        .map_err(|e| Error::engine("assembling attribution", e.into()))
}

//! How well each attribution model recovers what was planted, and how much the models agree.
//!
//! On data from `misura generate`, `truth.json` holds the per-touch conversion effect planted
//! per channel (`planted.channel_conversion_effects`) and what the touches of each channel
//! actually caused (`realized.touches_<channel>`, `realized.touch_conversions_<channel>`). For
//! each model, with a channel's credit per touch = its credited conversions / its touches in
//! the models' input (journeys and non-converting paths):
//! - `rho_planted`: Spearman's ρ (average ranks for ties) between credit per touch and the
//!   planted effect;
//! - `rho_caused`: the same against caused conversions per touch;
//! - `credit_error`: the total-variation distance between the shares of credit and the shares
//!   of caused conversions over the channels (0: credit proportional to what was caused;
//!   1: disjoint);
//! - on any data, `agreement`: the mean ρ of its credit per touch with each other model's;
//! - `zeroed`: channels with touches that the model credits with nothing.

use super::{AttributionRow, NO_TOUCH, journeys::Journeys};
use crate::error::{Error, Result};
use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The planted truth per channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Planted {
    /// Planted P(conversion) added by one touch.
    pub effect: BTreeMap<String, f64>,
    /// Conversions caused per touch, as realised.
    pub caused_per_touch: BTreeMap<String, f64>,
    /// Conversions caused, as realised.
    pub caused: BTreeMap<String, f64>,
}

impl Planted {
    /// Reads `truth.json` in `dir`; `None` when there is none (data not generated).
    pub fn read(dir: &Path) -> Result<Option<Planted>> {
        let path = dir.join("truth.json");
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Planted::parse(&text)
            .map(Some)
            .map_err(|problem| Error::Model {
                model: "attribution_recovery".into(),
                problem: format!("{}: {problem}", path.display()),
            })
    }

    /// Parses the text of a `truth.json`.
    pub fn parse(text: &str) -> std::result::Result<Planted, String> {
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let effects = doc["planted"]["channel_conversion_effects"]
            .as_object()
            .ok_or("no planted.channel_conversion_effects")?;
        let realized = &doc["realized"];
        let mut out = Planted::default();
        for (channel, effect) in effects {
            let effect = effect
                .as_f64()
                .ok_or(format!("effect of {channel} is not a number"))?;
            let get = |k: String| realized[&k].as_f64().unwrap_or(0.0);
            let touches = get(format!("touches_{channel}"));
            let caused = get(format!("touch_conversions_{channel}"));
            out.effect.insert(channel.clone(), effect);
            out.caused.insert(channel.clone(), caused);
            if touches > 0.0 {
                out.caused_per_touch
                    .insert(channel.clone(), caused / touches);
            }
        }
        Ok(out)
    }
}

/// One row of `attribution_recovery`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryRow {
    /// Model id.
    pub model: String,
    /// Channels with touches in the models' input.
    pub channels: usize,
    /// Spearman ρ of credit per touch with the planted effect (generated data only).
    pub rho_planted: Option<f64>,
    /// Spearman ρ with caused conversions per touch (generated data only).
    pub rho_caused: Option<f64>,
    /// Total-variation distance of credit shares from caused shares (generated data only).
    pub credit_error: Option<f64>,
    /// Mean Spearman ρ with each other model's credit per touch.
    pub agreement: Option<f64>,
    /// Channels with touches credited with nothing, `;`-separated.
    pub zeroed: String,
}

/// Average ranks (1-based; ties share the mean of their ranks).
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's ρ: Pearson's correlation of the average ranks; `None` under 3 pairs or when
/// either side is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 3 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Touches per channel in the models' input: converting journeys and non-converting paths.
pub fn touches_per_channel(j: &Journeys) -> BTreeMap<String, f64> {
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    let converting = j
        .converting
        .iter()
        .flat_map(|x| &x.touches)
        .map(|t| &t.channel);
    for c in converting.chain(j.non_converting.iter().flatten()) {
        *out.entry(c.clone()).or_default() += 1.0;
    }
    out
}

/// The recovery table: one row per model of `rows`, in their order.
pub fn recovery(
    rows: &[AttributionRow],
    journeys: &Journeys,
    planted: Option<&Planted>,
) -> Vec<RecoveryRow> {
    let touches = touches_per_channel(journeys);
    let channels: Vec<&String> = touches.keys().collect();
    let mut models: Vec<&str> = Vec::new();
    let mut credit: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.use_case.is_none() && r.channel != NO_TOUCH)
    {
        if !models.contains(&r.model.as_str()) {
            models.push(&r.model);
        }
        *credit
            .entry(&r.model)
            .or_default()
            .entry(&r.channel)
            .or_default() += r.conversions;
    }
    let per_touch = |model: &str| -> Vec<f64> {
        channels
            .iter()
            .map(|c| {
                credit
                    .get(model)
                    .and_then(|m| m.get(c.as_str()))
                    .copied()
                    .unwrap_or(0.0)
                    / touches[*c]
            })
            .collect()
    };
    let against = |truth: &BTreeMap<String, f64>, model: &str| {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for (c, v) in channels.iter().zip(per_touch(model)) {
            if let Some(t) = truth.get(c.as_str()) {
                x.push(v);
                y.push(*t);
            }
        }
        spearman(&x, &y)
    };
    models
        .iter()
        .map(|&model| {
            let mine = per_touch(model);
            let others: Vec<f64> = models
                .iter()
                .filter(|m| **m != model)
                .filter_map(|m| spearman(&mine, &per_touch(m)))
                .collect();
            let zeroed: Vec<&str> = channels
                .iter()
                .zip(&mine)
                .filter(|(_, v)| **v <= 0.0)
                .map(|(c, _)| c.as_str())
                .collect();
            RecoveryRow {
                model: model.to_string(),
                channels: channels.len(),
                rho_planted: planted.and_then(|p| against(&p.effect, model)),
                rho_caused: planted.and_then(|p| against(&p.caused_per_touch, model)),
                credit_error: planted.and_then(|p| credit_error(&credit[model], &p.caused)),
                agreement: (!others.is_empty())
                    .then(|| others.iter().sum::<f64>() / others.len() as f64),
                zeroed: zeroed.join(";"),
            }
        })
        .collect()
}

/// ½ Σ |credit share − caused share| over the channels of either; `None` when either is 0.
fn credit_error(credit: &BTreeMap<&str, f64>, caused: &BTreeMap<String, f64>) -> Option<f64> {
    let (tc, tk) = (credit.values().sum::<f64>(), caused.values().sum::<f64>());
    if tc <= 0.0 || tk <= 0.0 {
        return None;
    }
    let mut names: Vec<&str> = credit.keys().copied().collect();
    names.extend(caused.keys().map(String::as_str));
    names.sort_unstable();
    names.dedup();
    let d: f64 = names
        .iter()
        .map(|c| {
            let a = credit.get(c).copied().unwrap_or(0.0) / tc;
            let b = caused.get(*c).copied().unwrap_or(0.0) / tk;
            (a - b).abs()
        })
        .sum();
    Some(d / 2.0)
}

/// Schema of `attribution_recovery`.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("model", DataType::Utf8, false),
        Field::new("channels", DataType::Int64, false),
        Field::new("rho_planted", DataType::Float64, true),
        Field::new("rho_caused", DataType::Float64, true),
        Field::new("credit_error", DataType::Float64, true),
        Field::new("agreement", DataType::Float64, true),
        Field::new("zeroed", DataType::Utf8, false),
    ]))
}

/// The rows as one batch of `attribution_recovery`.
pub fn to_batch(rows: &[RecoveryRow]) -> Result<RecordBatch> {
    use crate::arrow_io::write::{float_column, text_column};
    let f = |get: fn(&RecoveryRow) -> Option<f64>| float_column(rows.iter().map(get));
    let cols: Vec<ArrayRef> = vec![
        text_column(rows.iter().map(|r| Some(r.model.as_str()))),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.channels as i64))
                .collect::<Int64Array>(),
        ),
        f(|r| r.rho_planted),
        f(|r| r.rho_caused),
        f(|r| r.credit_error),
        f(|r| r.agreement),
        text_column(rows.iter().map(|r| Some(r.zeroed.as_str()))),
    ];
    RecordBatch::try_new(schema(), cols)
        .map_err(|e| Error::engine("assembling attribution_recovery", e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_with_ties_by_hand() {
        // x ranks 1, 2.5, 2.5, 4; y ranks 1..4: ρ = Pearson of the ranks.
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[10.0, 20.0, 30.0, 40.0]).unwrap();
        // mean 2.5; dx = -1.5, 0, 0, 1.5; dy = -1.5, -.5, .5, 1.5; sxy = 4.5; sxx = 4.5; syy = 5
        assert!((r - 4.5 / (4.5f64 * 5.0).sqrt()).abs() < 1e-12, "{r}");
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[3.0, 2.0, 1.0]), None);
    }

    #[test]
    fn credit_error_is_half_the_l1_distance_of_shares() {
        let credit = BTreeMap::from([("a", 3.0), ("b", 1.0)]);
        let caused = BTreeMap::from([("a".to_string(), 1.0), ("b".to_string(), 1.0)]);
        // shares .75/.25 vs .5/.5
        assert!((credit_error(&credit, &caused).unwrap() - 0.25).abs() < 1e-12);
    }
}

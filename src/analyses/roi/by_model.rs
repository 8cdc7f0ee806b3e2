//! How much the attribution model matters: the ROI of every use case whose value counts an
//! attributed margin, recomputed under each attribution model with everything else held
//! (cost, the other drivers). Point estimates: the interval of the `roi` table is the
//! default model's and covers resampling only; this table shows the spread the choice of
//! model adds (table `roi_by_model`).

use super::credited::{Amount, Credited, ModelParams};
use super::{Driver, Roi};
use crate::analyses::attribution::journeys::Journeys;
use crate::error::Result;

/// One use case under one attribution model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRoi {
    /// Use case.
    pub use_case: String,
    /// Attribution model id.
    pub model: String,
    /// Whether it is the run's default (the model of the `roi` table).
    pub default: bool,
    /// Margin the model credits to the use case; `None` when the model could not be fitted.
    pub attributed_margin: Option<f64>,
    /// The use case's value with that margin in place of the default model's.
    pub value: Option<f64>,
    /// (value − cost) / cost; `None` without a cost.
    pub roi: Option<f64>,
    /// Why the model gave no figure (e.g. more channels than the Shapley models take).
    pub problem: Option<String>,
}

/// The ROI of every attributed use case of `roi` under each of `models` (spec ids, in order).
pub fn by_model(
    journeys: &Journeys,
    roi: &Roi,
    models: &[&str],
    default: &str,
    params: &ModelParams,
) -> Result<Vec<ModelRoi>> {
    let attributed: Vec<(&super::RoiRow, f64)> = roi
        .rows
        .iter()
        .filter_map(|r| {
            let d = roi.drivers.iter().find(|d| {
                d.use_case == r.use_case && d.driver == Driver::AttributedMargin && d.used
            })?;
            Some((r, d.value))
        })
        .collect();
    let mut out = Vec::new();
    if attributed.is_empty() {
        return Ok(out);
    }
    for model in models {
        // The default model's margins are the roi table's: not prepared a second time.
        let credited = if *model == default {
            Ok((
                attributed.iter().map(|(r, _)| r.use_case.clone()).collect(),
                attributed.iter().map(|(_, m)| *m).collect(),
            ))
        } else {
            Credited::prepare(journeys, model, params, Amount::Margin, |t| {
                t.use_case.as_deref()
            })
            .and_then(|c| {
                let margins = c.evaluate(&vec![1.0; c.contacts.len()])?;
                Ok((c.keys, margins))
            })
        };
        for (r, default_margin) in &attributed {
            let row = |margin: Option<f64>, problem: Option<String>| {
                let value = margin.zip(r.value).map(|(m, v)| v - default_margin + m);
                ModelRoi {
                    use_case: r.use_case.clone(),
                    model: model.to_string(),
                    default: *model == default,
                    attributed_margin: margin,
                    value,
                    roi: value
                        .filter(|_| r.cost > 0.0)
                        .map(|v| (v - r.cost) / r.cost),
                    problem,
                }
            };
            out.push(match &credited {
                Ok((keys, margins)) => {
                    let m = keys
                        .iter()
                        .position(|k| *k == r.use_case)
                        .map_or(0.0, |i| margins[i]);
                    row(Some(m), None)
                }
                Err(e) => row(None, Some(e.to_string())),
            });
        }
    }
    Ok(out)
}

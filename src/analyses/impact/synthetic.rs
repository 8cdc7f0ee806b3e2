//! Synthetic control (Abadie, Diamond & Hainmueller 2010), outcome only with V = identity:
//! donor weights on the simplex that best reproduce the treated unit's pre-period outcome,
//! the effect per post period (actual − synthetic), the pre-period fit (RMSPE, MAPE) and the
//! in-space placebo: each donor in turn treated as if it had the launch, fitted on the other
//! donors; the treated unit's post/pre RMSPE ratio ranked among theirs gives the p-value
//! (rank / units, 1 = the largest of all).

use crate::error::{Error, Result};
use crate::stats::simplex::simplex_least_squares;
use nalgebra::{DMatrix, DVector};

/// Outcomes of several units over the same periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Unit names.
    pub units: Vec<String>,
    /// Period labels, in order.
    pub periods: Vec<String>,
    /// `y[unit][period]`.
    pub y: Vec<Vec<f64>>,
}

/// One period's effect.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Effect {
    /// Period label.
    pub t: String,
    /// The treated unit's outcome.
    pub actual: f64,
    /// The synthetic unit's.
    pub counterfactual: f64,
    /// actual − counterfactual.
    pub effect: f64,
}

/// A synthetic control and its placebo test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SyntheticControl {
    /// Donor weights (every donor, in panel order; they sum to 1).
    pub weights: Vec<(String, f64)>,
    /// Every period: actual, synthetic, gap.
    pub effects: Vec<Effect>,
    /// Root mean squared gap before the intervention.
    pub pre_rmspe: f64,
    /// After it.
    pub post_rmspe: f64,
    /// Mean absolute gap before, relative to the actual outcome.
    pub pre_mape: f64,
    /// Mean gap after the intervention.
    pub average_effect: f64,
    /// Rank of the treated unit's post/pre RMSPE ratio among all units (1 = largest).
    pub placebo_rank: usize,
    /// Units ranked (the treated and every donor with a placebo fit).
    pub placebo_units: usize,
    /// placebo_rank / placebo_units.
    pub placebo_p_value: f64,
}

struct Fit {
    weights: Vec<f64>,
    synthetic: Vec<f64>,
    pre_rmspe: f64,
    post_rmspe: f64,
}

fn rms(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x * x, n + 1));
    (s / n.max(1) as f64).sqrt()
}

fn fit(y: &[Vec<f64>], treated: usize, donors: &[usize], t0: usize) -> Option<Fit> {
    let a = DMatrix::from_fn(t0, donors.len(), |r, c| y[donors[c]][r]);
    let b = DVector::from_fn(t0, |r, _| y[treated][r]);
    let f = simplex_least_squares(&a, &b)?;
    let periods = y[treated].len();
    let synthetic: Vec<f64> = (0..periods)
        .map(|t| {
            donors
                .iter()
                .zip(&f.weights)
                .map(|(&d, w)| w * y[d][t])
                .sum()
        })
        .collect();
    let gap = |t: usize| y[treated][t] - synthetic[t];
    Some(Fit {
        pre_rmspe: rms((0..t0).map(gap)),
        post_rmspe: rms((t0..periods).map(gap)),
        weights: f.weights,
        synthetic,
    })
}

/// The synthetic control of `treated` in `panel`, the intervention at period index `t0`
/// (the first post period).
pub fn synthetic_control(panel: &Panel, treated: &str, t0: usize) -> Result<SyntheticControl> {
    let bad = |problem: String| Error::Model {
        model: "synthetic_control".into(),
        problem,
    };
    let periods = panel.periods.len();
    let Some(tr) = panel.units.iter().position(|u| u == treated) else {
        return Err(bad(format!(
            "treated unit `{treated}` is not in the panel{}",
            crate::error::did_you_mean(treated, panel.units.iter().map(String::as_str))
        )));
    };
    if t0 < 2 || t0 >= periods {
        return Err(bad(format!(
            "the intervention must leave at least 2 periods before it and 1 after it; it is period {} of {periods}",
            t0 + 1
        )));
    }
    if panel.units.len() < 3 {
        return Err(bad(
            "a synthetic control needs at least 2 donor units".into()
        ));
    }
    let donors: Vec<usize> = (0..panel.units.len()).filter(|&u| u != tr).collect();
    let f =
        fit(&panel.y, tr, &donors, t0).ok_or_else(|| bad("the donors cannot be fitted".into()))?;
    let ratio = |f: &Fit| f.post_rmspe / f.pre_rmspe.max(f64::MIN_POSITIVE);
    let treated_ratio = ratio(&f);
    // In-space placebos: every donor treated, fitted on the other donors (never on the
    // treated unit, whose post-period carries the effect).
    let mut ratios = vec![treated_ratio];
    for &d in &donors {
        let others: Vec<usize> = donors.iter().copied().filter(|&o| o != d).collect();
        if let Some(p) = fit(&panel.y, d, &others, t0) {
            ratios.push(ratio(&p));
        }
    }
    let rank = ratios.iter().filter(|r| **r >= treated_ratio).count();
    let y = &panel.y[tr];
    let effects: Vec<Effect> = (0..periods)
        .map(|t| Effect {
            t: panel.periods[t].clone(),
            actual: y[t],
            counterfactual: f.synthetic[t],
            effect: y[t] - f.synthetic[t],
        })
        .collect();
    // Periods with no outcome have no relative gap (left out, as in the held-out fit).
    let gaps: Vec<f64> = (0..t0)
        .filter(|&t| y[t] != 0.0)
        .map(|t| ((y[t] - f.synthetic[t]) / y[t]).abs())
        .collect();
    let pre_mape = if gaps.is_empty() {
        f64::INFINITY
    } else {
        gaps.iter().sum::<f64>() / gaps.len() as f64
    };
    Ok(SyntheticControl {
        weights: donors
            .iter()
            .zip(&f.weights)
            .map(|(&d, w)| (panel.units[d].clone(), *w))
            .collect(),
        average_effect: effects[t0..].iter().map(|e| e.effect).sum::<f64>() / (periods - t0) as f64,
        effects,
        pre_rmspe: f.pre_rmspe,
        post_rmspe: f.post_rmspe,
        pre_mape,
        placebo_rank: rank,
        placebo_units: ratios.len(),
        placebo_p_value: rank as f64 / ratios.len() as f64,
    })
}

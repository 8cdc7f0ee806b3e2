//! Whether a counterfactual can carry a claim: an in-time placebo (the same model with a fake
//! launch inside the pre-period, judged on data the launch never touched), the fit on that
//! held-out stretch, the length of the pre-period, and for synthetic control whether the
//! donors reproduce the treated unit at all. A counterfactual that fails is "not assessable",
//! with the reason: its figures are not a finding.

use super::bsts::{self, Options, Series};
use super::synthetic::{Panel, SyntheticControl, synthetic_control};
use crate::error::Result;

/// The checks of one counterfactual.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Checks {
    /// Points before the launch.
    pub pre_points: usize,
    /// Points after it.
    pub post_points: usize,
    /// Where the fake launch was put (index of its first point), when there was room.
    pub placebo_at: Option<usize>,
    /// The fake launch's average effect.
    pub placebo_effect: Option<f64>,
    /// Its p-value (BSTS).
    pub placebo_p_value: Option<f64>,
    /// Whether the fake effect is beyond chance (BSTS: its 95 % interval excludes zero).
    pub placebo_beyond_chance: Option<bool>,
    /// Mean absolute error of the counterfactual on the held-out stretch, relative to the
    /// actual values.
    pub holdout_mape: Option<f64>,
    /// What limits the claim, in plain words.
    pub caveats: Vec<String>,
    /// False when a caveat means the effect is not a finding.
    pub assessable: bool,
}

/// Fewer pre-period points than this and no in-time placebo is tried.
const MIN_PLACEBO_PRE: usize = 10;

/// Where a fake launch goes: as many points before the real one as the post-period has, at
/// most a third of the pre-period.
fn placebo_point(pre: usize, post: usize) -> Option<usize> {
    let h = post.min(pre / 3).max(1);
    let at = pre.checked_sub(h)?;
    (at >= MIN_PLACEBO_PRE).then_some(at)
}

fn base(pre: usize, post: usize) -> Checks {
    let mut caveats = Vec::new();
    if pre < post {
        caveats.push(format!(
            "The pre-period ({pre} points) is shorter than the post-period ({post}): the counterfactual is projected further than what it learnt from."
        ));
    }
    Checks {
        pre_points: pre,
        post_points: post,
        placebo_at: None,
        placebo_effect: None,
        placebo_p_value: None,
        placebo_beyond_chance: None,
        holdout_mape: None,
        caveats,
        assessable: true,
    }
}

/// The in-time placebo against the real result (`placebo_p`: the fake effect's p-value when
/// its interval excludes zero, `None` when it does not). A fake effect at least half the real one
/// undoes the real result when the fake one is significant (the model finds effects where
/// there are none) or when the real result claims an effect the fake one rivals. A
/// significant fake effect far smaller than a claimed real one leaves the claim standing,
/// with a caveat.
fn compare_placebo(c: &mut Checks, placebo: f64, placebo_p: Option<f64>, real: f64, claims: bool) {
    let rivals = placebo.abs() >= 0.5 * real.abs();
    match placebo_p {
        Some(p) if rivals => {
            c.assessable = false;
            c.caveats.push(format!(
                "A fake launch inside the pre-period comes out significant (p = {p:.3}, average effect {placebo:.3} against the real {real:.3}): the model finds effects where there are none (for a series that wanders on its own, a wider prior level sd, e.g. 0.1, or better covariates)."
            ));
        }
        Some(p) => c.caveats.push(format!(
            "A fake launch inside the pre-period also comes out significant (p = {p:.3}), but its average effect ({placebo:.3}) is under half the real one ({real:.3}): the real effect stands out, though its interval may be narrower than the data warrant."
        )),
        None if rivals && claims && real != 0.0 => {
            c.assessable = false;
            c.caveats.push(format!(
                "A fake launch inside the pre-period shows an average effect of {placebo:.3}, at least half the real one ({real:.3}): the model does not hold the series steady without a launch."
            ));
        }
        None => {}
    }
}

/// The checks of a BSTS counterfactual `result` of `s`.
pub fn bsts_checks(s: &Series, o: &Options, result: &bsts::Impact) -> Result<Checks> {
    let (pre, post) = (s.t0, s.y.len() - s.t0);
    let mut c = base(pre, post);
    let Some(at) = placebo_point(pre, post) else {
        c.caveats.push(format!(
            "The pre-period ({pre} points) is too short for an in-time placebo: nothing shows that the model would have seen no effect without the launch."
        ));
        return Ok(c);
    };
    let fake = Series {
        y: s.y[..pre].to_vec(),
        x: s.x.iter().map(|x| x[..pre].to_vec()).collect(),
        t0: at,
    };
    let p = bsts::impact(&fake, o)?;
    let mape = fake.y[at..]
        .iter()
        .zip(&p.predicted)
        .filter(|(y, _)| **y != 0.0)
        .map(|(y, (pred, _, _))| ((y - pred) / y).abs())
        .collect::<Vec<_>>();
    c.placebo_at = Some(at);
    c.placebo_effect = Some(p.point_effect_mean);
    c.placebo_p_value = Some(p.p_value);
    c.placebo_beyond_chance = Some(p.claims_effect());
    c.holdout_mape = (!mape.is_empty()).then(|| mape.iter().sum::<f64>() / mape.len() as f64);
    compare_placebo(
        &mut c,
        p.point_effect_mean,
        p.claims_effect().then_some(p.p_value),
        result.point_effect_mean,
        result.claims_effect(),
    );
    Ok(c)
}

/// A synthetic control claims an effect when its placebo p-value is at most this (with few
/// donors the smallest possible p-value is 1 / (donors + 1): 5 donors never claim one).
pub const SYNTHETIC_CLAIM_P: f64 = 0.1;

/// The donors cannot reproduce the treated unit when the pre-period gap exceeds this share.
const MAX_PRE_MAPE: f64 = 0.10;

/// The checks of a synthetic control `result` of `treated` in `panel`.
pub fn synthetic_checks(
    panel: &Panel,
    treated: &str,
    t0: usize,
    result: &SyntheticControl,
) -> Result<Checks> {
    let post = panel.periods.len() - t0;
    let mut c = base(t0, post);
    if result.pre_mape > MAX_PRE_MAPE {
        c.assessable = false;
        c.caveats.push(format!(
            "The donors cannot reproduce {treated} before the launch (mean gap {:.1} % of its outcome; at most {:.0} % is usable): it lies outside what any mix of them gives.",
            result.pre_mape * 100.0,
            MAX_PRE_MAPE * 100.0
        ));
    }
    if result.placebo_p_value > SYNTHETIC_CLAIM_P && result.placebo_rank == 1 {
        c.caveats.push(format!(
            "{treated}'s post/pre gap ratio is the largest of the {} units, but with {} donors the smallest placebo p-value possible is 1/{} = {:.2}: too few donors to call the effect beyond chance.",
            result.placebo_units,
            result.placebo_units - 1,
            result.placebo_units,
            result.placebo_p_value
        ));
    } else if result.placebo_p_value > SYNTHETIC_CLAIM_P {
        c.caveats.push(format!(
            "{} of {} units show a post/pre gap ratio at least as large as {treated}'s (placebo p = {:.2}): the effect does not stand out from what units without the launch show.",
            result.placebo_rank, result.placebo_units, result.placebo_p_value
        ));
    }
    match placebo_point(t0, post) {
        Some(at) if at >= 2 => {
            let fake = Panel {
                units: panel.units.clone(),
                periods: panel.periods[..t0].to_vec(),
                y: panel.y.iter().map(|y| y[..t0].to_vec()).collect(),
            };
            let p = synthetic_control(&fake, treated, at)?;
            c.placebo_at = Some(at);
            c.placebo_effect = Some(p.average_effect);
            let mape: Vec<f64> = p.effects[at..]
                .iter()
                .filter(|e| e.actual != 0.0)
                .map(|e| (e.effect / e.actual).abs())
                .collect();
            c.holdout_mape =
                (!mape.is_empty()).then(|| mape.iter().sum::<f64>() / mape.len() as f64);
            compare_placebo(
                &mut c,
                p.average_effect,
                None,
                result.average_effect,
                result.placebo_p_value <= SYNTHETIC_CLAIM_P,
            );
        }
        _ => c.caveats.push(format!(
            "The pre-period ({t0} periods) is too short for an in-time placebo."
        )),
    }
    Ok(c)
}

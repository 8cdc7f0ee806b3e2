//! The holdout that would measure one use case causally (docs/spec/experiments.md, plans):
//! from the contacts exposed to it, the baseline and sd of its outcome, the contacts that
//! become eligible each week and CUPED's variance reduction, the lift a 10 % holdout detects
//! over 4, 8 and 12 weeks, the holdout share a target relative lift needs, and the value the
//! held-out contacts forgo.

use crate::analyses::evidence::Evidence;
use crate::stats::power::{Design, proportions_mde, proportions_n};

/// Weeks a plan is worked out for.
pub const WEEKS: [u32; 3] = [4, 8, 12];

/// The holdout share whose detectable lift is shown.
pub const HOLDOUT: f64 = 0.10;

/// Significance level and power of every plan.
pub const ALPHA: f64 = 0.05;
/// Power of every plan.
pub const POWER: f64 = 0.8;

/// Fewer measured contacts than this give no baseline to plan on.
pub const MIN_MEASURED: usize = 30;

/// The variance reduction from which a plan counts on CUPED (below it the pre-period adds
/// nothing a reader would notice).
pub const CUPED_WORTH_IT: f64 = 0.01;

/// The largest holdout a plan proposes (beyond it the programme is mostly switched off).
pub const MAX_HOLDOUT: f64 = 0.5;

/// One use case's exposed contacts, as `plan_exposures.sql` returns them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposures {
    /// conversion or churn.
    pub metric: String,
    /// Every contact first exposed in the window.
    pub exposed: u64,
    /// (y, x) of the contacts whose 28 days after exposure lie in the window.
    pub measured: Vec<(f64, f64)>,
}

/// What the plan is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// Use case.
    pub use_case: String,
    /// Its evidence class today.
    pub evidence: Evidence,
    /// Its value over the window.
    pub value: f64,
    /// Weeks in the window.
    pub window_weeks: f64,
    /// Relative lift to detect (`plan_target_mde`).
    pub target_relative_mde: f64,
}

/// One row of `experiment_plans`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// Use case.
    pub use_case: String,
    /// Its evidence class today.
    pub evidence: Evidence,
    /// Its value over the window.
    pub value: f64,
    /// conversion or churn; `None` when no contact is exposed to it.
    pub metric: Option<String>,
    /// Contacts first exposed in the window.
    pub exposed_contacts: u64,
    /// Of them, those with a complete 28-day outcome.
    pub measured_contacts: u64,
    /// Share converting (or churning) within 28 days.
    pub baseline: Option<f64>,
    /// √(p (1 − p)).
    pub sd: Option<f64>,
    /// ρ² of the outcome with the same outcome over the 28 days before exposure.
    pub variance_reduction: Option<f64>,
    /// Exposed contacts per week.
    pub eligible_per_week: Option<f64>,
    /// Weeks of the plan.
    pub weeks: Option<u32>,
    /// Absolute lift a 10 % holdout detects, without and with CUPED.
    pub mde: (Option<f64>, Option<f64>),
    /// The relative lift to detect.
    pub target_relative_mde: f64,
    /// Holdout share that detects it, without and with CUPED (`None`: not even 50 %).
    pub holdout_needed: (Option<f64>, Option<f64>),
    /// Contacts held out at the needed share (CUPED's when it helps).
    pub holdout_contacts: Option<u64>,
    /// Eligible contacts a week a half-and-half test over the weeks would need to detect
    /// the target (CUPED's sizes when it helps).
    pub eligible_needed_per_week: Option<f64>,
    /// Value the 10 % holdout forgoes over the weeks.
    pub cost_at_10pct: Option<f64>,
    /// Value the needed holdout forgoes.
    pub cost_needed: Option<f64>,
    /// The plan proposed: the shortest whose holdout is at most 10 %, else the one that
    /// forgoes the least value.
    pub recommended: bool,
    /// Why the use case cannot be planned, when it cannot.
    pub note: Option<String>,
}

impl PlanRow {
    /// Whether the plan counts on CUPED.
    pub fn uses_cuped(&self) -> bool {
        self.variance_reduction.is_some_and(|v| v >= CUPED_WORTH_IT)
    }

    /// The share the plan proposes: CUPED's when the pre-period reduces the variance enough.
    pub fn proposed_share(&self) -> Option<f64> {
        if self.uses_cuped() {
            self.holdout_needed.1
        } else {
            self.holdout_needed.0
        }
    }
}

fn design(holdout: f64) -> Design {
    Design {
        alpha: ALPHA,
        power: POWER,
        ratio: holdout / (1.0 - holdout),
    }
}

/// The smallest holdout share in (0, 0.5] whose test over `n` contacts detects `lift` on
/// `baseline` with the outcome's variance scaled by `scale` (1 − CUPED's reduction).
fn holdout_needed(baseline: f64, lift: f64, n: f64, scale: f64) -> Option<f64> {
    let fits = |h: f64| proportions_n(baseline, lift, design(h)) * scale <= (1.0 - h) * n;
    if !fits(MAX_HOLDOUT) {
        return None;
    }
    let (mut lo, mut hi) = (1e-6, MAX_HOLDOUT);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if fits(mid) { hi = mid } else { lo = mid }
    }
    Some(hi)
}

/// ρ² of y with x (0 when either does not vary).
fn r_squared(m: &[(f64, f64)]) -> f64 {
    let n = m.len() as f64;
    let (my, mx) = (
        m.iter().map(|p| p.0).sum::<f64>() / n,
        m.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut syy, mut sxx, mut sxy) = (0.0, 0.0, 0.0);
    for (y, x) in m {
        syy += (y - my) * (y - my);
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
    }
    if syy <= 0.0 || sxx <= 0.0 {
        0.0
    } else {
        sxy * sxy / (sxx * syy)
    }
}

fn unplannable(s: &Subject, e: Option<&Exposures>, note: String) -> Vec<PlanRow> {
    vec![PlanRow {
        use_case: s.use_case.clone(),
        evidence: s.evidence,
        value: s.value,
        metric: e.map(|e| e.metric.clone()),
        exposed_contacts: e.map_or(0, |e| e.exposed),
        measured_contacts: e.map_or(0, |e| e.measured.len() as u64),
        baseline: None,
        sd: None,
        variance_reduction: None,
        eligible_per_week: None,
        weeks: None,
        mde: (None, None),
        target_relative_mde: s.target_relative_mde,
        holdout_needed: (None, None),
        holdout_contacts: None,
        eligible_needed_per_week: None,
        cost_at_10pct: None,
        cost_needed: None,
        recommended: false,
        note: Some(note),
    }]
}

/// The plans of one use case: one row per length in [`WEEKS`], or one row saying why none
/// can be made.
pub fn plan(s: &Subject, e: Option<&Exposures>) -> Vec<PlanRow> {
    let Some(ex) = e.filter(|e| e.exposed > 0) else {
        return unplannable(
            s,
            e,
            "no contact is exposed to this use case in the data (no touch of it, no exposure its outcome is measured on): a holdout of contacts cannot be planned from it".into(),
        );
    };
    if ex.measured.len() < MIN_MEASURED {
        return unplannable(
            s,
            e,
            format!(
                "only {} exposed contacts have a complete 28-day outcome (at least {MIN_MEASURED} are needed for a baseline)",
                ex.measured.len()
            ),
        );
    }
    let n_m = ex.measured.len() as f64;
    let rate = ex.measured.iter().map(|p| p.0).sum::<f64>() / n_m;
    // A programme lowers churn: planned as a rise of the retention rate (the same sizes).
    let planned_rate = if ex.metric == "churn" {
        1.0 - rate
    } else {
        rate
    };
    if !(planned_rate > 0.0 && planned_rate < 1.0) {
        return unplannable(
            s,
            e,
            format!(
                "the {} rate of the exposed contacts is {}: a lift of it cannot be tested",
                ex.metric,
                rate * 100.0
            ),
        );
    }
    let vr = r_squared(&ex.measured);
    let per_week = ex.exposed as f64 / s.window_weeks;
    let per_week_value = s.value.max(0.0) / s.window_weeks;
    // The target lift, in points of the metric; capped where the rate would reach 1.
    let lift = (s.target_relative_mde * rate).min((1.0 - planned_rate) * 0.999);
    let mut rows: Vec<PlanRow> = WEEKS
        .iter()
        .map(|&weeks| {
            let n = per_week * weeks as f64;
            let d = design(HOLDOUT);
            let n_t = (1.0 - HOLDOUT) * n;
            let mde = proportions_mde(planned_rate, n_t, d);
            let mde_cuped = proportions_mde(planned_rate, n_t / (1.0 - vr).max(1e-9), d);
            let needed = holdout_needed(planned_rate, lift, n, 1.0);
            let needed_cuped = holdout_needed(planned_rate, lift, n, 1.0 - vr);
            let mut row = PlanRow {
                use_case: s.use_case.clone(),
                evidence: s.evidence,
                value: s.value,
                metric: Some(ex.metric.clone()),
                exposed_contacts: ex.exposed,
                measured_contacts: ex.measured.len() as u64,
                baseline: Some(rate),
                sd: Some((rate * (1.0 - rate)).sqrt()),
                variance_reduction: Some(vr),
                eligible_per_week: Some(per_week),
                weeks: Some(weeks),
                mde: (mde, mde_cuped),
                target_relative_mde: s.target_relative_mde,
                holdout_needed: (needed, needed_cuped),
                holdout_contacts: None,
                eligible_needed_per_week: Some(
                    2.0 * proportions_n(planned_rate, lift, design(MAX_HOLDOUT))
                        * if vr >= CUPED_WORTH_IT { 1.0 - vr } else { 1.0 }
                        / weeks as f64,
                ),
                cost_at_10pct: Some(per_week_value * HOLDOUT * weeks as f64),
                cost_needed: None,
                recommended: false,
                note: None,
            };
            let share = row.proposed_share();
            row.holdout_contacts = share.map(|h| (h * n).ceil() as u64);
            row.cost_needed = share.map(|h| per_week_value * h * weeks as f64);
            row
        })
        .collect();
    let small = rows
        .iter()
        .position(|r| r.proposed_share().is_some_and(|h| h <= HOLDOUT));
    let cheapest = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.cost_needed
                .filter(|_| r.proposed_share().is_some())
                .map(|c| (i, c))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    if let Some(i) = small.or(cheapest) {
        rows[i].recommended = true;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject {
            use_case: "UC04".into(),
            evidence: Evidence::Attribution,
            value: 5200.0,
            window_weeks: 52.0,
            target_relative_mde: 0.1,
        }
    }

    #[test]
    fn a_plan_detects_its_own_target() {
        // 20 % converting, 2,000 exposed a week, no pre-period signal.
        let measured: Vec<(f64, f64)> = (0..1000)
            .map(|i| ((i % 5 == 0) as u8 as f64, 0.0))
            .collect();
        let e = Exposures {
            metric: "conversion".into(),
            exposed: 104_000,
            measured,
        };
        let rows = plan(&subject(), Some(&e));
        assert_eq!(rows.len(), 3);
        let r = &rows[1];
        assert_eq!(r.weeks, Some(8));
        assert!((r.baseline.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(r.variance_reduction, Some(0.0));
        // The needed share reaches exactly the target at 80 % power.
        let h = r.holdout_needed.0.unwrap();
        let n = 2000.0 * 8.0;
        let needed_t = proportions_n(0.2, 0.02, design(h));
        assert!((needed_t - (1.0 - h) * n).abs() / needed_t < 1e-6);
        // 10 % of the value per week, over 8 weeks.
        assert!((r.cost_at_10pct.unwrap() - 100.0 * 0.1 * 8.0).abs() < 1e-9);
        assert!(rows.iter().filter(|r| r.recommended).count() == 1);
        // Proposed: the shortest length whose holdout is at most 10 %, else the cheapest.
        let pick = rows.iter().find(|r| r.recommended).unwrap();
        let small = rows
            .iter()
            .find(|r| r.proposed_share().is_some_and(|h| h <= HOLDOUT));
        match small {
            Some(s) => assert_eq!(pick.weeks, s.weeks),
            None => assert!(
                rows.iter()
                    .all(|r| r.cost_needed.is_none_or(|c| c >= pick.cost_needed.unwrap()))
            ),
        }
    }

    #[test]
    fn no_exposure_says_why() {
        let rows = plan(&subject(), None);
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0]
                .note
                .as_deref()
                .unwrap()
                .contains("no contact is exposed")
        );
    }
}

//! One launch judged against its counterfactual: the outcome series split at the launch, a
//! BSTS counterfactual (covariates: the same outcome in the scopes without the launch, or the
//! use case's control outcomes for a launch everywhere) and, for a launch in one scope, a
//! synthetic control over the other scopes; each with its checks, verdict and value.

use super::bsts::{self, Options};
use super::checks::{self, Checks, SYNTHETIC_CLAIM_P};
use super::launches::Launch;
use super::outcome::{self, Cell, SCOPES, Series};
use super::synthetic::{Panel, synthetic_control};
use crate::error::{Error, Result};
use crate::kpi::sidecar::{Better, Grain, ImpactMeta};
use chrono::{Duration, NaiveDate};

/// Fewer pre-launch periods than this and no counterfactual is fitted.
pub const MIN_PRE_PERIODS: usize = 8;

/// What a counterfactual says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The checks hold and the effect is beyond chance.
    Effect,
    /// The checks hold and the effect is within chance.
    NoDetectableEffect,
    /// The data cannot carry a claim (the reason says why): no figure is a finding.
    NotAssessable,
}

impl Verdict {
    /// The label in the `impact` table.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Effect => "effect",
            Verdict::NoDetectableEffect => "no detectable effect",
            Verdict::NotAssessable => "not assessable",
        }
    }
}

/// The method of a counterfactual.
pub const BSTS: &str = "bsts";
/// The method of a synthetic control.
pub const SYNTHETIC: &str = "synthetic_control";

/// One row of the `impact` table: a launch judged by one method.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactRow {
    /// Launch id.
    pub launch_id: String,
    /// Use case launched.
    pub use_case: String,
    /// `bsts` or `synthetic_control`.
    pub method: &'static str,
    /// The outcome judged.
    pub outcome: String,
    /// Scope dimension, when the launch had one.
    pub scope_dimension: Option<String>,
    /// Scope value.
    pub scope_value: Option<String>,
    /// First day live.
    pub launched_on: NaiveDate,
    /// Periods of the series (days or weeks).
    pub grain: Grain,
    /// Periods before the launch.
    pub pre_periods: usize,
    /// Periods after it.
    pub post_periods: usize,
    /// First day of the first post period.
    pub post_start: Option<NaiveDate>,
    /// Day after the last post period.
    pub post_end: Option<NaiveDate>,
    /// The outcome observed over the post-period.
    pub actual: Option<f64>,
    /// What it would have been without the launch (null when not assessable).
    pub counterfactual: Option<f64>,
    /// actual − counterfactual over the post-period.
    pub effect: Option<f64>,
    /// Its 95 % interval (BSTS: posterior; synthetic control: none).
    pub effect_ci_low: Option<f64>,
    /// Upper bound.
    pub effect_ci_high: Option<f64>,
    /// effect ÷ counterfactual.
    pub relative_effect: Option<f64>,
    /// BSTS: posterior tail-area probability; synthetic control: placebo rank ÷ units.
    pub p_value: Option<f64>,
    /// The in-time placebo's average effect.
    pub placebo_effect: Option<f64>,
    /// The in-time placebo's p-value (BSTS).
    pub placebo_p_value: Option<f64>,
    /// Whether the placebo's effect is beyond chance (BSTS).
    pub placebo_beyond_chance: Option<bool>,
    /// Mean absolute relative error on the placebo's held-out stretch.
    pub holdout_mape: Option<f64>,
    /// Synthetic control: mean absolute relative gap before the launch.
    pub pre_mape: Option<f64>,
    /// Money per unit of the outcome over the post-period (cost per ticket, margin per
    /// conversion); null when the outcome has no value.
    pub value_per_unit: Option<f64>,
    /// What the effect is worth: effect × value per unit, sign turned when less is better.
    pub value: Option<f64>,
    /// Its 95 % interval.
    pub value_ci_low: Option<f64>,
    /// Upper bound.
    pub value_ci_high: Option<f64>,
    /// What the counterfactual says.
    pub verdict: Verdict,
    /// Caveats and reasons, in plain words.
    pub reasons: Vec<String>,
}

/// One period of one counterfactual (table `impact_series`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// Launch id.
    pub launch_id: String,
    /// Method.
    pub method: &'static str,
    /// First day of the period.
    pub period: NaiveDate,
    /// After the launch.
    pub post: bool,
    /// The outcome observed.
    pub actual: f64,
    /// The counterfactual (before the launch: the model's fit).
    pub counterfactual: f64,
    /// Its 95 % band (BSTS, post-period).
    pub counterfactual_low: Option<f64>,
    /// Upper bound.
    pub counterfactual_high: Option<f64>,
    /// Cumulative effect up to this period (post-period).
    pub cumulative_effect: Option<f64>,
    /// Its 95 % band (BSTS).
    pub cumulative_low: Option<f64>,
    /// Upper bound.
    pub cumulative_high: Option<f64>,
}

/// What the ROI takes from an assessable BSTS counterfactual.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterfactualValue {
    /// Use case.
    pub use_case: String,
    /// Launch id.
    pub launch_id: String,
    /// Value of the effect in the window.
    pub value: f64,
    /// The value per posterior draw (the ROI's interval samples from them).
    pub draws: Vec<f64>,
    /// Post periods behind it.
    pub periods: u64,
    /// Drivers it replaces.
    pub replaces: Vec<String>,
}

/// A launch's counterfactuals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Judged {
    /// One row per method.
    pub rows: Vec<ImpactRow>,
    /// Their series.
    pub series: Vec<SeriesRow>,
    /// The BSTS value for the ROI, when assessable and valued.
    pub value: Option<CounterfactualValue>,
}

/// Everything one launch is judged with.
pub struct LaunchInput<'a> {
    /// The launch.
    pub launch: &'a Launch,
    /// Its use case's `[impact]`.
    pub meta: &'a ImpactMeta,
    /// Rows of its outcome.
    pub cells: &'a [Cell],
    /// Rows of each control outcome (for a launch everywhere).
    pub controls: Vec<(&'a str, &'a [Cell])>,
    /// Whole periods of the window.
    pub periods: &'a [NaiveDate],
    /// Sampler settings.
    pub options: Options,
}

/// Where the launch splits the periods: pre (ended by the launch), post (started on or after
/// it and ended by `ended_on`); a period the launch falls inside is in neither.
struct Split {
    pre: Vec<usize>,
    post: Vec<usize>,
}

fn split(periods: &[NaiveDate], grain: Grain, l: &Launch) -> Split {
    let len = Duration::days(outcome::period_days(grain));
    let until = l.ended_on.map(|d| d + Duration::days(1));
    let mut s = Split {
        pre: Vec::new(),
        post: Vec::new(),
    };
    for (i, &p) in periods.iter().enumerate() {
        if p + len <= l.launched_on {
            s.pre.push(i);
        } else if p >= l.launched_on && until.is_none_or(|u| p + len <= u) {
            s.post.push(i);
        }
    }
    s
}

fn pick(v: &[f64], idx: &[usize]) -> Vec<f64> {
    idx.iter().map(|&i| v[i]).collect()
}

/// The row every method of a launch starts from: what is known before any fit.
fn base_row(input: &LaunchInput, sp: &Split) -> ImpactRow {
    let l = input.launch;
    let len = Duration::days(outcome::period_days(input.meta.grain));
    ImpactRow {
        launch_id: l.id.clone(),
        use_case: l.use_case.clone(),
        method: BSTS,
        outcome: input.meta.outcome.clone(),
        scope_dimension: l.scope.as_ref().map(|s| s.0.clone()),
        scope_value: l.scope.as_ref().map(|s| s.1.clone()),
        launched_on: l.launched_on,
        grain: input.meta.grain,
        pre_periods: sp.pre.len(),
        post_periods: sp.post.len(),
        post_start: sp.post.first().map(|&i| input.periods[i]),
        post_end: sp.post.last().map(|&i| input.periods[i] + len),
        actual: None,
        counterfactual: None,
        effect: None,
        effect_ci_low: None,
        effect_ci_high: None,
        relative_effect: None,
        p_value: None,
        placebo_effect: None,
        placebo_p_value: None,
        placebo_beyond_chance: None,
        holdout_mape: None,
        pre_mape: None,
        value_per_unit: None,
        value: None,
        value_ci_low: None,
        value_ci_high: None,
        verdict: Verdict::NotAssessable,
        reasons: Vec::new(),
    }
}

/// Why the periods around the launch are too few to fit anything, if they are.
fn too_few_periods(input: &LaunchInput, sp: &Split) -> Option<String> {
    let on = input.launch.launched_on;
    let unit = match input.meta.grain {
        Grain::Day => "days",
        Grain::Week => "whole weeks",
    };
    if sp.post.is_empty() {
        Some(format!(
            "No {unit} of the window after the launch on {on}: nothing to judge yet."
        ))
    } else if sp.pre.len() < MIN_PRE_PERIODS {
        Some(format!(
            "Only {} {unit} of the window before the launch on {on} (at least {MIN_PRE_PERIODS} are needed to learn what the outcome does without it).",
            sp.pre.len()
        ))
    } else {
        None
    }
}

/// Control series by name, each over every period.
type Donors = Vec<(String, Vec<f64>)>;

/// The treated series and its controls: for a launch in one scope, the outcome there and in
/// each other scope with the outcome before the launch; for a launch everywhere, the whole
/// outcome and the control outcomes. `Err` says why the scope cannot be judged.
fn treated_and_donors(
    input: &LaunchInput,
    sp: &Split,
) -> std::result::Result<(Series, Donors), String> {
    let grain = input.meta.grain;
    let Some((dim, value)) = &input.launch.scope else {
        let treated = outcome::series(input.cells, input.periods, grain, |_| true);
        let donors = input
            .controls
            .iter()
            .map(|(name, cells)| {
                let y = outcome::series(cells, input.periods, grain, |_| true).y;
                (name.to_string(), y)
            })
            .collect();
        return Ok((treated, donors));
    };
    let Some(k) = SCOPES.iter().position(|s| s == dim) else {
        return Err(format!(
            "scope_dimension `{dim}` is not one of {}.",
            SCOPES.join(", ")
        ));
    };
    let units = outcome::units(input.cells, k);
    if !units.contains(value) {
        let known = if units.is_empty() {
            format!("the {} outcome has no {dim} at all", input.meta.outcome)
        } else {
            format!("known: {}", units.join(", "))
        };
        return Err(format!(
            "No {} in {dim} {value} inside the window ({known}).",
            input.meta.outcome
        ));
    }
    let of = |u: &str| {
        outcome::series(input.cells, input.periods, grain, |c| {
            c.scope[k].as_deref() == Some(u)
        })
    };
    let donors = units
        .iter()
        .filter(|u| *u != value)
        .map(|u| (u.clone(), of(u).y))
        .filter(|(_, y)| sp.pre.iter().any(|&i| y[i] != 0.0))
        .collect();
    Ok((of(value), donors))
}

/// What both methods fit: the treated outcome over the pre- then post-periods.
struct Fit<'a> {
    input: &'a LaunchInput<'a>,
    /// Indices into the periods: the pre-periods, then the post-periods.
    all: Vec<usize>,
    /// Index in `all` of the first post-period.
    t0: usize,
    /// The treated outcome over `all`.
    actual: Vec<f64>,
    /// The controls over every period.
    donors: Donors,
    /// +1 when more is better, −1 when less is.
    sign: f64,
    /// Money per unit of the outcome after the launch.
    value_per_unit: Option<f64>,
    /// The row both methods start from.
    base: ImpactRow,
}

/// Judges one launch.
pub fn judge(input: &LaunchInput) -> Result<Judged> {
    let sp = split(input.periods, input.meta.grain, input.launch);
    let base = base_row(input, &sp);
    let not_assessable = |why: String| Judged {
        rows: vec![ImpactRow {
            reasons: vec![why],
            ..base.clone()
        }],
        ..Judged::default()
    };
    if let Some(why) = too_few_periods(input, &sp) {
        return Ok(not_assessable(why));
    }
    let (treated, donors) = match treated_and_donors(input, &sp) {
        Ok(x) => x,
        Err(why) => return Ok(not_assessable(why)),
    };
    let all: Vec<usize> = sp.pre.iter().chain(&sp.post).copied().collect();
    let actual = pick(&treated.y, &all);
    let fit = Fit {
        input,
        t0: sp.pre.len(),
        base: ImpactRow {
            actual: Some(actual[sp.pre.len()..].iter().sum()),
            ..base.clone()
        },
        all,
        actual,
        donors,
        sign: match input.meta.better {
            Better::Higher => 1.0,
            Better::Lower => -1.0,
        },
        value_per_unit: value_per_unit(&treated, &sp.post),
    };
    let mut out = Judged::default();
    bsts_fit(&fit, &mut out)?;
    if input.launch.scope.is_some() {
        let row = synthetic_row(&fit, &mut out.series)?;
        out.rows.push(row);
    }
    Ok(out)
}

/// The BSTS counterfactual into `out`: its row, its series and its value for the ROI.
fn bsts_fit(f: &Fit, out: &mut Judged) -> Result<()> {
    let (input, l) = (f.input, f.input.launch);
    // A launch in one scope takes the same outcome in all the other scopes together as its
    // covariate (one series with a fraction of any single scope's noise); a launch
    // everywhere takes its use case's control outcomes.
    let covariates: Donors = match &l.scope {
        Some(_) if !f.donors.is_empty() => {
            let total = (0..input.periods.len())
                .map(|i| f.donors.iter().map(|d| d.1[i]).sum())
                .collect();
            vec![("other scopes".to_string(), total)]
        }
        Some(_) => Vec::new(),
        None => f.donors.clone(),
    };
    let s = bsts::Series {
        y: f.actual.clone(),
        x: covariates.iter().map(|(_, y)| pick(y, &f.all)).collect(),
        t0: f.t0,
    };
    let fitted = bsts::impact(&s, &input.options).and_then(|r| {
        let c = checks::bsts_checks(&s, &input.options, &r)?;
        Ok((r, c))
    });
    let (r, c) = match fitted {
        Ok(x) => x,
        Err(Error::Model { problem, .. }) => {
            out.rows.push(ImpactRow {
                reasons: vec![format!("The model cannot be fitted: {problem}.")],
                ..f.base.clone()
            });
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let verdict = verdict(&c, r.claims_effect());
    let mut row = with_checks(f.base.clone(), &c, verdict);
    if verdict != Verdict::NotAssessable {
        let effect = r.cumulative_effect_total;
        let counterfactual = row.actual.unwrap_or(0.0) - effect;
        row.counterfactual = Some(counterfactual);
        row.effect = Some(effect);
        row.effect_ci_low = Some(r.cumulative_ci_lower);
        row.effect_ci_high = Some(r.cumulative_ci_upper);
        row.relative_effect = (counterfactual != 0.0).then(|| effect / counterfactual);
        row.p_value = Some(r.p_value);
        if let Some(v) = f.value_per_unit {
            let (a, b) = (
                f.sign * r.cumulative_ci_lower * v,
                f.sign * r.cumulative_ci_upper * v,
            );
            row.value_per_unit = Some(v);
            row.value = Some(f.sign * effect * v);
            row.value_ci_low = Some(a.min(b));
            row.value_ci_high = Some(a.max(b));
            out.value = Some(CounterfactualValue {
                use_case: l.use_case.clone(),
                launch_id: l.id.clone(),
                value: f.sign * effect * v,
                draws: r.cumulative_draws.iter().map(|d| f.sign * d * v).collect(),
                periods: (f.all.len() - f.t0) as u64,
                replaces: input.meta.replaces.clone(),
            });
        } else {
            row.reasons.push(format!(
                "The {} outcome has no money value in the post-period: the effect is not valued.",
                input.meta.outcome
            ));
        }
    }
    out.rows.push(row);
    out.series
        .extend(bsts_series(l, input.periods, &f.all, f.t0, &f.actual, &r));
    Ok(())
}

/// Money per unit of the treated outcome over the post-period.
fn value_per_unit(s: &Series, post: &[usize]) -> Option<f64> {
    let value: f64 = post.iter().map(|&i| s.value[i]).sum();
    let valued: f64 = post.iter().map(|&i| s.valued[i]).sum();
    (valued > 0.0).then(|| value / valued)
}

fn verdict(c: &Checks, claims: bool) -> Verdict {
    match (c.assessable, claims) {
        (false, _) => Verdict::NotAssessable,
        (true, true) => Verdict::Effect,
        (true, false) => Verdict::NoDetectableEffect,
    }
}

fn with_checks(row: ImpactRow, c: &Checks, verdict: Verdict) -> ImpactRow {
    ImpactRow {
        placebo_effect: c.placebo_effect,
        placebo_p_value: c.placebo_p_value,
        placebo_beyond_chance: c.placebo_beyond_chance,
        holdout_mape: c.holdout_mape,
        verdict,
        reasons: c.caveats.clone(),
        ..row
    }
}

fn bsts_series(
    l: &Launch,
    periods: &[NaiveDate],
    all: &[usize],
    t0: usize,
    actual: &[f64],
    r: &bsts::Impact,
) -> Vec<SeriesRow> {
    all.iter()
        .enumerate()
        .map(|(j, &i)| {
            let post = j >= t0;
            let (cf, lo, hi) = if post {
                let p = r.predicted[j - t0];
                (p.0, Some(p.1), Some(p.2))
            } else {
                (r.fitted[j], None, None)
            };
            let cum = post.then(|| r.cumulative[j - t0]);
            SeriesRow {
                launch_id: l.id.clone(),
                method: BSTS,
                period: periods[i],
                post,
                actual: actual[j],
                counterfactual: cf,
                counterfactual_low: lo,
                counterfactual_high: hi,
                cumulative_effect: cum.map(|c| c.0),
                cumulative_low: cum.map(|c| c.1),
                cumulative_high: cum.map(|c| c.2),
            }
        })
        .collect()
}

/// The synthetic control of a launch in one scope, over the other scopes.
fn synthetic_row(f: &Fit, series: &mut Vec<SeriesRow>) -> Result<ImpactRow> {
    let (input, l, donors, all, t0) = (f.input, f.input.launch, &f.donors, &f.all, f.t0);
    let base = ImpactRow {
        method: SYNTHETIC,
        ..f.base.clone()
    };
    let (_, value) = l.scope.clone().expect("a scoped launch");
    if donors.len() < 2 {
        return Ok(ImpactRow {
            reasons: vec![format!(
                "{} other scope{} with the outcome before the launch: a synthetic control needs at least 2 donors.",
                donors.len(),
                if donors.len() == 1 { "" } else { "s" }
            )],
            ..base
        });
    }
    let mut units = vec![value.clone()];
    let mut y = vec![f.actual.clone()];
    for (u, d) in donors {
        units.push(u.clone());
        y.push(pick(d, all));
    }
    let panel = Panel {
        units,
        periods: all.iter().map(|&i| input.periods[i].to_string()).collect(),
        y,
    };
    let fitted = synthetic_control(&panel, &value, t0).and_then(|r| {
        let c = checks::synthetic_checks(&panel, &value, t0, &r)?;
        Ok((r, c))
    });
    let (r, c) = match fitted {
        Ok(x) => x,
        Err(Error::Model { problem, .. }) => {
            return Ok(ImpactRow {
                reasons: vec![format!(
                    "The synthetic control cannot be fitted: {problem}."
                )],
                ..base
            });
        }
        Err(e) => return Err(e),
    };
    let verdict = verdict(&c, r.placebo_p_value <= SYNTHETIC_CLAIM_P);
    let mut row = with_checks(base, &c, verdict);
    row.pre_mape = Some(r.pre_mape);
    if verdict != Verdict::NotAssessable {
        let effect: f64 = r.effects[t0..].iter().map(|e| e.effect).sum();
        let cf: f64 = r.effects[t0..].iter().map(|e| e.counterfactual).sum();
        row.counterfactual = Some(cf);
        row.effect = Some(effect);
        row.relative_effect = (cf != 0.0).then(|| effect / cf);
        row.p_value = Some(r.placebo_p_value);
        row.value_per_unit = f.value_per_unit;
        row.value = f.value_per_unit.map(|v| f.sign * effect * v);
    }
    let mut cumulative = 0.0;
    for (j, (e, &i)) in r.effects.iter().zip(all).enumerate() {
        let post = j >= t0;
        if post {
            cumulative += e.effect;
        }
        series.push(SeriesRow {
            launch_id: l.id.clone(),
            method: SYNTHETIC,
            period: input.periods[i],
            post,
            actual: e.actual,
            counterfactual: e.counterfactual,
            counterfactual_low: None,
            counterfactual_high: None,
            cumulative_effect: post.then_some(cumulative),
            cumulative_low: None,
            cumulative_high: None,
        });
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::sidecar::Better;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn launch(on: &str, scope: Option<(&str, &str)>, ended: Option<&str>) -> Launch {
        Launch {
            id: "L9".into(),
            use_case: "UC11".into(),
            launched_on: d(on),
            scope: scope.map(|(a, b)| (a.into(), b.into())),
            ended_on: ended.map(d),
            description: None,
        }
    }

    fn meta() -> ImpactMeta {
        ImpactMeta {
            outcome: "tickets".into(),
            better: Better::Lower,
            grain: Grain::Week,
            replaces: vec!["service_savings".into()],
            controls: Vec::new(),
            nseasons: None,
            season_duration: 1,
        }
    }

    #[test]
    fn the_week_a_launch_falls_inside_is_neither_before_nor_after_it() {
        let weeks = outcome::periods(Grain::Week, d("2026-01-05"), d("2026-03-02"));
        // Launched on a Wednesday: that week is dropped.
        let s = split(&weeks, Grain::Week, &launch("2026-01-21", None, None));
        assert_eq!(s.pre, vec![0, 1]);
        assert_eq!(s.post, (3..weeks.len()).collect::<Vec<_>>());
        // Ended on a Sunday: the weeks after it are not post-period.
        let s = split(
            &weeks,
            Grain::Week,
            &launch("2026-01-19", None, Some("2026-02-01")),
        );
        assert_eq!(s.pre, vec![0, 1]);
        assert_eq!(s.post, vec![2, 3]);
    }

    fn cells(weeks: &[NaiveDate]) -> Vec<Cell> {
        let mut out = Vec::new();
        for (i, w) in weeks.iter().enumerate() {
            for (c, base) in [("IT", 40.0), ("DE", 50.0), ("FR", 45.0)] {
                out.push(Cell {
                    day: *w,
                    scope: [None, None, Some(c.into()), None],
                    y: base + ((i * 7 + c.len()) % 5) as f64,
                    value: Some(4.0 * base),
                    valued: base,
                });
            }
        }
        out
    }

    fn judged(l: &Launch, weeks: &[NaiveDate]) -> Judged {
        let cells = cells(weeks);
        let m = meta();
        judge(&LaunchInput {
            launch: l,
            meta: &m,
            cells: &cells,
            controls: Vec::new(),
            periods: weeks,
            options: Options {
                niter: 200,
                seed: 1,
                prior_level_sd: 0.01,
                seasonal: None,
            },
        })
        .unwrap()
    }

    #[test]
    fn what_cannot_be_judged_is_not_assessable_with_its_reason_and_no_figure() {
        let weeks = outcome::periods(Grain::Week, d("2026-01-05"), d("2026-06-01"));
        let cases = [
            (
                launch("2026-02-02", Some(("country", "IT")), None),
                "Only 4 whole weeks",
            ),
            (
                launch("2026-07-06", Some(("country", "IT")), None),
                "nothing to judge yet",
            ),
            (
                launch("2026-04-06", Some(("country", "ES")), None),
                "known: DE, FR, IT",
            ),
            (
                launch("2026-04-06", Some(("channel", "phone")), None),
                "has no channel at all",
            ),
        ];
        for (l, why) in cases {
            let j = judged(&l, &weeks);
            assert_eq!(j.rows.len(), 1, "{why}");
            let r = &j.rows[0];
            assert_eq!(r.verdict, Verdict::NotAssessable);
            assert!(r.reasons.join(" ").contains(why), "{:?}", r.reasons);
            assert!(r.effect.is_none() && r.value.is_none() && j.value.is_none());
        }
    }

    #[test]
    fn a_launch_in_one_scope_gets_both_methods_and_a_value_for_the_roi() {
        let weeks = outcome::periods(Grain::Week, d("2026-01-05"), d("2026-06-01"));
        let j = judged(&launch("2026-04-06", Some(("country", "IT")), None), &weeks);
        let methods: Vec<&str> = j.rows.iter().map(|r| r.method).collect();
        assert_eq!(methods, vec![BSTS, SYNTHETIC]);
        let r = &j.rows[0];
        assert_eq!((r.pre_periods, r.post_periods), (13, 8));
        assert_ne!(r.verdict, Verdict::NotAssessable, "{:?}", r.reasons);
        // Four per ticket, fewer is better: the value is −4 × the effect.
        assert_eq!(r.value_per_unit, Some(4.0));
        let v = j.value.as_ref().unwrap();
        assert!((v.value + 4.0 * r.effect.unwrap()).abs() < 1e-9);
        assert!(!v.draws.is_empty());
        assert_eq!(v.replaces, vec!["service_savings".to_string()]);
        // The series: every period of the split, the post ones with a band.
        let bsts: Vec<_> = j.series.iter().filter(|s| s.method == BSTS).collect();
        assert_eq!(bsts.len(), 21);
        assert!(
            bsts.iter()
                .all(|s| s.post == s.counterfactual_low.is_some())
        );
    }
}

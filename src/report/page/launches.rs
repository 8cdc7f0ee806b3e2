//! Launches judged against their counterfactuals, under their use case: what happened to the
//! outcome where the use case went live, in one plain finding, what it is worth and whether
//! the ROI counts it, the checks in words, the synthetic control as a cross-check, and the
//! three-panel chart. A counterfactual that is not assessable shows its reason, never a figure.

use super::ReportInput;
use crate::analyses::impact::evaluate::{BSTS, ImpactRow, SYNTHETIC, Verdict};
use crate::kpi::sidecar::Grain;
use crate::report::charts::ChartFile;
use crate::report::format::{money, number, pct};
use serde::Serialize;

/// One launch on the page.
#[derive(Debug, Clone, Serialize)]
pub struct LaunchView {
    /// Launch id.
    pub id: String,
    /// What was launched, where and when.
    pub heading: String,
    /// `effect`, `no detectable effect` or `not assessable`.
    pub verdict: &'static str,
    /// The verdict as a CSS class.
    pub verdict_class: &'static str,
    /// The finding in one or two sentences.
    pub finding: String,
    /// What it is worth and how the ROI counts it.
    pub value: Option<String>,
    /// The checks and caveats, in words.
    pub checks: Vec<String>,
    /// The synthetic control's reading, as a cross-check.
    pub cross_check: Option<String>,
    /// The three panels (assessable counterfactuals only).
    pub chart: Option<ChartFile>,
}

fn scope_words(r: &ImpactRow) -> String {
    match (&r.scope_dimension, &r.scope_value) {
        (Some(d), Some(v)) => format!("in {d} {v}"),
        _ => "everywhere".into(),
    }
}

fn periods_word(r: &ImpactRow) -> &'static str {
    match r.grain {
        Grain::Day => "days",
        Grain::Week => "weeks",
    }
}

/// The finding of a BSTS row.
fn finding(r: &ImpactRow) -> String {
    let outcome = r.outcome.replace('_', " ");
    let periods = format!("{} {}", r.post_periods, periods_word(r));
    match (r.verdict, r.effect, r.effect_ci_low, r.effect_ci_high) {
        (Verdict::NotAssessable, ..) | (_, None, ..) => format!(
            "Not assessable: no figure of this counterfactual is a finding. {}",
            r.reasons.join(" ")
        ),
        (v, Some(e), Some(lo), Some(hi)) => {
            let rel = r.relative_effect.map_or(String::new(), |x| {
                let sign = if x > 0.0 { "+" } else { "" };
                format!(" ({sign}{} against the counterfactual)", pct(x))
            });
            let sign = |x: f64| {
                if x > 0.0 {
                    format!("+{}", number(x))
                } else {
                    number(x)
                }
            };
            if v == Verdict::Effect {
                format!(
                    "{} {}: {} {} than without the launch over {periods}{rel}; 95 % interval {} to {}.",
                    capitalised(&outcome),
                    scope_words(r),
                    number(e.abs()),
                    if e < 0.0 { "fewer" } else { "more" },
                    sign(lo),
                    sign(hi)
                )
            } else {
                format!(
                    "No effect beyond chance on {outcome} {}: {} {outcome} over {periods}{rel}, 95 % interval {} to {}, which includes no change.",
                    scope_words(r),
                    sign(e),
                    sign(lo),
                    sign(hi)
                )
            }
        }
        _ => String::new(),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// What a BSTS row is worth and how the ROI uses it.
fn value(input: &ReportInput, r: &ImpactRow) -> Option<String> {
    let v = r.value?;
    let cur = &input.currency;
    let interval = r
        .value_ci_low
        .zip(r.value_ci_high)
        .map_or(String::new(), |(a, b)| {
            format!(" (95 % interval {} to {})", money(a, cur), money(b, cur))
        });
    let per = r.value_per_unit.map_or(String::new(), |u| {
        format!(", at {} per {}", money(u, cur), unit_noun(&r.outcome))
    });
    let drivers: Vec<_> = input
        .roi
        .iter()
        .flat_map(|roi| &roi.drivers)
        .filter(|d| d.use_case == r.use_case)
        .collect();
    let ours = drivers
        .iter()
        .find(|d| d.driver == crate::analyses::evidence::Driver::CounterfactualValue);
    let counted = match ours {
        Some(d) if d.used => {
            let replaced: Vec<String> = drivers
                .iter()
                .filter(|x| !x.used)
                .map(|x| {
                    format!(
                        "the {} ({}, {})",
                        x.driver.as_str().replace('_', " "),
                        money(x.value, cur),
                        x.evidence
                    )
                })
                .collect();
            if replaced.is_empty() {
                "The ROI counts it as quasi-experiment evidence.".to_string()
            } else {
                format!(
                    "The ROI counts it as quasi-experiment evidence, in place of {}, which stays beside it in the tables.",
                    replaced.join(" and ")
                )
            }
        }
        Some(_) => {
            "The ROI keeps a holdout experiment of this use case instead; this figure is shown beside it.".to_string()
        }
        _ => String::new(),
    };
    Some(format!("Worth {}{interval}{per}. {counted}", money(v, cur)))
}

fn unit_noun(outcome: &str) -> String {
    outcome.trim_end_matches('s').replace('_', " ")
}

/// The synthetic control's reading.
fn cross_check(r: &ImpactRow) -> String {
    match (r.verdict, r.effect) {
        (Verdict::NotAssessable, _) | (_, None) => format!(
            "Synthetic control over the other scopes: not assessable. {}",
            r.reasons.join(" ")
        ),
        (v, Some(e)) => format!(
            "Synthetic control over the other scopes (a weighted mix of them that tracks {} before the launch): {} over the post-period{}, placebo p = {}{}. {}",
            r.scope_value.as_deref().unwrap_or("the scope"),
            number(e),
            r.relative_effect
                .map_or(String::new(), |x| format!(" ({})", pct(x))),
            r.p_value.map_or("–".into(), |p| format!("{p:.2}")),
            if v == Verdict::Effect {
                ": beyond chance"
            } else {
                ""
            },
            r.reasons.join(" ")
        ),
    }
}

/// The checks of a BSTS row, in words.
fn checks(r: &ImpactRow) -> Vec<String> {
    let mut out = vec![format!(
        "{} {} before the launch, {} after it.",
        r.pre_periods,
        periods_word(r),
        r.post_periods
    )];
    if let Some(p) = r.placebo_effect {
        let real = r.effect.map_or(String::new(), |e| {
            format!(
                "; the real launch: {} per period",
                number(e / r.post_periods.max(1) as f64)
            )
        });
        let judged = match (r.placebo_p_value, r.placebo_beyond_chance) {
            (Some(q), Some(true)) => format!(", beyond chance (p = {q:.3})"),
            (Some(q), _) => format!(", within chance (p = {q:.3})"),
            (None, _) => String::new(),
        };
        out.push(format!(
            "In-time placebo: the same model with a fake launch inside the pre-period finds an average effect of {} per period{judged}{real}{}.",
            number(p),
            r.holdout_mape.map_or(String::new(), |m| format!(
                "; its counterfactual missed the held-out periods by {} on average",
                pct(m)
            ))
        ));
    }
    if r.verdict != Verdict::NotAssessable {
        out.extend(r.reasons.iter().cloned());
    }
    out
}

/// The launches of `use_case`, with their charts (made by the caller for assessable ones).
pub fn launches(
    input: &ReportInput,
    use_case: &str,
    mut chart: impl FnMut(&str) -> crate::error::Result<Option<ChartFile>>,
) -> crate::error::Result<Vec<LaunchView>> {
    let Some(impact) = input.impact else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in impact
        .rows
        .iter()
        .filter(|r| r.use_case == use_case && r.method == BSTS)
    {
        let launch = impact.launches.iter().find(|l| l.id == r.launch_id);
        let what = launch
            .and_then(|l| l.description.clone())
            .unwrap_or_else(|| format!("{} launched", r.use_case));
        let sc = impact
            .rows
            .iter()
            .find(|s| s.launch_id == r.launch_id && s.method == SYNTHETIC);
        out.push(LaunchView {
            id: r.launch_id.clone(),
            heading: format!(
                "{} — {what} ({}, from {})",
                r.launch_id,
                scope_words(r),
                r.launched_on
            ),
            verdict: r.verdict.as_str(),
            verdict_class: match r.verdict {
                Verdict::Effect => "effect",
                Verdict::NoDetectableEffect => "none",
                Verdict::NotAssessable => "not-assessable",
            },
            finding: finding(r),
            value: value(input, r),
            checks: checks(r),
            cross_check: sc.map(cross_check),
            chart: if r.verdict == Verdict::NotAssessable {
                None
            } else {
                chart(&r.launch_id)?
            },
        });
    }
    Ok(out)
}

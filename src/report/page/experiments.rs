//! Holdout experiments under their use case: what the test found, in one sentence, with its
//! fixed-horizon interval, CUPED's tighter one, the always-valid reading of a test still
//! running (and when it may be read), and a broken assignment said out loud.

use super::ReportInput;
use crate::analyses::experiments::{BROKEN, ExperimentResult, IN_FLIGHT};
use crate::report::format::{fixed, pct};
use serde::Serialize;

/// One experiment on the page.
#[derive(Debug, Clone, Serialize)]
pub struct ExperimentView {
    /// Experiment id.
    pub id: String,
    /// What was tested and when.
    pub heading: String,
    /// The label.
    pub label: String,
    /// The label as a CSS class.
    pub class: &'static str,
    /// The finding in plain words.
    pub finding: String,
    /// The details: interval, CUPED, monitoring, assignment.
    pub details: Vec<String>,
}

/// The metric's difference in words: points for rates, the currency for revenue.
fn amount(x: &ExperimentResult, v: f64, currency: &str) -> String {
    match x.metric.as_str() {
        "revenue" => format!("{currency} {}", fixed(v, 2)),
        _ => format!("{} points", fixed(v * 100.0, 2)),
    }
}

fn interval(x: &ExperimentResult, lo: f64, hi: f64, currency: &str) -> String {
    match x.metric.as_str() {
        "revenue" => format!("{currency} {} to {}", fixed(lo, 2), fixed(hi, 2)),
        _ => format!(
            "{} to {} points",
            fixed(lo * 100.0, 2),
            fixed(hi * 100.0, 2)
        ),
    }
}

/// A p-value as read: `p = 0.032`, or `p < 0.0001` for the tiny ones.
fn p_value(p: f64) -> String {
    if p < 1e-4 {
        "p < 0.0001".into()
    } else {
        format!("p = {}", fixed(p, 4))
    }
}

/// The fixed-horizon difference and interval of the primary metric.
fn fixed_horizon(x: &ExperimentResult) -> (Option<f64>, Option<f64>, Option<f64>) {
    match x.metric.as_str() {
        "revenue" => x.revenue_diff,
        "churn" => (x.churn.0.zip(x.churn.1).map(|(a, b)| a - b), None, None),
        _ => x.lift,
    }
}

/// The view of one experiment.
pub fn view(input: &ReportInput, x: &ExperimentResult) -> ExperimentView {
    let c = &input.currency;
    let metric = match x.metric.as_str() {
        "revenue" => "revenue per contact",
        "churn" => "churn",
        _ => "conversion",
    };
    let heading = format!(
        "Experiment {}: {metric}, {} to {}, {} contacts in treatment and {} in control",
        x.experiment_id,
        x.dates.0,
        x.dates.1,
        fixed(x.contacts.0 as f64, 0),
        fixed(x.contacts.1 as f64, 0)
    );
    let (diff, lo, hi) = fixed_horizon(x);
    let mut details = Vec::new();
    let finding = if x.label == BROKEN {
        format!(
            "Assignment broken: {} of the contacts are in treatment where the design puts {} (sample-ratio test {}). Its lift cannot be trusted, is not shown and the ROI does not count it; check how contacts were assigned and whether some were lost or counted twice.",
            pct(x.contacts.0 as f64 / (x.contacts.0 + x.contacts.1).max(1) as f64),
            pct(x.treatment_share),
            x.srm_p_value.map_or_else(|| "undefined".into(), p_value)
        )
    } else if x.in_flight {
        match (x.cs, x.always_valid_p) {
            ((Some(l), Some(h)), Some(p)) if x.label != IN_FLIGHT => format!(
                "Still running, and already conclusive: the always-valid interval {} excludes zero ({}); the result may be read now.",
                interval(x, l, h, c),
                p_value(p)
            ),
            ((Some(l), Some(h)), _) => format!(
                "Still running until {}: not conclusive yet. The always-valid interval, safe to check every night, is {}; read the result when it excludes zero or at the end date, not from the daily p-value.",
                x.dates.1,
                interval(x, l, h, c)
            ),
            _ => format!(
                "Still running until {}: too little data to read.",
                x.dates.1
            ),
        }
    } else {
        match (diff, lo, hi) {
            (Some(d), Some(l), Some(h)) => format!(
                "The treatment changed {metric} by {} (95 % interval {}): {}.",
                amount(x, d, c),
                interval(x, l, h, c),
                if x.label == "significant" {
                    "beyond chance"
                } else {
                    "not significant, the effect may be zero"
                }
            ),
            _ => format!("Its {metric} difference is undefined ({}).", x.label),
        }
    };
    if let (Some(d), Some(l), Some(h), Some(vr)) = (
        x.cuped_lift.0,
        x.cuped_lift.1,
        x.cuped_lift.2,
        x.variance_reduction,
    ) && x.label != BROKEN
    {
        details.push(format!(
            "Adjusted for each contact's {} before the test (CUPED): {} (95 % interval {}); the pre-period explains {} of the variance{}.",
            if x.metric == "revenue" { "revenue" } else { "conversions" },
            amount(x, d, c),
            interval(x, l, h, c),
            pct(vr.max(0.0)),
            if vr >= 0.01 {
                ", so the interval is narrower; the ROI counts the margin adjusted the same way"
            } else {
                ", too little to narrow the interval; the ROI counts the margin adjusted the same way"
            }
        ));
    }
    if !x.in_flight
        && x.label != BROKEN
        && let (Some(l), Some(h)) = x.cs
    {
        details.push(format!(
            "Always-valid interval (valid however often it was checked): {}.",
            interval(x, l, h, c)
        ));
    }
    if x.label != BROKEN
        && let Some(p) = x.srm_p_value
    {
        details.push(format!(
            "Assignment as designed ({} in treatment; sample-ratio test {}).",
            pct(x.treatment_share),
            p_value(p)
        ));
    }
    ExperimentView {
        id: x.experiment_id.clone(),
        heading,
        label: x.label.clone(),
        class: match x.label.as_str() {
            BROKEN => "broken",
            IN_FLIGHT => "running",
            "significant" => "effect",
            _ => "none",
        },
        finding,
        details,
    }
}

/// The experiments of a use case.
pub fn experiments(input: &ReportInput, use_case: &str) -> Vec<ExperimentView> {
    input
        .experiments
        .unwrap_or_default()
        .iter()
        .filter(|x| x.use_case == use_case)
        .map(|x| view(input, x))
        .collect()
}

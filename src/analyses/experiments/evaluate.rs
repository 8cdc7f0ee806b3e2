//! The statistics of one experiment from its two arms' sums (docs/spec/experiments.md): the
//! fixed-horizon tests, CUPED on the primary metric, the always-valid reading of the primary
//! metric's difference, the sample-ratio check, and the label that says how it may be read.

use crate::stats::cuped::{Paired, cuped};
use crate::stats::sequential::msprt;
use crate::stats::srm::{SRM_ALPHA, srm_p_value};
use crate::stats::two_sample::{Moments, two_proportions, welch};

/// Level of every test and interval of an experiment.
pub const ALPHA: f64 = 0.05;

/// Label of an experiment whose assignment counts do not match its design.
pub const BROKEN: &str = "assignment broken";

/// Label of an experiment still running whose always-valid test is not conclusive yet.
pub const IN_FLIGHT: &str = "in flight";

/// One experiment's result (a row of `experiments_result`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentResult {
    /// Experiment id.
    pub experiment_id: String,
    /// Use case tested.
    pub use_case: String,
    /// Primary metric: conversion, revenue or churn.
    pub metric: String,
    /// First and last day (YYYY-MM-DD).
    pub dates: (String, String),
    /// Whether the experiment runs past the as-of (end_date not before window_end).
    pub in_flight: bool,
    /// Contacts in each arm (treatment, control).
    pub contacts: (u64, u64),
    /// Designed share of contacts in treatment.
    pub treatment_share: f64,
    /// Sample-ratio test of the arms' counts against the design.
    pub srm_p_value: Option<f64>,
    /// Conversion rates (treatment, control).
    pub rates: (Option<f64>, Option<f64>),
    /// p_t − p_c and its 95 % Wald interval.
    pub lift: (Option<f64>, Option<f64>, Option<f64>),
    /// (p_t − p_c) / p_c.
    pub relative_lift: Option<f64>,
    /// Pooled two-proportion z-test.
    pub conversion_p_value: Option<f64>,
    /// Mean revenue per contact (treatment, control).
    pub mean_revenue: (Option<f64>, Option<f64>),
    /// Difference of the means and its 95 % interval.
    pub revenue_diff: (Option<f64>, Option<f64>, Option<f64>),
    /// Welch t-test p-value.
    pub revenue_p_value: Option<f64>,
    /// Churn rates (treatment, control).
    pub churn: (Option<f64>, Option<f64>),
    /// Two-proportion p-value of churn.
    pub churn_p_value: Option<f64>,
    /// (p_t − p_c) × treatment contacts.
    pub incremental_conversions: Option<f64>,
    /// (mean_t − mean_c) × treatment contacts.
    pub incremental_revenue: Option<f64>,
    /// CUPED-adjusted difference of the primary metric (conversion or revenue) and its 95 %
    /// Welch interval.
    pub cuped_lift: (Option<f64>, Option<f64>, Option<f64>),
    /// 1 − var(Y_adj) / var(Y).
    pub variance_reduction: Option<f64>,
    /// 95 % confidence sequence of the primary metric's difference (valid at every look).
    pub cs: (Option<f64>, Option<f64>),
    /// Always-valid p-value of no difference.
    pub always_valid_p: Option<f64>,
    /// `significant`, `not significant`, `undefined`, `in flight` or `assignment broken`.
    pub label: String,
}

impl ExperimentResult {
    /// Whether its lift may be counted (the assignment worked as designed).
    pub fn trusted(&self) -> bool {
        self.label != BROKEN
    }
}

/// Outcome sums of one arm.
#[derive(Debug, Clone, Copy, Default)]
pub struct Arm {
    /// Assigned contacts.
    pub contacts: u64,
    /// Contacts with at least one conversion.
    pub converted: u64,
    /// Σ and Σ² of revenue per contact.
    pub revenue: (f64, f64),
    /// Contacts that churned.
    pub churned: u64,
    /// Contacts with a conversion over the pre-period.
    pub pre_converted: u64,
    /// Contacts that converted in the pre-period and inside the experiment.
    pub both_converted: u64,
    /// Σ and Σ² of pre-period revenue per contact.
    pub pre_revenue: (f64, f64),
    /// Σ pre-period revenue × revenue per contact.
    pub revenue_cross: f64,
}

impl Arm {
    /// The primary metric's outcome and its pre-period covariate (none for churn: a contact
    /// that churned before the start is not assigned).
    fn paired(&self, metric: &str) -> Option<Paired> {
        match metric {
            "conversion" => Some(Paired {
                n: self.contacts,
                y: self.converted as f64,
                y2: self.converted as f64,
                x: self.pre_converted as f64,
                x2: self.pre_converted as f64,
                xy: self.both_converted as f64,
            }),
            "revenue" => Some(Paired {
                n: self.contacts,
                y: self.revenue.0,
                y2: self.revenue.1,
                x: self.pre_revenue.0,
                x2: self.pre_revenue.1,
                xy: self.revenue_cross,
            }),
            _ => None,
        }
    }

    fn moments(&self, metric: &str) -> Moments {
        let (sum, sum_sq) = match metric {
            "revenue" => self.revenue,
            "churn" => (self.churned as f64, self.churned as f64),
            _ => (self.converted as f64, self.converted as f64),
        };
        Moments {
            n: self.contacts,
            sum,
            sum_sq,
        }
    }
}

/// What an experiment is, apart from its arms.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Experiment id.
    pub experiment_id: String,
    /// Use case tested.
    pub use_case: String,
    /// Primary metric.
    pub metric: String,
    /// First and last day.
    pub dates: (String, String),
    /// Designed share of contacts in treatment.
    pub treatment_share: f64,
}

/// How the experiment is read: whether it is still running, and the always-valid test's
/// mixing sd in sds of the outcome (`sequential_tau`).
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    /// end_date is not before the as-of.
    pub in_flight: bool,
    /// `sequential_tau`.
    pub tau: f64,
}

/// The always-valid reading of the primary metric: the difference with the variance of the
/// fixed-horizon interval (Wald for rates, Welch's for means), τ in units of the pooled sd.
fn always_valid(t: &Moments, c: &Moments, metric: &str, tau: f64) -> Option<(f64, f64, f64)> {
    let (mt, mc) = (t.mean()?, c.mean()?);
    let (nt, nc) = (t.n as f64, c.n as f64);
    let (vt, vc, pooled_var) = if metric == "revenue" {
        let all = Moments {
            n: t.n + c.n,
            sum: t.sum + c.sum,
            sum_sq: t.sum_sq + c.sum_sq,
        };
        (t.variance()?, c.variance()?, all.variance()?)
    } else {
        let p = (t.sum + c.sum) / (nt + nc);
        (mt * (1.0 - mt), mc * (1.0 - mc), p * (1.0 - p))
    };
    let a = msprt(mt - mc, vt / nt + vc / nc, tau * pooled_var.sqrt(), ALPHA)?;
    Some((a.cs_low, a.cs_high, a.p_value))
}

/// The statistics of one experiment from its two arms.
pub fn evaluate(d: &Design, reading: Reading, t: Arm, c: Arm) -> ExperimentResult {
    let metric = d.metric.as_str();
    let conv = two_proportions(t.converted, t.contacts, c.converted, c.contacts);
    let churn = two_proportions(t.churned, t.contacts, c.churned, c.contacts);
    let (mt, mc) = (t.moments("revenue"), c.moments("revenue"));
    let rev = welch(mt, mc);
    let fixed_p = match metric {
        "revenue" => rev.map(|w| w.p_value),
        "churn" => churn.and_then(|x| x.p_value),
        _ => conv.and_then(|x| x.p_value),
    };
    let adjusted = t
        .paired(metric)
        .zip(c.paired(metric))
        .and_then(|(pt, pc)| cuped(pt, pc));
    let sequential = always_valid(&t.moments(metric), &c.moments(metric), metric, reading.tau);
    let srm = srm_p_value(t.contacts, c.contacts, d.treatment_share);
    let label = if srm.is_some_and(|p| p < SRM_ALPHA) {
        BROKEN
    } else if reading.in_flight {
        // Before its end only the always-valid test may be read.
        match sequential {
            Some((.., p)) if p < ALPHA => "significant",
            _ => IN_FLIGHT,
        }
    } else {
        match fixed_p {
            Some(p) if p < ALPHA => "significant",
            Some(_) => "not significant",
            None => "undefined",
        }
    };
    let n_t = t.contacts as f64;
    let mean_diff = mt.mean().zip(mc.mean()).map(|(a, b)| a - b);
    ExperimentResult {
        experiment_id: d.experiment_id.clone(),
        use_case: d.use_case.clone(),
        metric: d.metric.clone(),
        dates: d.dates.clone(),
        in_flight: reading.in_flight,
        contacts: (t.contacts, c.contacts),
        treatment_share: d.treatment_share,
        srm_p_value: srm,
        rates: (conv.map(|x| x.p_treatment), conv.map(|x| x.p_control)),
        lift: (
            conv.map(|x| x.diff),
            conv.map(|x| x.ci.0),
            conv.map(|x| x.ci.1),
        ),
        relative_lift: conv.and_then(|x| x.relative),
        conversion_p_value: conv.and_then(|x| x.p_value),
        mean_revenue: (mt.mean(), mc.mean()),
        revenue_diff: (mean_diff, rev.map(|w| w.ci.0), rev.map(|w| w.ci.1)),
        revenue_p_value: rev.map(|w| w.p_value),
        churn: (churn.map(|x| x.p_treatment), churn.map(|x| x.p_control)),
        churn_p_value: churn.and_then(|x| x.p_value),
        incremental_conversions: conv.map(|x| x.diff * n_t),
        incremental_revenue: mean_diff.map(|d| d * n_t),
        cuped_lift: (
            adjusted.map(|a| a.test.diff),
            adjusted.map(|a| a.test.ci.0),
            adjusted.map(|a| a.test.ci.1),
        ),
        variance_reduction: adjusted.map(|a| a.variance_reduction),
        cs: (sequential.map(|s| s.0), sequential.map(|s| s.1)),
        always_valid_p: sequential.map(|s| s.2),
        label: label.into(),
    }
}

//! Incrementality (docs/spec/attribution-and-roi.md, experiments): for each holdout experiment,
//! the arms' outcomes come from `queries/models/experiment_arms.sql`; conversion rates, the
//! absolute lift with its 95 % Wald interval, the relative lift and the pooled z-test; mean
//! revenue per contact with Welch's t-test and interval; churn; incremental conversions and
//! revenue. A result with p >= 0.05 is labelled "not significant", and its interval is
//! always given.

use crate::config::params::Parameters;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::stats::two_sample::{Moments, two_proportions, welch};
use datafusion::arrow::array::{
    ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, UInt64Array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema, SchemaRef, UInt64Type};
use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// One experiment's result (a row of `experiments_result`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentResult {
    /// Experiment id.
    pub experiment_id: String,
    /// Use case tested.
    pub use_case: String,
    /// Primary metric: conversion, revenue or churn.
    pub metric: String,
    /// Contacts in each arm (treatment, control).
    pub contacts: (u64, u64),
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
    /// `significant`, `not significant`, or `undefined` for the primary metric at 5 %.
    pub label: String,
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
}

/// The statistics of one experiment from its two arms.
pub fn evaluate(
    experiment_id: &str,
    use_case: &str,
    metric: &str,
    t: Arm,
    c: Arm,
) -> ExperimentResult {
    let conv = two_proportions(t.converted, t.contacts, c.converted, c.contacts);
    let churn = two_proportions(t.churned, t.contacts, c.churned, c.contacts);
    let mt = Moments {
        n: t.contacts,
        sum: t.revenue.0,
        sum_sq: t.revenue.1,
    };
    let mc = Moments {
        n: c.contacts,
        sum: c.revenue.0,
        sum_sq: c.revenue.1,
    };
    let rev = welch(mt, mc);
    let primary = match metric {
        "revenue" => rev.map(|w| w.p_value),
        "churn" => churn.and_then(|x| x.p_value),
        _ => conv.and_then(|x| x.p_value),
    };
    let n_t = t.contacts as f64;
    let mean_diff = mt.mean().zip(mc.mean()).map(|(a, b)| a - b);
    ExperimentResult {
        experiment_id: experiment_id.into(),
        use_case: use_case.into(),
        metric: metric.into(),
        contacts: (t.contacts, c.contacts),
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
        label: match primary {
            Some(p) if p < 0.05 => "significant".into(),
            Some(_) => "not significant".into(),
            None => "undefined".into(),
        },
    }
}

fn u64s(a: &ArrayRef) -> Result<Vec<u64>> {
    let c = cast(a, &DataType::UInt64)
        .map_err(|e| Error::engine("reading experiment arms", e.into()))?;
    Ok(c.as_primitive::<UInt64Type>()
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

fn f64s(a: &ArrayRef) -> Result<Vec<f64>> {
    let c = cast(a, &DataType::Float64)
        .map_err(|e| Error::engine("reading experiment arms", e.into()))?;
    Ok(c.as_primitive::<Float64Type>()
        .iter()
        .map(|v| v.unwrap_or(0.0))
        .collect())
}

/// Runs the experiment model query and evaluates every experiment with both arms.
pub async fn run(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
) -> Result<Vec<ExperimentResult>> {
    let batches = queries.run_model(ctx, params, "experiment_arms").await?;
    let mut arms: Vec<(String, String, String, String, Arm)> = Vec::new();
    for b in batches.iter() {
        let (ids, ucs) = (b.text("experiment_id")?, b.text("use_case")?);
        let (metrics, names) = (b.text("metric")?, b.text("arm")?);
        let (n, conv, rs, rq, ch) = (
            u64s(b.column("contacts")?)?,
            u64s(b.column("converted")?)?,
            f64s(b.column("revenue_sum")?)?,
            f64s(b.column("revenue_sq_sum")?)?,
            u64s(b.column("churned")?)?,
        );
        for i in 0..b.num_rows() {
            arms.push((
                ids.value(i).into(),
                ucs.value(i).into(),
                metrics.value(i).into(),
                names.value(i).into(),
                Arm {
                    contacts: n[i],
                    converted: conv[i],
                    revenue: (rs[i], rq[i]),
                    churned: ch[i],
                },
            ));
        }
    }
    let mut ids: Vec<&String> = arms.iter().map(|a| &a.0).collect();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let arm = |name: &str| arms.iter().find(|a| &a.0 == id && a.3 == name);
        if let (Some(t), Some(c)) = (arm("treatment"), arm("control")) {
            out.push(evaluate(id, &t.1, &t.2, t.4, c.4));
        }
    }
    Ok(out)
}

/// Schema of the `experiments_result` table.
pub(crate) fn schema() -> SchemaRef {
    let s = |n: &str| Field::new(n, DataType::Utf8, false);
    let u = |n: &str| Field::new(n, DataType::UInt64, false);
    let f = |n: &str| Field::new(n, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        s("experiment_id"),
        s("use_case"),
        s("metric"),
        u("treatment_contacts"),
        u("control_contacts"),
        f("treatment_rate"),
        f("control_rate"),
        f("lift"),
        f("lift_ci_low"),
        f("lift_ci_high"),
        f("relative_lift"),
        f("conversion_p_value"),
        f("treatment_mean_revenue"),
        f("control_mean_revenue"),
        f("revenue_diff"),
        f("revenue_ci_low"),
        f("revenue_ci_high"),
        f("revenue_p_value"),
        f("treatment_churn_rate"),
        f("control_churn_rate"),
        f("churn_p_value"),
        f("incremental_conversions"),
        f("incremental_revenue"),
        s("label"),
    ]))
}

/// The results as one batch of `experiments_result`.
pub(crate) fn to_batch(results: &[ExperimentResult]) -> Result<RecordBatch> {
    let s = |f: &dyn Fn(&ExperimentResult) -> &str| {
        Arc::new(results.iter().map(|r| Some(f(r))).collect::<StringArray>()) as ArrayRef
    };
    let u = |f: &dyn Fn(&ExperimentResult) -> u64| {
        Arc::new(results.iter().map(f).collect::<UInt64Array>()) as ArrayRef
    };
    let x = |f: &dyn Fn(&ExperimentResult) -> Option<f64>| {
        Arc::new(results.iter().map(f).collect::<Float64Array>()) as ArrayRef
    };
    let cols = vec![
        s(&|r| &r.experiment_id),
        s(&|r| &r.use_case),
        s(&|r| &r.metric),
        u(&|r| r.contacts.0),
        u(&|r| r.contacts.1),
        x(&|r| r.rates.0),
        x(&|r| r.rates.1),
        x(&|r| r.lift.0),
        x(&|r| r.lift.1),
        x(&|r| r.lift.2),
        x(&|r| r.relative_lift),
        x(&|r| r.conversion_p_value),
        x(&|r| r.mean_revenue.0),
        x(&|r| r.mean_revenue.1),
        x(&|r| r.revenue_diff.0),
        x(&|r| r.revenue_diff.1),
        x(&|r| r.revenue_diff.2),
        x(&|r| r.revenue_p_value),
        x(&|r| r.churn.0),
        x(&|r| r.churn.1),
        x(&|r| r.churn_p_value),
        x(&|r| r.incremental_conversions),
        x(&|r| r.incremental_revenue),
        s(&|r| &r.label),
    ];
    RecordBatch::try_new(schema(), cols)
        .map_err(|e| Error::engine("assembling experiments_result", e.into()))
}

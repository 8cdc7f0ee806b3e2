//! Incrementality (docs/spec/experiments.md): for each holdout experiment, the arms' outcomes
//! come from `queries/models/experiment_arms.sql`; conversion rates, the absolute lift with
//! its 95 % Wald interval, the relative lift and the pooled z-test; mean revenue per contact
//! with Welch's t-test and interval; churn; incremental conversions and revenue; CUPED on the
//! primary metric; the always-valid confidence sequence and p-value; the sample-ratio check.
//! A result with p >= 0.05 is labelled "not significant", and its interval is always given.

mod evaluate;
mod table;

pub use evaluate::{ALPHA, Arm, BROKEN, Design, ExperimentResult, IN_FLIGHT, Reading, evaluate};
pub(crate) use table::to_batch;

use crate::arrow_io::named::Named;
use crate::config::run_params::RunParams;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, UInt64Type};
use datafusion::prelude::SessionContext;

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

/// The arms of one batch of `experiment_arms`: (design, arm name, sums) per row.
fn arms_of(b: &Named) -> Result<Vec<(Design, String, Arm)>> {
    let (ids, ucs) = (b.text("experiment_id")?, b.text("use_case")?);
    let (metrics, names) = (b.text("metric")?, b.text("arm")?);
    let (starts, ends) = (b.text("start_date")?, b.text("end_date")?);
    let share = f64s(b.column("treatment_share")?)?;
    let u = |name: &str| b.column(name).and_then(u64s);
    let f = |name: &str| b.column(name).and_then(f64s);
    let (n, conv, ch, pre, both) = (
        u("contacts")?,
        u("converted")?,
        u("churned")?,
        u("pre_converted")?,
        u("both_converted")?,
    );
    let (rs, rq, ps, pq, cross) = (
        f("revenue_sum")?,
        f("revenue_sq_sum")?,
        f("pre_revenue_sum")?,
        f("pre_revenue_sq_sum")?,
        f("revenue_cross_sum")?,
    );
    Ok((0..b.num_rows())
        .map(|i| {
            let design = Design {
                experiment_id: ids.value(i).into(),
                use_case: ucs.value(i).into(),
                metric: metrics.value(i).into(),
                dates: (starts.value(i).into(), ends.value(i).into()),
                treatment_share: share[i],
            };
            let arm = Arm {
                contacts: n[i],
                converted: conv[i],
                revenue: (rs[i], rq[i]),
                churned: ch[i],
                pre_converted: pre[i],
                both_converted: both[i],
                pre_revenue: (ps[i], pq[i]),
                revenue_cross: cross[i],
            };
            (design, names.value(i).to_string(), arm)
        })
        .collect())
}

/// Runs the experiment model query and evaluates every experiment with both arms. An
/// experiment is in flight when its end_date is not before `window_end` (the as-of).
pub async fn run(
    ctx: &SessionContext,
    queries: &QuerySet,
    run: &RunParams,
) -> Result<Vec<ExperimentResult>> {
    let batches = queries.run_model(ctx, run.sql(), "experiment_arms").await?;
    let mut arms = Vec::new();
    for b in batches.iter() {
        arms.extend(arms_of(&b)?);
    }
    let mut ids: Vec<&str> = arms.iter().map(|a| a.0.experiment_id.as_str()).collect();
    ids.dedup();
    let as_of = run.window_end.map(|d| d.format("%Y-%m-%d").to_string());
    let mut out = Vec::new();
    for id in ids {
        let arm = |name: &str| arms.iter().find(|a| a.0.experiment_id == id && a.1 == name);
        if let (Some(t), Some(c)) = (arm("treatment"), arm("control")) {
            let in_flight = as_of.as_deref().is_some_and(|a| t.0.dates.1.as_str() >= a);
            let reading = Reading {
                in_flight,
                tau: run.sequential_tau,
            };
            out.push(evaluate(&t.0, reading, t.2, c.2));
        }
    }
    Ok(out)
}

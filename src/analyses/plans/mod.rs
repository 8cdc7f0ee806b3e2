//! Experiment plans (docs/spec/experiments.md, plans): for every use case whose value rests on
//! evidence weaker than an experiment (attribution, correlation, self-reported or a
//! quasi-experiment), the holdout of contacts that would measure it, planned on the
//! company's own baseline, variance and traffic (`queries/models/plan_exposures.sql`).

pub mod compute;
mod table;

pub use compute::{Exposures, PlanRow, Subject, plan};
pub(crate) use table::to_batch;

use crate::analyses::evidence::Evidence;
use crate::analyses::roi::Roi;
use crate::config::run_params::RunParams;
use crate::error::Result;
use crate::kpi::load::QuerySet;
use datafusion::prelude::SessionContext;
use std::collections::BTreeMap;

/// Whether a use case of this class should be planned: an experiment would be stronger.
pub fn weaker_than_experiment(e: Evidence) -> bool {
    matches!(
        e,
        Evidence::QuasiExperiment
            | Evidence::Attribution
            | Evidence::Correlation
            | Evidence::SelfReported
    )
}

/// Reads the exposures and plans every weakly evidenced valued use case of `roi`.
pub async fn run(
    ctx: &SessionContext,
    queries: &QuerySet,
    run: &RunParams,
    roi: &Roi,
) -> Result<Vec<PlanRow>> {
    let batches = queries.run_model(ctx, run.sql(), "plan_exposures").await?;
    let mut exposures: BTreeMap<String, Exposures> = BTreeMap::new();
    for b in batches.iter() {
        let (ucs, metrics) = (b.text("use_case")?, b.text("metric")?);
        let (measured, y, x) = (b.bools("measured")?, b.floats("y")?, b.floats("x")?);
        for i in 0..b.num_rows() {
            let e = exposures
                .entry(ucs.value(i).to_string())
                .or_insert_with(|| Exposures {
                    metric: metrics.value(i).to_string(),
                    ..Default::default()
                });
            e.exposed += 1;
            if measured[i] {
                e.measured.push((y[i].unwrap_or(0.0), x[i].unwrap_or(0.0)));
            }
        }
    }
    let window_weeks = run.window_days() / 7.0;
    let mut rows = Vec::new();
    for r in &roi.rows {
        let (Some(value), Some(evidence)) = (r.value, r.evidence) else {
            continue;
        };
        if !weaker_than_experiment(evidence) || window_weeks <= 0.0 {
            continue;
        }
        let subject = Subject {
            use_case: r.use_case.clone(),
            evidence,
            value,
            window_weeks,
            target_relative_mde: run.plan_target_mde,
        };
        rows.extend(plan(&subject, exposures.get(&r.use_case)));
    }
    Ok(rows)
}

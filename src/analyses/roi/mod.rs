//! ROI per use case (docs/spec/attribution-and-roi.md): what each Social CRM use case cost and
//! returned in the window, with a percentile bootstrap interval and the class of evidence the
//! value rests on (UC03/UC17 retention valued with the CLV model as `correlation`). Also the engine's UC04 KPIs (attributed revenue and ROAS per campaign).
//!
//! `inputs` reads costs and per-unit values through model queries, `credited` evaluates the
//! default attribution model under bootstrap weights, `compute` assembles the tables,
//! `table` writes them.

pub mod by_model;
pub mod compute;
pub mod credited;
/// Value drivers and evidence classes (they live in [`crate::analyses::evidence`], which the
/// launches' counterfactuals share).
pub use crate::analyses::evidence;
pub mod inputs;
pub mod table;
pub mod uc04;

pub use compute::{Allocation, DriverRow, Roi, RoiInput, RoiRow, RoiTotal, UNALLOCATED, compute};
pub use evidence::{Driver, Evidence};

use crate::analyses::attribution::journeys::Journeys;
use crate::config::run_params::RunParams;
use crate::error::Result;
use crate::kpi::load::QuerySet;
use crate::kpi::use_cases::UseCases;
use credited::{Amount, Credited, ModelParams};
use datafusion::prelude::SessionContext;
use std::collections::BTreeSet;

/// The model parameters of `params`.
pub fn model_params(params: &RunParams) -> ModelParams {
    ModelParams {
        half_life_days: params.half_life_days,
        markov_order: params.markov_order,
        shapley_max_channels: params.shapley_max_channels,
    }
}

/// The earlier results the ROI values use cases with (each absent when its stage did not run).
#[derive(Clone, Copy, Default)]
pub struct Upstream<'a> {
    /// The journeys attribution was fitted on.
    pub journeys: Option<&'a Journeys>,
    /// Customer lifetime values (the retention value).
    pub clv: Option<&'a crate::analyses::clv::Clv>,
    /// Launches judged against their counterfactuals.
    pub impact: Option<&'a crate::analyses::impact::Impact>,
    /// The experiments read (a broken assignment keeps an experiment out of the value).
    pub experiments: Option<&'a [crate::analyses::experiments::ExperimentResult]>,
}

/// Computes the ROI of every use case with costs or measured value.
pub async fn run(
    ctx: &SessionContext,
    queries: &QuerySet,
    run: &RunParams,
    present: &BTreeSet<&'static str>,
    catalogue: &UseCases,
    upstream: Upstream<'_>,
) -> Result<Roi> {
    let Upstream {
        journeys,
        clv,
        impact,
        experiments: read_experiments,
    } = upstream;
    let read_experiments = read_experiments.unwrap_or_default();
    let credited = match journeys {
        Some(j) => Some(Credited::prepare(
            j,
            &run.default_attribution_model,
            &model_params(run),
            Amount::Margin,
            |t| t.use_case.as_deref(),
        )?),
        None => None,
    };
    let has = |t: &str| present.contains(t);
    // An experiment's incremental margin is the margin of its arms' conversions: without the
    // conversion table it measures nothing (not a zero lift).
    let params = run.sql();
    let conversions = run.conversion_table;
    let mut unmeasured = Vec::new();
    let experiments = if has("experiments") && has("experiment_assignments") {
        let mut e = inputs::experiments(ctx, queries, params).await?;
        // An experiment whose assignment counts do not match its design is never counted.
        for x in e.iter_mut() {
            if let Some(r) = read_experiments
                .iter()
                .find(|r| r.experiment_id == x.experiment_id)
                && !r.trusted()
            {
                x.broken = true;
                unmeasured.push((
                    x.use_case.clone(),
                    "incremental_margin".to_string(),
                    format!(
                        "experiment {} is not counted: its assignment is broken (sample-ratio test p = {:.2e} against the designed {:.0} % treatment)",
                        x.experiment_id,
                        r.srm_p_value.unwrap_or(f64::NAN),
                        r.treatment_share * 100.0
                    ),
                ));
            }
        }
        if has(conversions) {
            e
        } else {
            for x in &e {
                unmeasured.push((
                    x.use_case.clone(),
                    "incremental_margin".to_string(),
                    format!(
                        "experiment {} has no conversions to compare: needs {conversions}",
                        x.experiment_id
                    ),
                ));
            }
            Vec::new()
        }
    } else {
        Vec::new()
    };
    let input = RoiInput {
        costs: if has("costs") {
            inputs::costs(ctx, queries, params).await?
        } else {
            Default::default()
        },
        allocation: Allocation::parse(&run.shared_cost_allocation)?,
        credited: credited.as_ref(),
        attribution_coverage: journeys.and_then(Journeys::coverage),
        units: inputs::units(ctx, queries, params).await?,
        experiments,
        rescues: match clv {
            Some(c) if has("contacts") => {
                inputs::rescues(ctx, queries, params, &c.values()).await?
            }
            _ => Vec::new(),
        },
        counterfactuals: impact.map(|i| i.values.clone()).unwrap_or_default(),
        window_days: run.window_days(),
        samples: run.bootstrap_samples,
        seed: run.seed,
    };
    let mut roi = compute(&input, |uc| {
        catalogue.use_case(uc).map(|u| u.objective.clone())
    })?;
    roi.unmeasured.extend(unmeasured);
    if let Some(j) = journeys {
        let models = crate::analyses::attribution::models(
            run.half_life_days,
            run.markov_order,
            run.shapley_max_channels,
        )?;
        let ids: Vec<&str> = models.iter().map(|m| m.id()).collect();
        roi.by_model = by_model::by_model(
            j,
            &roi,
            &ids,
            &run.default_attribution_model,
            &model_params(run),
        )?;
    }
    Ok(roi)
}

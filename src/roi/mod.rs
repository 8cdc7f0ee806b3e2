//! ROI per use case (docs/spec/attribution-and-roi.md): what each Social CRM use case cost and
//! returned in the window, with a percentile bootstrap interval and the class of evidence the
//! value rests on (UC03/UC17 retention valued with the CLV model as `correlation`). Also the engine's UC04 KPIs (attributed revenue and ROAS per campaign).
//!
//! `inputs` reads costs and per-unit values through model queries, `credited` evaluates the
//! default attribution model under bootstrap weights, `compute` assembles the tables,
//! `table` writes them.

pub mod compute;
pub mod credited;
pub mod inputs;
pub mod table;
pub mod uc04;

pub use compute::{Allocation, DriverRow, Roi, RoiInput, RoiRow, RoiTotal, UNALLOCATED, compute};

use crate::attribution::journeys::Journeys;
use crate::config::params::Parameters;
use crate::error::Result;
use crate::kpi::catalogue::Catalogue;
use crate::kpi::load::QuerySet;
use credited::{Amount, Credited, ModelParams};
use datafusion::prelude::SessionContext;
use std::collections::BTreeSet;

/// The model parameters of `params`.
pub fn model_params(params: &Parameters) -> ModelParams {
    ModelParams {
        half_life_days: params.float("half_life_days").unwrap_or(7.0),
        markov_order: params.int("markov_order").unwrap_or(1) as usize,
        shapley_max_channels: params.int("shapley_max_channels").unwrap_or(15) as usize,
    }
}

/// The table conversions come from (parameter `conversion`): `orders`, or `opportunities`
/// for won opportunities.
pub fn conversion_table(params: &Parameters) -> &'static str {
    match params.text("conversion") {
        Some("won_opportunities") => "opportunities",
        _ => "orders",
    }
}

/// The default attribution model (`default_attribution_model`).
pub fn default_model(params: &Parameters) -> &str {
    params.text("default_attribution_model").unwrap_or("markov")
}

/// Computes the ROI of every use case with costs or measured value.
pub async fn run(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
    present: &BTreeSet<&'static str>,
    journeys: Option<&Journeys>,
    catalogue: &Catalogue,
    clv: Option<&crate::clv::Clv>,
) -> Result<Roi> {
    let credited = match journeys {
        Some(j) => Some(Credited::prepare(
            j,
            default_model(params),
            &model_params(params),
            Amount::Margin,
            |t| t.use_case.as_deref(),
        )?),
        None => None,
    };
    let has = |t: &str| present.contains(t);
    // An experiment's incremental margin is the margin of its arms' conversions: without the
    // conversion table it measures nothing (not a zero lift).
    let conversions = conversion_table(params);
    let mut unmeasured = Vec::new();
    let experiments = if has("experiments") && has("experiment_assignments") {
        let e = inputs::experiments(ctx, queries, params).await?;
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
        allocation: Allocation::parse(
            params
                .text("shared_cost_allocation")
                .unwrap_or("proportional"),
        )?,
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
        window_days: match (params.date("window_start"), params.date("window_end")) {
            (Some(a), Some(b)) => (b - a).num_days() as f64,
            _ => 0.0,
        },
        samples: params.int("bootstrap_samples").unwrap_or(1000) as usize,
        seed: params.int("seed").unwrap_or(42) as u64,
    };
    let mut roi = compute(&input, |uc| {
        catalogue.use_case(uc).map(|u| u.objective.clone())
    })?;
    roi.unmeasured.extend(unmeasured);
    Ok(roi)
}

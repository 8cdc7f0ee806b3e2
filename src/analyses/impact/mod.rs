//! Counterfactuals for a launch without a holdout: what the outcome would have been without
//! it. [`synthetic`]: synthetic control over donor units (markets, segments without the
//! launch); [`bsts`]: a Bayesian structural time series as R CausalImpact fits it, for one
//! treated series with optional covariates; [`checks`]: the in-time placebo, held-out fit and
//! caveats that decide whether either can carry a claim. [`launches`] reads the table,
//! [`outcome`] the series a use case's `[impact]` names, [`evaluate`] judges one launch,
//! `table` writes `impact` and `impact_series`; [`run`] does it for every launch.

pub mod bsts;
pub mod checks;
pub mod evaluate;
pub mod launches;
pub mod outcome;
pub mod seasonal;
pub mod synthetic;
pub(crate) mod table;

use crate::config::run_params::RunParams;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::kpi::sidecar::ImpactMeta;
use datafusion::prelude::SessionContext;
use evaluate::{CounterfactualValue, ImpactRow, LaunchInput, SeriesRow, Verdict};
use std::collections::BTreeMap;

/// Every launch judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Impact {
    /// `impact`: one row per launch and method.
    pub rows: Vec<ImpactRow>,
    /// `impact_series`.
    pub series: Vec<SeriesRow>,
    /// The values the ROI counts (assessable, valued BSTS counterfactuals).
    pub values: Vec<CounterfactualValue>,
    /// What a reader must know (launches not judged, counterfactuals not assessable).
    pub notes: Vec<String>,
    /// The launches, as the table gives them.
    pub launches: Vec<launches::Launch>,
}

/// The `[impact]` of each use case that has one (its drivers and outcomes checked, an error
/// naming the sidecar otherwise).
fn metas(queries: &QuerySet) -> Result<BTreeMap<String, &ImpactMeta>> {
    let drivers = crate::analyses::evidence::Driver::ALL.map(|d| d.as_str());
    let mut out = BTreeMap::new();
    for q in &queries.kpis {
        let Some(m) = &q.meta.impact else { continue };
        let bad = |problem: String| Error::QueryDefinition {
            file: q.file.clone(),
            problem,
        };
        if let Some(d) = m.replaces.iter().find(|d| !drivers.contains(&d.as_str())) {
            return Err(bad(format!(
                "[impact] replaces `{d}`, which is not a value driver; drivers: {}",
                drivers.join(", ")
            )));
        }
        for o in std::iter::once(&m.outcome).chain(&m.controls) {
            let model = outcome::model_name(o);
            if queries.model(&model).is_none() {
                return Err(bad(format!(
                    "[impact] names the outcome `{o}`, which has no model query queries/models/{model}.sql"
                )));
            }
        }
        out.insert(q.meta.use_case.clone(), m);
    }
    Ok(out)
}

/// A seed per launch, from the run's seed and the launch id (FNV-1a): a launch's numbers do
/// not change when another launch is added.
fn launch_seed(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    seed ^ h
}

/// Judges every launch of the `launches` table.
pub async fn run(ctx: &SessionContext, queries: &QuerySet, run: &RunParams) -> Result<Impact> {
    let (Some(start), Some(end)) = (run.window_start, run.window_end) else {
        return Err(Error::Model {
            model: "impact".into(),
            problem: "the analysis window is not known: set window_start and window_end".into(),
        });
    };
    let metas = metas(queries)?;
    let launches = launches::read(ctx).await?;
    let mut cells: BTreeMap<String, Vec<outcome::Cell>> = BTreeMap::new();
    let mut out = Impact::default();
    for l in &launches {
        let Some(&meta) = metas.get(&l.use_case) else {
            out.notes.push(format!(
                "Launch {} ({}) is not judged: {} names no outcome series to judge a launch on (an [impact] table in its sidecar).",
                l.id, l.use_case, l.use_case
            ));
            continue;
        };
        for o in std::iter::once(&meta.outcome).chain(&meta.controls) {
            if !cells.contains_key(o) {
                let c = outcome::read(ctx, queries, run.sql(), o).await?;
                cells.insert(o.clone(), c);
            }
        }
        let periods = outcome::periods(meta.grain, start, end);
        let input = LaunchInput {
            launch: l,
            meta,
            cells: &cells[&meta.outcome],
            controls: meta
                .controls
                .iter()
                .map(|c| (c.as_str(), cells[c].as_slice()))
                .collect(),
            periods: &periods,
            options: bsts::Options {
                niter: run.impact_niter,
                seed: launch_seed(run.seed, &l.id),
                prior_level_sd: run.impact_prior_level_sd,
                seasonal: meta.nseasons.map(|nseasons| seasonal::Seasonal {
                    nseasons,
                    duration: meta.season_duration,
                }),
            },
        };
        let judged = evaluate::judge(&input)?;
        // The BSTS counterfactual is the one the ROI counts; the synthetic control is a
        // cross-check, shown with its reason on the page.
        for r in judged.rows.iter().filter(|r| r.method == evaluate::BSTS) {
            if r.verdict == Verdict::NotAssessable {
                out.notes.push(format!(
                    "Launch {} ({}): its counterfactual is not assessable, so the ROI does not count it. {}",
                    l.id,
                    l.use_case,
                    r.reasons.join(" ")
                ));
            }
        }
        out.rows.extend(judged.rows);
        out.series.extend(judged.series);
        out.values.extend(judged.value);
    }
    out.launches = launches;
    Ok(out)
}

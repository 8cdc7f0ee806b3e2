//! A stage of a run: one analysis, with a name, what it needs from the data, which earlier
//! results it reads and which results it writes. The run calls the stages of
//! [`super::stages::all`] in order; a stage whose needs are not met is skipped (its result
//! is absent, as its tables are), and a stage that fails is recorded and the next one runs.

use super::RunOptions;
use crate::analyses::alerts::Alerts;
use crate::analyses::attribution::AttributionRow;
use crate::analyses::attribution::journeys::Journeys;
use crate::analyses::attribution::recovery::RecoveryRow;
use crate::analyses::channel_mix::MixRow;
use crate::analyses::clv::Clv;
use crate::analyses::experiments::ExperimentResult;
use crate::analyses::impact::Impact;
use crate::analyses::maturity::Maturity;
use crate::analyses::perception::Perception;
use crate::analyses::plans::PlanRow;
use crate::analyses::roi::Roi;
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::config::run_params::RunParams;
use crate::error::{Error, Result};
use crate::kpi::labels::Labels;
use crate::kpi::load::QuerySet;
use crate::kpi::run::{KpiOutcome, KpiValue, QueryFailure};
use crate::kpi::use_cases::UseCases;
use async_trait::async_trait;
use tracing::error;

/// A result that one stage writes and later stages (and the report) read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The KPI rows of the SQL queries (`kpi_values` before the engine's own KPIs).
    SqlKpis,
    /// KPI rows, complete only when every stage that writes this slot has run.
    KpiRows,
    /// `experiments_result`.
    Experiments,
    /// `attribution`: credit per model and channel.
    Attribution,
    /// The journeys the attribution models were fitted on.
    Journeys,
    /// `attribution_recovery`: each model's recovery of planted effects and agreement.
    AttributionRecovery,
    /// `perception_gap` and `perception_rank`.
    Perception,
    /// `channel_mix`.
    ChannelMix,
    /// `maturity`.
    Maturity,
    /// `clv_model` and `clv`.
    Clv,
    /// `impact` and `impact_series`: a counterfactual for every launch.
    Impact,
    /// `roi` and `roi_drivers`.
    Roi,
    /// `experiment_plans`: the holdout that would measure each weakly evidenced use case.
    Plans,
    /// `alerts.json`: KPIs and ROIs beyond the band their history expects.
    Alerts,
    /// Names of the campaigns and events breakdown KPIs report by id.
    Labels,
}

/// What must be there for a stage to run.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// A canonical table with rows.
    Table(&'static str),
    /// At least one of these tables.
    AnyTable(&'static [&'static str]),
    /// The table the `conversion` parameter names (orders or opportunities).
    ConversionTable,
    /// An earlier stage's result (absent when that stage was skipped or failed).
    Result(Slot),
}

/// What every stage sees: the validated data, the queries, the typed parameters.
pub struct RunContext<'a> {
    /// The validated tables, as of the run's day.
    pub catalog: &'a Catalog,
    /// Built-in and project queries.
    pub queries: &'a QuerySet,
    /// Parameters resolved once, typed.
    pub run: &'a RunParams,
    /// The project's settings (SQL parameters, maturity thresholds, currency).
    pub settings: &'a Settings,
    /// Use cases, objectives and value drivers.
    pub catalogue: &'a UseCases,
    /// Options of `misura run` (cluster, output root, as-of).
    pub opts: &'a RunOptions,
    /// The folder the tables were read from (the unpacked sample for the embedded one).
    pub data_root: &'a std::path::Path,
}

/// One analysis of a run.
#[async_trait]
pub trait Stage: Send + Sync {
    /// The step's name in logs, timings and the record of a run that stopped.
    fn name(&self) -> &'static str;
    /// The name a failure is recorded under (the use case, for a stage computing its KPIs).
    fn failure_name(&self) -> &'static str {
        self.name()
    }
    /// The file a failure points at when the error names none.
    fn file(&self) -> &'static str;
    /// What must be there for the stage to run.
    fn needs(&self) -> &'static [Need] {
        &[]
    }
    /// Earlier results the stage reads (the ones it cannot do without are also in `needs`).
    fn reads(&self) -> &'static [Slot] {
        &[]
    }
    /// The results the stage writes.
    fn writes(&self) -> &'static [Slot];
    /// Whether a failure stops the run (the KPI SQL) instead of being recorded.
    fn fatal(&self) -> bool {
        false
    }
    /// Computes the stage's result from the data and the results of earlier stages.
    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output>;
}

/// A stage's result.
pub enum Product {
    /// The KPI SQL's outcome (writes the SQL rows and the first KPI rows).
    Kpis(KpiOutcome),
    /// KPI rows computed by an engine (UC04's attributed revenue, UC18's CLV); they pass the
    /// data tests of the sidecar that declares them before they are merged.
    KpiRows(Vec<KpiValue>),
    /// Experiments read.
    Experiments(Vec<ExperimentResult>),
    /// Attribution rows and the journeys behind them.
    Attribution(Vec<AttributionRow>, Journeys),
    /// How well each attribution model recovers planted effects, and agrees with the others.
    AttributionRecovery(Vec<RecoveryRow>),
    /// Perception gaps and ranks.
    Perception(Perception),
    /// Channel mix rows.
    ChannelMix(Vec<MixRow>),
    /// Maturity assessment.
    Maturity(Maturity),
    /// Customer lifetime values.
    Clv(Clv),
    /// Launches judged against their counterfactuals.
    Impact(Impact),
    /// ROI per use case.
    Roi(Roi),
    /// Experiment plans.
    Plans(Vec<PlanRow>),
    /// Alerts judged.
    Alerts(Alerts),
    /// Names of dimension values.
    Labels(Labels),
}

impl Product {
    /// The slots this result fills.
    pub fn slots(&self) -> &'static [Slot] {
        match self {
            Product::Kpis(_) => &[Slot::SqlKpis, Slot::KpiRows],
            Product::KpiRows(_) => &[Slot::KpiRows],
            Product::Experiments(_) => &[Slot::Experiments],
            Product::Attribution(..) => &[Slot::Attribution, Slot::Journeys],
            Product::AttributionRecovery(_) => &[Slot::AttributionRecovery],
            Product::Perception(_) => &[Slot::Perception],
            Product::ChannelMix(_) => &[Slot::ChannelMix],
            Product::Maturity(_) => &[Slot::Maturity],
            Product::Clv(_) => &[Slot::Clv],
            Product::Impact(_) => &[Slot::Impact],
            Product::Roi(_) => &[Slot::Roi],
            Product::Plans(_) => &[Slot::Plans],
            Product::Alerts(_) => &[Slot::Alerts],
            Product::Labels(_) => &[Slot::Labels],
        }
    }
}

/// A stage's result with what a reader must know about it.
pub struct Output {
    /// The result.
    pub product: Product,
    /// Notes for the report's "Read with care" (and the manifest's warnings).
    pub notes: Vec<String>,
    /// Warnings for the manifest only.
    pub warnings: Vec<String>,
    /// Parts of the stage timed inside it: (name, milliseconds, peak MiB).
    pub parts: Vec<(String, f64, Option<f64>)>,
}

impl From<Product> for Output {
    fn from(product: Product) -> Self {
        Output {
            product,
            notes: Vec::new(),
            warnings: Vec::new(),
            parts: Vec::new(),
        }
    }
}

/// The results of the stages run so far; `None` where a stage was skipped or failed.
#[derive(Default)]
pub struct Results {
    /// KPI rows (the SQL's, then the engines'), what was not measurable, the KPI failures.
    pub kpis: KpiOutcome,
    /// Experiments read.
    pub experiments: Option<Vec<ExperimentResult>>,
    /// Attribution rows.
    pub attribution: Option<Vec<AttributionRow>>,
    /// The journeys attribution was fitted on.
    pub journeys: Option<Journeys>,
    /// Each attribution model's recovery of planted effects and agreement with the others.
    pub attribution_recovery: Option<Vec<RecoveryRow>>,
    /// Perception gaps.
    pub perception: Option<Perception>,
    /// Channel mix.
    pub channel_mix: Option<Vec<MixRow>>,
    /// Maturity assessment.
    pub maturity: Option<Maturity>,
    /// Customer lifetime values.
    pub clv: Option<Clv>,
    /// Launches judged against their counterfactuals.
    pub impact: Option<Impact>,
    /// ROI per use case.
    pub roi: Option<Roi>,
    /// Experiment plans.
    pub plans: Option<Vec<PlanRow>>,
    /// Alerts judged.
    pub alerts: Option<Alerts>,
    /// Names of the campaigns and events breakdowns report by id.
    pub labels: Option<Labels>,
    /// Every failure of the run (KPI queries first, then stages in order).
    pub failures: Vec<QueryFailure>,
    /// Notes for the reader, in the order the stages wrote them.
    pub notes: Vec<String>,
}

impl Results {
    /// Whether `slot` holds a result.
    pub fn has(&self, slot: Slot) -> bool {
        match slot {
            Slot::SqlKpis | Slot::KpiRows => true,
            Slot::Experiments => self.experiments.is_some(),
            Slot::Attribution => self.attribution.is_some(),
            Slot::Journeys => self.journeys.is_some(),
            Slot::AttributionRecovery => self.attribution_recovery.is_some(),
            Slot::Perception => self.perception.is_some(),
            Slot::ChannelMix => self.channel_mix.is_some(),
            Slot::Maturity => self.maturity.is_some(),
            Slot::Clv => self.clv.is_some(),
            Slot::Impact => self.impact.is_some(),
            Slot::Roi => self.roi.is_some(),
            Slot::Plans => self.plans.is_some(),
            Slot::Alerts => self.alerts.is_some(),
            Slot::Labels => self.labels.is_some(),
        }
    }

    /// Stores a stage's result in its slots.
    pub fn store(&mut self, product: Product) {
        match product {
            Product::Kpis(k) => {
                self.failures.extend(k.failures.iter().cloned());
                self.kpis = k;
            }
            Product::KpiRows(mut rows) => {
                self.kpis.values.append(&mut rows);
                crate::kpi::run::sort_values(&mut self.kpis.values);
            }
            Product::Experiments(r) => self.experiments = Some(r),
            Product::Attribution(rows, journeys) => {
                self.attribution = Some(rows);
                self.journeys = Some(journeys);
            }
            Product::AttributionRecovery(r) => self.attribution_recovery = Some(r),
            Product::Perception(p) => self.perception = Some(p),
            Product::ChannelMix(r) => self.channel_mix = Some(r),
            Product::Maturity(m) => self.maturity = Some(m),
            Product::Clv(c) => self.clv = Some(c),
            Product::Impact(i) => self.impact = Some(i),
            Product::Roi(r) => self.roi = Some(r),
            Product::Plans(p) => self.plans = Some(p),
            Product::Alerts(a) => self.alerts = Some(a),
            Product::Labels(l) => self.labels = Some(l),
        }
    }

    /// Records a failed step (a stage, or the report): logged, and in the manifest. The file
    /// is the one the error names, else `file`.
    pub fn fail(&mut self, name: &str, file: &str, e: &Error) {
        error!(stage = name, "{e}");
        self.failures.push(QueryFailure {
            use_case: name.into(),
            file: e.file().unwrap_or(file).into(),
            error: e.to_string(),
        });
    }
}

/// Whether the stage's needs are met by the data and the results so far.
pub(crate) fn needs_met(stage: &dyn Stage, cx: &RunContext<'_>, done: &Results) -> bool {
    let has = |t: &str| cx.catalog.present.contains(t);
    stage.needs().iter().all(|n| match n {
        Need::Table(t) => has(t),
        Need::AnyTable(ts) => ts.iter().any(|t| has(t)),
        Need::ConversionTable => has(cx.run.conversion_table),
        Need::Result(slot) => done.has(*slot),
    })
}

/// Runs one stage into `done`: skipped when its needs are not met; an engine's KPI rows pass
/// their sidecar's data tests before they are merged; a failure is recorded (or returned, for
/// a fatal stage). Returns the warnings and timed parts of the stage.
pub async fn run_one(
    stage: &dyn Stage,
    cx: &RunContext<'_>,
    done: &mut Results,
) -> Result<(Vec<String>, Vec<(String, f64, Option<f64>)>)> {
    if !needs_met(stage, cx, done) {
        return Ok(Default::default());
    }
    let out = stage.run(cx, done).await.and_then(|o| {
        debug_assert!(
            o.product.slots().iter().all(|s| stage.writes().contains(s)),
            "stage {} wrote a slot it does not declare",
            stage.name()
        );
        if let Product::KpiRows(rows) = &o.product {
            crate::kpi::run::check_engine_rows(cx.queries, rows)?;
        }
        Ok(o)
    });
    match out {
        Ok(o) => {
            done.store(o.product);
            done.notes.extend(o.notes);
            Ok((o.warnings, o.parts))
        }
        Err(e) if stage.fatal() => Err(e),
        Err(e) => {
            done.fail(stage.failure_name(), stage.file(), &e);
            Ok(Default::default())
        }
    }
}

//! Where the company stands on the Social Business maturity model (docs/domain.md; E.
//! Quintarelli 2010): a stage per dimension and period from the data, by the rules of
//! `queries/maturity.toml`, with the indicator values behind each stage, what blocks the
//! next one (a rule not met, or not assessable because its data is absent), the next steps,
//! and the self-assessment beside the data-driven stage.

pub mod rules;

use crate::config::params::Parameters;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::kpi::run::KpiValue;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt8Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;
use rules::{Condition, Model};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// One row of the `maturity` table: a rule's indicator against its threshold, or (rule
/// `(stage)`) the stage reached.
#[derive(Debug, Clone, PartialEq)]
pub struct MaturityRow {
    /// `all` or `YYYY-MM`.
    pub period: String,
    /// Dimension id.
    pub dimension: String,
    /// The rule's stage, or the stage reached on a `(stage)` row.
    pub stage: u8,
    /// Rule id, or `(stage)`.
    pub rule: String,
    /// Indicator.
    pub indicator: String,
    /// Its value; `None` when not assessable.
    pub value: Option<f64>,
    /// Threshold.
    pub threshold: Option<f64>,
    /// Whether the condition holds; `None` when not assessable.
    pub met: Option<bool>,
}

/// A dimension's result over the whole window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DimensionResult {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Stage reached (1–5).
    pub stage: u8,
    /// Its name.
    pub stage_name: String,
    /// The next stage's description; `None` at stage 5.
    pub next_steps: Option<String>,
    /// Why the next stage is not reached: rules not met or not assessable.
    pub blocked_by: Vec<String>,
    /// Median self-assessed stage, when the questionnaire exists.
    pub self_assessed: Option<f64>,
    /// Self-assessment one stage or more away from the data.
    pub gap_flag: bool,
    /// Stage per month, oldest first.
    pub history: Vec<(String, u8)>,
}

/// The assessment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maturity {
    /// `maturity` table rows.
    pub rows: Vec<MaturityRow>,
    /// Per dimension, whole window.
    pub dimensions: Vec<DimensionResult>,
    /// The lowest dimension stage: a company is as mature as its weakest dimension.
    pub overall: u8,
}

/// Indicator values per (period, indicator); `None` = not assessable.
pub type Indicators = BTreeMap<(String, String), Option<f64>>;

fn holds(c: &Condition, value: Option<f64>) -> Option<bool> {
    match c.op.as_str() {
        "exists" => Some(value.is_some()),
        op => {
            let (v, t) = (value?, c.threshold?);
            Some(match op {
                ">=" => v >= t,
                "<=" => v <= t,
                _ => v > t,
            })
        }
    }
}

/// Assesses every period of `indicators` (KPI indicators are looked up in `kpis`; a KPI
/// absent from them is not assessable, except for `exists`).
pub fn assess(
    model: &Model,
    indicators: &Indicators,
    kpis: &[KpiValue],
    periods: &[String],
    self_assessed: &BTreeMap<String, f64>,
) -> Maturity {
    let value = |period: &str, indicator: &str| -> Option<f64> {
        if indicator.contains('.') {
            crate::kpi::run::find(kpis, indicator, period, None).and_then(|v| v.value)
        } else {
            indicators
                .get(&(period.to_string(), indicator.to_string()))
                .copied()
                .flatten()
        }
    };
    let mut out = Maturity::default();
    let mut stages: BTreeMap<(String, String), (u8, Vec<String>)> = BTreeMap::new();
    for period in periods {
        for d in &model.dimension {
            let mut reached = 1;
            let mut blocked = Vec::new();
            let mut climbing = true;
            for stage in 2..=5u8 {
                let mut all_hold = true;
                for r in d.rules.iter().filter(|r| r.stage == stage) {
                    let mut rule_holds = Some(false);
                    for c in r.conditions() {
                        let v = value(period, &c.indicator);
                        let met = holds(&c, v);
                        out.rows.push(MaturityRow {
                            period: period.clone(),
                            dimension: d.id.clone(),
                            stage,
                            rule: c.id.clone(),
                            indicator: c.indicator.clone(),
                            value: v,
                            threshold: c.threshold,
                            met,
                        });
                        rule_holds = match (rule_holds, met) {
                            (Some(true), _) | (_, Some(true)) => Some(true),
                            (Some(false), Some(false)) => Some(false),
                            _ => None,
                        };
                    }
                    if rule_holds != Some(true) {
                        all_hold = false;
                        if climbing {
                            blocked.push(match rule_holds {
                                None => format!("{} not assessable (data absent)", r.id),
                                _ => format!("{} not met", r.id),
                            });
                        }
                    }
                }
                if climbing && all_hold {
                    reached = stage;
                } else {
                    climbing = false;
                }
            }
            out.rows.push(MaturityRow {
                period: period.clone(),
                dimension: d.id.clone(),
                stage: reached,
                rule: "(stage)".into(),
                indicator: "stage".into(),
                value: Some(f64::from(reached)),
                threshold: None,
                met: None,
            });
            stages.insert((period.clone(), d.id.clone()), (reached, blocked));
        }
    }
    for d in &model.dimension {
        let Some((stage, blocked)) = stages.get(&("all".to_string(), d.id.clone())).cloned() else {
            continue;
        };
        let text = |s: u8| d.stages.iter().find(|x| x.stage == s);
        let self_assessed = self_assessed.get(&d.id).copied();
        out.dimensions.push(DimensionResult {
            id: d.id.clone(),
            name: d.name.clone(),
            stage,
            stage_name: text(stage).map(|s| s.name.clone()).unwrap_or_default(),
            next_steps: text(stage + 1).map(|s| s.description.clone()),
            blocked_by: blocked,
            gap_flag: self_assessed.is_some_and(|s| (s - f64::from(stage)).abs() >= 1.0),
            self_assessed,
            history: periods
                .iter()
                .filter(|p| *p != "all")
                .filter_map(|p| {
                    stages
                        .get(&(p.clone(), d.id.clone()))
                        .map(|s| (p.clone(), s.0))
                })
                .collect(),
        });
    }
    out.overall = out.dimensions.iter().map(|d| d.stage).min().unwrap_or(1);
    out
}

/// Reads the indicators and the self-assessment, and assesses every period.
pub async fn run(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
    present: &BTreeSet<&'static str>,
    kpis: &[KpiValue],
    thresholds: &BTreeMap<String, f64>,
) -> Result<Maturity> {
    let model = Model::load(thresholds)?;
    let mut indicators = Indicators::new();
    let mut periods: Vec<String> = Vec::new();
    for b in queries
        .run_model(ctx, params, "maturity_indicators")
        .await?
        .iter()
    {
        let (period, name) = (b.text("period")?, b.text("indicator")?);
        let values = b.floats("value")?;
        for (i, v) in values.into_iter().enumerate() {
            let name = name.value(i).to_string();
            let assessable = model
                .indicators
                .get(&name)
                .is_none_or(|need| need.iter().all(|t| present.contains(t.as_str())));
            if !periods.iter().any(|p| p == period.value(i)) {
                periods.push(period.value(i).to_string());
            }
            indicators.insert(
                (period.value(i).to_string(), name),
                v.filter(|_| assessable),
            );
        }
    }
    periods.sort_by_key(|p| (p != "all", p.clone()));
    let mut self_assessed = BTreeMap::new();
    if present.contains("maturity_self_assessment") {
        for b in queries
            .run_model(ctx, params, "maturity_self_assessment")
            .await?
            .iter()
        {
            let dim = b.text("dimension")?;
            for (i, v) in b.floats("stage")?.into_iter().enumerate() {
                if let Some(v) = v {
                    self_assessed.insert(dim.value(i).to_string(), v);
                }
            }
        }
    }
    Ok(assess(&model, &indicators, kpis, &periods, &self_assessed))
}

/// The `maturity` table: period, dimension, stage, rule, indicator, value, threshold, met.
pub(crate) fn to_batch(rows: &[MaturityRow]) -> Result<RecordBatch> {
    let schema = Schema::new(vec![
        Field::new("period", DataType::Utf8, false),
        Field::new("dimension", DataType::Utf8, false),
        Field::new("stage", DataType::UInt8, false),
        Field::new("rule", DataType::Utf8, false),
        Field::new("indicator", DataType::Utf8, false),
        Field::new("value", DataType::Float64, true),
        Field::new("threshold", DataType::Float64, true),
        Field::new("met", DataType::Boolean, true),
    ]);
    let text = |f: fn(&MaturityRow) -> &str| -> ArrayRef {
        Arc::new(rows.iter().map(|r| Some(f(r))).collect::<StringArray>())
    };
    let cols: Vec<ArrayRef> = vec![
        text(|r| &r.period),
        text(|r| &r.dimension),
        Arc::new(rows.iter().map(|r| Some(r.stage)).collect::<UInt8Array>()),
        text(|r| &r.rule),
        text(|r| &r.indicator),
        Arc::new(rows.iter().map(|r| r.value).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.threshold).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.met).collect::<BooleanArray>()),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling maturity", e.into()))
}

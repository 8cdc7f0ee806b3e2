//! Customer lifetime value (issue 10): the RFM summary of every buyer over the calibration
//! period (= the analysis window) in SQL (`queries/models/clv_rfm.sql`), the BG/NBD model of
//! repeat purchases and the Gamma-Gamma model of spend fitted by maximum likelihood, and per
//! contact P(alive), the expected transactions over `clv_horizon`, the expected spend per
//! transaction and the discounted CLV (expected margin). Output tables `clv_model` (model,
//! parameter, estimate, std_error, log_likelihood, converged, message) and `clv` (contact
//! ids only); the engine's `uc18.clv_advocates` / `uc18.clv_others` KPIs (`uc18`) and the
//! CLV of contacts kept by UC03/UC17 in the ROI (the `roi` module).

pub mod bgnbd;
pub mod gamma_gamma;
pub mod mle;
pub mod simulate;
pub mod uc18;
pub mod value;

use crate::arrow_io::{float_column, text_column};
use crate::config::run_params::RunParams;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use bgnbd::History;
use datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;
use gamma_gamma::Spend;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvRow {
    /// Contact id.
    pub contact_id: String,
    /// Frequency, recency, T in the model's time unit.
    pub history: History,
    /// Mean revenue of repeat transactions.
    pub monetary: Option<f64>,
    /// Margin / revenue of the contact's orders in the window.
    pub margin_rate: Option<f64>,
    /// Enrolled in an advocacy/VIP programme.
    pub is_advocate: bool,
    /// P(alive).
    pub p_alive: Option<f64>,
    /// Expected transactions over the horizon.
    pub expected_transactions: Option<f64>,
    /// Expected spend per transaction (Gamma-Gamma).
    pub expected_spend: Option<f64>,
    /// Discounted expected margin over the horizon: the CLV.
    pub expected_value: Option<f64>,
}

/// The fits and the per-contact rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Clv {
    /// BG/NBD fit, or the reason it failed.
    pub fit: std::result::Result<bgnbd::Fit, String>,
    /// Gamma-Gamma fit, or the reason it failed.
    pub spend: std::result::Result<gamma_gamma::Fit, String>,
    /// Buyers, by contact id.
    pub rows: Vec<ClvRow>,
    /// Horizon in time units.
    pub horizon: f64,
    /// Days per time unit.
    pub unit_days: f64,
    /// Annual discount rate.
    pub discount_rate: f64,
}

impl Clv {
    /// CLV per contact id (contacts with a value).
    pub fn values(&self) -> BTreeMap<&str, f64> {
        self.rows
            .iter()
            .filter_map(|r| Some((r.contact_id.as_str(), r.expected_value?)))
            .collect()
    }
}

/// Reads the RFM summary, fits both models and values every buyer.
pub async fn run(ctx: &SessionContext, queries: &QuerySet, params: &RunParams) -> Result<Clv> {
    let unit_days = params.clv_unit_days;
    let default_margin = params.default_margin_rate;
    let mut rows = Vec::new();
    for b in queries
        .run_model(ctx, params.sql(), "clv_rfm")
        .await?
        .iter()
    {
        let id = b.text("contact_id")?;
        let (x, r, t) = (
            b.floats("frequency")?,
            b.floats("recency_days")?,
            b.floats("t_days")?,
        );
        let (m, mr) = (b.floats("monetary")?, b.floats("margin_rate")?);
        let advocate = b.bools("is_advocate")?;
        for i in 0..b.num_rows() {
            rows.push(ClvRow {
                contact_id: id.value(i).to_string(),
                history: History {
                    x: x[i].unwrap_or(0.0),
                    t_x: r[i].unwrap_or(0.0) / unit_days,
                    t: t[i].unwrap_or(0.0) / unit_days,
                },
                monetary: m[i],
                margin_rate: mr[i],
                is_advocate: advocate[i],
                p_alive: None,
                expected_transactions: None,
                expected_spend: None,
                expected_value: None,
            });
        }
    }
    let mut clv = Clv {
        fit: Err(String::new()),
        spend: Err(String::new()),
        rows,
        horizon: params.clv_horizon,
        unit_days,
        discount_rate: params.clv_discount_rate,
    };
    clv.fit_and_value(default_margin);
    Ok(clv)
}

impl Clv {
    /// Fits both models on `rows` and fills in every row's predictions.
    pub fn fit_and_value(&mut self, default_margin_rate: f64) {
        let histories: Vec<History> = self.rows.iter().map(|r| r.history).collect();
        let spends: Vec<Spend> = self.rows.iter().map(spend_of).collect();
        self.fit = bgnbd::fit(&histories).map_err(|e| e.to_string());
        self.spend = gamma_gamma::fit(&spends).map_err(|e| e.to_string());
        let (Ok(f), spend) = (&self.fit, &self.spend) else {
            return;
        };
        for r in &mut self.rows {
            r.p_alive = Some(bgnbd::p_alive(&f.params, &r.history));
            r.expected_transactions = Some(bgnbd::expected_transactions(
                &f.params,
                &r.history,
                self.horizon,
            ))
            .filter(|v| v.is_finite());
            r.expected_spend = spend
                .as_ref()
                .ok()
                .and_then(|g| gamma_gamma::expected_spend(&g.params, &spend_of(r)));
            r.expected_value = r.expected_spend.and_then(|s| {
                let n = value::discounted_transactions(
                    &f.params,
                    &r.history,
                    self.horizon,
                    self.unit_days,
                    self.discount_rate,
                );
                let v = n * s * r.margin_rate.unwrap_or(default_margin_rate);
                v.is_finite().then_some(v)
            });
        }
    }
}

fn spend_of(r: &ClvRow) -> Spend {
    Spend {
        x: r.history.x,
        mean: r.monetary.unwrap_or(f64::NAN),
    }
}

/// One parameter of one fitted model (a row of `clv_model`).
struct ModelRow {
    model: &'static str,
    parameter: &'static str,
    estimate: Option<f64>,
    std_error: Option<f64>,
    log_likelihood: Option<f64>,
    converged: bool,
    message: String,
}

/// What a fit reports, model-independently.
struct Reported {
    estimates: Vec<f64>,
    std_errors: Option<Vec<f64>>,
    log_likelihood: f64,
    converged: bool,
    message: String,
}

fn model_rows(
    model: &'static str,
    names: &[&'static str],
    fit: std::result::Result<Reported, &String>,
) -> Vec<ModelRow> {
    names
        .iter()
        .enumerate()
        .map(|(i, &parameter)| match &fit {
            Ok(f) => ModelRow {
                model,
                parameter,
                estimate: Some(f.estimates[i]),
                std_error: f.std_errors.as_ref().map(|s| s[i]),
                log_likelihood: Some(f.log_likelihood),
                converged: f.converged,
                message: f.message.clone(),
            },
            Err(e) => ModelRow {
                model,
                parameter,
                estimate: None,
                std_error: None,
                log_likelihood: None,
                converged: false,
                message: (*e).clone(),
            },
        })
        .collect()
}

/// The `clv_model` table: one row per parameter of each model; a failed fit keeps its rows,
/// with empty estimates, `converged = false` and the reason as message (never a silent NaN).
pub fn model_batch(clv: &Clv) -> Result<RecordBatch> {
    let schema = Schema::new(vec![
        Field::new("model", DataType::Utf8, false),
        Field::new("parameter", DataType::Utf8, false),
        Field::new("estimate", DataType::Float64, true),
        Field::new("std_error", DataType::Float64, true),
        Field::new("log_likelihood", DataType::Float64, true),
        Field::new("converged", DataType::Boolean, false),
        Field::new("message", DataType::Utf8, false),
    ]);
    let mut rows = model_rows(
        "bg_nbd",
        &["r", "alpha", "a", "b"],
        clv.fit.as_ref().map(|f| Reported {
            estimates: vec![f.params.r, f.params.alpha, f.params.a, f.params.b],
            std_errors: f.std_errors.map(|s| s.to_vec()),
            log_likelihood: f.log_likelihood,
            converged: f.converged,
            message: f.message.clone(),
        }),
    );
    rows.extend(model_rows(
        "gamma_gamma",
        &["p", "q", "gamma"],
        clv.spend.as_ref().map(|f| Reported {
            estimates: vec![f.params.p, f.params.q, f.params.gamma],
            std_errors: f.std_errors.map(|s| s.to_vec()),
            log_likelihood: f.log_likelihood,
            converged: f.converged,
            message: f.message.clone(),
        }),
    ));
    let cols: Vec<ArrayRef> = vec![
        text_column(rows.iter().map(|r| Some(r.model))),
        text_column(rows.iter().map(|r| Some(r.parameter))),
        float_column(rows.iter().map(|r| r.estimate)),
        float_column(rows.iter().map(|r| r.std_error)),
        float_column(rows.iter().map(|r| r.log_likelihood)),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.converged))
                .collect::<BooleanArray>(),
        ),
        text_column(rows.iter().map(|r| Some(r.message.as_str()))),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling clv_model", e.into()))
}

/// The `clv` table (contact ids only: no personal data).
pub(crate) fn clv_batch(clv: &Clv) -> Result<RecordBatch> {
    let rows = &clv.rows;
    let schema = Schema::new(vec![
        Field::new("contact_id", DataType::Utf8, false),
        Field::new("frequency", DataType::Float64, false),
        Field::new("recency", DataType::Float64, false),
        Field::new("t", DataType::Float64, false),
        Field::new("monetary", DataType::Float64, true),
        Field::new("p_alive", DataType::Float64, true),
        Field::new("expected_transactions", DataType::Float64, true),
        Field::new("expected_spend", DataType::Float64, true),
        Field::new("expected_value", DataType::Float64, true),
    ]);
    let cols: Vec<ArrayRef> = vec![
        text_column(rows.iter().map(|r| Some(r.contact_id.as_str()))),
        float_column(rows.iter().map(|r| Some(r.history.x))),
        float_column(rows.iter().map(|r| Some(r.history.t_x))),
        float_column(rows.iter().map(|r| Some(r.history.t))),
        float_column(rows.iter().map(|r| r.monetary)),
        float_column(rows.iter().map(|r| r.p_alive)),
        float_column(rows.iter().map(|r| r.expected_transactions)),
        float_column(rows.iter().map(|r| r.expected_spend)),
        float_column(rows.iter().map(|r| r.expected_value)),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling clv", e.into()))
}

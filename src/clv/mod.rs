//! Customer lifetime value (issue 10; first part): the RFM summary of every buyer over the
//! calibration period (= the analysis window) in SQL, the BG/NBD model fitted by maximum
//! likelihood, and per contact P(alive) and the expected transactions over `clv_horizon`.
//! Output tables `clv_model` (model, parameter, estimate, std_error, log_likelihood,
//! converged, message) and `clv` (contact_id, frequency, recency, t, monetary, p_alive,
//! expected_transactions). Gamma-Gamma spend, discounted CLV and the uc18 KPIs are next.

pub mod bgnbd;

use crate::config::params::Parameters;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use bgnbd::{Fit, History};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema};
use datafusion::prelude::SessionContext;
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
    /// P(alive).
    pub p_alive: Option<f64>,
    /// Expected transactions over the horizon.
    pub expected_transactions: Option<f64>,
}

/// The fit and the per-contact rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Clv {
    /// BG/NBD fit, or the reason it failed.
    pub fit: std::result::Result<Fit, String>,
    /// Buyers.
    pub rows: Vec<ClvRow>,
}

/// Reads the RFM summary and fits the model.
pub async fn run(ctx: &SessionContext, queries: &QuerySet, params: &Parameters) -> Result<Clv> {
    let unit = match params.text("clv_time_unit") {
        Some("days") => 1.0,
        _ => 7.0,
    };
    let horizon = params.int("clv_horizon").unwrap_or(52) as f64;
    let mut rows = Vec::new();
    for b in queries.run_model(ctx, params, "clv_rfm").await? {
        let id = crate::catalog::text(b.column(0));
        let f = |i: usize| {
            cast(b.column(i), &DataType::Float64)
                .map_err(|e| Error::engine("reading the RFM summary", e.into()))
        };
        let (x, r, t, m) = (f(1)?, f(2)?, f(3)?, f(4)?);
        let (x, r, t, m) = (
            x.as_primitive::<Float64Type>(),
            r.as_primitive::<Float64Type>(),
            t.as_primitive::<Float64Type>(),
            m.as_primitive::<Float64Type>(),
        );
        for i in 0..b.num_rows() {
            rows.push(ClvRow {
                contact_id: id.value(i).to_string(),
                history: History {
                    x: x.value(i),
                    t_x: r.value(i) / unit,
                    t: t.value(i) / unit,
                },
                monetary: m.is_valid(i).then(|| m.value(i)),
                p_alive: None,
                expected_transactions: None,
            });
        }
    }
    let histories: Vec<History> = rows.iter().map(|r| r.history).collect();
    let fit = bgnbd::fit(&histories).map_err(|e| e.to_string());
    if let Ok(f) = &fit {
        for r in &mut rows {
            r.p_alive = Some(bgnbd::p_alive(&f.params, &r.history));
            r.expected_transactions =
                Some(bgnbd::expected_transactions(&f.params, &r.history, horizon))
                    .filter(|v| v.is_finite());
        }
    }
    Ok(Clv { fit, rows })
}

/// The `clv_model` table.
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
    let names = ["r", "alpha", "a", "b"];
    type Columns = (
        Vec<Option<f64>>,
        Vec<Option<f64>>,
        Option<f64>,
        bool,
        String,
    );
    let (est, se, ll, ok, msg): Columns = match &clv.fit {
        Ok(f) => (
            vec![
                Some(f.params.r),
                Some(f.params.alpha),
                Some(f.params.a),
                Some(f.params.b),
            ],
            (0..4).map(|i| f.std_errors.map(|s| s[i])).collect(),
            Some(f.log_likelihood),
            f.converged,
            f.message.clone(),
        ),
        Err(e) => (vec![None; 4], vec![None; 4], None, false, e.clone()),
    };
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["bg_nbd"; 4])),
        Arc::new(StringArray::from(names.to_vec())),
        Arc::new(Float64Array::from(est)),
        Arc::new(Float64Array::from(se)),
        Arc::new(Float64Array::from(vec![ll; 4])),
        Arc::new(BooleanArray::from(vec![ok; 4])),
        Arc::new(StringArray::from(vec![msg.as_str(); 4])),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling clv_model", e.into()))
}

/// The `clv` table (contact ids only: no personal data).
pub fn clv_batch(clv: &Clv) -> Result<RecordBatch> {
    let rows = &clv.rows;
    let schema = Schema::new(vec![
        Field::new("contact_id", DataType::Utf8, false),
        Field::new("frequency", DataType::Float64, false),
        Field::new("recency", DataType::Float64, false),
        Field::new("t", DataType::Float64, false),
        Field::new("monetary", DataType::Float64, true),
        Field::new("p_alive", DataType::Float64, true),
        Field::new("expected_transactions", DataType::Float64, true),
    ]);
    let cols: Vec<ArrayRef> = vec![
        Arc::new(
            rows.iter()
                .map(|r| Some(r.contact_id.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.history.x))
                .collect::<Float64Array>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.history.t_x))
                .collect::<Float64Array>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.history.t))
                .collect::<Float64Array>(),
        ),
        Arc::new(rows.iter().map(|r| r.monetary).collect::<Float64Array>()),
        Arc::new(rows.iter().map(|r| r.p_alive).collect::<Float64Array>()),
        Arc::new(
            rows.iter()
                .map(|r| r.expected_transactions)
                .collect::<Float64Array>(),
        ),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling clv", e.into()))
}

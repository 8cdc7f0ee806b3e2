//! The `roi` and `roi_drivers` tables as Arrow batches.

use super::{DriverRow, RoiRow};
use crate::error::{Error, Result};
use datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use std::sync::Arc;

use crate::arrow_io::{float_column as float, text_column as text};

/// The `roi` table: use_case, objective, cost, value, net, roi, roi_ci_low, roi_ci_high,
/// payback_months, evidence, coverage, n.
pub(crate) fn roi_batch(rows: &[RoiRow]) -> Result<RecordBatch> {
    let f = |name: &str, t: DataType, null: bool| Field::new(name, t, null);
    let schema = Schema::new(vec![
        f("use_case", DataType::Utf8, false),
        f("objective", DataType::Utf8, true),
        f("cost", DataType::Float64, false),
        f("value", DataType::Float64, true),
        f("net", DataType::Float64, true),
        f("roi", DataType::Float64, true),
        f("roi_ci_low", DataType::Float64, true),
        f("roi_ci_high", DataType::Float64, true),
        f("payback_months", DataType::Float64, true),
        f("evidence", DataType::Utf8, true),
        f("coverage", DataType::Float64, true),
        f("n", DataType::UInt64, false),
    ]);
    let cols = vec![
        text(rows.iter().map(|r| Some(r.use_case.as_str()))),
        text(rows.iter().map(|r| r.objective.as_deref())),
        float(rows.iter().map(|r| Some(r.cost))),
        float(rows.iter().map(|r| r.value)),
        float(rows.iter().map(|r| r.net)),
        float(rows.iter().map(|r| r.roi)),
        float(rows.iter().map(|r| r.roi_ci_low)),
        float(rows.iter().map(|r| r.roi_ci_high)),
        float(rows.iter().map(|r| r.payback_months)),
        text(rows.iter().map(|r| r.evidence.map(|e| e.as_str()))),
        float(rows.iter().map(|r| r.coverage)),
        Arc::new(rows.iter().map(|r| Some(r.n)).collect::<UInt64Array>()) as ArrayRef,
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling roi", e.into()))
}

/// The `roi_drivers` table: use_case, driver, evidence, value, value_ci_low, value_ci_high,
/// n, coverage, used (false: an attributed margin replaced by an experiment's incremental one).
pub(crate) fn drivers_batch(rows: &[DriverRow]) -> Result<RecordBatch> {
    let f = |name: &str, t: DataType, null: bool| Field::new(name, t, null);
    let schema = Schema::new(vec![
        f("use_case", DataType::Utf8, false),
        f("driver", DataType::Utf8, false),
        f("evidence", DataType::Utf8, false),
        f("value", DataType::Float64, false),
        f("value_ci_low", DataType::Float64, true),
        f("value_ci_high", DataType::Float64, true),
        f("n", DataType::UInt64, false),
        f("coverage", DataType::Float64, true),
        f("used", DataType::Boolean, false),
    ]);
    let cols = vec![
        text(rows.iter().map(|r| Some(r.use_case.as_str()))),
        text(rows.iter().map(|r| Some(r.driver.as_str()))),
        text(rows.iter().map(|r| Some(r.evidence.as_str()))),
        float(rows.iter().map(|r| Some(r.value))),
        float(rows.iter().map(|r| r.value_ci_low)),
        float(rows.iter().map(|r| r.value_ci_high)),
        Arc::new(rows.iter().map(|r| Some(r.n)).collect::<UInt64Array>()) as ArrayRef,
        float(rows.iter().map(|r| r.coverage)),
        Arc::new(rows.iter().map(|r| Some(r.used)).collect::<BooleanArray>()) as ArrayRef,
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling roi_drivers", e.into()))
}

/// The `roi_by_model` table: use_case, model, default, attributed_margin, value, roi, problem.
pub(crate) fn by_model_batch(rows: &[super::by_model::ModelRoi]) -> Result<RecordBatch> {
    let f = |name: &str, t: DataType, null: bool| Field::new(name, t, null);
    let schema = Schema::new(vec![
        f("use_case", DataType::Utf8, false),
        f("model", DataType::Utf8, false),
        f("default", DataType::Boolean, false),
        f("attributed_margin", DataType::Float64, true),
        f("value", DataType::Float64, true),
        f("roi", DataType::Float64, true),
        f("problem", DataType::Utf8, true),
    ]);
    let cols = vec![
        text(rows.iter().map(|r| Some(r.use_case.as_str()))),
        text(rows.iter().map(|r| Some(r.model.as_str()))),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.default))
                .collect::<BooleanArray>(),
        ) as ArrayRef,
        float(rows.iter().map(|r| r.attributed_margin)),
        float(rows.iter().map(|r| r.value)),
        float(rows.iter().map(|r| r.roi)),
        text(rows.iter().map(|r| r.problem.as_deref())),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling roi_by_model", e.into()))
}

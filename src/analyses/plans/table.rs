//! The `experiment_plans` table: one row per weakly evidenced use case and plan length.

use super::PlanRow;
use crate::arrow_io::write::{count_column, float_column, text_column};
use crate::error::{Error, Result};
use datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::sync::Arc;

/// Schema of `experiment_plans`.
pub(crate) fn schema() -> SchemaRef {
    let f = |n: &str| Field::new(n, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        Field::new("use_case", DataType::Utf8, false),
        Field::new("evidence", DataType::Utf8, false),
        Field::new("value", DataType::Float64, false),
        Field::new("metric", DataType::Utf8, true),
        Field::new("unit", DataType::Utf8, false),
        Field::new("exposed_contacts", DataType::UInt64, false),
        Field::new("measured_contacts", DataType::UInt64, false),
        f("baseline"),
        f("sd"),
        f("variance_reduction"),
        f("eligible_per_week"),
        Field::new("weeks", DataType::UInt64, true),
        f("holdout_share"),
        f("mde"),
        f("relative_mde"),
        f("mde_cuped"),
        f("relative_mde_cuped"),
        Field::new("target_relative_mde", DataType::Float64, false),
        f("holdout_needed"),
        f("holdout_needed_cuped"),
        Field::new("holdout_contacts", DataType::UInt64, true),
        f("eligible_needed_per_week"),
        f("cost_at_10pct"),
        f("cost_needed"),
        Field::new("recommended", DataType::Boolean, false),
        Field::new("note", DataType::Utf8, true),
    ]))
}

/// The plans as one batch of `experiment_plans`.
pub(crate) fn to_batch(rows: &[PlanRow]) -> Result<RecordBatch> {
    let x = |f: &dyn Fn(&PlanRow) -> Option<f64>| float_column(rows.iter().map(f));
    let rel = |m: Option<f64>, r: &PlanRow| m.zip(r.baseline).map(|(m, b)| m / b);
    let planned = |r: &PlanRow| r.weeks.is_some().then_some(super::compute::HOLDOUT);
    let cols: Vec<ArrayRef> = vec![
        text_column(rows.iter().map(|r| Some(r.use_case.as_str()))),
        text_column(rows.iter().map(|r| Some(r.evidence.as_str()))),
        x(&|r| Some(r.value)),
        text_column(rows.iter().map(|r| r.metric.as_deref())),
        text_column(rows.iter().map(|_| Some("contacts"))),
        count_column(rows.iter().map(|r| r.exposed_contacts)),
        count_column(rows.iter().map(|r| r.measured_contacts)),
        x(&|r| r.baseline),
        x(&|r| r.sd),
        x(&|r| r.variance_reduction),
        x(&|r| r.eligible_per_week),
        Arc::new(
            rows.iter()
                .map(|r| r.weeks.map(u64::from))
                .collect::<UInt64Array>(),
        ),
        x(&|r| planned(r)),
        x(&|r| r.mde.0),
        x(&|r| rel(r.mde.0, r)),
        x(&|r| r.mde.1),
        x(&|r| rel(r.mde.1, r)),
        x(&|r| Some(r.target_relative_mde)),
        x(&|r| r.holdout_needed.0),
        x(&|r| r.holdout_needed.1),
        Arc::new(
            rows.iter()
                .map(|r| r.holdout_contacts)
                .collect::<UInt64Array>(),
        ),
        x(&|r| r.eligible_needed_per_week),
        x(&|r| r.cost_at_10pct),
        x(&|r| r.cost_needed),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.recommended))
                .collect::<BooleanArray>(),
        ),
        text_column(rows.iter().map(|r| r.note.as_deref())),
    ];
    RecordBatch::try_new(schema(), cols)
        .map_err(|e| Error::engine("assembling experiment_plans", e.into()))
}

//! The `experiments_result` table: one row per experiment.

use super::ExperimentResult;
use crate::error::{Error, Result};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::sync::Arc;

/// Schema of the `experiments_result` table.
pub(crate) fn schema() -> SchemaRef {
    let s = |n: &str| Field::new(n, DataType::Utf8, false);
    let u = |n: &str| Field::new(n, DataType::UInt64, false);
    let f = |n: &str| Field::new(n, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        s("experiment_id"),
        s("use_case"),
        s("metric"),
        s("start_date"),
        s("end_date"),
        Field::new("in_flight", DataType::Boolean, false),
        u("treatment_contacts"),
        u("control_contacts"),
        Field::new("treatment_share", DataType::Float64, false),
        f("srm_p_value"),
        f("treatment_rate"),
        f("control_rate"),
        f("lift"),
        f("lift_ci_low"),
        f("lift_ci_high"),
        f("relative_lift"),
        f("conversion_p_value"),
        f("treatment_mean_revenue"),
        f("control_mean_revenue"),
        f("revenue_diff"),
        f("revenue_ci_low"),
        f("revenue_ci_high"),
        f("revenue_p_value"),
        f("treatment_churn_rate"),
        f("control_churn_rate"),
        f("churn_p_value"),
        f("incremental_conversions"),
        f("incremental_revenue"),
        f("cuped_lift"),
        f("cuped_ci_low"),
        f("cuped_ci_high"),
        f("variance_reduction"),
        f("cs_low"),
        f("cs_high"),
        f("always_valid_p"),
        s("label"),
    ]))
}

/// The results as one batch of `experiments_result`.
pub(crate) fn to_batch(results: &[ExperimentResult]) -> Result<RecordBatch> {
    let s = |f: &dyn Fn(&ExperimentResult) -> &str| {
        Arc::new(results.iter().map(|r| Some(f(r))).collect::<StringArray>()) as ArrayRef
    };
    let u = |f: &dyn Fn(&ExperimentResult) -> u64| {
        Arc::new(results.iter().map(f).collect::<UInt64Array>()) as ArrayRef
    };
    let x = |f: &dyn Fn(&ExperimentResult) -> Option<f64>| {
        Arc::new(results.iter().map(f).collect::<Float64Array>()) as ArrayRef
    };
    let cols = vec![
        s(&|r| &r.experiment_id),
        s(&|r| &r.use_case),
        s(&|r| &r.metric),
        s(&|r| &r.dates.0),
        s(&|r| &r.dates.1),
        Arc::new(
            results
                .iter()
                .map(|r| Some(r.in_flight))
                .collect::<BooleanArray>(),
        ) as ArrayRef,
        u(&|r| r.contacts.0),
        u(&|r| r.contacts.1),
        Arc::new(
            results
                .iter()
                .map(|r| r.treatment_share)
                .collect::<Float64Array>(),
        ) as ArrayRef,
        x(&|r| r.srm_p_value),
        x(&|r| r.rates.0),
        x(&|r| r.rates.1),
        x(&|r| r.lift.0),
        x(&|r| r.lift.1),
        x(&|r| r.lift.2),
        x(&|r| r.relative_lift),
        x(&|r| r.conversion_p_value),
        x(&|r| r.mean_revenue.0),
        x(&|r| r.mean_revenue.1),
        x(&|r| r.revenue_diff.0),
        x(&|r| r.revenue_diff.1),
        x(&|r| r.revenue_diff.2),
        x(&|r| r.revenue_p_value),
        x(&|r| r.churn.0),
        x(&|r| r.churn.1),
        x(&|r| r.churn_p_value),
        x(&|r| r.incremental_conversions),
        x(&|r| r.incremental_revenue),
        x(&|r| r.cuped_lift.0),
        x(&|r| r.cuped_lift.1),
        x(&|r| r.cuped_lift.2),
        x(&|r| r.variance_reduction),
        x(&|r| r.cs.0),
        x(&|r| r.cs.1),
        x(&|r| r.always_valid_p),
        s(&|r| &r.label),
    ];
    RecordBatch::try_new(schema(), cols)
        .map_err(|e| Error::engine("assembling experiments_result", e.into()))
}

//! The `impact` and `impact_series` tables as Arrow batches.

use super::evaluate::{ImpactRow, SeriesRow};
use crate::arrow_io::{count_column as count, float_column as float, text_column as text};
use crate::error::{Error, Result};
use datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use std::sync::Arc;

fn day(d: &chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `impact`: one row per launch and method (see docs/guide.md, outputs).
pub(crate) fn impact_batch(rows: &[ImpactRow]) -> Result<RecordBatch> {
    let f = |name: &str, t: DataType, null: bool| Field::new(name, t, null);
    let t = |name: &str, null: bool| f(name, DataType::Utf8, null);
    let x = |name: &str| f(name, DataType::Float64, true);
    let schema = Schema::new(vec![
        t("launch_id", false),
        t("use_case", false),
        t("method", false),
        t("outcome", false),
        t("scope_dimension", true),
        t("scope_value", true),
        t("launched_on", false),
        f("pre_periods", DataType::UInt64, false),
        f("post_periods", DataType::UInt64, false),
        t("post_start", true),
        t("post_end", true),
        x("actual"),
        x("counterfactual"),
        x("effect"),
        x("effect_ci_low"),
        x("effect_ci_high"),
        x("relative_effect"),
        x("p_value"),
        x("placebo_effect"),
        x("placebo_p_value"),
        x("holdout_mape"),
        x("pre_mape"),
        x("value_per_unit"),
        x("value"),
        x("value_ci_low"),
        x("value_ci_high"),
        t("verdict", false),
        t("reasons", false),
    ]);
    let launched: Vec<String> = rows.iter().map(|r| day(&r.launched_on)).collect();
    let starts: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.post_start.as_ref().map(day))
        .collect();
    let ends: Vec<Option<String>> = rows.iter().map(|r| r.post_end.as_ref().map(day)).collect();
    let reasons: Vec<String> = rows.iter().map(|r| r.reasons.join(" ")).collect();
    let num = |g: fn(&ImpactRow) -> Option<f64>| float(rows.iter().map(g));
    let cols: Vec<ArrayRef> = vec![
        text(rows.iter().map(|r| Some(r.launch_id.as_str()))),
        text(rows.iter().map(|r| Some(r.use_case.as_str()))),
        text(rows.iter().map(|r| Some(r.method))),
        text(rows.iter().map(|r| Some(r.outcome.as_str()))),
        text(rows.iter().map(|r| r.scope_dimension.as_deref())),
        text(rows.iter().map(|r| r.scope_value.as_deref())),
        text(launched.iter().map(|s| Some(s.as_str()))),
        count(rows.iter().map(|r| r.pre_periods as u64)),
        count(rows.iter().map(|r| r.post_periods as u64)),
        text(starts.iter().map(|s| s.as_deref())),
        text(ends.iter().map(|s| s.as_deref())),
        num(|r| r.actual),
        num(|r| r.counterfactual),
        num(|r| r.effect),
        num(|r| r.effect_ci_low),
        num(|r| r.effect_ci_high),
        num(|r| r.relative_effect),
        num(|r| r.p_value),
        num(|r| r.placebo_effect),
        num(|r| r.placebo_p_value),
        num(|r| r.holdout_mape),
        num(|r| r.pre_mape),
        num(|r| r.value_per_unit),
        num(|r| r.value),
        num(|r| r.value_ci_low),
        num(|r| r.value_ci_high),
        text(rows.iter().map(|r| Some(r.verdict.as_str()))),
        text(reasons.iter().map(|s| Some(s.as_str()))),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling impact", e.into()))
}

/// `impact_series`: one row per launch, method and period.
pub(crate) fn series_batch(rows: &[SeriesRow]) -> Result<RecordBatch> {
    let f = |name: &str, t: DataType, null: bool| Field::new(name, t, null);
    let x = |name: &str, null: bool| f(name, DataType::Float64, null);
    let schema = Schema::new(vec![
        f("launch_id", DataType::Utf8, false),
        f("method", DataType::Utf8, false),
        f("period", DataType::Utf8, false),
        f("post", DataType::Boolean, false),
        x("actual", false),
        x("counterfactual", false),
        x("counterfactual_low", true),
        x("counterfactual_high", true),
        x("cumulative_effect", true),
        x("cumulative_low", true),
        x("cumulative_high", true),
    ]);
    let periods: Vec<String> = rows.iter().map(|r| day(&r.period)).collect();
    let num = |g: fn(&SeriesRow) -> Option<f64>| float(rows.iter().map(g));
    let cols: Vec<ArrayRef> = vec![
        text(rows.iter().map(|r| Some(r.launch_id.as_str()))),
        text(rows.iter().map(|r| Some(r.method))),
        text(periods.iter().map(|s| Some(s.as_str()))),
        Arc::new(rows.iter().map(|r| Some(r.post)).collect::<BooleanArray>()),
        num(|r| Some(r.actual)),
        num(|r| Some(r.counterfactual)),
        num(|r| r.counterfactual_low),
        num(|r| r.counterfactual_high),
        num(|r| r.cumulative_effect),
        num(|r| r.cumulative_low),
        num(|r| r.cumulative_high),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling impact_series", e.into()))
}

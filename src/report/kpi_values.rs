//! The `kpi_values` table (the contract of docs/spec/kpis.md) as Arrow: its schema and the
//! batch of a run's KPI rows.

use crate::error::{Error, Result};
use crate::kpi::KpiValue;
use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::sync::Arc;

/// Schema of the `kpi_values` table.
pub(crate) fn kpi_values_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("use_case", DataType::Utf8, false),
        Field::new("kpi", DataType::Utf8, false),
        Field::new("period", DataType::Utf8, false),
        Field::new("dimension", DataType::Utf8, true),
        Field::new("dimension_value", DataType::Utf8, true),
        Field::new("value", DataType::Float64, true),
        Field::new("unit", DataType::Utf8, false),
        Field::new("n", DataType::Int64, false),
        Field::new("ci_low", DataType::Float64, true),
        Field::new("ci_high", DataType::Float64, true),
    ]))
}

/// The KPI values as one Arrow batch.
pub(crate) fn kpi_values_batch(values: &[KpiValue]) -> Result<RecordBatch> {
    let s = |f: fn(&KpiValue) -> Option<&str>| {
        Arc::new(values.iter().map(f).collect::<StringArray>()) as ArrayRef
    };
    let x = |f: fn(&KpiValue) -> Option<f64>| {
        Arc::new(values.iter().map(f).collect::<Float64Array>()) as ArrayRef
    };
    let columns = vec![
        s(|v| Some(&v.use_case)),
        s(|v| Some(&v.kpi)),
        s(|v| Some(&v.period)),
        s(|v| v.dimension.as_deref()),
        s(|v| v.dimension_value.as_deref()),
        x(|v| v.value),
        s(|v| Some(&v.unit)),
        Arc::new(values.iter().map(|v| v.n).collect::<Int64Array>()) as ArrayRef,
        x(|v| v.ci_low),
        x(|v| v.ci_high),
    ];
    RecordBatch::try_new(kpi_values_schema(), columns)
        .map_err(|e| Error::engine("assembling kpi_values", e.into()))
}

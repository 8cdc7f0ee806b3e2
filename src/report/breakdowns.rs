//! The breakdowns a use case reports: for each dimension its KPIs are broken down by
//! (campaign, event, topic, segment, channel), one row per dimension value over the whole
//! period with every such KPI, named where the data names it, sorted by the KPI the sidecar's
//! `breakdown_order` names (else the first), largest first, with the total (dimension null)
//! beside it. Shaped with polars from the KPI rows; the page and the workbook both read it,
//! so they show the same rows and numbers.

use super::page::ReportInput;
use crate::error::{Error, Result};
use crate::kpi::run::KpiValue;
use crate::kpi::sidecar::KpiMeta;
use polars::prelude::*;

fn err(e: PolarsError) -> Error {
    Error::report("breakdowns", e)
}

/// One use case's KPIs broken down by one dimension.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// Use case id.
    pub use_case: String,
    /// The breakdown column (`campaign_id`, `topic`, …).
    pub dimension: String,
    /// Its KPIs, in sidecar order.
    pub kpis: Vec<KpiMeta>,
    /// The KPI the rows are sorted by (index into `kpis`).
    pub sorted_by: usize,
    /// One row per dimension value, sorted.
    pub rows: Vec<BreakdownRow>,
    /// Each KPI's value over all values (dimension null), when the KPI has one.
    pub total: Vec<Option<f64>>,
}

/// One dimension value of a breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    /// The value as `kpi_values` holds it (an id or a name).
    pub key: String,
    /// Its name, when the data has one (campaigns and events).
    pub label: Option<String>,
    /// Each KPI's value (`None`: no row, or a null value).
    pub values: Vec<Option<f64>>,
    /// What the sorting KPI's value rests on.
    pub n: Option<u64>,
}

impl Breakdown {
    /// The dimension in words, singular: `campaign_id` → `campaign`, `web_channel` → `web channel`.
    pub fn noun(&self) -> String {
        noun(&self.dimension).replace('_', " ")
    }
}

/// The dimension in words, singular: `campaign_id` → `campaign`, `event_id` → `event`.
pub fn noun(dimension: &str) -> &str {
    dimension.strip_suffix("_id").unwrap_or(dimension)
}

/// Every breakdown of the run, in the order of the use cases and their KPIs.
pub fn breakdowns(input: &ReportInput) -> Result<Vec<Breakdown>> {
    let mut out = Vec::new();
    for q in &input.queries.kpis {
        let mut dimensions: Vec<&str> = Vec::new();
        for k in &q.meta.kpis {
            if let Some(d) = k.dimension.as_deref()
                && !dimensions.contains(&d)
            {
                dimensions.push(d);
            }
        }
        for d in dimensions {
            let kpis: Vec<KpiMeta> = q
                .meta
                .kpis
                .iter()
                .filter(|k| k.dimension.as_deref() == Some(d))
                .cloned()
                .collect();
            let sorted_by = q
                .meta
                .breakdown_order
                .get(d)
                .and_then(|id| kpis.iter().position(|k| &k.id == id))
                .unwrap_or(0);
            let b = one(input, &q.meta.use_case, d, kpis, sorted_by)?;
            if !b.rows.is_empty() {
                out.push(b);
            }
        }
    }
    Ok(out)
}

/// The rows of one breakdown (period `all`), pivoted wide with polars and sorted.
fn one(
    input: &ReportInput,
    use_case: &str,
    dimension: &str,
    kpis: Vec<KpiMeta>,
    sorted_by: usize,
) -> Result<Breakdown> {
    let owned: Vec<String> = kpis.iter().map(|k| k.id.clone()).collect();
    let ids: Vec<&str> = owned.iter().map(String::as_str).collect();
    let mine: Vec<&KpiValue> = input
        .kpis
        .values
        .iter()
        .filter(|v| v.period == "all" && ids.contains(&v.kpi.as_str()))
        .collect();
    let total = ids
        .iter()
        .map(|id| {
            mine.iter()
                .find(|v| v.kpi == *id && v.dimension.is_none())
                .and_then(|v| v.value)
        })
        .collect();
    let broken: Vec<&&KpiValue> = mine
        .iter()
        .filter(|v| v.dimension.as_deref() == Some(dimension))
        .collect();
    let mut b = Breakdown {
        use_case: use_case.to_string(),
        dimension: dimension.to_string(),
        kpis,
        sorted_by,
        rows: Vec::new(),
        total,
    };
    if broken.is_empty() {
        return Ok(b);
    }
    let long = df!(
        "key" => broken.iter().map(|v| v.dimension_value.as_deref().unwrap_or_default()).collect::<Vec<_>>(),
        "kpi" => broken.iter().map(|v| v.kpi.as_str()).collect::<Vec<_>>(),
        "value" => broken.iter().map(|v| v.value).collect::<Vec<_>>(),
        "n" => broken.iter().map(|v| v.n).collect::<Vec<_>>(),
    )
    .map_err(err)?;
    let sort_kpi = ids[sorted_by];
    let n_of_sort = long
        .clone()
        .lazy()
        .filter(col("kpi").eq(lit(sort_kpi)))
        .select([col("key"), col("n")]);
    let on = df!("kpi" => ids.clone()).map_err(err)?;
    let wide = long
        .lazy()
        .select([col("key"), col("kpi"), col("value")])
        .pivot(
            cols(["kpi"]),
            Arc::new(on),
            cols(["key"]),
            cols(["value"]),
            element().first(),
            true,
            "_".into(),
            polars::frame::PivotColumnNaming::Auto,
        )
        .left_join(n_of_sort, col("key"), col("key"))
        .sort(
            [sort_kpi, "key"],
            SortMultipleOptions::new()
                .with_order_descending_multi([true, false])
                .with_nulls_last(true),
        )
        .collect()
        .map_err(err)?;
    let keys = wide.column("key").map_err(err)?.str().map_err(err)?.clone();
    let n = wide
        .column("n")
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(err)?
        .u64()
        .map_err(err)?
        .clone();
    let columns: Vec<Float64Chunked> = ids
        .iter()
        .map(|id| {
            let c = wide.column(id).map_err(err)?;
            Ok(c.cast(&DataType::Float64)
                .map_err(err)?
                .f64()
                .map_err(err)?
                .clone())
        })
        .collect::<Result<_>>()?;
    b.rows = (0..wide.height())
        .map(|i| {
            let key = keys.get(i).unwrap_or_default().to_string();
            BreakdownRow {
                label: input
                    .labels
                    .and_then(|l| l.get(dimension, &key))
                    .map(str::to_string),
                values: columns.iter().map(|c| c.get(i)).collect(),
                n: n.get(i),
                key,
            }
        })
        .collect();
    Ok(b)
}

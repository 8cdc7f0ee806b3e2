//! Report tables shaped with polars from results already computed (never a second KPI
//! implementation): each KPI's window value beside its last two months (period over
//! period), monthly values pivoted wide for the workbook, and top-N + "other".

use crate::error::{Error, Result};
use crate::kpi::run::KpiValue;
use polars::prelude::*;

fn err(e: PolarsError) -> Error {
    Error::report("tables", e)
}

/// A KPI's headline figures (dimension null).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KpiOverview {
    /// KPI id.
    pub kpi: String,
    /// Value over the whole window.
    pub window: Option<f64>,
    /// The last month with a row (`YYYY-MM`), if monthly.
    pub month: Option<String>,
    /// Its value.
    pub current: Option<f64>,
    /// The month before's value.
    pub previous: Option<f64>,
    /// (current − previous) / |previous|; `None` when either is missing or previous is 0.
    pub change: Option<f64>,
    /// The `n` of the last month's value.
    pub n_current: Option<u64>,
    /// The `n` of the month before's value.
    pub n_previous: Option<u64>,
}

fn long_frame(values: &[KpiValue]) -> Result<DataFrame> {
    let rows: Vec<&KpiValue> = values.iter().filter(|v| v.dimension.is_none()).collect();
    df!(
        "kpi" => rows.iter().map(|v| v.kpi.as_str()).collect::<Vec<_>>(),
        "period" => rows.iter().map(|v| v.period.as_str()).collect::<Vec<_>>(),
        "value" => rows.iter().map(|v| v.value).collect::<Vec<_>>(),
        "n" => rows.iter().map(|v| v.n as u64).collect::<Vec<_>>(),
    )
    .map_err(err)
}

/// Window value, last month, previous month and change of every KPI (dimension null),
/// in the order of `values`.
pub(crate) fn overview(values: &[KpiValue]) -> Result<Vec<KpiOverview>> {
    let long = long_frame(values)?.lazy();
    let window = long
        .clone()
        .filter(col("period").eq(lit("all")))
        .select([col("kpi"), col("value").alias("window")]);
    let monthly = long
        .filter(col("period").neq(lit("all")))
        .sort(["kpi", "period"], SortMultipleOptions::default())
        .group_by([col("kpi")])
        .agg([
            col("period").last().alias("month"),
            col("value").last().alias("current"),
            col("value").shift(lit(1)).last().alias("previous"),
            col("n").last().alias("n_current"),
            col("n").shift(lit(1)).last().alias("n_previous"),
        ])
        .with_column(
            when(col("previous").gt(lit(0.0)))
                .then((col("current") - col("previous")) / col("previous"))
                .when(col("previous").lt(lit(0.0)))
                .then((col("previous") - col("current")) / col("previous"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("change"),
        );
    let df = window
        .left_join(monthly, col("kpi"), col("kpi"))
        .collect()
        .map_err(err)?;
    let kpi = df.column("kpi").map_err(err)?.str().map_err(err)?.clone();
    let f = |name: &str| -> Result<Float64Chunked> {
        Ok(df.column(name).map_err(err)?.f64().map_err(err)?.clone())
    };
    let (w, cur, prev, ch) = (f("window")?, f("current")?, f("previous")?, f("change")?);
    let month = df.column("month").map_err(err)?.str().map_err(err)?.clone();
    let count = |name: &str| -> Result<UInt64Chunked> {
        Ok(df.column(name).map_err(err)?.u64().map_err(err)?.clone())
    };
    let (n_cur, n_prev) = (count("n_current")?, count("n_previous")?);
    let mut out: Vec<KpiOverview> = (0..df.height())
        .map(|i| KpiOverview {
            kpi: kpi.get(i).unwrap_or_default().to_string(),
            window: w.get(i),
            month: month.get(i).map(str::to_string),
            current: cur.get(i),
            previous: prev.get(i),
            change: ch.get(i),
            n_current: n_cur.get(i),
            n_previous: n_prev.get(i),
        })
        .collect();
    let order = |k: &str| values.iter().position(|v| v.kpi == k);
    out.sort_by_key(|o| order(&o.kpi));
    Ok(out)
}

/// Monthly values of `kpis` (dimension null), one row per KPI, one column per month.
pub(crate) fn monthly_wide(values: &[KpiValue], kpis: &[&str]) -> Result<DataFrame> {
    let rows: Vec<&KpiValue> = values
        .iter()
        .filter(|v| v.dimension.is_none() && v.period != "all" && kpis.contains(&v.kpi.as_str()))
        .collect();
    let mut months: Vec<&str> = rows.iter().map(|v| v.period.as_str()).collect();
    months.sort_unstable();
    months.dedup();
    let long = df!(
        "kpi" => rows.iter().map(|v| v.kpi.as_str()).collect::<Vec<_>>(),
        "period" => rows.iter().map(|v| v.period.as_str()).collect::<Vec<_>>(),
        "value" => rows.iter().map(|v| v.value).collect::<Vec<_>>(),
    )
    .map_err(err)?;
    if months.is_empty() {
        return long.select(["kpi"]).map_err(err);
    }
    let on = df!("period" => months).map_err(err)?;
    long.lazy()
        .pivot(
            cols(["period"]),
            Arc::new(on),
            cols(["kpi"]),
            cols(["value"]),
            element().first(),
            true,
            "_".into(),
            polars::frame::PivotColumnNaming::Auto,
        )
        .collect()
        .map_err(err)
}

/// The `n` largest `(label, value)` pairs, the rest summed as "other" (last), largest first.
pub(crate) fn top_n_other(pairs: &[(String, f64)], n: usize) -> Result<Vec<(String, f64)>> {
    let df = df!(
        "label" => pairs.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
        "value" => pairs.iter().map(|p| p.1).collect::<Vec<_>>(),
    )
    .map_err(err)?;
    let out = df
        .lazy()
        .sort(
            ["value", "label"],
            SortMultipleOptions::new().with_order_descending_multi([true, false]),
        )
        .with_row_index("rank", None)
        .with_column(
            when(col("rank").lt(lit(n as u32)))
                .then(col("label"))
                .otherwise(lit("other"))
                .alias("label"),
        )
        .group_by_stable([col("label")])
        .agg([col("value").sum(), col("rank").min()])
        .sort(["rank"], SortMultipleOptions::default())
        .collect()
        .map_err(err)?;
    let labels = out
        .column("label")
        .map_err(err)?
        .str()
        .map_err(err)?
        .clone();
    let values = out
        .column("value")
        .map_err(err)?
        .f64()
        .map_err(err)?
        .clone();
    Ok((0..out.height())
        .map(|i| {
            (
                labels.get(i).unwrap_or_default().to_string(),
                values.get(i).unwrap_or(0.0),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(kpi: &str, period: &str, value: Option<f64>) -> KpiValue {
        KpiValue {
            use_case: "UC01".into(),
            kpi: kpi.into(),
            period: period.into(),
            dimension: None,
            dimension_value: None,
            value,
            unit: "count".into(),
            n: 1,
            ci_low: None,
            ci_high: None,
        }
    }

    #[test]
    fn overview_compares_the_last_two_months() {
        let values = vec![
            v("a", "all", Some(30.0)),
            v("a", "2026-01", Some(10.0)),
            v("a", "2026-03", Some(15.0)),
            v("a", "2026-02", Some(5.0)),
            v("b", "all", Some(1.0)),
        ];
        let o = overview(&values).unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].kpi, "a");
        assert_eq!(o[0].window, Some(30.0));
        assert_eq!(o[0].month.as_deref(), Some("2026-03"));
        assert_eq!((o[0].current, o[0].previous), (Some(15.0), Some(5.0)));
        assert_eq!(o[0].change, Some(2.0));
        assert_eq!(
            (o[1].kpi.as_str(), o[1].current, o[1].change),
            ("b", None, None)
        );
    }

    #[test]
    fn months_pivot_wide() {
        let values = vec![
            v("a", "2026-02", Some(5.0)),
            v("a", "2026-01", Some(10.0)),
            v("b", "2026-01", None),
        ];
        let df = monthly_wide(&values, &["a", "b"]).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["kpi", "2026-01", "2026-02"]);
        let jan = df.column("2026-01").unwrap().f64().unwrap().clone();
        assert_eq!((jan.get(0), jan.get(1)), (Some(10.0), None));
    }

    #[test]
    fn top_n_keeps_the_largest_and_sums_the_rest() {
        let pairs: Vec<(String, f64)> = [("a", 1.0), ("b", 5.0), ("c", 3.0), ("d", 2.0)]
            .iter()
            .map(|(l, v)| (l.to_string(), *v))
            .collect();
        let top = top_n_other(&pairs, 2).unwrap();
        assert_eq!(
            top,
            [("b".into(), 5.0), ("c".into(), 3.0), ("other".into(), 3.0)]
        );
    }
}

//! The perception gap (docs/domain.md, IBM Institute for Business Value 2011): per segment
//! (industry by default) and reason, the share of customers and of business respondents who
//! select it, the gap (customer − business) with its 95 % Wald interval, the pooled
//! two-proportion z-test p-value and its Holm adjustment over the reasons tested in the
//! segment, and Spearman's rank correlation of the two orderings per segment.

use crate::arrow_io::{count_column, float_column};
use crate::config::run_params::RunParams;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::stats::rank::{holm, spearman};
use crate::stats::two_sample::two_proportions;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, UInt64Type};
use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// Answers to one reason in one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonCounts {
    /// Segment value.
    pub segment: String,
    /// Reason.
    pub reason: String,
    /// Customer respondents who answered it, and who selected it.
    pub customer: (u64, u64),
    /// Business respondents who answered it, and who selected it.
    pub business: (u64, u64),
}

/// One row of `perception_gap`.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    /// The column segmented by.
    pub segment_by: String,
    /// Its value.
    pub segment_value: String,
    /// Reason.
    pub reason: String,
    /// Customer respondents.
    pub n_customer: u64,
    /// Business respondents.
    pub n_business: u64,
    /// Share of customers selecting it.
    pub customer_share: Option<f64>,
    /// Share of business respondents selecting it.
    pub business_share: Option<f64>,
    /// customer − business share.
    pub gap: Option<f64>,
    /// 95 % Wald interval of the gap.
    pub gap_ci_low: Option<f64>,
    /// 95 % Wald interval of the gap.
    pub gap_ci_high: Option<f64>,
    /// Pooled two-proportion z-test.
    pub p_value: Option<f64>,
    /// Holm-adjusted over the reasons tested in the segment.
    pub p_value_adjusted: Option<f64>,
}

/// Rank agreement of one segment (`perception_rank`).
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    /// The column segmented by.
    pub segment_by: String,
    /// Its value.
    pub segment_value: String,
    /// Spearman's ρ of customer vs business shares over the reasons.
    pub spearman_rho: Option<f64>,
    /// Reasons compared.
    pub reasons: u64,
}

/// Both tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Perception {
    /// `perception_gap`.
    pub gaps: Vec<GapRow>,
    /// `perception_rank`.
    pub ranks: Vec<RankRow>,
}

/// Computes the tables from the counts (sorted by segment, then reason).
pub fn compute(segment_by: &str, counts: &[ReasonCounts]) -> Perception {
    let mut out = Perception::default();
    let mut segments: Vec<&str> = counts.iter().map(|c| c.segment.as_str()).collect();
    segments.dedup();
    for seg in segments {
        let rows: Vec<&ReasonCounts> = counts.iter().filter(|c| c.segment == seg).collect();
        let tests: Vec<_> = rows
            .iter()
            .map(|c| two_proportions(c.customer.1, c.customer.0, c.business.1, c.business.0))
            .collect();
        let tested: Vec<usize> = (0..rows.len())
            .filter(|&i| tests[i].as_ref().and_then(|t| t.p_value).is_some())
            .collect();
        let adjusted = holm(
            &tested
                .iter()
                .map(|&i| tests[i].as_ref().and_then(|t| t.p_value).unwrap_or(1.0))
                .collect::<Vec<_>>(),
        );
        let share = |(n, k): (u64, u64)| (n > 0).then(|| k as f64 / n as f64);
        for (i, c) in rows.iter().enumerate() {
            let t = tests[i].as_ref();
            out.gaps.push(GapRow {
                segment_by: segment_by.into(),
                segment_value: seg.into(),
                reason: c.reason.clone(),
                n_customer: c.customer.0,
                n_business: c.business.0,
                customer_share: share(c.customer),
                business_share: share(c.business),
                gap: t.map(|t| t.diff),
                gap_ci_low: t.map(|t| t.ci.0),
                gap_ci_high: t.map(|t| t.ci.1),
                p_value: t.and_then(|t| t.p_value),
                p_value_adjusted: tested.iter().position(|&j| j == i).map(|k| adjusted[k]),
            });
        }
        let pairs: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|c| Some((share(c.customer)?, share(c.business)?)))
            .collect();
        let (a, b): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        out.ranks.push(RankRow {
            segment_by: segment_by.into(),
            segment_value: seg.into(),
            spearman_rho: spearman(&a, &b),
            reasons: pairs.len() as u64,
        });
    }
    out
}

/// Runs the model query and computes the tables.
pub async fn run(ctx: &SessionContext, queries: &QuerySet, run: &RunParams) -> Result<Perception> {
    let params = run.sql();
    let segment_by = run.perception_segment_by.clone();
    let mut counts = Vec::new();
    for b in queries
        .run_model(ctx, params, "perception_gap")
        .await?
        .iter()
    {
        let (seg, reason) = (b.text("segment_value")?, b.text("reason")?);
        let n = |name: &str| -> Result<Vec<u64>> {
            let c = b.cast(name, &DataType::UInt64)?;
            Ok(c.as_primitive::<UInt64Type>()
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect())
        };
        let (nc, kc) = (n("n_customer")?, n("k_customer")?);
        let (nb, kb) = (n("n_business")?, n("k_business")?);
        for i in 0..b.num_rows() {
            counts.push(ReasonCounts {
                segment: seg.value(i).to_string(),
                reason: reason.value(i).to_string(),
                customer: (nc[i], kc[i]),
                business: (nb[i], kb[i]),
            });
        }
    }
    Ok(compute(&segment_by, &counts))
}

fn text<'a>(v: impl Iterator<Item = &'a str>) -> ArrayRef {
    crate::arrow_io::text_column(v.map(Some))
}

/// The `perception_gap` table.
pub(crate) fn gaps_batch(rows: &[GapRow]) -> Result<RecordBatch> {
    let f = |n: &str, t: DataType| {
        Field::new(
            n,
            t.clone(),
            !matches!(t, DataType::Utf8 | DataType::UInt64),
        )
    };
    let schema = Schema::new(vec![
        f("segment_by", DataType::Utf8),
        f("segment_value", DataType::Utf8),
        f("reason", DataType::Utf8),
        f("n_customer", DataType::UInt64),
        f("n_business", DataType::UInt64),
        f("customer_share", DataType::Float64),
        f("business_share", DataType::Float64),
        f("gap", DataType::Float64),
        f("gap_ci_low", DataType::Float64),
        f("gap_ci_high", DataType::Float64),
        f("p_value", DataType::Float64),
        f("p_value_adjusted", DataType::Float64),
    ]);
    let cols = vec![
        text(rows.iter().map(|r| r.segment_by.as_str())),
        text(rows.iter().map(|r| r.segment_value.as_str())),
        text(rows.iter().map(|r| r.reason.as_str())),
        count_column(rows.iter().map(|r| r.n_customer)),
        count_column(rows.iter().map(|r| r.n_business)),
        float_column(rows.iter().map(|r| r.customer_share)),
        float_column(rows.iter().map(|r| r.business_share)),
        float_column(rows.iter().map(|r| r.gap)),
        float_column(rows.iter().map(|r| r.gap_ci_low)),
        float_column(rows.iter().map(|r| r.gap_ci_high)),
        float_column(rows.iter().map(|r| r.p_value)),
        float_column(rows.iter().map(|r| r.p_value_adjusted)),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling perception_gap", e.into()))
}

/// The `perception_rank` table.
pub(crate) fn ranks_batch(rows: &[RankRow]) -> Result<RecordBatch> {
    let schema = Schema::new(vec![
        Field::new("segment_by", DataType::Utf8, false),
        Field::new("segment_value", DataType::Utf8, false),
        Field::new("spearman_rho", DataType::Float64, true),
        Field::new("reasons", DataType::UInt64, false),
    ]);
    let cols = vec![
        text(rows.iter().map(|r| r.segment_by.as_str())),
        text(rows.iter().map(|r| r.segment_value.as_str())),
        float_column(rows.iter().map(|r| r.spearman_rho)),
        count_column(rows.iter().map(|r| r.reasons)),
    ];
    RecordBatch::try_new(Arc::new(schema), cols)
        .map_err(|e| Error::engine("assembling perception_rank", e.into()))
}

//! The perception gap as shown: segments and the reasons where customers and the business
//! disagree.

use super::ReportInput;
use crate::report::charts::ChartFile;
use crate::report::format::pct;
use serde::Serialize;

/// The perception gap of one segment.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentView {
    /// Segment value.
    pub name: String,
    /// Spearman's ρ, formatted.
    pub rho: String,
    /// The largest significant gaps in words.
    pub findings: Vec<String>,
    /// Dumbbell chart.
    pub chart: Option<ChartFile>,
}

/// The perception-gap section.
#[derive(Debug, Clone, Serialize)]
pub struct PerceptionView {
    /// The survey column segmented by.
    pub segment_by: String,
    /// Segments.
    pub segments: Vec<SegmentView>,
}

/// Spearman's ρ of the business's ranking of the reasons against the customers', in words.
pub fn rho_in_words(rho: f64) -> &'static str {
    if rho >= 0.7 {
        "the business ranks the reasons much as customers do"
    } else if rho >= 0.3 {
        "the business ranks the reasons partly as customers do"
    } else if rho > -0.3 {
        "the business's ranking bears little relation to the customers'"
    } else {
        "the business ranks the reasons nearly in reverse"
    }
}

/// A Holm-adjusted p-value in words: how often chance alone would give a gap this large,
/// allowing for the number of reasons tested.
pub fn p_in_words(p: f64) -> String {
    let odds = if p < 0.001 {
        "less than 1 time in 1,000".to_string()
    } else {
        format!(
            "about 1 time in {}",
            crate::report::format::fixed((1.0 / p).round(), 0)
        )
    };
    let shown = if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    format!(
        "Holm-adjusted {shown}: chance alone would give a gap this large {odds}, allowing for the number of reasons tested"
    )
}

/// The perception-gap section's content (charts drawn by the caller).
pub fn perception(
    input: &ReportInput,
    mut charts: Vec<(String, ChartFile)>,
) -> Option<PerceptionView> {
    let p = input.perception?;
    let segments = p
        .ranks
        .iter()
        .map(|r| {
            let mut gaps: Vec<_> = p
                .gaps
                .iter()
                .filter(|g| g.segment_value == r.segment_value)
                .filter(|g| g.p_value_adjusted.is_some_and(|x| x < 0.05))
                .collect();
            gaps.sort_by(|a, b| b.gap.unwrap_or(0.0).abs().total_cmp(&a.gap.unwrap_or(0.0).abs()));
            let mut findings: Vec<String> = gaps
                .iter()
                .take(3)
                .map(|g| {
                    let gap = g.gap.unwrap_or(0.0);
                    format!(
                        "“{}”: {} of customers vs {} of the business — customers choose it {:.0} points {} often than the business believes ({}).",
                        g.reason.replace('_', " "),
                        pct(g.customer_share.unwrap_or(0.0)),
                        pct(g.business_share.unwrap_or(0.0)),
                        gap.abs() * 100.0,
                        if gap > 0.0 { "more" } else { "less" },
                        p_in_words(g.p_value_adjusted.unwrap_or(1.0))
                    )
                })
                .collect();
            if findings.is_empty() {
                findings.push("No gap is significant after Holm's adjustment (p ≥ 0.05): the sample may be too small to tell.".into());
            }
            let chart = charts
                .iter()
                .position(|(s, _)| *s == r.segment_value)
                .map(|i| charts.remove(i).1);
            SegmentView {
                name: r.segment_value.clone(),
                rho: r.spearman_rho.map_or_else(
                    || "–".into(),
                    |x| format!("{}: {}", format!("{x:.2}").replace('-', "−"), rho_in_words(x)),
                ),
                findings,
                chart,
            }
        })
        .collect();
    Some(PerceptionView {
        segment_by: p
            .ranks
            .first()
            .map(|r| r.segment_by.clone())
            .unwrap_or_default(),
        segments,
    })
}

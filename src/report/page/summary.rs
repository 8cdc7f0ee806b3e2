//! The executive summary: investment, value, ROI with its interval and evidence mix,
//! payback, strongest and weakest use cases, and the evidence legend.

use super::ReportInput;
use crate::analyses::roi::Evidence;
use crate::analyses::roi::RoiRow;
use crate::report::charts::{evidence_colour, hex};
use crate::report::format::{money, number, pct};
use serde::Serialize;

/// The executive summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Total investment.
    pub investment: String,
    /// Total value.
    pub value: String,
    /// Net.
    pub net: String,
    /// ROI.
    pub roi: String,
    /// Its interval.
    pub interval: String,
    /// Payback.
    pub payback: String,
    /// Share of the value per evidence class.
    pub evidence_mix: Vec<Mix>,
    /// Largest contributors.
    pub top: Vec<RoiLine>,
    /// Weakest.
    pub weak: Vec<RoiLine>,
    /// Plain-word warnings.
    pub warnings: Vec<String>,
}

/// One evidence class's share of the value.
#[derive(Debug, Clone, Serialize)]
pub struct Mix {
    /// Evidence class.
    pub class: String,
    /// Share, formatted.
    pub share: String,
    /// Share in percent (bar width).
    pub width: f64,
    /// Colour.
    pub colour: String,
}

/// The executive summary's figures and warnings.
pub fn summary(input: &ReportInput) -> Summary {
    let c = &input.currency;
    let mut s = Summary::default();
    // Notes are sentences of the log; on the page they start with a capital.
    s.warnings.extend(input.notes.iter().map(|n| {
        let mut c = n.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }));
    if let Some(roi) = input.roi {
        let t = &roi.total;
        s.investment = money(t.cost, c);
        s.value = money(t.value, c);
        s.net = money(t.value - t.cost, c);
        s.roi = t
            .roi
            .map_or_else(|| "undefined (no cost recorded)".into(), pct);
        s.interval = match (t.roi_ci_low, t.roi_ci_high) {
            (Some(l), Some(h)) => format!("95 % interval {} to {}", pct(l), pct(h)),
            _ => String::new(),
        };
        s.payback = t.payback_months.map_or_else(
            || "not within the data".into(),
            |m| format!("{} months", number(m)),
        );
        let total: f64 = t.value_by_evidence.values().map(|v| v.max(0.0)).sum();
        // Strongest evidence first: the bar reads as the evidence ladder.
        let mut shares: Vec<(&String, &f64)> = t.value_by_evidence.iter().collect();
        shares.sort_by_key(|(k, _)| {
            std::cmp::Reverse(Evidence::parse(k).map_or(0, |e| e.strength() + 1))
        });
        s.evidence_mix = shares
            .into_iter()
            .filter(|(_, v)| **v > 0.0 && total > 0.0)
            .map(|(k, v)| Mix {
                class: k.clone(),
                share: pct(v / total),
                width: (v / total * 1000.0).round() / 10.0,
                colour: hex(evidence_colour(Evidence::parse(k))),
            })
            .collect();
        let mut valued: Vec<&RoiRow> = roi.rows.iter().filter(|r| r.value.is_some()).collect();
        valued.sort_by(|a, b| b.net.unwrap_or(0.0).total_cmp(&a.net.unwrap_or(0.0)));
        s.top = valued.iter().take(3).map(|r| roi_line(input, r)).collect();
        let mut weak: Vec<&RoiRow> = roi.rows.iter().filter(|r| r.roi.is_some()).collect();
        weak.sort_by(|a, b| a.roi.unwrap_or(0.0).total_cmp(&b.roi.unwrap_or(0.0)));
        s.weak = weak
            .iter()
            .filter(|r| !s.top.iter().any(|t| t.id == r.use_case))
            .take(3)
            .map(|r| roi_line(input, r))
            .collect();
        let unmeasured: Vec<String> = roi
            .rows
            .iter()
            .filter(|r| {
                r.value.is_none() && r.cost > 0.0 && r.use_case != crate::analyses::roi::UNALLOCATED
            })
            .map(|r| format!("{} ({})", input.use_case_name(&r.use_case), r.use_case))
            .collect();
        if !unmeasured.is_empty() {
            s.warnings.push(format!(
                "{} carry cost but no measured value in the data: they lower the programme's ROI; their benefit has to be argued from their KPIs.",
                unmeasured.join(", ")
            ));
        }
        let free: Vec<String> = roi
            .rows
            .iter()
            .filter(|r| r.cost == 0.0 && r.value.is_some())
            .map(|r| r.use_case.clone())
            .collect();
        if !free.is_empty() {
            s.warnings.push(format!(
                "No cost is recorded for {}: their ROI is undefined, and the programme total counts their value without a cost.",
                free.join(", ")
            ));
        }
    }
    if let Some(rows) = input.attribution
        && let Some(cov) = rows.iter().find_map(|r| r.coverage)
        && cov < 0.95
    {
        s.warnings.push(format!(
            "{} of conversions had no tracked touch before them: attributed value rests on the {} that had one.",
            pct(1.0 - cov),
            pct(cov)
        ));
    }
    if let Some(v) = input
        .value("uc01.identity_match_rate", "all")
        .and_then(|v| v.value)
        && v < 0.95
    {
        s.warnings.push(format!(
            "{} of the people mentioning the brand could not be linked to a customer record: social selling and advocacy figures rest on the linked part only.",
            pct(1.0 - v)
        ));
    }
    if input.rejected > 0 {
        s.warnings.push(format!(
            "{} of {} input rows were set aside as invalid (see rejects/ and manifest.json).",
            number(input.rejected as f64),
            number(input.rows_read as f64)
        ));
    }
    if let Some(ex) = input.experiments {
        for x in ex.iter().filter(|x| x.label != "significant") {
            s.warnings.push(match x.label.as_str() {
                crate::analyses::experiments::BROKEN => format!(
                    "Experiment {} ({}): assignment broken, its arms do not match the designed split (sample-ratio test p < 0.001); its lift is not counted in the ROI.",
                    x.experiment_id, x.use_case
                ),
                crate::analyses::experiments::IN_FLIGHT => format!(
                    "Experiment {} ({}) is still running until {} and not conclusive yet: read its always-valid interval, not a daily p-value.",
                    x.experiment_id, x.use_case, x.dates.1
                ),
                _ => format!(
                    "Experiment {} ({}) is {}: its lift may be zero; the interval is shown with it.",
                    x.experiment_id, x.use_case, x.label
                ),
            });
        }
    }
    s
}

/// A ROI line as shown.
#[derive(Debug, Clone, Serialize)]
pub struct RoiLine {
    /// Use case id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Cost.
    pub cost: String,
    /// Value (or "not measured").
    pub value: String,
    /// Net.
    pub net: String,
    /// ROI (or "undefined").
    pub roi: String,
    /// "95 % interval a to b".
    pub interval: String,
    /// Payback.
    pub payback: String,
    /// Evidence class.
    pub evidence: String,
    /// Its colour.
    pub colour: String,
    /// Coverage.
    pub coverage: String,
}

/// The ROI line of a row.
pub fn roi_line(input: &ReportInput, r: &RoiRow) -> RoiLine {
    let c = &input.currency;
    let evidence = r
        .evidence
        .map_or_else(|| "not measured".into(), |e| e.as_str().to_string());
    RoiLine {
        id: r.use_case.clone(),
        name: input.use_case_name(&r.use_case),
        cost: money(r.cost, c),
        value: r
            .value
            .map_or_else(|| "not measured".into(), |v| money(v, c)),
        net: r.net.map_or_else(|| "–".into(), |v| money(v, c)),
        roi: r.roi.map_or_else(
            || {
                if r.cost == 0.0 && r.value.is_some() {
                    "undefined (no cost)".into()
                } else {
                    "–".into()
                }
            },
            pct,
        ),
        interval: match (r.roi_ci_low, r.roi_ci_high) {
            (Some(l), Some(h)) => format!("{} to {}", pct(l), pct(h)),
            _ => "–".into(),
        },
        payback: r
            .payback_months
            .filter(|_| r.cost > 0.0)
            .map_or_else(|| "–".into(), |m| format!("{} months", number(m))),
        colour: hex(evidence_colour(r.evidence)),
        evidence,
        coverage: r.coverage.map_or_else(|| "–".into(), pct),
    }
}

/// Evidence classes in words, strongest first.
pub fn evidence_legend() -> Vec<(String, String, String)> {
    Evidence::ALL
        .iter()
        .map(|e| {
            let colour = hex(evidence_colour(Some(*e)));
            (e.as_str().to_string(), colour, e.meaning().to_string())
        })
        .collect()
}

//! Which charts the report draws, from which results: ROI per use case with interval
//! whiskers (all, and per objective), each use case's monthly trend of its first line KPIs,
//! the social lead funnel, attribution credit per channel across models (top channels +
//! "other"), each breakdown's sorting KPI per value, experiment lift with its interval.

use super::charts::bars::{Grouped, HBar, HBars, VBars};
use super::charts::lines::Trend;
use super::charts::{Axis, ChartFile, PALETTE, evidence_colour, render};
use super::format::{month, number};
use super::page::ReportInput;
use crate::analyses::roi::{Evidence, RoiRow};
use crate::error::Result;
use std::path::Path;

fn evidence_legend(rows: &[&RoiRow]) -> Vec<(String, plotters::style::RGBColor)> {
    let mut classes: Vec<Evidence> = rows.iter().filter_map(|r| r.evidence).collect();
    classes.sort_unstable_by_key(|c| c.as_str());
    classes.dedup();
    classes
        .into_iter()
        .map(|c| (format!("evidence: {c}"), evidence_colour(Some(c))))
        .collect()
}

/// ROI bars of `rows` (those with a defined ROI), largest first.
pub(crate) fn roi_chart(
    input: &ReportInput,
    rows: &[&RoiRow],
    dir: &Path,
    group: &str,
    title: &str,
) -> Result<Option<ChartFile>> {
    let mut defined: Vec<&RoiRow> = rows.iter().copied().filter(|r| r.roi.is_some()).collect();
    if defined.is_empty() {
        return Ok(None);
    }
    defined.sort_by(|a, b| b.roi.unwrap_or(0.0).total_cmp(&a.roi.unwrap_or(0.0)));
    let plot = HBars {
        title: title.to_string(),
        axis: "ROI = (value − cost) / cost, % (whiskers: 95 % bootstrap interval)".into(),
        bars: defined
            .iter()
            .map(|r| HBar {
                label: format!("{} {}", r.use_case, input.use_case_name(&r.use_case)),
                value: r.roi.unwrap_or(0.0),
                interval: r.roi_ci_low.zip(r.roi_ci_high),
                colour: evidence_colour(r.evidence),
            })
            .collect(),
        legend: evidence_legend(&defined),
        unit: Axis::Percent,
    };
    render(&plot, title, dir, group, "roi").map(Some)
}

/// Monthly trends of the first `per_use_case` line KPIs of each use case of `objective`.
pub(crate) fn trends(
    input: &ReportInput,
    objective: &str,
    dir: &Path,
    per_use_case: usize,
) -> Result<Vec<ChartFile>> {
    let mut out = Vec::new();
    for q in input
        .queries
        .kpis
        .iter()
        .filter(|q| q.meta.objective == objective)
    {
        let line_kpis = q
            .meta
            .kpis
            .iter()
            .filter(|k| k.chart.as_deref() == Some("line") && k.dimension.is_none())
            .take(per_use_case);
        for k in line_kpis {
            let mut points: Vec<(String, Option<f64>)> = input
                .kpis
                .values
                .iter()
                .filter(|v| v.kpi == k.id && v.period != "all" && v.dimension.is_none())
                .map(|v| (v.period.clone(), v.value))
                .collect();
            if points.iter().all(|p| p.1.is_none()) {
                continue;
            }
            points.sort_by(|a, b| a.0.cmp(&b.0));
            let points = points.into_iter().map(|(p, v)| (month(&p), v)).collect();
            let (axis, unit) = match k.unit.as_str() {
                "ratio" | "share" | "rate" => ("%".to_string(), Axis::Percent),
                "currency" => (input.currency.clone(), Axis::Number),
                "count" => ("count".to_string(), Axis::Count),
                other => (other.to_string(), Axis::Number),
            };
            let title = format!("{} — {}", q.meta.use_case, k.name);
            let plot = Trend {
                title: title.clone(),
                axis,
                points,
                unit,
            };
            out.push(render(
                &plot,
                &title,
                dir,
                objective,
                &k.id.replace('.', "_"),
            )?);
        }
    }
    Ok(out)
}

/// Social leads → with an opportunity → won (UC08, window).
pub fn funnel(input: &ReportInput, dir: &Path) -> Result<Option<ChartFile>> {
    let (Some(leads), Some(rate), Some(won)) = (
        input.value("uc08.social_leads", "all"),
        input.value("uc08.lead_to_opportunity_rate", "all"),
        input.value("uc08.won_revenue", "all"),
    ) else {
        return Ok(None);
    };
    let n = leads.value.unwrap_or(0.0);
    let title = "Social lead funnel (UC08, whole window)";
    let plot = VBars {
        title: title.into(),
        axis: "count".into(),
        bars: vec![
            ("social leads".into(), n),
            (
                "with an opportunity".into(),
                (rate.value.unwrap_or(0.0) * n).round(),
            ),
            ("won".into(), won.n as f64),
        ],
        colour: PALETTE[0],
        value_label: number,
    };
    render(&plot, title, dir, "sales", "funnel").map(Some)
}

/// Credit per channel under every model (top 6 channels by the default model + "other").
pub fn attribution(input: &ReportInput, dir: &Path) -> Result<Option<ChartFile>> {
    let Some(rows) = input.attribution else {
        return Ok(None);
    };
    let totals = |model: &str| -> Vec<(String, f64)> {
        rows.iter()
            .filter(|r| r.model == model && r.use_case.is_none())
            .filter(|r| r.channel != crate::analyses::attribution::NO_TOUCH)
            .map(|r| (r.channel.clone(), r.conversions))
            .collect()
    };
    let top = super::shape::top_n_other(&totals(&input.default_model), 6)?;
    let groups: Vec<String> = top.iter().map(|t| t.0.clone()).collect();
    let mut models: Vec<&str> = rows.iter().map(|r| r.model.as_str()).collect();
    models.dedup();
    let series = models
        .iter()
        .map(|m| {
            let t = totals(m);
            let kept: f64 = t
                .iter()
                .filter(|(c, _)| groups.contains(c))
                .map(|x| x.1)
                .sum();
            let all: f64 = t.iter().map(|x| x.1).sum();
            let values = groups
                .iter()
                .map(|g| {
                    if g == "other" {
                        all - kept
                    } else {
                        t.iter().find(|(c, _)| c == g).map_or(0.0, |x| x.1)
                    }
                })
                .collect();
            (m.replace('_', " "), values)
        })
        .collect();
    let title = "Conversions credited per channel, by attribution model (tracked touches only)";
    let plot = Grouped {
        title: title.into(),
        axis: "credited conversions".into(),
        groups,
        series,
    };
    render(&plot, title, dir, "marketing", "attribution_by_channel").map(Some)
}

/// A breakdown's sorting KPI per dimension value, as bars (the rows the page shows first).
pub fn breakdown(
    input: &ReportInput,
    b: &super::breakdowns::Breakdown,
    objective: &str,
    dir: &Path,
) -> Result<Option<ChartFile>> {
    let k = &b.kpis[b.sorted_by];
    let bars: Vec<HBar> = b
        .rows
        .iter()
        .filter_map(|r| {
            Some(HBar {
                label: r.label.clone().unwrap_or_else(|| r.key.clone()),
                value: r.values[b.sorted_by]?,
                interval: None,
                colour: PALETTE[0],
            })
        })
        .take(super::page::breakdown::SHOWN)
        .collect();
    if bars.len() < 2 {
        return Ok(None);
    }
    let (axis, unit) = match k.unit.as_str() {
        "ratio" | "share" | "rate" => (format!("{}, %", k.name), Axis::Percent),
        "currency" => (format!("{}, {}", k.name, input.currency), Axis::Number),
        "count" => (k.name.clone(), Axis::Count),
        other => (format!("{}, {other}", k.name), Axis::Number),
    };
    let noun = b.noun();
    let title = if k.name.to_lowercase().contains(&format!("by {noun}")) {
        format!("{} — {}", b.use_case, k.name)
    } else {
        format!("{} — {} per {noun}", b.use_case, k.name)
    };
    let plot = HBars {
        title: title.clone(),
        axis,
        bars,
        legend: Vec::new(),
        unit,
    };
    let name = format!("{}_by_{}", k.id.replace('.', "_"), b.dimension);
    render(&plot, &title, dir, objective, &name).map(Some)
}

/// Conversion lift of the experiments of `objective`'s use cases, with 95 % intervals.
pub fn lift(input: &ReportInput, objective: &str, dir: &Path) -> Result<Option<ChartFile>> {
    let Some(ex) = input.experiments else {
        return Ok(None);
    };
    let mine: Vec<_> = ex
        .iter()
        .filter(|x| {
            input
                .catalogue
                .use_case(&x.use_case)
                .is_some_and(|u| u.objective == objective)
        })
        .filter(|x| x.lift.0.is_some())
        .collect();
    if mine.is_empty() {
        return Ok(None);
    }
    let title = "Holdout experiments: conversion lift";
    let plot = HBars {
        title: title.into(),
        axis:
            "treatment − control conversion rate, percentage points (whiskers: 95 % Wald interval)"
                .into(),
        bars: mine
            .iter()
            .map(|x| HBar {
                label: format!("{} {} ({})", x.experiment_id, x.use_case, x.label),
                value: x.lift.0.unwrap_or(0.0),
                interval: x.lift.1.zip(x.lift.2),
                colour: if x.label == "significant" {
                    evidence_colour(Some(Evidence::Experiment))
                } else {
                    PALETTE[7]
                },
            })
            .collect(),
        legend: vec![
            (
                "significant (p < 0.05)".into(),
                evidence_colour(Some(Evidence::Experiment)),
            ),
            ("not significant".into(), PALETTE[7]),
        ],
        unit: Axis::Points,
    };
    render(&plot, title, dir, objective, "experiment_lift").map(Some)
}

/// Discounted CLV per advocate and per other buyer (uc18.clv_*), with bootstrap intervals.
pub fn clv(input: &ReportInput, dir: &Path) -> Result<Option<ChartFile>> {
    let bars: Vec<HBar> = [
        ("uc18.clv_advocates", "advocates / VIP", PALETTE[2]),
        ("uc18.clv_others", "other customers", PALETTE[7]),
    ]
    .into_iter()
    .filter_map(|(kpi, label, colour)| {
        let v = input.value(kpi, "all")?;
        Some(HBar {
            label: format!("{label} (n = {})", v.n),
            value: v.value?,
            interval: v.ci_low.zip(v.ci_high),
            colour,
        })
    })
    .collect();
    if bars.is_empty() {
        return Ok(None);
    }
    let title = "Customer lifetime value: advocates against other customers";
    let plot = HBars {
        title: title.into(),
        axis: format!(
            "{} of expected margin per customer, discounted (whiskers: 95 % bootstrap interval)",
            input.currency
        ),
        bars,
        legend: Vec::new(),
        unit: Axis::Number,
    };
    render(&plot, title, dir, "customer_experience", "clv_advocates").map(Some)
}

/// The maturity radar: stage per dimension from the data, and the self-assessment.
pub fn maturity(input: &ReportInput, dir: &Path) -> Result<Option<ChartFile>> {
    let Some(m) = input.maturity else {
        return Ok(None);
    };
    let title = "Social Business maturity: stage per dimension (1–5)";
    let plot = super::charts::radar::Radar {
        title: title.into(),
        axes: m
            .dimensions
            .iter()
            .map(|d| (d.name.clone(), f64::from(d.stage), d.self_assessed))
            .collect(),
    };
    render(&plot, title, dir, "summary", "maturity_radar").map(Some)
}

/// One dumbbell chart per segment of the perception gap, reasons sorted by the gap.
pub fn perception(input: &ReportInput, dir: &Path) -> Result<Vec<(String, ChartFile)>> {
    let Some(p) = input.perception else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in &p.ranks {
        let mut rows: Vec<(String, f64, f64)> = p
            .gaps
            .iter()
            .filter(|g| g.segment_value == r.segment_value)
            .filter_map(|g| Some((g.reason.clone(), g.customer_share?, g.business_share?)))
            .collect();
        rows.sort_by(|a, b| (b.1 - b.2).total_cmp(&(a.1 - a.2)));
        let title = format!("Why they engage: {} = {}", r.segment_by, r.segment_value);
        let plot = super::charts::dumbbell::Dumbbell {
            title: title.clone(),
            rows,
            series: ("customers".into(), "the business believes".into()),
        };
        let name: String = r
            .segment_value
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        out.push((
            r.segment_value.clone(),
            render(&plot, &title, dir, "perception", &format!("gap_{name}"))?,
        ));
    }
    Ok(out)
}

/// Monthly contacts per channel, stacked, cheapest channels at the bottom.
pub fn channel_mix(input: &ReportInput, dir: &Path) -> Result<Option<ChartFile>> {
    let Some(rows) = input.channel_mix else {
        return Ok(None);
    };
    let mut months: Vec<&str> = rows
        .iter()
        .filter(|r| r.period != "all")
        .map(|r| r.period.as_str())
        .collect();
    months.sort_unstable();
    months.dedup();
    let mut channels: Vec<(&str, f64)> = rows
        .iter()
        .filter(|r| r.period == "all")
        .map(|r| (r.channel.as_str(), r.cost_per_contact.unwrap_or(f64::MAX)))
        .collect();
    channels.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    let series = channels
        .iter()
        .map(|(c, _)| {
            let values = months
                .iter()
                .map(|m| {
                    rows.iter()
                        .find(|r| r.period == *m && r.channel == *c)
                        .map_or(0.0, |r| r.contacts as f64)
                })
                .collect();
            (c.replace('_', " "), values)
        })
        .collect();
    let title = "Contacts per channel and month (cheapest channels at the bottom)";
    let plot = super::charts::area::Stacked {
        title: title.into(),
        axis: "contacts handled".into(),
        months: months.iter().map(|m| month(m)).collect(),
        series,
    };
    render(&plot, title, dir, "support", "channel_mix").map(Some)
}

/// Launch `launch_id` against its BSTS counterfactual, in three panels.
pub fn counterfactual(
    input: &ReportInput,
    launch_id: &str,
    objective: &str,
    dir: &Path,
) -> Result<Option<ChartFile>> {
    use super::charts::counterfactual::{Counterfactual, Point};
    use crate::analyses::impact::evaluate::BSTS;
    let Some(impact) = input.impact else {
        return Ok(None);
    };
    let Some(row) = impact
        .rows
        .iter()
        .find(|r| r.launch_id == launch_id && r.method == BSTS)
    else {
        return Ok(None);
    };
    let rows: Vec<_> = impact
        .series
        .iter()
        .filter(|s| s.launch_id == launch_id && s.method == BSTS)
        .collect();
    let Some(launch) = rows.iter().position(|s| s.post) else {
        return Ok(None);
    };
    let scope = match (&row.scope_dimension, &row.scope_value) {
        (Some(d), Some(v)) => format!(" in {d} {v}"),
        _ => String::new(),
    };
    let title = format!(
        "{} {}: {}{scope} against the counterfactual",
        row.launch_id,
        row.use_case,
        row.outcome.replace('_', " ")
    );
    let plot = Counterfactual {
        title: title.clone(),
        outcome: format!("{} per period", row.outcome.replace('_', " ")),
        // An outcome that is whole numbers in every period is a count: whole ticks only.
        unit: if rows.iter().all(|s| s.actual.fract() == 0.0) {
            Axis::Count
        } else {
            Axis::Number
        },
        points: rows
            .iter()
            .map(|s| Point {
                label: s.period.format("%d %b").to_string(),
                actual: s.actual,
                counterfactual: s.counterfactual,
                band: s.counterfactual_low.zip(s.counterfactual_high),
                cumulative: s
                    .cumulative_effect
                    .map(|c| (c, s.cumulative_low.zip(s.cumulative_high))),
            })
            .collect(),
        launch,
    };
    let name = format!(
        "launch_{}",
        launch_id.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    render(&plot, &title, dir, objective, &name).map(Some)
}

//! Everything a run writes: result tables, rejects, the manifest, and the CMO report
//! (`index.html`, charts as PNG + SVG under `charts/<objective>/`, `report.xlsx`). This
//! module never runs queries; it receives results.

pub mod breakdowns;
pub mod charts;
pub mod figures;
pub mod format;
pub mod html;
pub mod kpi_values;
pub mod manifest;
pub mod noise;
pub mod page;
pub mod pdf;
pub mod pseudonym;
pub mod shape;
pub mod writer;
pub mod xlsx;

use crate::analyses::roi::RoiRow;
use crate::error::Result;
use charts::ChartFile;
use page::{Page, ReportInput, Section, UseCaseView};
use std::path::Path;

/// Writes `index.html`, the charts and `report.xlsx` into `run_dir`; returns the files.
pub(crate) fn write_report(input: &ReportInput, run_dir: &Path) -> Result<Vec<String>> {
    let overview = shape::overview(&input.kpis.values)?;
    let mut files = Vec::new();
    let roi_rows: Vec<&RoiRow> = input
        .roi
        .map(|r| r.rows.iter().collect())
        .unwrap_or_default();
    let roi_chart = figures::roi_chart(
        input,
        &roi_rows,
        run_dir,
        "summary",
        "Return on investment per use case",
    )?;
    let all_breakdowns = breakdowns::breakdowns(input)?;
    let mut missing = page::missing(input);
    let mut sections = Vec::new();
    for objective in &input.catalogue.objectives {
        let in_objective = |uc: &str| {
            input
                .catalogue
                .use_case(uc)
                .is_some_and(|u| u.objective == objective.id && !u.hidden)
        };
        let mine: Vec<&RoiRow> = roi_rows
            .iter()
            .copied()
            .filter(|r| in_objective(&r.use_case))
            .collect();
        let mut charts = Vec::new();
        if mine.iter().filter(|r| r.roi.is_some()).count() > 1 {
            charts.extend(figures::roi_chart(
                input,
                &mine,
                run_dir,
                &objective.id,
                &format!("{}: return on investment", objective.name),
            )?);
        }
        match objective.id.as_str() {
            "marketing" => charts.extend(figures::attribution(input, run_dir)?),
            "sales" => charts.extend(figures::funnel(input, run_dir)?),
            "support" => charts.extend(figures::channel_mix(input, run_dir)?),
            "customer_experience" => charts.extend(figures::clv(input, run_dir)?),
            _ => {}
        }
        charts.extend(figures::lift(input, &objective.id, run_dir)?);
        charts.extend(figures::trends(input, &objective.id, run_dir, 2)?);
        let use_cases: Vec<UseCaseView> = input
            .queries
            .kpis
            .iter()
            .filter(|q| q.meta.objective == objective.id && in_objective(&q.meta.use_case))
            .map(|q| {
                let breakdowns = all_breakdowns
                    .iter()
                    .filter(|b| b.use_case == q.meta.use_case)
                    .map(|b| {
                        let chart = figures::breakdown(input, b, &objective.id, run_dir)?;
                        Ok(page::breakdown::view(input, b, chart))
                    })
                    .collect::<Result<Vec<_>>>()?;
                let launches = page::launches::launches(input, &q.meta.use_case, |id| {
                    figures::counterfactual(input, id, &objective.id, run_dir)
                })?;
                Ok(UseCaseView {
                    id: q.meta.use_case.clone(),
                    name: input.use_case_name(&q.meta.use_case),
                    kpis: page::kpi_lines(input, &q.meta.use_case, &overview),
                    reading: q.meta.reading.clone(),
                    breakdowns,
                    launches,
                    experiments: page::experiments::experiments(input, &q.meta.use_case),
                    plan: page::plans::plan(input, &q.meta.use_case),
                })
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|u| !u.kpis.is_empty())
            .collect();
        let section = Section {
            id: objective.id.clone(),
            name: objective.name.clone(),
            roi: mine.iter().map(|r| page::roi_line(input, r)).collect(),
            models: page::models::models(input, &objective.id),
            use_cases,
            missing: missing.remove(&objective.id).unwrap_or_default(),
            charts,
        };
        if !section.use_cases.is_empty() || !section.missing.is_empty() {
            sections.push(section);
        }
    }
    let perception = page::perception(input, figures::perception(input, run_dir)?);
    let maturity = page::maturity(input, figures::maturity(input, run_dir)?);
    let perception_charts = perception
        .iter()
        .flat_map(|p| p.segments.iter().filter_map(|s| s.chart.as_ref()));
    let breakdown_charts = sections
        .iter()
        .flat_map(|s| &s.use_cases)
        .flat_map(|u| &u.breakdowns)
        .filter_map(|b| b.chart.as_ref());
    let launch_charts: Vec<ChartFile> = sections
        .iter()
        .flat_map(|s| &s.use_cases)
        .flat_map(|u| &u.launches)
        .filter_map(|l| l.chart.clone())
        .collect();
    for c in roi_chart
        .iter()
        .chain(sections.iter().flat_map(|s| &s.charts))
        .chain(breakdown_charts)
        .chain(launch_charts.iter())
        .chain(perception_charts)
        .chain(maturity.iter().filter_map(|m| m.chart.as_ref()))
    {
        files.push(c.png.clone());
        files.push(c.svg_file.clone());
    }
    let page = Page {
        period: format!("{} to {}", input.window.0, input.window.1),
        as_of: input.as_of.clone(),
        generator: format!("misura {}", env!("CARGO_PKG_VERSION")),
        currency: input.currency.clone(),
        paper: page::paper(&input.currency),
        banners: page::banners(input),
        summary: page::summary(input),
        roi: roi_rows.iter().map(|r| page::roi_line(input, r)).collect(),
        roi_chart,
        sections,
        perception,
        maturity,
        evidence_legend: page::evidence_legend(),
        method: method(input),
        recovery: page::recovery(input),
    };
    html::write(&page, run_dir)?;
    files.push("index.html".into());
    xlsx::write(input, &overview, &all_breakdowns, run_dir)?;
    files.push("report.xlsx".into());
    Ok(files)
}

fn method(input: &ReportInput) -> Vec<String> {
    let mut out = vec![
        format!(
            "Period: {} to {} (both days included); KPIs exactly as defined in docs/spec/kpis.md; months are calendar months, and by default the period ends with the last whole month before the as-of day (when it ends inside a month, \"Read with care\" says so).",
            input.window.0, input.window.1
        ),
        format!(
            "Cost: programme costs prorated to the period by days; shared costs allocated `{}`.",
            input.allocation
        ),
        format!(
            "Value: margin credited by the `{}` attribution model, or a holdout experiment's incremental margin where one exists; support savings from ticket and community logs; realised value of implemented ideas; customers kept by rapid response (UC03) and seamless service (UC17), valued at their lifetime value — a with/without comparison, hence `correlation` evidence.",
            input.default_model
        ),
        "Customer lifetime value: BG/NBD (Fader, Hardie & Lee 2005) for repeat purchases and dropout and Gamma-Gamma for spend, fitted on the period's orders; expected margin over the horizon, discounted month by month.".to_string(),
        format!(
            "Intervals: 95 % percentile bootstrap with {} replicates, seed {} (contacts, tickets, threads and ideas resampled; costs fixed). A result with p ≥ 0.05 is labelled not significant.",
            input.bootstrap.0, input.bootstrap.1
        ),
    ];
    if input.experiments.is_some_and(|x| !x.is_empty()) {
        out.push("Experiments: a holdout's lift with its 95 % interval (Wald for rates, Welch for revenue), and the same adjusted for each contact's outcome over a pre-period as long as the test (CUPED, Deng et al. 2013), which the ROI uses. A test still running is read on its always-valid interval (the mixture sequential test of Johari et al. 2017), which stays correct however often it is checked; a daily fixed-horizon p-value would cry wolf far more often than 5 %. A test whose arms do not match the designed split (chi-square sample-ratio test, p < 0.001) is labelled assignment broken and not counted.".to_string());
    }
    if input.plans.is_some_and(|p| !p.is_empty()) {
        out.push("What it would take to prove it: for each use case whose value rests on attribution, correlation, self-reported figures or a counterfactual, the holdout of contacts that would measure it, planned on its own contacts (their 28-day conversion or churn rate, the contacts that become eligible each week, and how much of the variance their previous 28 days explain), for a two-sided test at 5 % with 80 % power (pooled two-proportion z-test).".to_string());
    }
    if input.impact.is_some_and(|i| !i.rows.is_empty()) {
        out.push("Launches: each launch's outcome in whole weeks against a counterfactual — a Bayesian structural time series as R CausalImpact fits it (Brodersen et al. 2015; local level and a spike-and-slab regression on the same outcome where the launch was not), with a synthetic control over those scopes (Abadie, Diamond & Hainmueller 2010) as a cross-check. A fake launch inside the pre-period tests each; one whose checks fail is not assessable and not counted. An assessable one replaces, in the ROI, the attributed margin or logged savings its use case names, as quasi-experiment evidence: cause without a holdout, resting on the assumption that nothing else changed where and when it launched.".to_string());
    }
    out
}

//! `report.xlsx` for people who live in spreadsheets: a Summary sheet with the ROI of every
//! use case, and one sheet per business objective with its KPIs (whole period, last month,
//! month before, change) and their monthly values pivoted wide (polars). Figures are numbers
//! with number formats, not text, so they can be recomputed.

use super::breakdowns::Breakdown;
use super::format::Change;
use super::page::ReportInput;
use super::shape::{KpiOverview, monthly_wide};
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

fn x(e: XlsxError) -> Error {
    Error::report("report.xlsx", e)
}

fn opt(ws: &mut Worksheet, row: u32, col: u16, v: Option<f64>, f: &Format) -> Result<()> {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        ws.write_number_with_format(row, col, v, f).map_err(x)?;
    }
    Ok(())
}

/// A bold header row.
fn header(ws: &mut Worksheet, row: u32, names: &[&str], bold: &Format) -> Result<()> {
    for (c, h) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, bold)
            .map_err(x)?;
    }
    Ok(())
}

/// A worksheet name Excel accepts (≤ 31 characters, none of `[]:*?/\`).
fn sheet_name(name: &str) -> String {
    name.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

/// The number format of a KPI unit: ratios as percentages, amounts with cents, counts as
/// whole numbers, durations and scores with two decimals (never a bare trailing point).
fn format_of(unit: &str) -> Format {
    match unit {
        "ratio" | "share" | "rate" => Format::new().set_num_format("0.0%"),
        "currency" => Format::new().set_num_format("#,##0.00"),
        "count" => Format::new().set_num_format("#,##0"),
        _ => Format::new().set_num_format("#,##0.00"),
    }
}

/// Writes `report.xlsx` into `run_dir`.
pub fn write(
    input: &ReportInput,
    overview: &[KpiOverview],
    breakdowns: &[Breakdown],
    run_dir: &Path,
) -> Result<()> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    summary_sheet(&mut wb, input, &f)?;
    for objective in &input.catalogue.objectives {
        objective_sheet(&mut wb, input, overview, objective, &f)?;
    }
    for b in breakdowns {
        breakdown_sheet(&mut wb, input, b, &f)?;
    }
    if let Some(roi) = input.roi.filter(|r| !r.by_model.is_empty()) {
        by_model_sheet(&mut wb, input, &roi.by_model, &f)?;
    }
    let path = run_dir.join("report.xlsx");
    wb.save(&path).map_err(x)
}

/// The number formats of the workbook.
struct Formats {
    bold: Format,
    money: Format,
    ratio: Format,
    points: Format,
    plain: Format,
    whole: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            bold: Format::new().set_bold(),
            money: Format::new().set_num_format("#,##0"),
            ratio: Format::new().set_num_format("0.0%"),
            points: Format::new().set_num_format("0.0 \"pp\""),
            // As format::number writes it: 2 decimals below 1, 1 below 100, none above.
            plain: Format::new().set_num_format("[<1]0.00;[<100]0.0;#,##0"),
            whole: Format::new().set_num_format("#,##0"),
        }
    }
}

/// The Summary sheet: the page's banners, the ROI of every use case and the programme total.
fn summary_sheet(wb: &mut Workbook, input: &ReportInput, fm: &Formats) -> Result<()> {
    let Formats {
        bold,
        money,
        ratio,
        plain,
        ..
    } = fm;
    let ws = wb.add_worksheet();
    ws.set_name("Summary").map_err(x)?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "ROI per use case, {} to {} ({})",
            input.window.0, input.window.1, input.currency
        ),
        bold,
    )
    .map_err(x)?;
    // The page's banners (a failed run, demo data) in the row above the table.
    let banners: Vec<String> = super::page::banners(input)
        .into_iter()
        .map(|b| format!("{}: {}", b.title, b.lines.join(" ")))
        .collect();
    if !banners.is_empty() {
        ws.write_string_with_format(1, 0, banners.join(" | "), bold)
            .map_err(x)?;
    }
    let head = [
        "use case",
        "name",
        "objective",
        "cost",
        "value",
        "net",
        "roi",
        "roi 95% low",
        "roi 95% high",
        "payback months",
        "evidence",
        "coverage",
        "n",
    ];
    header(ws, 2, &head, bold)?;
    if let Some(roi) = input.roi {
        for (i, r) in roi.rows.iter().enumerate() {
            let row = 3 + i as u32;
            ws.write_string(row, 0, &r.use_case).map_err(x)?;
            ws.write_string(row, 1, input.use_case_name(&r.use_case))
                .map_err(x)?;
            ws.write_string(row, 2, r.objective.clone().unwrap_or_default())
                .map_err(x)?;
            opt(ws, row, 3, Some(r.cost), money)?;
            opt(ws, row, 4, r.value, money)?;
            opt(ws, row, 5, r.net, money)?;
            opt(ws, row, 6, r.roi, ratio)?;
            opt(ws, row, 7, r.roi_ci_low, ratio)?;
            opt(ws, row, 8, r.roi_ci_high, ratio)?;
            // As on the page: no payback without a cost.
            opt(ws, row, 9, r.payback_months.filter(|_| r.cost > 0.0), plain)?;
            ws.write_string(row, 10, r.evidence.map_or("", |e| e.as_str()))
                .map_err(x)?;
            opt(ws, row, 11, r.coverage, ratio)?;
            opt(ws, row, 12, Some(r.n as f64), &fm.whole)?;
        }
        // The programme total, as the page's executive summary gives it.
        let row = 3 + roi.rows.len() as u32;
        let t = &roi.total;
        ws.write_string_with_format(row, 0, "total", bold)
            .map_err(x)?;
        ws.write_string_with_format(row, 1, "The programme", bold)
            .map_err(x)?;
        opt(ws, row, 3, Some(t.cost), money)?;
        opt(ws, row, 4, Some(t.value), money)?;
        opt(ws, row, 5, Some(t.value - t.cost), money)?;
        opt(ws, row, 6, t.roi, ratio)?;
        opt(ws, row, 7, t.roi_ci_low, ratio)?;
        opt(ws, row, 8, t.roi_ci_high, ratio)?;
        opt(ws, row, 9, t.payback_months, plain)?;
        ws.autofilter(2, 0, row - 1, head.len() as u16 - 1)
            .map_err(x)?;
    }
    ws.set_freeze_panes(3, 1).map_err(x)?;
    ws.set_column_width(1, 34).map_err(x)?;
    ws.set_column_width(2, 20).map_err(x)?;
    Ok(())
}

/// One objective's sheet: its KPIs (whole period, last month, month before, change) and
/// their monthly values pivoted wide. No sheet for an objective without queries.
fn objective_sheet(
    wb: &mut Workbook,
    input: &ReportInput,
    overview: &[KpiOverview],
    objective: &crate::kpi::use_cases::Objective,
    fm: &Formats,
) -> Result<()> {
    let Formats {
        bold,
        ratio,
        points,
        ..
    } = fm;
    let queries: Vec<_> = input
        .queries
        .kpis
        .iter()
        .filter(|q| q.meta.objective == objective.id)
        .collect();
    if queries.is_empty() {
        return Ok(());
    }
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&objective.name)).map_err(x)?;
    let head = [
        "use case",
        "kpi",
        "name",
        "unit",
        "whole period",
        "last month",
        "value",
        "month before",
        "change",
        "what it tells you",
    ];
    header(ws, 0, &head, bold)?;
    let mut row = 1;
    let mut ids = Vec::new();
    for q in &queries {
        for k in &q.meta.kpis {
            let Some(o) = overview.iter().find(|o| o.kpi == k.id) else {
                continue;
            };
            let f = format_of(&k.unit);
            ws.write_string(row, 0, &q.meta.use_case).map_err(x)?;
            ws.write_string(row, 1, &k.id).map_err(x)?;
            ws.write_string(row, 2, &k.name).map_err(x)?;
            ws.write_string(row, 3, &k.unit).map_err(x)?;
            opt(ws, row, 4, o.window, &f)?;
            ws.write_string(row, 5, o.month.clone().unwrap_or_default())
                .map_err(x)?;
            opt(ws, row, 6, o.current, &f)?;
            opt(ws, row, 7, o.previous, &f)?;
            // The change as the page shows it: points, per cent or a difference.
            match Change::of(&k.unit, o.current, o.previous) {
                Some(Change::Points(d)) => opt(ws, row, 8, Some(d * 100.0), points)?,
                Some(Change::Relative(r)) => opt(ws, row, 8, Some(r), ratio)?,
                Some(Change::Difference(d)) => opt(ws, row, 8, Some(d), &f)?,
                None => {}
            }
            ws.write_string(row, 9, k.plain.as_deref().unwrap_or_default())
                .map_err(x)?;
            ids.push(k.id.as_str());
            row += 1;
        }
    }
    ws.set_column_width(2, 40).map_err(x)?;
    ws.set_column_width(9, 60).map_err(x)?;
    ws.set_freeze_panes(1, 3).map_err(x)?;
    if row > 1 {
        ws.autofilter(0, 0, row - 1, head.len() as u16 - 1)
            .map_err(x)?;
    }
    // How to read figures that answer different questions, as under the use case on the page.
    for q in &queries {
        for r in &q.meta.reading {
            row += 1;
            ws.write_string(row, 0, &q.meta.use_case).map_err(x)?;
            ws.write_string(row, 2, r).map_err(x)?;
        }
    }
    // Monthly values, pivoted wide.
    let wide = monthly_wide(&input.kpis.values, &ids)?;
    row += 2;
    ws.write_string_with_format(row, 0, "monthly values", bold)
        .map_err(x)?;
    row += 1;
    // Each row in its KPI's unit (a monthly ratio reads 12.5 %, as on the page).
    let kpi_of_row = wide
        .column("kpi")
        .and_then(|c| c.str().cloned())
        .map_err(|e| Error::report("report.xlsx", e))?;
    let row_format: Vec<Format> = (0..wide.height())
        .map(|i| {
            let id = kpi_of_row.get(i).unwrap_or_default();
            format_of(input.meta(id).as_ref().map_or("count", |m| m.unit.as_str()))
        })
        .collect();
    for (c, col) in wide.columns().iter().enumerate() {
        ws.write_string_with_format(row, c as u16, col.name().as_str(), bold)
            .map_err(x)?;
        for (i, format) in row_format.iter().enumerate() {
            let cell = row + 1 + i as u32;
            match col.f64() {
                Ok(v) => opt(ws, cell, c as u16, v.get(i), format)?,
                Err(_) => {
                    let s = col.str().map_err(|e| Error::report("report.xlsx", e))?;
                    ws.write_string(cell, c as u16, s.get(i).unwrap_or_default())
                        .map_err(x)?;
                }
            }
        }
    }
    Ok(())
}

/// One breakdown's sheet ("UC04 per campaign"): every dimension value (the page folds all
/// but the first rows), its name, each KPI in its unit, the `n` of the sorting KPI, then
/// the total; headers frozen, a filter on the table.
fn breakdown_sheet(
    wb: &mut Workbook,
    input: &ReportInput,
    b: &Breakdown,
    fm: &Formats,
) -> Result<()> {
    let Formats { bold, whole, .. } = fm;
    let noun = b.noun();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&format!("{} per {noun}", b.use_case)))
        .map_err(x)?;
    let sorting = &b.kpis[b.sorted_by];
    ws.write_string_with_format(
        0,
        0,
        format!(
            "{} {} per {noun}, {} to {}, sorted by {} (largest first)",
            b.use_case,
            input.use_case_name(&b.use_case),
            input.window.0,
            input.window.1,
            sorting.name
        ),
        bold,
    )
    .map_err(x)?;
    let n_head = format!("n ({})", sorting.name);
    let mut head: Vec<&str> = vec![noun.as_str(), "name"];
    head.extend(b.kpis.iter().map(|k| k.name.as_str()));
    head.push(&n_head);
    header(ws, 1, &head, bold)?;
    let formats: Vec<Format> = b.kpis.iter().map(|k| format_of(&k.unit)).collect();
    let mut row = 2;
    for r in &b.rows {
        ws.write_string(row, 0, &r.key).map_err(x)?;
        ws.write_string(row, 1, r.label.as_deref().unwrap_or_default())
            .map_err(x)?;
        for (i, v) in r.values.iter().enumerate() {
            opt(ws, row, 2 + i as u16, *v, &formats[i])?;
        }
        opt(
            ws,
            row,
            2 + b.kpis.len() as u16,
            r.n.map(|n| n as f64),
            whole,
        )?;
        row += 1;
    }
    ws.autofilter(1, 0, row - 1, head.len() as u16 - 1)
        .map_err(x)?;
    if b.total.iter().any(Option::is_some) {
        ws.write_string_with_format(row, 0, format!("all {noun}s"), bold)
            .map_err(x)?;
        for (i, v) in b.total.iter().enumerate() {
            opt(ws, row, 2 + i as u16, *v, &formats[i])?;
        }
    }
    ws.set_freeze_panes(2, 2).map_err(x)?;
    ws.set_column_width(1, 34).map_err(x)?;
    Ok(())
}

/// `ROI by model`: each attributed use case under every attribution model, as the page's
/// "How much the attribution model matters" tables.
fn by_model_sheet(
    wb: &mut Workbook,
    input: &ReportInput,
    rows: &[crate::analyses::roi::by_model::ModelRoi],
    fm: &Formats,
) -> Result<()> {
    let Formats {
        bold, money, ratio, ..
    } = fm;
    let ws = wb.add_worksheet();
    ws.set_name("ROI by model").map_err(x)?;
    ws.write_string_with_format(
        0,
        0,
        "ROI of each attributed use case under every attribution model (cost and other value held; the default's is the ROI of the Summary)",
        bold,
    )
    .map_err(x)?;
    let head = [
        "use case",
        "name",
        "model",
        "default",
        "attributed margin",
        "value",
        "roi",
        "why no figure",
    ];
    header(ws, 1, &head, bold)?;
    for (i, r) in rows.iter().enumerate() {
        let row = 2 + i as u32;
        ws.write_string(row, 0, &r.use_case).map_err(x)?;
        ws.write_string(row, 1, input.use_case_name(&r.use_case))
            .map_err(x)?;
        ws.write_string(row, 2, &r.model).map_err(x)?;
        ws.write_boolean(row, 3, r.default).map_err(x)?;
        opt(ws, row, 4, r.attributed_margin, money)?;
        opt(ws, row, 5, r.value, money)?;
        opt(ws, row, 6, r.roi, ratio)?;
        ws.write_string(row, 7, r.problem.as_deref().unwrap_or_default())
            .map_err(x)?;
    }
    ws.autofilter(1, 0, 1 + rows.len() as u32, head.len() as u16 - 1)
        .map_err(x)?;
    ws.set_freeze_panes(2, 2).map_err(x)?;
    ws.set_column_width(1, 34).map_err(x)?;
    Ok(())
}

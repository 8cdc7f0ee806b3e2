//! `misura diff RUN_A RUN_B`: what changed between two runs and why.

use crate::error::{Error, Result};
use crate::ops::diff::{self, Diff, ValueChange};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// The exit code when the two runs cannot be compared.
pub(crate) const NOT_COMPARABLE: u8 = 5;

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Aligned text.
    Table,
    /// One JSON document.
    Json,
    /// Markdown (for a ticket or a chat).
    Markdown,
}

/// Arguments of `misura diff`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The earlier run folder (e.g. reports/2026-11-21)
    run_a: PathBuf,
    /// The later run folder (e.g. reports/latest)
    run_b: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Values listed at most (0: all)
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

fn shown(v: Option<f64>) -> String {
    v.map_or_else(
        || "–".into(),
        |x| {
            format!("{x:.6}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        },
    )
}

fn what(v: &ValueChange) -> String {
    let mut s = match v.kind {
        "roi" => format!("ROI {}", v.id),
        _ => v.id.clone(),
    };
    if !v.period.is_empty() {
        s.push_str(&format!(" [{}]", v.period));
    }
    if !v.breakdown.is_empty() {
        s.push_str(&format!(" {}", v.breakdown));
    }
    s
}

fn z_text(v: &ValueChange) -> String {
    v.z.map_or_else(|| "?".into(), |z| format!("{z:.1}"))
}

/// The lines of the report, as (section, rows); each row's cells.
fn sections(d: &Diff, limit: usize) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let opt = |x: &Option<String>| x.clone().unwrap_or_else(|| "(absent)".into());
    let short = |x: &Option<String>| {
        x.as_ref().map_or_else(
            || "(absent)".into(),
            |s| s.chars().take(12).collect::<String>(),
        )
    };
    let rows = |x: Option<u64>| x.map_or_else(|| "(absent)".into(), |n| n.to_string());
    let mut out = Vec::new();
    out.push((
        format!("inputs: {} changed", d.inputs.len()),
        vec![
            "table".into(),
            "rows A".into(),
            "rows B".into(),
            "sha256 A".into(),
            "sha256 B".into(),
        ],
        d.inputs
            .iter()
            .map(|i| {
                vec![
                    i.table.clone(),
                    rows(i.rows.0),
                    rows(i.rows.1),
                    short(&i.sha256.0),
                    short(&i.sha256.1),
                ]
            })
            .collect(),
    ));
    out.push((
        format!("parameters: {} changed", d.parameters.len()),
        vec!["parameter".into(), "A".into(), "B".into()],
        d.parameters
            .iter()
            .map(|p| vec![p.name.clone(), opt(&p.values.0), opt(&p.values.1)])
            .collect(),
    ));
    out.push((
        format!("query files: {} changed", d.queries.len()),
        vec!["file".into(), "sha256 A".into(), "sha256 B".into()],
        d.queries
            .iter()
            .map(|q| vec![q.name.clone(), short(&q.values.0), short(&q.values.1)])
            .collect(),
    ));
    let shown_values: Vec<&ValueChange> = if limit == 0 {
        d.values.iter().collect()
    } else {
        d.values.iter().take(limit).collect()
    };
    out.push((
        format!(
            "values: {} moved, furthest beyond noise first (z = standard errors of noise; ? = noise not known){}",
            d.values.len(),
            if shown_values.len() < d.values.len() {
                format!("; the first {} (--limit 0 for all)", shown_values.len())
            } else {
                String::new()
            }
        ),
        vec!["z".into(), "value".into(), "A".into(), "B".into()],
        shown_values
            .iter()
            .map(|v| vec![z_text(v), what(v), shown(v.values.0), shown(v.values.1)])
            .collect(),
    ));
    out
}

fn table(d: &Diff, limit: usize) -> String {
    let mut s = format!(
        "misura diff {} ({}) → {} ({})\n",
        d.runs.0, d.as_of.0, d.runs.1, d.as_of.1
    );
    for (title, header, rows) in sections(d, limit) {
        s.push_str(&format!("\n{title}\n"));
        if rows.is_empty() {
            continue;
        }
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        for r in std::iter::once(&header).chain(&rows) {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
                .collect();
            s.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        }
    }
    s
}

fn markdown(d: &Diff, limit: usize) -> String {
    let mut s = format!(
        "## misura diff: {} ({}) → {} ({})\n",
        d.runs.0, d.as_of.0, d.runs.1, d.as_of.1
    );
    for (title, header, rows) in sections(d, limit) {
        s.push_str(&format!("\n**{title}**\n"));
        if rows.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "\n| {} |\n|{}|\n",
            header.join(" | "),
            vec!["---"; header.len()].join("|")
        ));
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
    }
    s
}

/// Runs `misura diff`.
pub(crate) fn execute(args: DiffArgs) -> Result<u8> {
    let read = |p: &PathBuf| diff::read::read(p);
    let (a, b) = match (read(&args.run_a), read(&args.run_b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(exit_code = NOT_COMPARABLE, "not comparable: {e}");
            return Ok(NOT_COMPARABLE);
        }
    };
    if let Err(e) = diff::comparable(&a, &b) {
        tracing::error!(exit_code = NOT_COMPARABLE, "not comparable: {e}");
        return Ok(NOT_COMPARABLE);
    }
    let queries = crate::kpi::load::QuerySet::builtin()?;
    let metas = queries
        .kpis
        .iter()
        .flat_map(|q| q.meta.kpis.iter())
        .map(|k| (k.id.clone(), k.clone()))
        .collect();
    let names = (
        args.run_a.display().to_string(),
        args.run_b.display().to_string(),
    );
    let d = diff::diff((&names.0, &names.1), &a, &b, &metas);
    let text = if d.is_empty() && !matches!(args.format, Format::Json) {
        format!(
            "nothing changed between {} and {}: the same inputs, parameters and query files, and every KPI and ROI value is equal",
            names.0, names.1
        )
    } else {
        match args.format {
            Format::Json => serde_json::to_string_pretty(&d).map_err(|e| Error::Usage {
                problem: format!("diff: {e}"),
            })?,
            Format::Table => table(&d, args.limit),
            Format::Markdown => markdown(&d, args.limit),
        }
    };
    super::output::line(text.trim_end())?;
    Ok(0)
}

//! The KPI reference, `docs/kpi-reference.md`, generated from the sidecars (a test keeps the
//! file equal to what this renders): every use case by objective with the tables it needs,
//! every KPI with its unit, breakdown, formula and what computes it, and the output schema of
//! every model query.

use crate::kpi::load::QuerySet;
use crate::kpi::use_cases::UseCases;
use std::fmt::Write;

/// Where the reference lives, from the repository root.
pub const PATH: &str = "docs/kpi-reference.md";

/// A table cell: pipes escaped, never empty.
fn cell(s: &str) -> String {
    if s.is_empty() {
        "–".into()
    } else {
        s.replace('|', "\\|")
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "–".into()
    } else {
        items
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The whole reference.
pub fn render_markdown(queries: &QuerySet, catalogue: &UseCases) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# KPI reference\n\n<!-- Generated from the query sidecars by src/kpi/reference.rs; regenerate with\n     MISURA_BLESS=1 cargo test kpi_reference. Do not edit by hand. -->\n\n\
         Every KPI misura computes, by business objective and use case, exactly as its sidecar\n\
         (`queries/<objective>/<query>.toml`) declares it. Each KPI is written to `kpi_values` for\n\
         the whole window (period `all`) and each calendar month, with `n` (the units behind the\n\
         value) and, where the formula says so, a 95 % interval. A KPI whose tables are absent is\n\
         listed as not measurable, never reported as 0. The definitions behind the formulas are in\n\
         [spec/kpis.md](spec/kpis.md); how the query files are written is in\n\
         [queries/README.md](../queries/README.md).\n"
    );
    for objective in &catalogue.objectives {
        let _ = writeln!(out, "## {}\n", objective.name);
        for uc in catalogue
            .use_cases
            .iter()
            .filter(|u| u.objective == objective.id)
        {
            for q in queries.kpis.iter().filter(|q| q.meta.use_case == uc.id) {
                let m = &q.meta;
                let provisional = if m.provisional {
                    " (name provisional: ours, not the source's)"
                } else {
                    ""
                };
                let _ = writeln!(out, "### {} {}{provisional}\n", m.use_case, m.name);
                let _ = writeln!(out, "{}\n", m.description);
                let _ = writeln!(
                    out,
                    "- query: `{}`\n- grain: {}\n- needs: {}\n",
                    q.file,
                    m.grain,
                    list(&m.requires)
                );
                out.push_str(
                    "| id | name | in plain words | unit | breakdown | also needs | formula |\n|---|---|---|---|---|---|---|\n",
                );
                for k in &m.kpis {
                    let by = k
                        .computed_by
                        .as_ref()
                        .map(|s| format!(" Computed by the `{s}` stage, not SQL."))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} | {} | {} | {} | {}{by} |",
                        k.id,
                        cell(&k.name),
                        cell(k.plain.as_deref().unwrap_or("–")),
                        k.unit,
                        k.dimension
                            .as_deref()
                            .map_or("–".into(), |d| format!("`{d}`")),
                        list(&k.requires),
                        cell(&k.formula)
                    );
                }
                out.push('\n');
            }
        }
    }
    out.push_str(
        "## Model queries\n\nInputs of the statistics computed in Rust (attribution, experiments, ROI, CLV, maturity,\nperception gap, channel mix), not KPIs. Each output is checked against this schema on every run.\n\n",
    );
    for m in &queries.models {
        let _ = writeln!(
            out,
            "### `{}`\n\n{}\n\n| column | kind | meaning |\n|---|---|---|",
            m.query.file,
            cell(&m.output.grain)
        );
        for c in &m.output.columns {
            let _ = writeln!(out, "| `{}` | {:?} | {} |", c.name, c.kind, cell(&c.doc));
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

//! Renders the canonical model as Markdown. `datasets/README.md` embeds this text between
//! markers, and a test fails when the two disagree (`MISURA_BLESS=1` rewrites it).

use crate::model::schema::{ColType, Rule, Table};
use crate::model::tables::TABLES;

/// Marker opening the generated part of `datasets/README.md`.
pub const BEGIN: &str = "<!-- BEGIN GENERATED: canonical tables (src/model/tables.rs) -->";
/// Marker closing it.
pub const END: &str = "<!-- END GENERATED -->";

fn type_cell(ty: ColType) -> String {
    match ty {
        ColType::Enum(values) => format!(
            "enum: {}",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.name().to_string(),
    }
}

fn rule_cell(rule: Option<Rule>) -> String {
    match rule {
        None => String::new(),
        Some(Rule::NonNegative) => ">= 0".into(),
        Some(Rule::Range(lo, hi)) => format!("{lo} to {hi}"),
        Some(Rule::Pattern(_, desc)) => desc.to_string(),
    }
}

fn render_table(t: &Table) -> String {
    let mut s = format!("### {}\n{}\n\n", t.name, t.doc);
    s.push_str("| column | type | required | rule | meaning |\n|---|---|---|---|---|\n");
    for c in t.columns {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            c.name,
            type_cell(c.ty),
            if c.nullable { "" } else { "yes" },
            rule_cell(c.rule),
            c.doc
        ));
    }
    let mut keys = Vec::new();
    if !t.primary_key.is_empty() {
        keys.push(format!("- primary key: ({})", t.primary_key.join(", ")));
    }
    for fk in t.foreign_keys {
        keys.push(format!("- {} → {}.{}", fk.column, fk.table, fk.ref_column));
    }
    for c in t.checks {
        keys.push(format!("- a row is invalid when {}", c.reason));
    }
    if let Some(tc) = t.time_column {
        keys.push(format!("- in the window by: {tc}"));
    }
    if !keys.is_empty() {
        s.push('\n');
        s.push_str(&keys.join("\n"));
        s.push('\n');
    }
    s
}

/// The Markdown of every canonical table, markers included.
pub fn render_markdown() -> String {
    let body = TABLES
        .iter()
        .map(render_table)
        .collect::<Vec<_>>()
        .join("\n");
    format!("{BEGIN}\n\n{body}\n{END}")
}

//! How much the attribution model matters, per section: each attributed use case's ROI under
//! every attribution model (`roi_by_model`), the default marked, the range, and why the
//! default is the default.

use super::ReportInput;
use crate::report::format::pct;
use serde::Serialize;

/// The table of one section.
#[derive(Debug, Clone, Serialize)]
pub struct ModelsView {
    /// Model names, in column order.
    pub models: Vec<String>,
    /// Index of the default model's column.
    pub default: usize,
    /// One row per attributed use case.
    pub rows: Vec<ModelsRow>,
    /// Why the default model is the default.
    pub why_default: String,
}

/// One use case under every model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelsRow {
    /// "UC04 Social Campaign Tracking".
    pub use_case: String,
    /// ROI per model ("–" where the model gave none).
    pub cells: Vec<String>,
    /// Lowest to highest.
    pub range: String,
}

/// Why `model` is the default, in words.
pub fn why_default(model: &str) -> String {
    let name = model.replace('_', " ");
    if model == "markov" {
        "The ROI above uses markov, misura's default: it credits a channel with the share of conversions that would be lost without it, estimated from every journey, converting or not, so a channel earns nothing just for being present; it takes any number of channels and is re-estimated in every bootstrap replicate. The other models answer other questions (first touch: what opened the journey; last touch: what closed it).".into()
    } else {
        format!(
            "The ROI above uses {name}, chosen in misura.toml (default_attribution_model); misura's own default is markov."
        )
    }
}

/// The table for the use cases of `objective`, when any of them is attributed.
pub fn models(input: &ReportInput, objective: &str) -> Option<ModelsView> {
    let rows = &input.roi?.by_model;
    let mut models: Vec<&str> = Vec::new();
    let mut use_cases: Vec<&str> = Vec::new();
    for r in rows {
        if !models.contains(&r.model.as_str()) {
            models.push(&r.model);
        }
        let mine = input
            .catalogue
            .use_case(&r.use_case)
            .is_some_and(|u| u.objective == objective);
        if mine && !use_cases.contains(&r.use_case.as_str()) {
            use_cases.push(&r.use_case);
        }
    }
    if use_cases.is_empty() {
        return None;
    }
    let default = models
        .iter()
        .position(|m| *m == input.default_model)
        .unwrap_or(0);
    let view_rows = use_cases
        .iter()
        .map(|uc| {
            let of = |m: &str| {
                rows.iter()
                    .find(|r| r.use_case == *uc && r.model == m)
                    .and_then(|r| r.roi)
            };
            let rois: Vec<Option<f64>> = models.iter().map(|m| of(m)).collect();
            let defined: Vec<f64> = rois.iter().flatten().copied().collect();
            let lo = defined.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = defined.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            ModelsRow {
                use_case: format!("{uc} {}", input.use_case_name(uc)),
                cells: rois
                    .iter()
                    .map(|r| r.map_or_else(|| "–".into(), pct))
                    .collect(),
                range: if defined.is_empty() {
                    "–".into()
                } else {
                    format!("{} to {}", pct(lo), pct(hi))
                },
            }
        })
        .collect();
    Some(ModelsView {
        models: models.iter().map(|m| m.replace('_', " ")).collect(),
        default,
        rows: view_rows,
        why_default: why_default(&input.default_model),
    })
}

//! The method section's table of the attribution models: on generated data, how well each
//! recovers the planted effects (`attribution_recovery`); on a company's data, how much each
//! agrees with the others. A model that credits a channel with touches with nothing says why.

use super::ReportInput;
use crate::analyses::attribution::recovery::RecoveryRow;
use serde::Serialize;

/// The table and the sentences around it.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryView {
    /// Heading.
    pub title: String,
    /// What the columns mean, in one or two sentences.
    pub intro: String,
    /// Whether the data carries a planted truth (the ρ and error columns are shown).
    pub planted: bool,
    /// One line per model, the most trustworthy first.
    pub rows: Vec<RecoveryLine>,
    /// Why a model gives a channel with touches nothing, one sentence per such model.
    pub zeroed: Vec<String>,
}

/// One model's line.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryLine {
    /// Model id.
    pub model: String,
    /// The run's default model (the ROI's).
    pub default: bool,
    /// Rank agreement with the planted effect per touch.
    pub rho_planted: String,
    /// Share of credit on the wrong channels against what was caused.
    pub credit_error: String,
    /// Mean rank agreement with the other models.
    pub agreement: String,
}

fn two(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
}

/// Why `model` can give a channel with touches exactly nothing.
fn why_zero(model: &str) -> &'static str {
    match model {
        "shapley" => {
            "its worth of a channel set is a conversion rate, so a frequent channel whose own journeys convert below the average lowers the rate of every set it joins and is clipped to 0, even when its touches do convert (shapley_incremental counts conversions over a baseline instead)"
        }
        "shapley_incremental" => {
            "its journeys and paths convert no more than the baseline rate of conversions that no touch caused"
        }
        "markov" => "removing it from the journeys does not lower the probability of converting",
        "first_touch" => "it is never the first touch of a converting journey",
        "last_touch" => "it is never the last touch of a converting journey",
        _ => "no converting journey holds it",
    }
}

/// The view, when attribution ran.
pub fn recovery(input: &ReportInput) -> Option<RecoveryView> {
    let rows = input.attribution_recovery?;
    if rows.is_empty() {
        return None;
    }
    let planted = rows.iter().any(|r| r.rho_planted.is_some());
    let mut sorted: Vec<&RecoveryRow> = rows.iter().collect();
    if planted {
        let key = |r: &RecoveryRow| r.credit_error.unwrap_or(f64::INFINITY);
        sorted.sort_by(|a, b| key(a).total_cmp(&key(b)));
    } else {
        let key = |r: &RecoveryRow| r.agreement.unwrap_or(f64::NEG_INFINITY);
        sorted.sort_by(|a, b| key(b).total_cmp(&key(a)));
    }
    let (title, intro) = if planted {
        (
            "How well each attribution model recovers a planted truth".to_string(),
            "This data was generated with a known effect per touch for each channel (truth.json). ρ: rank agreement of the model's credit per touch with the planted effect (1 = the same order). Credit error: the share of credited conversions given to other channels than the ones whose touches caused them (0 = none). Most trustworthy first.".to_string(),
        )
    } else {
        (
            "How much the attribution models agree".to_string(),
            "The data carries no planted truth, so the models can only be compared with each other: agreement is the mean rank agreement (ρ) of a model's credit per touch with the other models' (1 = the same order). A model far from the others deserves a second look before its figures are used.".to_string(),
        )
    };
    let zeroed = sorted
        .iter()
        .filter(|r| !r.zeroed.is_empty())
        .map(|r| {
            format!(
                "{} gives {} nothing: {}.",
                r.model,
                r.zeroed.replace(';', ", "),
                why_zero(&r.model)
            )
        })
        .collect();
    Some(RecoveryView {
        title,
        intro,
        planted,
        rows: sorted
            .iter()
            .map(|r| RecoveryLine {
                model: r.model.clone(),
                default: r.model == input.default_model,
                rho_planted: two(r.rho_planted),
                credit_error: two(r.credit_error),
                agreement: two(r.agreement),
            })
            .collect(),
        zeroed,
    })
}

//! The holdout that would measure a weakly evidenced use case, under it: one plain sentence
//! (the shortest plan that reaches the target lift, or why none does) and the table of the
//! plans over 4, 8 and 12 weeks.

use super::ReportInput;
use crate::analyses::plans::PlanRow;
use crate::report::format::{fixed, money, pct};
use serde::Serialize;

/// The plan of one use case on the page.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// The sentence.
    pub sentence: String,
    /// One row per length.
    pub rows: Vec<PlanLine>,
}

/// One length of a plan: weeks, detectable lift at 10 %, with CUPED, holdout needed (and
/// with CUPED), contacts held out, value forgone at 10 % and at the holdout needed.
#[derive(Debug, Clone, Serialize)]
pub struct PlanLine {
    /// The cells.
    pub cells: Vec<String>,
    /// The plan the sentence proposes.
    pub recommended: bool,
}

fn points(x: f64) -> String {
    format!("{} points", fixed(x * 100.0, 1))
}

fn optional(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "–".into(), f)
}

/// The view of a use case's plan rows.
pub fn view(input: &ReportInput, rows: &[&PlanRow]) -> Option<PlanView> {
    let first = rows.first()?;
    let uc = &first.use_case;
    let c = &input.currency;
    let target = pct(first.target_relative_mde).replace(".0 %", " %");
    if let Some(note) = &first.note {
        return Some(PlanView {
            sentence: format!("No holdout can be planned for {uc} from this data: {note}."),
            rows: Vec::new(),
        });
    }
    let metric = first.metric.as_deref().unwrap_or("conversion");
    let base = first.baseline.unwrap_or(0.0);
    let change = if metric == "churn" {
        "a fall in churn"
    } else {
        "a lift"
    };
    let sentence = match rows.iter().find(|r| r.recommended) {
        Some(r) => {
            let share = r.proposed_share().unwrap_or(0.0);
            let cuped = r.uses_cuped();
            format!(
                "To measure {uc} causally: hold out {} of its contacts for {} weeks (about {} contacts); it detects {change} of {} ({target} of the {} baseline) at 80 % power{}. The holdout forgoes about {} of value.",
                pct(share),
                r.weeks.unwrap_or(0),
                fixed(r.holdout_contacts.unwrap_or(0) as f64, 0),
                points(first.target_relative_mde * base),
                pct(base),
                if cuped {
                    ", with CUPED on each contact's pre-period"
                } else {
                    ""
                },
                money(r.cost_needed.unwrap_or(0.0), c)
            )
        }
        None => {
            let last = rows.last().expect("non-empty");
            let weeks = last.weeks.unwrap_or(0);
            let best = match last.mde.1.or(last.mde.0) {
                Some(m) => format!(
                    "a 10 % holdout for {weeks} weeks detects {change} of {} at best ({} of the baseline)",
                    points(m),
                    pct(m / base.max(1e-12))
                ),
                None => format!("a 10 % holdout for {weeks} weeks detects no realistic {change}"),
            };
            format!(
                "{uc} cannot be measured to {target} of its {} baseline with its traffic: {} eligible contacts a week, and even half of them held out for {weeks} weeks falls short; {best}. Reaching it in {weeks} weeks needs about {} eligible contacts a week: pool it with other use cases or markets, or accept a larger detectable lift.",
                pct(base),
                fixed(last.eligible_per_week.unwrap_or(0.0), 1),
                optional(last.eligible_needed_per_week, |n| fixed(n.ceil(), 0)),
            )
        }
    };
    let table = rows
        .iter()
        .map(|r| PlanLine {
            recommended: r.recommended,
            cells: vec![
                format!("{} weeks", r.weeks.unwrap_or(0)),
                optional(r.mde.0, points),
                optional(r.mde.1, points),
                optional(r.holdout_needed.0, pct),
                optional(r.holdout_needed.1, pct),
                optional(r.holdout_contacts.map(|n| n as f64), |n| fixed(n, 0)),
                optional(r.cost_at_10pct, |v| money(v, c)),
                optional(r.cost_needed, |v| money(v, c)),
            ],
        })
        .collect();
    Some(PlanView {
        sentence,
        rows: table,
    })
}

/// The plan of a use case, when it has one.
pub fn plan(input: &ReportInput, use_case: &str) -> Option<PlanView> {
    let rows: Vec<&PlanRow> = input
        .plans
        .unwrap_or_default()
        .iter()
        .filter(|r| r.use_case == use_case)
        .collect();
    view(input, &rows)
}

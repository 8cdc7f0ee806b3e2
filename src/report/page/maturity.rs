//! The maturity model as shown: the stage per dimension and its history.

use super::ReportInput;
use crate::report::charts::ChartFile;
use crate::report::format::{in_unit, month, number, pct};
use serde::Serialize;

/// One dimension as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionView {
    /// Name.
    pub name: String,
    /// "3 Listening".
    pub stage: String,
    /// Self-assessment, formatted.
    pub self_assessed: String,
    /// Self-assessment one stage or more away from the data.
    pub gap_flag: bool,
    /// The next stage ("3 Listening"); empty at 5.
    pub next_stage: String,
    /// What the next stage means.
    pub next_description: String,
    /// What to do to reach it, one step per rule that does not hold yet.
    pub steps: Vec<String>,
    /// The rules those steps come from (for the analyst).
    pub blocked_by: String,
}

/// The maturity section.
#[derive(Debug, Clone, Serialize)]
pub struct MaturityView {
    /// Overall stage.
    pub overall: String,
    /// Dimensions.
    pub dimensions: Vec<DimensionView>,
    /// Month labels of the history.
    pub months: Vec<String>,
    /// (dimension, stage per month).
    pub history: Vec<(String, Vec<u8>)>,
    /// (dimension, median stage of the month and the two before it).
    pub smoothed: Vec<(String, Vec<u8>)>,
    /// Dimensions whose monthly stage moves often, in words.
    pub flicker: Vec<String>,
    /// Radar chart.
    pub chart: Option<ChartFile>,
}

/// The maturity section's content.
pub fn maturity(input: &ReportInput, chart: Option<ChartFile>) -> Option<MaturityView> {
    let m = input.maturity?;
    let name = |stage: u8| {
        [
            "Island",
            "Channel",
            "Listening",
            "Social CRM",
            "Social Business",
        ]
        .get(usize::from(stage.max(1)) - 1)
        .copied()
        .unwrap_or_default()
    };
    let months: Vec<String> = m
        .dimensions
        .first()
        .map(|d| d.history.iter().map(|(p, _)| month(p)).collect())
        .unwrap_or_default();
    Some(MaturityView {
        overall: format!("{} {}", m.overall, name(m.overall)),
        dimensions: m
            .dimensions
            .iter()
            .map(|d| DimensionView {
                name: d.name.clone(),
                stage: format!("{} {}", d.stage, d.stage_name),
                self_assessed: d
                    .self_assessed
                    .map_or_else(|| "–".into(), |s| format!("{s:.1}")),
                gap_flag: d.gap_flag,
                next_stage: d.next_steps.as_ref().map_or_else(String::new, |_| {
                    format!("{} {}", d.stage + 1, name(d.stage + 1))
                }),
                next_description: d.next_steps.clone().unwrap_or_default(),
                steps: steps(input, &m.rows, d),
                blocked_by: d.blocked_by.join("; "),
            })
            .collect(),
        months,
        history: m
            .dimensions
            .iter()
            .map(|d| (d.name.clone(), d.history.iter().map(|h| h.1).collect()))
            .collect(),
        smoothed: m
            .dimensions
            .iter()
            .map(|d| {
                let raw: Vec<u8> = d.history.iter().map(|h| h.1).collect();
                (d.name.clone(), rolling_median(&raw))
            })
            .collect(),
        flicker: m
            .dimensions
            .iter()
            .filter_map(|d| {
                let changes = d.history.windows(2).filter(|w| w[0].1 != w[1].1).count();
                (changes >= FLICKER).then(|| {
                    format!(
                        "{}: the monthly stage changed {changes} times in {} months. One month's data is thin evidence (a month with few mentions or ideas crosses a threshold and back), so read the 3-month median and the whole period's stage ({}), not a single month.",
                        d.name,
                        d.history.len(),
                        d.stage
                    )
                })
            })
            .collect(),
        chart,
    })
}

/// A dimension whose monthly stage changes this often is called out.
const FLICKER: usize = 3;

/// The median of each month's stage and the two months before it (fewer at the start).
pub fn rolling_median(stages: &[u8]) -> Vec<u8> {
    (0..stages.len())
        .map(|i| {
            let mut w: Vec<u8> = stages[i.saturating_sub(2)..=i].to_vec();
            w.sort_unstable();
            w[(w.len() - 1) / 2]
        })
        .collect()
}

/// What to do to reach `d`'s next stage: one step per rule of that stage that does not
/// hold over the whole period, with the indicator's value and its threshold.
fn steps(
    input: &ReportInput,
    rows: &[crate::analyses::maturity::MaturityRow],
    d: &crate::analyses::maturity::DimensionResult,
) -> Vec<String> {
    rows.iter()
        .filter(|r| r.period == "all" && r.dimension == d.id && r.stage == d.stage + 1)
        .filter(|r| r.rule != "(stage)" && r.met != Some(true))
        .map(|r| {
            let meta = input.meta(&r.indicator);
            let what = meta
                .as_ref()
                .map_or_else(|| r.indicator.replace('_', " "), |m| m.name.to_lowercase());
            let share = |x: f64| {
                meta.as_ref().map_or_else(
                    || {
                        let fractional = r.threshold.is_some_and(|t| t > 0.0 && t < 1.0);
                        if fractional { pct(x) } else { number(x) }
                    },
                    |m| in_unit(x, &m.unit, &input.currency),
                )
            };
            match (r.value, r.threshold) {
                (None, _) => format!(
                    "Measure {what}: this run has no data for it, so the stage cannot be shown to be reached."
                ),
                (Some(v), None) => format!("Keep {what} measured (now {}).", share(v)),
                (Some(v), Some(t)) if v < t => format!(
                    "Raise {what} from {} to at least {}.",
                    share(v),
                    share(t)
                ),
                (Some(v), Some(t)) => format!(
                    "Bring {what} down from {} to {} or less.",
                    share(v),
                    share(t)
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::rolling_median;

    #[test]
    fn a_flickering_stage_is_smoothed_by_its_three_month_median() {
        assert_eq!(rolling_median(&[5, 3, 4, 5, 3, 3]), [5, 3, 4, 4, 4, 3]);
        assert_eq!(rolling_median(&[2, 2, 2]), [2, 2, 2]);
        assert!(rolling_median(&[]).is_empty());
    }
}

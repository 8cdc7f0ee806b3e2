//! Nightly alerts (docs/spec/alerts.md): the last complete month of every KPI judged against
//! the band its own monthly history expects (control charts, [`chart`]), and every use case's
//! ROI against the previous run's (the two 95 % intervals do not overlap). A KPI with too
//! little history or tiny counts is not judged, and says so. Rules are data ([`rules`]).

pub mod chart;
pub mod rules;

use crate::analyses::roi::RoiRow;
use crate::kpi::run::KpiValue;
use crate::kpi::sidecar::KpiMeta;
use chart::{Band, Family, Point, band};
use rules::Rules;
use serde::Serialize;
use std::collections::BTreeMap;

/// One alert (an element of `alerts.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The KPI, for a KPI alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// The use case (of the KPI, or whose ROI moved).
    pub use_case: String,
    /// The month judged (`YYYY-MM`), or the run's as-of for an ROI.
    pub period: String,
    /// The value.
    pub value: f64,
    /// The band expected.
    pub expected_low: f64,
    /// The band expected.
    pub expected_high: f64,
    /// `up` or `down`.
    pub direction: &'static str,
    /// How the band was made.
    pub method: String,
    /// The alert in one plain line.
    pub explanation: String,
}

/// A KPI (or ROI) not judged, and why.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NotJudged {
    /// KPI id or use case.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// What the alerts stage found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Alerts {
    /// The alerts that fired.
    pub fired: Vec<Alert>,
    /// KPIs and ROIs judged.
    pub judged: usize,
    /// Those not judged, with the reason.
    pub not_judged: Vec<NotJudged>,
}

/// The family of a KPI's values.
pub fn family(meta: &KpiMeta) -> Family {
    if meta.share_of_n {
        Family::Share
    } else if meta.unit == "count" {
        Family::Count
    } else {
        Family::Individual
    }
}

fn shown(x: f64, family: Family) -> String {
    match family {
        Family::Share => format!("{:.1} %", x * 100.0),
        _ if x.abs() >= 100.0 => format!("{x:.0}"),
        _ => format!("{x:.3}"),
    }
}

/// Judges the month `month` of every KPI with monthly values (the whole-KPI rows, no
/// breakdown) against the months before it.
pub fn judge_kpis(
    values: &[KpiValue],
    metas: &BTreeMap<String, KpiMeta>,
    month: &str,
    rules: &Rules,
    out: &mut Alerts,
) {
    let mut series: BTreeMap<(&str, &str), Vec<&KpiValue>> = BTreeMap::new();
    for v in values
        .iter()
        .filter(|v| v.dimension.is_none() && v.period != "all" && v.period.as_str() <= month)
    {
        series.entry((&v.kpi, &v.use_case)).or_default().push(v);
    }
    for ((kpi, use_case), mut rows) in series {
        let Some(meta) = metas.get(kpi) else { continue };
        let Some(rule) = rules.of(kpi) else {
            out.not_judged.push(NotJudged {
                id: kpi.into(),
                reason: "muted in misura.toml".into(),
            });
            continue;
        };
        rows.sort_by(|a, b| a.period.cmp(&b.period));
        let not = |reason: String| NotJudged {
            id: kpi.into(),
            reason,
        };
        let Some(current) = rows.last().filter(|r| r.period == month) else {
            out.not_judged.push(not(format!("no value for {month}")));
            continue;
        };
        let Some(value) = current.value else {
            out.not_judged
                .push(not(format!("undefined in {month} (nothing to divide by)")));
            continue;
        };
        let history: Vec<Point> = rows[..rows.len() - 1]
            .iter()
            .filter_map(|r| {
                r.value.map(|value| Point {
                    value,
                    n: r.n as f64,
                })
            })
            .collect();
        if history.len() < rule.min_history {
            out.not_judged.push(not(format!(
                "too little history: {} complete months before {month}, {} needed",
                history.len(),
                rule.min_history
            )));
            continue;
        }
        let fam = family(meta);
        let n = current.n as f64;
        let mean_n = history.iter().map(|p| p.n).sum::<f64>() / history.len() as f64;
        let mean_value = history.iter().map(|p| p.value).sum::<f64>() / history.len() as f64;
        let tiny = match fam {
            Family::Share => (n < rule.min_n || mean_n < rule.min_n).then(|| {
                format!(
                    "tiny counts: {month} rests on {n} units, the history on {mean_n:.0} a month ({} needed)",
                    rule.min_n
                )
            }),
            Family::Count => (mean_value < rule.min_mean_count).then(|| {
                format!(
                    "tiny counts: {mean_value:.1} a month on average ({} needed)",
                    rule.min_mean_count
                )
            }),
            Family::Individual => None,
        };
        if let Some(reason) = tiny {
            out.not_judged.push(not(reason));
            continue;
        }
        let Some(Band { low, high, .. }) = band(fam, &history, n.max(1.0), rule.sigma) else {
            out.not_judged
                .push(not("its history does not vary: no band to judge by".into()));
            continue;
        };
        out.judged += 1;
        if value >= low && value <= high {
            continue;
        }
        let direction = if value > high { "up" } else { "down" };
        out.fired.push(Alert {
            kpi: Some(kpi.into()),
            use_case: use_case.into(),
            period: month.into(),
            value,
            expected_low: low,
            expected_high: high,
            direction,
            method: format!("{}, {}σ", fam.method(), rule.sigma),
            explanation: format!(
                "{} {} to {} in {month}, {} the {} to {} expected from its previous {} months.",
                meta.name,
                if direction == "up" { "rose" } else { "fell" },
                shown(value, fam),
                if direction == "up" { "above" } else { "below" },
                shown(
                    low.max(if fam == Family::Individual {
                        f64::MIN
                    } else {
                        0.0
                    }),
                    fam
                ),
                shown(high, fam),
                history.len()
            ),
        });
    }
}

/// A use case's ROI in the previous successful run.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousRoi {
    /// Use case.
    pub use_case: String,
    /// Its ROI and 95 % interval.
    pub roi: (f64, f64, f64),
    /// That run's as-of.
    pub as_of: String,
}

/// Judges each use case's ROI against the previous run's: an alert when the two 95 %
/// intervals do not overlap.
pub fn judge_roi(
    current: &[RoiRow],
    previous: &[PreviousRoi],
    as_of: &str,
    rules: &Rules,
    out: &mut Alerts,
) {
    if !rules.roi {
        return;
    }
    for r in current {
        let (Some(roi), Some(lo), Some(hi)) = (r.roi, r.roi_ci_low, r.roi_ci_high) else {
            continue;
        };
        if rules.muted(&r.use_case) {
            continue;
        }
        let Some(p) = previous.iter().find(|p| p.use_case == r.use_case) else {
            out.not_judged.push(NotJudged {
                id: format!("{} ROI", r.use_case),
                reason: "no ROI with an interval in the previous run".into(),
            });
            continue;
        };
        out.judged += 1;
        let (p_roi, p_lo, p_hi) = p.roi;
        if lo <= p_hi && p_lo <= hi {
            continue;
        }
        let direction = if lo > p_hi { "up" } else { "down" };
        out.fired.push(Alert {
            kpi: None,
            use_case: r.use_case.clone(),
            period: as_of.into(),
            value: roi,
            expected_low: p_lo,
            expected_high: p_hi,
            direction,
            method: "ROI bootstrap intervals of this run and the previous one do not overlap".into(),
            explanation: format!(
                "The ROI of {} {} to {:.0} % (95 % interval {:.0} % to {:.0} %), outside the previous run's {:.0} % to {:.0} % (as of {}, ROI {:.0} %).",
                r.use_case,
                if direction == "up" { "rose" } else { "fell" },
                roi * 100.0,
                lo * 100.0,
                hi * 100.0,
                p_lo * 100.0,
                p_hi * 100.0,
                p.as_of,
                p_roi * 100.0
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::project::AlertsConfig;

    fn row(uc: &str, roi: f64, lo: f64, hi: f64) -> RoiRow {
        RoiRow {
            use_case: uc.into(),
            roi: Some(roi),
            roi_ci_low: Some(lo),
            roi_ci_high: Some(hi),
            ..RoiRow::default()
        }
    }

    #[test]
    fn an_roi_alerts_only_when_the_intervals_part() {
        let rules = Rules::new(&AlertsConfig::default()).unwrap();
        let previous = vec![
            PreviousRoi {
                use_case: "UC04".into(),
                roi: (2.0, 1.5, 2.5),
                as_of: "2026-11-20".into(),
            },
            PreviousRoi {
                use_case: "UC05".into(),
                roi: (2.0, 1.5, 2.5),
                as_of: "2026-11-20".into(),
            },
        ];
        let mut out = Alerts::default();
        // UC04 moved within its noise (the intervals overlap); UC05 fell below the old one;
        // UC06 has no previous figure.
        let now = [
            row("UC04", 2.6, 2.4, 2.8),
            row("UC05", 0.9, 0.5, 1.4),
            row("UC06", 1.0, 0.5, 1.5),
        ];
        judge_roi(&now, &previous, "2026-11-21", &rules, &mut out);
        assert_eq!(out.judged, 2);
        assert_eq!(out.fired.len(), 1);
        let a = &out.fired[0];
        assert_eq!((a.use_case.as_str(), a.direction), ("UC05", "down"));
        assert_eq!((a.expected_low, a.expected_high), (1.5, 2.5));
        assert!(a.explanation.contains("fell to 90 %"), "{}", a.explanation);
        assert_eq!(out.not_judged[0].id, "UC06 ROI");
    }
}

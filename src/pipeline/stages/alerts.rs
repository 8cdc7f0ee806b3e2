//! Nightly alerts: the last complete month of every KPI against its own history, and every
//! ROI against the previous successful run's (`<out>/latest/tables/roi.csv`).

use crate::analyses::alerts::{self, Alerts, PreviousRoi, rules::Rules};
use crate::error::Result;
use crate::pipeline::stage::{Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use chrono::{Datelike, Months, NaiveDate};
use std::collections::BTreeMap;
use std::path::Path;
use tracing::{info, warn};

/// Judges the run's KPIs and ROI into `alerts.json`.
pub(crate) struct AlertsStage;

/// The last month the window holds whole: the month before `window_end` (exclusive) when it
/// starts a month, else the month before the one it falls in.
pub(crate) fn last_complete_month(window_end: NaiveDate) -> String {
    let first = window_end.with_day(1).expect("day 1");
    let month = first
        .checked_sub_months(Months::new(1))
        .expect("a month before");
    month.format("%Y-%m").to_string()
}

/// The previous successful run's ROI rows with an interval (none when there is no such run,
/// or it is the run being replaced: the same as-of).
fn previous_roi(out: &Path, as_of: &str) -> Vec<PreviousRoi> {
    let latest = out.join("latest");
    let Ok(target) = std::fs::canonicalize(&latest) else {
        return Vec::new();
    };
    let their_as_of = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if their_as_of == as_of {
        return Vec::new();
    }
    let Ok(mut rdr) = csv::Reader::from_path(target.join("tables/roi.csv")) else {
        return Vec::new();
    };
    let Ok(h) = rdr.headers().cloned() else {
        return Vec::new();
    };
    let col = |name: &str| h.iter().position(|c| c == name);
    let (Some(uc), Some(roi), Some(lo), Some(hi)) = (
        col("use_case"),
        col("roi"),
        col("roi_ci_low"),
        col("roi_ci_high"),
    ) else {
        return Vec::new();
    };
    rdr.records()
        .filter_map(|r| r.ok())
        .filter_map(|r| {
            let num = |i: usize| r.get(i).and_then(|v| v.parse::<f64>().ok());
            Some(PreviousRoi {
                use_case: r.get(uc)?.to_string(),
                roi: (num(roi)?, num(lo)?, num(hi)?),
                as_of: their_as_of.clone(),
            })
        })
        .collect()
}

#[async_trait]
impl Stage for AlertsStage {
    fn name(&self) -> &'static str {
        "alerts"
    }
    fn file(&self) -> &'static str {
        "queries/alerts.toml"
    }
    fn reads(&self) -> &'static [Slot] {
        &[Slot::KpiRows, Slot::Roi]
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::Alerts]
    }

    async fn run(&self, cx: &RunContext<'_>, done: &Results) -> Result<Output> {
        let rules = Rules::new(&cx.settings.alerts)?;
        let metas: BTreeMap<String, crate::kpi::sidecar::KpiMeta> = cx
            .queries
            .kpis
            .iter()
            .flat_map(|q| q.meta.kpis.iter())
            .map(|k| (k.id.clone(), k.clone()))
            .collect();
        let mut warnings = Vec::new();
        for id in rules.named() {
            let use_case = cx.catalogue.use_case(id).is_some();
            if !metas.contains_key(id) && !use_case {
                let w = format!(
                    "misura.toml [alerts] names `{id}`, which is neither a KPI id nor a use case: it has no effect{}",
                    crate::error::did_you_mean(id, metas.keys().map(String::as_str))
                );
                warn!(stage = "alerts", "{w}");
                warnings.push(w);
            }
        }
        let mut found = Alerts::default();
        if let Some(end) = cx.run.window_end {
            let month = last_complete_month(end);
            alerts::judge_kpis(&done.kpis.values, &metas, &month, &rules, &mut found);
        }
        if let Some(roi) = &done.roi {
            let as_of = cx.opts.as_of.to_string();
            let previous = previous_roi(&cx.opts.out, &as_of);
            alerts::judge_roi(&roi.rows, &previous, &as_of, &rules, &mut found);
        }
        for a in &found.fired {
            warn!(stage = "alerts", kpi = a.kpi.as_deref().unwrap_or(""), use_case = %a.use_case, "alert: {}", a.explanation);
        }
        info!(
            stage = "alerts",
            fired = found.fired.len(),
            judged = found.judged,
            not_judged = found.not_judged.len(),
            "alerts judged"
        );
        Ok(Output {
            warnings,
            ..Output::from(Product::Alerts(found))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::last_complete_month;
    use chrono::NaiveDate;

    #[test]
    fn the_last_complete_month_ends_by_the_window_end() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(last_complete_month(d("2026-11-01")), "2026-10");
        assert_eq!(last_complete_month(d("2026-11-06")), "2026-10");
        assert_eq!(last_complete_month(d("2026-01-01")), "2025-12");
    }
}

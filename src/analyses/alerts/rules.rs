//! The alert rules: defaults from the data file `queries/alerts.toml`, per-KPI overrides and
//! mutes from misura.toml's `[alerts]`.

use crate::config::project::{AlertsConfig, RuleOverride};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

const BUILTIN: &str = include_str!("../../../queries/alerts.toml");

/// How one KPI is judged.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Limits at this many standard deviations.
    pub sigma: f64,
    /// Complete months of history needed before the judged one.
    pub min_history: usize,
    /// Units a share's month must rest on.
    pub min_n: f64,
    /// Events a count's history must average a month.
    pub min_mean_count: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    defaults: Rule,
    roi: RoiFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoiFile {
    enabled: bool,
}

/// The rules of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    defaults: Rule,
    overrides: BTreeMap<String, RuleOverride>,
    mute: BTreeSet<String>,
    /// Whether ROI alerts are judged.
    pub roi: bool,
}

impl Rules {
    /// The built-in defaults with the project's changes.
    pub fn new(project: &AlertsConfig) -> Result<Self> {
        let file: File = toml::from_str(BUILTIN).map_err(|e| Error::QueryDefinition {
            file: "queries/alerts.toml".into(),
            problem: e.to_string(),
        })?;
        Ok(Rules {
            defaults: file.defaults,
            overrides: project.kpis.clone(),
            mute: project.mute.iter().cloned().collect(),
            roi: project.roi.unwrap_or(file.roi.enabled),
        })
    }

    /// The rule of `kpi`, `None` when it is muted.
    pub fn of(&self, kpi: &str) -> Option<Rule> {
        let o = self.overrides.get(kpi).cloned().unwrap_or_default();
        if self.mute.contains(kpi) || o.mute == Some(true) {
            return None;
        }
        let d = self.defaults;
        Some(Rule {
            sigma: o.sigma.unwrap_or(d.sigma),
            min_history: o.min_history.unwrap_or(d.min_history),
            min_n: o.min_n.unwrap_or(d.min_n),
            min_mean_count: o.min_mean_count.unwrap_or(d.min_mean_count),
        })
    }

    /// Whether alerts on `id` (a KPI or a use case's ROI) are muted.
    pub fn muted(&self, id: &str) -> bool {
        self.of(id).is_none()
    }

    /// The ids the project names (mutes and overrides), to check they exist.
    pub fn named(&self) -> impl Iterator<Item = &String> {
        self.mute.iter().chain(self.overrides.keys())
    }
}

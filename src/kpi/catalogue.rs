//! The use-case catalogue (`queries/use_cases.toml`): the 18 Altimeter use cases and the
//! 5 M's with their business objective, display name, required tables and value driver.
//! A project renames or hides use cases with `[use_cases.<id>]` in `misura.toml`.

use crate::config::project::UseCaseOverride;
use crate::error::{Error, Result, did_you_mean};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const BUILTIN: &str = include_str!("../../queries/use_cases.toml");

/// How a use case creates value (docs/spec/attribution-and-roi.md, ROI per use case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueDriver {
    /// Revenue credited by attribution × margin.
    AttributedMargin,
    /// Support cost avoided.
    ServiceSavings,
    /// Realised value of implemented ideas.
    InnovationValue,
    /// An enabler: measured by its KPIs, no value of its own.
    None,
}

/// A business objective: one report section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One use case.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UseCase {
    /// `UC01`..`UC18` or `5M`.
    pub id: String,
    /// Objective id.
    pub objective: String,
    /// Display name.
    pub name: String,
    /// The display name is ours, not the source's.
    #[serde(default)]
    pub provisional: bool,
    /// Tables without which nothing of the use case can be measured.
    pub requires: Vec<String>,
    /// How it creates value.
    pub value_driver: ValueDriver,
    /// Hidden by the project: not run, not reported.
    #[serde(default)]
    pub hidden: bool,
}

/// The catalogue.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Objectives in report order.
    pub objectives: Vec<Objective>,
    /// Use cases in report order.
    pub use_cases: Vec<UseCase>,
}

impl Catalogue {
    /// The built-in catalogue with a project's overrides applied.
    pub fn load(overrides: &BTreeMap<String, UseCaseOverride>) -> Result<Self> {
        let mut c: Catalogue = toml::from_str(BUILTIN).map_err(|e| Error::QueryDefinition {
            file: "queries/use_cases.toml".into(),
            problem: e.to_string(),
        })?;
        for (id, o) in overrides {
            let known: Vec<String> = c.use_cases.iter().map(|u| u.id.clone()).collect();
            let Some(uc) = c.use_cases.iter_mut().find(|u| &u.id == id) else {
                return Err(Error::QueryDefinition {
                    file: "misura.toml".into(),
                    problem: format!(
                        "[use_cases.{id}] names no use case{}; use cases: {}",
                        did_you_mean(id, known.iter().map(String::as_str)),
                        known.join(", ")
                    ),
                });
            };
            if let Some(name) = &o.name {
                uc.name = name.clone();
                uc.provisional = false;
            }
            if let Some(hidden) = o.hidden {
                uc.hidden = hidden;
            }
        }
        Ok(c)
    }

    /// The use case `id`, if catalogued.
    pub fn use_case(&self, id: &str) -> Option<&UseCase> {
        self.use_cases.iter().find(|u| u.id == id)
    }
}

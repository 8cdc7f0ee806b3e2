//! The use cases and their business objectives, in report order ([`UseCases`]): the
//! objectives come from `queries/use_cases.toml` (their only source), each use case from its
//! query sidecar (id, objective, display name, required tables). A project renames or hides
//! use cases with `[use_cases.<id>]` in `misura.toml`.

use crate::config::project::UseCaseOverride;
use crate::error::{Error, Result, did_you_mean};
use crate::kpi::load::QuerySet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const BUILTIN: &str = include_str!("../../queries/use_cases.toml");

/// A business objective: one report section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One use case, as its sidecar defines it (with the project's overrides).
#[derive(Debug, Clone, Serialize)]
pub struct UseCase {
    /// `UC01`..`UC18` or `5M`.
    pub id: String,
    /// Objective id.
    pub objective: String,
    /// Display name.
    pub name: String,
    /// The display name is ours, not the source's.
    pub provisional: bool,
    /// Tables without which nothing of the use case can be measured.
    pub requires: Vec<String>,
    /// Hidden by the project: not run, not reported.
    pub hidden: bool,
}

/// The objectives file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Objectives {
    objectives: Vec<Objective>,
}

/// The use cases and objectives, in report order.
#[derive(Debug, Clone, Serialize)]
pub struct UseCases {
    /// Objectives in report order.
    pub objectives: Vec<Objective>,
    /// Use cases in report order: by objective, then by id.
    pub use_cases: Vec<UseCase>,
}

impl UseCases {
    /// The objectives and the use cases of `queries`' sidecars, with a project's overrides.
    pub fn load(queries: &QuerySet, overrides: &BTreeMap<String, UseCaseOverride>) -> Result<Self> {
        let file = "queries/use_cases.toml";
        let Objectives { objectives } =
            toml::from_str(BUILTIN).map_err(|e| Error::QueryDefinition {
                file: file.into(),
                problem: e.to_string(),
            })?;
        let mut use_cases: Vec<(usize, UseCase)> = Vec::new();
        for q in &queries.kpis {
            let m = &q.meta;
            let Some(rank) = objectives.iter().position(|o| o.id == m.objective) else {
                return Err(Error::QueryDefinition {
                    file: q.file.clone(),
                    problem: format!(
                        "objective `{}` is not one of {file}: {}",
                        m.objective,
                        objectives
                            .iter()
                            .map(|o| o.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            };
            // A project's extra query for a catalogued use case adds KPIs to it; the first
            // sidecar (the built-in one) defines it, and the objective must agree.
            if let Some((_, u)) = use_cases.iter().find(|(_, u)| u.id == m.use_case) {
                if u.objective != m.objective {
                    return Err(Error::QueryDefinition {
                        file: q.file.clone(),
                        problem: format!(
                            "use case {} belongs to objective `{}`, not `{}`",
                            m.use_case, u.objective, m.objective
                        ),
                    });
                }
                continue;
            }
            use_cases.push((
                rank,
                UseCase {
                    id: m.use_case.clone(),
                    objective: m.objective.clone(),
                    name: m.name.clone(),
                    provisional: m.provisional,
                    requires: m.requires.clone(),
                    hidden: false,
                },
            ));
        }
        use_cases.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.id.cmp(&y.id)));
        let mut c = UseCases {
            objectives,
            use_cases: use_cases.into_iter().map(|(_, u)| u).collect(),
        };
        c.apply(overrides)?;
        Ok(c)
    }

    fn apply(&mut self, overrides: &BTreeMap<String, UseCaseOverride>) -> Result<()> {
        for (id, o) in overrides {
            let known: Vec<String> = self.use_cases.iter().map(|u| u.id.clone()).collect();
            let Some(uc) = self.use_cases.iter_mut().find(|u| &u.id == id) else {
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
        Ok(())
    }

    /// The use case `id`, if catalogued.
    pub fn use_case(&self, id: &str) -> Option<&UseCase> {
        self.use_cases.iter().find(|u| u.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_use_case_comes_from_its_sidecar_in_report_order() {
        let q = QuerySet::builtin().unwrap();
        let c = UseCases::load(&q, &BTreeMap::new()).unwrap();
        let ids: Vec<&str> = c.use_cases.iter().map(|u| u.id.as_str()).collect();
        let mut want: Vec<String> = (1..=18).map(|i| format!("UC{i:02}")).collect();
        want.push("5M".into());
        assert_eq!(ids, want);
        let uc11 = c.use_case("UC11").unwrap();
        assert_eq!(
            (uc11.name.as_str(), uc11.objective.as_str()),
            ("Peer-to-Peer \"Unpaid Armies\"", "support")
        );
        let provisional: Vec<&str> = c
            .use_cases
            .iter()
            .filter(|u| u.provisional)
            .map(|u| u.id.as_str())
            .collect();
        assert_eq!(provisional, ["UC14", "UC15", "UC16", "UC17", "UC18"]);
    }

    #[test]
    fn an_override_renames_or_hides_and_an_unknown_id_is_named() {
        let q = QuerySet::builtin().unwrap();
        let mut o = BTreeMap::new();
        o.insert(
            "UC14".to_string(),
            UseCaseOverride {
                name: Some("Cross-team case work".into()),
                hidden: Some(true),
            },
        );
        let c = UseCases::load(&q, &o).unwrap();
        let u = c.use_case("UC14").unwrap();
        assert_eq!(u.name, "Cross-team case work");
        assert!(u.hidden && !u.provisional);
        o.insert("UC41".to_string(), UseCaseOverride::default());
        let e = UseCases::load(&q, &o).unwrap_err().to_string();
        assert!(e.contains("[use_cases.UC41]") && e.contains("UC14"), "{e}");
    }
}

//! The maturity model's stages and rules, read from the data file `queries/maturity.toml`
//! (texts and thresholds live there, not in code), with thresholds overridden by the
//! project's `[maturity.thresholds]`.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

const BUILTIN: &str = include_str!("../../../queries/maturity.toml");

/// One stage of a dimension.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// 1–5.
    pub stage: u8,
    /// Short name.
    pub name: String,
    /// What the stage looks like (the next steps, seen from the stage below).
    pub description: String,
}

/// A condition on an indicator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Rule id (the key of its threshold override).
    pub id: String,
    /// Indicator: a KPI id (with a dot) or a maturity indicator.
    pub indicator: String,
    /// `>=`, `<=`, `>` or `exists`.
    pub op: String,
    /// The threshold (absent for `exists`).
    pub threshold: Option<f64>,
}

/// A rule: its condition, or any alternative.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Rule id.
    pub id: String,
    /// The stage it belongs to.
    pub stage: u8,
    /// Indicator.
    pub indicator: String,
    /// Operator.
    pub op: String,
    /// Threshold.
    pub threshold: Option<f64>,
    /// Alternatives: the rule holds when any of them holds.
    #[serde(default)]
    pub or: Vec<Condition>,
}

impl Rule {
    /// The rule's own condition followed by its alternatives.
    pub fn conditions(&self) -> Vec<Condition> {
        std::iter::once(Condition {
            id: self.id.clone(),
            indicator: self.indicator.clone(),
            op: self.op.clone(),
            threshold: self.threshold,
        })
        .chain(self.or.iter().cloned())
        .collect()
    }
}

/// One dimension.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// `culture`, `organization`, `customer_involvement`, `technology`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Stages 1–5.
    pub stages: Vec<Stage>,
    /// Rules of stages 2–5.
    pub rules: Vec<Rule>,
}

/// The model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The four dimensions.
    pub dimension: Vec<Dimension>,
    /// Tables each data indicator needs.
    pub indicators: BTreeMap<String, Vec<String>>,
}

fn check_op(c: &Condition) -> Result<()> {
    let ok = match c.op.as_str() {
        ">=" | "<=" | ">" => c.threshold.is_some(),
        "exists" => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::QueryDefinition {
            file: "queries/maturity.toml".into(),
            problem: format!(
                "rule {}: op `{}` must be >=, <= or > with a threshold, or exists",
                c.id, c.op
            ),
        })
    }
}

impl Model {
    /// The built-in model with `overrides` (rule id → threshold) applied; an unknown id is
    /// an error naming the known ones.
    pub fn load(overrides: &BTreeMap<String, f64>) -> Result<Self> {
        let mut m: Model = toml::from_str(BUILTIN).map_err(|e| Error::QueryDefinition {
            file: "queries/maturity.toml".into(),
            problem: e.to_string(),
        })?;
        let mut known = Vec::new();
        for d in &mut m.dimension {
            for r in &mut d.rules {
                for c in r.conditions() {
                    check_op(&c)?;
                }
                known.push(r.id.clone());
                if let Some(t) = overrides.get(&r.id) {
                    r.threshold = Some(*t);
                }
                for alt in &mut r.or {
                    known.push(alt.id.clone());
                    if let Some(t) = overrides.get(&alt.id) {
                        alt.threshold = Some(*t);
                    }
                }
            }
        }
        if let Some(bad) = overrides.keys().find(|k| !known.contains(k)) {
            return Err(Error::InvalidParameter {
                name: format!("maturity.thresholds.{bad}"),
                origin: "misura.toml".into(),
                value: bad.clone(),
                expected: format!(
                    "a rule id of queries/maturity.toml{}",
                    crate::error::did_you_mean(bad, known.iter().map(String::as_str))
                ),
            });
        }
        Ok(m)
    }
}

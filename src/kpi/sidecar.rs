//! The metadata sidecar (`<query>.toml`) of a KPI query: which use case it measures, the
//! tables it needs, and for each KPI its id, display name, unit, formula and value range.

use serde::Deserialize;

/// Units a KPI value may have (docs/spec/kpis.md, output contract).
pub(crate) const UNITS: &[&str] = &[
    "count", "ratio", "minutes", "hours", "days", "currency", "score", "p_value",
];

/// A statistical transform the engine applies to a KPI's value after the query (statrs),
/// so that SQL computes the statistic and Rust the distribution function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// `value` holds a z statistic; it becomes the two-sided p-value 2·(1 − Φ(|z|)).
    PTwoSidedFromZ,
}

impl Transform {
    /// Applies the transform to one value.
    pub fn apply(self, x: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal};
        match self {
            Transform::PTwoSidedFromZ => {
                let n = Normal::standard();
                (2.0 * n.sf(x.abs())).min(1.0)
            }
        }
    }
}

/// One KPI a query produces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiMeta {
    /// Stable id, e.g. `uc01.mention_volume`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the figure tells a reader who is not an analyst, in one sentence (the report shows
    /// it, with `formula` one click away). Every built-in KPI has one.
    #[serde(default)]
    pub plain: Option<String>,
    /// Unit (one of `UNITS`).
    pub unit: String,
    /// Definition in words.
    pub formula: String,
    /// Tables this KPI needs beyond the use case's own `requires`.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The value is a share of its `n` units (successes / n, each unit 0 or 1): the report
    /// gives it a Wilson interval and tests its month-over-month change as two proportions.
    #[serde(default)]
    pub share_of_n: bool,
    /// Breakdown column, when the KPI is broken down.
    pub dimension: Option<String>,
    /// Smallest valid value (data test); defaults from the unit.
    pub min: Option<f64>,
    /// Largest valid value (data test); defaults from the unit.
    pub max: Option<f64>,
    /// How a report should chart it (`line`, `bar`, ...).
    pub chart: Option<String>,
    /// Statistic-to-value transform applied after the query.
    pub transform: Option<Transform>,
    /// Data test: the value is never null (default false: ratios over empty sets and
    /// statistics over too little data are null by contract).
    pub not_null: Option<bool>,
    /// The run stage that computes this KPI outside SQL (`uc04`: attribution, `uc18`: CLV);
    /// its rows pass the same data tests before they are merged. Absent for SQL KPIs.
    pub computed_by: Option<String>,
}

impl KpiMeta {
    /// Whether a null value fails the data tests.
    pub fn requires_value(&self) -> bool {
        self.not_null.unwrap_or(false)
    }

    /// The valid range: explicit bounds, else what the unit implies.
    pub fn range(&self) -> (f64, f64) {
        let (lo, hi) = match self.unit.as_str() {
            "ratio" | "p_value" => (0.0, 1.0),
            "count" | "minutes" | "hours" | "days" => (0.0, f64::INFINITY),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        (self.min.unwrap_or(lo), self.max.unwrap_or(hi))
    }
}

/// The sidecar of one use-case query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryMeta {
    /// `UC01`..`UC18` or `5M`.
    pub use_case: String,
    /// Business objective (report section).
    pub objective: String,
    /// Display name of the use case.
    pub name: String,
    /// The display name is ours, not the source's (Owyang & Wang name these use cases only
    /// loosely).
    #[serde(default)]
    pub provisional: bool,
    /// What the query measures.
    pub description: String,
    /// One output row is...
    pub grain: String,
    /// Tables without which nothing of this use case can be measured.
    pub requires: Vec<String>,
    /// The parameters the SQL uses, when the author declares them: then every `{{ name }}`
    /// must be listed and every listed name used (checked when the files load).
    pub parameters: Option<Vec<String>>,
    /// The KPIs, in display order.
    pub kpis: Vec<KpiMeta>,
    /// How to read figures of this use case that answer different questions (two costs, two
    /// returns), one sentence each; the report shows them under the use case's KPIs.
    #[serde(default)]
    pub reading: Vec<String>,
    /// The KPI each breakdown's table is sorted by (largest first), per dimension; a
    /// dimension not listed is sorted by its first KPI.
    #[serde(default)]
    pub breakdown_order: std::collections::BTreeMap<String, String>,
    /// How a launch of this use case (table `launches`) is judged without a holdout.
    #[serde(default)]
    pub impact: Option<ImpactMeta>,
}

/// Which way an outcome should move after a launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// More is better (conversions, revenue): the value is the effect.
    Higher,
    /// Less is better (tickets, churn): the value is the effect with its sign turned.
    Lower,
}

/// Periods of an outcome series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// Calendar days.
    Day,
    /// Monday-to-Sunday weeks (the default: daily counts of a small business are mostly noise).
    #[default]
    Week,
}

/// The `[impact]` table of a use case's sidecar: the outcome series a launch is judged on and
/// where its controls come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactMeta {
    /// The outcome: model query `models/impact_<outcome>.sql`, one row per day and scope cell
    /// with the outcome `y` and its money `value`.
    pub outcome: String,
    /// Which way the outcome should move.
    pub better: Better,
    /// Periods of the series.
    #[serde(default)]
    pub grain: Grain,
    /// Value drivers of the use case that the counterfactual's value replaces in the ROI when
    /// it is assessable (they stay in `roi_drivers` with `used = false`).
    #[serde(default)]
    pub replaces: Vec<String>,
    /// Other outcomes used as covariates of a launch everywhere (a launch in one scope takes
    /// the same outcome in the other scopes as its controls).
    #[serde(default)]
    pub controls: Vec<String>,
    /// Seasons in a cycle of the BSTS's seasonal component (e.g. 7 for the days of the week
    /// with `grain = "day"`); none by default.
    pub nseasons: Option<usize>,
    /// Periods each season lasts.
    #[serde(default = "one")]
    pub season_duration: usize,
}

fn one() -> usize {
    1
}

//! The parameters the Rust analyses read, typed and resolved once per run from the
//! [`Parameters`] map (which also renders the SQL templates).
//!
//! Every parameter with a default in [`PARAMS`](super::params::PARAMS) is filled before a run
//! starts, so the analyses never carry a fallback of their own: a default lives in one
//! place. Only the parameters derived from the data (brand, window) may be absent.

use super::params::Parameters;
use crate::error::{Error, Result};
use chrono::NaiveDate;

/// The typed parameters of a run.
#[derive(Debug, Clone)]
pub struct RunParams {
    /// The map the SQL templates are rendered with (`{{ name }}`).
    sql: Parameters,
    /// `brand`, when given or derived.
    pub brand: Option<String>,
    /// `window_start`: first day of the analysis window.
    pub window_start: Option<NaiveDate>,
    /// `window_end`: day after the window's last day (exclusive).
    pub window_end: Option<NaiveDate>,
    /// `conversion`: the table conversions come from (`orders` or `opportunities`).
    pub conversion_table: &'static str,
    /// `default_attribution_model`.
    pub default_attribution_model: String,
    /// `attribution_lookback_days`: a journey's horizon, and the longest span of a
    /// non-converting path.
    pub attribution_lookback_days: f64,
    /// `half_life_days` of the time_decay model.
    pub half_life_days: f64,
    /// `markov_order`.
    pub markov_order: usize,
    /// `shapley_max_channels`.
    pub shapley_max_channels: usize,
    /// `shared_cost_allocation` (parsed by `roi::Allocation`).
    pub shared_cost_allocation: String,
    /// `assisted_channel`: the channel a deflected contact would have used.
    pub assisted_channel: String,
    /// `perception_segment_by`.
    pub perception_segment_by: String,
    /// `default_margin_rate`.
    pub default_margin_rate: f64,
    /// `clv_time_unit`, in days (7 for weeks, 1 for days).
    pub clv_unit_days: f64,
    /// `clv_horizon`, in `clv_time_unit`s.
    pub clv_horizon: f64,
    /// `clv_discount_rate`, per year.
    pub clv_discount_rate: f64,
    /// `bootstrap_samples`.
    pub bootstrap_samples: usize,
    /// `impact_niter`.
    pub impact_niter: usize,
    /// `impact_prior_level_sd`.
    pub impact_prior_level_sd: f64,
    /// `sequential_tau`: the always-valid test's mixing sd, in sds of the outcome.
    pub sequential_tau: f64,
    /// `plan_target_mde`: the relative lift an experiment plan must detect.
    pub plan_target_mde: f64,
    /// `seed` of every random stream.
    pub seed: u64,
}

impl RunParams {
    /// Reads every parameter the analyses use from `p`; a missing one with a default is a
    /// defect (the defaults were not applied) and is said as such.
    pub fn resolve(p: &Parameters) -> Result<Self> {
        let missing = |name: &str| Error::InvalidParameter {
            name: name.to_string(),
            origin: "the resolved settings".into(),
            value: String::new(),
            expected: "set: its default was not applied (a bug: please report it)".into(),
        };
        let text = |name: &str| p.text(name).ok_or_else(|| missing(name));
        let int = |name: &str| p.int(name).ok_or_else(|| missing(name));
        let float = |name: &str| p.float(name).ok_or_else(|| missing(name));
        let count = |name: &str| int(name).map(|v| usize::try_from(v).unwrap_or(0));
        Ok(RunParams {
            sql: p.clone(),
            brand: p.text("brand").map(str::to_string),
            window_start: p.date("window_start"),
            window_end: p.date("window_end"),
            conversion_table: match text("conversion")? {
                "won_opportunities" => "opportunities",
                _ => "orders",
            },
            default_attribution_model: text("default_attribution_model")?.to_string(),
            attribution_lookback_days: int("attribution_lookback_days")? as f64,
            half_life_days: float("half_life_days")?,
            markov_order: count("markov_order")?,
            shapley_max_channels: count("shapley_max_channels")?,
            shared_cost_allocation: text("shared_cost_allocation")?.to_string(),
            assisted_channel: text("assisted_channel")?.to_string(),
            perception_segment_by: text("perception_segment_by")?.to_string(),
            default_margin_rate: float("default_margin_rate")?,
            clv_unit_days: match text("clv_time_unit")? {
                "days" => 1.0,
                _ => 7.0,
            },
            clv_horizon: int("clv_horizon")? as f64,
            clv_discount_rate: float("clv_discount_rate")?,
            bootstrap_samples: count("bootstrap_samples")?,
            impact_niter: count("impact_niter")?,
            impact_prior_level_sd: float("impact_prior_level_sd")?,
            sequential_tau: float("sequential_tau")?,
            plan_target_mde: float("plan_target_mde")?,
            seed: u64::try_from(int("seed")?).unwrap_or(0),
        })
    }

    /// The map the SQL templates are rendered with.
    pub fn sql(&self) -> &Parameters {
        &self.sql
    }

    /// Days in the analysis window, 0 when it is not known.
    pub fn window_days(&self) -> f64 {
        match (self.window_start, self.window_end) {
            (Some(a), Some(b)) => (b - a).num_days() as f64,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_to_the_documented_values() {
        let p = RunParams::resolve(&Parameters::defaults()).unwrap();
        assert_eq!(p.bootstrap_samples, 1000);
        assert_eq!(p.seed, 42);
        assert_eq!(p.default_attribution_model, "markov");
        assert_eq!(p.conversion_table, "orders");
        assert_eq!(p.shared_cost_allocation, "proportional");
        assert_eq!(p.clv_unit_days, 7.0);
        assert_eq!(p.clv_horizon, 52.0);
        assert_eq!((p.markov_order, p.shapley_max_channels), (1, 15));
        assert!(p.brand.is_none() && p.window_start.is_none());
    }

    #[test]
    fn a_parameter_without_its_default_is_an_error() {
        let mut p = Parameters::default();
        p.set(
            "conversion",
            super::super::params::ParamValue::Text("orders".into()),
            super::super::params::Source::Default,
        );
        let e = RunParams::resolve(&p).unwrap_err().to_string();
        assert!(e.contains("default_attribution_model"), "{e}");
    }
}

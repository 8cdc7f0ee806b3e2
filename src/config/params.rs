//! The parameters of `docs/spec/kpis.md`, `docs/spec/attribution-and-roi.md` and
//! `docs/spec/experiments.md`: names, kinds, defaults, and parsing of values from `--param`,
//! environment and `misura.toml`.

use crate::error::{Error, Result, did_you_mean};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What values a parameter accepts.
#[derive(Debug, Clone, Copy)]
pub enum ParamKind {
    /// Any non-empty text.
    Text,
    /// A whole number within bounds (inclusive).
    Int(i64, i64),
    /// A number within bounds (inclusive).
    Float(f64, f64),
    /// A date `YYYY-MM-DD`.
    Date,
    /// One of the listed words.
    Choice(&'static [&'static str]),
}

/// A parameter definition.
#[derive(Debug, Clone, Copy)]
pub struct ParamDef {
    /// Name, exactly as in docs/spec/kpis.md.
    pub name: &'static str,
    /// Accepted values.
    pub kind: ParamKind,
    /// Default as text; `None` = derived from the data when not set.
    pub default: Option<&'static str>,
    /// Meaning.
    pub doc: &'static str,
}

use ParamKind::*;

/// Every parameter, in the order docs/spec/kpis.md lists them.
pub const PARAMS: &[ParamDef] = &[
    ParamDef {
        name: "brand",
        kind: Text,
        default: None,
        doc: "the project's own brand (default: the brand of the most brand posts)",
    },
    ParamDef {
        name: "influencer_reach",
        kind: Int(0, i64::MAX),
        default: Some("10000"),
        doc: "reach from which an author is an influencer",
    },
    ParamDef {
        name: "response_sla_minutes",
        kind: Int(1, 525_600),
        default: Some("60"),
        doc: "SLA for answering critical mentions",
    },
    ParamDef {
        name: "support_sla_minutes",
        kind: Int(1, 525_600),
        default: Some("60"),
        doc: "SLA for answering social tickets",
    },
    ParamDef {
        name: "attribution_lookback_days",
        kind: Int(1, 3650),
        default: Some("30"),
        doc: "touches this many days before a conversion count",
    },
    ParamDef {
        name: "deflection_window_days",
        kind: Int(0, 3650),
        default: Some("7"),
        doc: "days after a community thread in which a ticket undoes the deflection",
    },
    ParamDef {
        name: "signal_window_days",
        kind: Int(1, 3650),
        default: Some("90"),
        doc: "days before an opportunity in which a social signal counts",
    },
    ParamDef {
        name: "fast_response_minutes",
        kind: Int(1, 525_600),
        default: Some("60"),
        doc: "a social lead contacted within this is fast",
    },
    ParamDef {
        name: "assisted_channel",
        kind: Choice(crate::model::tables::TICKET_CHANNELS),
        default: Some("phone"),
        doc: "the channel a deflected contact would have used",
    },
    ParamDef {
        name: "default_margin_rate",
        kind: Float(0.0, 1.0),
        default: Some("0.3"),
        doc: "margin / revenue when orders.margin is empty",
    },
    ParamDef {
        name: "default_attribution_model",
        kind: Choice(&[
            "first_touch",
            "last_touch",
            "linear",
            "time_decay",
            "position_based",
            "markov",
            "shapley",
            "shapley_incremental",
        ]),
        default: Some("markov"),
        doc: "model used for ROI and campaign revenue",
    },
    ParamDef {
        name: "window_start",
        kind: Date,
        default: None,
        doc: "first day of the analysis window (default: first day of the data)",
    },
    ParamDef {
        name: "window_end",
        kind: Date,
        default: None,
        doc: "day after the window's last day, exclusive (default: day after the data ends)",
    },
    ParamDef {
        name: "conversion",
        kind: Choice(&["orders", "won_opportunities"]),
        default: Some("orders"),
        doc: "what counts as a conversion",
    },
    ParamDef {
        name: "half_life_days",
        kind: Float(0.001, 3650.0),
        default: Some("7"),
        doc: "half-life of the time_decay model",
    },
    ParamDef {
        name: "markov_order",
        kind: Int(1, 3),
        default: Some("1"),
        doc: "order of the Markov attribution chain",
    },
    ParamDef {
        name: "shapley_max_channels",
        kind: Int(1, 20),
        default: Some("15"),
        doc: "most channels the exact Shapley model accepts",
    },
    ParamDef {
        name: "shared_cost_allocation",
        kind: Choice(&["proportional", "equal", "none"]),
        default: Some("proportional"),
        doc: "how shared costs are allocated to use cases",
    },
    ParamDef {
        name: "perception_segment_by",
        kind: Choice(&["industry", "segment", "country"]),
        default: Some("industry"),
        doc: "survey_responses column the perception gap is segmented by",
    },
    ParamDef {
        name: "clv_time_unit",
        kind: Choice(&["weeks", "days"]),
        default: Some("weeks"),
        doc: "time unit of the BG/NBD model (recency, T, horizon)",
    },
    ParamDef {
        name: "clv_horizon",
        kind: Int(1, 10_000),
        default: Some("52"),
        doc: "horizon of expected transactions, in clv_time_unit",
    },
    ParamDef {
        name: "clv_discount_rate",
        kind: Float(0.0, 1.0),
        default: Some("0.1"),
        doc: "annual rate CLV discounts future margin at (month by month)",
    },
    ParamDef {
        name: "impact_niter",
        kind: Int(100, 100_000),
        default: Some("1000"),
        doc: "MCMC draws of a launch's BSTS counterfactual (CausalImpact's niter)",
    },
    ParamDef {
        name: "impact_prior_level_sd",
        kind: Float(0.001, 1.0),
        default: Some("0.01"),
        doc: "prior sd of the counterfactual's level, in sds of the outcome (CausalImpact's prior.level.sd; 0.1 for a series that wanders on its own)",
    },
    ParamDef {
        name: "sequential_tau",
        kind: Float(0.001, 10.0),
        default: Some("0.1"),
        doc: "mixing sd of the experiments' always-valid test, in sds of the outcome per contact (the effect size it is tuned for)",
    },
    ParamDef {
        name: "plan_target_mde",
        kind: Float(0.001, 10.0),
        default: Some("0.1"),
        doc: "relative lift an experiment plan must detect at 80 % power (0.1 = 10 % of the baseline)",
    },
    ParamDef {
        name: "bootstrap_samples",
        kind: Int(1, 1_000_000),
        default: Some("1000"),
        doc: "bootstrap resamples for ROI intervals",
    },
    ParamDef {
        name: "seed",
        kind: Int(0, i64::MAX),
        default: Some("42"),
        doc: "random seed (bootstrap)",
    },
];

/// A parsed parameter value.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// Text or choice.
    Text(String),
    /// Whole number.
    Int(i64),
    /// Number.
    Float(f64),
    /// Date.
    Date(NaiveDate),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Text(s) => write!(f, "{s}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Date(d) => write!(f, "{d}"),
        }
    }
}

/// Where a resolved value came from (CLI > env > file > data > default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Built-in default.
    Default,
    /// Derived from the data (brand, window).
    Data,
    /// `misura.toml`.
    File,
    /// `MISURA_PARAM_<NAME>` environment variable.
    Env,
    /// `--param` on the command line.
    Cli,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Default => "default",
            Source::Data => "from the data",
            Source::File => "file",
            Source::Env => "env",
            Source::Cli => "cli",
        })
    }
}

/// The definition called `name`, or an error that lists the known names.
pub(crate) fn def(name: &str, origin: &str) -> Result<&'static ParamDef> {
    PARAMS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| Error::UnknownParameter {
            name: name.to_string(),
            origin: origin.to_string(),
            hint: did_you_mean(name, PARAMS.iter().map(|p| p.name)),
            known: PARAMS.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
        })
}

impl ParamDef {
    /// Parses `raw` as a value of this parameter.
    pub fn parse(&self, raw: &str, origin: &str) -> Result<ParamValue> {
        let raw = raw.trim();
        let bad = |expected: String| Error::InvalidParameter {
            name: self.name.to_string(),
            origin: origin.to_string(),
            value: raw.to_string(),
            expected,
        };
        match self.kind {
            Text if raw.is_empty() => Err(bad("a non-empty text".into())),
            Text => Ok(ParamValue::Text(raw.to_string())),
            Int(lo, hi) => match raw.parse::<i64>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(ParamValue::Int(v)),
                _ => Err(bad(format!("a whole number from {lo} to {hi}"))),
            },
            Float(lo, hi) => match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= lo && v <= hi => Ok(ParamValue::Float(v)),
                _ => Err(bad(format!("a number from {lo} to {hi}"))),
            },
            Date => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(ParamValue::Date)
                .map_err(|_| bad("a date YYYY-MM-DD".into())),
            Choice(options) if options.contains(&raw) => Ok(ParamValue::Text(raw.to_string())),
            Choice(options) => Err(bad(format!("one of: {}", options.join(", ")))),
        }
    }
}

/// Resolved parameters with the source of each value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Parameters {
    values: BTreeMap<&'static str, (ParamValue, Source)>,
}

impl Parameters {
    /// Defaults only (brand and window left unset).
    pub fn defaults() -> Self {
        let mut p = Parameters::default();
        for d in PARAMS {
            if let Some(raw) = d.default {
                let v = d.parse(raw, "default").expect("built-in defaults parse");
                p.values.insert(d.name, (v, Source::Default));
            }
        }
        p
    }

    /// Sets `name` from `raw`, checking the name and the value.
    pub fn set_raw(&mut self, name: &str, raw: &str, source: Source, origin: &str) -> Result<()> {
        let d = def(name, origin)?;
        let v = d.parse(raw, origin)?;
        self.values.insert(d.name, (v, source));
        Ok(())
    }

    /// Sets a value derived by the engine (e.g. from the data), unless already set.
    pub fn set_if_unset(&mut self, name: &'static str, v: ParamValue, source: Source) {
        self.values.entry(name).or_insert((v, source));
    }

    /// Sets `name` to `v` from `source`, replacing what was there (a configured window end
    /// clipped to the as-of).
    pub fn set(&mut self, name: &'static str, v: ParamValue, source: Source) {
        self.values.insert(name, (v, source));
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name).map(|(v, _)| v)
    }

    /// The source of `name`, if set.
    pub fn source(&self, name: &str) -> Option<Source> {
        self.values.get(name).map(|(_, s)| *s)
    }

    /// A date parameter.
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.get(name) {
            Some(ParamValue::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// A text parameter.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(ParamValue::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(ParamValue::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// The value of a number parameter, if set.
    pub fn float(&self, name: &str) -> Option<f64> {
        match self.get(name) {
            Some(ParamValue::Float(x)) => Some(*x),
            _ => None,
        }
    }

    /// All set values in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &ParamValue, Source)> + '_ {
        self.values.iter().map(|(k, (v, s))| (*k, v, *s))
    }
}

/// Turns a TOML value into the text `ParamDef::parse` accepts.
pub(crate) fn toml_to_raw(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

//! What the generator planted (the parameters of its causal model) and what it realised
//! (exact counts it wrote), serialised as `truth.json`. Stages read the planted values
//! from here, so the data and the record of it cannot drift apart.

use super::GenerateOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Own-brand sentiment mix (positive, neutral, negative).
pub(crate) const OWN_SENTIMENT: [f64; 3] = [0.45, 0.30, 0.25];
/// Probability that an author of mentions is linked to a CRM contact.
pub(crate) const IDENTITY_MATCH: f64 = 0.40;
/// Probability that an actionable own-brand mention (question, complaint, purchase intent) gets a response.
pub(crate) const RESPONSE_PROBABILITY: f64 = 0.55;
/// Conversion (order within 14 days) probability added by one touch, per channel.
pub const CHANNEL_EFFECTS: &[(&str, f64)] = &[
    ("social_organic", 0.03),
    ("social_paid", 0.04),
    ("community", 0.05),
    ("email", 0.02),
    ("search", 0.06),
    ("display", 0.01),
    ("event", 0.04),
    ("referral", 0.07),
    ("direct", 0.05),
    ("sales_call", 0.20),
];
/// Opportunity rate of social leads contacted within FAST_MINUTES.
pub(crate) const LEAD_CONVERSION_FAST: f64 = 0.35;
/// Opportunity rate of the other social leads.
pub(crate) const LEAD_CONVERSION_SLOW: f64 = 0.12;
/// Threshold of a fast response to a social lead, minutes (= docs/spec/kpis.md default).
pub(crate) const FAST_MINUTES: i64 = 60;
/// Probability that an asker whose thread got a peer's accepted answer opens a ticket within the window.
pub(crate) const TICKET_AFTER_PEER_ACCEPTED: f64 = 0.05;
/// The same probability for other threads.
pub(crate) const TICKET_OTHERWISE: f64 = 0.40;
/// Days of the deflection window (= docs/spec/kpis.md default).
pub(crate) const DEFLECTION_DAYS: i64 = 7;
/// Order-rate multiplier of advocates.
pub(crate) const ADVOCATE_MULTIPLIER: f64 = 2.5;
/// Conversion probability of the experiment's control arm during the experiment.
pub(crate) const EXPERIMENT_P_CONTROL: f64 = 0.06;
/// Conversion probability of the treatment arm.
pub(crate) const EXPERIMENT_P_TREATMENT: f64 = 0.11;
/// Day of the planted PR crisis (negative own-brand mentions × 12).
pub(crate) const CRISIS_DAY: &str = "2026-03-17";
/// Share of ideas (non-employee) that end implemented.
pub(crate) const IDEA_IMPLEMENTATION: f64 = 0.12;
/// Share of collaborated cases with a partner contributor (IDG 2012: 7 %).
pub(crate) const PARTNER_CASE_SHARE: f64 = 0.07;

/// The planted holdout experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExperimentTruth {
    /// Experiment id.
    pub id: String,
    /// Use case tested.
    pub use_case: String,
    /// First day.
    pub start_date: String,
    /// Last day (inclusive).
    pub end_date: String,
    /// Control conversion probability.
    pub p_control: f64,
    /// Treatment conversion probability.
    pub p_treatment: f64,
}

/// A planted launch and the effect it has on its outcome in its scope.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaunchTruth {
    /// Launch id.
    pub id: String,
    /// Use case launched.
    pub use_case: String,
    /// First day live.
    pub launched_on: String,
    /// Where it went live (a column of the contacts).
    pub scope_dimension: String,
    /// The value of that column.
    pub scope_value: String,
    /// The outcome series it is judged on (its use case's `[impact] outcome`).
    pub outcome: String,
    /// Planted change of the outcome in the scope from the launch on, relative to what it
    /// would have been (−0.3: 30 % fewer); the realised count is in `realized`.
    pub relative_effect: f64,
}

/// Planted parameters of the causal model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Planted {
    /// Own-brand sentiment mix: positive, neutral, negative.
    pub own_sentiment: [f64; 3],
    /// P(author linked to a contact).
    pub identity_match_probability: f64,
    /// P(actionable own-brand mention answered).
    pub management_response_probability: f64,
    /// Per channel: P(order within 14 days) added by one touch.
    pub channel_conversion_effects: BTreeMap<String, f64>,
    /// The holdout experiment.
    pub experiment: ExperimentTruth,
    /// Social lead → opportunity, contacted within `fast_minutes`.
    pub social_lead_conversion_fast: f64,
    /// Social lead → opportunity, otherwise.
    pub social_lead_conversion_slow: f64,
    /// Fast-response threshold.
    pub fast_minutes: i64,
    /// P(ticket within the window | peer's accepted answer).
    pub ticket_after_peer_accepted: f64,
    /// P(ticket within the window | other threads).
    pub ticket_otherwise: f64,
    /// Deflection window, days.
    pub deflection_window_days: i64,
    /// Advocates' order-rate multiplier.
    pub advocate_order_rate_multiplier: f64,
    /// Day of the PR crisis.
    pub crisis_day: String,
    /// Share of non-employee ideas implemented.
    pub idea_implementation_rate: f64,
    /// Share of collaborated cases with a partner.
    pub partner_case_share: f64,
    /// Perception survey: industry → reason → (customer share, business share).
    pub perception: BTreeMap<String, BTreeMap<String, (f64, f64)>>,
    /// The launches and their planted effects.
    #[serde(default)]
    pub launches: Vec<LaunchTruth>,
}

/// The whole truth file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Truth {
    /// Seed.
    pub seed: u64,
    /// Scale.
    pub scale: f64,
    /// Own brand.
    pub brand: String,
    /// First day of the data.
    pub window_start: String,
    /// Day after the last day.
    pub window_end: String,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// What was planted.
    pub planted: Planted,
    /// Exact counts of what was written, named after what they count.
    pub realized: BTreeMap<String, f64>,
}

impl Truth {
    /// The truth before any data is generated.
    pub fn new(opts: &GenerateOptions, t0: i64) -> Self {
        let day = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .expect("valid")
                .date_naive()
                .to_string()
        };
        Truth {
            seed: opts.seed,
            scale: opts.scale,
            brand: super::BRAND.into(),
            window_start: day(t0),
            window_end: day(t0 + super::DAYS * 86_400),
            rows: BTreeMap::new(),
            planted: Planted {
                own_sentiment: OWN_SENTIMENT,
                identity_match_probability: IDENTITY_MATCH,
                management_response_probability: RESPONSE_PROBABILITY,
                channel_conversion_effects: CHANNEL_EFFECTS
                    .iter()
                    .map(|(c, e)| (c.to_string(), *e))
                    .collect(),
                experiment: ExperimentTruth {
                    id: "EXP01".into(),
                    use_case: "UC08".into(),
                    start_date: "2026-05-01".into(),
                    end_date: "2026-06-30".into(),
                    p_control: EXPERIMENT_P_CONTROL,
                    p_treatment: EXPERIMENT_P_TREATMENT,
                },
                social_lead_conversion_fast: LEAD_CONVERSION_FAST,
                social_lead_conversion_slow: LEAD_CONVERSION_SLOW,
                fast_minutes: FAST_MINUTES,
                ticket_after_peer_accepted: TICKET_AFTER_PEER_ACCEPTED,
                ticket_otherwise: TICKET_OTHERWISE,
                deflection_window_days: DEFLECTION_DAYS,
                advocate_order_rate_multiplier: ADVOCATE_MULTIPLIER,
                crisis_day: CRISIS_DAY.into(),
                idea_implementation_rate: IDEA_IMPLEMENTATION,
                partner_case_share: PARTNER_CASE_SHARE,
                perception: BTreeMap::new(),
                launches: Vec::new(),
            },
            realized: BTreeMap::new(),
        }
    }

    /// Adds `by` to the realised count `name`.
    pub fn count(&mut self, name: &str, by: f64) {
        *self.realized.entry(name.to_string()).or_insert(0.0) += by;
    }
}

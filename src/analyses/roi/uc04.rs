//! The UC04 KPIs the attribution engine computes (docs/spec/kpis.md): `uc04.attributed_revenue`,
//! the revenue the default model credits to each campaign's touchpoints (rule-based models
//! credit touches directly; Markov and Shapley split each channel's credit by the channel's
//! touches per campaign inside converting journeys), and `uc04.roas` = attributed revenue /
//! `uc04.cost`. Period `all` (the window), dimension `campaign_id`; the null dimension is the
//! total over campaigns. Declared in `queries/marketing/uc04.toml` (`computed_by = "uc04"`),
//! whose data tests the rows pass before they are merged.

use super::credited::{Amount, Credited, ModelParams};
use crate::analyses::attribution::journeys::Journeys;
use crate::error::Result;
use crate::kpi::run::KpiValue;

fn value(kpi: &str, campaign: Option<&str>, v: Option<f64>, unit: &str, n: i64) -> KpiValue {
    KpiValue {
        use_case: "UC04".into(),
        kpi: kpi.into(),
        period: "all".into(),
        dimension: Some("campaign_id".into()).filter(|_| campaign.is_some()),
        dimension_value: campaign.map(str::to_string),
        value: v,
        unit: unit.into(),
        n,
        ci_low: None,
        ci_high: None,
    }
}

/// The rows, given the journeys, the default model and the computed `uc04.cost` values.
pub fn kpis(
    journeys: &Journeys,
    model: &str,
    params: &ModelParams,
    computed: &[KpiValue],
) -> Result<Vec<KpiValue>> {
    let c = Credited::prepare(journeys, model, params, Amount::Revenue, |t| {
        t.campaign.as_deref()
    })?;
    let revenue = c.evaluate(&vec![1.0; c.contacts.len()])?;
    let cost = |campaign| crate::kpi::run::find(computed, "uc04.cost", "all", campaign);
    let mut campaigns: Vec<&str> = c.keys.iter().map(String::as_str).collect();
    for v in computed
        .iter()
        .filter(|v| v.kpi == "uc04.cost" && v.period == "all")
    {
        if let Some(k) = v.dimension_value.as_deref() {
            campaigns.push(k);
        }
    }
    campaigns.sort();
    campaigns.dedup();
    let mut out = Vec::new();
    let credited = |k: &str| {
        c.keys
            .binary_search_by(|x| x.as_str().cmp(k))
            .map_or((0.0, 0), |i| (revenue[i], c.journeys_per_key[i] as i64))
    };
    let total: f64 = revenue.iter().sum();
    let journeys_total = journeys
        .converting
        .iter()
        .filter(|j| j.touches.iter().any(|t| t.campaign.is_some()))
        .count() as i64;
    for k in campaigns.iter().map(|k| Some(*k)).chain([None]) {
        let (r, n) = k.map_or((total, journeys_total), credited);
        out.push(value("uc04.attributed_revenue", k, Some(r), "currency", n));
        let roas = cost(k)
            .and_then(|v| v.value)
            .filter(|c| *c > 0.0)
            .map(|c| r / c);
        out.push(value("uc04.roas", k, roas, "ratio", n));
    }
    Ok(out)
}

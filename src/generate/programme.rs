//! Generator stage 5: the programme around the data: costs (direct, shared, and one that
//! straddles the window to exercise proration), the perception survey with a planted gap
//! that differs by industry, and an optimistic maturity self-assessment.

use super::rng::{Rng, cents};
use super::sink::V::*;
use super::{INDUSTRIES, World, day_of};
use crate::error::Result;
use crate::model::tables::REASONS;
use chrono::{Datelike, Months, NaiveDate};
use std::collections::BTreeMap;

/// Customers' share selecting each reason (order of REASONS), after IBM IBV 2011.
const CUSTOMER_BASE: [f64; 12] = [
    0.61, 0.55, 0.39, 0.39, 0.34, 0.33, 0.30, 0.29, 0.24, 0.24, 0.33, 0.22,
];
/// Business respondents' beliefs about the same reasons.
const BUSINESS_BASE: [f64; 12] = [
    0.35, 0.45, 0.55, 0.70, 0.73, 0.53, 0.63, 0.58, 0.60, 0.58, 0.64, 0.61,
];

fn customer_shares(industry: &str) -> [f64; 12] {
    let mut s = CUSTOMER_BASE;
    match industry {
        // Someone who follows a car brand seeks a community, not a coupon.
        "automotive" => {
            s[0] = 0.35;
            s[10] = 0.50;
            s[11] = 0.55;
        }
        "travel" => s[0] = 0.70,
        "consumer_electronics" => {
            s[2] = 0.60;
            s[4] = 0.55;
        }
        _ => {}
    }
    s
}

const COST_UCS: &[&str] = &[
    "UC01", "UC02", "UC03", "UC04", "UC05", "UC08", "UC10", "UC11", "UC13",
];

/// Writes costs, survey_responses and maturity_self_assessment.
pub fn generate(w: &mut World) -> Result<()> {
    let mut rng = Rng::new(w.opts.seed, "programme");
    let amount_scale = w.opts.scale.max(0.001) * 100.0;
    let first =
        NaiveDate::from_ymd_opt(super::START.0, super::START.1, super::START.2).expect("valid");
    let (w0, w1) = (day_of(w.t0), day_of(w.t1()));
    let mut costs = w.sink("costs")?;
    let mut next = 0;
    let mut row = |w: &mut World,
                   start: NaiveDate,
                   end: NaiveDate,
                   uc: Option<&str>,
                   cat: &str,
                   amount: f64| {
        next += 1;
        let (s, e) = (
            day_of(start.and_hms_opt(0, 0, 0).expect("t").and_utc().timestamp()),
            day_of(end.and_hms_opt(0, 0, 0).expect("t").and_utc().timestamp()),
        );
        costs.row(&[
            S(&format!("X{:05}", next)),
            D(s),
            D(e),
            uc.map_or(N, S),
            S(cat),
            F(amount),
        ]);
        let overlap = (e.min(w1 - 1) - s.max(w0) + 1).max(0) as f64;
        let prorated = amount * overlap / f64::from(e - s + 1);
        w.truth.count("cost_prorated_total", prorated);
        if uc.is_some() {
            w.truth.count("cost_prorated_tagged", prorated);
        }
    };
    for m in 0..12u32 {
        let start = first + Months::new(m);
        let end = start + Months::new(1) - chrono::Days::new(1);
        for uc in COST_UCS {
            let amount = cents(rng.lognormal(60.0 * amount_scale, 0.3));
            let cat = if rng.p(0.7) { "staff" } else { "media" };
            row(w, start, end, Some(uc), cat, amount);
        }
        row(
            w,
            start,
            end,
            None,
            "technology",
            cents(150.0 * amount_scale),
        );
    }
    // An annual agency retainer that started before the window: only part of it is in.
    let retainer_start = NaiveDate::from_ymd_opt(first.year(), 7, 1).expect("valid");
    row(
        w,
        retainer_start,
        retainer_start + Months::new(12) - chrono::Days::new(1),
        None,
        "agency",
        cents(1200.0 * amount_scale),
    );
    w.done(costs)?;

    let mut survey = w.sink("survey_responses")?;
    let per_industry = |n: usize| n / INDUSTRIES.len();
    let (n_cust, n_bus) = (
        per_industry(w.n(16_000.0, 400)),
        per_industry(w.n(4_000.0, 160)),
    );
    let mut next_resp = 0;
    let countries = ["IT", "DE", "FR", "ES", "GB", "US"];
    for industry in INDUSTRIES {
        let cust = customer_shares(industry);
        let mut planted = BTreeMap::new();
        for (k, reason) in REASONS.iter().enumerate() {
            planted.insert(reason.to_string(), (cust[k], BUSINESS_BASE[k]));
        }
        w.truth
            .planted
            .perception
            .insert(industry.to_string(), planted);
        for (kind, n, shares) in [
            ("customer", n_cust, cust),
            ("business", n_bus, BUSINESS_BASE),
        ] {
            for _ in 0..n {
                next_resp += 1;
                let id = format!("S{:06}", next_resp);
                let segment = if kind == "business" {
                    "executive"
                } else if rng.p(0.8) {
                    "consumer"
                } else {
                    "smb"
                };
                let country = countries[rng.idx(countries.len())];
                for (k, reason) in REASONS.iter().enumerate() {
                    survey.row(&[
                        S(&id),
                        S(kind),
                        S(segment),
                        S(industry),
                        S(country),
                        S(reason),
                        B(rng.p(shares[k])),
                    ]);
                }
            }
        }
    }
    w.done(survey)?;

    let mut maturity = w.sink("maturity_self_assessment")?;
    for r in 0..8 {
        for dim in crate::model::tables::DIMENSIONS {
            let stage = (3.3 + 0.7 * rng.normal()).round().clamp(1.0, 5.0) as i64;
            maturity.row(&[S(&format!("MSA{:02}", r + 1)), S(dim), I(stage)]);
        }
    }
    w.done(maturity)
}

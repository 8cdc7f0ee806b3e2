//! Generator stage 3: marketing and sales: leads (social ones with planted response-speed
//! effect), opportunities, touchpoints (planted channel effects), orders (advocates buy
//! more) and the holdout experiment with its planted lift.

use super::rng::{Rng, cents};
use super::sink::V::*;
use super::social::Social;
use super::truth::*;
use super::{DAY, World, contact_id};
use crate::error::Result;

const SOURCES: &[&str] = &[
    "web", "email", "event", "referral", "outbound", "partner", "other", "social",
];
const SOURCE_W: &[f64] = &[0.35, 0.2, 0.15, 0.1, 0.1, 0.05, 0.03, 0.02];
const TOUCH_W: &[f64] = &[0.16, 0.10, 0.06, 0.18, 0.14, 0.10, 0.03, 0.04, 0.12, 0.07];

struct Order {
    contact: usize,
    at: i64,
    revenue: f64,
    opportunity: Option<String>,
}

/// Writes leads, opportunities, touchpoints, orders, experiments and assignments.
pub fn generate(w: &mut World, social: &Social) -> Result<()> {
    let mut rng = Rng::new(w.opts.seed, "commerce");
    let mut orders: Vec<Order> = Vec::new();
    leads_and_opportunities(w, social, &mut rng, &mut orders)?;
    touchpoints(w, &mut rng, &mut orders)?;
    // Background purchases: customers and prospects, advocates at a planted higher rate.
    let (t0, t1) = (w.t0, w.t1());
    for (c, contact) in w.contacts.iter().enumerate() {
        if !contact.buyer {
            continue;
        }
        let rate = if contact.advocate {
            ADVOCATE_MULTIPLIER
        } else {
            1.0
        };
        for _ in 0..rng.poisson(rate) {
            let at = rng.int(contact.created.max(t0), t1);
            orders.push(Order {
                contact: c,
                at,
                revenue: rng.lognormal(80.0, 0.6),
                opportunity: None,
            });
        }
    }
    experiment(w, &mut rng, &mut orders)?;
    let mut sink = w.sink("orders")?;
    for (i, o) in orders.iter().enumerate() {
        let revenue = cents(o.revenue);
        let margin = if rng.p(0.2) {
            N
        } else {
            F(cents(revenue * (0.25 + 0.2 * rng.f())))
        };
        sink.row(&[
            S(&format!("O{:09}", i + 1)),
            S(&contact_id(o.contact)),
            T(o.at),
            F(revenue),
            margin,
            o.opportunity.as_deref().map_or(N, S),
        ]);
        let who = if w.contacts[o.contact].advocate {
            "advocate"
        } else {
            "other"
        };
        w.truth.count(&format!("{who}_order_revenue"), revenue);
    }
    w.done(sink)
}

fn leads_and_opportunities(
    w: &mut World,
    social: &Social,
    rng: &mut Rng,
    orders: &mut Vec<Order>,
) -> Result<()> {
    let mut leads = w.sink("leads")?;
    let mut opps = w.sink("opportunities")?;
    let mut next_opp = 0u64;
    let t1 = w.t1();
    let mut open_opportunity = |w: &mut World,
                                rng: &mut Rng,
                                opps: &mut super::sink::Sink,
                                contact: usize,
                                lead: Option<&str>,
                                source: &str,
                                at: i64| {
        next_opp += 1;
        w.opportunity_opened.push(at);
        let id = format!("P{:08}", next_opp);
        let amount = cents(rng.lognormal(
            if w.contacts[contact].buyer {
                2_500.0
            } else {
                1_200.0
            },
            0.8,
        ));
        let closed = at + rng.int(7, 90) * DAY;
        let (stage, closed_at) = if closed >= t1 {
            ("open", None)
        } else {
            match rng.f() {
                x if x < 0.4 => ("won", Some(closed)),
                x if x < 0.9 => ("lost", Some(closed)),
                _ => ("open", None),
            }
        };
        opps.row(&[
            S(&id),
            S(&contact_id(contact)),
            T(at),
            S(source),
            lead.map_or(N, S),
            S(stage),
            F(amount),
            closed_at.map_or(N, T),
        ]);
        if stage == "won" {
            orders.push(Order {
                contact,
                at: closed_at.expect("won has a close"),
                revenue: amount,
                opportunity: Some(id),
            });
        }
    };
    for l in &social.leads {
        let id = w.lead_id();
        // A lead of a contact is never created (or contacted) before the contact exists.
        let created = l.created.max(w.contacts[l.contact].created);
        let first_contacted = l.first_contacted.map(|f| f.max(created));
        leads.row(&[
            S(&id),
            S(&contact_id(l.contact)),
            T(created),
            S("social"),
            S(&l.mention_id),
            first_contacted.map_or(N, T),
            N,
        ]);
        let fast = first_contacted.is_some_and(|f| f - l.posted <= FAST_MINUTES * 60);
        let p = if fast {
            LEAD_CONVERSION_FAST
        } else {
            LEAD_CONVERSION_SLOW
        };
        let speed = if fast { "fast" } else { "slow" };
        w.truth.count(&format!("social_leads_{speed}"), 1.0);
        if rng.p(p) {
            w.truth
                .count(&format!("social_leads_{speed}_with_opportunity"), 1.0);
            let at = first_contacted.unwrap_or(created) + rng.int(DAY, 10 * DAY);
            open_opportunity(w, rng, &mut opps, l.contact, Some(&id), "social", at);
        }
    }
    let n_l = w.n(100_000.0, 100);
    let n_c = w.contacts.len();
    for _ in 0..n_l {
        let id = w.lead_id();
        let c = rng.idx(n_c);
        let created = rng.int(w.since(c), w.t1());
        let source = *rng.pick(SOURCES, SOURCE_W);
        let contacted = rng
            .p(0.8)
            .then(|| created + (rng.lognormal(24.0, 1.0) * 3600.0) as i64);
        let campaign = (matches!(source, "email" | "event" | "social") && rng.p(0.3))
            .then(|| {
                w.campaigns
                    .iter()
                    .position(|k| k.start <= created && created < k.end + DAY)
            })
            .flatten()
            .map(|k| format!("K{:04}", k + 1));
        leads.row(&[
            S(&id),
            S(&contact_id(c)),
            T(created),
            S(source),
            N,
            contacted.map_or(N, T),
            campaign.as_deref().map_or(N, S),
        ]);
        if rng.p(0.25) {
            let at = contacted.unwrap_or(created) + rng.int(DAY, 10 * DAY);
            open_opportunity(w, rng, &mut opps, c, Some(&id), source, at);
        }
    }
    for _ in 0..w.n(20_000.0, 20) {
        let c = rng.idx(n_c);
        let at = rng.int(w.since(c), w.t1());
        let source = *rng.pick(&["outbound", "referral", "partner"], &[0.5, 0.3, 0.2]);
        open_opportunity(w, rng, &mut opps, c, None, source, at);
    }
    w.opportunities = next_opp;
    w.done(leads)?;
    w.done(opps)
}

fn touchpoints(w: &mut World, rng: &mut Rng, orders: &mut Vec<Order>) -> Result<()> {
    let mut sink = w.sink("touchpoints")?;
    let n_t = w.n(5_000_000.0, 1_000);
    let n_c = w.contacts.len();
    for i in 0..n_t {
        let (channel, effect) = *rng.pick(CHANNEL_EFFECTS, TOUCH_W);
        let c = rng.idx(n_c);
        let at = rng.int(w.since(c), w.t1());
        let campaign = (matches!(
            channel,
            "social_paid" | "social_organic" | "email" | "display"
        ) && rng.p(0.7))
        .then(|| {
            w.campaigns
                .iter()
                .position(|k| k.start <= at && at < k.end + DAY)
        })
        .flatten();
        let use_case = match channel {
            "community" if rng.p(0.5) => Some("UC11"),
            "sales_call" if rng.p(0.3) => Some("UC08"),
            _ => None,
        };
        let cost = match channel {
            "social_paid" => Some(0.8),
            "display" => Some(0.3),
            "search" => Some(1.2),
            "email" => Some(0.05),
            "sales_call" => Some(12.0),
            _ => None,
        };
        let campaign_id = campaign.map(|k| format!("K{:04}", k + 1));
        sink.row(&[
            S(&format!("H{:09}", i + 1)),
            S(&contact_id(c)),
            T(at),
            S(channel),
            campaign_id.as_deref().map_or(N, S),
            use_case.map_or(N, S),
            cost.map_or(N, |x| F(cents(x * (0.5 + rng.f())))),
        ]);
        w.truth.count(&format!("touches_{channel}"), 1.0);
        if rng.p(effect) {
            let when = at + rng.int(0, 14 * DAY);
            if when < w.t1() {
                w.truth.count(&format!("touch_conversions_{channel}"), 1.0);
                orders.push(Order {
                    contact: c,
                    at: when,
                    revenue: rng.lognormal(90.0, 0.6),
                    opportunity: None,
                });
            }
        }
    }
    w.done(sink)
}

fn experiment(w: &mut World, rng: &mut Rng, orders: &mut Vec<Order>) -> Result<()> {
    let e = w.truth.planted.experiment.clone();
    let day = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .expect("valid date")
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp()
    };
    let (start, end) = (day(&e.start_date), day(&e.end_date) + DAY);
    // Buyers who exist when the experiment starts (none is assigned before it exists).
    let buyers: Vec<usize> = (0..w.contacts.len())
        .filter(|c| w.contacts[*c].buyer && w.contacts[*c].created < start - 3 * DAY)
        .collect();
    let n = w.n(20_000.0, 1_000).min(buyers.len());
    // Every k-th buyer, alternating arms: a deterministic, balanced assignment.
    let step = (buyers.len() / n.max(1)).max(1);
    let assigned: Vec<usize> = buyers.iter().step_by(step).take(n).copied().collect();
    let mut arm = vec![None; w.contacts.len()];
    for (k, c) in assigned.iter().enumerate() {
        arm[*c] = Some(k % 2 == 0);
    }
    // During the experiment, the assigned contacts buy only through the planted mechanism.
    orders.retain(|o| arm[o.contact].is_none() || o.at < start || o.at >= end);
    let mut exps = w.sink("experiments")?;
    exps.row(&[
        S(&e.id),
        S(&e.use_case),
        D(super::day_of(start)),
        D(super::day_of(end - DAY)),
        S("conversion"),
        F(0.5),
    ]);
    w.done(exps)?;
    let mut sink = w.sink("experiment_assignments")?;
    for c in assigned {
        let treated = arm[c].expect("assigned");
        let name = if treated { "treatment" } else { "control" };
        sink.row(&[
            S(&e.id),
            S(&contact_id(c)),
            S(name),
            T(start - rng.int(0, 3 * DAY)),
        ]);
        w.truth.count(&format!("experiment_{name}_contacts"), 1.0);
        if rng.p(if treated { e.p_treatment } else { e.p_control }) {
            w.truth.count(&format!("experiment_{name}_converted"), 1.0);
            orders.push(Order {
                contact: c,
                at: rng.int(start, end),
                revenue: rng.lognormal(80.0, 0.6),
                opportunity: None,
            });
        }
    }
    w.done(sink)
}

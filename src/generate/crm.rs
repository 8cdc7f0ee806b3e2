//! Generator stage 1: the CRM backbone: accounts, contacts, employees, campaigns and events
//! with their participations.

use super::rng::{Rng, cents};
use super::sink::V::{self, *};
use super::{Campaign, Contact, DAY, INDUSTRIES, World, contact_id, day_of, employee_id};
use crate::error::Result;

const COUNTRIES: &[&str] = &["IT", "DE", "FR", "ES", "GB", "US"];
const SEGMENTS: &[&str] = &["consumer", "smb", "enterprise"];
const DEPTS: &[&str] = &[
    "support",
    "marketing",
    "sales",
    "product",
    "rnd",
    "operations",
    "partner",
    "other",
];
const DEPT_W: &[f64] = &[0.35, 0.15, 0.20, 0.10, 0.08, 0.05, 0.05, 0.02];
const CAMPAIGN_UC: &[&str] = &["UC04", "UC04", "UC02", "UC05", "UC07", "UC08"];
const CAMPAIGN_CH: &[&str] = &["social_paid", "social_organic", "email", "display"];

/// Writes accounts, contacts, employees, campaigns, events and event participations.
pub fn generate(w: &mut World) -> Result<()> {
    let mut rng = Rng::new(w.opts.seed, "crm");
    let n_acc = w.n(20_000.0, 5);
    let mut accounts = w.sink("accounts")?;
    let mut acc_industry = Vec::with_capacity(n_acc);
    for i in 0..n_acc {
        let ind = rng.idx(INDUSTRIES.len());
        acc_industry.push(ind);
        let id = format!("A{:06}", i + 1);
        let name = format!("Company {}", i + 1);
        let seg = if rng.p(0.75) { "smb" } else { "enterprise" };
        accounts.row(&[
            S(&id),
            S(&name),
            S(INDUSTRIES[ind]),
            S(seg),
            S(COUNTRIES[rng.idx(COUNTRIES.len())]),
        ]);
    }
    w.done(accounts)?;

    let n_c = w.n(1_000_000.0, 200);
    let mut contacts = w.sink("contacts")?;
    let (t0, t1) = (w.t0, w.t1());
    for i in 0..n_c {
        let seg = *rng.pick(SEGMENTS, &[0.80, 0.15, 0.05]);
        let account = (seg != "consumer").then(|| rng.idx(n_acc));
        let industry = account.map_or_else(|| rng.idx(INDUSTRIES.len()), |a| acc_industry[a]);
        // 70 % of contacts predate the data; the rest arrive during it.
        let created = if rng.p(0.7) {
            t0 - rng.int(DAY, 730 * DAY)
        } else {
            rng.int(t0, t1)
        };
        let advocate = rng.p(0.05);
        let stage = *rng.pick(
            &["customer", "prospect", "lead", "churned"],
            &[0.60, 0.20, 0.15, 0.05],
        );
        let churn_p = if advocate { 0.02 } else { 0.06 };
        let churned_at = (stage == "churned" || (stage == "customer" && rng.p(churn_p)))
            .then(|| rng.int(created.max(t0), t1));
        let stage = if churned_at.is_some() {
            "churned"
        } else {
            stage
        };
        let id = contact_id(i);
        let acc_id = account.map(|a| format!("A{:06}", a + 1));
        let country = COUNTRIES[rng.idx(COUNTRIES.len())];
        let country = (!rng.p(0.05)).then_some(country);
        contacts.row(&[
            S(&id),
            acc_id.as_deref().map_or(N, S),
            T(created),
            S(seg),
            S(INDUSTRIES[industry]),
            country.map_or(N, S),
            S(stage),
            churned_at.map_or(N, T),
            B(advocate),
        ]);
        w.contacts.push(Contact {
            created,
            advocate,
            buyer: stage == "customer" || stage == "prospect",
            industry,
            country,
        });
    }
    w.done(contacts)?;

    let n_e = w.n(2_000.0, 40);
    let mut employees = w.sink("employees")?;
    for i in 0..n_e {
        // The first eight employees cover every department, so small samples have them all.
        let dept = match DEPTS.get(i) {
            Some(d) => *d,
            None => *rng.pick(DEPTS, DEPT_W),
        };
        let joined = t0 - rng.int(30 * DAY, 3650 * DAY);
        employees.row(&[
            S(&employee_id(i)),
            S(dept),
            if rng.p(0.1) { N } else { D(day_of(joined)) },
        ]);
        w.employees.push(dept);
    }
    w.done(employees)?;

    let n_camp = 12 + (100.0 * w.opts.scale).round() as usize;
    let mut campaigns = w.sink("campaigns")?;
    for i in 0..n_camp {
        let start = t0 + rng.int(0, 330) * DAY;
        let end = (start + rng.int(14, 90) * DAY).min(t1 - DAY);
        let uc = CAMPAIGN_UC[i % CAMPAIGN_UC.len()];
        let ch = CAMPAIGN_CH[rng.idx(CAMPAIGN_CH.len())];
        let budget = rng.lognormal(20_000.0 * w.opts.scale.max(0.05), 0.5);
        let id = format!("K{:04}", i + 1);
        let name = format!("Campaign {} ({ch})", i + 1);
        campaigns.row(&[
            S(&id),
            S(&name),
            S(uc),
            S(ch),
            D(day_of(start)),
            D(day_of(end)),
            if rng.p(0.2) { N } else { F(cents(budget)) },
        ]);
        w.campaigns.push(Campaign { start, end });
    }
    w.done(campaigns)?;
    events(w, &mut rng)
}

fn events(w: &mut World, rng: &mut Rng) -> Result<()> {
    let n_ev = 6 + (50.0 * w.opts.scale).round() as usize;
    let mut events = w.sink("events")?;
    let mut parts = w.sink("event_participations")?;
    let n_c = w.contacts.len();
    for i in 0..n_ev {
        let start = w.t0 + rng.int(10, 350) * DAY;
        let format = *rng.pick(&["physical", "virtual", "hybrid"], &[0.4, 0.35, 0.25]);
        let registrations =
            (rng.lognormal(400.0 * w.opts.scale.max(0.02), 0.4) as usize).clamp(5, n_c / 2);
        let id = format!("V{:04}", i + 1);
        // Distinct participants: a stride walk over contacts from a random offset.
        let offset = rng.idx(n_c);
        let mut stride = 7919 % n_c.max(1) + 1;
        while gcd(stride, n_c) != 1 {
            stride += 1;
        }
        let (mut onsite, mut online) = (0i64, 0i64);
        for k in 0..registrations {
            let c = (offset + k * stride) % n_c;
            let att: V = match (format, rng.f()) {
                ("physical", x) if x < 0.7 => S("onsite"),
                ("virtual", x) if x < 0.55 => S("online"),
                ("hybrid", x) if x < 0.35 => S("onsite"),
                ("hybrid", x) if x < 0.75 => S("online"),
                _ => S("no_show"),
            };
            match att {
                S("onsite") => onsite += 1,
                S("online") => online += 1,
                _ => {}
            }
            let reg = (start - rng.int(DAY, 40 * DAY)).max(w.contacts[c].created);
            parts.row(&[S(&id), S(&contact_id(c)), T(reg), att]);
        }
        let cost = match format {
            "physical" => 60.0,
            "hybrid" => 45.0,
            _ => 15.0,
        } * registrations as f64;
        let days = if format == "virtual" {
            0
        } else {
            rng.int(0, 3)
        };
        let name = format!("Event {} ({format})", i + 1);
        events.row(&[
            S(&id),
            S(&name),
            S(format),
            D(day_of(start)),
            D(day_of(start + days * DAY)),
            F(cents(cost)),
            I(registrations as i64),
            I(onsite),
            I(online),
        ]);
        w.events.push(start);
    }
    w.done(events)?;
    w.done(parts)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

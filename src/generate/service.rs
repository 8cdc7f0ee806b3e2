//! Generator stage 4: service and innovation: tickets on every channel (social ones from
//! responses; planted deflection by peer answers; fewer in Italy once the community opened),
//! channel costs, community threads and answers, ideas, collaborations on cases, and NPS
//! answers.

use super::rng::{Rng, cents};
use super::sink::{Sink, V::*};
use super::social::SocialTicket;
use super::truth::*;
use super::{DAY, World, contact_id, employee_id};
use crate::error::Result;

const CHANNELS: &[&str] = &[
    "phone",
    "ivr",
    "email",
    "fax",
    "web_form",
    "chat",
    "social",
    "community",
];
const CHANNEL_W: &[f64] = &[0.30, 0.08, 0.25, 0.01, 0.12, 0.14, 0.06, 0.04];
const COST: &[f64] = &[6.5, 1.2, 4.0, 7.5, 3.0, 3.5, 2.5, 0.4];
const TOPICS: &[&str] = &[
    "billing",
    "delivery",
    "product_quality",
    "app",
    "returns",
    "account",
];

struct TicketSpec<'a> {
    contact: Option<usize>,
    channel: &'a str,
    opened: i64,
    mention: Option<&'a str>,
}

fn ticket(w: &mut World, rng: &mut Rng, sink: &mut Sink, mut t: TicketSpec) {
    // A contact's ticket is never opened before the contact exists.
    if let Some(c) = t.contact {
        t.opened = t.opened.max(w.contacts[c].created);
    }
    let id = w.ticket_id(t.opened);
    let ch = CHANNELS
        .iter()
        .position(|c| *c == t.channel)
        .expect("known channel");
    let median_min = [3.0, 1.0, 240.0, 600.0, 180.0, 2.0, 40.0, 90.0][ch];
    let first = rng
        .p(0.95)
        .then(|| t.opened + (rng.lognormal(median_min, 1.0) * 60.0) as i64);
    let resolved = first
        .filter(|_| rng.p(0.9))
        .map(|f| f + (rng.lognormal(20.0, 1.2) * 3600.0) as i64);
    let csat = (resolved.is_some() && rng.p(0.4)).then(|| {
        let base = [3.6, 3.0, 3.5, 3.0, 3.4, 4.0, 4.1, 4.2][ch];
        (base + rng.normal()).round().clamp(1.0, 5.0) as i64
    });
    let topic = (!rng.p(0.1)).then(|| TOPICS[rng.idx(TOPICS.len())]);
    let priority = *rng.pick(
        &["low", "normal", "high", "urgent"],
        &[0.2, 0.6, 0.15, 0.05],
    );
    let handle = (t.channel != "ivr").then(|| cents(rng.lognormal(12.0, 0.6)));
    let contact = t.contact.map(contact_id);
    sink.row(&[
        S(&id),
        contact.as_deref().map_or(N, S),
        S(t.channel),
        T(t.opened),
        first.map_or(N, T),
        resolved.map_or(N, T),
        topic.map_or(N, S),
        S(priority),
        csat.map_or(N, I),
        B(rng.p(0.08)),
        t.mention.map_or(N, S),
        handle.map_or(N, F),
    ]);
}

/// Writes tickets, channel_costs, community_threads, community_answers, ideas, collaborations, nps_responses.
pub fn generate(w: &mut World, social_tickets: Vec<SocialTicket>) -> Result<()> {
    let mut rng = Rng::new(w.opts.seed, "service");
    let mut launch_rng = Rng::new(w.opts.seed, "launch_effects");
    let mut tickets = w.sink("tickets")?;
    let n_c = w.contacts.len();
    for _ in 0..w.n(2_000_000.0, 400) {
        let contact = rng.p(0.9).then(|| rng.idx(n_c));
        let channel = *rng.pick(CHANNELS, CHANNEL_W);
        let opened = rng.int(contact.map_or(w.t0, |c| w.since(c)), w.t1());
        let country = contact.and_then(|c| w.contacts[c].country);
        if super::launches::removes_ticket(w, &mut launch_rng, country, opened) {
            continue;
        }
        ticket(
            w,
            &mut rng,
            &mut tickets,
            TicketSpec {
                contact,
                channel,
                opened,
                mention: None,
            },
        );
    }
    for t in &social_tickets {
        ticket(
            w,
            &mut rng,
            &mut tickets,
            TicketSpec {
                contact: t.contact,
                channel: "social",
                opened: t.opened,
                mention: Some(&t.mention_id),
            },
        );
    }
    community(w, &mut rng, &mut tickets)?;
    w.done(tickets)?;

    let mut costs = w.sink("channel_costs")?;
    for (q, start) in ["2025-10-01", "2026-01-01", "2026-04-01", "2026-07-01"]
        .iter()
        .enumerate()
    {
        let d = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").expect("valid");
        for (ch, cost) in CHANNELS.iter().zip(COST) {
            let days =
                (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32;
            costs.row(&[S(ch), D(days), F(cents(cost * (1.0 + 0.01 * q as f64)))]);
        }
    }
    w.done(costs)?;
    ideas(w, &mut rng)?;
    collaborations(w, &mut rng)?;
    nps(w, &mut rng)
}

fn community(w: &mut World, rng: &mut Rng, tickets: &mut Sink) -> Result<()> {
    let mut threads = w.sink("community_threads")?;
    let mut answers = w.sink("community_answers")?;
    let n_c = w.contacts.len();
    let n_e = w.employees.len();
    let created_at: Vec<i64> = w.contacts.iter().map(|c| c.created).collect();
    let mut next_answer = 0u64;
    for i in 0..w.n(100_000.0, 150) {
        let id = format!("Q{:08}", i + 1);
        let last = w.t1() - DEFLECTION_DAYS * DAY;
        // A contact created too late to ask within the data asks nothing: the thread is
        // anonymous (never dated before its asker).
        let asker = rng
            .p(0.85)
            .then(|| rng.idx(n_c))
            .filter(|c| w.since(*c) < last);
        let created = rng.int(asker.map_or(w.t0, |c| w.since(c)), last);
        let first_by = *rng.pick(&["peer", "employee", "none"], &[0.55, 0.30, 0.15]);
        let accepted_by = match first_by {
            "peer" if rng.p(0.7) => "peer",
            "employee" if rng.p(0.6) => "employee",
            "none" => "none",
            _ if rng.p(0.3) => "none",
            other => {
                if other == "peer" {
                    "employee"
                } else {
                    "peer"
                }
            }
        };
        let first_at =
            (first_by != "none").then(|| created + (rng.lognormal(3.0, 1.0) * 3600.0) as i64);
        let topic = (!rng.p(0.1)).then(|| TOPICS[rng.idx(TOPICS.len())]);
        let asker_id = asker.map(contact_id);
        threads.row(&[
            S(&id),
            asker_id.as_deref().map_or(N, S),
            T(created),
            topic.map_or(N, S),
            first_at.map_or(N, T),
            S(first_by),
            S(accepted_by),
            I(rng.int(0, 2_000)),
        ]);
        if let Some(first) = first_at {
            let mut answer = |rng: &mut Rng, by: &str, at: i64, accepted: bool| {
                next_answer += 1;
                let (c, e, at) = if by == "peer" {
                    let peer = rng.idx(n_c);
                    // A peer answers once it exists as a contact.
                    (Some(contact_id(peer)), None, at.max(created_at[peer]))
                } else {
                    (None, Some(employee_id(rng.idx(n_e))), at)
                };
                answers.row(&[
                    S(&format!("W{:09}", next_answer)),
                    S(&id),
                    c.as_deref().map_or(N, S),
                    e.as_deref().map_or(N, S),
                    T(at),
                    B(accepted),
                ]);
            };
            answer(rng, first_by, first, accepted_by == first_by);
            if accepted_by != "none" && accepted_by != first_by {
                let at = first + (rng.lognormal(5.0, 1.0) * 3600.0) as i64;
                answer(rng, accepted_by, at, true);
            }
            for _ in 0..rng.poisson(1.0) {
                let by = if rng.p(0.7) { "peer" } else { "employee" };
                let at = first + (rng.lognormal(10.0, 1.0) * 3600.0) as i64;
                answer(rng, by, at, false);
            }
        }
        // Planted deflection: a peer's accepted answer spares most askers a ticket.
        if let Some(c) = asker {
            let peer = accepted_by == "peer";
            let key = if peer {
                "threads_peer_accepted_with_asker"
            } else {
                "threads_other_with_asker"
            };
            w.truth.count(key, 1.0);
            if rng.p(if peer {
                TICKET_AFTER_PEER_ACCEPTED
            } else {
                TICKET_OTHERWISE
            }) {
                w.truth.count(&format!("{key}_planted_ticket"), 1.0);
                let opened = created + rng.int(3600, DEFLECTION_DAYS * DAY - 3600);
                let channel = *rng.pick(&["phone", "email", "chat"], &[0.5, 0.3, 0.2]);
                ticket(
                    w,
                    rng,
                    tickets,
                    TicketSpec {
                        contact: Some(c),
                        channel,
                        opened,
                        mention: None,
                    },
                );
            }
        }
    }
    w.done(threads)?;
    w.done(answers)
}

fn ideas(w: &mut World, rng: &mut Rng) -> Result<()> {
    let mut sink = w.sink("ideas")?;
    let n_c = w.contacts.len();
    let n_e = w.employees.len();
    for i in 0..w.n(10_000.0, 60) {
        let source = *rng.pick(
            &["community", "social", "support", "employee", "partner"],
            &[0.35, 0.2, 0.15, 0.2, 0.1],
        );
        let (contact, employee) = match source {
            "employee" => (None, Some(employee_id(rng.idx(n_e)))),
            "partner" => (None, Some(employee_id(rng.idx(n_e)))),
            _ => (Some(rng.idx(n_c)), None),
        };
        let submitted = rng.int(contact.map_or(w.t0, |c| w.since(c)), w.t1());
        let contact = contact.map(contact_id);
        let implemented = rng.p(IDEA_IMPLEMENTATION);
        let status = if implemented {
            "implemented"
        } else {
            *rng.pick(
                &["submitted", "under_review", "accepted", "rejected"],
                &[0.3, 0.25, 0.1, 0.35],
            )
        };
        let implemented_at = implemented.then(|| submitted + rng.int(20, 200) * DAY);
        let value = (implemented && rng.p(0.7))
            .then(|| cents(rng.lognormal(15_000.0 * w.opts.scale.max(0.05), 0.8)));
        let topic = ["checkout", "app", "battery", "packaging", "delivery"][rng.idx(5)];
        sink.row(&[
            S(&format!("I{:07}", i + 1)),
            contact.as_deref().map_or(N, S),
            employee.as_deref().map_or(N, S),
            T(submitted),
            S(source),
            S(topic),
            I(rng.poisson(6.0) as i64),
            S(status),
            implemented_at.map_or(N, T),
            value.map_or(N, F),
        ]);
        if source != "employee" {
            w.truth.count("ideas_non_employee", 1.0);
            if implemented {
                w.truth.count("ideas_non_employee_implemented", 1.0);
            }
        }
    }
    w.done(sink)
}

fn collaborations(w: &mut World, rng: &mut Rng) -> Result<()> {
    let mut sink = w.sink("collaborations")?;
    let by_dept = |dept: &str| -> Vec<usize> {
        (0..w.employees.len())
            .filter(|e| w.employees[*e] == dept)
            .collect()
    };
    let (support, sales, partners) = (by_dept("support"), by_dept("sales"), by_dept("partner"));
    let n_e = w.employees.len();
    let mut cases: Vec<(&str, String, &Vec<usize>, i64)> = Vec::new();
    for t in 0..w.next_ticket {
        if rng.p(0.2) {
            let opened = w.ticket_opened[t as usize];
            cases.push(("ticket", format!("T{:08}", t + 1), &support, opened));
        }
    }
    for o in 0..w.opportunities {
        if rng.p(0.5) {
            let opened = w.opportunity_opened[o as usize];
            cases.push(("opportunity", format!("P{:08}", o + 1), &sales, opened));
        }
    }
    let (t0, t1) = (w.t0, w.t1());
    let mut realized = (0.0, 0.0, 0.0);
    for (kind, id, owners, opened) in &cases {
        let mut team = vec![owners[rng.idx(owners.len())]];
        for _ in 0..rng.poisson(0.5) {
            team.push(rng.idx(n_e));
        }
        if !partners.is_empty() && rng.p(PARTNER_CASE_SHARE) {
            team.push(partners[rng.idx(partners.len())]);
        }
        team.sort_unstable();
        team.dedup();
        // people work on a case once it is open: the draw over the window is placed between
        // the case's opening and the window's end (a case opened later gets its opening time)
        let drawn = rng.int(0, super::DAYS * DAY);
        let at = if *opened < t1 {
            let start = (*opened).max(t0);
            start + ((drawn as i128 * (t1 - start) as i128) / (t1 - t0) as i128) as i64
        } else {
            *opened
        };
        for e in &team {
            sink.row(&[S(kind), S(id), S(&employee_id(*e)), T(at)]);
        }
        let depts: std::collections::BTreeSet<&str> =
            team.iter().map(|e| w.employees[*e]).collect();
        // The truth is about the cases of the data's year (UC14/UC16 count cases opened in
        // the window); an opportunity opened after its end still gets its rows.
        if *opened < t1 {
            realized.0 += 1.0;
            realized.1 += f64::from(depts.len() >= 2);
            realized.2 += f64::from(depts.contains("partner"));
        }
    }
    w.truth.count("collaborated_cases", realized.0);
    w.truth.count("cross_department_cases", realized.1);
    w.truth.count("partner_cases", realized.2);
    w.done(sink)
}

fn nps(w: &mut World, rng: &mut Rng) -> Result<()> {
    let mut sink = w.sink("nps_responses")?;
    let n_c = w.contacts.len();
    for _ in 0..w.n(50_000.0, 100) {
        let c = rng.idx(n_c);
        let base = if w.contacts[c].advocate { 9.3 } else { 7.2 };
        let score = (base + 1.8 * rng.normal()).round().clamp(0.0, 10.0) as i64;
        let at = rng.int(w.since(c), w.t1());
        let tp = ["after_purchase", "after_support", "quarterly"][rng.idx(3)];
        sink.row(&[S(&contact_id(c)), T(at), I(score), S(tp)]);
    }
    w.done(sink)
}

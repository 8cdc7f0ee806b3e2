//! Generator stage 2: listening and engagement: social identities, mentions (with a planted
//! PR crisis), the brand's responses, and the leads and tickets those responses create.

use super::rng::{Rng, cents};
use super::sink::Sink;
use super::sink::V::*;
use super::truth::*;
use super::{BRAND, COMPETITORS, DAY, World, contact_id, employee_id};
use crate::error::Result;

const NETWORKS: &[&str] = &[
    "x",
    "facebook",
    "instagram",
    "linkedin",
    "youtube",
    "tiktok",
    "forum",
    "blog",
    "community",
];
const NETWORK_W: &[f64] = &[0.25, 0.2, 0.2, 0.1, 0.05, 0.08, 0.05, 0.03, 0.04];
const INTENTS: &[&str] = &[
    "question",
    "complaint",
    "praise",
    "purchase_intent",
    "idea",
    "other",
];
const INTENT_W: &[f64] = &[0.18, 0.12, 0.20, 0.08, 0.04, 0.38];
const TOPICS: &[&str] = &[
    "pricing",
    "delivery",
    "product_quality",
    "app",
    "battery",
    "service",
    "returns",
];

/// A ticket opened by a social response, written by the service stage.
pub(crate) struct SocialTicket {
    /// Opening time.
    pub opened: i64,
    /// Contact index, when the author is matched.
    pub contact: Option<usize>,
    /// The mention.
    pub mention_id: String,
}

/// A lead captured from a social post, written by the commerce stage.
pub(crate) struct SocialLead {
    /// Capture time (the response).
    pub created: i64,
    /// Contact index.
    pub contact: usize,
    /// The mention.
    pub mention_id: String,
    /// The mention's posting time.
    pub posted: i64,
    /// First sales touch.
    pub first_contacted: Option<i64>,
}

/// What later stages need from this one.
pub(crate) struct Social {
    /// Tickets to write.
    pub tickets: Vec<SocialTicket>,
    /// Social leads to write.
    pub leads: Vec<SocialLead>,
}

struct Author {
    network: usize,
    reach: i64,
    contact: Option<usize>,
}

fn handle(i: usize) -> String {
    format!("u{:07}", i + 1)
}

/// Writes social_identities, social_mentions and social_responses.
pub fn generate(w: &mut World) -> Result<Social> {
    let mut rng = Rng::new(w.opts.seed, "social");
    let n_auth = w.n(300_000.0, 300);
    let authors = identities(w, &mut rng, n_auth)?;

    let n_m = w.n(10_000_000.0, 2_000);
    let crisis_t0 = chrono::NaiveDate::parse_from_str(CRISIS_DAY, "%Y-%m-%d")
        .expect("valid crisis day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp();
    // Negative own-brand mentions per day ≈ n_m × 0.92 × 0.6 × 0.25 / 365; the crisis adds 12× that.
    let crisis_extra = ((n_m as f64 * 0.92 * 0.6 * OWN_SENTIMENT[2] / 365.0) * 12.0)
        .round()
        .max(10.0) as usize;
    let mut mentions = w.sink("social_mentions")?;
    let mut responses = w.sink("social_responses")?;
    let mut out = Social {
        tickets: Vec::new(),
        leads: Vec::new(),
    };
    let mut own_author = vec![false; n_auth];
    let mut next_response = 0u64;
    let staff = |dept: &str| -> Vec<usize> {
        (0..w.employees.len())
            .filter(|e| w.employees[*e] == dept)
            .collect()
    };
    let staff = Staff {
        support: staff("support"),
        sales: staff("sales"),
        marketing: staff("marketing"),
    };
    for i in 0..n_m + crisis_extra {
        let crisis = i >= n_m;
        let id = format!("M{:09}", i + 1);
        let posted = if crisis {
            crisis_t0 + rng.int(0, DAY)
        } else {
            rng.int(w.t0, w.t1())
        };
        let brand_post = !crisis && rng.p(0.08);
        let brand = if brand_post || crisis {
            BRAND
        } else {
            *rng.pick(&[BRAND, COMPETITORS[0], COMPETITORS[1]], &[0.6, 0.25, 0.15])
        };
        let own = brand == BRAND && !brand_post;
        let author_idx = ((rng.f().powi(2)) * n_auth as f64) as usize % n_auth;
        let (network, handle_s, reach) = if brand_post {
            let net = rng.weighted(&NETWORK_W[..6]);
            (net, format!("{BRAND}_official"), 50_000)
        } else {
            let a = &authors[author_idx];
            (a.network, handle(author_idx), a.reach)
        };
        let (sentiment, intent, score, topic) = content(&mut rng, crisis, brand_post, own);
        let engaged = |rng: &mut Rng, rate: f64| (reach as f64 * rate * rng.f()).round() as i64;
        let (likes, shares, comments) = (
            engaged(&mut rng, 0.04),
            engaged(&mut rng, 0.006),
            engaged(&mut rng, 0.008),
        );
        let campaign = if brand == BRAND && (brand_post || rng.p(0.1)) {
            w.campaigns
                .iter()
                .position(|c| c.start <= posted && posted < c.end + DAY)
        } else {
            None
        };
        let campaign_id = campaign.map(|c| format!("K{:04}", c + 1));
        let event = (brand == BRAND && rng.p(0.03)).then(|| rng.idx(w.events.len()));
        let event_id = event.map(|e| format!("V{:04}", e + 1));
        mentions.row(&[
            S(&id),
            S(NETWORKS[network]),
            S(&handle_s),
            T(posted),
            S(brand),
            B(brand_post),
            S(sentiment),
            if rng.p(0.15) { N } else { F(cents(score)) },
            S(intent),
            topic.map_or(N, S),
            I(reach),
            I(likes),
            I(shares),
            I(comments),
            campaign_id.as_deref().map_or(N, S),
            event_id.as_deref().map_or(N, S),
        ]);
        if brand_post {
            continue;
        }
        if !own {
            w.truth.count("non_brand_mentions", 1.0);
            continue;
        }
        w.truth.count("non_brand_mentions", 1.0);
        w.truth.count("own_mentions", 1.0);
        w.truth.count(&format!("own_{sentiment}"), 1.0);
        own_author[author_idx] = true;
        let actionable = matches!(intent, "question" | "complaint" | "purchase_intent");
        let answered = if actionable {
            rng.p(RESPONSE_PROBABILITY)
        } else {
            rng.p(0.1)
        };
        if actionable {
            w.truth.count("actionable_mentions", 1.0);
        }
        if !answered {
            continue;
        }
        if actionable {
            w.truth.count("actionable_answered", 1.0);
        }
        let answered = Answered {
            id: &id,
            posted,
            intent,
            actionable,
            contact: authors[author_idx].contact,
        };
        respond(
            w,
            &mut rng,
            &answered,
            &staff,
            &mut responses,
            &mut next_response,
            &mut out,
        );
    }
    w.done(mentions)?;
    w.done(responses)?;
    let own_authors = own_author.iter().filter(|x| **x).count() as f64;
    let matched = own_author
        .iter()
        .zip(&authors)
        .filter(|(o, a)| **o && a.contact.is_some())
        .count() as f64;
    w.truth.count("own_authors", own_authors);
    w.truth.count("own_matched_authors", matched);
    w.truth
        .count("crisis_extra_negative_mentions", crisis_extra as f64);
    Ok(out)
}

/// The authors of mentions, and social_identities for those matched to a contact.
fn identities(w: &mut World, rng: &mut Rng, n_auth: usize) -> Result<Vec<Author>> {
    let mut identities = w.sink("social_identities")?;
    let mut authors = Vec::with_capacity(n_auth);
    for i in 0..n_auth {
        let network = rng.weighted(NETWORK_W);
        let reach = rng.lognormal(300.0, 1.8).round() as i64;
        let contact = rng.p(IDENTITY_MATCH).then(|| rng.idx(w.contacts.len()));
        if let Some(c) = contact {
            let method = *rng.pick(
                &["email", "loyalty", "login", "manual", "fuzzy"],
                &[0.35, 0.25, 0.25, 0.05, 0.10],
            );
            let at = (w.t0 - rng.int(0, 400 * DAY)).max(w.contacts[c].created);
            identities.row(&[
                S(NETWORKS[network]),
                S(&handle(i)),
                S(&contact_id(c)),
                S(method),
                T(at),
            ]);
        }
        authors.push(Author {
            network,
            reach,
            contact,
        });
    }
    w.done(identities)?;
    Ok(authors)
}

/// The staff of each team, by employee index.
struct Staff {
    support: Vec<usize>,
    sales: Vec<usize>,
    marketing: Vec<usize>,
}

/// An own-brand mention that is answered.
struct Answered<'a> {
    id: &'a str,
    posted: i64,
    intent: &'a str,
    actionable: bool,
    contact: Option<usize>,
}

/// Writes the responses to mention `m` (one, sometimes two) and the tickets and leads they
/// create.
fn respond(
    w: &mut World,
    rng: &mut Rng,
    m: &Answered,
    staff: &Staff,
    responses: &mut Sink,
    next_response: &mut u64,
    out: &mut Social,
) {
    let n_resp = if rng.p(0.15) { 2 } else { 1 };
    let mut at = m.posted;
    for k in 0..n_resp {
        at += (rng.lognormal(45.0, 1.0) * 60.0).round() as i64 + 60;
        let team = match m.intent {
            "complaint" | "question" if rng.p(0.7) => "support",
            "purchase_intent" => "sales",
            "complaint" | "question" => "marketing",
            _ => "marketing",
        };
        let outcome = match (m.intent, k, rng.f()) {
            (_, 1, _) => "answered",
            ("complaint", _, x) if x < 0.35 => "ticket_created",
            ("complaint", _, x) if x < 0.40 => "escalated",
            ("question", _, x) if x < 0.15 => "ticket_created",
            ("purchase_intent", _, x) if x < 0.5 => "lead_created",
            (_, _, x) if x < 0.05 => "none",
            _ => "answered",
        };
        *next_response += 1;
        let pool = match team {
            "support" => &staff.support,
            "sales" => &staff.sales,
            _ => &staff.marketing,
        };
        let employee = (!pool.is_empty()).then(|| employee_id(pool[rng.idx(pool.len())]));
        responses.row(&[
            S(&format!("R{:09}", *next_response)),
            S(m.id),
            T(at),
            S(team),
            employee.as_deref().map_or(N, S),
            S(outcome),
        ]);
        if m.actionable {
            w.truth.count("actionable_responses", 1.0);
            if matches!(outcome, "ticket_created" | "lead_created") {
                w.truth.count("actionable_routed", 1.0);
            }
        }
        let contact = m.contact;
        match (outcome, contact) {
            ("ticket_created", _) => out.tickets.push(SocialTicket {
                opened: at,
                contact,
                mention_id: m.id.to_string(),
            }),
            ("lead_created", Some(c)) => {
                let first_contacted = rng
                    .p(0.9)
                    .then(|| m.posted + (rng.lognormal(90.0, 1.0) * 60.0).round() as i64);
                out.leads.push(SocialLead {
                    created: at,
                    contact: c,
                    mention_id: m.id.to_string(),
                    posted: m.posted,
                    first_contacted,
                });
            }
            _ => {}
        }
    }
}

/// What a mention says: sentiment, intent, sentiment score and topic.
fn content(
    rng: &mut Rng,
    crisis: bool,
    brand_post: bool,
    own: bool,
) -> (&'static str, &'static str, f64, Option<&'static str>) {
    let sentiment = if crisis {
        "negative"
    } else if brand_post {
        if rng.p(0.6) { "positive" } else { "neutral" }
    } else if own {
        *rng.pick(&["positive", "neutral", "negative"], &OWN_SENTIMENT)
    } else {
        *rng.pick(&["positive", "neutral", "negative"], &[0.40, 0.35, 0.25])
    };
    let intent = if brand_post {
        "other"
    } else if crisis {
        "complaint"
    } else {
        *rng.pick(INTENTS, INTENT_W)
    };
    let score = match sentiment {
        "positive" => 0.2 + 0.8 * rng.f(),
        "negative" => -0.2 - 0.8 * rng.f(),
        _ => 0.4 * rng.f() - 0.2,
    };
    let topic = if crisis {
        Some("product_quality")
    } else {
        (!rng.p(0.1)).then(|| TOPICS[rng.idx(TOPICS.len())])
    };
    (sentiment, intent, score, topic)
}

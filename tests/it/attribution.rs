//! Attribution models on journeys small enough to work out by hand.
//!
//! J1 (value 100): A 10 days before, B 2 days before.  J2 (50): B 1 day before.
//! J3 (30): A 20 days, C 10 days, B 0 days (C's campaign serves UC04).  J4 (20): no touch.
//! Non-converting paths: [A], [C].

use crate::util::close;
use misura::analyses::attribution::journeys::{Journey, Journeys, Touch};
use misura::analyses::attribution::rules::Rule;
use misura::analyses::attribution::{Markov, Model, NO_TOUCH, Shapley, attribute};

fn touch(channel: &str, days: f64) -> Touch {
    Touch {
        channel: channel.into(),
        use_case: (channel == "C").then(|| "UC04".into()),
        days_before: days,
        campaign: (channel != "B").then(|| format!("K-{channel}")),
    }
}

pub fn journeys() -> Journeys {
    Journeys {
        converting: vec![
            Journey {
                contact: "p1".into(),
                value: 100.0,
                margin: 100.0 * 0.4,
                touches: vec![touch("A", 10.0), touch("B", 2.0)],
            },
            Journey {
                contact: "p2".into(),
                value: 50.0,
                margin: 50.0 * 0.4,
                touches: vec![touch("B", 1.0)],
            },
            Journey {
                contact: "p3".into(),
                value: 30.0,
                margin: 30.0 * 0.4,
                touches: vec![touch("A", 20.0), touch("C", 10.0), touch("B", 0.0)],
            },
            Journey {
                contact: "p4".into(),
                value: 20.0,
                margin: 20.0 * 0.4,
                touches: vec![],
            },
        ],
        non_converting: vec![vec!["A".into()], vec!["C".into()]],
        path_contacts: vec!["p5".into(), "p1".into()],
    }
}

fn credit(model: &dyn Model, channel: &str) -> (f64, f64) {
    let rows = attribute(&journeys(), &[model]).unwrap();
    rows.iter()
        .find(|r| r.channel == channel && r.use_case.is_none())
        .map_or((0.0, 0.0), |r| (r.conversions, r.revenue))
}

fn check(model: &dyn Model, expected: &[(&str, f64, f64)]) {
    for (channel, conv, rev) in expected {
        let (c, r) = credit(model, channel);
        close(
            c,
            *conv,
            1e-6,
            &format!("{} conversions of {channel}", model.id()),
        );
        close(
            r,
            *rev,
            1e-4,
            &format!("{} revenue of {channel}", model.id()),
        );
    }
    // Credits of every model sum to the conversions (4) and their revenue (200).
    let rows = attribute(&journeys(), &[model]).unwrap();
    let totals = rows
        .iter()
        .filter(|r| r.use_case.is_none())
        .fold((0.0, 0.0), |a, r| (a.0 + r.conversions, a.1 + r.revenue));
    close(totals.0, 4.0, 1e-9, "sum of conversions");
    close(totals.1, 200.0, 1e-9, "sum of revenue");
    assert!(
        rows.iter().all(|r| r.coverage == Some(0.75)),
        "3 of 4 conversions have a touch"
    );
}

#[test]
fn first_and_last_touch() {
    // First: J1→A, J2→B, J3→A.  Last: B in every journey.  J4 → (no touch) under both.
    check(
        &Rule::FirstTouch,
        &[
            ("A", 2.0, 130.0),
            ("B", 1.0, 50.0),
            ("C", 0.0, 0.0),
            (NO_TOUCH, 1.0, 20.0),
        ],
    );
    check(
        &Rule::LastTouch,
        &[("A", 0.0, 0.0), ("B", 3.0, 180.0), (NO_TOUCH, 1.0, 20.0)],
    );
}

#[test]
fn linear_and_position_based() {
    // Linear: J1 ½ A ½ B; J2 1 B; J3 ⅓ each → A 5/6 (50 + 10), B 11/6 (50 + 50 + 10), C ⅓ (10).
    check(
        &Rule::Linear,
        &[
            ("A", 5.0 / 6.0, 60.0),
            ("B", 11.0 / 6.0, 110.0),
            ("C", 1.0 / 3.0, 10.0),
        ],
    );
    // Position based: J1 (n = 2) ½ ½; J2 1; J3 0.4 A, 0.2 C, 0.4 B.
    // A 0.9 (50 + 12), B 1.9 (50 + 50 + 12), C 0.2 (6).
    check(
        &Rule::PositionBased,
        &[("A", 0.9, 62.0), ("B", 1.9, 112.0), ("C", 0.2, 6.0)],
    );
}

#[test]
fn time_decay_with_a_seven_day_half_life() {
    // J1: 2^(-10/7) = 0.3714986, 2^(-2/7) = 0.8203354, sum 1.1918339 → A 0.3117033, B 0.6882967.
    // J3: 2^(-20/7) = 0.1380112, 2^(-10/7) = 0.3714986, 2^0 = 1, sum 1.5095098 →
    //     A 0.0914278, C 0.2461054, B 0.6624667.
    // A = 0.3117033 + 0.0914278 = 0.4031311 (31.17033 + 2.74283 = 33.91316 revenue);
    // B = 0.6882967 + 1 + 0.6624667 = 2.3507634 (68.82967 + 50 + 19.87400 = 138.70367);
    // C = 0.2461054 (7.38316).
    check(
        &Rule::TimeDecay(7.0),
        &[
            ("A", 0.403_131_1, 33.913_16),
            ("B", 2.350_763_4, 138.703_67),
            ("C", 0.246_105_4, 7.383_16),
        ],
    );
}

#[test]
fn markov_removal_effects_solved_by_hand() {
    // Transitions: start→A 3 (J1, J3, [A]), start→B 1, start→C 1; A→B 1, A→C 1, A→null 1;
    // B→conversion 3; C→B 1, C→null 1. So P(B) = 1, P(C) = ½, P(A) = ⅓ + ⅓·½ = ½,
    // P(start) = ⅗·½ + ⅕·1 + ⅕·½ = 0.6.
    // Without A: start→A goes to null: ⅕ + ⅕·½ = 0.3 → RE_A = 1 − 0.3/0.6 = ½.
    // Without B: nothing converts → RE_B = 1. Without C: P(A) = ⅓, P = ⅗·⅓ + ⅕ = 0.4 → RE_C = ⅓.
    // Shares: RE / Σ RE (11/6): A 3/11, B 6/11, C 2/11 of 3 touched conversions (180 revenue).
    check(
        &Markov(1),
        &[
            ("A", 9.0 / 11.0, 180.0 * 3.0 / 11.0),
            ("B", 18.0 / 11.0, 180.0 * 6.0 / 11.0),
            ("C", 6.0 / 11.0, 180.0 * 2.0 / 11.0),
            (NO_TOUCH, 1.0, 20.0),
        ],
    );
    // C's credit goes to UC04, the use case of all its touches in converting journeys.
    let rows = attribute(&journeys(), &[&Markov(1)]).unwrap();
    let c = rows
        .iter()
        .find(|r| r.channel == "C" && r.use_case.as_deref() == Some("UC04"))
        .unwrap();
    close(c.conversions, 6.0 / 11.0, 1e-9, "C → UC04");
}

#[test]
fn markov_is_exact_and_order_changes_the_states() {
    // The same data gives the same credit every time (a linear solve, not a simulation).
    let a = attribute(&journeys(), &[&Markov(2)]).unwrap();
    let b = attribute(&journeys(), &[&Markov(2)]).unwrap();
    assert_eq!(a, b);
    let total: f64 = a
        .iter()
        .filter(|r| r.use_case.is_none())
        .map(|r| r.conversions)
        .sum();
    close(total, 4.0, 1e-9, "order 2 credits sum to the conversions");
    assert!(
        misura::analyses::attribution::models(7.0, 4, 15).is_err(),
        "order 4 is refused"
    );
}

#[test]
fn shapley_values_worked_out_by_hand() {
    // Channel sets: J1 {A,B} conv, J2 {B} conv, J3 {A,B,C} conv, [A] and [C] not converting.
    // CR(S) over the paths whose set ⊆ S: {A} 0/1, {B} 1/1, {C} 0/1, {A,B} 2/3, {A,C} 0/2,
    // {B,C} 1/2, {A,B,C} 3/5. Weights for n = 3: |S| = 0 → 1/3, 1 → 1/6, 2 → 1/3.
    // φ_A = 1/6·(2/3 − 1) + 1/3·(3/5 − 1/2) = −1/45;
    // φ_B = 1/3·1 + 1/6·(2/3) + 1/6·(1/2) + 1/3·(3/5) = 131/180;
    // φ_C = 1/6·(1/2 − 1) + 1/3·(3/5 − 2/3) = −19/180 (Σφ = 3/5 = CR(N), as it must).
    // Only B is positive: it takes the 3 touched conversions and their 180 of revenue.
    check(
        &Shapley(15),
        &[
            ("A", 0.0, 0.0),
            ("B", 3.0, 180.0),
            ("C", 0.0, 0.0),
            (NO_TOUCH, 1.0, 20.0),
        ],
    );
    let err = attribute(&journeys(), &[&Shapley(2)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("3 channels exceed shapley_max_channels = 2")
            && err.contains("group channels"),
        "{err}"
    );
}

#[tokio::test]
async fn the_sample_run_writes_attribution_whose_credits_sum_to_the_conversions() {
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(&crate::util::sample_dir(), out.path(), None)
        .await
        .unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/attribution.csv")).unwrap();
    let mut totals: std::collections::BTreeMap<String, f64> = Default::default();
    for r in rdr.records() {
        let r = r.unwrap();
        if r[2].is_empty() {
            *totals.entry(r[0].to_string()).or_default() += r[3].parse::<f64>().unwrap();
        }
    }
    let models: Vec<&String> = totals.keys().collect();
    assert_eq!(
        models,
        [
            "first_touch",
            "last_touch",
            "linear",
            "markov",
            "position_based",
            "shapley",
            "time_decay"
        ]
    );
    let first = totals["first_touch"];
    assert!(first > 100.0, "the sample has conversions: {first}");
    for (m, t) in &totals {
        close(
            *t,
            first,
            1e-6,
            &format!("{m} credits sum to the conversions"),
        );
    }
}

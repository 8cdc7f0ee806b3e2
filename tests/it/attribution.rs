//! Attribution models on journeys small enough to work out by hand.
//!
//! J1 (value 100): A 10 days before, B 2 days before.  J2 (50): B 1 day before.
//! J3 (30): A 20 days, C 10 days, B 0 days (C's campaign serves UC04).  J4 (20): no touch.
//! Non-converting paths: [A], [C].

use crate::util::close;
use misura::analyses::attribution::journeys::spans;
use misura::analyses::attribution::journeys::{Journey, Journeys, Touch};
use misura::analyses::attribution::rules::Rule;
use misura::analyses::attribution::{
    Markov, Model, NO_TOUCH, Shapley, ShapleyIncremental, attribute,
};

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
            "shapley_incremental",
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

const DAY: f64 = 86_400.0;

/// Journeys [A] and [B] convert; the contact q's other touches are A at day 0, B at day 10
/// and B at day 30 exactly: with a 30-day lookback they are two spans, [A, B] and [B] (a touch
/// exactly 30 days after the span's first starts the next one).
fn spans_fixture() -> Journeys {
    let touches = [(0.0, "A"), (10.0 * DAY, "B"), (30.0 * DAY, "B")];
    let cut = spans(&touches, 30.0);
    Journeys {
        converting: ["A", "B"]
            .iter()
            .map(|c| Journey {
                contact: format!("p{c}"),
                value: 10.0,
                margin: 4.0,
                touches: vec![touch(c, 1.0)],
            })
            .collect(),
        path_contacts: vec!["q".into(); cut.len()],
        non_converting: cut
            .into_iter()
            .map(|s| s.into_iter().map(str::to_string).collect())
            .collect(),
    }
}

fn credit_of(j: &Journeys, model: &dyn Model) -> std::collections::BTreeMap<String, f64> {
    attribute(j, &[model])
        .unwrap()
        .into_iter()
        .filter(|r| r.use_case.is_none())
        .map(|r| (r.channel, r.conversions))
        .collect()
}

#[test]
fn non_converting_touches_are_cut_into_spans_of_the_lookback() {
    let at = |d: f64| d * DAY;
    // Less than 30 days after the span's first: same span; exactly 30: a new one.
    let t = [
        (at(0.0), "A"),
        (at(29.999), "B"),
        (at(30.0), "C"),
        (at(45.0), "A"),
        (at(59.999), "B"),
        (at(60.0), "C"),
    ];
    assert_eq!(
        spans(&t, 30.0),
        [vec!["A", "B"], vec!["C", "A", "B"], vec!["C"]]
    );
    // A span is measured from its first touch, not from the previous touch.
    let chain = [(at(0.0), "A"), (at(20.0), "A"), (at(40.0), "A")];
    assert_eq!(spans(&chain, 30.0), [vec!["A", "A"], vec!["A"]]);
    assert!(spans(&[], 30.0).is_empty());
    assert_eq!(spans_fixture().non_converting, [vec!["A", "B"], vec!["B"]]);
}

#[test]
fn markov_on_spans_solved_by_hand() {
    // start→A 2 (journey A, span AB), start→B 2 (journey B, span B); A→conv 1, A→B 1;
    // B→conv 1, B→null 2. P_B = 1/3, P_A = ½ + ½·⅓ = ⅔, P = ½·⅔ + ½·⅓ = ½.
    // Without A: P = ½·⅓ = ⅙, RE_A = ⅔. Without B: P = ½·½ = ¼, RE_B = ½.
    // Shares 4/7 and 3/7 of the 2 touched conversions. (One path [A, B, B] instead of the two
    // spans would give A 1.2 and B 0.8.)
    let c = credit_of(&spans_fixture(), &Markov(1));
    close(c["A"], 8.0 / 7.0, 1e-9, "markov A");
    close(c["B"], 6.0 / 7.0, 1e-9, "markov B");
}

#[test]
fn shapley_on_spans_worked_out_by_hand() {
    // CR({A}) = 1/1, CR({B}) = 1/2 (journey B, span B), CR({A,B}) = 2/4.
    // φ_A = ½(1 − 0) + ½(½ − ½) = ½; φ_B = ½(½ − 0) + ½(½ − 1) = 0: A takes both.
    // (One path [A, B, B] would give CR({B}) = 1, CR({A,B}) = ⅔ and one each.)
    let c = credit_of(&spans_fixture(), &Shapley(15));
    close(c["A"], 2.0, 1e-9, "shapley A");
    close(c.get("B").copied().unwrap_or(0.0), 0.0, 1e-9, "shapley B");
}

fn incremental_fixture(converting: &[&[&str]], untouched: usize, paths: &[&[&str]]) -> Journeys {
    let journey = |touches: &[&str]| Journey {
        contact: "p".into(),
        value: 10.0,
        margin: 4.0,
        touches: touches.iter().map(|c| touch(c, 1.0)).collect(),
    };
    Journeys {
        converting: converting
            .iter()
            .map(|t| journey(t))
            .chain((0..untouched).map(|_| journey(&[])))
            .collect(),
        non_converting: paths
            .iter()
            .map(|p| p.iter().map(|c| c.to_string()).collect())
            .collect(),
        path_contacts: vec!["q".into(); paths.len()],
    }
}

#[test]
fn incremental_shapley_worked_out_by_hand() {
    // Journeys [A] and [A, B] convert, one conversion has no touch; spans [A], [B], [B, B].
    // q = 2/3 of the spans hold one touch, so the 1 untouched conversion stands for
    // 1 · (1/3)/(2/3) = ½ baseline conversion among the 5 paths: b = 0.1.
    // φ_A = 0.9 + 0.9/2 − 0.1 = 1.25; φ_B = 0.9/2 − 0.1 − 0.1 = 0.25 (a brute-force sum over
    // coalitions gives the same: v(A) = 0.8, v(B) = −0.2, v(AB) = 1.5).
    // Credit: 5/6 and 1/6 of the 2 touched conversions; the untouched one is (no touch).
    let j = incremental_fixture(&[&["A"], &["A", "B"]], 1, &[&["A"], &["B"], &["B", "B"]]);
    close(
        misura::analyses::attribution::shapley::baseline_rate(2.0, 1.0, 3.0, 2.0),
        0.1,
        1e-12,
        "baseline rate",
    );
    let c = credit_of(&j, &ShapleyIncremental(15));
    close(c["A"], 5.0 / 3.0, 1e-9, "A");
    close(c["B"], 1.0 / 3.0, 1e-9, "B");
    close(c[NO_TOUCH], 1.0, 1e-9, "(no touch)");
    // A channel whose paths convert below the baseline is clipped: journey [A]; spans [B],
    // [B], [A, B]; one untouched. q = 2/3, b = ½/4 = 0.125; φ_A = 0.875 − 0.0625 = 0.8125,
    // φ_B = −0.125 − 0.125 − 0.0625 = −0.3125 → A takes the one touched conversion.
    let j = incremental_fixture(&[&["A"]], 1, &[&["B"], &["B"], &["A", "B"]]);
    let c = credit_of(&j, &ShapleyIncremental(15));
    close(c["A"], 1.0, 1e-9, "A alone");
    close(c.get("B").copied().unwrap_or(0.0), 0.0, 1e-9, "B clipped");
}

/// Reads `attribution_recovery.csv` by header: model → column → value.
fn recovery_table(
    run_dir: &std::path::Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(run_dir.join("tables/attribution_recovery.csv")).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let row: std::collections::BTreeMap<String, String> = header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect();
            (row["model"].clone(), row)
        })
        .collect()
}

#[tokio::test]
async fn markov_and_incremental_shapley_recover_the_planted_channel_effects() {
    // The generator plants a per-touch conversion effect per channel (truth.json). Scale 0.01,
    // seed 3: the data set the attribution contract's figures were measured on.
    let data = tempfile::tempdir().unwrap();
    misura::generate::generate(misura::generate::GenerateOptions {
        scale: 0.01,
        seed: 3,
        out: data.path().to_path_buf(),
        format: misura::generate::OutFormat::Csv,
    })
    .unwrap();
    let (out, again) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let s = crate::util::run(data.path(), out.path(), None)
        .await
        .unwrap();
    let t = recovery_table(&s.run_dir);
    let num = |m: &str, k: &str| t[m][k].parse::<f64>().unwrap();
    assert_eq!(t.len(), 8, "{t:?}");
    for m in ["markov", "shapley_incremental"] {
        assert!(num(m, "rho_planted") >= 0.95, "{m}: {:?}", t[m]);
        assert!(num(m, "rho_caused") >= 0.95, "{m}: {:?}", t[m]);
        assert_eq!(t[m]["zeroed"], "", "{m} credits every channel with touches");
    }
    // Its credit is the closest to what was caused, channel by channel.
    let best = t
        .keys()
        .min_by(|a, b| num(a, "credit_error").total_cmp(&num(b, "credit_error")))
        .unwrap();
    assert_eq!(best, "shapley_incremental", "{t:?}");
    // The report's method section shows the table, the default model marked.
    let page = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    assert!(page.contains("How well each attribution model recovers a planted truth"));
    assert!(
        page.contains("markov (default, used for the ROI)"),
        "default marked"
    );
    // The same data and seed give the same bytes.
    let s2 = crate::util::run(data.path(), again.path(), None)
        .await
        .unwrap();
    for table in ["attribution.csv", "attribution_recovery.csv"] {
        let read = |d: &std::path::Path| std::fs::read(d.join("tables").join(table)).unwrap();
        assert!(
            read(&s.run_dir) == read(&s2.run_dir),
            "{table} differs between runs"
        );
    }
}

#[tokio::test]
async fn without_a_truth_file_only_the_agreement_is_scored() {
    let out = tempfile::tempdir().unwrap();
    // The sample's tables without its truth.json: data as a company would bring them.
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(crate::util::sample_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap() != "truth.json" {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let s = crate::util::run(dir.path(), out.path(), None)
        .await
        .unwrap();
    let t = recovery_table(&s.run_dir);
    assert_eq!(t.len(), 8);
    for (m, row) in &t {
        assert_eq!(row["rho_planted"], "", "{m}");
        assert_eq!(row["credit_error"], "", "{m}");
        let a = row["agreement"].parse::<f64>().unwrap();
        assert!((-1.0..=1.0).contains(&a), "{m}: {a}");
    }
    let page = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    assert!(page.contains("How much the attribution models agree"));
    assert!(
        !page.contains("ρ with the planted effect"),
        "no truth, no ρ column"
    );
}

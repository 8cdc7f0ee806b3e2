//! Property tests of the attribution invariants a sponsor relies on: every model's credits
//! sum to the conversions and their revenue, the order of the input rows changes nothing,
//! and a channel that never appears in a converting journey gets no credit.

use misura::analyses::attribution::journeys::{Journey, Journeys, Touch};
use misura::analyses::attribution::{Markov, Model, attribute, models};
use proptest::prelude::*;

const CHANNELS: &[&str] = &["email", "search", "social_paid", "community"];

fn arb_touch() -> impl Strategy<Value = Touch> {
    (
        0..CHANNELS.len(),
        0.0f64..30.0,
        proptest::option::of(0..2usize),
    )
        .prop_map(|(c, d, uc)| Touch {
            channel: CHANNELS[c].into(),
            use_case: uc.map(|u| ["UC04", "UC08"][u].into()),
            days_before: d,
            ..Default::default()
        })
}

fn arb_journeys() -> impl Strategy<Value = Journeys> {
    let journey = (1.0f64..1000.0, proptest::collection::vec(arb_touch(), 0..5)).prop_map(
        |(value, mut touches)| {
            touches.sort_by(|a, b| b.days_before.total_cmp(&a.days_before));
            Journey {
                value,
                touches,
                ..Default::default()
            }
        },
    );
    let path = proptest::collection::vec(
        (0..CHANNELS.len()).prop_map(|c| CHANNELS[c].to_string()),
        1..4,
    );
    (
        proptest::collection::vec(journey, 1..25),
        proptest::collection::vec(path, 0..10),
    )
        .prop_map(|(converting, non_converting)| Journeys {
            converting,
            non_converting,
            ..Default::default()
        })
}

fn all_models() -> Vec<Box<dyn Model>> {
    let mut m = models(7.0, 1, 15).unwrap();
    m.push(Box::new(Markov(2)));
    m.push(Box::new(Markov(3)));
    m
}

fn totals(j: &Journeys, m: &dyn Model) -> std::collections::BTreeMap<String, (f64, f64)> {
    attribute(j, &[m])
        .unwrap()
        .into_iter()
        .filter(|r| r.use_case.is_none())
        .map(|r| (r.channel, (r.conversions, r.revenue)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn credits_sum_to_conversions_and_revenue(j in arb_journeys()) {
        let (n, revenue) = (j.converting.len() as f64, j.converting.iter().map(|x| x.value).sum::<f64>());
        for m in all_models() {
            let t = totals(&j, m.as_ref());
            let conv: f64 = t.values().map(|v| v.0).sum();
            let rev: f64 = t.values().map(|v| v.1).sum();
            prop_assert!((conv - n).abs() < 1e-6, "{}: {conv} credited for {n} conversions", m.id());
            prop_assert!((rev - revenue).abs() < 1e-6 * revenue.max(1.0), "{}: {rev} credited for {revenue}", m.id());
            prop_assert!(t.values().all(|v| v.0 >= -1e-12), "{}: negative credit", m.id());
        }
    }

    #[test]
    fn the_order_of_input_rows_changes_nothing(j in arb_journeys()) {
        let mut reversed = j.clone();
        reversed.converting.reverse();
        reversed.non_converting.reverse();
        for m in all_models() {
            let (a, b) = (totals(&j, m.as_ref()), totals(&reversed, m.as_ref()));
            prop_assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
            for (k, (c, r)) in &a {
                prop_assert!((c - b[k].0).abs() < 1e-9 && (r - b[k].1).abs() < 1e-6, "{} {k}: {c} vs {}", m.id(), b[k].0);
            }
        }
    }

    #[test]
    fn a_channel_never_in_a_converting_journey_gets_no_credit(mut j in arb_journeys()) {
        j.non_converting.push(vec!["print".into()]);
        for m in all_models() {
            let credit = totals(&j, m.as_ref()).get("print").map_or(0.0, |v| v.0);
            prop_assert!(credit.abs() < 1e-12, "{}: print got {credit}", m.id());
        }
    }
}

/// Writes `table`'s rows of `from` shuffled (seeded) and split over `parts` files of
/// `to/<table>/`, each with the header.
fn shuffle_and_split(
    from: &std::path::Path,
    to: &std::path::Path,
    table: &str,
    parts: usize,
    seed: u64,
) {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    let text = std::fs::read_to_string(from.join(format!("{table}.csv"))).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    // Rows may hold quoted newlines: split on records, not lines.
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(from.join(format!("{table}.csv")))
        .unwrap();
    let mut rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    rows.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    std::fs::remove_file(to.join(format!("{table}.csv"))).unwrap();
    let dir = to.join(table);
    std::fs::create_dir_all(&dir).unwrap();
    for (k, chunk) in rows.chunks(rows.len().div_ceil(parts).max(1)).enumerate() {
        let mut w = csv::Writer::from_path(dir.join(format!("part-{k}.csv"))).unwrap();
        w.write_record(header.split(',')).unwrap();
        for r in chunk {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
    }
}

#[tokio::test]
async fn results_do_not_depend_on_row_order_or_file_splits() {
    let sample = crate::util::sample_dir();
    let shuffled = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&sample).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), shuffled.path().join(e.file_name())).unwrap();
        }
    }
    for (i, table) in [
        "social_mentions",
        "orders",
        "tickets",
        "touchpoints",
        "contacts",
    ]
    .iter()
    .enumerate()
    {
        shuffle_and_split(&sample, shuffled.path(), table, 2 + i % 2, 7 + i as u64);
    }
    let run = |dir: std::path::PathBuf, out: std::path::PathBuf| async move {
        let s = crate::util::settings(&dir, None, &["bootstrap_samples=50"]).unwrap();
        let mut o = misura::pipeline::RunOptions::new(
            out,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        );
        o.pdf = misura::report::pdf::Pdf::Off; // report.pdf has its own test
        o.force = true;
        misura::pipeline::run(s, &o).await.unwrap().run_dir
    };
    let (o1, o2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = run(sample.clone(), o1.path().to_path_buf()).await;
    let b = run(shuffled.path().to_path_buf(), o2.path().to_path_buf()).await;
    for table in [
        "kpi_values",
        "attribution",
        "roi",
        "roi_drivers",
        "clv",
        "clv_model",
    ] {
        let f = format!("tables/{table}.csv");
        assert_eq!(
            std::fs::read_to_string(a.join(&f)).unwrap(),
            std::fs::read_to_string(b.join(&f)).unwrap(),
            "{table} changed with the row order / file split"
        );
    }
}

mod roi_properties {
    use misura::analyses::roi::inputs::{Costs, RescueUnits, UnitValues};
    use misura::analyses::roi::{Allocation, RoiInput, compute};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    type Raw = (
        Vec<(usize, Vec<f64>)>,
        Vec<f64>,
        f64,
        Option<(Vec<(bool, Option<f64>)>, Vec<bool>)>,
        u64,
    );

    fn arb_raw() -> impl Strategy<Value = Raw> {
        let units = prop::collection::vec(
            (0usize..3, prop::collection::vec(0.0f64..1_000.0, 1..12)),
            0..4,
        );
        let costs = prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..500.0], 3);
        let rescue = prop::option::of((
            prop::collection::vec(
                (prop::bool::weighted(0.2), prop::option::of(0.0f64..900.0)),
                1..15,
            ),
            prop::collection::vec(prop::bool::weighted(0.4), 1..15),
        ));
        (units, costs, 0.0f64..200.0, rescue, any::<u64>())
    }

    fn build((units, costs, shared, rescue, seed): Raw) -> RoiInput<'static> {
        let ucs = ["UC10", "UC11", "UC12"];
        let mut map = BTreeMap::new();
        for (k, values) in units {
            let driver = if k == 2 {
                "innovation"
            } else {
                "service_savings"
            };
            map.insert(
                (driver.to_string(), ucs[k].to_string()),
                UnitValues {
                    covered: values.len() as u64,
                    values,
                },
            );
        }
        RoiInput {
            costs: Costs {
                direct: ucs
                    .iter()
                    .zip(&costs)
                    .map(|(u, c)| (u.to_string(), *c))
                    .collect(),
                shared,
            },
            allocation: Allocation::Proportional,
            credited: None,
            attribution_coverage: None,
            units: map,
            experiments: Vec::new(),
            rescues: rescue
                .map(|(exposed, comparison)| RescueUnits {
                    use_case: "UC17".into(),
                    exposed,
                    comparison,
                })
                .into_iter()
                .filter(|r| r.value(None, None).is_some())
                .collect(),
            counterfactuals: Vec::new(),
            window_days: 30.0,
            samples: 200,
            seed,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// ROI of a zero cost is undefined (never infinite); every figure is finite; the
        /// interval of a sum of non-negative savings contains the estimate.
        #[test]
        fn roi_is_finite_undefined_at_zero_cost_and_inside_its_interval(raw in arb_raw()) {
            let roi = compute(&build(raw), |_| None).unwrap();
            for r in &roi.rows {
                prop_assert!(r.cost.is_finite());
                if r.cost == 0.0 {
                    prop_assert!(r.roi.is_none(), "{} has cost 0 and ROI {:?}", r.use_case, r.roi);
                    prop_assert!(r.roi_ci_low.is_none() && r.roi_ci_high.is_none());
                }
                for x in [r.value, r.net, r.roi, r.roi_ci_low, r.roi_ci_high, r.payback_months].into_iter().flatten() {
                    prop_assert!(x.is_finite(), "{}: {x}", r.use_case);
                }
                let rescued = r.use_case == "UC17";
                if let (Some(v), Some(lo), Some(hi)) = (r.roi, r.roi_ci_low, r.roi_ci_high) {
                    prop_assert!(lo <= hi);
                    if !rescued {
                        prop_assert!(lo - 1e-9 <= v && v <= hi + 1e-9, "{}: {v} outside [{lo}, {hi}]", r.use_case);
                    }
                }
            }
            for d in &roi.drivers {
                if let (Some(lo), Some(hi)) = (d.value_ci_low, d.value_ci_high) {
                    prop_assert!(lo <= hi);
                    if d.driver.as_str() != "retention_value" {
                        prop_assert!(lo - 1e-9 <= d.value && d.value <= hi + 1e-9,
                            "{} {}: {} outside [{lo}, {hi}]", d.use_case, d.driver, d.value);
                    }
                }
            }
        }
    }
}

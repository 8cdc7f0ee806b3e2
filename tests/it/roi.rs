//! ROI per use case: costs, allocation, drivers, evidence and payback worked out by hand;
//! the default model's credit under weights equals the attribution table; bootstrap
//! intervals contain the estimate and are reproducible from the seed; UC04's ROAS.

use crate::attribution::journeys as fixture_journeys;
use crate::util::close;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Float64Type;
use misura::analyses::attribution::{Model, attribute, models};
use misura::analyses::roi::credited::{Amount, Credited, ModelParams};
use misura::analyses::roi::inputs::{Costs, ExperimentUnits, UnitValues};
use misura::analyses::roi::{Allocation, Roi, RoiInput, RoiRow, UNALLOCATED, compute};
use std::collections::BTreeMap;

const PARAMS: ModelParams = ModelParams {
    half_life_days: 7.0,
    markov_order: 1,
    shapley_max_channels: 15,
};

/// Direct costs UC01 100, UC10 50; shared 30. UC10 saves 10 + 20 + 30 on three tickets (one
/// without a known cost); UC12 realised 500 on one idea; UC01's experiment: treatment margins
/// 10, 0, 20 (mean 10), control 0, 5 (mean 2.5) → incremental (10 − 2.5) × 3 = 22.5.
/// The window is one month.
fn input(allocation: Allocation, seed: u64) -> RoiInput<'static> {
    let mut units = BTreeMap::new();
    units.insert(
        ("service_savings".to_string(), "UC10".to_string()),
        UnitValues {
            values: vec![10.0, 20.0, 30.0],
            covered: 2,
        },
    );
    units.insert(
        ("innovation".to_string(), "UC12".to_string()),
        UnitValues {
            values: vec![500.0],
            covered: 1,
        },
    );
    RoiInput {
        costs: Costs {
            direct: [("UC01".to_string(), 100.0), ("UC10".to_string(), 50.0)].into(),
            shared: 30.0,
        },
        allocation,
        credited: None,
        attribution_coverage: None,
        units,
        experiments: vec![ExperimentUnits {
            experiment_id: "E1".into(),
            use_case: "UC01".into(),
            treatment: vec![10.0, 0.0, 20.0],
            control: vec![0.0, 5.0],
            ..Default::default()
        }],
        rescues: Vec::new(),
        counterfactuals: Vec::new(),
        window_days: 365.25 / 12.0,
        samples: 400,
        seed,
    }
}

fn row<'a>(roi: &'a Roi, uc: &str) -> &'a RoiRow {
    roi.rows.iter().find(|r| r.use_case == uc).unwrap()
}

fn objective(uc: &str) -> Option<String> {
    Some(format!("objective of {uc}"))
}

#[test]
fn roi_worked_out_by_hand() {
    let roi = compute(&input(Allocation::Proportional, 42), objective).unwrap();
    let ucs: Vec<&str> = roi.rows.iter().map(|r| r.use_case.as_str()).collect();
    assert_eq!(ucs, ["UC01", "UC10", "UC12"], "shared costs all allocated");

    // Proportional: 30 split 100 : 50 → UC01 120, UC10 60, UC12 (no direct cost) 0.
    let uc01 = row(&roi, "UC01");
    close(uc01.cost, 120.0, 1e-9, "UC01 cost");
    close(uc01.value.unwrap(), 22.5, 1e-9, "UC01 incremental margin");
    close(uc01.net.unwrap(), 22.5 - 120.0, 1e-9, "UC01 net");
    close(uc01.roi.unwrap(), (22.5 - 120.0) / 120.0, 1e-9, "UC01 ROI");
    close(
        uc01.payback_months.unwrap(),
        120.0 / 22.5,
        1e-9,
        "UC01 payback",
    );
    assert_eq!(uc01.evidence.map(|e| e.as_str()), Some("experiment"));
    assert_eq!(uc01.n, 5);
    assert_eq!(uc01.objective.as_deref(), Some("objective of UC01"));

    let uc10 = row(&roi, "UC10");
    close(uc10.cost, 60.0, 1e-9, "UC10 cost");
    close(uc10.value.unwrap(), 60.0, 1e-9, "UC10 savings");
    close(uc10.roi.unwrap(), 0.0, 1e-12, "UC10 ROI");
    close(
        uc10.payback_months.unwrap(),
        1.0,
        1e-9,
        "UC10 pays back in the one-month window",
    );
    assert_eq!(uc10.evidence.map(|e| e.as_str()), Some("operational"));
    close(uc10.coverage.unwrap(), 2.0 / 3.0, 1e-12, "UC10 coverage");

    // Zero cost: the ROI is undefined (never infinite) and so is its interval.
    let uc12 = row(&roi, "UC12");
    assert_eq!((uc12.cost, uc12.roi, uc12.roi_ci_low), (0.0, None, None));
    assert_eq!(uc12.evidence.map(|e| e.as_str()), Some("self-reported"));
    close(uc12.net.unwrap(), 500.0, 1e-9, "UC12 net");

    // The programme: every cost against every measured value.
    let t = &roi.total;
    close(t.cost, 180.0, 1e-9, "total cost");
    close(t.value, 582.5, 1e-9, "total value");
    close(t.roi.unwrap(), (582.5 - 180.0) / 180.0, 1e-9, "total ROI");
    close(
        t.payback_months.unwrap(),
        180.0 / 582.5,
        1e-9,
        "total payback",
    );
    assert!(t.roi_ci_low.unwrap() <= t.roi.unwrap() && t.roi.unwrap() <= t.roi_ci_high.unwrap());
    close(
        t.value_by_evidence["experiment"],
        22.5,
        1e-9,
        "experiment share",
    );
    close(
        t.value_by_evidence["self-reported"],
        500.0,
        1e-9,
        "self-reported share",
    );

    // Every interval contains its estimate.
    for r in roi.rows.iter().filter(|r| r.roi.is_some()) {
        let (lo, hi, x) = (
            r.roi_ci_low.unwrap(),
            r.roi_ci_high.unwrap(),
            r.roi.unwrap(),
        );
        assert!(
            lo <= x && x <= hi,
            "{}: {x} outside [{lo}, {hi}]",
            r.use_case
        );
    }
    for d in &roi.drivers {
        let (lo, hi) = (d.value_ci_low.unwrap(), d.value_ci_high.unwrap());
        assert!(
            lo <= d.value && d.value <= hi,
            "{} {}",
            d.use_case,
            d.driver
        );
    }
}

#[test]
fn shared_costs_equal_or_unallocated() {
    let roi = compute(&input(Allocation::Equal, 42), objective).unwrap();
    close(row(&roi, "UC01").cost, 110.0, 1e-9, "equal: UC01");
    close(row(&roi, "UC10").cost, 60.0, 1e-9, "equal: UC10");
    close(row(&roi, "UC12").cost, 10.0, 1e-9, "equal: UC12");
    close(
        row(&roi, "UC12").roi.unwrap(),
        49.0,
        1e-9,
        "UC12 ROI once it has a cost",
    );

    let roi = compute(&input(Allocation::None, 42), objective).unwrap();
    close(row(&roi, "UC01").cost, 100.0, 1e-9, "none: UC01");
    let rest = row(&roi, UNALLOCATED);
    close(rest.cost, 30.0, 1e-9, "none: shared costs on their own row");
    assert_eq!((rest.value, rest.roi, rest.evidence), (None, None, None));
}

#[test]
fn intervals_are_reproducible_from_the_seed() {
    let a = compute(&input(Allocation::Proportional, 42), objective).unwrap();
    let b = compute(&input(Allocation::Proportional, 42), objective).unwrap();
    let c = compute(&input(Allocation::Proportional, 43), objective).unwrap();
    assert_eq!(a, b, "same seed, same tables");
    // (With three tickets, ≥ 2.5 % of replicates weigh them all 0: the low end is −1.)
    assert_ne!(
        row(&a, "UC10").roi_ci_high,
        row(&c, "UC10").roi_ci_high,
        "another seed draws other replicates"
    );
}

#[test]
fn weighted_credit_equals_the_attribution_table_for_every_model() {
    let j = fixture_journeys();
    for m in models(7.0, 1, 15).unwrap() {
        let c = Credited::prepare(&j, m.id(), &PARAMS, Amount::Revenue, |t| {
            t.use_case.as_deref()
        })
        .unwrap();
        let credit = c.evaluate(&vec![1.0; c.contacts.len()]).unwrap();
        let rows = attribute(&j, &[m.as_ref() as &dyn Model]).unwrap();
        let expected: f64 = rows
            .iter()
            .filter(|r| r.use_case.as_deref() == Some("UC04"))
            .map(|r| r.revenue)
            .sum();
        assert_eq!(c.keys, ["UC04"]);
        close(credit[0], expected, 1e-9, &format!("{} → UC04", m.id()));
        // Margins are 0.4 × revenue in the fixture.
        let margin = Credited::prepare(&j, m.id(), &PARAMS, Amount::Margin, |t| {
            t.use_case.as_deref()
        })
        .unwrap();
        let mc = margin.evaluate(&vec![1.0; margin.contacts.len()]).unwrap();
        close(mc[0], 0.4 * expected, 1e-9, &format!("{} margin", m.id()));
    }
    // Weight 2 on every contact doubles the credit (weights are resampling counts).
    let c = Credited::prepare(&j, "markov", &PARAMS, Amount::Revenue, |t| {
        t.use_case.as_deref()
    })
    .unwrap();
    let one = c.evaluate(&vec![1.0; c.contacts.len()]).unwrap()[0];
    let two = c.evaluate(&vec![2.0; c.contacts.len()]).unwrap()[0];
    close(two, 2.0 * one, 1e-9, "markov under doubled weights");
}

#[test]
fn an_experiment_replaces_the_attributed_margin_and_shows_it_beside() {
    let j = fixture_journeys();
    let c = Credited::prepare(&j, "linear", &PARAMS, Amount::Margin, |t| {
        t.use_case.as_deref()
    })
    .unwrap();
    let mut inp = input(Allocation::Proportional, 1);
    inp.credited = Some(&c);
    inp.attribution_coverage = j.coverage();
    // Linear: C is 1/3 of J3 (30 revenue, 12 margin) → 4 of margin for UC04.
    let roi = compute(&inp, objective).unwrap();
    let uc04 = row(&roi, "UC04");
    close(uc04.value.unwrap(), 4.0, 1e-9, "UC04 attributed margin");
    assert_eq!(uc04.evidence.map(|e| e.as_str()), Some("attribution"));
    close(
        uc04.coverage.unwrap(),
        0.75,
        1e-12,
        "3 of 4 conversions touched",
    );

    inp.experiments[0].use_case = "UC04".into();
    let roi = compute(&inp, objective).unwrap();
    let uc04 = row(&roi, "UC04");
    close(
        uc04.value.unwrap(),
        22.5,
        1e-9,
        "the experiment's incremental margin",
    );
    assert_eq!(uc04.evidence.map(|e| e.as_str()), Some("experiment"));
    let beside: Vec<_> = roi
        .drivers
        .iter()
        .filter(|d| d.use_case == "UC04")
        .map(|d| (d.driver.as_str(), d.used))
        .collect();
    assert_eq!(
        beside,
        [("attributed_margin", false), ("incremental_margin", true)]
    );
}

#[tokio::test]
async fn the_sample_run_writes_roi_and_uc04_roas() {
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(&crate::util::sample_dir(), out.path(), None)
        .await
        .unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/roi.csv")).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "use_case",
            "objective",
            "cost",
            "value",
            "net",
            "roi",
            "roi_ci_low",
            "roi_ci_high",
            "payback_months",
            "evidence",
            "coverage",
            "n"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let evidence: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[9]).collect();
    for e in ["attribution", "experiment", "operational", "self-reported"] {
        assert!(
            evidence.contains(e),
            "the sample has {e} evidence: {evidence:?}"
        );
    }
    for r in &rows {
        if !r[5].is_empty() {
            let (x, lo, hi): (f64, f64, f64) = (
                r[5].parse().unwrap(),
                r[6].parse().unwrap(),
                r[7].parse().unwrap(),
            );
            assert!(
                lo <= x && x <= hi,
                "{}: ROI {x} outside [{lo}, {hi}]",
                &r[0]
            );
        }
    }
    // ROAS = attributed revenue / cost, campaign by campaign.
    let mut by: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in crate::util::kpi_rows(&s.run_dir) {
        if let (true, true, Some(v)) = (r.kpi.starts_with("uc04."), r.period == "all", r.value) {
            by.insert((r.kpi, r.dimension_value.unwrap_or_default()), v);
        }
    }
    let mut checked = 0;
    for ((kpi, campaign), roas) in &by {
        if kpi == "uc04.roas" {
            let revenue = by[&("uc04.attributed_revenue".to_string(), campaign.clone())];
            let cost = by[&("uc04.cost".to_string(), campaign.clone())];
            close(*roas, revenue / cost, 1e-9, &format!("ROAS of {campaign}"));
            checked += 1;
        }
    }
    assert!(
        checked > 3,
        "ROAS of the campaigns and their total: {checked}"
    );
}

#[tokio::test]
async fn the_planted_strongest_channel_ranks_first() {
    // The generator plants P(order within 14 days | one touch) per channel; sales_call has the
    // largest (truth.json). Markov removal effects grow with a channel's reach, so it is
    // compared per touch; the Shapley value is a channel's worth whatever its frequency, so it
    // is compared in total.
    let data = tempfile::tempdir().unwrap();
    misura::generate::generate(misura::generate::GenerateOptions {
        scale: 0.01,
        seed: 42,
        out: data.path().to_path_buf(),
        format: misura::generate::OutFormat::Parquet,
    })
    .unwrap();
    let strongest = misura::generate::truth::CHANNEL_EFFECTS
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
        .0;
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(data.path(), out.path(), None)
        .await
        .unwrap();
    let mut touches: BTreeMap<String, f64> = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/attribution.csv")).unwrap();
    let mut credit: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in rdr.records().map(Result::unwrap) {
        if r[2].is_empty() && r[1] != *misura::analyses::attribution::NO_TOUCH {
            credit.insert((r[0].to_string(), r[1].to_string()), r[3].parse().unwrap());
        }
    }
    let ctx = datafusion::prelude::SessionContext::new();
    ctx.register_parquet(
        "touchpoints",
        data.path().join("touchpoints.parquet").to_str().unwrap(),
        Default::default(),
    )
    .await
    .unwrap();
    let sql = "SELECT CAST(channel AS VARCHAR), CAST(count(*) AS DOUBLE) FROM touchpoints GROUP BY channel";
    for b in ctx.sql(sql).await.unwrap().collect().await.unwrap() {
        let ch = misura::arrow_io::text(b.column(0));
        let n = b.column(1).as_primitive::<Float64Type>();
        for i in 0..b.num_rows() {
            touches.insert(ch.value(i).to_string(), n.value(i));
        }
    }
    let first = |model: &str, per_touch: bool| {
        credit
            .iter()
            .filter(|((m, _), _)| m == model)
            .map(|((_, c), v)| (c.clone(), if per_touch { v / touches[c] } else { *v }))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap()
            .0
    };
    assert_eq!(first("markov", true), strongest, "markov, credit per touch");
    assert_eq!(first("shapley", false), strongest, "shapley, total credit");
}

//! CLV: the published CDNOW fits (BG/NBD and Gamma-Gamma) reproduced through `misura run`,
//! parameters recovered from customers simulated with known parameters, failures reported,
//! discounting, the uc18 CLV KPIs and the retention value worked by hand.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Float64Type;
use misura::analyses::clv::bgnbd::{self, History};
use misura::analyses::clv::gamma_gamma::{self, Spend};
use misura::analyses::clv::simulate::{self, Observation};
use misura::analyses::clv::{Clv, ClvRow, value};
use std::fmt::Write as _;
use std::path::Path;

fn sig3(x: f64) -> String {
    format!("{:.2e}", x)
}

#[tokio::test]
async fn cdnow_reproduces_fader_hardie_lee_2005() {
    // Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
    // way: an alternative to the Pareto/NBD model. Marketing Science 24(2), 275–284. On the
    // CDNOW sample (2,357 customers, calibration 1997-01-01 to 1997-09-30, weeks):
    // r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cdnow/CDNOW_sample.txt");
    let Ok(text) = std::fs::read_to_string(&src) else {
        eprintln!("SKIPPED: {} is absent", src.display());
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut contacts = String::from(
        "contact_id,account_id,created_at,segment,industry,country,lifecycle_stage,churned_at,is_advocate\n",
    );
    let mut orders = String::from("order_id,contact_id,ordered_at,revenue,margin,opportunity_id\n");
    let mut seen = std::collections::BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (id, day, amount) = (f[1], f[2], f[4]);
        let ts = format!("{}-{}-{}T12:00:00Z", &day[..4], &day[4..6], &day[6..8]);
        if seen.insert(id.to_string()) {
            writeln!(contacts, "K{id},,{ts},consumer,,,customer,,false").unwrap();
        }
        writeln!(orders, "O{i},K{id},{ts},{amount},,").unwrap();
    }
    std::fs::write(data.path().join("contacts.csv"), contacts).unwrap();
    std::fs::write(data.path().join("orders.csv"), orders).unwrap();
    std::fs::write(
        data.path().join("misura.toml"),
        "[parameters]\nbrand = \"cdnow\"\nwindow_start = \"1997-01-01\"\nwindow_end = \"1997-10-01\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(data.path(), out.path(), None)
        .await
        .unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/clv_model.csv")).unwrap();
    let est: Vec<(String, String, f64, f64)> = rdr
        .records()
        .map(Result::unwrap)
        .map(|r| {
            (
                r[0].to_string(),
                r[1].to_string(),
                r[2].parse().unwrap(),
                r[4].parse().unwrap(),
            )
        })
        .collect();
    let get = |model: &str, name: &str| {
        est.iter()
            .find(|e| e.0 == model && e.1 == name)
            .unwrap_or_else(|| panic!("{model}.{name} in clv_model"))
    };
    for (name, published) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
        let got = get("bg_nbd", name).2;
        assert_eq!(
            sig3(got),
            sig3(published),
            "{name}: {got} vs published {published}"
        );
    }
    let ll = get("bg_nbd", "r").3;
    assert!((ll - -9582.4).abs() < 0.5, "log-likelihood {ll}");
    // Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    // http://brucehardie.com/notes/025/ — on the 946 CDNOW customers with a repeat purchase
    // in the calibration period, mean spend of repeat transactions: p = 6.25, q = 3.74,
    // γ = 15.44 (the figures CLVTools' correctness tests pin too).
    for (name, published) in [("p", 6.25), ("q", 3.74), ("gamma", 15.44)] {
        let got = get("gamma_gamma", name).2;
        assert_eq!(
            sig3(got),
            sig3(published),
            "Gamma-Gamma {name}: {got} vs published {published}"
        );
    }
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/clv.csv")).unwrap();
    assert_eq!(rdr.records().count(), 2357, "every customer summarised");
}

fn observe() -> Observation {
    Observation {
        t_min: 30.0,
        t_max: 40.0,
        grain: 0.0,
    }
}

const TRUTH: bgnbd::Params = bgnbd::Params {
    r: 0.5,
    alpha: 5.0,
    a: 0.8,
    b: 2.5,
};

const SPEND: gamma_gamma::Params = gamma_gamma::Params {
    p: 6.0,
    q: 4.0,
    gamma: 15.0,
};

#[test]
fn known_parameters_are_recovered() {
    let customers = simulate::customers(5_000, &TRUTH, &SPEND, observe(), 11);
    let histories: Vec<History> = customers.iter().map(|c| c.0).collect();
    let f = bgnbd::fit(&histories).unwrap();
    assert!(f.converged, "{}", f.message);
    let got = [f.params.r, f.params.alpha, f.params.a, f.params.b];
    let truth = [TRUTH.r, TRUTH.alpha, TRUTH.a, TRUTH.b];
    let se = f.std_errors.expect("standard errors");
    for i in 0..4 {
        assert!(
            (got[i] - truth[i]).abs() <= 3.0 * se[i],
            "BG/NBD parameter {i}: {} ± {} vs {}",
            got[i],
            se[i],
            truth[i]
        );
    }
    let spends: Vec<Spend> = customers.iter().map(|c| c.1).collect();
    let g = gamma_gamma::fit(&spends).unwrap();
    assert!(g.converged, "{}", g.message);
    let got = [g.params.p, g.params.q, g.params.gamma];
    let truth = [SPEND.p, SPEND.q, SPEND.gamma];
    let se = g.std_errors.expect("standard errors");
    for i in 0..3 {
        assert!(
            (got[i] - truth[i]).abs() <= 3.0 * se[i],
            "Gamma-Gamma parameter {i}: {} ± {} vs {}",
            got[i],
            se[i],
            truth[i]
        );
    }
    assert_eq!(
        g.customers,
        spends.iter().filter(|s| s.x > 0.0).count(),
        "fitted on the repeat buyers"
    );
}

#[test]
fn grouped_likelihood_equals_the_sum_over_customers() {
    // Whole days in weeks (as the pipeline's query gives): many customers share a history.
    let obs = Observation {
        grain: 1.0 / 7.0,
        ..observe()
    };
    let histories: Vec<History> = simulate::customers(40_000, &TRUTH, &SPEND, obs, 5)
        .into_iter()
        .map(|c| c.0)
        .collect();
    let g = bgnbd::group(&histories);
    assert!(
        g.histories.len() * 10 < histories.len() * 6,
        "{} groups",
        g.histories.len()
    );
    let p = bgnbd::Params {
        r: 0.3,
        alpha: 4.0,
        a: 0.7,
        b: 2.0,
    };
    let direct: f64 = histories.iter().map(|h| bgnbd::ll_one(&p, h)).sum();
    let grouped = bgnbd::log_likelihood(&p, &g);
    assert!(
        (direct - grouped).abs() <= 1e-9 * direct.abs(),
        "{direct} vs {grouped}"
    );
}

#[test]
fn prepared_spend_likelihood_equals_the_sum_over_customers() {
    let spends: Vec<Spend> = simulate::customers(30_000, &TRUTH, &SPEND, observe(), 9)
        .into_iter()
        .map(|c| c.1)
        .filter(|s| s.x > 0.0)
        .collect();
    let p = gamma_gamma::Params {
        p: 5.0,
        q: 3.0,
        gamma: 12.0,
    };
    let direct: f64 = spends.iter().map(|s| gamma_gamma::ll_one(&p, s)).sum();
    let fast = gamma_gamma::log_likelihood(&p, &gamma_gamma::Prepared::new(&spends));
    assert!(
        (direct - fast).abs() <= 1e-9 * direct.abs(),
        "{direct} vs {fast}"
    );
}

#[test]
fn a_window_without_repeat_purchases_is_reported_not_fitted() {
    let rows: Vec<ClvRow> = (0..50)
        .map(|i| ClvRow {
            contact_id: format!("C{i}"),
            history: History {
                x: 0.0,
                t_x: 0.0,
                t: 10.0 + i as f64,
            },
            monetary: None,
            margin_rate: Some(0.3),
            is_advocate: i % 2 == 0,
            p_alive: None,
            expected_transactions: None,
            expected_spend: None,
            expected_value: None,
        })
        .collect();
    let mut clv = Clv {
        fit: Err(String::new()),
        spend: Err(String::new()),
        rows,
        horizon: 52.0,
        unit_days: 7.0,
        discount_rate: 0.1,
    };
    clv.fit_and_value(0.3);
    let e = clv.fit.clone().unwrap_err();
    assert!(e.contains("no customer bought twice"), "{e}");
    let model = misura::analyses::clv::model_batch(&clv).unwrap();
    let converged = model.column(5).as_boolean();
    assert_eq!(model.num_rows(), 7, "4 BG/NBD + 3 Gamma-Gamma parameters");
    assert!((0..7).all(|i| !converged.value(i)));
    let estimates = model.column(2).as_primitive::<Float64Type>();
    assert_eq!(estimates.null_count(), 7, "no estimate, never NaN");
    let messages = misura::arrow_io::text(model.column(6));
    assert!(messages.value(4).contains("too few to fit the spend model"));
    assert!(clv.rows.iter().all(|r| r.expected_value.is_none()));
    let kpis = misura::analyses::clv::uc18::kpis(&clv, 50, 1).unwrap();
    assert!(kpis.iter().all(|k| k.value.is_none() && k.n == 0));
}

#[test]
fn discounting_by_month() {
    let p = TRUTH;
    let h = History {
        x: 3.0,
        t_x: 20.0,
        t: 30.0,
    };
    // No discount: the expected transactions over the horizon.
    let plain = bgnbd::expected_transactions(&p, &h, 52.0);
    let flat = value::discounted_transactions(&p, &h, 52.0, 7.0, 0.0);
    assert!((plain - flat).abs() < 1e-9, "{plain} vs {flat}");
    // A horizon inside the first month: one step discounted from its end.
    let short = value::discounted_transactions(&p, &h, 2.0, 7.0, 0.1);
    let by_hand = bgnbd::expected_transactions(&p, &h, 2.0) / 1.1f64.powf(14.0 / 365.25);
    assert!((short - by_hand).abs() < 1e-12, "{short} vs {by_hand}");
    // Two months at 10 %: month 1 at (1.1)^(-1/12), month 2 at (1.1)^(-2/12).
    let month = value::MONTH_DAYS / 7.0;
    let (e1, e2) = (
        bgnbd::expected_transactions(&p, &h, month),
        bgnbd::expected_transactions(&p, &h, 2.0 * month),
    );
    let by_hand = e1 / 1.1f64.powf(1.0 / 12.0) + (e2 - e1) / 1.1f64.powf(2.0 / 12.0);
    let two = value::discounted_transactions(&p, &h, 2.0 * month, 7.0, 0.1);
    assert!((two - by_hand).abs() < 1e-12, "{two} vs {by_hand}");
    assert!(two < e2, "discounting lowers the value");
}

#[test]
fn expected_spend_shrinks_towards_the_population_mean() {
    let g = SPEND;
    let population = g.p * g.gamma / (g.q - 1.0); // 30
    assert_eq!(
        gamma_gamma::expected_spend(
            &g,
            &Spend {
                x: 0.0,
                mean: f64::NAN
            }
        ),
        Some(population)
    );
    // x = 2, z̄ = 60: weight (q − 1)/(p x + q − 1) = 3/15 on the population mean.
    let e = gamma_gamma::expected_spend(&g, &Spend { x: 2.0, mean: 60.0 }).unwrap();
    assert!((e - (0.2 * 30.0 + 0.8 * 60.0)).abs() < 1e-12, "{e}");
    let no_mean = gamma_gamma::Params { q: 0.9, ..g };
    assert_eq!(
        gamma_gamma::expected_spend(&no_mean, &Spend { x: 1.0, mean: 5.0 }),
        None
    );
}

#[test]
fn clv_kpis_are_group_means_with_intervals() {
    let row = |id: &str, advocate: bool, v: Option<f64>| ClvRow {
        contact_id: id.into(),
        history: History {
            x: 1.0,
            t_x: 1.0,
            t: 2.0,
        },
        monetary: Some(10.0),
        margin_rate: Some(0.3),
        is_advocate: advocate,
        p_alive: Some(1.0),
        expected_transactions: Some(1.0),
        expected_spend: Some(10.0),
        expected_value: v,
    };
    let clv = Clv {
        fit: Err("not needed".into()),
        spend: Err("not needed".into()),
        rows: vec![
            row("A1", true, Some(100.0)),
            row("A2", true, Some(300.0)),
            row("A3", true, None),
            row("O1", false, Some(10.0)),
            row("O2", false, Some(20.0)),
            row("O3", false, Some(60.0)),
        ],
        horizon: 52.0,
        unit_days: 7.0,
        discount_rate: 0.1,
    };
    let kpis = misura::analyses::clv::uc18::kpis(&clv, 400, 42).unwrap();
    let adv = kpis.iter().find(|k| k.kpi == "uc18.clv_advocates").unwrap();
    let oth = kpis.iter().find(|k| k.kpi == "uc18.clv_others").unwrap();
    assert_eq!((adv.value, adv.n), (Some(200.0), 2));
    assert_eq!((oth.value, oth.n), (Some(30.0), 3));
    for k in [adv, oth] {
        let (lo, hi) = (k.ci_low.unwrap(), k.ci_high.unwrap());
        assert!(lo <= k.value.unwrap() && k.value.unwrap() <= hi, "{k:?}");
        assert!(lo < hi, "{k:?}");
    }
    assert!(adv.ci_low.unwrap() >= 100.0 && adv.ci_high.unwrap() <= 300.0);
    assert_eq!(
        kpis,
        misura::analyses::clv::uc18::kpis(&clv, 400, 42).unwrap(),
        "same seed"
    );
}

#[test]
fn retention_value_by_hand() {
    use misura::analyses::roi::inputs::RescueUnits;
    // Exposed: 4 contacts, 1 churned (25 %); kept: CLV 100, 200 and one without a CLV.
    // Comparison: 4 contacts, 2 churned (50 %). Value = (0.5 − 0.25) × 4 × 150 = 150.
    let r = RescueUnits {
        use_case: "UC03".into(),
        exposed: vec![
            (true, Some(999.0)),
            (false, Some(100.0)),
            (false, Some(200.0)),
            (false, None),
        ],
        comparison: vec![true, true, false, false],
    };
    assert_eq!(r.value(None, None), Some(150.0));
    assert_eq!(r.coverage(), Some(2.0 / 3.0));
    // Weights: the second exposed contact counted twice, the first comparison one dropped.
    let v = r
        .value(Some(&[1.0, 2.0, 1.0, 1.0]), Some(&[0.0, 1.0, 1.0, 1.0]))
        .unwrap();
    let by_hand = (1.0 / 3.0 - 1.0 / 5.0) * 5.0 * (400.0 / 3.0);
    assert!((v - by_hand).abs() < 1e-9, "{v} vs {by_hand}");
    let empty = RescueUnits {
        comparison: Vec::new(),
        ..r
    };
    assert_eq!(
        empty.value(None, None),
        None,
        "no comparison group, no value"
    );
}

#[test]
fn grouped_retention_replicates_centre_on_the_value_and_spread_like_per_contact_weights() {
    use misura::analyses::roi::inputs::RescueUnits;
    use misura::stats::bootstrap;
    // Exposed: 2,000 contacts, 200 churned (10 %), 1,600 kept with a CLV of 90 or 110, 200
    // kept without one. Comparison: 4,000, 800 churned (20 %).
    // Value = (0.2 − 0.1) × 2,000 × 100 = 20,000.
    let mut exposed = vec![(true, Some(5.0)); 200];
    exposed.extend((0..1600).map(|i| (false, Some(if i % 2 == 0 { 90.0 } else { 110.0 }))));
    exposed.extend(vec![(false, None); 200]);
    let mut comparison = vec![true; 800];
    comparison.extend(vec![false; 3200]);
    let r = RescueUnits {
        use_case: "UC17".into(),
        exposed,
        comparison,
    };
    assert!((r.value(None, None).unwrap() - 20_000.0).abs() < 1e-6);
    let groups = r.groups();
    let spread = |draws: &[f64]| {
        let m = draws.iter().sum::<f64>() / draws.len() as f64;
        let sd = (draws.iter().map(|d| (d - m).powi(2)).sum::<f64>() / draws.len() as f64).sqrt();
        (m, sd)
    };
    let grouped: Vec<f64> = (0..3000)
        .map(|b| groups.replicate(&mut bootstrap::rng(9, 0, b)).unwrap())
        .collect();
    // the same replicates with a Poisson(1) weight per contact, as the definition reads
    let per_contact: Vec<f64> = (0..3000)
        .map(|b| {
            let mut rng = bootstrap::rng(9, 1, b);
            let (mut we, mut wc) = (Vec::new(), Vec::new());
            bootstrap::poisson_weights(&mut rng, r.exposed.len(), &mut we);
            bootstrap::poisson_weights(&mut rng, r.comparison.len(), &mut wc);
            r.value(Some(&we), Some(&wc)).unwrap()
        })
        .collect();
    let ((mg, sg), (mp, sp)) = (spread(&grouped), spread(&per_contact));
    // standard error of each mean ≈ sd / √3000 ≈ 1.8 % of the sd
    assert!(
        (mg - 20_000.0).abs() < 0.15 * sg,
        "grouped mean {mg}, sd {sg}"
    );
    assert!(
        (mp - 20_000.0).abs() < 0.15 * sp,
        "per-contact mean {mp}, sd {sp}"
    );
    assert!(
        (sg / sp - 1.0).abs() < 0.1,
        "sd grouped {sg} vs per contact {sp}"
    );
}

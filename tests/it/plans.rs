//! Planning experiments: `misura plan` against the textbook sample sizes, its errors, and the
//! `experiment_plans` of a run (a row for every weakly evidenced valued use case, shown on
//! the page).

use crate::util::{misura, run, sample_dir};

/// `misura plan … --format json` as a document.
fn plan(args: &[&str]) -> serde_json::Value {
    let out = misura()
        .arg("plan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "misura plan {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn plan_equals_the_textbook_sample_sizes() {
    // Treatment-arm sizes from statsmodels 0.15.0:
    // statsmodels.stats.proportion.samplesize_proportions_2indep_onetail(diff, prop2, power,
    // ratio, alpha, alternative='two-sided') (pooled variance under the null, Fleiss §4.2),
    // and NormalIndPower().solve_power(effect_size = mde / sd, alpha, power, ratio) for means.
    // The first case by hand: p̄ = 0.11, (1.959964 √(0.11·0.89·2) + 0.841621 √(0.12·0.88 +
    // 0.1·0.9))² / 0.02² = (0.867329 + 0.372215)² / 0.0004 = 3,840.8.
    let cases: &[(&[&str], f64)] = &[
        (
            &["--baseline", "0.10", "--mde", "0.02"],
            3_840.847_482_436_273,
        ),
        (
            &["--baseline", "0.05", "--mde", "0.01"],
            8_157.731_447_849_275,
        ),
        (
            &["--baseline", "0.20", "--mde", "0.05", "--power", "0.9"],
            1_463.707_305_029_552,
        ),
        (
            &["--baseline", "0.30", "--mde", "0.03", "--alpha", "0.01"],
            5_598.626_857_091_559,
        ),
        (
            &["--baseline", "0.10", "--mde", "0.02", "--ratio", "9"],
            2_076.705_185_437_363,
        ),
        (
            &["--baseline", "0.02", "--mde", "0.005", "--ratio", "0.25"],
            35_386.577_866_907_84,
        ),
        (
            &["--baseline", "100", "--mde", "5", "--sd", "50"],
            1_569.772_101_902_328_8,
        ),
        (
            &[
                "--baseline",
                "20",
                "--mde",
                "1",
                "--sd",
                "10",
                "--power",
                "0.9",
                "--ratio",
                "3",
            ],
            1_400.989_254_625_433_7,
        ),
    ];
    for (args, expected) in cases {
        let p = plan(args);
        let n = p["n_per_arm"].as_u64().unwrap() as f64;
        assert!(
            (n - expected).abs() / expected < 0.01 && n >= *expected,
            "{args:?}: n_per_arm {n}, textbook {expected}"
        );
        let ratio: f64 = p["ratio"].as_f64().unwrap();
        assert_eq!(
            p["n_control"].as_u64().unwrap(),
            (n * ratio - 1e-9).ceil() as u64
        );
    }
    // With the traffic, the length: 2 × 3,841 = 7,682 contacts at 1,000 a week = 8 weeks.
    let p = plan(&[
        "--baseline",
        "0.10",
        "--mde",
        "0.02",
        "--eligible-per-week",
        "1000",
    ]);
    assert_eq!(p["n_total"], 7682);
    assert_eq!(p["weeks"], 8);
}

#[test]
fn plan_refuses_impossible_inputs_with_the_fix() {
    for (args, says) in [
        (
            vec!["--baseline", "1.2", "--mde", "0.01"],
            "baseline 1.2 is outside (0, 1)",
        ),
        (
            vec!["--baseline", "0.1", "--mde", "0"],
            "mde 0 must be above 0",
        ),
        (
            vec!["--baseline", "0.1", "--mde", "-0.02"],
            "mde -0.02 must be above 0",
        ),
        (
            vec!["--baseline", "0.95", "--mde", "0.05"],
            "is not below 1",
        ),
        (
            vec!["--baseline", "0.1", "--mde", "0.01", "--power", "1.5"],
            "power 1.5 is outside (0, 1)",
        ),
        (
            vec!["--baseline", "5", "--mde", "1", "--sd", "0"],
            "sd 0 must be above 0",
        ),
    ] {
        let out = misura().arg("plan").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let table = misura()
        .args(["plan", "--baseline", "0.1", "--mde", "0.02"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("n_per_arm (treatment)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.ends_with(" 3841"), "{line}");
}

#[tokio::test]
async fn every_weakly_evidenced_use_case_of_the_sample_has_a_plan_on_the_page() {
    let out = tempfile::tempdir().unwrap();
    let s = run(&sample_dir(), out.path(), None).await.unwrap();
    let read = |name: &str| {
        let mut rdr = csv::Reader::from_path(s.run_dir.join(format!("tables/{name}.csv"))).unwrap();
        let h = rdr.headers().unwrap().clone();
        rdr.records()
            .map(|r| {
                let r = r.unwrap();
                h.iter()
                    .zip(r.iter())
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<std::collections::BTreeMap<_, _>>()
            })
            .collect::<Vec<_>>()
    };
    let weak: Vec<String> = read("roi")
        .into_iter()
        .filter(|r| {
            !r["value"].is_empty()
                && [
                    "attribution",
                    "correlation",
                    "self-reported",
                    "quasi-experiment",
                ]
                .contains(&r["evidence"].as_str())
        })
        .map(|r| r["use_case"].clone())
        .collect();
    assert!(weak.len() >= 5, "{weak:?}");
    let plans = read("experiment_plans");
    let html = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    for uc in &weak {
        let rows: Vec<_> = plans.iter().filter(|r| &r["use_case"] == uc).collect();
        assert!(!rows.is_empty(), "no plan for {uc}");
        for r in &rows {
            // Either a planned length or the reason there is none.
            assert!(
                !r["weeks"].is_empty() || !r["note"].is_empty(),
                "{uc}: neither a plan nor a reason"
            );
            if !r["weeks"].is_empty() {
                let base: f64 = r["baseline"].parse().unwrap();
                assert!(base > 0.0 && base < 1.0);
                assert_eq!(r["holdout_share"], "0.1");
            }
        }
        assert!(
            html.contains(&format!("id=\"plan-{uc}\"")),
            "{uc} not on the page"
        );
    }
    // The experiment-evidenced and operational use cases get no plan.
    assert!(
        plans
            .iter()
            .all(|r| r["use_case"] != "UC08" && r["use_case"] != "UC10")
    );
}

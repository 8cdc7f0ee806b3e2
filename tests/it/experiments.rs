//! Incrementality: the tests and intervals against independently computed values (SciPy
//! 1.x: `scipy.stats.ttest_ind(equal_var=False)` and the normal distribution), a null effect
//! that must come out not significant, and the planted experiment of the sample.

use crate::util::{close, gauss, run, sample_copy, sample_dir};
use misura::analyses::experiments::{Arm, Design, ExperimentResult, Reading, evaluate};
use misura::generate::truth::Truth;
use misura::stats::two_sample::{Moments, two_proportions, welch};

/// A finished conversion experiment with a 50/50 design.
fn design(metric: &str, share: f64) -> Design {
    Design {
        experiment_id: "E0".into(),
        use_case: "UC08".into(),
        metric: metric.into(),
        dates: ("2026-05-01".into(), "2026-06-30".into()),
        treatment_share: share,
    }
}

const FINISHED: Reading = Reading {
    in_flight: false,
    tau: 0.1,
};

fn read(t: Arm, c: Arm) -> ExperimentResult {
    evaluate(&design("conversion", 0.5), FINISHED, t, c)
}

#[test]
fn two_proportion_test_and_wald_interval() {
    // 110/1000 vs 60/1000: pooled p = 170/2000 = 0.085, SE = sqrt(0.085·0.915·(2/1000)) =
    // 0.0124720, z = 0.05 / SE = 4.00899 → p = 6.0979e-5 (scipy.stats.norm.sf).
    // Wald SE = sqrt(0.11·0.89/1000 + 0.06·0.94/1000) = 0.0124218 → 0.05 ± 1.95996·SE.
    let t = two_proportions(110, 1000, 60, 1000).unwrap();
    close(t.diff, 0.05, 1e-12, "lift");
    close(t.p_value.unwrap(), 6.097_894_207_632_147e-5, 1e-9, "p");
    close(t.ci.0, 0.025_653_807_360_634_325, 1e-12, "ci low");
    close(t.ci.1, 0.074_346_192_639_365_68, 1e-12, "ci high");
    close(t.relative.unwrap(), 0.05 / 0.06, 1e-12, "relative lift");
    assert_eq!(
        two_proportions(0, 10, 0, 10).unwrap().p_value,
        None,
        "no conversion at all: undefined"
    );
    assert!(two_proportions(1, 0, 1, 10).is_none());
}

#[test]
fn welch_t_test_matches_scipy() {
    // The two samples of Wikipedia's "Welch's t-test" example 1 (n = 15 each), given by
    // their sums: A1 Σ 312.3, Σ² 6612.23; A2 Σ 344.8, Σ² 7979.18. SciPy: t = 2.455356398,
    // df = 24.98852929, p = 0.021378001, 95 % CI of mean(A2) − mean(A1) = [0.349237, 3.984096].
    let a1 = Moments {
        n: 15,
        sum: 312.3,
        sum_sq: 6612.23,
    };
    let a2 = Moments {
        n: 15,
        sum: 344.8,
        sum_sq: 7979.18,
    };
    let w = welch(a2, a1).unwrap();
    close(w.diff, 2.166_666_666_666_668, 1e-9, "diff");
    close(w.t, 2.455_356_398_286_006, 1e-6, "t");
    close(w.df, 24.988_529_290_231_416, 1e-5, "df");
    close(w.p_value, 0.021_378_001_462_866_992, 1e-7, "p");
    close(w.ci.0, 0.349_237_066_192_406_9, 1e-6, "ci low");
    close(w.ci.1, 3.984_096_267_140_929, 1e-6, "ci high");
    assert!(
        welch(
            Moments {
                n: 1,
                sum: 1.0,
                sum_sq: 1.0
            },
            a1
        )
        .is_none(),
        "one observation: undefined"
    );
}

#[test]
fn a_null_effect_is_not_significant_and_its_interval_is_given() {
    let arm = Arm {
        contacts: 1000,
        converted: 50,
        revenue: (5000.0, 60_000.0),
        churned: 10,
        ..Arm::default()
    };
    let r = read(arm, arm);
    assert_eq!(r.label, "not significant");
    assert_eq!(r.lift.0, Some(0.0));
    assert_eq!(r.conversion_p_value, Some(1.0));
    let (lo, hi) = (r.lift.1.unwrap(), r.lift.2.unwrap());
    assert!(
        lo < 0.0 && hi > 0.0 && (lo + hi).abs() < 1e-15,
        "symmetric interval around 0: [{lo}, {hi}]"
    );
    assert_eq!(r.incremental_conversions, Some(0.0));
    let none = Arm {
        contacts: 10,
        ..Arm::default()
    };
    assert_eq!(read(none, none).label, "undefined");
}

#[tokio::test]
async fn the_planted_lift_of_the_sample_lies_in_the_reported_interval() {
    let truth: Truth =
        serde_json::from_str(&std::fs::read_to_string(sample_dir().join("truth.json")).unwrap())
            .unwrap();
    let out = tempfile::tempdir().unwrap();
    let s = run(&sample_dir(), out.path(), None).await.unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/experiments_result.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let row = rdr.records().next().unwrap().unwrap();
    let get = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_string();
    let num = |name: &str| get(name).parse::<f64>().unwrap();
    let e = &truth.planted.experiment;
    assert_eq!(get("experiment_id"), e.id);
    let r = &truth.realized;
    assert_eq!(
        num("treatment_rate"),
        r["experiment_treatment_converted"] / r["experiment_treatment_contacts"]
    );
    assert_eq!(
        num("control_rate"),
        r["experiment_control_converted"] / r["experiment_control_contacts"]
    );
    let planted = e.p_treatment - e.p_control;
    assert!(
        num("lift_ci_low") < planted && planted < num("lift_ci_high"),
        "planted lift {planted} outside [{}, {}]",
        get("lift_ci_low"),
        get("lift_ci_high")
    );
    assert_eq!(get("label"), "significant");
    assert!(
        s.manifest
            .outputs
            .iter()
            .any(|o| o.path == "tables/experiments_result.parquet")
    );
}

#[test]
fn cuped_by_hand_on_a_small_fixture() {
    // Four contacts per arm, covariate x (pre-period revenue) and outcome y (revenue):
    // treatment (x, y) = (0,1) (1,1) (2,3) (3,3); control (0,0) (1,1) (2,1) (3,2).
    // Over all eight: x̄ = 1.5, Σ(x − x̄)² = 10, ȳ = 1.5, Σ(x − x̄)(y − ȳ) = 4 + 3 = 7, so
    // θ = 7 / 10 = 0.7. Y_adj = y − 0.7 (x − 1.5): treatment 2.05 1.35 2.65 1.95 (mean 2.0),
    // control 1.05 1.35 0.65 0.95 (mean 1.0): adjusted lift 1.0 (unadjusted: 2.0 − 1.0, the
    // same here, as the arms have the same x). var(Y) = 8/7 = 1.142857, var(Y_adj) =
    // 0.442857, variance reduction = 1 − 0.442857 / 1.142857 = 0.6125. Welch on the adjusted
    // values (scipy.stats.ttest_ind(equal_var=False)): CI [0.202304, 1.797696].
    let arm = |pairs: &[(f64, f64)]| Arm {
        contacts: pairs.len() as u64,
        revenue: (
            pairs.iter().map(|p| p.1).sum(),
            pairs.iter().map(|p| p.1 * p.1).sum(),
        ),
        pre_revenue: (
            pairs.iter().map(|p| p.0).sum(),
            pairs.iter().map(|p| p.0 * p.0).sum(),
        ),
        revenue_cross: pairs.iter().map(|p| p.0 * p.1).sum(),
        ..Arm::default()
    };
    let t = arm(&[(0.0, 1.0), (1.0, 1.0), (2.0, 3.0), (3.0, 3.0)]);
    let c = arm(&[(0.0, 0.0), (1.0, 1.0), (2.0, 1.0), (3.0, 2.0)]);
    let r = evaluate(&design("revenue", 0.5), FINISHED, t, c);
    close(r.cuped_lift.0.unwrap(), 1.0, 1e-12, "adjusted lift");
    close(
        r.variance_reduction.unwrap(),
        0.6125,
        1e-12,
        "variance reduction",
    );
    close(
        r.cuped_lift.1.unwrap(),
        0.202_303_597_237_241_78,
        1e-9,
        "ci low",
    );
    close(
        r.cuped_lift.2.unwrap(),
        1.797_696_402_762_758_2,
        1e-9,
        "ci high",
    );
    let s = misura::stats::cuped::cuped(
        misura::stats::cuped::Paired {
            n: 4,
            y: 8.0,
            y2: 20.0,
            x: 6.0,
            x2: 14.0,
            xy: 16.0,
        },
        misura::stats::cuped::Paired {
            n: 4,
            y: 4.0,
            y2: 6.0,
            x: 6.0,
            x2: 14.0,
            xy: 9.0,
        },
    )
    .unwrap();
    close(s.theta, 0.7, 1e-12, "theta");
}

/// Revenue arms of `n` contacts each: y = 10 + b x + e with x, e ~ N(0, 1), plus `lift` in
/// treatment; the correlation of y with x is b / √(b² + 1).
fn revenue_arms(n: usize, b: f64, lift: f64, seed: u64) -> (Arm, Arm) {
    let mut gauss = gauss(seed);
    let z: Vec<f64> = (0..4 * n).map(|_| gauss()).collect();
    let arm = |k: usize, add: f64| {
        let mut a = Arm {
            contacts: n as u64,
            ..Arm::default()
        };
        for i in 0..n {
            let x = z[k * 2 * n + i];
            let y = 10.0 + b * x + z[k * 2 * n + n + i] + add;
            a.revenue.0 += y;
            a.revenue.1 += y * y;
            a.pre_revenue.0 += x;
            a.pre_revenue.1 += x * x;
            a.revenue_cross += x * y;
        }
        a
    };
    (arm(0, lift), arm(1, 0.0))
}

#[test]
fn cuped_shrinks_the_interval_by_the_planted_correlation() {
    // b = 2: ρ² = 4 / 5, so the interval shrinks by √(1 − ρ²) = √0.2 = 0.447.
    let (t, c) = revenue_arms(5_000, 2.0, 0.1, 7);
    let r = evaluate(&design("revenue", 0.5), FINISHED, t, c);
    let width = r.revenue_diff.2.unwrap() - r.revenue_diff.1.unwrap();
    let adjusted = r.cuped_lift.2.unwrap() - r.cuped_lift.1.unwrap();
    let ratio = adjusted / width;
    assert!(
        (ratio - 0.2_f64.sqrt()).abs() < 0.02,
        "width ratio {ratio}, expected 0.447"
    );
    close(
        r.variance_reduction.unwrap(),
        0.8,
        0.02,
        "variance reduction",
    );
    assert!(
        (r.cuped_lift.0.unwrap() - 0.1).abs() < 4.0 * adjusted / 3.92,
        "adjusted lift {} far from the planted 0.1",
        r.cuped_lift.0.unwrap()
    );
    // No covariate signal: the same estimate and width, up to rounding.
    let (t, c) = revenue_arms(5_000, 0.0, 0.1, 8);
    let r = evaluate(&design("revenue", 0.5), FINISHED, t, c);
    let width = r.revenue_diff.2.unwrap() - r.revenue_diff.1.unwrap();
    let adjusted = r.cuped_lift.2.unwrap() - r.cuped_lift.1.unwrap();
    assert!(
        (adjusted / width - 1.0).abs() < 0.002,
        "{adjusted} vs {width}"
    );
    // θ is only sampling noise around 0, and the estimate moves by exactly θ times the arms'
    // difference in mean x: here under 2 % of the interval's width, invisible at the two
    // significant digits the page shows.
    let n = (t.contacts + c.contacts) as f64;
    let (sx, sy) = (t.pre_revenue.0 + c.pre_revenue.0, t.revenue.0 + c.revenue.0);
    let theta = (t.revenue_cross + c.revenue_cross - sx * sy / n)
        / (t.pre_revenue.1 + c.pre_revenue.1 - sx * sx / n);
    let dx = t.pre_revenue.0 / t.contacts as f64 - c.pre_revenue.0 / c.contacts as f64;
    let moved = r.revenue_diff.0.unwrap() - r.cuped_lift.0.unwrap();
    close(moved, theta * dx, 1e-9, "the adjustment θ Δx̄");
    assert!(
        moved.abs() < 0.02 * width,
        "moved {moved} of a width {width}"
    );
    assert!(r.variance_reduction.unwrap() < 0.002);
}

#[test]
fn the_always_valid_p_value_holds_its_level_under_daily_peeking() {
    // 2,000 A/A experiments (both arms convert at 10 %), 28 daily looks, 50 new contacts per
    // arm and day. A test "fires" when any look gives p < 0.05.
    // A contact converts when its standard normal draw is below z_0.1 (P = 0.1).
    const Z_10: f64 = -1.281_551_565_544_600_4;
    let mut gauss = gauss(2017);
    let (experiments, days, per_day) = (2_000, 28, 50);
    let (mut naive, mut valid) = (0, 0);
    let running = Reading {
        in_flight: true,
        tau: 0.1,
    };
    for _ in 0..experiments {
        let (mut t, mut c) = (Arm::default(), Arm::default());
        let (mut naive_fired, mut valid_fired) = (false, false);
        for _ in 0..days {
            for arm in [&mut t, &mut c] {
                arm.contacts += per_day;
                arm.converted += (0..per_day).filter(|_| gauss() < Z_10).count() as u64;
            }
            let r = evaluate(&design("conversion", 0.5), running, t, c);
            naive_fired |= r.conversion_p_value.is_some_and(|p| p < 0.05);
            valid_fired |= r.always_valid_p.is_some_and(|p| p < 0.05);
            // The confidence sequence always contains the fixed-horizon interval.
            if let (Some(lo), Some(hi), Some(cl), Some(ch)) = (r.lift.1, r.lift.2, r.cs.0, r.cs.1) {
                assert!(
                    cl <= lo && hi <= ch,
                    "[{cl}, {ch}] does not contain [{lo}, {hi}]"
                );
            }
        }
        naive += naive_fired as u32;
        valid += valid_fired as u32;
    }
    let (naive, valid) = (
        naive as f64 / experiments as f64,
        valid as f64 / experiments as f64,
    );
    assert!(valid <= 0.06, "always-valid false positives {valid}");
    assert!(
        naive > 0.15,
        "naive daily peeking false positives only {naive}"
    );
    eprintln!("A/A with daily looks: naive z-test fires {naive}, always-valid {valid}");
}

#[test]
fn a_sample_ratio_mismatch_is_flagged_and_a_balanced_split_is_not() {
    let arm = |n: u64| Arm {
        contacts: n,
        converted: n / 10,
        ..Arm::default()
    };
    let broken = read(arm(5_300), arm(4_700));
    assert_eq!(broken.label, "assignment broken");
    assert!(broken.srm_p_value.unwrap() < 1e-8);
    let fine = read(arm(5_030), arm(4_970));
    assert_ne!(fine.label, "assignment broken");
    assert!(fine.srm_p_value.unwrap() > 0.5);
    // 9,000 vs 1,000 is on design for a 10 % holdout, and broken for 50/50.
    let holdout = evaluate(&design("conversion", 0.9), FINISHED, arm(9_000), arm(1_000));
    assert_ne!(holdout.label, "assignment broken");
    assert_eq!(read(arm(9_000), arm(1_000)).label, "assignment broken");
}

#[tokio::test]
async fn an_experiment_with_a_broken_assignment_is_shown_and_not_counted() {
    // The sample's EXP01 split 321 / 320 is fine for 50/50 and broken for a 90 % design.
    let dir = sample_copy();
    crate::util::edit(
        dir.path(),
        "experiments.csv",
        "conversion,0.5",
        "conversion,0.9",
    );
    let out = tempfile::tempdir().unwrap();
    let s = run(dir.path(), out.path(), None).await.unwrap();
    let text = |name: &str| std::fs::read_to_string(s.run_dir.join(name)).unwrap();
    let result = text("tables/experiments_result.csv");
    assert!(result.contains("assignment broken"), "{result}");
    let drivers = text("tables/roi_drivers.csv");
    let line = |driver: &str| {
        drivers
            .lines()
            .find(|l| l.starts_with(&format!("UC08,{driver},")))
            .unwrap_or_else(|| panic!("no UC08 {driver} in {drivers}"))
            .to_string()
    };
    assert!(line("incremental_margin").ends_with(",false"));
    assert!(line("attributed_margin").ends_with(",true"));
    let roi = text("tables/roi.csv");
    let uc08 = roi.lines().find(|l| l.starts_with("UC08,")).unwrap();
    assert!(uc08.contains(",attribution,"), "{uc08}");
    let html = text("index.html");
    assert!(
        html.contains("Assignment broken"),
        "the page does not say it"
    );
}

#[tokio::test]
async fn the_sample_experiment_is_read_with_cuped_and_an_always_valid_interval() {
    let out = tempfile::tempdir().unwrap();
    let s = run(&sample_dir(), out.path(), None).await.unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/experiments_result.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let row = rdr.records().next().unwrap().unwrap();
    let num = |name: &str| -> f64 {
        row[headers.iter().position(|h| h == name).unwrap()]
            .parse()
            .unwrap()
    };
    // Finished (2026-06-30, before the window's end): the fixed-horizon reading holds, and
    // the always-valid interval is wider than the fixed-horizon one around the same lift.
    assert_eq!(
        &row[headers.iter().position(|h| h == "in_flight").unwrap()],
        "false"
    );
    assert!(num("cs_low") <= num("lift_ci_low") && num("lift_ci_high") <= num("cs_high"));
    assert!(num("srm_p_value") > 0.001);
    let vr = num("variance_reduction");
    assert!((0.0..1.0).contains(&vr), "variance reduction {vr}");
    assert!(num("cuped_ci_low") < num("cuped_lift") && num("cuped_lift") < num("cuped_ci_high"));
    assert!((0.0..=1.0).contains(&num("always_valid_p")));
}

#[tokio::test]
async fn an_experiment_in_flight_is_read_on_its_always_valid_interval() {
    // EXP01 ends after the window (2026-11-01): still running.
    let dir = sample_copy();
    crate::util::edit(dir.path(), "experiments.csv", "2026-06-30", "2026-12-31");
    let out = tempfile::tempdir().unwrap();
    let s = run(dir.path(), out.path(), None).await.unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/experiments_result.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let row = rdr.records().next().unwrap().unwrap();
    let get = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(get("in_flight"), "true");
    let p: f64 = get("always_valid_p").parse().unwrap();
    let label = get("label");
    // In flight, only the always-valid p-value decides the label.
    assert_eq!(label, if p < 0.05 { "significant" } else { "in flight" });
    let html = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    assert!(
        html.contains("Still running"),
        "the page does not say it is running"
    );
    assert!(
        html.contains("may be read now") || html.contains("read the result when it excludes zero"),
        "the page does not say when it may be read"
    );
}

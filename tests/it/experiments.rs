//! Incrementality: the tests and intervals against independently computed values (SciPy
//! 1.x: `scipy.stats.ttest_ind(equal_var=False)` and the normal distribution), a null effect
//! that must come out not significant, and the planted experiment of the sample.

use crate::util::{close, run, sample_dir};
use misura::analyses::experiments::{Arm, evaluate};
use misura::generate::truth::Truth;
use misura::stats::two_sample::{Moments, two_proportions, welch};

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
    };
    let r = evaluate("E0", "UC08", "conversion", arm, arm);
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
        converted: 0,
        revenue: (0.0, 0.0),
        churned: 0,
    };
    assert_eq!(
        evaluate("E1", "UC08", "conversion", none, none).label,
        "undefined"
    );
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

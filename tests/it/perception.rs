//! The perception gap on a hand-made survey (every figure worked out independently with
//! scipy: shares, Wald interval, pooled z-test, Holm, Spearman), and on generated data,
//! where the planted per-industry gaps must be recovered.

use crate::util::close;
use misura::analyses::perception::{ReasonCounts, compute};

fn counts(reason: &str, customer: (u64, u64), business: (u64, u64)) -> ReasonCounts {
    ReasonCounts {
        segment: "retail".into(),
        reason: reason.into(),
        customer,
        business,
    }
}

#[test]
fn gaps_tests_and_rank_correlation_worked_out_by_hand() {
    // (answered, selected): discounts 100/60 vs 50/20; community 100/30 vs 50/30;
    // events 100/10 vs 50/5.
    let p = compute(
        "industry",
        &[
            counts("discounts", (100, 60), (50, 20)),
            counts("community", (100, 30), (50, 30)),
            counts("events", (100, 10), (50, 5)),
        ],
    );
    let g = &p.gaps;
    assert_eq!(g.len(), 3);
    // discounts: 0.6 − 0.4 = 0.2; Wald se √(.6·.4/100 + .4·.6/50) = 0.08485;
    // pooled 80/150, z = 2.3146, p = 0.020638 (scipy.stats.norm.sf).
    close(g[0].customer_share.unwrap(), 0.6, 1e-12, "customer share");
    close(g[0].business_share.unwrap(), 0.4, 1e-12, "business share");
    close(g[0].gap.unwrap(), 0.2, 1e-12, "gap");
    close(
        g[0].gap_ci_low.unwrap(),
        0.033691541078038595,
        1e-9,
        "ci low",
    );
    close(
        g[0].gap_ci_high.unwrap(),
        0.3663084589219613,
        1e-9,
        "ci high",
    );
    close(g[0].p_value.unwrap(), 0.0206375582439722, 1e-9, "p");
    // community: 0.3 − 0.6 = −0.3, p = 0.000406952.
    close(g[1].gap.unwrap(), -0.3, 1e-12, "community gap");
    close(
        g[1].p_value.unwrap(),
        0.00040695201744495886,
        1e-9,
        "community p",
    );
    // events: no gap, p = 1.
    close(g[2].p_value.unwrap(), 1.0, 1e-12, "events p");
    // Holm over 3 reasons: 3 × 0.000407, max(that, 2 × 0.02064), 1.
    close(
        g[1].p_value_adjusted.unwrap(),
        0.0012208560523348766,
        1e-9,
        "holm 1st",
    );
    close(
        g[0].p_value_adjusted.unwrap(),
        0.0412751164879444,
        1e-9,
        "holm 2nd",
    );
    close(g[2].p_value_adjusted.unwrap(), 1.0, 1e-9, "holm 3rd");
    // Orderings: customers 3, 2, 1 (by share), business 2, 3, 1 → ρ = 0.5.
    close(p.ranks[0].spearman_rho.unwrap(), 0.5, 1e-12, "spearman");
    assert_eq!(p.ranks[0].reasons, 3);
}

#[tokio::test]
async fn the_planted_industry_gaps_are_recovered() {
    let data = tempfile::tempdir().unwrap();
    misura::generate::generate(misura::generate::GenerateOptions {
        scale: 0.01,
        seed: 7,
        out: data.path().to_path_buf(),
        format: misura::generate::OutFormat::Parquet,
    })
    .unwrap();
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.path().join("truth.json")).unwrap())
            .unwrap();
    let planted = &truth["planted"]["perception"];
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(data.path(), out.path(), None)
        .await
        .unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/perception_gap.csv")).unwrap();
    let (mut inside, mut all) = (0, 0);
    for r in rdr.records().map(Result::unwrap) {
        let (industry, reason) = (&r[1], &r[2]);
        let pair = &planted[industry][reason];
        let want = pair[0].as_f64().unwrap() - pair[1].as_f64().unwrap();
        let (lo, hi): (f64, f64) = (r[8].parse().unwrap(), r[9].parse().unwrap());
        all += 1;
        if lo <= want && want <= hi {
            inside += 1;
        }
        // A large planted gap is found, in the right direction and significant (before
        // adjustment: about 100 customers and 40 business respondents per industry).
        if want.abs() >= 0.3 {
            let gap: f64 = r[7].parse().unwrap();
            assert!(
                gap * want > 0.0,
                "{industry}/{reason}: gap {gap} vs planted {want}"
            );
            assert!(
                r[10].parse::<f64>().unwrap() < 0.05,
                "{industry}/{reason}: not significant"
            );
        }
    }
    assert!(all >= 40, "every industry × reason: {all}");
    // 95 % intervals: expect ~95 % coverage; allow for chance.
    assert!(
        inside as f64 >= 0.85 * all as f64,
        "planted gap inside the interval {inside}/{all}"
    );
}

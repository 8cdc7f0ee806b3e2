//! BG/NBD: the published CDNOW fit reproduced through `misura run`, and parameters recovered
//! from customers simulated with known parameters.

use misura::clv::bgnbd::{History, fit};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{Beta, ContinuousCDF, Gamma};
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
    let est: Vec<(String, f64, f64)> = rdr
        .records()
        .map(Result::unwrap)
        .map(|r| {
            (
                r[1].to_string(),
                r[2].parse().unwrap(),
                r[4].parse().unwrap(),
            )
        })
        .collect();
    for (name, published) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
        let got = est.iter().find(|e| e.0 == name).unwrap().1;
        assert_eq!(
            sig3(got),
            sig3(published),
            "{name}: {got} vs published {published}"
        );
    }
    assert!(
        (est[0].2 - -9582.4).abs() < 0.5,
        "log-likelihood {}",
        est[0].2
    );
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/clv.csv")).unwrap();
    assert_eq!(rdr.records().count(), 2357, "every customer summarised");
}

/// Customers drawn from BG/NBD(r, α, a, b), observed for T ∈ [30, 40) weeks.
fn simulate(n: usize, r: f64, alpha: f64, a: f64, b: f64, seed: u64) -> Vec<History> {
    use rand::Rng;
    // Inverse-CDF sampling (statrs uses another rand major version than ours).
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (rates, drops) = (Gamma::new(r, alpha).unwrap(), Beta::new(a, b).unwrap());
    (0..n)
        .map(|_| {
            let lambda = rates.inverse_cdf(rng.random::<f64>().max(1e-12));
            let p = drops.inverse_cdf(rng.random::<f64>());
            let t = 30.0 + 10.0 * rng.random::<f64>();
            let (mut now, mut x, mut t_x) = (0.0, 0.0, 0.0);
            loop {
                now += -(1.0 - rng.random::<f64>()).ln() / lambda;
                if now >= t {
                    break;
                }
                x += 1.0;
                t_x = now;
                if rng.random::<f64>() < p {
                    break; // drops out after this purchase
                }
            }
            History { x, t_x, t }
        })
        .collect()
}

#[test]
fn known_parameters_are_recovered() {
    let truth = [0.5, 5.0, 0.8, 2.5];
    let f = fit(&simulate(5_000, truth[0], truth[1], truth[2], truth[3], 11)).unwrap();
    assert!(f.converged, "{}", f.message);
    let got = [f.params.r, f.params.alpha, f.params.a, f.params.b];
    let se = f.std_errors.expect("standard errors");
    for i in 0..4 {
        assert!(
            (got[i] - truth[i]).abs() <= 3.0 * se[i],
            "parameter {i}: {} ± {} vs {}",
            got[i],
            se[i],
            truth[i]
        );
    }
}

/// Timing on a million customers (not a CI test: `cargo test clv::million -- --ignored`).
#[test]
#[ignore = "timing, run by hand"]
fn million_customers_fit_time() {
    let histories = simulate(1_000_000, 0.5, 5.0, 0.8, 2.5, 3);
    let t = std::time::Instant::now();
    let f = fit(&histories).unwrap();
    eprintln!(
        "BG/NBD fit on {} customers: {:.1} s, converged {}",
        f.customers,
        t.elapsed().as_secs_f64(),
        f.converged
    );
}

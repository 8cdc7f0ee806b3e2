//! CLV fit benchmark (issue 10's "seconds on a million customers"): draws
//! `MISURA_BENCH_CUSTOMERS` customers (default 1,000,000) from known BG/NBD and Gamma-Gamma
//! parameters, observed 26–52 weeks at the pipeline's grain (whole days, in weeks), then
//! times the BG/NBD fit, the Gamma-Gamma fit and the per-customer valuation
//! (P(alive), expected transactions, discounted CLV over 52 weeks), `MISURA_BENCH_REPEAT`
//! times (default 3), printing min and median.
//!
//! `cargo bench --bench clv` (release profile) or `cargo bench --profile dev --bench clv`.

mod common;

use common::{env_or, time};
use misura::analyses::clv::bgnbd::{self, History};
use misura::analyses::clv::gamma_gamma::{self, Spend};
use misura::analyses::clv::simulate::{self, Observation};
use misura::analyses::clv::value;
use std::time::Instant;

fn main() {
    let n: usize = env_or("MISURA_BENCH_CUSTOMERS", 1_000_000);
    let repeat: usize = env_or("MISURA_BENCH_REPEAT", 3);
    let truth = bgnbd::Params {
        r: 0.5,
        alpha: 5.0,
        a: 0.8,
        b: 2.5,
    };
    let spend = gamma_gamma::Params {
        p: 6.0,
        q: 4.0,
        gamma: 15.0,
    };
    let obs = Observation {
        t_min: 26.0,
        t_max: 52.0,
        grain: 1.0 / 7.0,
    };
    let t = Instant::now();
    let customers = simulate::customers(n, &truth, &spend, obs, 7);
    println!(
        "simulated {n} customers in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let histories: Vec<History> = customers.iter().map(|c| c.0).collect();
    let spends: Vec<Spend> = customers.iter().map(|c| c.1).collect();
    let groups = bgnbd::group(&histories);
    println!(
        "{} distinct histories, {} distinct x",
        groups.histories.len(),
        groups.by_x.len()
    );
    let f = time("BG/NBD fit", repeat, || bgnbd::fit(&histories).unwrap());
    println!(
        "  r {:.4} alpha {:.4} a {:.4} b {:.4}  LL {:.1}  converged {} ({})",
        f.params.r,
        f.params.alpha,
        f.params.a,
        f.params.b,
        f.log_likelihood,
        f.converged,
        f.message
    );
    let g = time("Gamma-Gamma fit", repeat, || {
        gamma_gamma::fit(&spends).unwrap()
    });
    println!(
        "  p {:.4} q {:.4} gamma {:.4}  converged {} ({})",
        g.params.p, g.params.q, g.params.gamma, g.converged, g.message
    );
    let total = time("value every customer (52 weeks)", repeat, || {
        histories
            .iter()
            .zip(&spends)
            .map(|(h, s)| {
                let _ = bgnbd::p_alive(&f.params, h);
                value::discounted_transactions(&f.params, h, 52.0, 7.0, 0.1)
                    * gamma_gamma::expected_spend(&g.params, s).unwrap_or(0.0)
            })
            .sum::<f64>()
    });
    println!("  total discounted spend {total:.0}");
}

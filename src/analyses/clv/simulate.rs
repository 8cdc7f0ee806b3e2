//! Customers drawn from known model parameters, for the recovery tests and the fit
//! benchmark: BG/NBD purchase histories and Gamma-Gamma spends. Inverse-CDF sampling
//! (statrs depends on another major version of `rand` than ours).

use super::bgnbd::{self, History};
use super::gamma_gamma::{self, Spend};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{Beta, ContinuousCDF, Gamma};

/// How long customers are observed, and at what grain.
#[derive(Debug, Clone, Copy)]
pub struct Observation {
    /// Ages T are uniform in [min, max) time units.
    pub t_min: f64,
    /// See `t_min`.
    pub t_max: f64,
    /// Round tₓ and T down to whole multiples of this (e.g. 1/7 for days in weeks, as the
    /// pipeline's RFM query does); 0 keeps continuous times.
    pub grain: f64,
}

/// `n` customers drawn from BG/NBD(`p`), each with its spends drawn from Gamma-Gamma(`g`).
pub fn customers(
    n: usize,
    p: &bgnbd::Params,
    g: &gamma_gamma::Params,
    obs: Observation,
    seed: u64,
) -> Vec<(History, Spend)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rates = Gamma::new(p.r, p.alpha).expect("valid r, alpha");
    let drops = Beta::new(p.a, p.b).expect("valid a, b");
    let scales = Gamma::new(g.q, g.gamma).expect("valid q, gamma");
    let round = |v: f64| {
        if obs.grain > 0.0 {
            (v / obs.grain).floor() * obs.grain
        } else {
            v
        }
    };
    (0..n)
        .map(|_| {
            let lambda = rates.inverse_cdf(rng.random::<f64>().max(1e-12));
            let dropout = drops.inverse_cdf(rng.random::<f64>());
            let nu = scales.inverse_cdf(rng.random::<f64>().max(1e-12));
            let spend = Gamma::new(g.p, nu).expect("valid p, nu");
            let t = round(obs.t_min + (obs.t_max - obs.t_min) * rng.random::<f64>());
            let (mut now, mut x, mut t_x, mut total) = (0.0, 0.0, 0.0, 0.0);
            loop {
                now += -(1.0 - rng.random::<f64>()).ln() / lambda;
                if round(now) >= t {
                    break;
                }
                x += 1.0;
                t_x = round(now);
                total += spend.inverse_cdf(rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12));
                if rng.random::<f64>() < dropout {
                    break; // inactive after this purchase
                }
            }
            let mean = if x > 0.0 { total / x } else { f64::NAN };
            (History { x, t_x, t }, Spend { x, mean })
        })
        .collect()
}

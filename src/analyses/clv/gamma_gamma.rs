//! The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV:
//! using iso-value curves for customer base analysis", JMR 42(4); the likelihood as in
//! Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): the mean spend z̄ of a
//! customer's x repeat transactions, with spend ~ Gamma(p, ν) and ν ~ Gamma(q, γ) across
//! customers. Fitted on customers with at least one repeat transaction and a positive mean
//! spend; the conditional expected spend per transaction of every customer follows from it.

use super::mle;
use crate::error::{Error, Result};
use statrs::function::gamma::ln_gamma;

/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Shape of the spend of one transaction.
    pub p: f64,
    /// Shape of the customers' spend-rate gamma.
    pub q: f64,
    /// Scale of the customers' spend-rate gamma.
    pub gamma: f64,
}

/// A fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Estimates.
    pub params: Params,
    /// Standard errors (p, q, γ); `None` when the Hessian is not positive definite.
    pub std_errors: Option<[f64; 3]>,
    /// Log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// The optimiser converged.
    pub converged: bool,
    /// The optimiser's termination message.
    pub message: String,
    /// Customers fitted (x > 0 and z̄ > 0).
    pub customers: usize,
}

/// One customer: repeat transactions x and their mean spend z̄.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spend {
    /// Repeat transactions.
    pub x: f64,
    /// Mean spend of those transactions.
    pub mean: f64,
}

/// Log-likelihood of one customer (x > 0, z̄ > 0).
pub fn ll_one(p: &Params, s: &Spend) -> f64 {
    let Params { p, q, gamma } = *p;
    let (x, m) = (s.x, s.mean);
    ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
        + q * gamma.ln()
        + (p * x - 1.0) * m.ln()
        + p * x * x.ln()
        - (p * x + q) * (gamma + m * x).ln()
}

/// The customers a fit reads: per customer (x, z̄, ln z̄), and the counts per x (the
/// log-gamma terms depend on x only).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prepared {
    items: Vec<[f64; 3]>,
    by_x: Vec<(f64, f64)>,
}

impl Prepared {
    /// From usable spends (x > 0, z̄ > 0).
    pub fn new(spends: &[Spend]) -> Self {
        let mut by_x: std::collections::BTreeMap<u64, f64> = Default::default();
        for s in spends {
            *by_x.entry(s.x.to_bits()).or_insert(0.0) += 1.0;
        }
        Prepared {
            items: spends.iter().map(|s| [s.x, s.mean, s.mean.ln()]).collect(),
            by_x: by_x
                .into_iter()
                .map(|(x, n)| (f64::from_bits(x), n))
                .collect(),
        }
    }
}

/// Total log-likelihood: log-gamma terms once per distinct x, the rest per customer in
/// parallel.
pub fn log_likelihood(p: &Params, d: &Prepared) -> f64 {
    let Params { p, q, gamma } = *p;
    let (ln_gamma_q, q_ln_g) = (ln_gamma(q), q * gamma.ln());
    let head: f64 = d
        .by_x
        .iter()
        .map(|&(x, n)| {
            n * (ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma_q + q_ln_g + p * x * x.ln())
        })
        .sum();
    head + mle::par_sum(&d.items, |&[x, m, ln_m]| {
        (p * x - 1.0) * ln_m - (p * x + q) * (gamma + m * x).ln()
    })
}

/// Fits the model on the customers with x > 0 and z̄ > 0 (the others carry no spend
/// information). Fewer than 2 such customers, or spends all equal, are an error.
pub fn fit(spends: &[Spend]) -> Result<Fit> {
    let usable: Vec<Spend> = spends
        .iter()
        .copied()
        .filter(|s| s.x > 0.0 && s.mean > 0.0 && s.mean.is_finite())
        .collect();
    let problem = |p: String| Error::Model {
        model: "gamma_gamma".into(),
        problem: p,
    };
    if usable.len() < 2 {
        return Err(problem(format!(
            "{} customer(s) with a repeat purchase and a positive spend: too few to fit the spend model",
            usable.len()
        )));
    }
    let mean = usable.iter().map(|s| s.mean).sum::<f64>() / usable.len() as f64;
    if usable.iter().all(|s| (s.mean - mean).abs() <= 1e-12 * mean) {
        return Err(problem(
            "every customer's mean spend is the same: the spend model has no variation to fit"
                .into(),
        ));
    }
    let prepared = Prepared::new(&usable);
    let e = mle::maximise(
        "gamma_gamma",
        |v| {
            log_likelihood(
                &Params {
                    p: v[0],
                    q: v[1],
                    gamma: v[2],
                },
                &prepared,
            )
        },
        &[1.0, 2.0, mean],
        usable.len(),
    )?;
    Ok(Fit {
        params: Params {
            p: e.params[0],
            q: e.params[1],
            gamma: e.params[2],
        },
        std_errors: e.std_errors.map(|s| [s[0], s[1], s[2]]),
        log_likelihood: e.log_likelihood,
        converged: e.converged,
        message: e.message,
        customers: usable.len(),
    })
}

/// Expected spend per transaction of a customer with x repeat transactions of mean z̄
/// (the population mean pγ/(q − 1) when x = 0); `None` when q ≤ 1 (no finite mean).
pub fn expected_spend(p: &Params, s: &Spend) -> Option<f64> {
    let Params { p, q, gamma } = *p;
    if q <= 1.0 {
        return None;
    }
    let population = p * gamma / (q - 1.0);
    if s.x <= 0.0 || !s.mean.is_finite() {
        return Some(population);
    }
    let w = (q - 1.0) / (p * s.x + q - 1.0);
    Some(w * population + (1.0 - w) * s.mean)
}

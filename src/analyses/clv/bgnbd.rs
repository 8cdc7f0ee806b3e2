//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
//! log-likelihood, maximum-likelihood fit (Nelder–Mead over log-parameters, argmin), standard
//! errors from the numerical Hessian, P(alive) and the conditional expected number of
//! transactions. Customers with the same (x, tₓ, T) are grouped, so the likelihood costs one
//! evaluation per distinct history (and its log-gamma terms one per distinct x).

use super::mle;
use crate::error::{Error, Result};
use statrs::function::gamma::ln_gamma;
use std::collections::BTreeMap;

/// One customer's summary: repeat transactions x, time of the last one tₓ, age T (time units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct History {
    /// Repeat transactions in the calibration period.
    pub x: f64,
    /// Time from the first to the last transaction.
    pub t_x: f64,
    /// Time from the first transaction to the end of the calibration period.
    pub t: f64,
}

/// BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Shape of the transaction-rate gamma.
    pub r: f64,
    /// Scale of the transaction-rate gamma.
    pub alpha: f64,
    /// Beta shape a of the dropout probability.
    pub a: f64,
    /// Beta shape b of the dropout probability.
    pub b: f64,
}

/// A fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Estimates.
    pub params: Params,
    /// Standard errors (r, α, a, b) from the inverse Hessian; `None` when it is singular.
    pub std_errors: Option<[f64; 4]>,
    /// Log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// The optimiser converged.
    pub converged: bool,
    /// The optimiser's termination message.
    pub message: String,
    /// Customers fitted.
    pub customers: usize,
}

/// Log-likelihood of one history.
pub fn ll_one(p: &Params, h: &History) -> f64 {
    let Params { r, alpha, a, b } = *p;
    let x = h.x;
    let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
    let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
    let a3 = -(r + x) * (alpha + h.t).ln();
    let tail = if x > 0.0 {
        let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + h.t_x).ln();
        // ln(e^a3 + e^a4), stably
        let m = a3.max(a4);
        m + ((a3 - m).exp() + (a4 - m).exp()).ln()
    } else {
        a3
    };
    a1 + a2 + tail
}

/// The histories a fit reads: distinct (x, tₓ, T) with their counts, and the counts per x.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grouped {
    /// Distinct histories and how many customers have each.
    pub histories: Vec<(History, f64)>,
    /// Distinct x and how many customers have each.
    pub by_x: Vec<(f64, f64)>,
}

/// Groups histories; the pipeline's are whole days, so a million customers make a few
/// hundred thousand distinct histories at most.
pub fn group(histories: &[History]) -> Grouped {
    let mut g: BTreeMap<(u64, u64, u64), (History, f64)> = BTreeMap::new();
    let mut by_x: BTreeMap<u64, f64> = BTreeMap::new();
    for h in histories {
        g.entry((h.x.to_bits(), h.t_x.to_bits(), h.t.to_bits()))
            .or_insert((*h, 0.0))
            .1 += 1.0;
        *by_x.entry(h.x.to_bits()).or_insert(0.0) += 1.0;
    }
    Grouped {
        histories: g.into_values().collect(),
        by_x: by_x
            .into_iter()
            .map(|(x, n)| (f64::from_bits(x), n))
            .collect(),
    }
}

/// Total log-likelihood: the log-gamma terms depend on x only and are evaluated once per
/// distinct x; the rest once per distinct history, in parallel.
pub fn log_likelihood(p: &Params, g: &Grouped) -> f64 {
    let Params { r, alpha, a, b } = *p;
    let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
    let head: f64 = g
        .by_x
        .iter()
        .map(|&(x, n)| {
            n * (ln_gamma(r + x) - ln_gamma(r) + r * ln_alpha + ln_gamma(a + b) + ln_gamma(b + x)
                - ln_gamma(b)
                - ln_gamma(a + b + x))
        })
        .sum();
    let tail = mle::par_sum(&g.histories, |(h, n)| {
        let x = h.x;
        let a3 = -(r + x) * (alpha + h.t).ln();
        n * if x > 0.0 {
            let a4 = ln_a - (b + x - 1.0).ln() - (r + x) * (alpha + h.t_x).ln();
            let m = a3.max(a4);
            m + ((a3 - m).exp() + (a4 - m).exp()).ln()
        } else {
            a3
        }
    });
    head + tail
}

fn params(v: &[f64]) -> Params {
    Params {
        r: v[0],
        alpha: v[1],
        a: v[2],
        b: v[3],
    }
}

/// Fits the model by maximum likelihood. A calibration period without any repeat purchase
/// is an error: the model cannot tell the purchase rate from the dropout.
pub fn fit(histories: &[History]) -> Result<Fit> {
    let problem = |p: &str| Error::Model {
        model: "bg_nbd".into(),
        problem: p.into(),
    };
    if histories.is_empty() {
        return Err(problem(
            "no customer with a purchase in the calibration period",
        ));
    }
    if histories.iter().all(|h| h.x == 0.0) {
        return Err(problem(
            "no customer bought twice in the calibration period: purchase rate and dropout cannot be told apart (lengthen the window)",
        ));
    }
    let grouped = group(histories);
    let e = mle::maximise(
        "bg_nbd",
        |v| log_likelihood(&params(v), &grouped),
        &[1.0; 4],
        histories.len(),
    )?;
    Ok(Fit {
        params: params(&e.params),
        std_errors: e.std_errors.map(|s| [s[0], s[1], s[2], s[3]]),
        log_likelihood: e.log_likelihood,
        converged: e.converged,
        message: e.message,
        customers: histories.len(),
    })
}

/// P(alive at T | x, tₓ, T).
pub fn p_alive(p: &Params, h: &History) -> f64 {
    if h.x == 0.0 {
        return 1.0;
    }
    let ratio = ((p.alpha + h.t) / (p.alpha + h.t_x)).powf(p.r + h.x);
    1.0 / (1.0 + p.a / (p.b + h.x - 1.0) * ratio)
}

/// Gauss's hypergeometric ₂F₁(a, b; c; z) for |z| < 1, by its series.
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 0..100_000 {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

/// Expected transactions in the next `horizon` time units, given the history.
pub fn expected_transactions(p: &Params, h: &History, horizon: f64) -> f64 {
    let Params { r, alpha, a, b } = *p;
    let x = h.x;
    let z = horizon / (alpha + h.t + horizon);
    let first = (a + b + x - 1.0) / (a - 1.0);
    let second = 1.0
        - ((alpha + h.t) / (alpha + h.t + horizon)).powf(r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1.0, z);
    let denominator = if x > 0.0 {
        1.0 + a / (b + x - 1.0) * ((alpha + h.t) / (alpha + h.t_x)).powf(r + x)
    } else {
        1.0
    };
    first * second / denominator
}

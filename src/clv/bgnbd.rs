//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
//! log-likelihood, maximum-likelihood fit (Nelder–Mead over log-parameters, argmin), standard
//! errors from the numerical Hessian, P(alive) and the conditional expected number of
//! transactions. Customers with the same (x, tₓ, T) are grouped, so the likelihood costs one
//! evaluation per distinct history.

use crate::error::{Error, Result};
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use nalgebra::{DMatrix, SMatrix};
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

/// Distinct histories with their counts.
pub fn group(histories: &[History]) -> Vec<(History, f64)> {
    let mut g: BTreeMap<(u64, u64, u64), (History, f64)> = BTreeMap::new();
    for h in histories {
        let e = g
            .entry((h.x.to_bits(), h.t_x.to_bits(), h.t.to_bits()))
            .or_insert((*h, 0.0));
        e.1 += 1.0;
    }
    g.into_values().collect()
}

/// Total log-likelihood of grouped histories.
pub fn log_likelihood(p: &Params, grouped: &[(History, f64)]) -> f64 {
    grouped.iter().map(|(h, n)| n * ll_one(p, h)).sum()
}

struct Problem<'a> {
    grouped: &'a [(History, f64)],
}

fn from_log(v: &[f64]) -> Params {
    Params {
        r: v[0].exp(),
        alpha: v[1].exp(),
        a: v[2].exp(),
        b: v[3].exp(),
    }
}

impl CostFunction for Problem<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, v: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        let ll = log_likelihood(&from_log(v), self.grouped);
        Ok(if ll.is_finite() { -ll } else { f64::MAX })
    }
}

/// Fits the model by maximum likelihood.
pub fn fit(histories: &[History]) -> Result<Fit> {
    let fail = |e: argmin::core::Error| Error::Model {
        model: "bg_nbd".into(),
        problem: e.to_string(),
    };
    if histories.is_empty() {
        return Err(Error::Model {
            model: "bg_nbd".into(),
            problem: "no customer with a purchase in the calibration period".into(),
        });
    }
    let grouped = group(histories);
    let start = vec![0.0_f64; 4];
    let simplex: Vec<Vec<f64>> = std::iter::once(start.clone())
        .chain((0..4).map(|i| {
            let mut v = start.clone();
            v[i] += 1.0;
            v
        }))
        .collect();
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-9)
        .map_err(fail)?;
    let res = Executor::new(Problem { grouped: &grouped }, solver)
        .configure(|s| s.max_iters(10_000))
        .run()
        .map_err(fail)?;
    let state = res.state();
    let best = state.get_best_param().cloned().unwrap_or(start);
    let params = from_log(&best);
    let status = format!("{}", state.get_termination_status());
    let converged = status.to_lowercase().contains("solver converged")
        || status.to_lowercase().contains("target cost");
    Ok(Fit {
        std_errors: std_errors(&params, &grouped),
        log_likelihood: log_likelihood(&params, &grouped),
        converged,
        message: status,
        params,
        customers: histories.len(),
    })
}

/// Standard errors from the inverse of the negative Hessian of the log-likelihood
/// (central differences in the natural parameters).
fn std_errors(p: &Params, grouped: &[(History, f64)]) -> Option<[f64; 4]> {
    let v = [p.r, p.alpha, p.a, p.b];
    let f = |v: &[f64; 4]| {
        log_likelihood(
            &Params {
                r: v[0],
                alpha: v[1],
                a: v[2],
                b: v[3],
            },
            grouped,
        )
    };
    let h: Vec<f64> = v.iter().map(|x| 1e-4 * x.abs().max(1e-3)).collect();
    let mut hess = SMatrix::<f64, 4, 4>::zeros();
    for i in 0..4 {
        for j in 0..4 {
            let shifted = |di: f64, dj: f64| {
                let mut w = v;
                w[i] += di * h[i];
                w[j] += dj * h[j];
                f(&w)
            };
            hess[(i, j)] = (shifted(1.0, 1.0) - shifted(1.0, -1.0) - shifted(-1.0, 1.0)
                + shifted(-1.0, -1.0))
                / (4.0 * h[i] * h[j]);
        }
    }
    let inv = DMatrix::from_iterator(4, 4, (-hess).iter().copied()).try_inverse()?;
    let se = [inv[(0, 0)], inv[(1, 1)], inv[(2, 2)], inv[(3, 3)]];
    se.iter()
        .all(|d| d.is_finite() && *d > 0.0)
        .then(|| se.map(f64::sqrt))
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
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
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

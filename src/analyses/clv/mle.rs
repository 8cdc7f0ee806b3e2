//! Maximum likelihood for the CLV models: Nelder–Mead (argmin) over the logarithms of the
//! positive parameters, standard errors from the inverse of the numerical Hessian in the
//! natural parameters, the optimiser's termination status kept as the fit's message, and a
//! log-likelihood summed in fixed chunks on every core (the same sum on any thread count).

use crate::error::{Error, Result};
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use nalgebra::DMatrix;

/// The result of a fit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Estimate {
    /// Estimates in the natural (positive) parameters.
    pub params: Vec<f64>,
    /// Standard errors from the inverse Hessian; `None` when it is not positive definite.
    pub std_errors: Option<Vec<f64>>,
    /// Log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// The optimiser met its tolerance (not stopped by the iteration limit).
    pub converged: bool,
    /// The optimiser's termination status, in its words.
    pub message: String,
}

struct Problem<'a, F> {
    ll: &'a F,
    per: f64,
}

impl<F: Fn(&[f64]) -> f64> CostFunction for Problem<'_, F> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, v: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        let natural: Vec<f64> = v.iter().map(|x| x.exp()).collect();
        let ll = (self.ll)(&natural);
        Ok(if ll.is_finite() {
            -ll / self.per
        } else {
            f64::MAX
        })
    }
}

/// Maximises `ll` (a log-likelihood in positive parameters of `n` observations) from
/// `start`. The optimiser sees the mean log-likelihood per observation, so that its
/// tolerance means the same on 2,000 customers as on a million (a total's rounding noise
/// grows with n and would otherwise never let the simplex settle).
pub(crate) fn maximise(
    model: &str,
    ll: impl Fn(&[f64]) -> f64,
    start: &[f64],
    n: usize,
) -> Result<Estimate> {
    let fail = |e: argmin::core::Error| Error::Model {
        model: model.into(),
        problem: e.to_string(),
    };
    let origin: Vec<f64> = start.iter().map(|x| x.ln()).collect();
    let simplex: Vec<Vec<f64>> = std::iter::once(origin.clone())
        .chain((0..origin.len()).map(|i| {
            let mut v = origin.clone();
            v[i] += 1.0;
            v
        }))
        .collect();
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-9)
        .map_err(fail)?;
    let res = Executor::new(
        Problem {
            ll: &ll,
            per: n.max(1) as f64,
        },
        solver,
    )
    .configure(|s| s.max_iters(10_000))
    .run()
    .map_err(fail)?;
    let state = res.state();
    let best = state.get_best_param().cloned().unwrap_or(origin);
    let params: Vec<f64> = best.iter().map(|x| x.exp()).collect();
    let message = format!("{}", state.get_termination_status());
    let converged = message.to_lowercase().contains("solver converged");
    let log_likelihood = ll(&params);
    if !log_likelihood.is_finite() || params.iter().any(|p| !p.is_finite()) {
        return Err(Error::Model {
            model: model.into(),
            problem: format!(
                "the likelihood has no finite maximum on this data (optimiser: {message})"
            ),
        });
    }
    Ok(Estimate {
        std_errors: std_errors(&ll, &params),
        log_likelihood,
        converged,
        message,
        params,
    })
}

/// Standard errors from the inverse of the negative Hessian (central differences).
fn std_errors(ll: &impl Fn(&[f64]) -> f64, v: &[f64]) -> Option<Vec<f64>> {
    let k = v.len();
    let h: Vec<f64> = v.iter().map(|x| 1e-4 * x.abs().max(1e-3)).collect();
    let mut hess = DMatrix::<f64>::zeros(k, k);
    for i in 0..k {
        for j in 0..k {
            let shifted = |di: f64, dj: f64| {
                let mut w = v.to_vec();
                w[i] += di * h[i];
                w[j] += dj * h[j];
                ll(&w)
            };
            hess[(i, j)] = (shifted(1.0, 1.0) - shifted(1.0, -1.0) - shifted(-1.0, 1.0)
                + shifted(-1.0, -1.0))
                / (4.0 * h[i] * h[j]);
        }
    }
    let inv = (-hess).try_inverse()?;
    let var: Vec<f64> = (0..k).map(|i| inv[(i, i)]).collect();
    var.iter()
        .all(|d| d.is_finite() && *d > 0.0)
        .then(|| var.iter().map(|d| d.sqrt()).collect())
}

/// Items per chunk of a parallel sum: the chunking (and so the result) does not depend on
/// the number of threads.
const CHUNK: usize = 16_384;

/// Σ f(item) over `items`: chunks summed on every core (the bootstrap's fan-out) and added
/// in chunk order.
pub(crate) fn par_sum<T: Sync>(items: &[T], f: impl Fn(&T) -> f64 + Sync) -> f64 {
    let chunks: Vec<&[T]> = items.chunks(CHUNK).collect();
    if chunks.len() < 2 {
        return items.iter().map(&f).sum();
    }
    crate::stats::bootstrap::replicates(chunks.len(), |k| Ok(chunks[k].iter().map(&f).sum()))
        .expect("summing never fails")
        .iter()
        .sum()
}

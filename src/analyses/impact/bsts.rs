//! The counterfactual of one treated series as R CausalImpact 1.4.1 computes it by default
//! (Brodersen, Gallusser, Koehler, Remy & Scott 2015, "Inferring causal impact using Bayesian
//! structural time-series models", Annals of Applied Statistics 9(1)): a local level plus a
//! static regression on the covariates, fitted on the pre-period by Gibbs sampling, then
//! simulated forward over the post-period.
//!
//! The model and priors, as CausalImpact builds them (its `ConstructModel` with bsts and
//! BoomSpikeSlab defaults), on data standardised with the pre-period's mean and sd:
//! - level: μ_{t+1} = μ_t + η_t, η ~ N(0, σ²_level); 1/σ²_level ~ Gamma(32/2, 32·(0.01)²/2),
//!   σ_level ≤ 1 (`prior.level.sd` 0.01, sample size 32); μ_1 ~ N(y_1, 1);
//! - without covariates: y_t = μ_t + ε_t, 1/σ² ~ Gamma(0.01/2, 0.01/2), σ ≤ 1.2;
//! - with covariates: y_t = μ_t + x_tᵀβ + ε_t, x with an intercept column; spike and slab:
//!   each column included with probability min(1, 3 / columns); β | σ² ~ N(0, σ² Ω) with
//!   Ω⁻¹ = 0.01 · (½ diag(XᵀX/n) + ½ XᵀX/n) over all n rows; 1/σ² ~ Gamma(50/2, 50·0.2/2)
//!   (expected R² 0.8), σ ≤ 1.2; inclusion drawn with β and σ² integrated out.
//!
//! - optionally a seasonal component (`Options::seasonal`, bsts's `AddSeasonal`; see
//!   [`super::seasonal`]).
//!
//! Each iteration draws the level path (forward filtering, backward sampling), σ²_level,
//! the season's effects and σ²_season when there is one, then the regression. The burn-in is CausalImpact's (`SuggestBurn(0.1)` on the
//! log-likelihood trace); the posterior predictive of the post-period includes observation
//! noise, the point prediction does not. Seeded (ChaCha8), single-threaded: the same data,
//! options and seed give the same numbers anywhere.

use super::seasonal::Seasonal;
use crate::error::{Error, Result};
use crate::stats::bootstrap::Source;
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, StandardNormal};

/// What to fit.
#[derive(Debug, Clone)]
pub struct Series {
    /// The outcome, pre- and post-period.
    pub y: Vec<f64>,
    /// Covariates, each as long as `y` (not affected by the launch).
    pub x: Vec<Vec<f64>>,
    /// Index of the first post-period point.
    pub t0: usize,
}

/// Sampler settings.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// MCMC iterations (CausalImpact's default is 1,000).
    pub niter: usize,
    /// Seed.
    pub seed: u64,
    /// Prior guess of the level's standard deviation, in sds of y (`prior.level.sd`).
    pub prior_level_sd: f64,
    /// A seasonal component (`nseasons`, `season.duration`); none by default.
    pub seasonal: Option<Seasonal>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            niter: 1000,
            seed: 1,
            prior_level_sd: 0.01,
            seasonal: None,
        }
    }
}

/// CausalImpact's summary of the post-period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Impact {
    /// Average effect per post period: mean(actual) − mean(prediction).
    pub point_effect_mean: f64,
    /// Its 95 % interval (2.5 and 97.5 % of the posterior draws).
    pub ci_lower: f64,
    /// Upper bound.
    pub ci_upper: f64,
    /// Summed over the post-period.
    pub cumulative_effect_total: f64,
    /// Its interval.
    pub cumulative_ci_lower: f64,
    /// Upper bound.
    pub cumulative_ci_upper: f64,
    /// Relative effect: the mean over the draws of actual ÷ predicted post-period total − 1.
    pub relative_effect_mean: f64,
    /// Posterior tail-area probability of an effect at least this large by chance.
    pub p_value: f64,
    /// Per post period: prediction mean and its 95 % band (with observation noise).
    pub predicted: Vec<(f64, f64, f64)>,
    /// Per pre period: the posterior mean of the state (the model's fit).
    pub fitted: Vec<f64>,
    /// Per post period: the cumulative effect up to it, mean and 95 % band.
    pub cumulative: Vec<(f64, f64, f64)>,
    /// The cumulative effect over the post-period, one value per kept draw (in draw order):
    /// the posterior the ROI's interval samples from.
    #[serde(skip)]
    pub cumulative_draws: Vec<f64>,
    /// Draws kept after the burn-in.
    pub draws: usize,
}

impl Impact {
    /// Whether the result claims an effect: the 95 % interval of the cumulative effect
    /// excludes zero (a two-sided test at 5 %; the tail-area `p_value` is one-sided, as
    /// CausalImpact reports it).
    pub fn claims_effect(&self) -> bool {
        self.cumulative_ci_lower > 0.0 || self.cumulative_ci_upper < 0.0
    }
}

fn bad(problem: String) -> Error {
    Error::Model {
        model: "bsts".into(),
        problem,
    }
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, var.sqrt())
}

/// A draw of a precision from Gamma(shape, rate) truncated below at `floor` (a variance
/// capped above), by rejection, then the cap.
fn precision(rng: &mut ChaCha8Rng, shape: f64, rate: f64, floor: f64) -> f64 {
    let g = Gamma::new(shape, 1.0 / rate).expect("positive shape and rate");
    for _ in 0..1000 {
        let p: f64 = g.sample(&mut Source(rng));
        if p >= floor {
            return p;
        }
    }
    floor
}

/// A standard normal draw.
pub(super) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(&mut Source(rng))
}

/// Forward filtering, backward sampling of the level given the offsets `z` (y − xβ), the
/// variances and the initial prior; returns the path and the log-likelihood of `z`.
fn level_path(
    rng: &mut ChaCha8Rng,
    z: &[f64],
    var_obs: f64,
    var_level: f64,
    start: (f64, f64),
) -> (Vec<f64>, f64) {
    let n = z.len();
    let (mut a, mut p) = start;
    let mut filtered = Vec::with_capacity(n);
    let mut loglik = 0.0;
    for &zt in z {
        let f = p + var_obs;
        let v = zt - a;
        loglik -= 0.5 * ((2.0 * std::f64::consts::PI * f).ln() + v * v / f);
        let k = p / f;
        let (af, pf) = (a + k * v, p * (1.0 - k));
        filtered.push((af, pf));
        a = af;
        p = pf + var_level;
    }
    let mut path = vec![0.0; n];
    let (af, pf) = filtered[n - 1];
    path[n - 1] = af + pf.max(0.0).sqrt() * normal(rng);
    for t in (0..n - 1).rev() {
        let (af, pf) = filtered[t];
        let gain = pf / (pf + var_level);
        let m = af + gain * (path[t + 1] - af);
        let v = (pf - gain * pf).max(0.0);
        path[t] = m + v.sqrt() * normal(rng);
    }
    (path, loglik)
}

/// The regression's prior and data, fixed over the iterations.
struct Regression {
    /// Design, pre-period rows (intercept first).
    x_pre: DMatrix<f64>,
    /// Design, post-period rows.
    x_post: DMatrix<f64>,
    /// Prior precision (in units of σ²).
    omega_inv: DMatrix<f64>,
    /// Prior inclusion probability per column.
    inclusion: Vec<f64>,
    /// Prior sample size and sum of squares of σ².
    df: f64,
    ss: f64,
}

/// Σ log-terms of the marginal posterior of inclusion `g` (β and σ² integrated), and the
/// posterior pieces for the draws.
struct Marginal {
    log_post: f64,
    cols: Vec<usize>,
    v: DMatrix<f64>,
    mean: DVector<f64>,
    ss: f64,
}

impl Regression {
    fn new(x: &[Vec<f64>], t0: usize, n: usize) -> Self {
        let k = x.len() + 1;
        let design = DMatrix::from_fn(n, k, |r, c| if c == 0 { 1.0 } else { x[c - 1][r] });
        let xtx = design.transpose() * &design / n as f64;
        let omega_inv = (DMatrix::from_diagonal(&xtx.diagonal()) * 0.5 + &xtx * 0.5) * 0.01;
        let inclusion = (0..k)
            .map(|c| {
                if design.column(c).iter().all(|v| *v == 0.0) {
                    0.0
                } else {
                    (3.0 / k as f64).min(1.0)
                }
            })
            .collect();
        let df = 50.0;
        Regression {
            x_pre: design.rows(0, t0).into_owned(),
            x_post: design.rows(t0, n - t0).into_owned(),
            omega_inv,
            inclusion,
            df,
            ss: df * (1.0 - 0.8),
        }
    }

    fn marginal(&self, r: &DVector<f64>, g: &[bool]) -> Option<Marginal> {
        let cols: Vec<usize> = (0..g.len()).filter(|&c| g[c]).collect();
        let n = r.len() as f64;
        let prior_log: f64 = self
            .inclusion
            .iter()
            .zip(g)
            .map(|(p, on)| if *on { p.ln() } else { (1.0 - p).ln() })
            .sum();
        if cols.is_empty() {
            let ss = self.ss + r.norm_squared();
            return Some(Marginal {
                log_post: prior_log - 0.5 * (self.df + n) * ss.ln(),
                cols,
                v: DMatrix::zeros(0, 0),
                mean: DVector::zeros(0),
                ss,
            });
        }
        let xg = self.x_pre.select_columns(&cols);
        let og = self.omega_inv.select_rows(&cols).select_columns(&cols);
        let prec = xg.transpose() * &xg + &og;
        let chol = prec.clone().cholesky()?;
        let v = chol.inverse();
        let mean = &v * (xg.transpose() * r);
        let ss = self.ss + r.norm_squared() - (mean.transpose() * &prec * &mean)[(0, 0)];
        let log_det = |m: &DMatrix<f64>| {
            m.clone()
                .cholesky()
                .map(|c| 2.0 * c.l().diagonal().map(f64::ln).sum())
        };
        let log_post = prior_log + 0.5 * log_det(&og)?
            - 0.5 * log_det(&prec)?
            - 0.5 * (self.df + n) * ss.max(1e-300).ln();
        Some(Marginal {
            log_post,
            cols,
            v,
            mean,
            ss,
        })
    }

    /// One Gibbs step of the regression given the residuals `resid` of the level: the
    /// inclusion of each column (β and σ² integrated out), σ² and β; returns σ².
    fn draw(
        &self,
        rng: &mut ChaCha8Rng,
        resid: &DVector<f64>,
        g: &mut [bool],
        beta: &mut DVector<f64>,
        t0: usize,
        obs_cap: f64,
    ) -> Result<f64> {
        // Inclusion, column by column, with β and σ² integrated out.
        for j in 0..self.inclusion.len() {
            if self.inclusion[j] <= 0.0 || self.inclusion[j] >= 1.0 {
                continue;
            }
            let mut on = g.to_vec();
            on[j] = true;
            let mut off = g.to_vec();
            off[j] = false;
            let (a, b) = (self.marginal(resid, &on), self.marginal(resid, &off));
            if let (Some(a), Some(b)) = (a, b) {
                let p_on = 1.0 / (1.0 + (b.log_post - a.log_post).exp());
                let u: f64 = rand::Rng::random(rng);
                g[j] = u < p_on;
            }
        }
        let m = self.marginal(resid, g).ok_or_else(|| {
            bad("the covariates are collinear: the regression cannot be fitted".into())
        })?;
        let var_obs = 1.0
            / precision(
                rng,
                (self.df + t0 as f64) / 2.0,
                m.ss.max(1e-12) / 2.0,
                obs_cap,
            );
        beta.fill(0.0);
        if !m.cols.is_empty() {
            let l = (m.v.clone() * var_obs)
                .cholesky()
                .ok_or_else(|| bad("the regression's posterior is not positive definite".into()))?
                .l();
            let e = DVector::from_fn(m.cols.len(), |_, _| normal(rng));
            let b = &m.mean + l * e;
            for (i, &c) in m.cols.iter().enumerate() {
                beta[c] = b[i];
            }
        }
        Ok(var_obs)
    }
}

/// Refuses what the model cannot fit; returns the pre-period's mean and sd of y (the
/// standardisation).
fn validate(s: &Series, o: &Options) -> Result<(f64, f64)> {
    let n = s.y.len();
    if s.t0 < 3 || s.t0 >= n {
        return Err(bad(format!(
            "the intervention must leave at least 3 points before it and 1 after it; it is point {} of {n}",
            s.t0 + 1
        )));
    }
    if let Some(c) = s.x.iter().position(|c| c.len() != n) {
        return Err(bad(format!(
            "covariate {} has {} points, y has {n}",
            c + 1,
            s.x[c].len()
        )));
    }
    if s.y
        .iter()
        .chain(s.x.iter().flatten())
        .any(|v| !v.is_finite())
    {
        return Err(bad("the series has a missing or non-finite value".into()));
    }
    if o.niter < 10 {
        return Err(bad(format!(
            "niter {} is too few draws (at least 10)",
            o.niter
        )));
    }
    let (my, sy) = mean_sd(&s.y[..s.t0]);
    if sy.is_nan() || sy == 0.0 {
        return Err(bad(
            "the pre-period of y is constant: nothing to model".into()
        ));
    }
    if let Some(sp) = o.seasonal {
        if sp.nseasons < 2 || sp.duration < 1 {
            return Err(bad(format!(
                "nseasons {} and season_duration {}: a seasonal component needs at least 2 seasons of at least 1 period",
                sp.nseasons, sp.duration
            )));
        }
        if sp.blocks(s.t0) < sp.nseasons {
            return Err(bad(format!(
                "the pre-period ({} points) holds fewer than one cycle of {} seasons of {} point(s): too short to learn a seasonal pattern",
                s.t0, sp.nseasons, sp.duration
            )));
        }
    }
    Ok((my, sy))
}

/// Fits the model on `s` and summarises the post-period.
pub fn impact(s: &Series, o: &Options) -> Result<Impact> {
    let n = s.y.len();
    let (my, sy) = validate(s, o)?;
    let y: Vec<f64> = s.y.iter().map(|v| (v - my) / sy).collect();
    let x: Vec<Vec<f64>> =
        s.x.iter()
            .map(|c| {
                let (m, sd) = mean_sd(&c[..s.t0]);
                let sd = if sd > 0.0 { sd } else { 1.0 };
                c.iter().map(|v| (v - m) / sd).collect()
            })
            .collect();
    let reg = (!x.is_empty()).then(|| Regression::new(&x, s.t0, n));
    let pre = &y[..s.t0];
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
    // Priors of the variances (as precisions) and their caps (sd ≤ 1 for the level, 1.2 for
    // the observations, in sds of y).
    let level = (32.0 / 2.0, 32.0 * o.prior_level_sd.powi(2) / 2.0, 1.0);
    let obs_cap = 1.0 / 1.2_f64.powi(2);
    let (mut var_obs, mut var_level) = (0.5, o.prior_level_sd.powi(2));
    let k = reg.as_ref().map_or(0, |r| r.inclusion.len());
    let mut g: Vec<bool> = reg
        .as_ref()
        .map(|r| r.inclusion.iter().map(|p| *p > 0.0).collect())
        .unwrap_or_default();
    let mut beta = DVector::<f64>::zeros(k);
    let mut season: Vec<f64> = o
        .seasonal
        .map(|sp| vec![0.0; sp.blocks(s.t0)])
        .unwrap_or_default();
    let mut var_season = 0.01_f64.powi(2);
    let season_at = |g: &[f64], t: usize| o.seasonal.map_or(0.0, |sp| sp.effect(g, t));
    let mut draws: Vec<Draw> = Vec::with_capacity(o.niter);
    let mut logliks = Vec::with_capacity(o.niter);
    for _ in 0..o.niter {
        let fitted: Vec<f64> = match &reg {
            Some(r) => (&r.x_pre * &beta).iter().copied().collect(),
            None => vec![0.0; s.t0],
        };
        let z: Vec<f64> = (0..s.t0)
            .map(|t| pre[t] - fitted[t] - season_at(&season, t))
            .collect();
        let (mu, loglik) = level_path(&mut rng, &z, var_obs, var_level, (pre[0], 1.0));
        let steps: f64 = mu.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
        var_level = 1.0
            / precision(
                &mut rng,
                level.0 + (s.t0 - 1) as f64 / 2.0,
                level.1 + steps / 2.0,
                1.0 / level.2,
            );
        if let Some(sp) = o.seasonal {
            let zs: Vec<f64> = (0..s.t0).map(|t| pre[t] - fitted[t] - mu[t]).collect();
            season = sp.draw(&zs, var_obs, var_season, &mut rng);
            let (count, ss) = sp.innovations(&season);
            var_season = 1.0
                / precision(
                    &mut rng,
                    0.01 / 2.0 + count as f64 / 2.0,
                    0.01 * 0.01_f64.powi(2) / 2.0 + ss / 2.0,
                    1.0,
                );
        }
        let resid = DVector::from_iterator(
            s.t0,
            (0..s.t0).map(|t| pre[t] - mu[t] - season_at(&season, t)),
        );
        match &reg {
            None => {
                let ss = resid.norm_squared();
                var_obs = 1.0
                    / precision(
                        &mut rng,
                        0.01 / 2.0 + s.t0 as f64 / 2.0,
                        0.01 / 2.0 + ss / 2.0,
                        obs_cap,
                    );
            }
            Some(r) => {
                var_obs = r.draw(&mut rng, &resid, &mut g, &mut beta, s.t0, obs_cap)?;
            }
        }
        logliks.push(loglik);
        draws.push(Draw {
            mu,
            var_obs,
            var_level,
            beta: beta.clone(),
            season: season.clone(),
            var_season,
        });
    }
    let burn = suggest_burn(&logliks);
    summarise(
        s,
        &y,
        (my, sy),
        reg.as_ref(),
        o.seasonal,
        &draws[burn..],
        &mut rng,
    )
}

/// CausalImpact's `SuggestBurn(0.1)` on the log-likelihood trace: the draws before the first
/// one whose log-likelihood reaches the 90 % quantile of the last 10 % (at least 1).
fn suggest_burn(loglik: &[f64]) -> usize {
    let tail = ((loglik.len() as f64) * 0.1).round().max(1.0) as usize;
    let mut last: Vec<f64> = loglik[loglik.len() - tail..].to_vec();
    last.sort_by(f64::total_cmp);
    let threshold = quantile_sorted(&last, 0.9);
    let first = loglik.iter().position(|l| *l >= threshold).unwrap_or(0);
    first.max(1)
}

/// Quantile of sorted values, R's type 7 (linear between order statistics).
fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let h = (v.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// One kept state of the sampler.
struct Draw {
    /// Level path over the pre-period (standardised).
    mu: Vec<f64>,
    var_obs: f64,
    var_level: f64,
    beta: DVector<f64>,
    /// Season block effects over the pre-period (empty without a seasonal component).
    season: Vec<f64>,
    var_season: f64,
}

fn summarise(
    s: &Series,
    y_std: &[f64],
    (my, sy): (f64, f64),
    reg: Option<&Regression>,
    seasonal: Option<Seasonal>,
    draws: &[Draw],
    rng: &mut ChaCha8Rng,
) -> Result<Impact> {
    let post = y_std.len() - s.t0;
    let mut state_sum = vec![0.0; post];
    let mut fitted = vec![0.0; s.t0];
    let mut samples: Vec<Vec<f64>> = Vec::with_capacity(draws.len());
    for d in draws {
        let (mu, var_obs, var_level) = (&d.mu, d.var_obs, d.var_level);
        let reg_pre: Vec<f64> = match reg {
            Some(r) => (&r.x_pre * &d.beta).iter().copied().collect(),
            None => vec![0.0; s.t0],
        };
        // The season's block effects, extended over the post-period by its transition.
        let mut g = d.season.clone();
        if let Some(sp) = seasonal {
            sp.extend(&mut g, sp.blocks(y_std.len()), d.var_season, rng);
        }
        let season_at = |t: usize| seasonal.map_or(0.0, |sp| sp.effect(&g, t));
        for (t, f) in fitted.iter_mut().enumerate() {
            *f += (mu[t] + reg_pre[t] + season_at(t)) * sy + my;
        }
        let mut level = mu[s.t0 - 1];
        let reg_part: Vec<f64> = match reg {
            Some(r) => (&r.x_post * &d.beta).iter().copied().collect(),
            None => vec![0.0; post],
        };
        let mut row = Vec::with_capacity(post);
        for (t, rp) in reg_part.iter().enumerate() {
            level += var_level.sqrt() * normal(rng);
            let state = (level + rp + season_at(s.t0 + t)) * sy + my;
            state_sum[t] += state;
            row.push(state + var_obs.sqrt() * sy * normal(rng));
        }
        samples.push(row);
    }
    let nd = draws.len() as f64;
    let point: Vec<f64> = state_sum.iter().map(|v| v / nd).collect();
    fitted.iter_mut().for_each(|f| *f /= nd);
    let actual = &s.y[s.t0..];
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let point_effect = mean(actual) - mean(&point);
    let per_draw = |f: &dyn Fn(&[f64]) -> f64| -> Vec<f64> {
        let mut v: Vec<f64> = samples.iter().map(|row| f(actual) - f(row)).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let avg = per_draw(&|v| mean(v));
    let sum = per_draw(&|v| v.iter().sum());
    let observed: f64 = actual.iter().sum();
    let sums: Vec<f64> = samples.iter().map(|r| r.iter().sum()).collect();
    let cumulative_draws: Vec<f64> = sums.iter().map(|p| observed - p).collect();
    // Per post period, the cumulative effect: its mean from the state means (so the last one
    // is the cumulative effect), its band from the draws with their observation noise.
    let mut running = vec![0.0; samples.len()];
    let mut cumulative = Vec::with_capacity(post);
    let mut mean_so_far = 0.0;
    for t in 0..post {
        for (r, row) in running.iter_mut().zip(&samples) {
            *r += actual[t] - row[t];
        }
        mean_so_far += actual[t] - point[t];
        let mut sorted = running.clone();
        sorted.sort_by(f64::total_cmp);
        cumulative.push((
            mean_so_far,
            quantile_sorted(&sorted, 0.025),
            quantile_sorted(&sorted, 0.975),
        ));
    }
    let above = sums.iter().filter(|v| **v >= observed).count() + 1;
    let below = sums.iter().filter(|v| **v <= observed).count() + 1;
    let band = (0..post)
        .map(|t| {
            let mut col: Vec<f64> = samples.iter().map(|r| r[t]).collect();
            col.sort_by(f64::total_cmp);
            (
                point[t],
                quantile_sorted(&col, 0.025),
                quantile_sorted(&col, 0.975),
            )
        })
        .collect();
    Ok(Impact {
        point_effect_mean: point_effect,
        ci_lower: quantile_sorted(&avg, 0.025),
        ci_upper: quantile_sorted(&avg, 0.975),
        cumulative_effect_total: point_effect * post as f64,
        cumulative_ci_lower: quantile_sorted(&sum, 0.025),
        cumulative_ci_upper: quantile_sorted(&sum, 0.975),
        relative_effect_mean: sums.iter().map(|v| observed / v - 1.0).sum::<f64>() / nd,
        p_value: above.min(below) as f64 / (sums.len() + 1) as f64,
        predicted: band,
        fitted,
        cumulative,
        cumulative_draws,
        draws: draws.len(),
    })
}

//! Two-sample tests: the pooled two-proportion z-test with a Wald interval of the difference,
//! and Welch's unequal-variance t-test with its interval. Undefined results are `None`,
//! never NaN.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Two-sided 95 % normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// Comparison of two proportions (treatment vs control).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProportionTest {
    /// Treatment rate.
    pub p_treatment: f64,
    /// Control rate.
    pub p_control: f64,
    /// p_t − p_c.
    pub diff: f64,
    /// 95 % Wald interval of the difference.
    pub ci: (f64, f64),
    /// (p_t − p_c) / p_c; `None` when p_c = 0.
    pub relative: Option<f64>,
    /// Two-sided p-value of the pooled z-test; `None` when undefined (pooled rate 0 or 1).
    pub p_value: Option<f64>,
}

/// Pooled two-proportion z-test of `x_t / n_t` against `x_c / n_c` (both n > 0).
pub fn two_proportions(x_t: u64, n_t: u64, x_c: u64, n_c: u64) -> Option<ProportionTest> {
    if n_t == 0 || n_c == 0 {
        return None;
    }
    let (nt, nc) = (n_t as f64, n_c as f64);
    let (pt, pc) = (x_t as f64 / nt, x_c as f64 / nc);
    let diff = pt - pc;
    let se_wald = (pt * (1.0 - pt) / nt + pc * (1.0 - pc) / nc).sqrt();
    let pooled = (x_t + x_c) as f64 / (nt + nc);
    let se_pooled = (pooled * (1.0 - pooled) * (1.0 / nt + 1.0 / nc)).sqrt();
    let p_value = (se_pooled > 0.0).then(|| {
        let z = diff / se_pooled;
        (2.0 * Normal::standard().sf(z.abs())).min(1.0)
    });
    Some(ProportionTest {
        p_treatment: pt,
        p_control: pc,
        diff,
        ci: (diff - Z95 * se_wald, diff + Z95 * se_wald),
        relative: (pc > 0.0).then(|| diff / pc),
        p_value,
    })
}

/// Sufficient statistics of one sample: size, sum, sum of squares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Observations.
    pub n: u64,
    /// Σ x.
    pub sum: f64,
    /// Σ x².
    pub sum_sq: f64,
}

impl Moments {
    /// Mean, `None` for an empty sample.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Sample variance (n − 1), `None` below two observations.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| {
            let n = self.n as f64;
            ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
        })
    }
}

/// Welch's t-test of mean(treatment) − mean(control).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchTest {
    /// Difference of the means.
    pub diff: f64,
    /// 95 % interval of the difference (t quantile with Welch–Satterthwaite df).
    pub ci: (f64, f64),
    /// t statistic.
    pub t: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Welch's t-test; `None` when a sample has fewer than two observations or both variances are 0.
pub fn welch(t: Moments, c: Moments) -> Option<WelchTest> {
    let (mt, mc, vt, vc) = (t.mean()?, c.mean()?, t.variance()?, c.variance()?);
    let (nt, nc) = (t.n as f64, c.n as f64);
    let (at, ac) = (vt / nt, vc / nc);
    let se = (at + ac).sqrt();
    if se == 0.0 {
        return None;
    }
    let df = (at + ac).powi(2) / (at * at / (nt - 1.0) + ac * ac / (nc - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let diff = mt - mc;
    let stat = diff / se;
    let q = dist.inverse_cdf(0.975);
    Some(WelchTest {
        diff,
        ci: (diff - q * se, diff + q * se),
        t: stat,
        df,
        p_value: (2.0 * dist.sf(stat.abs())).min(1.0),
    })
}

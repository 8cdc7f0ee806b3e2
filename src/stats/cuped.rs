//! CUPED (Deng, Xu, Kohavi & Walker 2013, "Improving the sensitivity of online controlled
//! experiments by utilizing pre-experiment data"): the outcome Y of each unit adjusted by a
//! covariate X measured before the test, Y_adj = Y − θ (X − mean X) with
//! θ = cov(Y, X) / var(X) over the units of both arms. The adjustment leaves the difference of
//! the means unbiased (X cannot be moved by the treatment) and cuts its variance by the share
//! of Y's variance X explains. Everything is computed from sums, so SQL aggregates feed it.

use super::two_sample::{Moments, WelchTest, welch};

/// Sums of one arm's outcome Y and covariate X.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Paired {
    /// Units.
    pub n: u64,
    /// Σ y.
    pub y: f64,
    /// Σ y².
    pub y2: f64,
    /// Σ x.
    pub x: f64,
    /// Σ x².
    pub x2: f64,
    /// Σ x y.
    pub xy: f64,
}

impl Paired {
    fn plus(self, o: Paired) -> Paired {
        Paired {
            n: self.n + o.n,
            y: self.y + o.y,
            y2: self.y2 + o.y2,
            x: self.x + o.x,
            x2: self.x2 + o.x2,
            xy: self.xy + o.xy,
        }
    }

    /// The moments of Y − θ (X − x̄).
    fn adjusted(self, theta: f64, x_mean: f64) -> Moments {
        let n = self.n as f64;
        Moments {
            n: self.n,
            sum: self.y - theta * (self.x - n * x_mean),
            sum_sq: self.y2 - 2.0 * theta * (self.xy - x_mean * self.y)
                + theta * theta * (self.x2 - 2.0 * x_mean * self.x + n * x_mean * x_mean),
        }
    }
}

/// The CUPED reading of a two-arm test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cuped {
    /// θ = cov(Y, X) / var(X) over both arms (0 when X does not vary).
    pub theta: f64,
    /// Welch's test on the adjusted values: the adjusted difference, its 95 % interval, p.
    pub test: WelchTest,
    /// 1 − var(Y_adj) / var(Y) over both arms.
    pub variance_reduction: f64,
}

/// CUPED on treatment `t` and control `c`; `None` when Welch's test is undefined on the
/// adjusted values or Y does not vary.
pub fn cuped(t: Paired, c: Paired) -> Option<Cuped> {
    let all = t.plus(c);
    if all.n < 2 {
        return None;
    }
    let n = all.n as f64;
    let x_mean = all.x / n;
    let var_x = (all.x2 - all.x * all.x / n) / (n - 1.0);
    let cov = (all.xy - all.x * all.y / n) / (n - 1.0);
    let theta = if var_x > 1e-12 * (1.0 + all.x2 / n) {
        cov / var_x
    } else {
        0.0
    };
    let var_y = Moments {
        n: all.n,
        sum: all.y,
        sum_sq: all.y2,
    }
    .variance()?;
    let var_adj = all.adjusted(theta, x_mean).variance()?;
    if var_y <= 0.0 {
        return None;
    }
    let test = welch(t.adjusted(theta, x_mean), c.adjusted(theta, x_mean))?;
    Some(Cuped {
        theta,
        test,
        variance_reduction: 1.0 - var_adj / var_y,
    })
}

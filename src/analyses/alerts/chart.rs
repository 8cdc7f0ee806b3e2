//! Control limits from a KPI's own monthly history (docs/spec/alerts.md): Laney's p′ chart for
//! shares of n units (binomial limits widened by the history's own overdispersion), the same
//! for counts of events (Poisson limits, Laney-widened), and the individuals chart (I-MR) for
//! every other KPI. σ comes from the average moving range / 1.128 (d₂ for n = 2), so a slow
//! drift does not inflate it; the Laney factor is never below 1 (the limits are never
//! narrower than the sampling model's); an estimated spread widens the limits as a
//! prediction interval would ([`estimated_multiplier`]).

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// d₂ for moving ranges of two.
const D2: f64 = 1.128;

/// What a KPI's values are, for its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A share of its n units.
    Share,
    /// A count of events (value = n).
    Count,
    /// Anything else (means, medians, sums, scores).
    Individual,
}

impl Family {
    /// The chart's name, for the alert's `method`.
    pub fn method(self) -> &'static str {
        match self {
            Family::Share => "Laney p' control chart",
            Family::Count => "Laney c' control chart",
            Family::Individual => "individuals (I-MR) control chart",
        }
    }
}

/// One month of a KPI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The value.
    pub value: f64,
    /// Its n.
    pub n: f64,
}

/// The expected band of the judged month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Centre line.
    pub centre: f64,
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
}

fn mean_moving_range(z: &[f64]) -> f64 {
    let mr: Vec<f64> = z.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    mr.iter().sum::<f64>() / mr.len().max(1) as f64
}

/// `sigma` widened for a spread estimated from the moving ranges of `k` months.
pub fn estimated_multiplier(sigma: f64, k: usize) -> f64 {
    let tail = Normal::standard().sf(sigma);
    let df = 0.62 * (k as f64 - 1.0);
    let t = StudentsT::new(0.0, 1.0, df)
        .map(|t| t.inverse_cdf(1.0 - tail))
        .unwrap_or(f64::INFINITY);
    t * (1.0 + 1.0 / k as f64).sqrt()
}

/// The band for a month with `n` units given the `history` (at least two months); `None`
/// when the history gives no spread to judge by (every month equal, a rate of 0 or 1).
pub fn band(family: Family, history: &[Point], n: f64, sigma: f64) -> Option<Band> {
    if history.len() < 2 {
        return None;
    }
    let k = history.len() as f64;
    let (centre, unit_sd): (f64, Box<dyn Fn(f64) -> f64>) = match family {
        Family::Share => {
            let units: f64 = history.iter().map(|p| p.n).sum();
            let p = history.iter().map(|h| h.value * h.n).sum::<f64>() / units;
            if !(p > 0.0 && p < 1.0) {
                return None;
            }
            (p, Box::new(move |n: f64| (p * (1.0 - p) / n).sqrt()))
        }
        Family::Count => {
            let c = history.iter().map(|h| h.value).sum::<f64>() / k;
            if c <= 0.0 {
                return None;
            }
            (c, Box::new(move |_| c.sqrt()))
        }
        Family::Individual => {
            let x = history.iter().map(|h| h.value).sum::<f64>() / k;
            (x, Box::new(|_| 1.0))
        }
    };
    let z: Vec<f64> = history
        .iter()
        .map(|h| (h.value - centre) / unit_sd(h.n))
        .collect();
    let spread = mean_moving_range(&z) / D2;
    // Limits from the sampling model alone (binomial, Poisson) are sigma standard errors
    // wide, and never narrower. A spread estimated from k months is uncertain itself: the multiplier is Student's t at the same tail
    // probability with the moving range's 0.62 (k − 1) degrees of freedom, times √(1 + 1/k)
    // for the centre's own error (a prediction interval), so the in-control false-alarm
    // rate stays at or below the normal-theory 0.27 % per month with short histories too.
    let estimated = estimated_multiplier(sigma, history.len()) * spread;
    let half = match family {
        Family::Individual => estimated,
        // Never narrower than the sampling model's limits.
        _ => estimated.max(sigma),
    } * unit_sd(n);
    (half > 0.0 && half.is_finite()).then_some(Band {
        centre,
        low: centre - half,
        high: centre + half,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_individuals_chart_by_hand() {
        // 10, 12, 11, 13, 12, 14: mean 12; moving ranges 2, 1, 2, 1, 2 (mean 1.6);
        // σ = 1.6 / 1.128 = 1.41844; the 3σ tail (0.135 %) of Student's t with
        // 0.62 × 5 = 3.1 degrees of freedom is 8.8196 (scipy.stats.t.isf), times √(1 + 1/6).
        let h: Vec<Point> = [10.0, 12.0, 11.0, 13.0, 12.0, 14.0]
            .iter()
            .map(|&value| Point { value, n: 1.0 })
            .collect();
        let b = band(Family::Individual, &h, 1.0, 3.0).unwrap();
        assert!((b.centre - 12.0).abs() < 1e-12);
        let m = estimated_multiplier(3.0, 6);
        assert!((m / (7f64 / 6.0).sqrt() - 8.8196).abs() < 1e-3, "{m}");
        assert!((b.high - (12.0 + m * 1.6 / 1.128)).abs() < 1e-9);
    }

    #[test]
    fn a_share_chart_is_never_narrower_than_binomial() {
        // Six months at exactly 20 % of 1,000: no overdispersion, so the binomial limits:
        // 0.2 ± 3 √(0.2 · 0.8 / 1000) = 0.2 ± 0.037947.
        let h = vec![
            Point {
                value: 0.2,
                n: 1000.0
            };
            6
        ];
        let b = band(Family::Share, &h, 1000.0, 3.0).unwrap();
        assert!((b.high - 0.2 - 3.0 * (0.16_f64 / 1000.0).sqrt()).abs() < 1e-12);
    }
}

//! Sample sizes and minimum detectable effects of a two-arm test (docs/spec/experiments.md,
//! planning), two-sided at level α with power 1 − β; `ratio` R = control size / treatment size.
//!
//! - Two proportions (the pooled z-test `two_sample::two_proportions` reads them with): baseline
//!   (control) rate p_c, treatment rate p_t = p_c + D, p̄ = (p_t + R p_c) / (1 + R):
//!   n_t = [z_{1−α/2} √(p̄ (1 − p̄) (1 + 1/R)) + z_{1−β} √(p_t (1 − p_t) + p_c (1 − p_c) / R)]² / D²
//!   (Fleiss, Levin & Paik, *Statistical Methods for Rates and Proportions*, 3rd ed., §4.2,
//!   without continuity correction; equal to statsmodels' `samplesize_proportions_2indep_onetail`).
//! - Two means with sd σ per unit: n_t = (z_{1−α/2} + z_{1−β})² σ² (1 + 1/R) / D².
//!
//! n_control = R × n_t. CUPED with variance reduction r scales σ² (and the proportion terms)
//! by 1 − r, so the sizes by 1 − r.

use statrs::distribution::{ContinuousCDF, Normal};

/// What the test must achieve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Two-sided significance level α.
    pub alpha: f64,
    /// Power 1 − β.
    pub power: f64,
    /// Control size / treatment size.
    pub ratio: f64,
}

impl Design {
    /// Checks α, power and ratio; the problem in words when one is outside its range.
    pub fn check(&self) -> Result<(), String> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(format!(
                "alpha {} is outside (0, 1): give the two-sided significance level, e.g. 0.05",
                self.alpha
            ));
        }
        if !(self.power > 0.0 && self.power < 1.0) {
            return Err(format!(
                "power {} is outside (0, 1): give the chance to detect the effect, e.g. 0.8",
                self.power
            ));
        }
        if !(self.ratio > 0.0 && self.ratio.is_finite()) {
            return Err(format!(
                "ratio {} must be a positive number (control size / treatment size; 1 for equal arms, 9 for a 10 % treatment)",
                self.ratio
            ));
        }
        Ok(())
    }

    fn z_alpha(&self) -> f64 {
        Normal::standard().inverse_cdf(1.0 - self.alpha / 2.0)
    }

    fn z_beta(&self) -> f64 {
        Normal::standard().inverse_cdf(self.power)
    }
}

/// Checks a baseline rate and an absolute lift for a conversion test.
pub fn check_proportions(baseline: f64, mde: f64) -> Result<(), String> {
    if !(baseline > 0.0 && baseline < 1.0) {
        return Err(format!(
            "baseline {baseline} is outside (0, 1): give the control group's conversion rate as a fraction, e.g. 0.12 for 12 %"
        ));
    }
    if mde.is_nan() || mde <= 0.0 {
        return Err(format!(
            "mde {mde} must be above 0: give the smallest absolute lift worth detecting, e.g. 0.01 for one point"
        ));
    }
    if baseline + mde >= 1.0 {
        return Err(format!(
            "baseline + mde = {} is not below 1: a rate cannot reach 100 %; give a smaller lift",
            baseline + mde
        ));
    }
    Ok(())
}

/// Treatment-arm size (not rounded) to detect `baseline` → `baseline + mde`; inputs checked
/// by [`check_proportions`] and [`Design::check`].
pub fn proportions_n(baseline: f64, mde: f64, d: Design) -> f64 {
    let (pc, pt, r) = (baseline, baseline + mde, d.ratio);
    let pbar = (pt + r * pc) / (1.0 + r);
    let null = d.z_alpha() * (pbar * (1.0 - pbar) * (1.0 + 1.0 / r)).sqrt();
    let alt = d.z_beta() * (pt * (1.0 - pt) + pc * (1.0 - pc) / r).sqrt();
    (null + alt).powi(2) / (mde * mde)
}

/// Treatment-arm size (not rounded) to detect a difference `mde` of means with sd `sd`.
pub fn means_n(sd: f64, mde: f64, d: Design) -> f64 {
    (d.z_alpha() + d.z_beta()).powi(2) * sd * sd * (1.0 + 1.0 / d.ratio) / (mde * mde)
}

/// The smallest absolute lift over `baseline` that `n_t` treatment contacts (and R × n_t in
/// control) detect: the inverse of [`proportions_n`] by bisection; `None` when even a lift to
/// a rate of 1 would need more.
pub fn proportions_mde(baseline: f64, n_t: f64, d: Design) -> Option<f64> {
    if n_t.is_nan() || n_t <= 0.0 {
        return None;
    }
    let (mut lo, mut hi) = (0.0, 1.0 - baseline - 1e-12);
    if proportions_n(baseline, hi, d) > n_t {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if proportions_n(baseline, mid, d) > n_t {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

/// The smallest difference of means `n_t` treatment units detect (the inverse of [`means_n`]).
pub fn means_mde(sd: f64, n_t: f64, d: Design) -> Option<f64> {
    (n_t > 0.0).then(|| (d.z_alpha() + d.z_beta()) * sd * ((1.0 + 1.0 / d.ratio) / n_t).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Design = Design {
        alpha: 0.05,
        power: 0.8,
        ratio: 1.0,
    };

    #[test]
    fn the_mde_inverts_the_sample_size() {
        let n = proportions_n(0.1, 0.02, D);
        let back = proportions_mde(0.1, n, D).unwrap();
        assert!((back - 0.02).abs() < 1e-9, "{back}");
        let m = means_mde(50.0, means_n(50.0, 5.0, D), D).unwrap();
        assert!((m - 5.0).abs() < 1e-9);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(
            check_proportions(1.2, 0.01)
                .unwrap_err()
                .contains("baseline 1.2")
        );
        assert!(check_proportions(0.5, 0.0).unwrap_err().contains("mde 0"));
        assert!(
            check_proportions(0.9, 0.1)
                .unwrap_err()
                .contains("not below 1")
        );
        let bad = Design { power: 1.0, ..D };
        assert!(bad.check().unwrap_err().contains("power 1"));
    }
}

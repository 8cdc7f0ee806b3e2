//! Always-valid inference for a difference of two means (docs/spec/experiments.md,
//! monitoring): the mixture sequential probability ratio test of Johari, Koomen, Pekelis &
//! Walsh (2017, "Peeking at A/B tests", §4) with a normal mixing distribution N(0, τ²) over
//! the true difference θ. With the estimate θ̂ and its variance V = s_t²/n_t + s_c²/n_c at a
//! look, the mixture likelihood ratio against θ = θ₀ is
//!
//!   Λ(θ₀) = √(V / (V + τ²)) · exp((θ̂ − θ₀)² τ² / (2 V (V + τ²))),
//!
//! the always-valid p-value is min(1, 1/Λ(0)), and the confidence sequence is every θ₀ with
//! Λ(θ₀) < 1/α: θ̂ ± √(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²)/V))). By Ville's inequality
//! both hold at any stopping time, so a test read every night rejects a true null with
//! probability at most α however often it is looked at. τ is fixed in advance, in sds of
//! the outcome per unit (`sequential_tau`, default 0.1: tuned for effects around a tenth
//! of a standard deviation), times the pooled sd.

/// The always-valid reading at one look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlwaysValid {
    /// Lower end of the (1 − α) confidence sequence.
    pub cs_low: f64,
    /// Upper end.
    pub cs_high: f64,
    /// Always-valid p-value of θ = 0 at this look.
    pub p_value: f64,
}

/// The mixture SPRT at a look: estimate `diff`, its variance `var` (> 0), mixing sd `tau`
/// (> 0, in the outcome's units), level `alpha`.
pub fn msprt(diff: f64, var: f64, tau: f64, alpha: f64) -> Option<AlwaysValid> {
    if !(var > 0.0 && tau > 0.0 && var.is_finite() && diff.is_finite()) {
        return None;
    }
    let t2 = tau * tau;
    let log_lambda = 0.5 * (var / (var + t2)).ln() + diff * diff * t2 / (2.0 * var * (var + t2));
    let p_value = (-log_lambda).exp().min(1.0);
    let half =
        (var * (var + t2) / t2 * (2.0 * (1.0 / alpha).ln() + ((var + t2) / var).ln())).sqrt();
    Some(AlwaysValid {
        cs_low: diff - half,
        cs_high: diff + half,
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_where_the_p_value_crosses_alpha() {
        let (var, tau) = (0.0004, 0.03);
        let a = msprt(0.0, var, tau, 0.05).unwrap();
        // θ̂ at the sequence's edge: the p-value of θ = 0 is exactly α.
        let edge = msprt(a.cs_high, var, tau, 0.05).unwrap();
        assert!((edge.p_value - 0.05).abs() < 1e-9, "{}", edge.p_value);
        assert!((a.cs_low + a.cs_high).abs() < 1e-12);
        assert_eq!(a.p_value, 1.0);
    }
}

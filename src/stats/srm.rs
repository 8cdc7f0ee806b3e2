//! Sample-ratio mismatch (docs/spec/experiments.md): Pearson's chi-square test (1 degree of
//! freedom) of the contacts assigned to each arm against the design's treatment share. A
//! p-value under 0.001 means the assignment did not work as designed (a bug in the
//! randomisation, lost or double-counted contacts), and the lift cannot be trusted.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Below this p-value the assignment is labelled broken (the threshold GrowthBook and
/// Statsig use by default).
pub const SRM_ALPHA: f64 = 0.001;

/// p-value of `treatment` and `control` counts against a designed treatment share in (0, 1);
/// `None` when nobody is assigned.
pub fn srm_p_value(treatment: u64, control: u64, treatment_share: f64) -> Option<f64> {
    let n = (treatment + control) as f64;
    if n == 0.0 || !(treatment_share > 0.0 && treatment_share < 1.0) {
        return None;
    }
    let (et, ec) = (n * treatment_share, n * (1.0 - treatment_share));
    let chi2 = (treatment as f64 - et).powi(2) / et + (control as f64 - ec).powi(2) / ec;
    Some(ChiSquared::new(1.0).ok()?.sf(chi2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unbalanced_assignment_is_flagged_and_a_balanced_one_is_not() {
        // χ² = 300²/5000 × 2 = 36, p ≈ 2e-9.
        let broken = srm_p_value(5_300, 4_700, 0.5).unwrap();
        assert!(broken < 1e-8 && broken > 1e-10, "{broken}");
        assert!(srm_p_value(5_030, 4_970, 0.5).unwrap() > 0.5);
        // 10 % / 90 % by design: 1,000 of 10,000 is exactly on design.
        assert!((srm_p_value(1_000, 9_000, 0.1).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(srm_p_value(0, 0, 0.5), None);
    }
}

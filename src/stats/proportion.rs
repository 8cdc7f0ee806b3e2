//! One proportion and one count: the Wilson score interval of a share (Wilson 1927; good
//! coverage at small n and near 0 or 1, where the Wald interval fails), and the test of a
//! change between two counts of events (conditional on their total, each event falls in
//! either period with probability ½ when the rate did not change; normal approximation).

use statrs::distribution::{ContinuousCDF, Normal};

/// Two-sided 95 % normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// 95 % Wilson score interval of `share` observed on `n` units; `None` when n = 0 or the
/// share lies outside [0, 1].
pub fn wilson(share: f64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || !(0.0..=1.0).contains(&share) {
        return None;
    }
    let (n, z2) = (n as f64, Z95 * Z95);
    let centre = (share + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Two-sided p-value that counts `a` and `b` of events come from the same rate over equal
/// exposure; `None` when both are 0.
pub fn counts_differ(a: u64, b: u64) -> Option<f64> {
    let total = (a + b) as f64;
    (total > 0.0).then(|| {
        let z = (a as f64 - b as f64) / total.sqrt();
        (2.0 * Normal::standard().sf(z.abs())).min(1.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_published_example() {
        // Newcombe (1998), Statistics in Medicine 17:857, Table I: 81/263 → 0.2553 to 0.3662;
        // 0/20 → 0 to 0.1611; 1/29 → 0.0061 to 0.1718.
        let (lo, hi) = wilson(81.0 / 263.0, 263).unwrap();
        assert!(
            (lo - 0.2553).abs() < 5e-4 && (hi - 0.3662).abs() < 5e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0.0, 20).unwrap();
        assert!(lo == 0.0 && (hi - 0.1611).abs() < 5e-4, "{lo} {hi}");
        let (lo, hi) = wilson(1.0 / 29.0, 29).unwrap();
        assert!(
            (lo - 0.0061).abs() < 5e-4 && (hi - 0.1718).abs() < 5e-4,
            "{lo} {hi}"
        );
        assert_eq!(wilson(0.5, 0), None);
    }

    #[test]
    fn counts_differ_by_the_normal_approximation() {
        // 30 against 10: z = 20 / √40 = 3.162, p = 0.00157.
        let p = counts_differ(30, 10).unwrap();
        assert!((p - 0.001_565).abs() < 1e-5, "{p}");
        assert_eq!(counts_differ(7, 7), Some(1.0));
        assert_eq!(counts_differ(0, 0), None);
    }
}

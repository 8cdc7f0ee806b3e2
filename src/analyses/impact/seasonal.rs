//! The seasonal component of the BSTS counterfactual, as bsts's `AddSeasonal(nseasons,
//! season.duration)` defines it: `nseasons` season effects that sum to zero over a cycle up to
//! a noise, each lasting `duration` periods (7 seasons of 1 day: a weekly pattern in daily
//! data). Per season block b: g_b = −(g_{b−1} + … + g_{b−S+1}) + ω_b, ω_b ~ N(0, σ²_season);
//! the first S − 1 effects ~ N(0, 1) (in sds of y). Prior 1/σ²_season ~ Gamma(0.01/2,
//! 0.01·0.01²/2), σ_season ≤ 1 (bsts's default `SdPrior(0.01 · sd(y), sample.size = 0.01)`).
//!
//! Inside the Gibbs sampler the block effects are drawn given everything else (y minus the
//! level and the regression) all at once from their Gaussian posterior, whose precision is
//! banded (bandwidth S − 1): a banded Cholesky factor gives the mean and a draw in O(B·S²)
//! (the precision sampler of Chan & Jeliazkov 2009). Blocked Gibbs over level and season
//! targets the same posterior as bsts's joint state draw.

use rand_chacha::ChaCha8Rng;

/// The seasonal component's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seasonal {
    /// Seasons in a cycle (≥ 2).
    pub nseasons: usize,
    /// Periods each season lasts (≥ 1).
    pub duration: usize,
}

impl Seasonal {
    /// The block (season occurrence) of period `t`.
    pub fn block(&self, t: usize) -> usize {
        t / self.duration
    }

    /// The effect at period `t` from the block effects `g`.
    pub fn effect(&self, g: &[f64], t: usize) -> f64 {
        g[self.block(t)]
    }

    /// Blocks needed to cover `n` periods.
    pub fn blocks(&self, n: usize) -> usize {
        n.div_ceil(self.duration)
    }

    /// The innovations' count and sum of squares (for the variance draw).
    pub fn innovations(&self, g: &[f64]) -> (usize, f64) {
        let s = self.nseasons;
        let ss: f64 = (s - 1..g.len())
            .map(|b| g[b + 1 - s..=b].iter().sum::<f64>().powi(2))
            .sum();
        (g.len().saturating_sub(s - 1), ss)
    }

    /// Extends the block effects `g` to `blocks` blocks, each new one drawn from the
    /// transition with variance `var`.
    pub fn extend(&self, g: &mut Vec<f64>, blocks: usize, var: f64, rng: &mut ChaCha8Rng) {
        let s = self.nseasons;
        while g.len() < blocks {
            let b = g.len();
            let prev: f64 = g[b + 1 - s..b].iter().sum();
            g.push(-prev + var.sqrt() * super::bsts::normal(rng));
        }
    }

    /// A draw of the block effects of the periods of `z` (the part of y the season must
    /// explain) given the observation and season variances.
    pub fn draw(&self, z: &[f64], var_obs: f64, var: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let s = self.nseasons;
        let nb = self.blocks(z.len());
        let w = s - 1;
        // Precision (banded, lower part: band[i][k] = Λ[i][i − k]) and linear term.
        let mut band = vec![vec![0.0; w + 1]; nb];
        let mut h = vec![0.0; nb];
        for (t, zt) in z.iter().enumerate() {
            let b = self.block(t);
            band[b][0] += 1.0 / var_obs;
            h[b] += zt / var_obs;
        }
        for row in band.iter_mut().take(w.min(nb)) {
            row[0] += 1.0; // initial effects ~ N(0, 1)
        }
        for b in w..nb {
            // ω_b = g_{b−w} + … + g_b: adds aaᵀ/var over those blocks.
            for i in b - w..=b {
                for j in b - w..=i {
                    band[i][i - j] += 1.0 / var;
                }
            }
        }
        let l = banded_cholesky(&band, w);
        // Mean: Λ μ = h; draw: μ + L⁻ᵀ e.
        let y = forward(&l, &h, w);
        let mean = backward(&l, &y, w);
        let e: Vec<f64> = (0..nb).map(|_| super::bsts::normal(rng)).collect();
        let dev = backward(&l, &e, w);
        mean.iter().zip(dev).map(|(m, d)| m + d).collect()
    }
}

/// Cholesky factor L (Λ = L Lᵀ) of a banded symmetric positive definite matrix given by its
/// lower band (`band[i][k]` = Λ[i][i − k]); same layout for L.
fn banded_cholesky(band: &[Vec<f64>], w: usize) -> Vec<Vec<f64>> {
    let n = band.len();
    let mut l = vec![vec![0.0; w + 1]; n];
    for i in 0..n {
        for k in (0..=w.min(i)).rev() {
            let j = i - k;
            let mut sum = band[i][k];
            for m in j.saturating_sub(w).max(i.saturating_sub(w))..j {
                sum -= l[i][i - m] * l[j][j - m];
            }
            if k == 0 {
                l[i][0] = sum.max(1e-300).sqrt();
            } else {
                l[i][k] = sum / l[j][0];
            }
        }
    }
    l
}

/// Solves L y = b.
fn forward(l: &[Vec<f64>], b: &[f64], w: usize) -> Vec<f64> {
    let mut y = vec![0.0; b.len()];
    for i in 0..b.len() {
        let mut s = b[i];
        for k in 1..=w.min(i) {
            s -= l[i][k] * y[i - k];
        }
        y[i] = s / l[i][0];
    }
    y
}

/// Solves Lᵀ x = y.
fn backward(l: &[Vec<f64>], y: &[f64], w: usize) -> Vec<f64> {
    let n = y.len();
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in 1..=w.min(n - 1 - i) {
            s -= l[i + k][k] * x[i + k];
        }
        x[i] = s / l[i][0];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;
    use rand::SeedableRng;

    #[test]
    fn the_banded_factor_equals_the_dense_one() {
        let (n, w) = (9, 3);
        let mut band = vec![vec![0.0; w + 1]; n];
        let mut dense = DMatrix::<f64>::zeros(n, n);
        for i in 0..n {
            for k in 0..=w.min(i) {
                let v = if k == 0 {
                    4.0 + i as f64
                } else {
                    0.3 * (i + k) as f64 / 9.0
                };
                band[i][k] = v;
                dense[(i, i - k)] = v;
                dense[(i - k, i)] = v;
            }
        }
        let l = banded_cholesky(&band, w);
        let d = dense.clone().cholesky().unwrap().l();
        for i in 0..n {
            for k in 0..=w.min(i) {
                assert!((l[i][k] - d[(i, i - k)]).abs() < 1e-12, "{i} {k}");
            }
        }
        let b: Vec<f64> = (0..n).map(|i| i as f64 - 3.0).collect();
        let x = backward(&l, &forward(&l, &b, w), w);
        let got = &dense * nalgebra::DVector::from_vec(x);
        for i in 0..n {
            assert!((got[i] - b[i]).abs() < 1e-9);
        }
    }

    #[test]
    fn a_sharp_pattern_is_recovered_and_extended_by_its_cycle() {
        let spec = Seasonal {
            nseasons: 4,
            duration: 2,
        };
        let pattern = [1.0, -0.5, 0.25, -0.75];
        let z: Vec<f64> = (0..40).map(|t| pattern[(t / 2) % 4]).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut g = spec.draw(&z, 1e-6, 1e-8, &mut rng);
        assert_eq!(g.len(), 20);
        for (b, v) in g.iter().enumerate() {
            assert!((v - pattern[b % 4]).abs() < 0.01, "block {b}: {v}");
        }
        let (count, ss) = spec.innovations(&g);
        assert_eq!(count, 17);
        assert!(ss < 1e-3, "{ss}");
        spec.extend(&mut g, 24, 1e-10, &mut rng);
        for b in 20..24 {
            assert!((g[b] - pattern[b % 4]).abs() < 0.05, "block {b}: {}", g[b]);
        }
    }
}

//! Deterministic randomness for the generator: one ChaCha8 stream per stage, derived from
//! the seed and the stage name, so a stage's output does not change when another stage does.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random stream with the few distributions the generator needs.
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// The stream of `stage` for `seed`.
    pub fn new(seed: u64, stage: &str) -> Self {
        // FNV-1a of the stage name, mixed with the seed: stable across platforms and versions.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stage.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(ChaCha8Rng::seed_from_u64(seed ^ h))
    }

    /// Uniform in [0, 1).
    pub fn f(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// True with probability `p`.
    pub fn p(&mut self, p: f64) -> bool {
        self.f() < p
    }

    /// Uniform integer in [lo, hi).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..hi)
        }
    }

    /// Uniform index below `n` (n > 0).
    pub fn idx(&mut self, n: usize) -> usize {
        self.0.random_range(0..n.max(1))
    }

    /// Index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// An item of `items` drawn with `weights`.
    pub fn pick<'a, T>(&mut self, items: &'a [T], weights: &[f64]) -> &'a T {
        &items[self.weighted(weights)]
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.f().max(f64::MIN_POSITIVE);
        let u2 = self.f();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and log-scale spread.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Poisson draw (Knuth; small means only).
    pub fn poisson(&mut self, mean: f64) -> u32 {
        let l = (-mean).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.f();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
}

/// Rounds money to cents.
pub(crate) fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

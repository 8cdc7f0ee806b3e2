//! The Poisson bootstrap: every replicate gives each resampling unit an independent
//! Poisson(1) weight instead of materialising a resampled dataset, which is equivalent to the
//! multinomial bootstrap for large samples and lets every statistic be a weighted sum over
//! per-unit aggregates. Replicate `b` of stream `s` draws from ChaCha8 seeded with the run's
//! `seed` on stream `(s << 32) | b`: the same seed gives the same intervals on every run and
//! on any number of threads.

use crate::error::Result;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use std::collections::BTreeMap;
use std::convert::Infallible;

/// The random source of replicate `b` for the units of stream `stream`.
pub fn rng(seed: u64, stream: u32, b: usize) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream((u64::from(stream) << 32) | b as u64);
    r
}

/// Cumulative Poisson(1) probabilities P(X ≤ k), k = 0.., up to 1 − 1e-17.
fn poisson1_cdf() -> [f64; 19] {
    let mut cdf = [0.0; 19];
    let (mut p, mut acc) = ((-1f64).exp(), 0.0);
    for (k, c) in cdf.iter_mut().enumerate() {
        acc += p;
        *c = acc;
        p /= (k + 1) as f64;
    }
    cdf
}

/// Buckets of the unit interval for the weight lookup.
const BUCKETS: usize = 4096;

/// Marks a bucket that a cumulative probability falls inside.
const SPLIT: u8 = u8::MAX;

/// The cumulative probabilities and, per bucket [b, b + 1) / `BUCKETS` of the unit interval,
/// the weight of every u inside it, or `SPLIT` when a cumulative probability falls inside.
struct Table {
    cdf: [f64; 19],
    bucket: [u8; BUCKETS],
}

fn table() -> Table {
    let cdf = poisson1_cdf();
    let mut bucket = [SPLIT; BUCKETS];
    for (b, w) in bucket.iter_mut().enumerate() {
        let (lo, hi) = (b as f64 / BUCKETS as f64, (b + 1) as f64 / BUCKETS as f64);
        // the weight of u is the number of cumulative probabilities at or below u: at least
        // those at or below lo, at most those below hi
        let at_lo = cdf.iter().filter(|&&c| c <= lo).count();
        let below_hi = cdf.iter().filter(|&&c| c < hi).count();
        if at_lo == below_hi {
            *w = at_lo as u8;
        }
    }
    Table { cdf, bucket }
}

/// Fills `out` with `n` Poisson(1) weights (inversion of the cumulative distribution).
pub fn poisson_weights(rng: &mut ChaCha8Rng, n: usize, out: &mut Vec<f64>) {
    thread_local! {
        static TABLE: Table = table();
    }
    TABLE.with(|t| {
        out.clear();
        // The weight is the number of cumulative probabilities at or below u. The bucket of u
        // (u · BUCKETS is exact: a power of two) answers for all buckets but the 7 of 4,096
        // that a cumulative probability splits; there the probabilities are counted, without
        // branches. Same weights as counting every time (the attribution bench's 1,000 ROI
        // replicates at scale 1: 8.1 → 7.0 s).
        out.extend((0..n).map(|_| {
            let u: f64 = rng.random();
            match t.bucket[(u * BUCKETS as f64) as usize] {
                SPLIT => t.cdf.iter().map(|&c| usize::from(c <= u)).sum::<usize>() as f64,
                w => f64::from(w),
            }
        }));
    });
}

/// `rng` as a source for rand_distr, which samples through rand_core 0.10's traits.
pub(crate) struct Source<'a>(pub(crate) &'a mut ChaCha8Rng);

impl rand_core_010::TryRng for Source<'_> {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> std::result::Result<u32, Infallible> {
        Ok(self.0.next_u32())
    }
    fn try_next_u64(&mut self) -> std::result::Result<u64, Infallible> {
        Ok(self.0.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Infallible> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

/// Fills `out` with the total weight of each group of `sizes[g]` units: units that enter a
/// statistic alike need only their group's total, and a sum of n independent Poisson(1)
/// weights is exactly Poisson(n) — one draw instead of n, with the same distribution.
pub(crate) fn group_weights(rng: &mut ChaCha8Rng, sizes: &[u64], out: &mut Vec<f64>) {
    out.clear();
    for &n in sizes {
        out.push(match Poisson::new(n as f64) {
            Ok(p) => p.sample(&mut Source(rng)),
            Err(_) => 0.0, // n = 0: no units, no weight
        });
    }
}

/// Units grouped by their value, for a weighted sum Σ value × weight: each distinct value
/// with the number of units that have it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ValueGroups {
    values: Vec<f64>,
    sizes: Vec<u64>,
}

impl ValueGroups {
    /// Groups `values` (equal to the bit).
    pub fn new(values: &[f64]) -> Self {
        let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
        for v in values {
            *counts.entry(v.to_bits()).or_default() += 1;
        }
        ValueGroups {
            values: counts.keys().map(|b| f64::from_bits(*b)).collect(),
            sizes: counts.into_values().collect(),
        }
    }

    /// Σ value × Poisson(1) weight over the units: one Poisson(n) draw per distinct value.
    pub fn weighted_sum(&self, rng: &mut ChaCha8Rng) -> f64 {
        let mut w = Vec::new();
        group_weights(rng, &self.sizes, &mut w);
        self.values.iter().zip(&w).map(|(v, w)| v * w).sum()
    }
}

/// Runs `replicate(b)` for b in 0..`samples` on every available core; results in order of b.
pub fn replicates<T: Send>(
    samples: usize,
    replicate: impl Fn(usize) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, samples.max(1));
    let chunks: Vec<Result<Vec<(usize, T)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let replicate = &replicate;
                s.spawn(move || {
                    (t..samples)
                        .step_by(threads)
                        .map(|b| replicate(b).map(|x| (b, x)))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bootstrap worker panicked"))
            .collect()
    });
    let mut all = Vec::with_capacity(samples);
    for chunk in chunks {
        all.extend(chunk?);
    }
    all.sort_by_key(|(b, _)| *b);
    Ok(all.into_iter().map(|(_, x)| x).collect())
}

/// The percentile interval of `level` (e.g. 0.95) over the finite values, by linear
/// interpolation between order statistics (numpy's default); `None` when there are none.
pub(crate) fn percentile_interval(values: &[f64], level: f64) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = p * (v.len() - 1) as f64;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    };
    let tail = (1.0 - level) / 2.0;
    Some((q(tail), q(1.0 - tail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_weights_have_mean_and_variance_one() {
        let mut r = rng(7, 0, 0);
        let mut w = Vec::new();
        poisson_weights(&mut r, 200_000, &mut w);
        let n = w.len() as f64;
        let mean = w.iter().sum::<f64>() / n;
        let var = w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        assert!((mean - 1.0).abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
        let zeros = w.iter().filter(|x| **x == 0.0).count() as f64 / n;
        assert!((zeros - (-1f64).exp()).abs() < 0.005, "P(0) {zeros}");
    }

    #[test]
    fn bucket_lookup_gives_the_counted_weight() {
        let t = table();
        // at most one split bucket per cumulative probability (the largest share the last one)
        let splits = t.bucket.iter().filter(|&&w| w == SPLIT).count();
        assert!((1..=t.cdf.len()).contains(&splits), "{splits}");
        let count = |u: f64| t.cdf.iter().filter(|&&c| c <= u).count() as f64;
        let mut r = rng(3, 0, 0);
        let mut w = Vec::new();
        poisson_weights(&mut rng(3, 0, 0), 100_000, &mut w);
        for x in &w {
            let u: f64 = r.random();
            assert_eq!(*x, count(u));
        }
        // the edges of every bucket, and the cumulative probabilities themselves
        let edges = (0..=BUCKETS).flat_map(|b| {
            let e = b as f64 / BUCKETS as f64;
            [e, e.next_down(), e.next_up()]
        });
        for u in edges.chain(t.cdf).filter(|u| (0.0..1.0).contains(u)) {
            let w = match t.bucket[(u * BUCKETS as f64) as usize] {
                SPLIT => count(u),
                w => f64::from(w),
            };
            assert_eq!(w, count(u), "u = {u}");
        }
    }

    #[test]
    fn group_weights_are_poisson_with_the_group_size() {
        let mut r = rng(11, 0, 0);
        let (mut w, mut draws) = (Vec::new(), Vec::new());
        for _ in 0..20_000 {
            group_weights(&mut r, &[0, 3, 250_000], &mut w);
            draws.push(w.clone());
        }
        assert!(draws.iter().all(|d| d[0] == 0.0));
        for (g, n) in [(1, 3.0), (2, 250_000.0)] {
            let k = draws.len() as f64;
            let mean = draws.iter().map(|d| d[g]).sum::<f64>() / k;
            let var = draws.iter().map(|d| (d[g] - mean).powi(2)).sum::<f64>() / k;
            // mean and variance n; 6 standard errors
            assert!(
                (mean - n).abs() < 6.0 * (n / k).sqrt(),
                "group {g}: mean {mean}"
            );
            assert!(
                (var / n - 1.0).abs() < 6.0 * (2.0 / k).sqrt(),
                "group {g}: var {var}"
            );
            assert!(draws.iter().all(|d| d[g].fract() == 0.0 && d[g] >= 0.0));
        }
    }

    #[test]
    fn grouped_weighted_sums_have_the_unit_by_unit_mean_and_variance() {
        // 1,000 units of 2.0, 500 of 0.5, 10 of -3.0: Σ v = 2220, Σ v² = 4215
        let values: Vec<f64> = [(2.0, 1000), (0.5, 500), (-3.0, 10)]
            .iter()
            .flat_map(|(v, n)| std::iter::repeat_n(*v, *n))
            .collect();
        let g = ValueGroups::new(&values);
        assert_eq!((g.values.len(), g.sizes.iter().sum::<u64>()), (3, 1510));
        let mut r = rng(5, 0, 0);
        let k = 20_000.0;
        let sums: Vec<f64> = (0..20_000).map(|_| g.weighted_sum(&mut r)).collect();
        let mean = sums.iter().sum::<f64>() / k;
        let var = sums.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / k;
        assert!(
            (mean - 2220.0).abs() < 6.0 * (4215.0 / k).sqrt(),
            "mean {mean}"
        );
        assert!((var / 4215.0 - 1.0).abs() < 0.1, "variance {var}");
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4, 5], [2.5, 97.5]) = [1.1, 4.9]
        let (lo, hi) = percentile_interval(&[5.0, 1.0, 3.0, 2.0, 4.0, f64::NAN], 0.95).unwrap();
        assert!((lo - 1.1).abs() < 1e-12 && (hi - 4.9).abs() < 1e-12);
        assert_eq!(percentile_interval(&[f64::NAN], 0.95), None);
    }

    #[test]
    fn replicates_are_ordered_and_reproducible() {
        let draw = |b: usize| -> Result<f64> {
            let mut w = Vec::new();
            poisson_weights(&mut rng(42, 1, b), 10, &mut w);
            Ok(w.iter().sum())
        };
        let a = replicates(50, draw).unwrap();
        let b = replicates(50, draw).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[3], draw(3).unwrap());
    }
}

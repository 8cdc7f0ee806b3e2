//! The Shapley model (docs/spec/attribution-and-roi.md): the worth of a channel set S is the
//! conversion rate of the journeys and non-converting paths whose distinct channel set is a
//! subset of S (CR(∅) = 0, and 0 when none falls under S); φ_j is the exact Shapley value over
//! all subsets, computed with a subset-sum transform in O(n·2ⁿ). Journeys without touches are
//! not part of the game (they are the `(no touch)` row).

use super::journeys::Journeys;
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// Positive Shapley values normalised to shares (they sum to 1), or `None` when none is positive.
pub fn shares(j: &Journeys, max_channels: usize) -> Result<Option<BTreeMap<String, f64>>> {
    let mut channels: Vec<&String> = j
        .converting
        .iter()
        .flat_map(|x| x.touches.iter().map(|t| &t.channel))
        .chain(j.non_converting.iter().flatten())
        .collect();
    channels.sort();
    channels.dedup();
    let n = channels.len();
    if n > max_channels {
        return Err(Error::Model {
            model: "shapley".into(),
            problem: format!(
                "{n} channels exceed shapley_max_channels = {max_channels} (exact Shapley needs 2^n coalitions); group channels in touchpoints.channel (e.g. social_paid + social_organic → social) or raise the parameter"
            ),
        });
    }
    if n == 0 {
        return Ok(None);
    }
    let bit = |c: &String| 1usize << channels.binary_search(&c).expect("known channel");
    let size = 1usize << n;
    let (mut conv, mut all) = (vec![0f64; size], vec![0f64; size]);
    for journey in j.converting.iter().filter(|x| !x.touches.is_empty()) {
        let mask = journey.touches.iter().fold(0, |m, t| m | bit(&t.channel));
        conv[mask] += 1.0;
        all[mask] += 1.0;
    }
    for path in j.non_converting.iter().filter(|p| !p.is_empty()) {
        all[path.iter().fold(0, |m, c| m | bit(c))] += 1.0;
    }
    let channels: Vec<&str> = channels.into_iter().map(String::as_str).collect();
    Ok(shares_of_sets(&channels, conv, all))
}

/// Shares from the (weighted) counts of converting journeys and of all journeys and paths
/// per channel set (a bit mask over `channels`, which are sorted). `None` when no Shapley
/// value is positive.
pub(crate) fn shares_of_sets(
    channels: &[&str],
    mut conv: Vec<f64>,
    mut all: Vec<f64>,
) -> Option<BTreeMap<String, f64>> {
    let n = channels.len();
    let size = 1usize << n;
    // Subset sums: after the transform, conv[S] counts journeys whose set is a subset of S.
    for i in 0..n {
        for s in 0..size {
            if s & (1 << i) != 0 {
                conv[s] += conv[s ^ (1 << i)];
                all[s] += all[s ^ (1 << i)];
            }
        }
    }
    let cr = |s: usize| {
        if s == 0 || all[s] == 0.0 {
            0.0
        } else {
            conv[s] / all[s]
        }
    };
    // |S|!(n−|S|−1)!/n! for every coalition size.
    let mut fact = vec![1f64; n + 1];
    for k in 1..=n {
        fact[k] = fact[k - 1] * k as f64;
    }
    let weight: Vec<f64> = (0..n)
        .map(|k| fact[k] * fact[n - k - 1] / fact[n])
        .collect();
    let mut phi = vec![0f64; n];
    for s in 0..size {
        let k = s.count_ones() as usize;
        for (j, p) in phi.iter_mut().enumerate() {
            if s & (1 << j) == 0 {
                *p += weight[k] * (cr(s | (1 << j)) - cr(s));
            }
        }
    }
    let total: f64 = phi.iter().map(|x| x.max(0.0)).sum();
    if total <= 0.0 {
        return None;
    }
    Some(
        channels
            .iter()
            .zip(phi)
            .map(|(c, p)| (c.to_string(), p.max(0.0) / total))
            .collect(),
    )
}

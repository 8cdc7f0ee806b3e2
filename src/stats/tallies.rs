//! Weighted tallies for the bootstrap: statistics that are sums over resampling units of
//! whole-number counts (transitions walked, touches per channel, channel sets seen), evaluated
//! for a weight per unit on every replicate.
//!
//! Units with the same counts are grouped once, so a replicate adds each unit's weight to its
//! group's sum (one sequential pass over the weights) and then each group's counts once,
//! instead of walking every unit's counts through random accesses to the weights. Counts and
//! Poisson weights are whole numbers, so every sum is exact and the order of the additions
//! cannot change a result: the tallies equal the unit-by-unit sums bit for bit.

use std::collections::HashMap;

/// No counts for this unit.
const NONE: u32 = u32::MAX;

/// Per-unit counts over `len` tallies, grouped by units with identical counts.
#[derive(Debug, Clone)]
pub(crate) struct Tallies {
    /// Group of each unit, or `NONE`.
    group: Vec<u32>,
    /// Counts of each group (CSR: `offsets[g]..offsets[g + 1]` into `counts`).
    offsets: Vec<usize>,
    counts: Vec<(u32, f64)>,
    len: usize,
}

impl Tallies {
    /// Tallies over `units` units and `len` tallies from (unit, tally) occurrences, in any
    /// order; an occurrence counts 1.
    pub fn new(units: usize, len: usize, mut occurrences: Vec<(u32, u32)>) -> Self {
        occurrences.sort_unstable();
        let mut group = vec![NONE; units];
        let mut ids: HashMap<Vec<(u32, u32)>, u32> = HashMap::new();
        let (mut offsets, mut counts) = (vec![0], Vec::new());
        let mut mine: Vec<(u32, u32)> = Vec::new();
        let mut i = 0;
        while i < occurrences.len() {
            let unit = occurrences[i].0;
            mine.clear();
            while i < occurrences.len() && occurrences[i].0 == unit {
                let tally = occurrences[i].1;
                match mine.last_mut() {
                    Some((t, n)) if *t == tally => *n += 1,
                    _ => mine.push((tally, 1)),
                }
                i += 1;
            }
            let next = ids.len() as u32;
            let id = *ids.entry(mine.clone()).or_insert_with(|| {
                counts.extend(mine.iter().map(|(t, n)| (*t, f64::from(*n))));
                offsets.push(counts.len());
                next
            });
            group[unit as usize] = id;
        }
        Tallies {
            group,
            offsets,
            counts,
            len,
        }
    }

    /// Number of distinct count lists (groups of units).
    pub fn groups(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Every tally weighted: `out[t]` = Σ over units u of `w[u]` × (occurrences of t in u).
    pub fn sum(&self, w: &[f64]) -> Vec<f64> {
        let mut per_group = vec![0.0; self.groups()];
        for (g, wu) in self.group.iter().zip(w) {
            if *g != NONE {
                per_group[*g as usize] += wu;
            }
        }
        let mut out = vec![0.0; self.len];
        for (g, s) in per_group.iter().enumerate() {
            if *s != 0.0 {
                for (t, n) in &self.counts[self.offsets[g]..self.offsets[g + 1]] {
                    out[*t as usize] += s * n;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_sums_equal_unit_by_unit_sums() {
        // units 0 and 2 have the same counts (tally 1 twice, tally 3 once); unit 1 none
        let occ = vec![(0, 1), (2, 3), (0, 3), (3, 0), (2, 1), (0, 1), (2, 1)];
        let t = Tallies::new(4, 4, occ.clone());
        assert_eq!(t.groups(), 2);
        let w = [2.0, 5.0, 1.0, 3.0];
        let mut want = vec![0.0; 4];
        for (u, k) in occ {
            want[k as usize] += w[u as usize];
        }
        assert_eq!(t.sum(&w), want);
        assert_eq!(t.sum(&w), vec![3.0, 6.0, 0.0, 3.0]);
    }
}

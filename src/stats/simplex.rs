//! Least squares on the simplex: `w ≥ 0, Σ w = 1` minimising `‖A w − b‖²`, by an active set
//! (Lawson & Hanson's NNLS, 1974, with the sum constraint carried in each equality-constrained
//! subproblem). Finite: it ends when the weights satisfy the KKT conditions within `tol`.

use nalgebra::{DMatrix, DVector};

/// The weights (one per column of `a`) and the residual sum of squares.
#[derive(Debug, Clone, PartialEq)]
pub struct SimplexFit {
    /// Weights on the simplex.
    pub weights: Vec<f64>,
    /// ‖A w − b‖².
    pub rss: f64,
}

/// `argmin ‖A w − b‖²` over the simplex; `None` when `a` has no column.
pub fn simplex_least_squares(a: &DMatrix<f64>, b: &DVector<f64>) -> Option<SimplexFit> {
    let k = a.ncols();
    if k == 0 || a.nrows() != b.len() {
        return None;
    }
    let scale = a
        .iter()
        .chain(b.iter())
        .fold(0.0_f64, |m, x| m.max(x.abs()))
        .max(1.0);
    let tol = 1e-10 * scale * scale * a.nrows() as f64;
    // Start at the single best column (a vertex: feasible).
    let rss_of = |w: &DVector<f64>| (a * w - b).norm_squared();
    let mut w = DVector::zeros(k);
    let best = (0..k)
        .min_by(|&i, &j| {
            (a.column(i) - b)
                .norm_squared()
                .total_cmp(&(a.column(j) - b).norm_squared())
        })
        .expect("k > 0");
    w[best] = 1.0;
    let mut passive = vec![best];
    for _ in 0..(10 * k + 100) {
        // KKT: on the passive set the gradient is equal (−λ); elsewhere it is no smaller.
        let g = a.transpose() * (a * &w - b);
        let level = passive.iter().map(|&i| g[i]).sum::<f64>() / passive.len() as f64;
        let enter = (0..k)
            .filter(|i| !passive.contains(i))
            .min_by(|&i, &j| g[i].total_cmp(&g[j]))
            .filter(|&j| g[j] < level - tol);
        let Some(j) = enter else {
            break;
        };
        passive.push(j);
        // Move towards the equality-constrained optimum on the passive set, dropping
        // weights that reach zero on the way.
        loop {
            let z = on_subset(a, b, &passive)?;
            if passive.iter().zip(&z).all(|(_, zi)| *zi > 0.0) {
                w.fill(0.0);
                for (&i, zi) in passive.iter().zip(&z) {
                    w[i] = *zi;
                }
                break;
            }
            let step = passive
                .iter()
                .zip(&z)
                .filter(|(_, zi)| **zi <= 0.0)
                .map(|(&i, zi)| w[i] / (w[i] - zi))
                .fold(1.0_f64, f64::min);
            let mut next = DVector::zeros(k);
            for (&i, zi) in passive.iter().zip(&z) {
                next[i] = w[i] + step * (zi - w[i]);
            }
            passive.retain(|&i| next[i] > 1e-14);
            w = DVector::from_fn(k, |i, _| if passive.contains(&i) { next[i] } else { 0.0 });
            let total: f64 = w.iter().sum();
            w /= total;
        }
    }
    let rss = rss_of(&w);
    Some(SimplexFit {
        weights: w.iter().copied().collect(),
        rss,
    })
}

/// `argmin ‖A_P z − b‖²` subject to `Σ z = 1` over the columns `p` (KKT system, solved by
/// SVD so a rank-deficient subset still gets the minimum-norm answer).
fn on_subset(a: &DMatrix<f64>, b: &DVector<f64>, p: &[usize]) -> Option<Vec<f64>> {
    let n = p.len();
    let ap = DMatrix::from_fn(a.nrows(), n, |r, c| a[(r, p[c])]);
    let ata = ap.transpose() * &ap;
    let atb = ap.transpose() * b;
    let mut kkt = DMatrix::zeros(n + 1, n + 1);
    let mut rhs = DVector::zeros(n + 1);
    for r in 0..n {
        for c in 0..n {
            kkt[(r, c)] = ata[(r, c)];
        }
        kkt[(r, n)] = 1.0;
        kkt[(n, r)] = 1.0;
        rhs[r] = atb[r];
    }
    rhs[n] = 1.0;
    let sol = kkt.svd(true, true).solve(&rhs, 1e-12).ok()?;
    Some((0..n).map(|i| sol[i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_inside_the_hull_is_reproduced_exactly() {
        // b = 0.25 a0 + 0.75 a2.
        let a = DMatrix::from_row_slice(3, 3, &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        let b = DVector::from_vec(vec![0.25, 0.0, 0.75]);
        let f = simplex_least_squares(&a, &b).unwrap();
        for (w, e) in f.weights.iter().zip([0.25, 0.0, 0.75]) {
            assert!((w - e).abs() < 1e-12, "{:?}", f.weights);
        }
        assert!(f.rss < 1e-20);
    }

    #[test]
    fn a_target_outside_the_hull_gets_its_projection() {
        // Columns (0,0) and (2,0); target (1, 1): the nearest hull point is (1, 0), w = ½, ½.
        let a = DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 0.0, 0.0]);
        let b = DVector::from_vec(vec![1.0, 1.0]);
        let f = simplex_least_squares(&a, &b).unwrap();
        assert!(
            (f.weights[0] - 0.5).abs() < 1e-12 && (f.rss - 1.0).abs() < 1e-12,
            "{f:?}"
        );
        // Beyond the hull's end: all weight on the nearest vertex.
        let b = DVector::from_vec(vec![5.0, 0.0]);
        let f = simplex_least_squares(&a, &b).unwrap();
        assert_eq!(f.weights, [0.0, 1.0]);
    }
}

//! The rule-based models: first touch, last touch, linear, time decay and position based.
//! Each gives every touch of a journey a weight; weights of a journey sum to 1.

use super::journeys::Touch;

/// A rule-based model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// All to the first touch.
    FirstTouch,
    /// All to the last touch.
    LastTouch,
    /// 1/n to each touch.
    Linear,
    /// Weight 2^(−Δ/h), Δ = days before the conversion, h = half-life in days; normalised.
    TimeDecay(f64),
    /// n = 1: 1; n = 2: ½ each; n ≥ 3: 0.4 first, 0.4 last, 0.2 shared by the middle.
    PositionBased,
}

impl Rule {
    /// The model id of the spec.
    pub fn id(&self) -> &'static str {
        match self {
            Rule::FirstTouch => "first_touch",
            Rule::LastTouch => "last_touch",
            Rule::Linear => "linear",
            Rule::TimeDecay(_) => "time_decay",
            Rule::PositionBased => "position_based",
        }
    }

    /// Weights of the touches of one journey (empty for a journey without touches).
    pub fn weights(&self, touches: &[Touch]) -> Vec<f64> {
        let n = touches.len();
        if n == 0 {
            return Vec::new();
        }
        let mut w = vec![0.0; n];
        match self {
            Rule::FirstTouch => w[0] = 1.0,
            Rule::LastTouch => w[n - 1] = 1.0,
            Rule::Linear => w.iter_mut().for_each(|x| *x = 1.0 / n as f64),
            Rule::TimeDecay(h) => {
                for (x, t) in w.iter_mut().zip(touches) {
                    *x = 2f64.powf(-t.days_before / h);
                }
                let sum: f64 = w.iter().sum();
                w.iter_mut().for_each(|x| *x /= sum);
            }
            Rule::PositionBased => match n {
                1 => w[0] = 1.0,
                2 => w = vec![0.5, 0.5],
                _ => {
                    w[0] = 0.4;
                    w[n - 1] = 0.4;
                    for x in &mut w[1..n - 1] {
                        *x = 0.2 / (n - 2) as f64;
                    }
                }
            },
        }
        w
    }
}

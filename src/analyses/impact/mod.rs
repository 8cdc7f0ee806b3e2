//! Counterfactuals for a launch without a holdout: what the outcome would have been without
//! it. [`synthetic`]: synthetic control over donor units (markets, segments without the
//! launch); [`bsts`]: a Bayesian structural time series as R CausalImpact fits it, for one
//! treated series with optional covariates; [`checks`]: the in-time placebo, held-out fit and
//! caveats that decide whether either can carry a claim.

pub mod bsts;
pub mod checks;
pub mod synthetic;

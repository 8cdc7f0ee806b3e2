//! Counterfactuals for a launch without a holdout: what the outcome would have been without
//! it. [`synthetic`]: synthetic control over donor units (markets, segments without the
//! launch); [`bsts`]: a Bayesian structural time series as R CausalImpact fits it, for one
//! treated series with optional covariates.

pub mod bsts;
pub mod synthetic;

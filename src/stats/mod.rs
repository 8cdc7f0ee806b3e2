//! Statistics with statrs: two-proportion tests and Wald intervals, Welch's t-test (pure
//! functions over sufficient statistics, so SQL aggregates and Rust tests feed them alike),
//! the Poisson bootstrap behind the ROI intervals and its grouped tallies, Holm's adjustment and
//! Spearman's ρ.

pub mod bootstrap;
pub mod proportion;
pub mod rank;
pub mod simplex;
pub mod tallies;
pub mod two_sample;

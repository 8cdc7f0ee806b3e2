//! Statistics with statrs: two-proportion tests and Wald intervals, Welch's t-test (pure
//! functions over sufficient statistics, so SQL aggregates and Rust tests feed them alike),
//! and the Poisson bootstrap behind the ROI intervals.

pub mod bootstrap;
pub mod tests;

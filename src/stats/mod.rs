//! Statistics with statrs: two-proportion tests and Wald intervals, Welch's t-test. Pure
//! functions over sufficient statistics, so SQL aggregates and Rust tests feed them alike.

pub mod tests;

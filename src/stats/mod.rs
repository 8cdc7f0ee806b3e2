//! Statistics with statrs: two-proportion tests and Wald intervals, Welch's t-test (pure
//! functions over sufficient statistics, so SQL aggregates and Rust tests feed them alike),
//! the Poisson bootstrap behind the ROI intervals and its grouped tallies, Holm's adjustment and
//! Spearman's ρ; CUPED's variance reduction (cuped), sample sizes and detectable effects of a test (power), its always-valid
//! reading (sequential) and its sample-ratio check (srm).

pub mod bootstrap;
pub mod cuped;
pub mod power;
pub mod proportion;
pub mod rank;
pub mod sequential;
pub mod simplex;
pub mod srm;
pub mod tallies;
pub mod two_sample;

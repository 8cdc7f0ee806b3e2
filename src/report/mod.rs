//! Everything a run writes: result tables, rejects and the manifest. This module never
//! runs queries; it receives results.

pub mod manifest;
pub mod tables;
pub mod writer;

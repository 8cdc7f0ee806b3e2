//! # misura
//!
//! A measurement and ROI engine for Social CRM programmes. misura joins social-engagement,
//! CRM, sales and support-cost tables in Apache DataFusion, computes the KPIs of the 18
//! Altimeter Social CRM use cases and the 5 M's, and writes tables and a manifest per run.
//!
//! The flow, one module per step: [`config`] (settings) → [`catalog`] (discover, read,
//! validate, register the canonical tables) → [`kpi`] (the SQL in `queries/`) →
//! [`report`] (tables, manifest); [`pipeline`] strings them together, [`cli`] is the
//! command line, and [`generate`] writes synthetic data with planted truth. [`engine`] sets
//! the sessions' memory budget; [`cluster`] runs the KPI SQL on Apache Ballista.

pub mod arrow_io;
pub mod attribution;
pub mod catalog;
pub mod channel_mix;
pub mod cli;
pub mod cluster;
pub mod clv;
pub mod config;
pub mod engine;
pub mod error;
pub mod experiments;
pub mod generate;
pub mod kpi;
pub mod logging;
pub mod maturity;
pub mod model;
pub mod notes;
pub mod ops;
pub mod perception;
pub mod pipeline;
pub mod report;
pub mod roi;
pub mod sample;
pub mod sql;
pub mod stats;

pub use error::{Error, Result};

//! # misura
//!
//! A measurement and ROI engine for Social CRM programmes. misura joins social-engagement,
//! CRM, sales and support-cost tables in Apache DataFusion, computes the KPIs of the 18
//! Altimeter Social CRM use cases and the 5 M's, and writes tables and a manifest per run.
//!
//! The flow, one layer per folder, each importing only the layers before it (checked by
//! `tests/it/layers.rs`): the leaves ([`error`], [`model`] — the canonical tables —
//! [`arrow_io`], [`stats`], [`engine`], [`logging`], [`sample`]) → [`config`] (settings) →
//! [`catalog`] (discover, read, validate, register the canonical tables) → [`kpi`] (the SQL
//! in `queries/`) → [`analyses`] (attribution, experiments, CLV, perception, channel mix,
//! maturity, ROI) and [`cluster`] (the KPI SQL on Apache Ballista) → [`report`] (tables,
//! manifest, page, charts, workbook) → [`ops`] (lock, atomic publication, history) →
//! [`pipeline`] (a run as a list of stages) → the edges: [`sql`] (shell and server),
//! [`generate`] (synthetic data with planted truth) and [`cli`] (the command line).

pub mod analyses;
pub mod arrow_io;
pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod engine;
pub mod error;
pub mod generate;
pub mod kpi;
pub mod logging;
pub mod model;
pub mod ops;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod sample;
pub mod sql;
pub mod stats;

pub use error::{Error, Result};

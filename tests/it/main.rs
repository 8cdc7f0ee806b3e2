//! The integration test binary: one binary, one module per area (see STYLE.md).

mod attribution;
mod bad_input;
mod catalogue;
mod channels;
mod cli;
mod clv;
mod docs;
mod experiments;
mod fuzz;
mod generator;
mod kpi_fixtures;
mod kpis;
mod maturity;
mod nightly;
mod perception;
mod privacy;
mod properties;
mod report;
mod roi;
mod scale;
mod shared_ctes;
mod sql;
mod util;

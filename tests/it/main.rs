//! The integration test binary: one binary, one module per area (see STYLE.md).

mod bad_input;
mod cli;
mod docs;
mod generator;
mod kpis;
mod util;

//! KPIs: the query files (`queries/`), their sidecars, parameter binding, and running them
//! against the catalog into rows of the `kpi_values` contract (`docs/spec/kpis.md`).

pub mod labels;
pub mod load;
pub mod reference;
pub mod run;
pub mod sidecar;
pub mod template;
pub mod use_cases;

pub use run::{KpiOutcome, KpiValue, run_all};

//! How misura's DataFusion sessions get their runtime: an optional memory budget shared by
//! every query of the session, with spilling to disk when an operator runs out of it.
//!
//! Without a budget DataFusion grows as large as a query needs. With one, sorts, grouped
//! aggregations and repartitions spill to the spill directory (the system temp dir unless
//! set) and a query fails only when an operator that cannot spill needs more than the whole
//! budget (error "Resources exhausted", naming the top consumers).
//!
//! [`shared_ctes`] plans a query so that a CTE read more than once is computed once.

pub mod memory;
pub mod shared_ctes;

use crate::error::{Error, Result};
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::SessionContext;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;

/// Runtime options of a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineOptions {
    /// Memory budget in bytes for query execution (`None`: unbounded).
    pub memory_limit: Option<usize>,
    /// Where spill files go (`None`: the system temp dir).
    pub spill_dir: Option<PathBuf>,
}

impl EngineOptions {
    /// Options with a memory budget and the default spill directory.
    pub fn with_memory_limit(bytes: Option<usize>) -> Self {
        EngineOptions {
            memory_limit: bytes,
            spill_dir: None,
        }
    }

    /// The DataFusion runtime these options describe.
    pub fn runtime(&self) -> Result<Arc<RuntimeEnv>> {
        let mut builder = RuntimeEnvBuilder::new();
        if let Some(bytes) = self.memory_limit {
            // Fair: every spilling operator gets its share instead of the first one taking
            // it all; tracked: an exhausted budget names the five largest consumers.
            let pool = TrackConsumersPool::new(
                FairSpillPool::new(bytes),
                NonZeroUsize::new(5).expect("5 > 0"),
            );
            builder = builder.with_memory_pool(Arc::new(pool));
        }
        if let Some(dir) = &self.spill_dir {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            builder = builder.with_disk_manager_builder(
                DiskManagerBuilder::default()
                    .with_mode(DiskManagerMode::Directories(vec![dir.clone()])),
            );
        }
        builder
            .build_arc()
            .map_err(|e| Error::engine("creating the session's memory pool", e))
    }

    /// `ctx` with these options' runtime, sharing its tables, views and settings.
    pub fn apply(&self, ctx: &SessionContext) -> Result<SessionContext> {
        let state = SessionStateBuilder::new_from_existing(ctx.state())
            .with_runtime_env(self.runtime()?)
            .build();
        Ok(SessionContext::new_with_state(state))
    }
}

/// Parses a size: `2GB`, `512MB`, `64KB` (powers of 1024) or bytes.
pub(crate) fn parse_size(s: &str) -> std::result::Result<usize, String> {
    let t = s.trim().to_uppercase();
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t.as_str(), "B"),
    };
    let scale: f64 = match unit.trim() {
        "B" => 1.0,
        "KB" | "K" | "KIB" => 1024.0,
        "MB" | "M" | "MIB" => 1024.0 * 1024.0,
        "GB" | "G" | "GIB" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{s}`: use B, KB, MB or GB"
            ));
        }
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size such as 2GB or 512MB"))?;
    if n.is_nan() || n <= 0.0 {
        return Err(format!("`{s}`: the size must be positive"));
    }
    Ok((n * scale) as usize)
}

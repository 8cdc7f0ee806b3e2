//! The fingerprint of a run: a SHA-256 over everything that determines its tables — the
//! misura version, every input file's checksum, the resolved settings and the query files.
//! When a successful run with the same fingerprint exists for an as-of date, the next run
//! for that date has nothing to do.

use crate::catalog::discover::Discovery;
use crate::config::Settings;
use crate::kpi::load::QuerySet;
use sha2::{Digest, Sha256};

/// Every query file of the run with the SHA-256 of its SQL (the manifest's `queries`, which
/// `misura diff` compares).
pub fn query_checksums(queries: &QuerySet) -> std::collections::BTreeMap<String, String> {
    queries
        .staging
        .iter()
        .chain(&queries.cluster_staging)
        .chain(&queries.intermediate)
        .chain(queries.models.iter().map(|m| &m.query))
        .map(|s| {
            (
                s.file.clone(),
                hex::encode(Sha256::digest(s.sql.as_bytes())),
            )
        })
        .chain(queries.kpis.iter().map(|k| {
            (
                k.file.clone(),
                hex::encode(Sha256::digest(k.sql.as_bytes())),
            )
        }))
        .collect()
}

/// Hex SHA-256 of the run's determinants.
pub fn fingerprint(settings: &Settings, inputs: &Discovery, queries: &QuerySet) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for t in &inputs.tables {
        for f in &t.files {
            h.update(t.table.as_bytes());
            h.update(f.display.as_bytes());
            h.update(f.sha256.as_bytes());
        }
    }
    h.update(
        serde_json::to_string(&settings.parameters)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update(
        serde_json::to_string(&settings.datasets)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update(
        serde_json::to_string(&settings.use_cases)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update(format!("{:?}{}", settings.on_invalid, settings.currency).as_bytes());
    for s in queries
        .staging
        .iter()
        .chain(&queries.cluster_staging)
        .chain(&queries.intermediate)
        .chain(queries.models.iter().map(|m| &m.query))
    {
        h.update(s.file.as_bytes());
        h.update(s.sql.as_bytes());
    }
    for m in &queries.models {
        h.update(format!("{:?}", m.output).as_bytes());
    }
    for k in &queries.kpis {
        h.update(k.file.as_bytes());
        h.update(k.sql.as_bytes());
        h.update(format!("{:?}", k.meta).as_bytes());
    }
    hex::encode(h.finalize())
}

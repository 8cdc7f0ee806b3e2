//! Following a run folder: `misura serve --run reports/latest` serves each newly published
//! run without a restart. The folder is looked at every few seconds; when what it points to
//! changes (`latest` moved, or the day's folder was replaced by a rerun), the data and that
//! run's tables are loaded and validated into a new catalog beside the one being served,
//! and only a complete catalog is published. A run that cannot be loaded is logged and the
//! server goes on serving the previous one.

use crate::config::Settings;
use crate::sql::SqlSession;
use crate::sql::server::Publisher;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a run folder holds at one moment: the folder it resolves to and its manifest's
/// file identity (a rerun replaces the folder, and with it the manifest's inode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunIdentity {
    /// The folder after following links (`reports/2026-12-04` for `reports/latest`).
    pub folder: PathBuf,
    manifest: Option<(u64, u64, i64, i64)>,
}

impl RunIdentity {
    /// The identity of `run` now (`None` while it does not resolve, e.g. mid-publication).
    pub fn of(run: &Path) -> Option<RunIdentity> {
        use std::os::unix::fs::MetadataExt;
        let folder = std::fs::canonicalize(run).ok()?;
        let manifest = std::fs::metadata(folder.join("manifest.json"))
            .ok()
            .map(|m| (m.ino(), m.len(), m.mtime(), m.mtime_nsec()));
        Some(RunIdentity { folder, manifest })
    }
}

/// How a served run is named in the log: its as-of date, when it started, and its folder.
pub fn label(run: &Path) -> String {
    let folder = std::fs::canonicalize(run).unwrap_or_else(|_| run.to_path_buf());
    let manifest = std::fs::read(folder.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let field = |k: &str| {
        manifest
            .as_ref()
            .and_then(|m| m.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match (field("as_of"), field("started_at")) {
        (Some(as_of), Some(started)) => {
            format!("run {as_of} (started {started}, {})", folder.display())
        }
        _ => format!("run {}", folder.display()),
    }
}

/// Serves every run `run` comes to point to, looking every `every`, until the task is
/// dropped. `settings` are those the server started with (the data folder is read again
/// with each new run, so the canonical tables and the run's tables come from one moment).
pub async fn follow(run: PathBuf, settings: Settings, publisher: Publisher, every: Duration) {
    let mut seen = RunIdentity::of(&run);
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        let now = RunIdentity::of(&run);
        if now.is_none() || now == seen {
            continue;
        }
        // Remember it whatever happens: a run that fails to load is reported once, not at
        // every look; the next publication is tried afresh.
        seen = now;
        let label = label(&run);
        let mut settings = settings.clone();
        let started = std::time::Instant::now();
        let published = async {
            let session = SqlSession::open(&mut settings, Some(&run)).await?;
            publisher.publish(&session.ctx, label.clone())?;
            Ok::<_, crate::error::Error>(session.objects.len())
        }
        .await;
        match published {
            Ok(tables) => tracing::info!(
                event = "reload",
                serving = %label,
                tables,
                seconds = started.elapsed().as_secs_f64(),
                "reload: serving {label} from the next query on (queries running finish on the run they started with)"
            ),
            Err(e) => tracing::error!(
                event = "reload_failed",
                run = %label,
                "reload failed: {e}; still serving {}",
                publisher.serving()
            ),
        }
    }
}

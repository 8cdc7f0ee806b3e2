//! The KPI SQL of every use case, in process or on a Ballista cluster.

use crate::error::Result;
use crate::pipeline::stage::{Output, Product, Results, RunContext, Slot, Stage};
use async_trait::async_trait;
use tracing::{error, info};

/// Runs the queries of `queries/` into `kpi_values` rows.
pub(crate) struct Kpis;

#[async_trait]
impl Stage for Kpis {
    fn name(&self) -> &'static str {
        "kpis"
    }
    fn file(&self) -> &'static str {
        "queries/"
    }
    fn writes(&self) -> &'static [Slot] {
        &[Slot::SqlKpis, Slot::KpiRows]
    }
    fn fatal(&self) -> bool {
        true
    }

    async fn run(&self, cx: &RunContext<'_>, _: &Results) -> Result<Output> {
        let (catalog, opts, params) = (cx.catalog, cx.opts, &cx.settings.parameters);
        // On a cluster, the KPI SQL runs there on a shared copy of the validated tables; the
        // models after it read the staging views locally.
        let cluster = match &opts.cluster {
            Some(c) => {
                let share = c
                    .share_dir
                    .clone()
                    .unwrap_or_else(|| opts.out.join(".cluster"))
                    .join(format!("{}-{}", opts.as_of, std::process::id()));
                let ctx = crate::cluster::connect(&c.url).await?;
                let shared = crate::cluster::share::share(&catalog.ctx, &ctx, &share).await?;
                info!(stage = "kpis", cluster = %c.url, share = %shared.dir().display(), "KPI SQL runs on the cluster");
                crate::kpi::run::register_staging(&catalog.ctx, cx.queries, params).await?;
                Some((ctx, shared))
            }
            None => None,
        };
        let watch = opts
            .cluster
            .as_ref()
            .map(|c| (c.query_timeout, crate::cluster::ExecutorWatch::new(&c.url)));
        let remote = watch.as_ref().map(|(timeout, w)| crate::kpi::run::Remote {
            timeout: *timeout,
            executors: w,
        });
        let kpis = crate::kpi::run_all(
            cluster.as_ref().map_or(&catalog.ctx, |(ctx, _)| ctx),
            cx.queries,
            params,
            &catalog.present,
            cx.catalogue,
            remote.as_ref(),
        )
        .await?;
        drop(cluster);
        let mut parts = Vec::new();
        for (uc, ms) in &kpis.timings_ms {
            info!(stage = "kpis", use_case = %uc, duration_ms = *ms, "use case computed");
            let peak = kpis.peaks_mb.iter().find(|(u, _)| u == uc).map(|(_, p)| *p);
            parts.push((format!("kpis.{uc}"), *ms, peak));
        }
        for f in &kpis.failures {
            error!(stage = "kpis", use_case = %f.use_case, file = %f.file, "{}", f.error);
        }
        let mut notes = kpis.notes.clone();
        notes.extend(crate::pipeline::notes::absent_tables(
            &catalog.present,
            &kpis.not_measurable,
            cx.run.conversion_table,
        ));
        Ok(Output {
            notes,
            parts,
            ..Output::from(Product::Kpis(kpis))
        })
    }
}

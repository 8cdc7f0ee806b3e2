//! The stages of a run, in the order they run. A new analysis is a new file here and one
//! line in [`all`]: it declares what it needs, reads and writes (see [`super::stage`]), and
//! the tests below check that every stage runs after the stages whose results it reads.

mod alerts;
mod attribution;
mod attribution_recovery;
mod channel_mix;
mod clv;
mod experiments;
mod impact;
mod kpis;
mod labels;
mod maturity;
mod perception;
mod plans;
mod roi;
mod uc04;
mod uc18;

use super::stage::Stage;

/// Every stage, in run order: the KPI SQL, then the engines that add KPI rows (UC04 from
/// attribution, UC18 from CLV), then the analyses that read the complete KPI rows.
pub fn all() -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(kpis::Kpis),
        Box::new(labels::Labels),
        Box::new(experiments::Experiments),
        Box::new(attribution::Attribution),
        Box::new(attribution_recovery::AttributionRecovery),
        Box::new(uc04::Uc04),
        Box::new(clv::Clv),
        Box::new(uc18::Uc18),
        Box::new(perception::Perception),
        Box::new(channel_mix::ChannelMix),
        Box::new(maturity::Maturity),
        Box::new(impact::Impact),
        Box::new(roi::Roi),
        Box::new(plans::Plans),
        Box::new(alerts::AlertsStage),
    ]
}

#[cfg(test)]
mod tests {
    use super::all;
    use crate::pipeline::stage::{Need, Slot};

    #[test]
    fn every_stage_runs_after_every_writer_of_what_it_reads() {
        let stages = all();
        for (i, s) in stages.iter().enumerate() {
            let needed = s.needs().iter().filter_map(|n| match n {
                Need::Result(slot) => Some(*slot),
                _ => None,
            });
            for slot in s.reads().iter().copied().chain(needed) {
                assert!(
                    s.reads().contains(&slot),
                    "stage {} needs {slot:?} but does not list it in reads",
                    s.name()
                );
                let writers: Vec<usize> = (0..stages.len())
                    .filter(|&j| stages[j].writes().contains(&slot))
                    .collect();
                assert!(
                    !writers.is_empty(),
                    "no stage writes {slot:?}, read by {}",
                    s.name()
                );
                for j in writers {
                    assert!(
                        j < i,
                        "stage {} reads {slot:?}, written by {} which does not run before it",
                        s.name(),
                        stages[j].name()
                    );
                }
            }
        }
    }

    #[test]
    fn engine_kpi_rows_are_merged_before_any_stage_reads_them() {
        let stages = all();
        let last_writer = stages
            .iter()
            .rposition(|s| s.writes().contains(&Slot::KpiRows))
            .unwrap();
        let first_reader = stages
            .iter()
            .position(|s| s.reads().contains(&Slot::KpiRows))
            .unwrap();
        assert!(
            last_writer < first_reader,
            "{} adds KPI rows after {} has read them",
            stages[last_writer].name(),
            stages[first_reader].name()
        );
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = all().iter().map(|s| s.name()).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    /// Every KPI a sidecar says an engine computes is computed by a stage that adds KPI
    /// rows, named as the sidecar names it.
    #[test]
    fn computed_kpis_name_a_stage_that_adds_kpi_rows() {
        let queries = crate::kpi::load::QuerySet::builtin().unwrap();
        let adders: Vec<&str> = all()
            .iter()
            .filter(|s| s.writes() == [Slot::KpiRows])
            .map(|s| s.name())
            .collect();
        let mut seen = 0;
        for q in &queries.kpis {
            for k in q.meta.kpis.iter().filter(|k| k.computed_by.is_some()) {
                let by = k.computed_by.as_deref().unwrap();
                assert!(
                    adders.contains(&by),
                    "{}: {} is computed_by `{by}`, not a stage that adds KPI rows ({adders:?})",
                    q.file,
                    k.id
                );
                seen += 1;
            }
        }
        assert_eq!(
            seen, 4,
            "uc04.attributed_revenue, uc04.roas, uc18.clv_advocates, uc18.clv_others"
        );
    }
}

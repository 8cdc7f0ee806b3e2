//! Value drivers and evidence classes (docs/spec/attribution-and-roi.md, ROI per use case):
//! the one place that knows each class's label, strength, meaning and colour, and which
//! class each driver's value rests on.

/// How sure a value is: what it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// A holdout test measured the increment.
    Experiment,
    /// A counterfactual of a launch (BSTS or synthetic control) that passed its placebo and
    /// fit checks: cause, not only association, without a holdout.
    QuasiExperiment,
    /// Savings measured from ticket and thread logs.
    Operational,
    /// Revenue credited by the attribution model: association, not cause.
    Attribution,
    /// A before/after or with/without comparison.
    Correlation,
    /// Value typed in by people.
    SelfReported,
}

impl Evidence {
    /// Every class, strongest first (the legend's order).
    pub const ALL: [Evidence; 6] = [
        Evidence::Experiment,
        Evidence::QuasiExperiment,
        Evidence::Operational,
        Evidence::Attribution,
        Evidence::Correlation,
        Evidence::SelfReported,
    ];

    /// The label in tables and on the page.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Experiment => "experiment",
            Evidence::QuasiExperiment => "quasi-experiment",
            Evidence::Operational => "operational",
            Evidence::Attribution => "attribution",
            Evidence::Correlation => "correlation",
            Evidence::SelfReported => "self-reported",
        }
    }

    /// The class of a label.
    pub fn parse(label: &str) -> Option<Evidence> {
        Evidence::ALL.into_iter().find(|e| e.as_str() == label)
    }

    /// Strength, strongest highest: on a tie of values, the weaker class speaks for a use case.
    pub fn strength(self) -> u8 {
        match self {
            Evidence::Experiment => 5,
            Evidence::QuasiExperiment => 4,
            Evidence::Operational => 3,
            Evidence::Attribution => 2,
            Evidence::Correlation => 1,
            Evidence::SelfReported => 0,
        }
    }

    /// What the class means, in words (the report's legend).
    pub fn meaning(self) -> &'static str {
        match self {
            Evidence::Experiment => "a holdout test measured the increment",
            Evidence::QuasiExperiment => {
                "a counterfactual of a launch (what the outcome would have been without it) measured the increment, and passed its placebo checks"
            }
            Evidence::Operational => "savings measured from ticket and thread logs",
            Evidence::Attribution => {
                "revenue credited by the attribution model: association, not proof of cause"
            }
            Evidence::Correlation => "before/after or with/without comparison",
            Evidence::SelfReported => "value typed in by people (e.g. realised value of ideas)",
        }
    }

    /// Its colour in every chart and on the page (Okabe–Ito, safe for colour-blind readers).
    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            Evidence::Experiment => (0, 158, 115),
            Evidence::QuasiExperiment => (213, 94, 0),
            Evidence::Operational => (0, 114, 178),
            Evidence::Attribution => (230, 159, 0),
            Evidence::Correlation => (204, 121, 167),
            Evidence::SelfReported => (86, 180, 233),
        }
    }

    /// The colour of a value with no class ("not measured").
    pub const NONE_RGB: (u8, u8, u8) = (153, 153, 153);
}

/// Where a use case's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Driver {
    /// Margin credited to the use case by the default attribution model.
    AttributedMargin,
    /// A holdout experiment's incremental margin, CUPED-adjusted when the pre-period explains
    /// some of its variance (replaces the attributed one).
    IncrementalMargin,
    /// The same margin without the CUPED adjustment (shown beside it, never counted).
    IncrementalMarginUnadjusted,
    /// The value of a launch's effect against its counterfactual (replaces the drivers its
    /// use case's `[impact] replaces` names).
    CounterfactualValue,
    /// Realised value of implemented ideas.
    InnovationValue,
    /// Customers kept, valued at their lifetime value (UC03, UC17).
    RetentionValue,
    /// Support cost avoided.
    ServiceSavings,
}

impl Driver {
    /// Every driver.
    pub const ALL: [Driver; 7] = [
        Driver::AttributedMargin,
        Driver::IncrementalMargin,
        Driver::IncrementalMarginUnadjusted,
        Driver::CounterfactualValue,
        Driver::InnovationValue,
        Driver::RetentionValue,
        Driver::ServiceSavings,
    ];

    /// The driver of a label.
    pub fn parse(label: &str) -> Option<Driver> {
        Driver::ALL.into_iter().find(|d| d.as_str() == label)
    }

    /// The label in `roi_drivers.driver`.
    pub fn as_str(self) -> &'static str {
        match self {
            Driver::AttributedMargin => "attributed_margin",
            Driver::IncrementalMargin => "incremental_margin",
            Driver::IncrementalMarginUnadjusted => "incremental_margin_unadjusted",
            Driver::CounterfactualValue => "counterfactual_value",
            Driver::InnovationValue => "innovation_value",
            Driver::RetentionValue => "retention_value",
            Driver::ServiceSavings => "service_savings",
        }
    }

    /// The evidence its value rests on.
    pub fn evidence(self) -> Evidence {
        match self {
            Driver::AttributedMargin => Evidence::Attribution,
            Driver::IncrementalMargin | Driver::IncrementalMarginUnadjusted => Evidence::Experiment,
            Driver::CounterfactualValue => Evidence::QuasiExperiment,
            Driver::InnovationValue => Evidence::SelfReported,
            Driver::RetentionValue => Evidence::Correlation,
            Driver::ServiceSavings => Evidence::Operational,
        }
    }
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_and_strength_orders_the_legend() {
        for e in Evidence::ALL {
            assert_eq!(Evidence::parse(e.as_str()), Some(e));
        }
        let s: Vec<u8> = Evidence::ALL.iter().map(|e| e.strength()).collect();
        assert!(s.windows(2).all(|w| w[0] > w[1]), "{s:?}");
        assert_eq!(Evidence::parse("anecdote"), None);
        for d in Driver::ALL {
            assert_eq!(Driver::parse(d.as_str()), Some(d));
        }
    }
}

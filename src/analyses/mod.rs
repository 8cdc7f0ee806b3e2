//! The analyses a run makes of the KPI results and the joined tables, one module each:
//! [`attribution`] (journeys, the eight models and how well each recovers planted effects), [`experiments`] (holdout tests),
//! [`clv`] (BG/NBD, Gamma-Gamma and customer value), [`perception`] (the perception gap by
//! segment), [`channel_mix`], [`maturity`] (the Social Business maturity stage), [`impact`]
//! (a counterfactual for every launch) and [`roi`] (costs, value drivers, the bootstrap), with
//! [`evidence`] (the value drivers and the class of evidence each rests on) shared by the last
//! two. They read `kpi` and the canonical model
//! and never the report; each is run by one stage of `pipeline::stages`.

pub mod alerts;
pub mod attribution;
pub mod channel_mix;
pub mod clv;
pub mod evidence;
pub mod experiments;
pub mod impact;
pub mod maturity;
pub mod perception;
pub mod plans;
pub mod roi;

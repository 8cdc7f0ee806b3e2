//! `misura generate`: a coherent fictional company (the brand "aurora" and two competitors)
//! across every canonical table, deterministic for a seed, with the truth planted in it
//! written to `truth.json` so that tests can check the engine against what was planted.
//!
//! Scale 1.0 is about 1 M contacts, 10 M mentions, 5 M touchpoints and 2 M tickets; other
//! tables follow in proportion. The data covers 2025-11-01 to 2026-10-31.

mod commerce;
mod crm;
mod launches;
mod programme;
mod rng;
mod service;
mod sink;
mod social;
pub mod truth;

use crate::error::{Error, Result};
use chrono::NaiveDate;
pub use sink::OutFormat;
use sink::Sink;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use truth::Truth;

/// The generated company's own brand.
pub(crate) const BRAND: &str = "aurora";
/// Tracked competitors.
pub(crate) const COMPETITORS: &[&str] = &["borealis", "cometa"];
/// Industries of contacts and survey respondents.
pub(crate) const INDUSTRIES: &[&str] = &["retail", "automotive", "consumer_electronics", "travel"];
/// First day of the generated data.
pub(crate) const START: (i32, u32, u32) = (2025, 11, 1);
/// Days of generated data.
pub(crate) const DAYS: i64 = 365;
const DAY: i64 = 86_400;

/// Options of one generation.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Size relative to scale 1.0.
    pub scale: f64,
    /// Seed of every random stream.
    pub seed: u64,
    /// Output directory (created).
    pub out: PathBuf,
    /// File format.
    pub format: OutFormat,
}

/// A contact as the other stages need it.
#[derive(Debug, Clone)]
pub struct Contact {
    /// Creation, seconds since the epoch.
    pub created: i64,
    /// Enrolled in the advocacy programme.
    pub advocate: bool,
    /// Has bought or may buy (customer, prospect).
    pub buyer: bool,
    /// Industry index in `INDUSTRIES`.
    pub industry: usize,
    /// Country as written (none for the 5 % without one).
    pub country: Option<&'static str>,
}

/// A campaign as the other stages need it.
#[derive(Debug, Clone)]
pub(crate) struct Campaign {
    /// First day, seconds.
    pub start: i64,
    /// Last day (inclusive), seconds.
    pub end: i64,
}

/// State shared by the generation stages.
pub(crate) struct World {
    /// Options.
    pub opts: GenerateOptions,
    /// Start of the data, seconds since the epoch.
    pub t0: i64,
    /// Contacts by index (id = C + 7 digits of index + 1).
    pub contacts: Vec<Contact>,
    /// Department of each employee.
    pub employees: Vec<&'static str>,
    /// Campaigns by index.
    pub campaigns: Vec<Campaign>,
    /// Event start days (seconds) by index.
    pub events: Vec<i64>,
    /// Ticket counter (tickets come from several stages).
    pub next_ticket: u64,
    /// Lead counter.
    pub next_lead: u64,
    /// Opportunities written (ids P00000001 up to this).
    pub opportunities: u64,
    /// When each ticket was opened (seconds; index = ticket number - 1).
    pub ticket_opened: Vec<i64>,
    /// When each opportunity was created (seconds; index = number - 1).
    pub opportunity_opened: Vec<i64>,
    /// What was planted and what was realised.
    pub truth: Truth,
    /// Rows written per table.
    pub rows: BTreeMap<String, u64>,
}

impl World {
    /// `n_at_scale_1 × scale`, at least `min`.
    pub fn n(&self, at_one: f64, min: usize) -> usize {
        ((at_one * self.opts.scale).round() as usize).max(min)
    }

    /// A new sink for `table`.
    pub fn sink(&self, table: &str) -> Result<Sink> {
        Sink::new(table, &self.opts.out, self.opts.format)
    }

    /// Records a finished sink.
    pub fn done(&mut self, sink: Sink) -> Result<()> {
        let (table, rows) = sink.finish()?;
        self.rows.insert(table.to_string(), rows);
        Ok(())
    }

    /// End of the data (exclusive), seconds.
    pub fn t1(&self) -> i64 {
        self.t0 + DAYS * DAY
    }

    /// The first instant of the data at which contact `c` exists: no row of a contact is
    /// dated before the contact itself (an as-of between the two would leave an orphan).
    pub fn since(&self, c: usize) -> i64 {
        self.contacts[c].created.max(self.t0)
    }

    /// A new ticket id, for a ticket opened at `opened`.
    pub fn ticket_id(&mut self, opened: i64) -> String {
        self.next_ticket += 1;
        self.ticket_opened.push(opened);
        format!("T{:08}", self.next_ticket)
    }

    /// A new lead id.
    pub fn lead_id(&mut self) -> String {
        self.next_lead += 1;
        format!("L{:08}", self.next_lead)
    }
}

/// Contact id of index `i`.
pub fn contact_id(i: usize) -> String {
    format!("C{:07}", i + 1)
}

/// Employee id of index `i`.
pub fn employee_id(i: usize) -> String {
    format!("E{:05}", i + 1)
}

/// Days since the epoch of a time in seconds.
pub(crate) fn day_of(t: i64) -> i32 {
    t.div_euclid(DAY) as i32
}

/// Generates the whole company into `opts.out`; returns the truth also written to truth.json.
pub fn generate(opts: GenerateOptions) -> Result<Truth> {
    if !(opts.scale > 0.0 && opts.scale <= 10.0) {
        return Err(Error::Generate {
            problem: format!("--scale {} must be in (0, 10]", opts.scale),
        });
    }
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let t0 = NaiveDate::from_ymd_opt(START.0, START.1, START.2)
        .expect("valid start")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp();
    let mut w = World {
        truth: Truth::new(&opts, t0),
        opts,
        t0,
        contacts: Vec::new(),
        employees: Vec::new(),
        campaigns: Vec::new(),
        events: Vec::new(),
        next_ticket: 0,
        next_lead: 0,
        opportunities: 0,
        ticket_opened: Vec::new(),
        opportunity_opened: Vec::new(),
        rows: BTreeMap::new(),
    };
    crm::generate(&mut w)?;
    let social = social::generate(&mut w)?;
    commerce::generate(&mut w, &social)?;
    service::generate(&mut w, social.tickets)?;
    programme::generate(&mut w)?;
    launches::generate(&mut w)?;
    w.truth.rows = w.rows.clone();
    write_project_file(&w.opts.out, &w.truth)?;
    let path = w.opts.out.join("truth.json");
    let json = serde_json::to_string_pretty(&w.truth).expect("truth serialises");
    std::fs::write(&path, json + "\n").map_err(|e| Error::io(&path, e))?;
    Ok(w.truth)
}

fn write_project_file(dir: &Path, truth: &Truth) -> Result<()> {
    let text = format!(
        "# Project file written by `misura generate` (seed {}, scale {}).\n\
         currency = \"EUR\"\n\n[parameters]\nbrand = \"{BRAND}\"\nwindow_start = \"{}\"\nwindow_end = \"{}\"\n",
        truth.seed, truth.scale, truth.window_start, truth.window_end
    );
    let path = dir.join("misura.toml");
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}

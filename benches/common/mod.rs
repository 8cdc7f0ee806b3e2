//! What the bench runners share: settings from the environment and min/median timing.

#![allow(dead_code)] // each bench uses part of it

use std::time::Instant;

/// The environment variable `name` parsed, or `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `f` `repeat` times, prints min and median wall time, returns the last result.
pub fn time<T>(label: &str, repeat: usize, mut f: impl FnMut() -> T) -> T {
    let mut secs = Vec::new();
    let mut out = None;
    for _ in 0..repeat {
        let t = Instant::now();
        out = Some(f());
        secs.push(t.elapsed().as_secs_f64());
    }
    secs.sort_by(f64::total_cmp);
    println!(
        "{label:<40} min {:>8.3} s   median {:>8.3} s   ({repeat} runs)",
        secs[0],
        secs[secs.len() / 2]
    );
    out.expect("at least one run")
}

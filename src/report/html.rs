//! The page: `index.html`, one self-contained file (inline CSS and SVG, no script, no
//! network), rendered with minijinja from `templates/report.html`. Every data value is
//! HTML-escaped by the engine; only the chart SVG (whose text plotters escapes) is inserted
//! as markup.

use super::page::Page;
use crate::error::{Error, Result};
use std::path::Path;

const TEMPLATE: &str = include_str!("templates/report.html");

/// Renders `page` to HTML.
pub fn render(page: &Page) -> Result<String> {
    let mut env = minijinja::Environment::new();
    // The name ends in .html: auto-escaping is on for every value.
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::report("template", e))?;
    env.get_template("report.html")
        .and_then(|t| t.render(minijinja::value::Serde(page)))
        .map_err(|e| Error::report("index.html", e))
}

/// Writes `index.html` into `run_dir`.
pub fn write(page: &Page, run_dir: &Path) -> Result<()> {
    let html = render(page)?;
    let path = run_dir.join("index.html");
    std::fs::write(&path, html).map_err(|e| Error::io(&path, e))
}

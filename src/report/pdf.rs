//! `report.pdf`: the page printed by a headless Chromium (its print layout: the executive
//! summary alone on the first page, A4 or Letter alike), when one is installed. The browser
//! is `MISURA_CHROMIUM` when set, else the first of `chromium`, `chromium-browser`,
//! `google-chrome`, `google-chrome-stable` on `PATH`. It runs with a throw-away profile,
//! no network use (the page is self-contained) and a time limit.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether a run writes `report.pdf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pdf {
    /// When a headless Chromium is found (else a log line says why there is none).
    #[default]
    Auto,
    /// Never.
    Off,
}

/// How long printing may take before the browser is stopped.
const LIMIT: Duration = Duration::from_secs(90);

const BROWSERS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The browser to print with: `MISURA_CHROMIUM`, else the first known name on `PATH`.
pub fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MISURA_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    BROWSERS.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Prints `<run_dir>/index.html` to `<run_dir>/report.pdf` with `browser`; a browser that
/// crashes is given a second try (headless Chromium occasionally dies at start-up).
pub fn print(browser: &Path, run_dir: &Path) -> Result<()> {
    print_once(browser, run_dir).or_else(|first| {
        tracing::warn!("printing report.pdf failed ({first}); trying once more");
        print_once(browser, run_dir)
    })
}

fn print_once(browser: &Path, run_dir: &Path) -> Result<()> {
    let page = run_dir.join("index.html");
    let pdf = run_dir.join("report.pdf");
    let profile = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let url = format!(
        "file://{}",
        std::path::absolute(&page)
            .map_err(|e| Error::io(&page, e))?
            .display()
    );
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::report("report.pdf", format!("{}: {e}", browser.display())))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| Error::io(browser, e))? {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::report(
                "report.pdf",
                format!(
                    "{} did not finish printing within {} s",
                    browser.display(),
                    LIMIT.as_secs()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let written = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
    if !status.success() || written == 0 {
        let _ = std::fs::remove_file(&pdf);
        return Err(Error::report(
            "report.pdf",
            format!("{} exited with {status} without a PDF", browser.display()),
        ));
    }
    Ok(())
}

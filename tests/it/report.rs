//! The CMO report of the sample run: summary figures equal the ROI table, every chart exists
//! as PNG and SVG at its size and is not blank, data values are HTML-escaped, the workbook is
//! written, and the page renders in headless Chromium without console errors (screenshot
//! kept under the target dir).

use misura::pipeline::{self, RunOptions, RunSummary};
use misura::report::format::money;
use std::path::{Path, PathBuf};
use std::process::Command;

async fn run_with_config(config: Option<&str>, out: &Path) -> RunSummary {
    let data = crate::util::sample_dir();
    let mut overrides = misura::config::Overrides {
        data: Some(data.clone()),
        config: None,
        params: Vec::new(),
        on_invalid: None,
    };
    let cfg_dir = tempfile::tempdir().unwrap();
    if let Some(text) = config {
        let path = cfg_dir.path().join("misura.toml");
        std::fs::write(&path, text).unwrap();
        overrides.config = Some(path);
    }
    let s = misura::config::Settings::resolve(&overrides, &Default::default()).unwrap();
    let mut opts = RunOptions::new(out, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    opts.pdf = misura::report::pdf::Pdf::Off; // report.pdf has its own test
    opts.force = true;
    pipeline::run(s, &opts).await.unwrap()
}

/// (width, height) from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[1..4], b"PNG", "a PNG file");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[tokio::test]
async fn the_sample_run_writes_the_cmo_report() {
    let out = tempfile::tempdir().unwrap();
    let s = run_with_config(None, out.path()).await;
    assert_eq!(s.manifest.status, "ok", "{:?}", s.manifest.failures);
    let html = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();

    // The summary's investment is the sum of the roi table's costs.
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/roi.csv")).unwrap();
    let cost: f64 = rdr
        .records()
        .map(|r| r.unwrap()[2].parse::<f64>().unwrap())
        .sum();
    let investment = money(cost, "EUR");
    assert!(
        html.contains(&format!("id=\"total-investment\">{investment}<")),
        "summary shows the investment {investment}"
    );
    for needle in [
        "Executive summary",
        "ROI per use case",
        "Largest contributors",
        "Marketing",
        "Read with care",
    ] {
        assert!(html.contains(needle), "index.html has {needle:?}");
    }
    for external in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<script",
        "<link ",
    ] {
        assert!(!html.contains(external), "self-contained: found {external}");
    }

    // Every chart: PNG and SVG on disk, the PNG at the SVG's size and not blank.
    let charts: Vec<&str> = s
        .manifest
        .outputs
        .iter()
        .map(|o| o.path.as_str())
        .filter(|p| p.starts_with("charts/") && p.ends_with(".png"))
        .collect();
    assert!(charts.len() >= 10, "charts: {charts:?}");
    assert!(charts.contains(&"charts/summary/roi.png"));
    assert!(charts.contains(&"charts/marketing/attribution_by_channel.png"));
    assert!(charts.contains(&"charts/sales/funnel.png"));
    assert!(charts.contains(&"charts/support/uc10_cost_per_contact_by_channel.png"));
    assert!(charts.contains(&"charts/marketing/uc04_attributed_revenue_by_campaign_id.png"));
    for png in &charts {
        let bytes = std::fs::read(s.run_dir.join(png)).unwrap();
        let (w, h) = png_size(&bytes);
        assert!(w >= 600 && h >= 250, "{png}: {w}×{h}");
        let svg = std::fs::read_to_string(s.run_dir.join(png.replace(".png", ".svg"))).unwrap();
        assert!(
            svg.contains(&format!("width=\"{w}\"")) && svg.contains(&format!("height=\"{h}\"")),
            "{png}: SVG of the same size"
        );
        assert!(
            svg.matches("<text").count() >= 5,
            "{png}: titled and labelled"
        );
        // A blank white image of this size compresses to a few hundred bytes.
        assert!(
            bytes.len() > 8_000,
            "{png}: {} bytes, looks blank",
            bytes.len()
        );
    }
    assert_eq!(
        html.matches("<svg").count(),
        charts.len(),
        "every chart inline"
    );

    let xlsx = std::fs::read(s.run_dir.join("report.xlsx")).unwrap();
    assert_eq!(
        &xlsx[..2],
        b"PK",
        "report.xlsx is an Office Open XML (zip) file"
    );
    // The workbook's Summary has the programme total, frozen headers and a filter; every
    // objective sheet too (headers frozen, filter on its KPI table).
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(s.run_dir.join("report.xlsx")).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    assert!(
        part("xl/sharedStrings.xml").contains("The programme"),
        "programme total"
    );
    let summary = part("xl/worksheets/sheet1.xml");
    assert!(
        summary.contains("<autoFilter ref=\"A3:M"),
        "filter on the ROI table"
    );
    assert!(summary.contains("<pane "), "frozen header");
    let objective = part("xl/worksheets/sheet2.xml");
    assert!(
        objective.contains("<autoFilter ref=\"A1:J"),
        "filter on the KPI table"
    );
    assert!(objective.contains("<pane "), "frozen header");
}

#[tokio::test]
async fn golden_roi_tables_of_the_sample() {
    // Regenerate after an intended change with: MISURA_BLESS=1 cargo test (util::snapshot)
    let out = tempfile::tempdir().unwrap();
    let s = run_with_config(None, out.path()).await;
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden");
    for table in ["roi.csv", "roi_drivers.csv"] {
        let got = std::fs::read_to_string(s.run_dir.join("tables").join(table)).unwrap();
        crate::util::snapshot(&golden.join(table), &got, "the sample run's ROI");
    }
}

#[tokio::test]
async fn data_values_are_escaped() {
    let out = tempfile::tempdir().unwrap();
    let s = run_with_config(
        Some("[parameters]\nbrand = \"aurora\"\n\n[use_cases.UC04]\nname = \"<script>alert('x')</script> & co\"\n"),
        out.path(),
    )
    .await;
    let html = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    assert!(!html.contains("<script>"), "no script reaches the page");
    assert!(
        html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; co"),
        "rendered as text"
    );
    let svg = std::fs::read_to_string(s.run_dir.join("charts/summary/roi.svg")).unwrap();
    assert!(
        !svg.contains("<script>") && svg.contains("&lt;script&gt;"),
        "escaped in charts too"
    );
}

/// The browser misura itself prints report.pdf with (`MISURA_CHROMIUM`, else PATH).
fn chromium() -> Option<PathBuf> {
    misura::report::pdf::browser()
}

fn headless(browser: &Path, profile: &Path) -> Command {
    // A browser that hangs must fail the test, not stall CI: coreutils' timeout bounds it.
    let mut c = Command::new("timeout");
    c.arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[tokio::test]
async fn the_page_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: no chromium found (install the `chromium` package or set MISURA_CHROMIUM; .ci/run installs it)"
        );
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let s = run_with_config(None, out.path()).await;
    let url = format!("file://{}", s.run_dir.join("index.html").display());
    let profile = tempfile::tempdir().unwrap();

    let dom = headless(&browser, profile.path())
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let html = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    assert!(
        html.contains("id=\"total-roi\""),
        "the summary figures are in the rendered page"
    );
    assert!(
        !html.contains("<img"),
        "charts are inline SVG: nothing to fail loading"
    );
    let svgs = html.matches("<svg").count();
    assert!(svgs >= 10, "{svgs} charts rendered");

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let status = headless(&browser, profile.path())
        .args(["--window-size=1280,2400"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(status.status.success(), "screenshot failed");
    let bytes = std::fs::read(&shot).unwrap();
    assert_eq!(png_size(&bytes), (1280, 2400));
    assert!(bytes.len() > 50_000, "the screenshot shows a page");
    eprintln!("screenshot: {}", shot.display());
}

/// The text of `pages` (e.g. `1`) of `pdf`, with poppler's pdftotext; `None` without it.
fn pdf_text(pdf: &Path, first: u32, last: u32) -> Option<String> {
    let out = Command::new("pdftotext")
        .args(["-f", &first.to_string(), "-l", &last.to_string(), "-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
fn the_pdf_opens_with_the_executive_summary_alone() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: no chromium found (install the `chromium` package or set MISURA_CHROMIUM; .ci/run installs it)"
        );
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let mut c = crate::util::misura();
        c.env("MISURA_PDF", "auto").env("MISURA_CHROMIUM", &browser);
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c
            .args(["run", "--as-of", "2026-11-01", "--force", "--out"])
            .arg(out.path())
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, log) = run(&[], &[]);
    assert_eq!(code, Some(0), "{log}");
    let dir = out.path().join("2026-11-01");
    let pdf = dir.join("report.pdf");
    let bytes = std::fs::read(&pdf).expect("report.pdf written");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let outputs = crate::util::manifest(&dir)["outputs"].to_string();
    assert!(outputs.contains("report.pdf"), "listed in the manifest");
    match pdf_text(&pdf, 1, 1) {
        Some(first) => {
            // The first page is the executive summary, nothing after it.
            assert!(first.contains("Executive summary"), "{first}");
            assert!(
                first.contains("Read with care") && first.contains("Demo data"),
                "{first}"
            );
            for later in [
                "ROI per use case",
                "How much the attribution model matters",
                "Method",
            ] {
                assert!(
                    !first.contains(later),
                    "{later:?} on the first page: {first}"
                );
            }
            let second = pdf_text(&pdf, 2, 2).unwrap();
            assert!(!second.contains("Executive summary"), "{second}");
            // EUR amounts print on A4.
            let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
            let info = String::from_utf8_lossy(&info.stdout);
            assert!(info.contains("(A4)"), "{info}");
        }
        None => eprintln!("pdftotext not found (poppler-utils): the first page is not read"),
    }

    // --pdf off: none. A browser that cannot print: the run stands, and says so.
    let (code, log) = run(&["--pdf", "off"], &[]);
    assert_eq!(code, Some(0), "{log}");
    assert!(!dir.join("report.pdf").exists(), "--pdf off writes none");
    let (code, log) = run(&[], &[("MISURA_CHROMIUM", "/nonexistent/chromium")]);
    assert_eq!(code, Some(0), "{log}");
    assert!(!dir.join("report.pdf").exists());
    assert!(log.contains("report.pdf not written"), "{log}");
    let warnings = crate::util::manifest(&dir)["warnings"].to_string();
    assert!(warnings.contains("report.pdf not written"), "{warnings}");
}

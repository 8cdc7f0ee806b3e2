//! The page and the workbook show the same figures: on a generated data set (one campaign
//! renamed with markup in its name), every campaign, event, topic, segment and channel that
//! `kpi_values` reports for the whole period is in the page's breakdown table of its use case
//! (escaped, each KPI in its unit) and in the workbook's sheet of that breakdown (the same
//! number); the programme total and every use case's ROI figures agree between them.

use misura::report::format::{in_unit, money, pct};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

#[derive(Debug, serde::Deserialize)]
struct Row {
    use_case: String,
    kpi: String,
    period: String,
    dimension: Option<String>,
    dimension_value: Option<String>,
    value: Option<f64>,
    unit: String,
}

/// As minijinja escapes HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text between `from` (after it) and `to`.
fn between<'a>(s: &'a str, from: &str, to: &str) -> Option<&'a str> {
    let start = s.find(from)? + from.len();
    let end = s[start..].find(to)? + start;
    Some(&s[start..end])
}

/// The `<td>` texts of the row whose opening tag is `tr_open`, in `html`; nested spans kept.
fn cells(html: &str, tr_open: &str) -> Option<Vec<String>> {
    let row = between(html, tr_open, "</tr>")?;
    Some(
        row.split("<td")
            .skip(1)
            .map(|c| {
                let body = &c[c.find('>').unwrap() + 1..];
                body[..body.find("</td>").unwrap_or(body.len())].to_string()
            })
            .collect(),
    )
}

/// A worksheet as cell reference → text (shared strings resolved) or number.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
}

struct Workbook {
    sheets: BTreeMap<String, BTreeMap<(u32, u32), Cell>>,
}

fn column_of(reference: &str) -> (u32, u32) {
    let letters: String = reference
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let col = letters
        .chars()
        .fold(0, |acc, c| acc * 26 + (c as u32 - 'A' as u32 + 1))
        - 1;
    let row: u32 = reference[letters.len()..].parse().unwrap();
    (row - 1, col)
}

fn read_workbook(path: &Path) -> Workbook {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let strings: Vec<String> = part("xl/sharedStrings.xml")
        .split("<si>")
        .skip(1)
        .map(|si| {
            let t = &si[si.find("<t").unwrap()..];
            unescape_xml(&t[t.find('>').unwrap() + 1..t.find("</t>").unwrap()])
        })
        .collect();
    let names: Vec<String> = part("xl/workbook.xml")
        .split("<sheet ")
        .skip(1)
        .map(|s| unescape_xml(between(s, "name=\"", "\"").unwrap()))
        .collect();
    let mut sheets = BTreeMap::new();
    for (i, name) in names.into_iter().enumerate() {
        let xml = part(&format!("xl/worksheets/sheet{}.xml", i + 1));
        let mut grid = BTreeMap::new();
        for c in xml.split("<c ").skip(1) {
            let head = &c[..c.find('>').unwrap()];
            let reference = between(head, "r=\"", "\"").unwrap();
            let Some(v) = between(c, "<v>", "</v>") else {
                continue;
            };
            let cell = if head.contains("t=\"s\"") {
                Cell::Text(strings[v.parse::<usize>().unwrap()].clone())
            } else {
                Cell::Number(v.parse().unwrap())
            };
            grid.insert(column_of(reference), cell);
        }
        sheets.insert(name, grid);
    }
    Workbook { sheets }
}

/// Renames the first campaign of the generated data to a name with markup in it.
fn rename_first_campaign(dir: &Path, to: &str) {
    let path = dir.join("campaigns.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let name_col = headers.iter().position(|h| h == "name").unwrap();
    let mut rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let mut first: Vec<String> = rows[0].iter().map(str::to_string).collect();
    first[name_col] = to.to_string();
    rows[0] = csv::StringRecord::from(first);
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&headers).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

#[tokio::test]
async fn the_page_and_the_workbook_show_every_breakdown_value_and_agree() {
    let data = tempfile::tempdir().unwrap();
    misura::generate::generate(misura::generate::GenerateOptions {
        scale: 0.01,
        seed: 5,
        out: data.path().to_path_buf(),
        format: misura::generate::OutFormat::Csv,
    })
    .unwrap();
    let marked = "<b>Spring & \"Sale\"</b> 'A/B'";
    rename_first_campaign(data.path(), marked);
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(data.path(), out.path(), None)
        .await
        .unwrap();
    assert_eq!(s.manifest.status, "ok", "{:?}", s.manifest.failures);
    let html = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    let wb = read_workbook(&s.run_dir.join("report.xlsx"));
    let currency = "EUR";

    // The renamed campaign is shown, as text.
    assert!(
        !html.contains("<b>Spring"),
        "markup from the data reaches the page"
    );
    assert!(
        html.contains(&escape(marked)),
        "the campaign's name, escaped"
    );

    let rows: Vec<Row> = csv::Reader::from_path(s.run_dir.join("tables/kpi_values.csv"))
        .unwrap()
        .deserialize()
        .map(Result::unwrap)
        .collect();
    let broken: Vec<&Row> = rows
        .iter()
        .filter(|r| r.period == "all" && r.dimension.is_some())
        .collect();
    let dimensions: std::collections::BTreeSet<&str> = broken
        .iter()
        .map(|r| r.dimension.as_deref().unwrap())
        .collect();
    for d in ["campaign_id", "event_id", "topic", "segment", "channel"] {
        assert!(dimensions.contains(d), "the data set has a {d} breakdown");
    }
    let mut checked = 0;
    for r in &broken {
        let (d, key) = (
            r.dimension.as_deref().unwrap(),
            r.dimension_value.as_deref().unwrap(),
        );
        let noun = d.strip_suffix("_id").unwrap_or(d);
        // The page: the use case's table for this dimension, the value's row, the KPI's cell.
        let anchor = format!("id=\"{}-{d}\"", r.use_case.to_lowercase());
        let start = html
            .find(&anchor)
            .unwrap_or_else(|| panic!("{}: no breakdown table per {noun}", r.use_case));
        let rest = &html[start + anchor.len()..];
        let end = ["<h4", "<h3", "</section>"]
            .iter()
            .filter_map(|t| rest.find(t))
            .min()
            .unwrap();
        let table = &rest[..end];
        let header = between(table, "<tr>", "</tr>").unwrap();
        let names: Vec<String> = header
            .split("<th>")
            .skip(1)
            .map(|h| h.split("</th>").next().unwrap().to_string())
            .collect();
        let meta = misura::kpi::load::QuerySet::builtin()
            .unwrap()
            .kpis
            .iter()
            .flat_map(|q| q.meta.kpis.clone())
            .find(|k| k.id == r.kpi)
            .unwrap();
        let col = names
            .iter()
            .position(|n| *n == escape(&meta.name))
            .unwrap_or_else(|| panic!("{}: no column {:?} in {names:?}", r.kpi, meta.name));
        let tds = cells(table, &format!("<tr data-key=\"{}\">", escape(key)))
            .unwrap_or_else(|| panic!("{} {key}: not on the page", r.kpi));
        let shown = r
            .value
            .map_or_else(|| "–".to_string(), |v| in_unit(v, &r.unit, currency));
        assert_eq!(tds[col], escape(&shown), "{} {key} on the page", r.kpi);

        // The workbook: the breakdown's sheet, the value's row, the KPI's column.
        let sheet_name: String = format!("{} per {}", r.use_case, noun.replace('_', " "))
            .chars()
            .take(31)
            .collect();
        let sheet = wb
            .sheets
            .get(&sheet_name)
            .unwrap_or_else(|| panic!("no sheet {sheet_name:?}"));
        let wb_col = (0..40)
            .find(|c| sheet.get(&(1, *c)) == Some(&Cell::Text(meta.name.clone())))
            .unwrap_or_else(|| panic!("{sheet_name}: no column {}", meta.name));
        let wb_row = (2..500)
            .find(|row| sheet.get(&(*row, 0)) == Some(&Cell::Text(key.to_string())))
            .unwrap_or_else(|| panic!("{sheet_name}: no row {key}"));
        let in_wb = sheet.get(&(wb_row, wb_col));
        match r.value {
            Some(v) if v.is_finite() => {
                assert_eq!(
                    in_wb,
                    Some(&Cell::Number(v)),
                    "{} {key} in the workbook",
                    r.kpi
                );
            }
            _ => assert_eq!(in_wb, None, "{} {key}: no value, no cell", r.kpi),
        }
        checked += 1;
    }
    assert!(checked > 50, "{checked} values checked");

    // The programme total and each use case's ROI figures: the page's text is the
    // workbook's number, formatted.
    let summary = &wb.sheets["Summary"];
    let find_row = |label: &str| {
        (3..200)
            .find(|row| summary.get(&(*row, 0)) == Some(&Cell::Text(label.into())))
            .unwrap_or_else(|| panic!("Summary has no row {label}"))
    };
    let number = |row: u32, col: u32| match summary.get(&(row, col)) {
        Some(Cell::Number(v)) => Some(*v),
        _ => None,
    };
    let total = find_row("total");
    let value = number(total, 4).unwrap();
    assert!(
        html.contains(&format!("id=\"total-value\">{}<", money(value, currency))),
        "programme value {value}"
    );
    let investment = number(total, 3).unwrap();
    assert!(html.contains(&format!(
        "id=\"total-investment\">{}<",
        money(investment, currency)
    )));
    if let Some(roi) = number(total, 6) {
        assert!(
            html.contains(&format!("id=\"total-roi\">{}<", pct(roi))),
            "programme ROI"
        );
    }
    let roi_table = between(&html, "id=\"roi-table\">", "</table>").unwrap();
    let mut use_cases = 0;
    for tr in roi_table.split("<tr>").skip(2) {
        let tds: Vec<&str> = tr
            .split("<td")
            .skip(1)
            .map(|c| {
                let body = &c[c.find('>').unwrap() + 1..];
                &body[..body.find("</td>").unwrap()]
            })
            .collect();
        let id = tds[0].split(' ').next().unwrap();
        if !id.starts_with("UC") {
            continue;
        }
        let row = find_row(id);
        assert_eq!(
            tds[1],
            money(number(row, 3).unwrap(), currency),
            "{id} cost"
        );
        if let Some(v) = number(row, 4) {
            assert_eq!(tds[2], money(v, currency), "{id} value");
        }
        if let Some(r) = number(row, 6) {
            assert_eq!(tds[4], pct(r), "{id} ROI");
        }
        use_cases += 1;
    }
    assert!(use_cases >= 8, "{use_cases} use cases compared");
}

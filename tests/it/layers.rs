//! The layers of `src/`, checked: every module belongs to one layer, imports go down (or
//! sideways within a layer, without a circle), and none runs back up. The order is the
//! flow of a run: the leaves (error, the canonical model, Arrow I/O, statistics, the engine's
//! sessions, logging, the embedded sample) → config → catalog → kpi → the analyses (and the
//! Ballista client that runs the KPI SQL elsewhere) → report → ops → pipeline → the edges
//! (the SQL shell and server, the generator, the command line). docs/development.md shows the
//! same order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layer of each unit: a top-level module, or `analyses::<name>` for one analysis.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "error", "model", "arrow_io", "stats", "engine", "logging", "sample", "progress",
        ],
    ),
    ("config", &["config"]),
    ("catalog", &["catalog"]),
    ("kpi", &["kpi"]),
    (
        "analyses",
        &[
            "analyses::alerts",
            "analyses::attribution",
            "analyses::channel_mix",
            "analyses::clv",
            "analyses::evidence",
            "analyses::experiments",
            "analyses::impact",
            "analyses::maturity",
            "analyses::perception",
            "analyses::plans",
            "analyses::roi",
            "cluster",
        ],
    ),
    ("report", &["report"]),
    ("ops", &["ops"]),
    ("pipeline", &["pipeline"]),
    ("edges", &["sql", "generate", "cli"]),
];

/// Imports that run back up, each with its reason. Keep it empty: move the item down instead.
const BACK_UP_ALLOWED: &[(&str, &str)] = &[];

fn layer_of(unit: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, units)| units.contains(&unit))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The unit a path under `src/` belongs to (`None` for lib.rs and main.rs).
fn unit_of_file(rel: &Path) -> Option<String> {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    match parts.as_slice() {
        [one] if one == "lib" || one == "main" => None,
        [first, second, ..] if first == "analyses" && second != "mod" => {
            Some(format!("analyses::{second}"))
        }
        [first, ..] => Some(first.clone()),
        [] => None,
    }
}

/// The unit a `crate::a::b…` path names.
fn unit_of_path(path: &str) -> String {
    let mut it = path.split("::");
    let first = it.next().unwrap_or_default();
    match (first, it.next()) {
        ("analyses", Some(second)) => format!("analyses::{second}"),
        _ => first.to_string(),
    }
}

/// `crate::…` paths in the code of one file (comments dropped).
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let tail = &rest[i + "crate::".len()..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            out.push(tail[..end].trim_end_matches(':').to_string());
            rest = &tail[end..];
        }
    }
    out
}

/// Every import between units: (from, to) → the files that make it.
fn imports() -> BTreeMap<(String, String), BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let Some(from) = unit_of_file(rel) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for path in crate_paths(&text) {
            let to = unit_of_path(&path);
            if to != from && !to.is_empty() {
                edges
                    .entry((from.clone(), to))
                    .or_default()
                    .insert(format!("src/{}", rel.display()));
            }
        }
    }
    edges
}

#[test]
fn every_module_has_a_layer() {
    let edges = imports();
    let units: BTreeSet<&String> = edges.keys().flat_map(|(a, b)| [a, b]).collect();
    let missing: Vec<&&String> = units.iter().filter(|u| layer_of(u).is_none()).collect();
    assert!(
        missing.is_empty(),
        "modules without a layer in tests/it/layers.rs: {missing:?}; add each where it belongs in the flow"
    );
}

/// The imports of `edges` that run back up the layers, as messages naming the files.
fn back_up(edges: &BTreeMap<(String, String), BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for ((from, to), files) in edges {
        let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else {
            continue;
        };
        if lt > lf && !BACK_UP_ALLOWED.iter().any(|(f, t)| f == from && t == to) {
            out.push(format!(
                "{from} ({}) imports {to} ({}) in {files:?}",
                LAYERS[lf].0, LAYERS[lt].0
            ));
        }
    }
    out
}

#[test]
fn no_import_runs_back_up_the_layers() {
    let found = back_up(&imports());
    assert!(
        found.is_empty(),
        "imports that run back up the layers (move the item down, or argue for it in BACK_UP_ALLOWED):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_import_circle_between_modules() {
    let edges = imports();
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().push(to);
    }
    // Depth-first search; a grey node reached again closes a circle.
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match state.get(node) {
            Some(1) => {
                let at = stack.iter().position(|n| *n == node).unwrap();
                let mut circle = stack[at..].to_vec();
                circle.push(node);
                return Some(circle);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(node, 1);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(node, 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(circle) = visit(node, &graph, &mut state, &mut Vec::new()) {
            panic!("import circle: {}", circle.join(" → "));
        }
    }
}

#[test]
fn the_checker_sees_a_planted_back_up_import() {
    let paths = crate_paths(
        "use crate::report::html; // crate::ops::lock\nlet x = crate::analyses::roi::x;",
    );
    assert_eq!(paths, ["report::html", "analyses::roi::x"]);
    assert_eq!(unit_of_path(&paths[1]), "analyses::roi");
    assert_eq!(
        unit_of_file(Path::new("analyses/clv/bgnbd.rs")).as_deref(),
        Some("analyses::clv")
    );
    // A planted import from kpi up into the report is found, with its file.
    let planted = BTreeMap::from([(
        ("kpi".to_string(), "report".to_string()),
        BTreeSet::from(["src/kpi/run.rs".to_string()]),
    )]);
    let found = back_up(&planted);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("src/kpi/run.rs"), "{found:?}");
    // Down and sideways are fine.
    let fine = BTreeMap::from([
        (("report".to_string(), "kpi".to_string()), BTreeSet::new()),
        (
            ("analyses::roi".to_string(), "analyses::clv".to_string()),
            BTreeSet::new(),
        ),
    ]);
    assert!(back_up(&fine).is_empty());
}

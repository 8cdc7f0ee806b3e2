//! Documentation that must agree with the code.

use misura::catalog::docs::{BEGIN, END, render_markdown};
use std::path::Path;

#[test]
fn datasets_readme_documents_the_canonical_schemas() {
    // Regenerate with: MISURA_BLESS=1 cargo test datasets_readme
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        text.find(BEGIN).expect("begin marker"),
        text.find(END).expect("end marker") + END.len(),
    );
    let expected = render_markdown();
    if std::env::var_os("MISURA_BLESS").is_some() {
        std::fs::write(
            &path,
            format!("{}{expected}{}", &text[..start], &text[end..]),
        )
        .unwrap();
        return;
    }
    assert!(
        text[start..end] == expected,
        "datasets/README.md disagrees with src/model/tables.rs; run MISURA_BLESS=1 cargo test datasets_readme"
    );
}

#[test]
fn kpi_reference_documents_every_kpi_of_the_sidecars() {
    // Regenerate with: MISURA_BLESS=1 cargo test kpi_reference
    use misura::kpi::{load::QuerySet, reference, use_cases::UseCases};
    let queries = QuerySet::builtin().unwrap();
    let catalogue = UseCases::load(&queries, &Default::default()).unwrap();
    let expected = reference::render_markdown(&queries, &catalogue);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(reference::PATH);
    if std::env::var_os("MISURA_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        text == expected,
        "{} disagrees with the query sidecars; run MISURA_BLESS=1 cargo test kpi_reference",
        reference::PATH
    );
    // Every KPI id has its row (not only a mention).
    for k in queries.kpis.iter().flat_map(|q| &q.meta.kpis) {
        assert!(
            text.contains(&format!("| `{}` |", k.id)),
            "{} has no row",
            k.id
        );
    }
}

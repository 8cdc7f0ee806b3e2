//! Documentation that must agree with the code.

use misura::catalog::docs::{BEGIN, END, render_markdown};
use std::path::Path;

#[test]
fn datasets_readme_documents_the_canonical_schemas() {
    // Regenerate with: MISURA_BLESS=1 cargo test (util::snapshot)
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        text.find(BEGIN).expect("begin marker"),
        text.find(END).expect("end marker") + END.len(),
    );
    let expected = render_markdown();
    crate::util::snapshot(
        &path,
        &format!("{}{expected}{}", &text[..start], &text[end..]),
        "src/model/tables.rs",
    );
}

#[test]
fn kpi_reference_documents_every_kpi_of_the_sidecars() {
    // Regenerate with: MISURA_BLESS=1 cargo test (util::snapshot)
    use misura::kpi::{load::QuerySet, reference, use_cases::UseCases};
    let queries = QuerySet::builtin().unwrap();
    let catalogue = UseCases::load(&queries, &Default::default()).unwrap();
    let expected = reference::render_markdown(&queries, &catalogue);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(reference::PATH);
    crate::util::snapshot(&path, &expected, "the query sidecars");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    // Every KPI id has its row (not only a mention).
    for k in queries.kpis.iter().flat_map(|q| &q.meta.kpis) {
        assert!(
            text.contains(&format!("| `{}` |", k.id)),
            "{} has no row",
            k.id
        );
    }
}

#[test]
fn every_kpi_has_a_plain_definition_for_the_reader() {
    // The report shows it in the KPI table, the formula one click away.
    let queries = misura::kpi::load::QuerySet::builtin().unwrap();
    for k in queries.kpis.iter().flat_map(|q| &q.meta.kpis) {
        let plain = k.plain.as_deref().unwrap_or_default();
        assert!(
            plain.ends_with('.') && (20..=140).contains(&plain.chars().count()),
            "{}: plain definition {plain:?} (one sentence, 20-140 characters)",
            k.id
        );
        assert!(
            !plain.contains(&k.id) && !plain.contains('_'),
            "{}: plain words, no ids or column names: {plain:?}",
            k.id
        );
    }
}

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

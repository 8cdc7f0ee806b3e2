//! The use-case catalogue and the query files agree; projects can rename and hide use
//! cases; `misura check` validates queries; statistics are computed with statrs.

use crate::util::{fixture, run};
use misura::kpi::load::QuerySet;
use misura::kpi::sidecar::Transform;
use misura::kpi::use_cases::UseCases;
use std::collections::BTreeMap;

#[test]
fn built_in_sidecars_agree_with_the_catalogue() {
    let cat = UseCases::load(&QuerySet::builtin().unwrap(), &BTreeMap::new()).unwrap();
    assert_eq!(cat.use_cases.len(), 19, "18 use cases and the 5 M's");
    for q in QuerySet::builtin().unwrap().kpis {
        let uc = cat
            .use_case(&q.meta.use_case)
            .unwrap_or_else(|| panic!("{}: use case {} not catalogued", q.file, q.meta.use_case));
        assert_eq!(q.meta.objective, uc.objective, "{}", q.file);
        assert_eq!(q.meta.requires, uc.requires, "{}: requires", q.file);
        assert!(
            q.file.starts_with(&format!("queries/{}/", uc.objective)),
            "{} lives under its objective",
            q.file
        );
        assert!(cat.objectives.iter().any(|o| o.id == uc.objective));
    }
}

#[tokio::test]
async fn a_project_renames_and_hides_use_cases() {
    let dir = fixture();
    let toml = dir.path().join("misura.toml");
    let text = std::fs::read_to_string(&toml).unwrap()
        + "\n[use_cases.5M]\nhidden = true\n[use_cases.UC14]\nname = \"Cross-team case work\"\n";
    std::fs::write(&toml, &text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let s = run(dir.path(), out.path(), None).await.unwrap();
    assert_eq!(s.manifest.hidden_use_cases, ["5M"]);
    let kpis = std::fs::read_to_string(s.run_dir.join("tables/kpi_values.csv")).unwrap();
    assert!(!kpis.contains("m.monitoring") && kpis.contains("uc01.mention_volume"));

    let settings = crate::util::settings(dir.path(), None, &[]).unwrap();
    let cat = UseCases::load(&QuerySet::builtin().unwrap(), &settings.use_cases).unwrap();
    assert_eq!(cat.use_case("UC14").unwrap().name, "Cross-team case work");
    assert!(!cat.use_case("UC14").unwrap().provisional);

    std::fs::write(&toml, "[use_cases.UC99]\nhidden = true\n").unwrap();
    let settings = crate::util::settings(dir.path(), None, &[]).unwrap();
    let err = UseCases::load(&QuerySet::builtin().unwrap(), &settings.use_cases)
        .unwrap_err()
        .to_string();
    assert!(err.contains("[use_cases.UC99] names no use case"), "{err}");
}

#[test]
fn check_rejects_unknown_placeholders_in_project_queries() {
    let q = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(q.path().join("mine")).unwrap();
    std::fs::write(
        q.path().join("mine/x.sql"),
        "SELECT 1 WHERE 'a' = {{ brnad }}",
    )
    .unwrap();
    std::fs::write(
        q.path().join("mine/x.toml"),
        "use_case = \"UC02\"\nobjective = \"marketing\"\nname = \"x\"\ndescription = \"x\"\ngrain = \"x\"\nrequires = []\n[[kpis]]\nid = \"x.y\"\nname = \"x\"\nunit = \"count\"\nformula = \"x\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_misura"))
        .args(["check", "--queries"])
        .arg(q.path())
        .arg("--data")
        .arg(fixture().path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("mine/x.sql: unknown placeholder {{ brnad }}, did you mean `brand`?"),
        "{stderr}"
    );
}

#[test]
fn two_sided_p_value_from_z_uses_the_normal_distribution() {
    // Φ(1.959964) = 0.975 → p = 0.05; z = 0 → p = 1; symmetric in the sign of z.
    let p = Transform::PTwoSidedFromZ;
    assert!(
        (p.apply(1.959_963_984_540_054) - 0.05).abs() < 1e-9,
        "{}",
        p.apply(1.959_963_984_540_054)
    );
    assert!((p.apply(-1.959_963_984_540_054) - 0.05).abs() < 1e-9);
    assert_eq!(p.apply(0.0), 1.0);
    assert!(p.apply(8.0) < 1e-14);
}

#[test]
fn declared_parameters_must_match_the_placeholders() {
    let q = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(q.path().join("mine")).unwrap();
    let sidecar = |params: &str| {
        format!(
            "use_case = \"UC02\"\nobjective = \"marketing\"\nname = \"x\"\ndescription = \"x\"\ngrain = \"x\"\nrequires = []\nparameters = {params}\n[[kpis]]\nid = \"x.y\"\nname = \"x\"\nunit = \"count\"\nformula = \"x\"\n"
        )
    };
    std::fs::write(
        q.path().join("mine/x.sql"),
        "SELECT 1 WHERE {{ brand }} = 'a' AND {{ window_start }} < now()",
    )
    .unwrap();
    let load = || {
        let mut set = QuerySet::builtin().unwrap();
        set.add_dir(q.path()).map(|_| ()).map_err(|e| e.to_string())
    };
    std::fs::write(q.path().join("mine/x.toml"), sidecar("[\"brand\"]")).unwrap();
    let err = load().unwrap_err();
    assert!(
        err.contains("uses {{ window_start }}, which its sidecar's `parameters` does not declare"),
        "{err}"
    );
    std::fs::write(
        q.path().join("mine/x.toml"),
        sidecar("[\"brand\", \"window_start\", \"seed\"]"),
    )
    .unwrap();
    let err = load().unwrap_err();
    assert!(
        err.contains("declares parameter `seed` in its sidecar, but the SQL never uses {{ seed }}"),
        "{err}"
    );
    std::fs::write(
        q.path().join("mine/x.toml"),
        sidecar("[\"brand\", \"window_start\"]"),
    )
    .unwrap();
    load().expect("declared = used");
}

#[test]
fn every_kpi_has_a_display_name_of_its_own() {
    // Two KPIs with one name and different definitions (UC07's and UC08's "Social leads")
    // read as one figure on the page.
    let queries = misura::kpi::load::QuerySet::builtin().unwrap();
    let mut seen: std::collections::BTreeMap<&str, &str> = Default::default();
    for k in queries.kpis.iter().flat_map(|q| &q.meta.kpis) {
        if let Some(other) = seen.insert(&k.name, &k.id) {
            panic!("{} and {other} are both named {:?}", k.id, k.name);
        }
    }
}

#[tokio::test]
async fn the_page_says_how_uc04s_two_costs_and_two_returns_differ() {
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(&crate::util::sample_dir(), out.path(), None)
        .await
        .unwrap();
    let page = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    assert!(
        page.contains("Two costs: campaign cost is"),
        "UC04 costs reconciled"
    );
    assert!(
        page.contains("Two returns: return on ad spend is"),
        "UC04 returns reconciled"
    );
    assert!(
        page.contains("Leads from a social mention") && page.contains("Leads with source social")
    );
}

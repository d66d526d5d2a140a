//! The version catalog: embedded by default, replaced by a real `az aks get-versions` file with
//! `--catalog`; support judged as of the plan's date, `--as-of`, or today (said so).

use super::*;

fn plan(dir: &Path, as_of: Option<&str>, current: &str, target: &str) -> String {
    let as_of = as_of.map(|d| format!("  asOf: {d}\n")).unwrap_or_default();
    let text = format!(
        "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata: {{ name: c }}\nspec:\n{as_of}  target: {{ kubernetesVersion: \"{target}\" }}\n  clusters:\n    - name: aks\n      resourceGroup: rg\n      current:\n        kubernetesVersion: \"{current}\"\n        nodePools: [ {{ name: system, mode: System, orchestratorVersion: \"{current}\" }} ]\n"
    );
    let path = dir.join("plan.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn codes(args: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = run(&all);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    (output.status.code(), codes)
}

#[test]
fn a_real_get_versions_file_replaces_the_embedded_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let path = plan(dir.path(), Some("2024-07-25"), "1.29.5", "1.30");
    // Embedded (2026 snapshot): 1.30 is a GA minor.
    let (exit, embedded) = codes(&[&path]);
    assert_eq!(exit, Some(0), "{embedded:?}");
    assert!(!embedded.contains(&"AKS103".to_owned()), "{embedded:?}");
    // The July 2024 westus2 catalog offers 1.30 only as a preview.
    let (exit, recorded) = codes(&[
        &path,
        "--catalog",
        "fixtures/az/get-versions-westus2-2024-07.json",
    ]);
    assert_eq!(exit, Some(0), "a preview is a warning: {recorded:?}");
    assert!(recorded.contains(&"AKS103".to_owned()), "{recorded:?}");
}

#[test]
fn exact_patches_are_checked_against_the_catalog_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = plan(dir.path(), Some("2024-07-25"), "1.28.9", "1.29.5");
    let (exit, recorded) = codes(&[
        &path,
        "--catalog",
        "fixtures/az/get-versions-westus2-2024-07.json",
    ]);
    assert_eq!(exit, Some(0), "{recorded:?}");
    // The 2025-09 recording no longer offers 1.29.5 (only the LTS patches 1.29.14 and 1.29.15).
    let (exit, later) = codes(&[
        &path,
        "--catalog",
        "fixtures/az/get-versions-westus2-2025-09.json",
    ]);
    assert_eq!(exit, Some(1));
    assert!(later.contains(&"AKS102".to_owned()), "{later:?}");
}

#[test]
fn an_unusable_catalog_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = plan(dir.path(), Some("2026-12-01"), "1.35.2", "1.36");
    let (exit, found) = codes(&[&path, "--catalog", "fixtures/az/get-upgrades-1.27.7.json"]);
    assert_eq!(exit, Some(2));
    assert_eq!(found, vec!["AKS904".to_owned()]);
    let (exit, found) = codes(&[&path, "--catalog", "no/such/catalog.json"]);
    assert_eq!(exit, Some(2));
    assert_eq!(found, vec!["AKS901".to_owned()]);
}

#[test]
fn support_is_judged_as_of_the_plan_date_or_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    // 1.33 left community support at the end of July 2026. On 2026-05-15 the cluster's 1.32 is in
    // platform support (until 1.36 GA in June 2026): a warning, and control-plane-only hops are
    // still allowed (from 1.36 GA on, AKS125 would require full upgrades).
    let path = plan(dir.path(), Some("2026-05-15"), "1.32.6", "1.33");
    let (exit, found) = codes(&[&path]);
    assert_eq!(exit, Some(0), "{found:?}");
    let (exit, found) = codes(&[&path, "--as-of", "2026-12-01"]);
    assert_eq!(exit, Some(1));
    assert!(found.contains(&"AKS121".to_owned()), "{found:?}");
    assert!(!found.contains(&"AKS007".to_owned()));
}

#[test]
fn without_a_date_today_is_used_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let path = plan(dir.path(), None, "1.35.2", "1.36");
    let (_, found) = codes(&[&path]);
    assert!(found.contains(&"AKS007".to_owned()), "{found:?}");
}

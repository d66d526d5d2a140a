//! Real `az` output (recorded ARM responses printed by the real CLI, copied from
//! `shared/real-world/` into `fixtures/az/`) is read through `currentFrom`.

use super::*;

fn plan_for(show: &str, pools: Option<&str>) -> String {
    let from = match pools {
        Some(pools) => format!("{{ show: \"{show}\", nodePools: \"{pools}\" }}"),
        None => format!("\"{show}\""),
    };
    format!(
        "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata: {{ name: real }}\nspec:\n  asOf: 2023-07-01\n  target: {{ kubernetesVersion: \"1.33\" }}\n  clusters:\n    - name: NAME\n      resourceGroup: clitest000001\n      currentFrom: {from}\n"
    )
}

fn check_plan_text(dir: &Path, plan: &str) -> Output {
    let path = dir.join("plan.yaml");
    std::fs::write(&path, plan).unwrap();
    run(&["check", "--format", "json", path.to_str().unwrap()])
}

/// Findings about reading the plan and its files (`AKS0xx`), leaving out the upgrade rules'
/// verdict on these 2023–2024 clusters, which is not what these tests are about.
fn reading_findings(output: &Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("AKS0"))
        .cloned()
        .collect()
}

#[test]
fn every_az_show_file_is_read_through_current_from() {
    let az = root().join("fixtures/az");
    let mut shows: Vec<PathBuf> = std::fs::read_dir(&az)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("show-"))
        .collect();
    shows.sort();
    assert!(shows.len() >= 5, "{shows:?}");
    for show in shows {
        let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&show).unwrap()).unwrap();
        let name = value["name"].as_str().unwrap();
        let plan = plan_for(show.to_str().unwrap(), None).replace("NAME", name);
        let dir = tempfile::tempdir().unwrap();
        let output = check_plan_text(dir.path(), &plan);
        assert_eq!(
            reading_findings(&output),
            Vec::<serde_json::Value>::new(),
            "{}",
            show.display()
        );
    }
}

#[test]
fn nodepool_lists_replace_the_pools_of_show() {
    let az = root().join("fixtures/az");
    let show = az.join("show-linux-and-windows-pools.json");
    let pools = az.join("nodepool-list-linux-and-windows.json");
    let plan =
        plan_for(show.to_str().unwrap(), Some(pools.to_str().unwrap())).replace("NAME", "cliakstest000001");
    let dir = tempfile::tempdir().unwrap();
    let output = check_plan_text(dir.path(), &plan);
    assert_eq!(reading_findings(&output), Vec::<serde_json::Value>::new());
}

#[test]
fn every_nodepool_list_file_is_read() {
    let az = root().join("fixtures/az");
    for list in [
        "nodepool-list-linux-and-windows.json",
        "nodepool-list-lowercase-windows-paged.json",
        "nodepool-list-1.32-minor-only-paged.json",
    ] {
        let show = az.join("show-linux-and-windows-pools.json");
        let plan = plan_for(show.to_str().unwrap(), Some(az.join(list).to_str().unwrap()))
            .replace("NAME", "cliakstest000001");
        let dir = tempfile::tempdir().unwrap();
        let output = check_plan_text(dir.path(), &plan);
        // Pools differ from those of the show file: a warning (AKS032), never an error.
        for finding in reading_findings(&output) {
            assert_eq!(finding["code"], "AKS032", "{list}: {finding:#}");
            assert_eq!(finding["severity"], "warning");
        }
    }
}

#[test]
fn a_show_file_from_another_cluster_is_flagged() {
    let show = root().join("fixtures/az/show-linux-and-windows-pools.json");
    let plan = plan_for(show.to_str().unwrap(), None).replace("NAME", "aks-prod");
    let dir = tempfile::tempdir().unwrap();
    let output = check_plan_text(dir.path(), &plan);
    let findings = reading_findings(&output);
    assert_eq!(findings[0]["code"], "AKS032");
    assert_eq!(findings[0]["line"], 8);
}

#[test]
fn a_get_upgrades_file_is_not_taken_for_show_output() {
    let file = root().join("fixtures/az/get-upgrades-1.27.7.json");
    let plan = plan_for(file.to_str().unwrap(), None).replace("NAME", "cliakstest000001");
    let dir = tempfile::tempdir().unwrap();
    let output = check_plan_text(dir.path(), &plan);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["code"], "AKS031");
    assert!(
        report["findings"][0]["help"]
            .as_str()
            .unwrap()
            .contains("get-upgrades")
    );
}

#[test]
fn maintenance_configurations_are_read() {
    let az = root().join("fixtures/az");
    let show = az.join("show-linux-and-windows-pools.json");
    for list in [
        "maintenanceconfiguration-list-managed-schedules.json",
        "maintenanceconfiguration-show-absolutemonthly-notalloweddates.json",
        "maintenanceconfiguration-list-default.json",
    ] {
        let plan = format!(
            "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata: {{ name: real }}\nspec:\n  asOf: 2023-07-01\n  target: {{ kubernetesVersion: \"1.26\" }}\n  clusters:\n    - name: cliakstest000001\n      resourceGroup: clitest000001\n      currentFrom: {{ show: \"{}\", maintenanceConfigurations: \"{}\" }}\n",
            show.display(),
            az.join(list).display()
        );
        let dir = tempfile::tempdir().unwrap();
        let output = check_plan_text(dir.path(), &plan);
        // The legacy `default` configuration (`timeInWeek`) is reported as a note, nothing worse.
        let problems: Vec<serde_json::Value> = reading_findings(&output)
            .into_iter()
            .filter(|f| f["severity"] != "info")
            .collect();
        assert_eq!(problems, Vec::<serde_json::Value>::new(), "{list}");
    }
}

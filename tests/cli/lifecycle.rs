//! Lifecycle-true routes end to end (issue 14): a table over support plan × tier × start ×
//! target × date, each row checked and planned by the binary. A row names the route `plan` prints
//! (`1.31.10 → 1.35 → 1.36`; `-` for a rejected plan, which `plan` does not route) and the error
//! and warning codes `check` reports. The routes of rejected plans are in `skew::route_table`.

use super::*;

struct Row {
    plan: &'static str,
    tier: &'static str,
    current: &'static str,
    target: &'static str,
    as_of: &'static str,
    route: &'static str,
    codes: &'static [&'static str],
}

const ROWS: &[Row] = &[
    // Community start, one minor at a time, the latest community patch of each minor.
    Row {
        plan: "KubernetesOfficial",
        tier: "Standard",
        current: "1.30.2",
        target: "1.32",
        as_of: "2025-06-01",
        route: "1.30.2 → 1.31.10 → 1.32.6",
        codes: &[],
    },
    // Free tier: the same offer as Standard.
    Row {
        plan: "KubernetesOfficial",
        tier: "Free",
        current: "1.30.2",
        target: "1.31",
        as_of: "2025-06-01",
        route: "1.30.2 → 1.31.10",
        codes: &[],
    },
    // Out of support: the recovery upgrade (full, skipping minors) to the lowest community minor.
    Row {
        plan: "KubernetesOfficial",
        tier: "Standard",
        current: "1.31.10",
        target: "1.36",
        as_of: "2026-12-01",
        route: "1.31.10 → 1.35 → 1.36",
        codes: &["AKS120"],
    },
    // A target below the recovery minor: refused, with the minor to target instead.
    Row {
        plan: "KubernetesOfficial",
        tier: "Standard",
        current: "1.31.10",
        target: "1.33",
        as_of: "2026-12-01",
        route: "-",
        codes: &["AKS120", "AKS121", "AKS125"],
    },
    // The same cluster on LTS (Premium; 1.31's LTS ended the day before): the LTS-only minors
    // are its to step through.
    Row {
        plan: "AKSLongTermSupport",
        tier: "Premium",
        current: "1.31.10",
        target: "1.33",
        as_of: "2026-12-01",
        route: "1.31.10 → 1.32.6 → 1.33.2",
        codes: &["AKS120"],
    },
    // LTS without Premium: refused (AKS122), the route as LTS would take it.
    Row {
        plan: "AKSLongTermSupport",
        tier: "Standard",
        current: "1.31.10",
        target: "1.33",
        as_of: "2026-12-01",
        route: "-",
        codes: &["AKS120", "AKS122"],
    },
    // The 1.27/1.28 boundary and LTS patches from 100: an LTS cluster gets 1.28.101 ...
    Row {
        plan: "AKSLongTermSupport",
        tier: "Premium",
        current: "1.27.102",
        target: "1.28",
        as_of: "2024-07-25",
        route: "1.27.102 → 1.28.101",
        codes: &[],
    },
    // ... a community cluster naming it is refused ...
    Row {
        plan: "KubernetesOfficial",
        tier: "Standard",
        current: "1.27.14",
        target: "1.28.101",
        as_of: "2024-07-25",
        route: "-",
        codes: &["AKS126"],
    },
    // ... and one naming the minor gets no patch from this catalog: read live, with a warning.
    Row {
        plan: "KubernetesOfficial",
        tier: "Standard",
        current: "1.27.14",
        target: "1.28",
        as_of: "2024-07-25",
        route: "1.27.14 → 1.28",
        codes: &["AKS126"],
    },
    // An LTS-to-LTS jump the catalog lists.
    Row {
        plan: "AKSLongTermSupport",
        tier: "Premium",
        current: "1.27.102",
        target: "1.30.14",
        as_of: "2025-06-01",
        route: "1.27.102 → 1.30.14",
        codes: &[],
    },
    // A target not released on the plan's date.
    Row {
        plan: "KubernetesOfficial",
        tier: "Standard",
        current: "1.33.2",
        target: "1.35",
        as_of: "2025-12-01",
        route: "-",
        codes: &["AKS124"],
    },
    // Platform support (N-3) steps one minor at a time, control-plane-only allowed.
    Row {
        plan: "KubernetesOfficial",
        tier: "Standard",
        current: "1.34.6",
        target: "1.35",
        as_of: "2026-12-01",
        route: "1.34.6 → 1.35",
        codes: &["AKS120"],
    },
];

fn plan_yaml(row: &Row) -> String {
    format!(
        "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata:\n  name: lifecycle\nspec:\n  asOf: \"{}\"\n  target:\n    kubernetesVersion: \"{}\"\n  clusters:\n    - name: aks\n      resourceGroup: rg\n      current:\n        kubernetesVersion: \"{}\"\n        tier: {}\n        supportPlan: {}\n        nodePools:\n          - name: system\n            mode: System\n            orchestratorVersion: \"{}\"\n",
        row.as_of, row.target, row.current, row.tier, row.plan, row.current
    )
}

#[test]
fn routes_follow_the_support_plan_tier_and_date() {
    let dir = tempfile::tempdir().unwrap();
    for (n, row) in ROWS.iter().enumerate() {
        let path = dir.path().join(format!("row{n}.yaml"));
        std::fs::write(&path, plan_yaml(row)).unwrap();
        let path = path.to_string_lossy().into_owned();
        let what = format!(
            "{} {} {} -> {} on {}",
            row.plan, row.tier, row.current, row.target, row.as_of
        );

        let check = run(&["check", &path, "--format", "json"]);
        let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        let mut codes: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error" || f["severity"] == "warning")
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes, row.codes, "{what}");

        let plan = run(&["plan", &path]);
        let stdout = text(&plan.stdout);
        if row.route == "-" {
            assert_eq!(plan.status.code(), Some(1), "{what}: {stdout}");
            continue;
        }
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with("cluster `aks`:"))
            .unwrap_or_else(|| panic!("{what}: no route in\n{stdout}{}", text(&plan.stderr)));
        assert!(line.contains(&format!(": {} (", row.route)), "{what}: {line}");
    }
}

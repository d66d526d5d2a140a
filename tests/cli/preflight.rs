//! Live facts beyond the rules' own findings (issue 18): a pool no drain can finish on is
//! estimated at the drain timeout per batch, the review report shows the facts (and says what was
//! not saved), and policies see `drainBlocked`.

use super::*;

fn pool_estimates(plan: &str) -> Vec<(String, u64)> {
    let output = run(&["emit", plan, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            let id = s["id"].as_str().unwrap();
            id.contains("/pool/") && id.ends_with("/1.36")
        })
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["estimateMinutes"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_blocked_drain_waits_the_drain_timeout_in_every_batch() {
    // Same cluster: 3 system nodes (10% surge: 3 batches), 20 user nodes (33%: 3 batches of 7);
    // 10 minutes a node, 5 to drain, 30 when blocked (the AKS default timeout).
    let healthy = pool_estimates("fixtures/plans/rules/pass/AKS190-pdbs-allow-one-eviction.yaml");
    assert_eq!(
        healthy,
        [
            ("aks-prod/pool/system/1.36".to_owned(), 3 * (10 + 5)),
            ("aks-prod/pool/user/1.36".to_owned(), 3 * (10 + 5)),
        ]
    );
    // `poolSettings` sets only `undrainableNodeBehavior`: the pools keep their surge.
    let blocked = pool_estimates("fixtures/plans/rules/AKS190-cordon-warns.yaml");
    assert_eq!(
        blocked,
        [
            ("aks-prod/pool/system/1.36".to_owned(), 3 * (10 + 30)),
            ("aks-prod/pool/user/1.36".to_owned(), 3 * (10 + 30)),
        ]
    );
}

#[test]
fn the_review_shows_the_live_facts_and_what_was_not_saved() {
    let output = run(&[
        "emit",
        "fixtures/plans/rules/AKS190-cordon-warns.yaml",
        "--format",
        "markdown",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = text(&output.stdout);
    assert!(
        report.contains("| Pools no drain can finish on (a PodDisruptionBudget allows no eviction; see Live facts) | `aks-prod/system`, `aks-prod/user` |"),
        "{report}"
    );
    assert!(
        report.contains("| `aks-prod` | **blocked**: `system` by `data/db`; `user` by `shop/web`, `data/db` (estimates wait the drain timeout per batch) | none | not saved (`aksplan snapshot`) | not saved (`aksplan snapshot`) |"),
        "{report}"
    );
    let output = run(&[
        "emit",
        "fixtures/plans/rules/pass/AKS192-smaller-surge-fits.yaml",
        "--format",
        "markdown",
    ]);
    let report = text(&output.stdout);
    // One surge node of 31 addresses per wave fits the 51 free.
    assert!(
        report.contains("| `aks-prod` | not saved (`aksplan snapshot`) | not saved (`aksplan snapshot`) | aks-nodes: 31 / 51 | not saved (`aksplan snapshot`) |"),
        "{report}"
    );
}

#[test]
fn policies_see_which_pools_cannot_drain() {
    let output = run(&["input", "fixtures/plans/rules/AKS190-cordon-warns.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let input: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let pools = &input["clusters"]["aks-prod"]["pools"];
    assert_eq!(pools["user"]["drainBlocked"], true);
    assert_eq!(pools["system"]["drainBlocked"], true);
    let output = run(&[
        "input",
        "fixtures/plans/rules/pass/AKS190-pdbs-allow-one-eviction.yaml",
    ]);
    let input: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        input["clusters"]["aks-prod"]["pools"]["user"]["drainBlocked"],
        false
    );
    // Without saved workloads nothing is claimed either way.
    let output = run(&["input", "fixtures/plans/rules/pass/AKS192-subnet-has-room.yaml"]);
    let input: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        input["clusters"]["aks-prod"]["pools"]["user"]
            .get("drainBlocked")
            .is_none()
    );
}

/// A pool with a pod subnet takes 1 address per surge node from its node subnet and `maxPods`
/// from the pod subnet, in whole blocks of 16 with `StaticBlock`: 7 surge nodes × 32 = 224
/// addresses do not fit the 221 free, 7 × 30 = 210 do.
#[test]
fn pod_subnets_take_max_pods_and_static_blocks_round_up() {
    let dir = tempfile::tempdir().unwrap();
    let live = root().join("fixtures/live/aks-prod");
    let mut show: serde_json::Value =
        serde_json::from_slice(&std::fs::read(live.join("show.json")).unwrap()).unwrap();
    let pods_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/aks-pods";
    let mut subnet: serde_json::Value =
        serde_json::from_slice(&std::fs::read(live.join("subnet-aks-nodes.json")).unwrap()).unwrap();
    subnet["id"] = pods_id.into();
    subnet["name"] = "aks-pods".into();
    subnet["addressPrefix"] = "10.241.0.0/24".into();
    subnet["ipConfigurations"] = (0..30)
        .map(|i| serde_json::json!({ "id": format!("{pods_id}/ipConfigurations/{i}") }))
        .collect::<Vec<_>>()
        .into();
    std::fs::write(dir.path().join("pods.json"), subnet.to_string()).unwrap();
    let mut check = |mode: &str| {
        let user = &mut show["agentPoolProfiles"][1];
        user["podSubnetId"] = pods_id.into();
        user["podIpAllocationMode"] = mode.into();
        std::fs::write(dir.path().join("show.json"), show.to_string()).unwrap();
        std::fs::write(
            dir.path().join("plan.yaml"),
            format!(
                "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata: {{ name: pods }}\nspec:\n  asOf: \"2026-12-01\"\n  target: {{ kubernetesVersion: \"1.36\" }}\n  clusters:\n    - name: aks-prod\n      resourceGroup: rg-prod\n      currentFrom:\n        show: show.json\n        subnets: [pods.json, {nodes}]\n        vnetUsage: [{usage}]\n",
                nodes = live.join("subnet-aks-nodes.json").display(),
                usage = live.join("vnet-usage-full.json").display(),
            ),
        )
        .unwrap();
        let output = run(&[
            "check",
            "--format",
            "json",
            dir.path().join("plan.yaml").to_str().unwrap(),
        ]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "AKS192")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        check("StaticBlock"),
        [
            "pool `user` of cluster `aks-prod` needs 224 addresses in subnet `aks-pods` for its surge nodes (pool `user`: 7 nodes × 32 addresses), which has 221 free (251 usable, 30 in use)"
        ]
    );
    // The node subnet (51 free) holds the 7 node addresses either way.
    assert!(check("DynamicIndividual").is_empty());
}

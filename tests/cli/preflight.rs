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

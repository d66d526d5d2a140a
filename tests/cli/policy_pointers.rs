//! Every object of the input document a policy can report on carries the pointer of its plan
//! entry (clusters, pools, stages, change windows, waivers, steps), so a result with
//! `"path": x.pointer` lands on that entry's line.

use super::*;

const POLICY: &str = r#"package team.pointers

import rego.v1

warn_window contains {"msg": sprintf("window %d", [w.index]), "path": w.pointer} if some w in input.changeWindows

warn_waiver contains {"msg": sprintf("waiver %d", [w.index]), "path": w.pointer} if some w in input.waivers

warn_soak contains {"msg": id, "path": s.pointer} if {
	some id, s in input.steps
	s.type == "stageWait"
}

warn_cp contains {"msg": id, "path": s.pointer} if {
	some id, s in input.steps
	s.type == "controlPlaneUpgrade"
	s.cluster == "aks-dev-weu"
}
"#;

#[test]
fn results_on_windows_waivers_and_steps_land_on_their_plan_lines() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("pointers.rego");
    std::fs::write(&policy, POLICY).unwrap();
    let plan = "examples/fleet-three-stages.yaml";
    let output = run(&[
        "check",
        plan,
        "--policy",
        &policy.to_string_lossy(),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = std::fs::read_to_string(root().join(plan)).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    let found = |code: &str| -> Vec<(String, String, usize)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| {
                (
                    f["message"].as_str().unwrap().to_owned(),
                    f["pointer"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap() as usize,
                )
            })
            .collect()
    };
    let windows = found("team.pointers.warn_window");
    assert!(windows.len() >= 2, "{report:#}");
    for (message, pointer, line) in &windows {
        let index = message.trim_start_matches("window ");
        assert_eq!(pointer, &format!("/spec/changeWindows/{index}"));
        assert!(
            lines[line - 1].contains("name:") || lines[line - 1].contains("start:"),
            "{message}: line {line}"
        );
    }
    let waivers = found("team.pointers.warn_waiver");
    assert!(!waivers.is_empty(), "{report:#}");
    for (_, pointer, line) in &waivers {
        assert!(pointer.starts_with("/spec/waivers/"), "{pointer}");
        assert!(
            lines[line - 1].contains("rule:"),
            "line {line}: {}",
            lines[line - 1]
        );
    }
    let soaks = found("team.pointers.warn_soak");
    assert!(!soaks.is_empty(), "{report:#}");
    for (_, pointer, line) in &soaks {
        assert!(pointer.ends_with("/afterStageWait"), "{pointer}");
        assert!(lines[line - 1].contains("afterStageWait"), "line {line}");
    }
    let control_plane = found("team.pointers.warn_cp");
    assert!(!control_plane.is_empty(), "{report:#}");
    for (_, pointer, line) in &control_plane {
        assert_eq!(pointer, "/spec/clusters/0");
        assert!(
            lines[line - 1].contains("aks-dev-weu"),
            "line {line}: {}",
            lines[line - 1]
        );
    }
}

//! `aksplan init --from show.json` writes a plan that `aksplan check` accepts.

use super::*;

/// Each real `az aks show` file, with the date it was recorded (`shared/real-world/README.md`).
const SHOWS: &[(&str, &str)] = &[
    ("show-linux-and-windows-pools.json", "2023-06-29"),
    ("show-premium-lts-patch-channel.json", "2024-07-25"),
    ("show-securitypatch-minor-only-version.json", "2024-05-01"),
    ("show-stable-channel-nodeos-none.json", "2023-08-15"),
    ("show-upgrade-override-settings.json", "2023-09-15"),
];

#[test]
fn init_from_every_show_file_gives_a_valid_plan() {
    let listed = std::fs::read_dir(root().join("fixtures/az"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("show-")
        })
        .count();
    assert_eq!(listed, SHOWS.len(), "every show file has its recording date here");
    for (show, recorded) in SHOWS {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("plan.yaml");
        let from = root().join("fixtures/az").join(show);
        let output = run(&[
            "init",
            "--from",
            from.to_str().unwrap(),
            "--as-of",
            recorded,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{show}: {}", text(&output.stderr));
        let check = run(&[
            "check",
            "--format",
            "json",
            "--as-of",
            recorded,
            out.to_str().unwrap(),
        ]);
        let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        let plan_text = std::fs::read_to_string(&out).unwrap();
        // The skeleton is always a valid plan: no finding about the plan text itself (the note
        // that it has no change windows yet, AKS212, is the scheduler's, as in `plan`).
        for finding in report["findings"].as_array().unwrap() {
            let code = finding["code"].as_str().unwrap();
            assert!(
                code.starts_with("AKS1") || code == "AKS212",
                "{show}: {finding:#}\n{plan_text}"
            );
        }
        // A cluster the embedded catalog can judge gets an accepted plan; clusters from 2023 run
        // versions (1.25, 1.26) older than the catalog, and the rules say so.
        if *show == "show-premium-lts-patch-channel.json" {
            assert_eq!(check.status.code(), Some(0), "{show}: {report:#}\n{plan_text}");
        }
        // The cluster's own subscription and region, from the show output (issue 19); the
        // proposed target is one AKS offers the cluster on that date: no route finding about it.
        assert!(
            plan_text.contains("subscription: \"00000000-0000-0000-0000-000000000000\""),
            "{plan_text}"
        );
        assert!(plan_text.contains("location: "), "{plan_text}");
        assert!(
            plan_text.contains(&format!("asOf: \"{recorded}\"")),
            "{plan_text}"
        );
        // The catalog knows no minor before 1.27: only the clusters it can judge are held to it.
        let judged = *show == "show-premium-lts-patch-channel.json";
        for finding in report["findings"].as_array().unwrap().iter().filter(|_| judged) {
            let code = finding["code"].as_str().unwrap();
            assert!(
                !matches!(
                    code,
                    "AKS102" | "AKS104" | "AKS121" | "AKS124" | "AKS125" | "AKS126"
                ),
                "{show}: the proposed target is not offered: {finding:#}\n{plan_text}"
            );
        }
    }
}

#[test]
fn init_snapshot_with_nodepool_list() {
    let output = run(&[
        "init",
        "--from",
        "fixtures/az/show-linux-and-windows-pools.json",
        "--node-pools",
        "fixtures/az/nodepool-list-linux-and-windows.json",
        // The proposed target depends on the date: a fixed one keeps the snapshot from aging.
        "--as-of",
        "2026-12-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    insta::assert_snapshot!(text(&output.stdout));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.yaml");
    std::fs::write(&out, "keep me").unwrap();
    let output = run(&[
        "init",
        "--from",
        "fixtures/az/show-stable-channel-nodeos-none.json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("AKS903") && stderr.contains("exists already"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let output = run(&[
        "init",
        "--from",
        "fixtures/az/show-stable-channel-nodeos-none.json",
        "-o",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("# yaml-language-server")
    );
}

#[test]
fn init_from_a_non_show_file_is_rejected() {
    let output = run(&[
        "init",
        "--from",
        "fixtures/az/nodepool-list-linux-and-windows.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("AKS031"));
}

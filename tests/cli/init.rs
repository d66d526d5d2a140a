//! `aksplan init --from show.json` writes a plan that `aksplan check` accepts.

use super::*;

#[test]
fn init_from_every_show_file_gives_an_accepted_plan() {
    let az = root().join("fixtures/az");
    let mut shows: Vec<PathBuf> = std::fs::read_dir(&az)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("show-"))
        .collect();
    shows.sort();
    for show in shows {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("plan.yaml");
        let output = run(&[
            "init",
            "--from",
            show.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {}",
            show.display(),
            text(&output.stderr)
        );
        let check = run(&["check", out.to_str().unwrap()]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{}:\n{}\n{}",
            show.display(),
            std::fs::read_to_string(&out).unwrap(),
            text(&check.stderr)
        );
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

//! The compiled policy programs kept between runs (`AKSPLAN_CACHE_DIR`): the same verdict from
//! a cold and a warm cache, a new entry for any change to a policy, damaged entries ignored,
//! concurrent runs sharing one folder.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::*;

const PLAN: &str = "examples/single-cluster.yaml";

/// A team policy that denies every plan whose first cluster has the given name.
fn policy(name: &str) -> String {
    format!(
        "package team.names\nimport rego.v1\n\ndeny contains msg if {{\n\tsome c in input.clusters\n\tc.name == \"{name}\"\n\tmsg := sprintf(\"cluster %s is frozen\", [c.name])\n}}\n"
    )
}

fn check(cache: &Path, policies: &Path) -> Output {
    aksplan()
        .env("AKSPLAN_CACHE_DIR", cache)
        .args([
            "check", PLAN, "--color", "never", "--policy", "builtin", "--policy",
        ])
        .arg(policies)
        .timeout(HANG_GUARD)
        .output()
        .unwrap()
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    let Ok(items) = std::fs::read_dir(cache.join("policy-programs")) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = items.map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
}

fn cluster_name() -> String {
    let input = aksplan().args(["input", PLAN]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&input.stdout).unwrap();
    doc["clusters"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone()
}

#[test]
fn policy_cache_gives_the_same_verdict_cold_and_warm_and_follows_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let policies = dir.path().join("team.rego");
    std::fs::write(&policies, policy("no-such-cluster")).unwrap();

    let cold = check(&cache, &policies);
    assert_eq!(cold.status.code(), Some(0), "{}", text(&cold.stderr));
    assert_eq!(entries(&cache).len(), 1, "the compiled program is saved");
    let warm = check(&cache, &policies);
    assert_eq!(warm.status.code(), Some(0));
    assert_eq!(text(&cold.stderr), text(&warm.stderr));

    // An edit names another entry, and the edited policy is the one that judges.
    let name = cluster_name();
    std::fs::write(&policies, policy(&name)).unwrap();
    let edited = check(&cache, &policies);
    assert_eq!(edited.status.code(), Some(1), "{}", text(&edited.stderr));
    assert!(text(&edited.stderr).contains(&format!("cluster {name} is frozen")));
    assert_eq!(entries(&cache).len(), 2);

    // Damaged entries (cut short, or replaced by the other entry's bytes) cost a compilation,
    // never the verdict.
    let [first, second] = <[PathBuf; 2]>::try_from(entries(&cache)).unwrap();
    let other = std::fs::read(&first).unwrap();
    std::fs::write(&second, &other).unwrap();
    std::fs::write(&first, &other[..other.len() / 3]).unwrap();
    let again = check(&cache, &policies);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(text(&again.stderr), text(&edited.stderr));
    std::fs::write(&policies, policy("no-such-cluster")).unwrap();
    assert_eq!(check(&cache, &policies).status.code(), Some(0));
}

#[test]
fn policy_cache_is_shared_safely_by_concurrent_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let policies = dir.path().join("team.rego");
    std::fs::write(&policies, policy(&cluster_name())).unwrap();
    let runs: Vec<Output> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6).map(|_| scope.spawn(|| check(&cache, &policies))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        assert_eq!(text(&run.stderr), text(&runs[0].stderr));
    }
    // One entry, whole (no temporary file left behind), and usable by the next run.
    let saved = entries(&cache);
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(saved[0].extension().is_some_and(|x| x == "rvm"));
    assert_eq!(check(&cache, &policies).status.code(), Some(1));
}

#[test]
fn policy_cache_is_off_when_its_folder_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("team.rego");
    std::fs::write(&policies, policy("no-such-cluster")).unwrap();
    let out = aksplan()
        .current_dir(dir.path())
        .env("AKSPLAN_CACHE_DIR", "")
        .env("HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path().join("xdg"))
        .args(["check", &root().join(PLAN).to_string_lossy(), "--policy"])
        .arg(&policies)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!dir.path().join("xdg").exists());
    assert!(!dir.path().join(".cache").exists());
}

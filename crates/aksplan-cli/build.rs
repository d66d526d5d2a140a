//! Embeds the git commit and the embedded catalog's snapshot date into `--version`.

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=AKSPLAN_GIT_COMMIT={commit}");
    let catalog = std::fs::read_to_string("../aksplan-catalog/data/catalog.json").unwrap_or_default();
    let date = catalog
        .split("\"snapshotDate\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("unknown")
        .to_owned();
    println!("cargo:rustc-env=AKSPLAN_CATALOG_DATE={date}");
    println!("cargo:rerun-if-changed=../aksplan-catalog/data/catalog.json");
    println!("cargo:rerun-if-changed=../../.git/HEAD");
    println!("cargo:rerun-if-changed=../../.git/refs/heads");
}

//! `aksplan snapshot` and `init --from DIR` (issue 18), against a fake `az` and `kubectl` on PATH
//! (`tests/cli/fake_snapshot_tools.sh`) that serve recorded output from `fixtures/` (real `az`
//! JSON from `shared/real-world` where there is one) and log every command they receive. The
//! logged commands also go through the real Azure CLI parser.

use super::*;

/// A temporary folder with `bin/az` and `bin/kubectl` (unless `kubectl` is false) that run the
/// fake, and the fake's log.
struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new(kubectl: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let fake = root().join("tests/cli/fake_snapshot_tools.sh");
        let tools: &[&str] = if kubectl { &["az", "kubectl"] } else { &["az"] };
        for tool in tools {
            let path = bin.join(tool);
            std::fs::write(
                &path,
                format!(
                    "#!/bin/sh\nPATH=/usr/bin:/bin; export PATH\nFAKE_TOOL={tool} exec bash '{}' \"$@\"\n",
                    fake.display()
                ),
            )
            .unwrap();
            let chmod = std::process::Command::new("chmod")
                .arg("+x")
                .arg(&path)
                .status()
                .unwrap();
            assert!(chmod.success());
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `aksplan ARGS` in the temporary folder with only the fake tools on PATH (a real
    /// `az` or `kubectl` of the machine is never reached), failing commands that contain `fail`
    /// when given.
    fn run(&self, args: &[&str], fail: Option<(&str, &str)>) -> Output {
        let mut cmd = aksplan();
        cmd.current_dir(self.dir.path())
            .env("PATH", self.path("bin"))
            .env("FAKE_FIXTURES", root().join("fixtures"))
            .env("FAKE_LOG", self.path("log"))
            // Messages on one line, so that the tests can look for them whole.
            .env("COLUMNS", "1000")
            .args(args);
        if let Some((pattern, stderr)) = fail {
            cmd.env("FAKE_FAIL", pattern).env("FAKE_STDERR", stderr);
        }
        cmd.output().unwrap()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("log")).unwrap_or_default()
    }

    /// Every file under `dir`, relative, sorted; and any leftover partial folder beside it.
    fn tree(&self, dir: &str) -> Vec<String> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(base, &path, out);
                } else {
                    out.push(path.strip_prefix(base).unwrap().to_string_lossy().into_owned());
                }
            }
        }
        let mut out = Vec::new();
        let root = self.path(dir);
        if root.exists() {
            walk(&root, &root, &mut out);
        }
        out.sort();
        out
    }

    /// Names in the temporary folder other than `bin` and `log`: a failed snapshot leaves none.
    fn leftovers(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "bin" && n != "log")
            .collect();
        names.sort();
        names
    }
}

#[test]
fn snapshot_saves_what_current_from_reads_and_init_plans_from_it() {
    let fake = Fake::new(true);
    let output = fake.run(
        &[
            "snapshot",
            "-g",
            "rg-prod",
            "-n",
            "aks-prod",
            "--kube-context",
            "prod-admin",
            "-o",
            "state",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    insta::assert_snapshot!("snapshot_progress", text(&output.stderr));
    insta::assert_snapshot!("snapshot_files", fake.tree("state").join("\n"));
    let manifest = std::fs::read_to_string(fake.path("state/snapshot.json")).unwrap();
    insta::assert_snapshot!("snapshot_manifest", manifest);
    // What was saved is byte for byte what the commands printed.
    assert_eq!(
        std::fs::read(fake.path("state/aks-prod/show.json")).unwrap(),
        std::fs::read(root().join("fixtures/live/aks-prod/show.json")).unwrap()
    );
    assert_eq!(fake.leftovers(), ["state"]);

    // The plan reads the snapshot through `currentFrom`, relative to where it is written.
    std::fs::create_dir(fake.path("plans")).unwrap();
    let output = fake.run(
        &[
            "init",
            "--from",
            "state",
            "-o",
            "plans/upgrade.yaml",
            "--as-of",
            "2026-12-01",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let plan = std::fs::read_to_string(fake.path("plans/upgrade.yaml")).unwrap();
    insta::assert_snapshot!("snapshot_init_plan", plan);
    assert!(plan.contains("show: \"../state/aks-prod/show.json\""), "{plan}");

    // And the live facts reach the rules: the recorded cluster has PDBs that block drains, a
    // nearly full subnet and a tight family quota.
    let output = fake.run(&["check", "--format", "json", "plans/upgrade.yaml"], None);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["AKS190", "AKS192", "AKS193"].into_iter().collect(),
        "{report:#}"
    );
}

#[test]
fn the_commands_pass_the_azure_cli_parser() {
    if std::env::var_os("AKSPLAN_SKIP_AZ").is_some_and(|v| v == "1") {
        return;
    }
    let fake = Fake::new(true);
    let output = fake.run(
        &["snapshot", "-g", "rg-prod", "-n", "aks-prod", "-o", "state"],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let script = fake.path("commands.sh");
    let commands: String = fake
        .log()
        .lines()
        .filter(|l| l.starts_with("az "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(commands.lines().count(), 11, "{commands}");
    std::fs::write(&script, format!("#!/usr/bin/env bash\n{commands}")).unwrap();
    let tool = root().join("../shared/tools/az-syntax-check");
    let out = std::process::Command::new(&tool)
        .arg(&script)
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "cannot run {} ({err}); set AKSPLAN_SKIP_AZ=1 to skip",
                tool.display()
            )
        });
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.lines().last().unwrap_or_default() == "11 passed, 0 failed",
        "az-syntax-check:\n{stdout}\n{}",
        text(&out.stderr)
    );
}

/// A command that fails stops the snapshot: the error names it and why, and nothing is written.
#[test]
fn a_failing_command_is_named_and_nothing_is_written() {
    let cases = [
        (
            "az aks show",
            "ERROR: Please run 'az login' to setup account.",
            "`az aks show -g rg-prod -n aks-prod -o json` failed (exit code 1): not logged in",
            "run `az login`",
        ),
        (
            "network vnet subnet show",
            "ERROR: (AuthorizationFailed) The client 'ops@example.com' with object id '0000' does not have authorization to perform action 'Microsoft.Network/virtualNetworks/subnets/read'",
            "`az network vnet subnet show -g rg-net --vnet-name vnet-prod -n aks-nodes --subscription 00000000-0000-0000-0000-000000000000 -o json` failed (exit code 1): no permission",
            "Reader role",
        ),
        (
            "aks show",
            "ERROR: (ResourceNotFound) The Resource 'Microsoft.ContainerService/managedClusters/aks-prod' under resource group 'rg-prod' was not found.",
            "failed (exit code 1): not found",
            "check the resource group, the name and the subscription",
        ),
        (
            "kubectl",
            "error: context \"prod-admin\" does not exist",
            "`kubectl --context prod-admin get pdb,deploy,sts -A -o json` failed (exit code 1): not found",
            "kubectl config get-contexts",
        ),
    ];
    for (pattern, stderr, message, help) in cases {
        let fake = Fake::new(true);
        let output = fake.run(
            &[
                "snapshot",
                "-g",
                "rg-prod",
                "-n",
                "aks-prod",
                "--kube-context",
                "prod-admin",
                "-o",
                "state",
            ],
            Some((pattern, stderr)),
        );
        let err = text(&output.stderr)
            .replace('\n', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.contains("error[AKS906]") && err.contains(message),
            "{pattern}: {err}"
        );
        assert!(err.contains(help), "{pattern}: {err}");
        assert!(err.contains("nothing was written to `state`"), "{err}");
        assert!(fake.leftovers().is_empty(), "{pattern}: {:?}", fake.leftovers());
    }
    // Not installed: `kubectl` is not on PATH.
    let fake = Fake::new(false);
    let output = fake.run(
        &[
            "snapshot",
            "-g",
            "rg-prod",
            "-n",
            "aks-prod",
            "--kube-context",
            "prod-admin",
        ],
        None,
    );
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("`kubectl` is not installed or not on PATH"), "{err}");
    assert!(fake.leftovers().is_empty(), "{:?}", fake.leftovers());
}

#[test]
fn an_existing_folder_is_replaced_only_with_force() {
    let fake = Fake::new(true);
    std::fs::create_dir(fake.path("state")).unwrap();
    std::fs::write(fake.path("state/old.json"), "{}").unwrap();
    let args = ["snapshot", "-g", "rg-prod", "-n", "aks-prod", "-o", "state"];
    let output = fake.run(&args, None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("`state` exists already"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(fake.tree("state"), ["old.json"]);
    let output = fake.run(&[&args[..], &["--force", "-q"]].concat(), None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        output.stderr.is_empty(),
        "-q prints nothing: {}",
        text(&output.stderr)
    );
    let tree = fake.tree("state");
    assert!(
        !tree.contains(&"old.json".to_owned()) && tree.contains(&"snapshot.json".to_owned()),
        "{tree:?}"
    );
    assert_eq!(fake.leftovers(), ["state"]);
}

#[test]
fn a_plan_names_the_clusters_and_bad_names_stop_before_anything_runs() {
    let fake = Fake::new(true);
    std::fs::write(
        fake.path("plan.yaml"),
        "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata: { name: p }\nspec:\n  target: { kubernetesVersion: \"1.36\" }\n  clusters:\n    - name: aks-prod\n      resourceGroup: rg-prod\n      subscription: 00000000-0000-0000-0000-000000000000\n      currentFrom: state/aks-prod/show.json\n",
    )
    .unwrap();
    let output = fake.run(&["snapshot", "--plan", "plan.yaml", "-o", "state", "-q"], None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // The plan's subscription is used from the first command on.
    assert!(
        fake.log().starts_with(
            "az aks show -g rg-prod -n aks-prod --subscription 00000000-0000-0000-0000-000000000000 -o json\n"
        ),
        "{}",
        fake.log()
    );
    // The plan that named the folder now reads it.
    let output = fake.run(&["check", "plan.yaml", "--format", "json"], None);
    assert_ne!(output.status.code(), Some(2), "{}", text(&output.stderr));

    let fake = Fake::new(true);
    for (group, name) in [("rg", "../etc"), ("rg;rm -rf /", "aks")] {
        let output = fake.run(&["snapshot", "-g", group, "-n", name], None);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            text(&output.stderr).contains("error[AKS906]"),
            "{}",
            text(&output.stderr)
        );
    }
    assert!(fake.log().is_empty(), "nothing ran: {}", fake.log());
}

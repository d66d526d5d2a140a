//! The bad-input corpus (`fixtures/bad-inputs/`, `docs/reliability.md`): every malformed plan,
//! policy, `az` JSON, catalog and manifest, and the inputs only a running test can make (named
//! pipes, sockets, symbolic-link loops, sparse 100 MB files), run through the binary. For each:
//! the code `expected.toml` names (or acceptance, for `ok`), never a panic or a signal, no stack
//! trace, the file and a line:column named, and the run done in under 5 seconds. One snapshot per
//! kind lists what each input got, for review.

use std::path::PathBuf;

use serde_json::Value;

use super::*;

const CORPUS: &str = "fixtures/bad-inputs";

/// `expected.toml`, read with aksplan's own TOML loader.
fn manifest() -> Value {
    let path = root().join(CORPUS).join("expected.toml");
    let bytes = std::fs::read(&path).unwrap();
    aksplan_model::source::parse_document("expected.toml", bytes, aksplan_model::source::Format::Toml)
        .unwrap()
        .value
}

/// The expected code of a case (`plans/x.yaml`, `az/show/x.json`, `generated/plans/fifo.yaml`).
fn expected_code(manifest: &Value, name: &str) -> String {
    let (table, file) = match name.strip_prefix("generated/") {
        Some(rest) => (vec!["generated"], rest),
        None => {
            let (folder, file) = name.rsplit_once('/').unwrap();
            (folder.split('/').collect(), file)
        }
    };
    let mut value = manifest;
    for part in table {
        value = &value[part];
    }
    value[file]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not in {CORPUS}/expected.toml"))
        .to_owned()
}

/// One input and how to give it to aksplan.
struct Case {
    /// As in `expected.toml` and the snapshot.
    name: String,
    /// The path aksplan is given (and shows) for the bad input.
    subject: String,
    args: Vec<String>,
}

/// What `check` answered, as one line of the snapshot.
fn run_case(manifest: &Value, case: &Case) -> String {
    let expected = expected_code(manifest, &case.name);
    let unlocated = manifest["unlocated"][case.name.as_str()].as_str().is_some();
    let mut args = case.args.clone();
    // Both at once: the human diagnostics on stderr (what a user sees), the JSON on stdout.
    args.extend(["--format", "human", "--format", "json"].map(str::to_owned));
    let output = aksplan()
        .args(&args)
        .timeout(HANG_GUARD)
        .output()
        .unwrap_or_else(|err| panic!("{}: {err}", case.name));
    let name = &case.name;
    let stderr = text(&output.stderr);
    let exit = output.status.code().unwrap_or_else(|| {
        panic!("{name}: killed by a signal (or by the {HANG_GUARD:?} hang guard)\n{stderr}")
    });
    assert_ne!(exit, 101, "{name}: panicked\n{stderr}");
    for trace in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!stderr.contains(trace), "{name}: `{trace}` on stderr\n{stderr}");
    }
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{name}: no JSON report ({err})\n{stderr}"));
    let findings = report["findings"].as_array().unwrap();
    if expected == "ok" {
        assert_eq!(exit, 0, "{name}: expected to be accepted\n{stderr}");
        assert_eq!(report["summary"]["errors"], 0, "{name}\n{stderr}");
        return format!("{name}: ok");
    }
    // The exit-code contract: 0 when nothing is an error (a warning or a note was expected).
    let errors = report["summary"]["errors"].as_u64().unwrap_or(0);
    assert!(matches!(exit, 0..=2), "{name}: exit {exit}\n{stderr}");
    assert_eq!(
        exit == 0,
        errors == 0,
        "{name}: exit {exit} with {errors} errors\n{stderr}"
    );
    assert!(
        stderr.contains(&expected),
        "{name}: {expected} not shown\n{stderr}"
    );
    let finding = findings
        .iter()
        .find(|f| f["code"] == expected.as_str())
        .unwrap_or_else(|| panic!("{name}: expected {expected}, got {findings:#?}"));
    let file = finding["file"].as_str().unwrap_or_default();
    let message = finding["message"].as_str().unwrap_or_default();
    // Named as the place of the finding, or in its message (a file that has no lines, or an `az`
    // file placed on the plan line that names it).
    assert!(
        file == case.subject || message.contains(&case.subject),
        "{name}: the diagnostic does not name `{}`: {finding:#}",
        case.subject
    );
    let place = match (finding["line"].as_u64(), finding["column"].as_u64()) {
        (Some(line), Some(column)) => {
            assert!(
                !unlocated,
                "{name} has a location now: remove it from [unlocated]"
            );
            let shown = if file == case.subject {
                "the file".to_owned()
            } else {
                format!("`{}`", shorten(file))
            };
            assert!(
                stderr.contains(&format!(":{line}:{column}]")),
                "{name}: {line}:{column} not shown\n{stderr}"
            );
            format!(" at {line}:{column} of {shown}")
        }
        _ => {
            assert!(
                unlocated,
                "{name}: the diagnostic has no line and column: {finding:#}"
            );
            String::new()
        }
    };
    format!("{name}: exit {exit}, {expected}{place}")
}

/// A path for the snapshot: relative to the repository, a temporary folder shown as `<tmp>`.
fn shorten(path: &str) -> String {
    let root = format!("{}/", root().display());
    let path = path.strip_prefix(&root).unwrap_or(path);
    match path.find("/.tmp") {
        Some(_) => format!("<tmp>/{}", path.rsplit('/').next().unwrap_or(path)),
        None => path.to_owned(),
    }
}

/// The committed files of one kind (a folder of the corpus), in name order.
fn files(kind: &str) -> Vec<String> {
    let dir = root().join(CORPUS).join(kind);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| format!("{kind}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    names.sort();
    names
}

fn host_plan() -> String {
    format!("{CORPUS}/host/plan.yaml")
}

/// Runs every case of a kind and snapshots the summary.
fn check_all(snapshot: &str, cases: &[Case]) {
    let manifest = manifest();
    let lines: Vec<String> = cases.iter().map(|case| run_case(&manifest, case)).collect();
    insta::assert_snapshot!(snapshot, lines.join("\n"));
}

fn committed(kind: &str, args: impl Fn(&str) -> Vec<String>) -> Vec<Case> {
    files(kind)
        .into_iter()
        .map(|name| {
            let subject = format!("{CORPUS}/{name}");
            Case {
                args: args(&subject),
                subject,
                name,
            }
        })
        .collect()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

#[test]
fn corpus_plans() {
    check_all(
        "corpus_plans",
        &committed("plans", |file| strings(&["check", file])),
    );
}

fn policy_args(file: &str) -> Vec<String> {
    // A short time limit, so that a runaway policy is stopped well within the hang guard.
    strings(&["check", &host_plan(), "--policy", file, "--policy-timeout", "500"])
}

#[test]
fn corpus_policies() {
    check_all("corpus_policies", &committed("policies", policy_args));
}

#[test]
fn corpus_catalogs() {
    check_all(
        "corpus_catalogs",
        &committed("catalogs", |file| {
            strings(&["check", &host_plan(), "--catalog", file])
        }),
    );
}

#[test]
fn corpus_manifests() {
    check_all(
        "corpus_manifests",
        &committed("manifests", |file| {
            strings(&["check", &host_plan(), "--manifests", file])
        }),
    );
}

/// A plan whose cluster reads its current state from `file` (absolute) as `field`.
fn az_plan(dir: &Path, field: &str, file: &str) -> PathBuf {
    let plan = dir.join(format!("plan-{}.yaml", dir.read_dir().unwrap().count()));
    let text = if field == "show" {
        // The corpus's own cluster, so that a good file is accepted.
        format!(
            "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata:\n  name: corpus\nspec:\n  asOf: 2026-12-01\n  target:\n    kubernetesVersion: \"1.36\"\n  clusters:\n    - name: aks-corpus\n      resourceGroup: rg-corpus\n      currentFrom: {{ show: \"{file}\" }}\n"
        )
    } else {
        let show = root().join("examples/state/cliakstest000001.json");
        // `subnets` is a list of files; the others name one.
        let value = if field == "subnets" {
            format!("[\"{file}\"]")
        } else {
            format!("\"{file}\"")
        };
        format!(
            "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata:\n  name: corpus\nspec:\n  asOf: 2024-07-25\n  target:\n    kubernetesVersion: \"1.28\"\n  clusters:\n    - name: cliakstest000001\n      resourceGroup: clitest000001\n      currentFrom:\n        show: \"{}\"\n        {field}: {value}\n",
            show.display()
        )
    };
    std::fs::write(&plan, text).unwrap();
    plan
}

#[test]
fn corpus_az_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (kind, field) in [
        ("az/show", "show"),
        ("az/nodepools", "nodePools"),
        ("az/maintenance", "maintenanceConfigurations"),
        ("az/workloads", "workloads"),
        ("az/subnets", "subnets"),
        ("az/vm-usage", "vmUsage"),
        ("az/vm-skus", "vmSkus"),
    ] {
        for name in files(kind) {
            let subject = root().join(CORPUS).join(&name).display().to_string();
            let plan = az_plan(dir.path(), field, &subject);
            cases.push(Case {
                args: vec!["check".into(), plan.display().to_string()],
                subject,
                name,
            });
        }
    }
    check_all("corpus_az_json", &cases);
}

/// A named pipe: opening it for reading would wait for a writer that never comes.
#[cfg(unix)]
fn fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A Unix socket: a path that exists and cannot be read, even by root.
#[cfg(unix)]
fn socket(path: &Path) -> std::os::unix::net::UnixListener {
    std::os::unix::net::UnixListener::bind(path).unwrap()
}

/// A sparse file of 100 MB (10^8 bytes): instant to make, and refused from its size alone.
#[cfg(unix)]
fn sparse(path: &Path) {
    std::fs::File::create(path).unwrap().set_len(100_000_000).unwrap();
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// The inputs that cannot be committed: made in a temporary folder, then run like the others.
#[cfg(unix)]
#[test]
fn corpus_generated() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path();
    let path = |name: &str| tmp.join(name);
    let shown = |p: &Path| p.display().to_string();
    let mut cases = Vec::new();
    let mut case = |name: &str, subject: &Path, args: Vec<String>| {
        cases.push(Case {
            name: format!("generated/{name}"),
            subject: shown(subject),
            args,
        });
    };
    let check = |subject: &Path| strings(&["check", &shown(subject)]);

    // Plans.
    std::fs::create_dir(path("directory.yaml")).unwrap();
    case(
        "plans/directory.yaml",
        &path("directory.yaml"),
        check(&path("directory.yaml")),
    );
    fifo(&path("fifo.yaml"));
    case("plans/fifo.yaml", &path("fifo.yaml"), check(&path("fifo.yaml")));
    let _socket = socket(&path("socket.yaml"));
    case(
        "plans/socket.yaml",
        &path("socket.yaml"),
        check(&path("socket.yaml")),
    );
    symlink("no-such-plan.yaml", &path("dangling-symlink.yaml"));
    case(
        "plans/dangling-symlink.yaml",
        &path("dangling-symlink.yaml"),
        check(&path("dangling-symlink.yaml")),
    );
    symlink("loop-b.yaml", &path("symlink-loop.yaml"));
    symlink("symlink-loop.yaml", &path("loop-b.yaml"));
    case(
        "plans/symlink-loop.yaml",
        &path("symlink-loop.yaml"),
        check(&path("symlink-loop.yaml")),
    );
    sparse(&path("sparse-100mb.yaml"));
    case(
        "plans/sparse-100mb.yaml",
        &path("sparse-100mb.yaml"),
        check(&path("sparse-100mb.yaml")),
    );
    // Block mappings 1,000 deep (the committed flow and block-sequence cases fit on one line;
    // this one needs 500,000 spaces of indentation).
    let mut deep = String::from("apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata:\n  labels:\n");
    for level in 2..1_000 {
        deep.push_str(&" ".repeat(level));
        deep.push_str("a:\n");
    }
    std::fs::write(path("block-mapping-nesting-1000.yaml"), deep).unwrap();
    case(
        "plans/block-mapping-nesting-1000.yaml",
        &path("block-mapping-nesting-1000.yaml"),
        check(&path("block-mapping-nesting-1000.yaml")),
    );
    // A 4 MiB plan on one line with a syntax error at its end: the snippet must stay cheap.
    let filler: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\": \"v{i}\"")).collect();
    let line = format!(
        "{{\"apiVersion\": \"aksplan/v1\", \"kind\": \"UpgradePlan\", \"metadata\": {{\"labels\": {{{}}}}}, }}",
        filler.join(", ")
    );
    std::fs::write(path("one-line-4mib.json"), line.repeat(2)).unwrap();
    case(
        "plans/one-line-4mib.json",
        &path("one-line-4mib.json"),
        check(&path("one-line-4mib.json")),
    );

    // Policies.
    let loop_dir = path("policy-loop");
    std::fs::create_dir(&loop_dir).unwrap();
    std::fs::write(loop_dir.join("ok.rego"), "package ok\nimport rego.v1\n").unwrap();
    symlink(".", &loop_dir.join("again"));
    case(
        "policies/symlink-loop",
        &loop_dir.join("again"),
        policy_args(&shown(&loop_dir)),
    );
    let fifo_dir = path("policy-fifo");
    std::fs::create_dir(&fifo_dir).unwrap();
    fifo(&fifo_dir.join("pipe.rego"));
    case(
        "policies/fifo-in-folder",
        &fifo_dir.join("pipe.rego"),
        policy_args(&shown(&fifo_dir)),
    );
    let dangling_dir = path("policy-dangling");
    std::fs::create_dir(&dangling_dir).unwrap();
    symlink("gone.rego", &dangling_dir.join("link.rego"));
    case(
        "policies/dangling-symlink-in-folder",
        &dangling_dir.join("link.rego"),
        policy_args(&shown(&dangling_dir)),
    );
    sparse(&path("sparse-100mb.rego"));
    case(
        "policies/sparse-100mb.rego",
        &path("sparse-100mb.rego"),
        policy_args(&shown(&path("sparse-100mb.rego"))),
    );

    // Catalogs.
    let catalog = |subject: &Path| strings(&["check", &host_plan(), "--catalog", &shown(subject)]);
    std::fs::create_dir(path("directory.json")).unwrap();
    case(
        "catalogs/directory.json",
        &path("directory.json"),
        catalog(&path("directory.json")),
    );
    fifo(&path("fifo.json"));
    case(
        "catalogs/fifo.json",
        &path("fifo.json"),
        catalog(&path("fifo.json")),
    );
    sparse(&path("sparse-100mb.json"));
    case(
        "catalogs/sparse-100mb.json",
        &path("sparse-100mb.json"),
        catalog(&path("sparse-100mb.json")),
    );

    // Manifests.
    let manifests = |subject: &Path| strings(&["check", &host_plan(), "--manifests", &shown(subject)]);
    let manifest_loop = path("manifests-loop");
    std::fs::create_dir_all(manifest_loop.join("apps")).unwrap();
    symlink("..", &manifest_loop.join("apps/up"));
    case(
        "manifests/symlink-loop",
        &manifest_loop.join("apps/up"),
        manifests(&manifest_loop),
    );
    case(
        "manifests/fifo.yaml",
        &path("fifo.yaml"),
        manifests(&path("fifo.yaml")),
    );
    case(
        "manifests/sparse-100mb.yaml",
        &path("sparse-100mb.yaml"),
        manifests(&path("sparse-100mb.yaml")),
    );

    // `currentFrom` files.
    let plans = path("plans");
    std::fs::create_dir(&plans).unwrap();
    let az = |subject: &Path| {
        let plan = az_plan(&plans, "show", &shown(subject));
        strings(&["check", &shown(&plan)])
    };
    case(
        "az/show/directory.json",
        &path("directory.json"),
        az(&path("directory.json")),
    );
    case("az/show/fifo.json", &path("fifo.json"), az(&path("fifo.json")));
    symlink("loop-d.json", &path("symlink-loop.json"));
    symlink("symlink-loop.json", &path("loop-d.json"));
    case(
        "az/show/symlink-loop.json",
        &path("symlink-loop.json"),
        az(&path("symlink-loop.json")),
    );
    case(
        "az/show/sparse-100mb.json",
        &path("sparse-100mb.json"),
        az(&path("sparse-100mb.json")),
    );

    // Every [generated] entry is made here, and nothing else.
    let manifest = manifest();
    let mut listed: Vec<String> = manifest["generated"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| format!("generated/{k}"))
        .collect();
    let mut made: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
    listed.sort();
    made.sort();
    assert_eq!(
        made, listed,
        "[generated] in expected.toml and the cases made here differ"
    );
    check_all("corpus_generated", &cases);
}

/// Every committed file is in `expected.toml`, and every entry there exists.
#[test]
fn corpus_manifest_lists_every_file() {
    let manifest = manifest();
    let kinds = [
        "plans",
        "policies",
        "catalogs",
        "manifests",
        "az/show",
        "az/nodepools",
        "az/maintenance",
        "az/workloads",
        "az/subnets",
        "az/vm-usage",
        "az/vm-skus",
    ];
    let mut on_disk: Vec<String> = kinds.iter().flat_map(|kind| files(kind)).collect();
    let mut listed = Vec::new();
    for kind in kinds {
        let mut table = &manifest;
        for part in kind.split('/') {
            table = &table[part];
        }
        for (file, code) in table.as_object().unwrap_or_else(|| panic!("[{kind}] missing")) {
            let code = code.as_str().unwrap();
            assert!(
                code == "ok" || (code.starts_with("AKS") && code.len() == 6),
                "{kind}/{file}: `{code}` is not a code"
            );
            listed.push(format!("{kind}/{file}"));
        }
    }
    for name in manifest["unlocated"].as_object().unwrap().keys() {
        let known = listed.contains(name)
            || name
                .strip_prefix("generated/")
                .is_some_and(|n| manifest["generated"].get(n).is_some());
        assert!(known, "[unlocated] names `{name}`, which is no case");
    }
    on_disk.sort();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "files in {CORPUS} and entries in expected.toml differ"
    );
    assert!(
        on_disk.len() >= 100,
        "only {} committed bad inputs",
        on_disk.len()
    );
}

/// A file that cannot be read for lack of permission. As root (CI) every file is readable, and
/// the sockets, pipes and links of `corpus_generated` are the unreadable inputs; elsewhere this
/// adds the `chmod 000` case.
#[cfg(unix)]
#[test]
fn corpus_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("secret.yaml");
    std::fs::copy(root().join(host_plan()), &plan).unwrap();
    std::fs::set_permissions(&plan, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&plan).is_ok() {
        return;
    }
    let output = run(&["check", plan.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("AKS901") && stderr.contains("ermission denied"),
        "{stderr}"
    );
}

/// The limit comes from the file's size, before a byte is read: a sparse 16 GiB plan is refused
/// at once (reading it would take minutes and all the memory).
#[cfg(unix)]
#[test]
fn corpus_input_limit_is_checked_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("huge.yaml");
    std::fs::File::create(&plan).unwrap().set_len(16 << 30).unwrap();
    // Reading 16 GiB would take minutes and all the memory; the refusal names the size it saw
    // in the file's metadata, which it could only know without reading.
    let output = aksplan()
        .args(["check", plan.to_str().unwrap()])
        .timeout(HANG_GUARD)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("AKS002") && stderr.contains("16 GiB") && stderr.contains("16384MiB"),
        "{stderr}"
    );
}

/// `--max-input-size`, `AKSPLAN_MAX_INPUT_SIZE` and `max-input-size` in aksplan.toml raise (or
/// lower) the limit; a 20 MiB plan is refused by default and accepted at 32 MiB.
#[test]
fn corpus_input_limit_can_be_raised() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("big.yaml");
    let padding = "# padding padding padding padding padding padding padding padding padding padding\n";
    let mut content = std::fs::read_to_string(root().join(host_plan())).unwrap();
    content.push_str(&padding.repeat(20 * 1024 * 1024 / padding.len()));
    std::fs::write(&plan, content).unwrap();
    let plan = plan.to_str().unwrap();

    let refused = run(&["check", plan]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("AKS002") && stderr.contains("16 MiB") && stderr.contains("--max-input-size"),
        "{stderr}"
    );
    let by_flag = run(&["check", plan, "--max-input-size", "32MiB"]);
    assert_eq!(by_flag.status.code(), Some(0), "{}", text(&by_flag.stderr));
    let by_env = aksplan()
        .args(["check", plan])
        .env("AKSPLAN_MAX_INPUT_SIZE", "33554432")
        .output()
        .unwrap();
    assert_eq!(by_env.status.code(), Some(0), "{}", text(&by_env.stderr));

    // aksplan.toml, found from the current folder; the flag wins over it.
    std::fs::write(dir.path().join("aksplan.toml"), "max-input-size = \"32MiB\"\n").unwrap();
    let in_dir = |args: &[&str]| aksplan().current_dir(dir.path()).args(args).output().unwrap();
    assert_eq!(in_dir(&["check", plan]).status.code(), Some(0));
    let config = text(&in_dir(&["config"]).stdout);
    assert!(
        config.contains("max-input-size 32 MiB") && config.contains("aksplan.toml"),
        "{config}"
    );
    let lowered = in_dir(&["check", plan, "--max-input-size", "1MiB"]);
    assert_eq!(lowered.status.code(), Some(1));

    // Nonsense is a usage error.
    assert_eq!(
        run(&["check", plan, "--max-input-size", "lots"]).status.code(),
        Some(2)
    );
    std::fs::write(dir.path().join("aksplan.toml"), "max-input-size = \"a lot\"\n").unwrap();
    let bad = in_dir(&["check", plan]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("AKS905"), "{}", text(&bad.stderr));
}

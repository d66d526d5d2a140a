//! The invariants of docs/architecture.md that a test can check: the layering of the crates, the
//! crates that alone may name regorus and petgraph or print, and the one code registry (every
//! code documented and exercised by a fixture or a test, no code spelled out anywhere else).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::root;

/// The layers, lowest first: a crate may depend only on crates of a lower layer.
const LAYERS: &[(&str, u8)] = &[
    ("aksplan-model", 0),
    ("aksplan-catalog", 1),
    ("aksplan-rules", 2),
    ("aksplan-graph", 3),
    ("aksplan-policy", 4),
    ("aksplan-report", 5),
    ("aksplan-emit", 5),
    ("aksplan-pipeline", 5),
    ("aksplan-cli", 6),
];

fn layer(name: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(crate_name, _)| *crate_name == name)
        .map(|(_, layer)| *layer)
}

/// Every crate folder under `crates/`, by name.
fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            e.path()
                .join("Cargo.toml")
                .is_file()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// The names of a crate's normal dependencies (not dev, not build).
fn dependencies(krate: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let mut names: Vec<String> = Vec::new();
    let mut add = |table: Option<&toml::Value>| {
        if let Some(table) = table.and_then(toml::Value::as_table) {
            names.extend(table.keys().cloned());
        }
    };
    add(manifest.get("dependencies"));
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values() {
            add(target.get("dependencies"));
        }
    }
    names
}

/// Every file under `dir`, recursively, sorted; insta's `snapshots` folders left out (they show
/// what was reported, not what is tested).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("snapshots") {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect()
}

/// The code of a source file before its unit tests, comments dropped (line comments only: the
/// code base has no block comments).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_crate_has_a_layer_and_depends_only_downwards() {
    let mut upward = Vec::new();
    for krate in crates() {
        let own =
            layer(&krate).unwrap_or_else(|| panic!("{krate}: add it to LAYERS and to crates/README.md"));
        for dependency in dependencies(&krate) {
            if let Some(theirs) = layer(&dependency)
                && theirs >= own
            {
                upward.push(format!("{krate} -> {dependency}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "dependencies that do not point down: {upward:#?}"
    );
}

#[test]
fn crates_readme_describes_every_crate_and_its_real_dependencies() {
    let readme = std::fs::read_to_string(root().join("crates/README.md")).unwrap();
    for krate in crates() {
        assert!(
            readme.contains(&format!("## {krate}\n")),
            "crates/README.md: no section for {krate}"
        );
    }
}

#[test]
fn only_the_policy_crate_names_regorus_and_only_the_graph_names_petgraph() {
    for krate in crates() {
        let deps = dependencies(&krate);
        let sources: String = rust_files(&root().join("crates").join(&krate).join("src"))
            .iter()
            .map(|path| code_of(path))
            .collect();
        for (library, owner) in [("regorus", "aksplan-policy"), ("petgraph", "aksplan-graph")] {
            if krate != owner {
                assert!(!deps.iter().any(|d| d == library), "{krate} depends on {library}");
                assert!(
                    !sources.contains(&format!("{library}::")),
                    "{krate} names {library}"
                );
            }
        }
    }
}

#[test]
fn only_the_cli_prints() {
    let mut printing = Vec::new();
    for krate in crates().into_iter().filter(|k| k != "aksplan-cli") {
        for path in rust_files(&root().join("crates").join(&krate).join("src")) {
            let code = code_of(&path);
            for macro_name in ["println!", "eprintln!", "print!", "eprint!", "dbg!"] {
                if code.contains(macro_name) {
                    printing.push(format!("{}: {macro_name}", path.display()));
                }
            }
        }
    }
    assert!(printing.is_empty(), "library crates print: {printing:#?}");
}

/// Where codes may be declared: the model's list and the rules' own files.
fn declares_codes(path: &Path) -> bool {
    let path = path.to_string_lossy().replace('\\', "/");
    path.ends_with("crates/aksplan-model/src/codes.rs") || path.contains("crates/aksplan-rules/src/rules/")
}

#[test]
fn codes_are_declared_in_the_registry_and_named_by_constant_elsewhere() {
    let all = aksplan_rules::registry::all_codes();
    let mut spelled = Vec::new();
    for krate in crates() {
        for path in rust_files(&root().join("crates").join(&krate).join("src")) {
            if declares_codes(&path) {
                continue;
            }
            let code = code_of(&path);
            for known in &all {
                if code.contains(&format!("\"{}\"", known.id())) {
                    spelled.push(format!("{}: {}", path.display(), known.id()));
                }
            }
            // A team's Rego policies bring codes of their own at run time; aksplan's are all known.
            if code.contains("id: \"AKS") {
                spelled.push(format!("{}: declares a code", path.display()));
            }
        }
    }
    assert!(
        spelled.is_empty(),
        "codes spelled out or declared outside the registry: {spelled:#?}"
    );
}

#[test]
fn every_code_is_documented_and_exercised() {
    // Every fixture and test source, once: a code must appear in one of them.
    let mut haystack = String::new();
    let mut dirs = vec![root().join("fixtures"), root().join("tests")];
    dirs.extend(
        crates()
            .into_iter()
            .map(|krate| root().join("crates").join(krate).join("tests")),
    );
    for path in dirs.iter().flat_map(|dir| files_under(dir)) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            haystack.push_str(&path.to_string_lossy());
            haystack.push('\n');
            haystack.push_str(&text);
        }
    }
    let mut by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for code in aksplan_rules::registry::all_codes() {
        let mut problems = Vec::new();
        for section in ["## What it checks", "## Why", "## Example"] {
            if !code.docs().contains(section) {
                problems.push("docs lack a section");
            }
        }
        if code.title().is_empty() {
            problems.push("no title");
        }
        if !haystack.contains(code.id()) {
            problems.push("no fixture or test names it");
        }
        if !problems.is_empty() {
            by_id.insert(code.id(), problems);
        }
    }
    assert!(by_id.is_empty(), "{by_id:#?}");
}

/// Timing belongs to benchmarks: no test asserts that something took less than a bound, and the
/// hang guards are at least a minute (CI machines are loaded; a 5 s bound once failed there).
#[test]
fn tests_assert_results_not_wall_clock_time() {
    let mut dirs = vec![root().join("tests")];
    for krate in crates() {
        dirs.push(root().join("crates").join(&krate).join("tests"));
        dirs.push(root().join("crates").join(&krate).join("src"));
    }
    let mut found = Vec::new();
    for dir in dirs {
        for path in rust_files(&dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            // Only test code: a whole test file, or what follows `#[cfg(test)]` in a source file.
            let test_code = if path.components().any(|c| c.as_os_str() == "tests") {
                text.as_str()
            } else {
                text.split_once("#[cfg(test)]").map_or("", |(_, tests)| tests)
            };
            if path.ends_with("architecture.rs") {
                continue;
            }
            for (n, line) in test_code.lines().enumerate() {
                if line.contains("elapsed() <") || line.contains("elapsed <") {
                    found.push(format!("{}: `{}`", path.display(), line.trim()));
                }
                for unit in ["from_secs(", "from_millis("] {
                    if let Some(rest) = line.split(unit).nth(1)
                        && let Some(number) = rest.split(')').next().and_then(|n| n.parse::<u64>().ok())
                        && (unit == "from_millis(" || number < 60)
                        && (line.contains("timeout") || line.contains("LIMIT") || line.contains("GUARD"))
                    {
                        found.push(format!(
                            "{}:{}: a guard under 60 s: `{}`",
                            path.display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

//! The CI snippets of `docs/ci.md` work: every YAML block parses, and every `aksplan` command in
//! it runs against an example plan with the exit code and the files it promises.

use super::*;

fn blocks(doc: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    doc.split(&fence)
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_yaml_snippet_parses() {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let yaml = blocks(&doc, "yaml");
    assert!(yaml.len() >= 3);
    for block in yaml {
        aksplan_model::source::parse_document(
            "snippet.yaml",
            block.as_bytes(),
            aksplan_model::source::Format::Yaml,
        )
        .unwrap_or_else(|f| panic!("{}\n{block}", f.message));
    }
    for block in blocks(&doc, "toml") {
        aksplan_model::source::parse_document(
            "snippet.toml",
            block.as_bytes(),
            aksplan_model::source::Format::Toml,
        )
        .unwrap_or_else(|f| panic!("{}\n{block}", f.message));
    }
}

#[test]
fn every_aksplan_command_runs_against_an_example() {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let code: String = blocks(&doc, "yaml").join("\n");
    let mut commands: Vec<String> = code
        .lines()
        .map(|line| {
            line.trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ")
                .trim_start_matches("script: ")
        })
        .map(|line| line.trim_start_matches("entry: "))
        .filter(|line| line.starts_with("aksplan "))
        .map(str::to_owned)
        .collect();
    commands.dedup();
    assert!(commands.len() >= 3, "{commands:?}");
    // Two plans, as a repository has them: the shell expands `plans/*.yaml` to both.
    let plans = ["plans/fleet.yaml", "plans/shop.yaml"];
    for command in commands {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("plans")).unwrap();
        std::fs::copy(
            root().join("examples/single-cluster.yaml"),
            dir.path().join("plans/shop.yaml"),
        )
        .unwrap();
        std::fs::copy(
            root().join("examples/fleet-three-stages.yaml"),
            dir.path().join("plans/fleet.yaml"),
        )
        .unwrap();
        let mut words: Vec<String> = Vec::new();
        for word in command.split_whitespace().skip(1) {
            // The shell's work: the glob, the pipeline variable, the single quotes.
            let word = word
                .replace("$(Build.ArtifactStagingDirectory)", ".")
                .trim_matches('\'')
                .to_owned();
            if word == "plans/*.yaml" {
                words.extend(plans.iter().map(|p| (*p).to_owned()));
            } else {
                words.push(word);
            }
        }
        if words.len() == 1 {
            // pre-commit appends the changed files to `entry`.
            words.extend(plans.iter().map(|p| (*p).to_owned()));
        }
        let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_aksplan"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(&words)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{command}: {}",
            text(&output.stderr)
        );
        for (idx, word) in words.iter().enumerate() {
            let written = match word.split_once('=') {
                Some((_, file)) => Some(file.to_owned()),
                None if word == "-o" => words.get(idx + 1).cloned(),
                None => None,
            };
            if let Some(file) = written {
                // `{plan}`: one file per plan.
                let files: Vec<String> = if file.contains("{plan}") {
                    ["fleet", "shop"]
                        .iter()
                        .map(|p| file.replace("{plan}", p))
                        .collect()
                } else {
                    vec![file]
                };
                for file in files {
                    assert!(
                        dir.path().join(&file).is_file(),
                        "{command}: `{file}` not written"
                    );
                }
            }
        }
    }
}

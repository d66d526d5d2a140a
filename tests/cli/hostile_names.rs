//! Hostile names (issue 9, part 3).
//!
//! - Every plan under `fixtures/plans/hostile-names/` puts one hostile value (`$(rm -rf ~)`,
//!   backquotes, `;`, quotes, a newline, look-alike letters, invisible characters, 10,000
//!   characters) into a cluster name, a resource group, a subscription and a pool name. The naming
//!   rules reject each one at its line and column (the snapshot), and no script is emitted.
//! - A property: every value the naming rules accept (generated from the rules' own grammar, and
//!   random strings filtered through the rules' own validator, `aksplan_rules::rules::names::problems`)
//!   reaches `az` as exactly one argument, unchanged, when bash runs the emitted script with a
//!   recording fake `az` on `PATH`. Stage names, free text the rules accept when they hold no
//!   control or invisible character, reach the approval prompt unchanged, and the metadata the
//!   header comments carry is written as it is.

use std::collections::BTreeMap;

use aksplan_model::plan::OsType;
use aksplan_rules::rules::names::{Field, problems};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use super::*;

/// The naming codes, and the one Azure rule that must reject each field.
const NAMING: &[&str] = &["AKS180", "AKS181", "AKS182", "AKS183", "AKS184"];
const FIELDS: &[(&str, &[&str])] = &[
    ("/spec/clusters/0/name", &["AKS181"]),
    ("/spec/clusters/0/resourceGroup", &["AKS180"]),
    // A subscription name may hold ASCII punctuation, so `$(...)` is AKS183's; look-alikes,
    // invisible characters and length are AKS184's.
    ("/spec/clusters/0/subscription", &["AKS183", "AKS184"]),
    ("/spec/clusters/0/current/nodePools/0/name", &["AKS182"]),
];

#[test]
fn hostile_names_are_rejected_at_their_spot() {
    let mut count = 0;
    insta::glob!("../../fixtures/plans/hostile-names", "*.yaml", |path| {
        count += 1;
        let name = relative(path);
        let output = run(&["check", "--format", "json", &name]);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", text(&output.stderr));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let findings = report["findings"].as_array().unwrap();
        let mut spots = Vec::new();
        for finding in findings {
            let code = finding["code"].as_str().unwrap();
            let pointer = finding["pointer"].as_str().unwrap_or("");
            spots.push(format!(
                "{code} {}:{} {pointer}",
                finding["line"], finding["column"]
            ));
        }
        for (pointer, codes) in FIELDS {
            let at: Vec<&str> = findings
                .iter()
                .filter(|f| f["pointer"] == *pointer)
                .filter_map(|f| f["code"].as_str())
                .collect();
            assert!(
                at.iter().any(|c| codes.contains(c)),
                "{name}: {pointer} is not rejected by {codes:?}: {spots:#?}"
            );
            assert!(at.iter().all(|c| NAMING.contains(c)), "{name}: {spots:#?}");
        }
        insta::assert_snapshot!(spots.join("\n"));

        // Nothing is emitted for such a plan.
        let emitted = run(&["emit", &name, "--format", "az"]);
        assert_eq!(emitted.status.code(), Some(1), "{name}");
        assert!(emitted.stdout.is_empty(), "{name}");
    });
    assert_eq!(count, 12);
}

/// The human report never hands a terminal a control character from the plan: escape sequences
/// in messages are escaped (`\u{1b}`), in source snippets replaced by `?` (same length, so the
/// underlines stay right); bidirectional overrides likewise.
#[test]
fn human_reports_never_carry_terminal_controls() {
    let dir = root().join("fixtures/plans/hostile-names");
    let mut plans: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    plans.sort();
    // And a raw escape sequence in the file itself (YAML refuses it; the snippet shows it).
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw-escape.yaml");
    std::fs::write(
        &raw,
        "apiVersion: aksplan/v1 # \x1b[2J\x1b]0;pwned\x07\nkind: UpgradePlan\n",
    )
    .unwrap();
    plans.push(raw.clone());
    for path in plans {
        let name = path.to_string_lossy().into_owned();
        let output = run(&["check", "--color", "never", &name]);
        let stderr = text(&output.stderr);
        let bad: Vec<char> = stderr
            .chars()
            .filter(|c| {
                (c.is_control() && *c != '\n')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .collect();
        assert!(bad.is_empty(), "{name}: {bad:?} in\n{stderr}");
        if name.contains("terminal-escape") {
            assert!(
                stderr.contains("aks-\\u{1b}[2J\\u{1b}]0;pwned\\u{7}prod"),
                "{stderr}"
            );
        }
        if path == raw {
            assert!(stderr.contains("AKS001"), "{stderr}");
            assert!(stderr.contains("# ?[2J?]0;pwned?"), "{stderr}");
        }
    }
}

/// A fake `az` that records every call's argv (fields `\x1f`, records `\x1e`) and keeps the
/// cluster's state in `$AZ_STATE`: an upgrade sets the version a later query reads back, so every
/// step of the script really runs (none is skipped as done) and every wait passes.
const STATEFUL_AZ: &str = r#"#!/usr/bin/env bash
for a in "$@"; do printf '%s\037' "$a" >>"$AZ_LOG"; done
printf '\036' >>"$AZ_LOG"
full() { if [[ $1 == *.*.* ]]; then printf '%s' "$1"; else printf '%s.4' "$1"; fi; }
args=("$@")
n='' k='' q=''
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    -n | --nodepool-name) n=${args[i + 1]} ;;
    -k) k=${args[i + 1]} ;;
    --query) q=${args[i + 1]} ;;
  esac
done
pool=''
if [[ $q =~ name==\'([^\']*)\' ]]; then pool=${BASH_REMATCH[1]}; fi
case "$1 $2 $3" in
  "account show "*) echo sub ;;
  "aks show "*)
    case $q in
      currentKubernetesVersion) cat "$AZ_STATE/cp" ;;
      provisioningState) echo Succeeded ;;
    esac
    ;;
  "aks upgrade "*) full "$k" >"$AZ_STATE/cp" ;;
  # Every minor's patches 4 and 100 (an LTS patch): the script picks 4 (not on LTS).
  "aks get-upgrades "* | "aks nodepool get-upgrades")
    for m in $(seq 20 45); do printf '1.%s.4\t1.%s.100\t' "$m" "$m"; done
    echo
    ;;
  "aks nodepool list")
    case $q in
      *currentOrchestratorVersion*) cat "$AZ_STATE/pool-$pool" 2>/dev/null || true ;;
      *provisioningState*) echo Succeeded ;;
    esac
    ;;
  "aks nodepool upgrade") full "$k" >"$AZ_STATE/pool-$n" ;;
esac
exit 0
"#;

/// What the property puts into a plan.
#[derive(Debug, Clone)]
struct Values {
    cluster: String,
    group: String,
    subscription: String,
    pools: [String; 2],
    stage: String,
    name: String,
    change: String,
    owner: String,
}

/// A strategy for the values the naming rules accept as `field`: strings of the rules' grammar
/// (as their docs state it), and random strings over the field's own characters mixed with
/// hostile ones and any character at all, kept only when the rules' validator lets them through.
/// The property checks every value against the validator again.
fn accepted(
    field: Field,
    grammar: &str,
    valid: &str,
    len: std::ops::RangeInclusive<usize>,
) -> BoxedStrategy<String> {
    let from_grammar = proptest::string::string_regex(grammar).unwrap();
    let valid: Vec<char> = valid.chars().collect();
    // Shell syntax, the punctuation some names allow, look-alikes and invisible characters.
    let hostile: Vec<char> = "#~!%+,/:=@^.()$`'\";&|<> \n\t\\*?[]{}\u{430}\u{ff41}\u{200b}\u{202e}\u{e0019}"
        .chars()
        .collect();
    let filtered = proptest::collection::vec(
        prop_oneof![
            12 => proptest::sample::select(valid),
            2 => proptest::sample::select(hostile),
            1 => any::<char>(),
        ],
        len,
    )
    .prop_map(String::from_iter)
    .prop_filter("rejected by the naming rules", move |s| {
        problems(field, s).is_empty()
    });
    prop_oneof![from_grammar, filtered].boxed()
}

/// What AKS183 accepts, as a regular expression: no whitespace, control, invisible or
/// direction-changing character, no shell syntax, and no `#` or `~` first.
const SHELL_SAFE: &str = r"[^\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}$`'\x22;&|<>\\*?\[\]{}()#~][^\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}$`'\x22;&|<>\\*?\[\]{}()]{0,30}";

fn values() -> impl Strategy<Value = Values> {
    let pool = || {
        accepted(
            Field::PoolName(OsType::Linux),
            "[a-z][a-z0-9]{0,11}",
            "abxyz0189",
            1..=8,
        )
    };
    let other = || {
        accepted(
            Field::Other,
            SHELL_SAFE,
            "abXY09-!#%+,./:=@^_~\u{e9}\u{3042}\u{430}",
            1..=8,
        )
    };
    (
        accepted(
            Field::ClusterName,
            "[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?",
            "abXY09_-",
            1..=8,
        ),
        accepted(
            Field::ResourceGroup,
            "[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]",
            "abXY09_-.()",
            1..=8,
        ),
        prop_oneof![
            accepted(
                Field::Subscription,
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                "0123456789abcdef-",
                1..=8,
            ),
            accepted(
                Field::Subscription,
                "[A-Za-z0-9!%+,./:=@^_-][A-Za-z0-9!#%+,./:=@^_~-]{0,63}",
                "abXY09-!#%+,./:=@^_~",
                1..=8,
            ),
        ],
        (pool(), pool()).prop_filter("pool names are unique", |(a, b)| a != b),
        // Stage names are free text: anything visible, shell syntax included.
        prop_oneof![
            any::<String>(),
            "[ -~]{1,20}",
            Just("it's $(rm -rf ~); `id` \"x\" #1 ~".to_owned()),
        ]
        .prop_filter("a stage has a name the rules accept", |s| {
            !s.is_empty() && problems(Field::StageName, s).is_empty()
        }),
        (other(), other(), other()),
    )
        .prop_map(
            |(cluster, group, subscription, (a, b), stage, (name, change, owner))| Values {
                cluster,
                group,
                subscription,
                pools: [a, b],
                stage,
                name,
                change,
                owner,
            },
        )
}

/// A valid plan carrying the values: one cluster two pools, a control-plane and pool upgrade,
/// and an approval gate before its stage.
fn plan(v: &Values) -> serde_json::Value {
    let pool = |name: &str, mode: &str| serde_json::json!({ "name": name, "mode": mode, "orchestratorVersion": "1.35.2", "count": 3 });
    serde_json::json!({
        "apiVersion": "aksplan/v1",
        "kind": "UpgradePlan",
        "metadata": { "name": v.name, "change": v.change, "owner": v.owner },
        "spec": {
            "asOf": "2026-12-01",
            "target": { "kubernetesVersion": "1.36" },
            "rollout": { "stages": [{ "name": v.stage, "clusters": [v.cluster], "approval": true }] },
            "clusters": [{
                "name": v.cluster,
                "resourceGroup": v.group,
                "subscription": v.subscription,
                "location": "westeurope",
                "current": {
                    "kubernetesVersion": "1.35.2",
                    "tier": "Standard",
                    "nodePools": [pool(&v.pools[0], "System"), pool(&v.pools[1], "User")],
                },
                "poolOrder": [v.pools[0], v.pools[1]],
            }],
        },
    })
}

/// Emits the plan's script, runs it with bash and the fake `az`, and checks every argument.
fn emitted_values_reach_az_intact(v: &Values) -> Result<(), TestCaseError> {
    for (field, value) in [
        (Field::ClusterName, &v.cluster),
        (Field::ResourceGroup, &v.group),
        (Field::Subscription, &v.subscription),
        (Field::PoolName(OsType::Linux), &v.pools[0]),
        (Field::PoolName(OsType::Linux), &v.pools[1]),
        (Field::Other, &v.name),
        (Field::Other, &v.change),
        (Field::Other, &v.owner),
        (Field::StageName, &v.stage),
    ] {
        let objections = problems(field, value);
        prop_assert!(objections.is_empty(), "{field:?} {value:?}: {objections:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, serde_json::to_string_pretty(&plan(v)).unwrap()).unwrap();
    let script_path = dir.path().join("plan.sh");
    let output = aksplan()
        .args(["emit", "--no-policy", "--format", "az", "-o"])
        .arg(&script_path)
        .arg(&plan_path)
        .output()
        .unwrap();
    prop_assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let script = std::fs::read_to_string(&script_path).unwrap();
    for (comment, value) in [("plan", &v.name), ("change", &v.change), ("owner", &v.owner)] {
        let line = format!("\n# {comment}: {value}\n");
        prop_assert!(script.contains(&line), "{line:?} not in\n{script}");
    }

    let bin = dir.path().join("bin");
    let state = dir.path().join("state");
    std::fs::create_dir(&bin).unwrap();
    std::fs::create_dir(&state).unwrap();
    std::fs::write(bin.join("az"), STATEFUL_AZ).unwrap();
    let chmod = std::process::Command::new("chmod")
        .arg("+x")
        .arg(bin.join("az"))
        .status()
        .unwrap();
    prop_assert!(chmod.success());
    std::fs::write(state.join("cp"), "1.35.2").unwrap();
    for pool in &v.pools {
        std::fs::write(state.join(format!("pool-{pool}")), "1.35.2").unwrap();
    }
    let log = dir.path().join("az.log");
    let out = std::process::Command::new("bash")
        .arg(&script_path)
        .current_dir(dir.path())
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()),
        )
        .env("AZ_LOG", &log)
        .env("AZ_STATE", &state)
        .env("AKSPLAN_ASSUME_APPROVED", "1")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    prop_assert!(out.status.success(), "{stdout}\n{}\n{script}", text(&out.stderr));
    prop_assert!(stdout.ends_with("aksplan: done\n"), "{stdout}");
    prop_assert_eq!(stdout.matches("aksplan: running").count(), 3, "{}", stdout);
    let gate = format!(
        "aksplan: start of stage {}: approved by AKSPLAN_ASSUME_APPROVED=1\n",
        v.stage
    );
    prop_assert!(stdout.contains(&gate), "{gate:?} not in {stdout:?}");

    // Every value after its flag, exactly; the pool the helpers query, exactly.
    let calls = std::fs::read_to_string(&log).unwrap();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for call in calls.split('\u{1e}').filter(|c| !c.is_empty()) {
        let argv: Vec<&str> = call
            .strip_suffix('\u{1f}')
            .unwrap_or(call)
            .split('\u{1f}')
            .collect();
        let nodepool = argv.get(1) == Some(&"nodepool");
        for (i, word) in argv.iter().enumerate() {
            // A resource group or subscription may start with `-`, so the script passes them
            // joined to their option (`--resource-group=VALUE`); a separate word would be read
            // as an option by az's parser.
            let (arg, next) = match word.split_once('=') {
                Some((flag @ ("--resource-group" | "--subscription"), value)) => (flag, value),
                _ => (*word, argv.get(i + 1).copied().unwrap_or_default()),
            };
            prop_assert!(
                !matches!(arg, "-g" | "--resource-group" | "--subscription") || word.contains('='),
                "{word} takes its value as a separate word in {argv:?}"
            );
            let expected: Vec<&str> = match arg {
                "--resource-group" => vec![v.group.as_str()],
                "--cluster-name" => vec![v.cluster.as_str()],
                "-n" | "--name" if !nodepool => vec![v.cluster.as_str()],
                "-n" | "--name" | "--nodepool-name" => vec![v.pools[0].as_str(), v.pools[1].as_str()],
                "--subscription" => vec![v.subscription.as_str()],
                "--query" if next.contains("[?name==") => {
                    let pool = next
                        .split_once("[?name=='")
                        .and_then(|(_, rest)| rest.split_once("']"))
                        .map(|(pool, _)| pool)
                        .unwrap_or_default();
                    prop_assert!(
                        v.pools.iter().any(|p| p == pool),
                        "query {next:?} is not about a pool of {:?}",
                        v.pools
                    );
                    *seen.entry("query").or_default() += 1;
                    continue;
                }
                _ => continue,
            };
            prop_assert!(
                expected.contains(&next),
                "{arg} {next:?}, expected one of {expected:?}, in {argv:?}"
            );
            *seen.entry(arg).or_default() += 1;
        }
    }
    for flag in [
        "--resource-group",
        "--cluster-name",
        "-n",
        "--nodepool-name",
        "--subscription",
        "query",
    ] {
        prop_assert!(
            seen.get(flag).copied().unwrap_or(0) > 0,
            "no {flag} seen: {seen:?}"
        );
    }
    Ok(())
}

proptest! {
    // Each case runs aksplan and bash (about 0.3 s): 32 cases take about 10 s.
    #![proptest_config(ProptestConfig { cases: 32, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_name_the_rules_accept_reaches_az_as_one_argument(v in values()) {
        emitted_values_reach_az_intact(&v)?;
    }
}

/// The strategies do cover what they claim: a sample holds shell-meaningful characters and
/// non-ASCII in the values the rules accept.
#[test]
fn the_accepted_values_include_awkward_ones() {
    let config = proptest::test_runner::Config {
        max_local_rejects: 1_000_000,
        ..Default::default()
    };
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = values();
    let mut awkward = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let v = strategy.new_tree(&mut runner).unwrap().current();
        for value in [&v.group, &v.subscription, &v.owner, &v.stage] {
            for c in value.chars() {
                if "()#~!%^=,'$`\"".contains(c) || !c.is_ascii() {
                    awkward.insert(if c.is_ascii() { c } else { 'é' });
                }
            }
        }
    }
    for c in ['(', ')', '~', '#', '!', '\'', '$', '`', '"', 'é'] {
        assert!(awkward.contains(&c), "no {c:?} in {awkward:?}");
    }
}

/// A plan value with terminal control characters reaches the JUnit report without them: XML 1.0
/// cannot carry them, and a CI server would reject the whole report.
#[test]
fn junit_reports_drop_characters_xml_cannot_carry() {
    let name = "fixtures/plans/hostile-names/terminal-escape.yaml";
    let output = run(&["check", "--format", "junit", name]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let xml = text(&output.stdout);
    let bad: Vec<char> = xml
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    assert!(bad.is_empty(), "{bad:?} in\n{xml}");
    assert!(xml.contains("aks-[2J]0;pwnedprod"), "{xml}");
}

//! The compiler on hand-written plans: the verifier catches corrupted graphs, cycles are
//! reported, output is deterministic, and each strategy (pools, channels, blue-green, waves, node
//! images) gives the route it promises.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Step, StepKind, topological_order, verify};
use aksplan_model::finding::{Finding, Severity};
use aksplan_model::plan::OsSku;
use aksplan_model::source::Format;
use aksplan_model::version::KubeVersion;
use aksplan_pipeline::{Checked, NoPolicies, Options, PlanInput};
use aksplan_rules::Context;

/// A plan loaded and checked by the pipeline, not compiled: the tests compile it themselves,
/// also plans the rules would stop, to see what the compiler and its verifier make of them.
struct Fixture {
    checked: Checked,
}

/// The pipeline's options for these tests: support judged on 2026-07-01, nothing compiled.
fn options() -> Options {
    let day = jiff::civil::date(2026, 7, 1);
    Options {
        compile: false,
        ..Options::new(Arc::new(Catalog::embedded()), Some(day), || {
            jiff::civil::date(2026, 7, 1)
        })
    }
}

impl Fixture {
    fn yaml(yaml: &str) -> Self {
        Self::load("test.yaml", yaml.as_bytes(), Path::new("."))
    }

    fn file(relative: &str) -> Self {
        let path = root().join(relative);
        let bytes = std::fs::read(&path).unwrap();
        Self::load(relative, &bytes, path.parent().unwrap())
    }

    fn load(name: &str, bytes: &[u8], base: &Path) -> Self {
        let input = PlanInput::new(name, bytes, Format::Yaml, base);
        let checked = aksplan_pipeline::run(input, &options(), &mut NoPolicies);
        let errors: Vec<String> = checked
            .loaded
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.code.id(), f.message))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        Self { checked }
    }

    fn ctx(&self) -> Context<'_> {
        self.checked.context().unwrap()
    }

    /// Compiles and asserts the verifier found nothing.
    fn compile(&self) -> Compiled {
        let compiled = aksplan_graph::compile(&self.ctx());
        assert!(
            compiled.findings.is_empty(),
            "{:#?}",
            messages(&compiled.findings)
        );
        compiled
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn v(text: &str) -> KubeVersion {
    KubeVersion::parse(text).unwrap()
}

fn messages(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{}: {}", f.code.id(), f.message))
        .collect()
}

fn step<'a>(compiled: &'a Compiled, id: &str) -> &'a Step {
    compiled
        .steps
        .iter()
        .find(|s| *s.id == *id)
        .unwrap_or_else(|| panic!("no step `{id}` in {:#?}", ids(compiled)))
}

fn ids(compiled: &Compiled) -> Vec<&str> {
    compiled.steps.iter().map(|s| &*s.id).collect()
}

fn pool_upgrades(compiled: &Compiled) -> usize {
    compiled
        .steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::PoolUpgrade { .. }))
        .count()
}

/// Removes a step; the steps that depended on it depend on its dependencies instead, so the
/// graph stays well-formed and only the missing work shows.
fn remove_step(compiled: &mut Compiled, id: &str) {
    let removed = step(compiled, id).clone();
    compiled.steps.retain(|s| *s.id != *id);
    for s in &mut compiled.steps {
        if s.depends_on.iter().any(|d| &**d == id) {
            s.depends_on.retain(|d| &**d != id);
            for dep in &removed.depends_on {
                if !s.depends_on.contains(dep) {
                    s.depends_on.push(dep.clone());
                }
            }
        }
    }
}

/// The single AKS200 finding that names `step_id`, with `rule` and the state.
fn assert_reported(findings: &[Finding], step_id: &str, rule: &str, state: &str) {
    let all = messages(findings);
    let hit = findings.iter().find(|f| {
        f.code.id() == "AKS200"
            && f.message.contains(&format!("after step `{step_id}`"))
            && f.message.contains(&format!("{rule}: "))
    });
    let hit = hit.unwrap_or_else(|| panic!("no AKS200/{rule} at `{step_id}` in {all:#?}"));
    assert_eq!(hit.severity, Severity::Error);
    assert!(
        hit.message.contains(&format!("; state: {state}")),
        "{}",
        hit.message
    );
}

const THREE_BEHIND: &str = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: three-behind }
spec:
  target: { kubernetesVersion: "1.36" }
  strategy: { pools: STRATEGY }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.2"
        nodePools:
          - { name: system, mode: System, orchestratorVersion: "1.33.2", count: 3 }
          - { name: apps, mode: User, orchestratorVersion: "1.33.2", count: 6 }
          - { name: legacy, mode: User, orchestratorVersion: "1.30.14", count: 4 }
"#;

fn three_behind(strategy: &str) -> Fixture {
    Fixture::yaml(&THREE_BEHIND.replace("STRATEGY", strategy))
}

// ---- (a) the verifier fails on a corrupted graph ----------------------------------------------

#[test]
fn verifier_reports_a_missing_pool_upgrade_before_the_second_hop() {
    let fixture = three_behind("minimal");
    let mut compiled = fixture.compile();
    // The route lifts `legacy` to 1.32.6 so that it stays within 3 minors of the hop to 1.35.
    let needed = step(&compiled, "aks/pool/legacy/1.32.6");
    assert_eq!(needed.provenance.rule.map(|c| c.id()), Some("AKS112"));
    assert_eq!(needed.provenance.hop.as_deref(), Some("1.35"));
    remove_step(&mut compiled, "aks/pool/legacy/1.32.6");
    assert!(topological_order(&compiled.steps).is_ok());
    let findings = verify(&fixture.ctx(), &compiled);
    assert_reported(
        &findings,
        "aks/cp/1.35",
        "AKS112",
        "control plane 1.35, apps 1.33.2, legacy 1.31.10, system 1.33.2",
    );
    assert!(
        messages(&findings).iter().any(|m| m.contains(
            "pool `legacy` (`1.31.10`) would be 4 minors behind the control plane (`1.35`), 3 allowed"
        )),
        "{:#?}",
        messages(&findings)
    );
}

#[test]
fn verifier_reports_a_control_plane_hop_that_skips_a_minor() {
    let fixture = three_behind("minimal");
    let mut compiled = fixture.compile();
    let hop = compiled
        .steps
        .iter_mut()
        .find(|s| &*s.id == "aks/cp/1.34")
        .unwrap();
    hop.kind = StepKind::ControlPlaneUpgrade { to: v("1.35") };
    let findings = verify(&fixture.ctx(), &compiled);
    assert_reported(
        &findings,
        "aks/cp/1.34",
        "AKS104",
        "control plane 1.35, apps 1.33.2, legacy 1.31.10, system 1.33.2",
    );
    assert!(
        messages(&findings)
            .iter()
            .any(|m| m.contains("the control plane would skip from `1.33.2` to `1.35`")),
        "{:#?}",
        messages(&findings)
    );
}

#[test]
fn verifier_reports_a_pool_newer_than_the_control_plane() {
    let fixture = three_behind("minimal");
    let mut compiled = fixture.compile();
    // A step created first (so it runs first) that takes `system` past the control plane.
    let mut bad = step(&compiled, "aks/pool/system/1.34").clone();
    bad.id = "aks/pool/system/too-early".into();
    bad.depends_on.clear();
    compiled.steps.insert(0, bad);
    let findings = verify(&fixture.ctx(), &compiled);
    assert_reported(
        &findings,
        "aks/pool/system/too-early",
        "AKS111",
        "control plane 1.33.2, apps 1.33.2, legacy 1.30.14, system 1.34",
    );
}

#[test]
fn verifier_reports_a_cluster_that_misses_its_target() {
    let fixture = three_behind("minimal");
    let mut compiled = fixture.compile();
    remove_step(&mut compiled, "aks/pool/apps/1.36");
    let findings = verify(&fixture.ctx(), &compiled);
    assert!(
        messages(&findings)
            .iter()
            .any(|m| m.contains("at the end: AKS104: pool `apps` ends on `1.35`")),
        "{:#?}",
        messages(&findings)
    );
}

#[test]
fn verifier_judges_a_pool_jump_by_its_own_clusters_get_upgrades() {
    // `one` has a saved `nodepool get-upgrades` for `apps` that offers 1.35; `two` has none, so a
    // two-minor jump of its `apps` is a skip, whatever `one`'s file says.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-profile-scope");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("apps.json"),
        r#"{"kubernetesVersion": "1.33.2", "upgrades": [{"kubernetesVersion": "1.35"}]}"#,
    )
    .unwrap();
    let cluster = |name: &str| {
        format!(
            "    - name: {name}\n      resourceGroup: rg\n      current:\n        kubernetesVersion: \"1.35\"\n        nodePools:\n          - {{ name: system, mode: System, orchestratorVersion: \"1.35\" }}\n          - {{ name: apps, mode: User, orchestratorVersion: \"1.33.2\" }}\n"
        )
    };
    let yaml = format!(
        "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata: {{ name: scope }}\nspec:\n  target: {{ kubernetesVersion: \"1.35\" }}\n  clusters:\n{}      upgradeProfiles:\n        nodePools:\n          apps: apps.json\n{}",
        cluster("one"),
        cluster("two")
    );
    let fixture = Fixture::load("scope.yaml", yaml.as_bytes(), &dir);
    let mut compiled = fixture.compile();
    assert!(compiled.steps.iter().any(|s| &*s.id == "one/pool/apps/1.35"));
    remove_step(&mut compiled, "two/pool/apps/1.34");
    let findings = verify(&fixture.ctx(), &compiled);
    assert_reported(
        &findings,
        "two/pool/apps/1.35",
        "AKS114",
        "control plane 1.35, apps 1.35, system 1.35",
    );
    assert!(
        !messages(&findings).iter().any(|m| m.contains("cluster `one`")),
        "{:#?}",
        messages(&findings)
    );
}

// ---- (b) cycles ------------------------------------------------------------------------------

#[test]
fn a_cycle_in_depends_on_is_reported() {
    let fixture = three_behind("minimal");
    let mut compiled = fixture.compile();
    let last = compiled.steps.last().unwrap().id.clone();
    compiled.steps[0].depends_on.push(last);
    let err = topological_order(&compiled.steps).unwrap_err();
    assert!(err.contains("cycle"), "{err}");
    let findings = verify(&fixture.ctx(), &compiled);
    assert_eq!(findings.len(), 1, "{:#?}", messages(&findings));
    assert_eq!(findings[0].code.id(), "AKS200");
    assert!(
        findings[0].message.contains("cannot be ordered"),
        "{}",
        findings[0].message
    );

    // A dependency on a step that does not exist is reported too.
    compiled.steps[0].depends_on = vec!["nowhere".into()];
    let err = topological_order(&compiled.steps).unwrap_err();
    assert!(err.contains("`nowhere`, which is not a step"), "{err}");
}

// ---- (c) determinism -------------------------------------------------------------------------

#[test]
fn compiling_twice_gives_identical_json() {
    for plan in [
        "examples/fleet-three-stages.yaml",
        "examples/complete.yaml",
        "fixtures/plans/compile/lockstep.yaml",
    ] {
        let first = serde_json::to_string(&Fixture::file(plan).compile()).unwrap();
        let second = serde_json::to_string(&Fixture::file(plan).compile()).unwrap();
        assert_eq!(first, second, "{plan}");
    }
}

// ---- (d) minimal vs lockstep -----------------------------------------------------------------

/// The largest number of minors any pool trails the control plane, after each control-plane hop.
fn skew_after_each_hop(compiled: &Compiled) -> Vec<u64> {
    compiled
        .steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::ControlPlaneUpgrade { .. }))
        .map(|s| {
            let after = s.after.as_ref().unwrap();
            after
                .pools
                .values()
                .map(|p| after.control_plane.minor - p.minor)
                .max()
                .unwrap_or(0)
        })
        .collect()
}

#[test]
fn lockstep_keeps_pools_within_one_minor_and_minimal_defers() {
    let minimal = three_behind("minimal").compile();
    let lockstep = three_behind("lockstep").compile();
    assert_eq!(skew_after_each_hop(&lockstep), vec![1, 1, 1]);
    // Minimal lets `legacy` trail by the full window and the other pools fall behind.
    assert_eq!(skew_after_each_hop(&minimal), vec![3, 3, 3]);
    // With one-minor pool upgrades both take each pool through every minor: minimal only moves
    // them later, never more often.
    assert!(pool_upgrades(&minimal) <= pool_upgrades(&lockstep));
    assert_eq!(pool_upgrades(&lockstep), 3 + 3 + 6);
    // In lockstep the lagging pool catches up before the first hop.
    let first_hop = ids(&lockstep).iter().position(|id| *id == "aks/cp/1.34").unwrap();
    assert_eq!(
        &ids(&lockstep)[..first_hop],
        &[
            "aks/pool/legacy/1.31.10",
            "aks/pool/legacy/1.32.6",
            "aks/pool/legacy/1.33.2"
        ]
    );
}

#[test]
fn minimal_has_fewer_pool_upgrades_when_a_pool_may_jump() {
    // `apps` has a saved `nodepool get-upgrades` that offers the target minor: minimal moves it
    // once, at the end; lockstep follows every hop.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-pool-jump");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("apps-get-upgrades.json"),
        r#"{"kubernetesVersion": "1.33.2", "upgrades": [{"kubernetesVersion": "1.34"}, {"kubernetesVersion": "1.35"}, {"kubernetesVersion": "1.36"}]}"#,
    )
    .unwrap();
    let with_profile = |strategy: &str| {
        let yaml = format!(
            "{}      upgradeProfiles:\n        nodePools:\n          apps: apps-get-upgrades.json\n",
            THREE_BEHIND.replace("STRATEGY", strategy)
        );
        Fixture::load("jump.yaml", yaml.as_bytes(), &dir).compile()
    };
    let minimal = with_profile("minimal");
    let lockstep = with_profile("lockstep");
    assert!(
        pool_upgrades(&minimal) < pool_upgrades(&lockstep),
        "minimal {:#?}\nlockstep {:#?}",
        ids(&minimal),
        ids(&lockstep)
    );
    assert_eq!(
        step(&minimal, "aks/pool/apps/1.36")
            .before
            .as_ref()
            .unwrap()
            .pools
            .get("apps")
            .copied()
            .unwrap(),
        v("1.33.2")
    );
}

// ---- (e) auto-upgrade channels ---------------------------------------------------------------

const CHANNEL: &str = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: channel }
spec:
  target: { kubernetesVersion: "1.35" }
  strategy: { channelConflict: CONFLICT }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.2"
        channels: { upgradeChannel: stable, nodeOSUpgradeChannel: NodeImage }
        nodePools:
          - { name: system, mode: System, orchestratorVersion: "1.33.2", count: 3 }
          - { name: web, mode: User, orchestratorVersion: "1.33.2", count: 5 }
"#;

#[test]
fn switch_to_none_turns_the_channel_off_first_and_restores_it_last() {
    let compiled = Fixture::yaml(&CHANNEL.replace("CONFLICT", "switchToNone")).compile();
    let first = compiled.steps.first().unwrap();
    let last = compiled.steps.last().unwrap();
    assert_eq!(&*first.id, "aks/channel/off");
    assert_eq!(&*last.id, "aks/channel/restore");
    match (&first.kind, &last.kind) {
        (
            StepKind::ChannelChange {
                to: off,
                restore: false,
            },
            StepKind::ChannelChange {
                to: back,
                restore: true,
            },
        ) => {
            assert_eq!(
                serde_json::to_value(off).unwrap(),
                serde_json::json!({"upgradeChannel": "none", "nodeOSUpgradeChannel": "NodeImage"})
            );
            assert_eq!(
                serde_json::to_value(back).unwrap(),
                serde_json::json!({"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"})
            );
        }
        other => panic!("{other:?}"),
    }
    // Every other step of the cluster runs between the two.
    let order = topological_order(&compiled.steps).unwrap();
    assert_eq!(order.first(), Some(&0));
    assert_eq!(order.last(), Some(&(compiled.steps.len() - 1)));
    assert!(compiled.clusters[0].channel_switched);
    assert!(!compiled.clusters[0].full_upgrades);
    assert!(
        compiled
            .steps
            .iter()
            .any(|s| matches!(s.kind, StepKind::ControlPlaneUpgrade { .. }))
    );
}

#[test]
fn full_upgrade_uses_full_upgrades_and_no_control_plane_only_steps() {
    let compiled = Fixture::yaml(&CHANNEL.replace("CONFLICT", "fullUpgrade")).compile();
    let kinds: Vec<&StepKind> = compiled.steps.iter().map(|s| &s.kind).collect();
    assert!(
        !kinds.iter().any(|k| matches!(
            k,
            StepKind::ControlPlaneUpgrade { .. } | StepKind::ChannelChange { .. }
        )),
        "{:#?}",
        ids(&compiled)
    );
    assert_eq!(ids(&compiled), vec!["aks/full/1.34", "aks/full/1.35"]);
    let end = &compiled.clusters[0].end;
    assert_eq!(end.control_plane, v("1.35"));
    assert!(end.pools.values().all(|p| *p == v("1.35")));
    assert!(compiled.clusters[0].full_upgrades);
    assert!(!compiled.clusters[0].channel_switched);
}

// ---- (f) blue-green --------------------------------------------------------------------------

const BLUE_GREEN: &str = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: blue-green }
spec:
  target: { kubernetesVersion: "1.33.2" }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.0"
        nodePools:
          - { name: system, mode: System, orchestratorVersion: "1.33.0", count: 3 }
          - name: win19
            mode: User
            osType: Windows
            osSKU: Windows2019
            orchestratorVersion: "1.33.0"
            count: 4
            strategy: blueGreen
"#;

#[test]
fn blue_green_replaces_a_windows2019_pool_with_windows2022() {
    let compiled = Fixture::yaml(BLUE_GREEN).compile();
    let create = step(&compiled, "aks/pool/win19/blue-green/create");
    let StepKind::BlueGreenCreate {
        pool,
        new_pool,
        to,
        os_sku,
    } = &create.kind
    else {
        panic!("{create:?}")
    };
    assert_eq!(&**pool, "win19");
    assert!(new_pool.len() <= 6 && new_pool != "win19", "{new_pool}");
    assert_eq!(*to, v("1.33.2"));
    assert_eq!(*os_sku, Some(OsSku::Windows2022));
    let cordon = step(&compiled, "aks/pool/win19/blue-green/cordon");
    let drain = step(&compiled, "aks/pool/win19/blue-green/drain");
    let delete = step(&compiled, "aks/pool/win19/blue-green/delete");
    assert!(matches!(cordon.kind, StepKind::BlueGreenCordon { .. }));
    assert!(matches!(drain.kind, StepKind::BlueGreenDrain { .. }));
    assert!(matches!(delete.kind, StepKind::BlueGreenDelete { .. }));
    assert_eq!(cordon.depends_on, vec![std::sync::Arc::clone(&create.id)]);
    assert_eq!(drain.depends_on, vec![std::sync::Arc::clone(&cordon.id)]);
    assert_eq!(delete.depends_on, vec![std::sync::Arc::clone(&drain.id)]);
    // The old pool is never upgraded in place, and ends replaced.
    assert!(
        !ids(&compiled)
            .iter()
            .any(|id| id.starts_with("aks/pool/win19/1."))
    );
    let end = &compiled.clusters[0].end;
    assert!(!end.pools.contains_key("win19"));
    assert_eq!(end.pools.get(new_pool.as_str()).copied().unwrap(), v("1.33.2"));
    assert_eq!(end.pools.get("system").copied().unwrap(), v("1.33.2"));
}

/// Clusters alike (the same pools on the same versions) pass through the same states, each
/// held once; a cluster that differs has states of its own.
#[test]
fn alike_clusters_share_their_states() {
    let cluster = |name: &str, web: &str| {
        format!(
            r#"
    - name: {name}
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.2"
        nodePools:
          - {{ name: system, mode: System, orchestratorVersion: "1.33.2", count: 3 }}
          - {{ name: web, mode: User, orchestratorVersion: "{web}", count: 3 }}"#
        )
    };
    let yaml = format!(
        r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: {{ name: alike }}
spec:
  target: {{ kubernetesVersion: "1.34" }}
  clusters:{}{}{}
"#,
        cluster("aks-a", "1.33.2"),
        cluster("aks-b", "1.33.2"),
        cluster("aks-c", "1.33.1")
    );
    let compiled = Fixture::yaml(&yaml).compile();
    let after = |id: &str| std::sync::Arc::clone(step(&compiled, id).after.as_ref().unwrap());
    for pool in ["cp", "pool/system", "pool/web"] {
        let a = after(&format!("aks-a/{pool}/1.34"));
        let b = after(&format!("aks-b/{pool}/1.34"));
        assert!(std::sync::Arc::ptr_eq(&a, &b), "{pool}");
    }
    // Different until `web` reaches the target: then the same state again.
    let c = after("aks-c/cp/1.34");
    assert!(!std::sync::Arc::ptr_eq(&after("aks-a/cp/1.34"), &c));
    assert_eq!(c.pools.get("web"), Some(&v("1.33.1")));
    assert!(std::sync::Arc::ptr_eq(
        &after("aks-a/pool/web/1.34"),
        &after("aks-c/pool/web/1.34")
    ));
}

/// Some `texts` repeat, and equal ones are one allocation (distinct ones are not).
fn one_text_per_value<'a>(texts: impl Iterator<Item = &'a std::sync::Arc<str>>, what: &str) {
    let texts: Vec<_> = texts.collect();
    let mut repeats = false;
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            repeats |= a == b;
            assert_eq!(a == b, std::sync::Arc::ptr_eq(a, b), "{what} {a}");
        }
    }
    assert!(repeats, "some {what} repeats");
}

/// A route's pools are its resolved cluster's, shared, not a copy of each pool.
#[test]
fn a_route_shares_its_clusters_current_state() {
    let fixture = Fixture::file("examples/fleet-three-stages.yaml");
    let compiled = fixture.compile();
    // Steps that say the same share the text of their reason and of their plan field.
    one_text_per_value(compiled.steps.iter().map(|s| &s.provenance.reason), "reason");
    one_text_per_value(
        compiled
            .steps
            .iter()
            .filter_map(|s| s.provenance.plan_field.as_ref()),
        "plan field",
    );
    // A step's id is one text: its own, and the one every step that depends on it names.
    for step in &compiled.steps {
        for dep in &step.depends_on {
            let named = compiled.steps.iter().find(|s| s.id == *dep).unwrap();
            assert!(std::sync::Arc::ptr_eq(&named.id, dep), "{dep}");
        }
    }
    assert!(!compiled.clusters.is_empty());
    for route in &compiled.clusters {
        let resolved = fixture
            .checked
            .loaded
            .clusters
            .iter()
            .find(|c| c.name == route.name)
            .unwrap();
        assert!(
            std::sync::Arc::ptr_eq(&route.current, &resolved.current),
            "{}",
            route.name
        );
        assert_eq!(route.pools(), resolved.current.node_pools.as_slice());
        // Its first and last states are the ones its steps hold, not copies.
        let steps: Vec<_> = compiled
            .steps
            .iter()
            .filter(|s| s.cluster.as_deref() == Some(route.name.as_str()) && s.before.is_some())
            .collect();
        // Its steps name it by one shared text.
        let named: Vec<_> = compiled
            .steps
            .iter()
            .filter_map(|s| s.cluster.as_ref())
            .filter(|c| ***c == *route.name)
            .collect();
        assert!(named.len() > 1, "{}", route.name);
        assert!(
            named.windows(2).all(|w| std::sync::Arc::ptr_eq(w[0], w[1])),
            "{}",
            route.name
        );
        // A pool's steps name it by the plan's own text of its name.
        let mut pool_steps = 0;
        for step in &steps {
            if let StepKind::PoolUpgrade { pool, .. }
            | StepKind::PoolNodeImage { pool }
            | StepKind::PoolSettings { pool, .. } = &step.kind
            {
                let own = route.pools().iter().find(|p| p.name == *pool).unwrap();
                assert!(std::sync::Arc::ptr_eq(&own.name, pool), "{}", step.id);
                pool_steps += 1;
            }
        }
        assert!(pool_steps > 0, "{}", route.name);
        let first = steps.first().and_then(|s| s.before.as_ref()).unwrap();
        assert!(std::sync::Arc::ptr_eq(&route.start, first), "{}", route.name);
        assert!(
            steps.iter().any(|s| s
                .after
                .as_ref()
                .is_some_and(|a| std::sync::Arc::ptr_eq(&route.end, a))),
            "{}",
            route.name
        );
    }
}

// ---- (g) pool waves --------------------------------------------------------------------------

#[test]
fn pool_order_waves_depend_on_the_previous_wave() {
    let yaml = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: waves }
spec:
  target: { kubernetesVersion: "1.34" }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.2"
        nodePools:
          - { name: system, mode: System, orchestratorVersion: "1.33.2", count: 3 }
          - { name: web, mode: User, orchestratorVersion: "1.33.2", count: 3 }
          - { name: api, mode: User, orchestratorVersion: "1.33.2", count: 3 }
          - { name: batch, mode: User, orchestratorVersion: "1.33.2", count: 3 }
      poolOrder: [batch, [web, api], system]
"#;
    let compiled = Fixture::yaml(yaml).compile();
    let deps = |id: &str| {
        let mut d: Vec<&str> = step(&compiled, id).depends_on.iter().map(|d| &**d).collect();
        d.sort_unstable();
        d
    };
    assert_eq!(deps("aks/pool/batch/1.34"), vec!["aks/cp/1.34"]);
    assert_eq!(
        deps("aks/pool/web/1.34"),
        vec!["aks/cp/1.34", "aks/pool/batch/1.34"]
    );
    assert_eq!(
        deps("aks/pool/api/1.34"),
        vec!["aks/cp/1.34", "aks/pool/batch/1.34"]
    );
    assert_eq!(
        deps("aks/pool/system/1.34"),
        vec!["aks/cp/1.34", "aks/pool/api/1.34", "aks/pool/web/1.34"]
    );
    // The steps of one wave name the steps before it by one shared id each, not by copies.
    let named = |id: &str, dep: &str| {
        let step = step(&compiled, id);
        std::sync::Arc::clone(step.depends_on.iter().find(|d| &***d == dep).unwrap())
    };
    for dep in ["aks/cp/1.34", "aks/pool/batch/1.34"] {
        assert!(std::sync::Arc::ptr_eq(
            &named("aks/pool/web/1.34", dep),
            &named("aks/pool/api/1.34", dep)
        ));
    }
}

#[test]
fn without_pool_order_system_pools_go_first() {
    let yaml = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: modes }
spec:
  target: { kubernetesVersion: "1.34" }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.2"
        nodePools:
          - { name: apps, mode: User, orchestratorVersion: "1.33.2", count: 3 }
          - { name: system, mode: System, orchestratorVersion: "1.33.2", count: 3 }
          - { name: web, mode: User, orchestratorVersion: "1.33.2", count: 3 }
"#;
    let compiled = Fixture::yaml(yaml).compile();
    assert_eq!(
        ids(&compiled),
        vec![
            "aks/cp/1.34",
            "aks/pool/system/1.34",
            "aks/pool/apps/1.34",
            "aks/pool/web/1.34"
        ]
    );
    for user in ["aks/pool/apps/1.34", "aks/pool/web/1.34"] {
        assert!(
            step(&compiled, user)
                .depends_on
                .contains(&"aks/pool/system/1.34".into()),
            "{user}"
        );
    }
}

// ---- (h) node images -------------------------------------------------------------------------

const AT_TARGET: &str = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: node-image }
spec:
  target: { kubernetesVersion: "1.33", nodeImage: POLICY }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.33.2"
        nodePools:
          - { name: system, mode: System, orchestratorVersion: "1.33.2", count: 3 }
          - { name: apps, mode: User, orchestratorVersion: "1.33.2", count: 4 }
"#;

#[test]
fn node_image_latest_reimages_pools_already_at_the_target() {
    let latest = Fixture::yaml(&AT_TARGET.replace("POLICY", "latest")).compile();
    assert_eq!(
        ids(&latest),
        vec!["aks/pool/system/node-image", "aks/pool/apps/node-image"]
    );
    assert!(
        latest
            .steps
            .iter()
            .all(|s| matches!(s.kind, StepKind::PoolNodeImage { .. })
                && s.provenance.rule.is_some_and(|c| c.id() == "AKS115"))
    );
    assert_eq!(
        step(&latest, "aks/pool/apps/node-image").depends_on,
        vec!["aks/pool/system/node-image".into()]
    );
    let keep = Fixture::yaml(&AT_TARGET.replace("POLICY", "keep")).compile();
    assert!(keep.steps.is_empty(), "{:#?}", ids(&keep));
    assert!(keep.clusters[0].hops.is_empty());
}

/// A blue-green pool cannot be honoured when every hop is a full upgrade: said, not ignored.
#[test]
fn blue_green_with_full_upgrades_is_reported() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/plans/compile/blue-green-windows2019.yaml"
    ))
    .unwrap()
    .replace("upgradeChannel: none", "upgradeChannel: stable")
    .replacen(
        "spec:\n",
        "spec:\n  strategy: { channelConflict: fullUpgrade }\n",
        1,
    );
    // Judged on the plan's own `asOf`: the channel conflict is what the test is about.
    let input = PlanInput::new("bg.yaml", text, Format::Yaml, ".");
    let checked = aksplan_pipeline::run(
        input,
        &Options {
            compile: false,
            ..Options::new(Arc::new(Catalog::embedded()), None, || {
                jiff::civil::date(2026, 6, 1)
            })
        },
        &mut NoPolicies,
    );
    let ctx = checked
        .context()
        .unwrap_or_else(|| panic!("{:?}", checked.findings));
    let compiled = aksplan_graph::compile(&ctx);
    assert!(
        compiled
            .findings
            .iter()
            .any(|f| f.code == aksplan_model::codes::VERIFY && f.message.contains("blue-green")),
        "{:#?}",
        compiled.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
}

/// Out of support on 2026-07-01 (1.31: community support ended 2025-11-01, platform support with
/// the GA of 1.35), a pool one minor further behind.
const RECOVERY: &str = r#"
apiVersion: aksplan/v1
kind: UpgradePlan
metadata: { name: recovery }
spec:
  target: { kubernetesVersion: "1.34" }
  clusters:
    - name: aks
      resourceGroup: rg
      current:
        kubernetesVersion: "1.31.10"
        nodePools:
          - { name: system, mode: System, orchestratorVersion: "1.31.10", count: 3 }
          - { name: apps, mode: User, orchestratorVersion: "1.30.14", count: 3 }
"#;

#[test]
fn recovery_is_one_full_upgrade_to_the_lowest_community_minor() {
    let fixture = Fixture::yaml(RECOVERY);
    let compiled = fixture.compile();
    // 1.32 ended 2026-03-31; 1.33 is the lowest community minor on 2026-07-01. Every pool goes
    // along, `apps` three minors at once, with no pool step before it.
    assert_eq!(
        ids(&compiled),
        [
            "aks/full/1.33.2",
            "aks/cp/1.34",
            "aks/pool/system/1.34",
            "aks/pool/apps/1.34",
        ]
    );
    let recovery = step(&compiled, "aks/full/1.33.2");
    assert_eq!(recovery.provenance.rule.map(|c| c.id()), Some("AKS125"));
    let after = recovery.after.as_ref().unwrap();
    assert!(after.pools.values().all(|p| *p == v("1.33.2")), "{after:?}");
    assert!(compiled.clusters[0].recovery);

    // The same upgrade as control-plane-only is what AKS refuses: the verifier says so.
    let mut corrupted = compiled.clone();
    let first = corrupted
        .steps
        .iter_mut()
        .find(|s| &*s.id == "aks/full/1.33.2")
        .unwrap();
    first.kind = StepKind::ControlPlaneUpgrade { to: v("1.33.2") };
    let findings = verify(&fixture.ctx(), &corrupted);
    assert!(
        messages(&findings).iter().any(|m| m
            .contains("AKS125: a control-plane-only upgrade from `1.31.10`, out of support on 2026-07-01")),
        "{:#?}",
        messages(&findings)
    );
    // A full upgrade that skips past the lowest community minor is no recovery upgrade.
    let mut corrupted = compiled.clone();
    let first = corrupted
        .steps
        .iter_mut()
        .find(|s| &*s.id == "aks/full/1.33.2")
        .unwrap();
    first.kind = StepKind::FullUpgrade { to: v("1.34") };
    let findings = verify(&fixture.ctx(), &corrupted);
    assert!(
        messages(&findings)
            .iter()
            .any(|m| m.contains("AKS104: the control plane would skip from `1.31.10` to `1.34`")),
        "{:#?}",
        messages(&findings)
    );
}

/// `StepKind::pool` is the step's `pool` field as serialised (the policy input lists a pool's
/// steps by it), for every kind of step a plan makes, blue-green included.
#[test]
fn a_steps_pool_is_its_serialised_pool() {
    let compiled = Fixture::yaml(BLUE_GREEN).compile();
    let mut kinds = std::collections::BTreeSet::new();
    for step in &compiled.steps {
        let json = serde_json::to_value(step).unwrap();
        assert_eq!(step.kind.pool(), json["pool"].as_str(), "{json}");
        kinds.insert(json["type"].as_str().unwrap().to_owned());
    }
    assert!(kinds.len() >= 5, "{kinds:?}");
}

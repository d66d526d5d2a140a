//! The scheduler: plans written as YAML text, loaded, checked and compiled through the real
//! pipeline, then placed into their change windows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::finding::Severity;
use aksplan_model::source::Format;
use aksplan_pipeline::{NoPolicies, Options, PlanInput};

/// Loads, checks (no errors allowed: the plans are valid), compiles and schedules `yaml`.
fn run(yaml: &str) -> (Compiled, Schedule) {
    // Every plan here has an `asOf`; a fixed "today" keeps a forgotten one repeatable.
    let options = Options::new(Arc::new(Catalog::embedded()), None, || {
        jiff::civil::date(2026, 7, 1)
    });
    let checked = aksplan_pipeline::run(
        PlanInput::new("plan.yaml", yaml, Format::Yaml, "."),
        &options,
        &mut NoPolicies,
    );
    let errors: Vec<String> = checked
        .early
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let (compiled, schedule) = checked.compiled.unwrap();
    assert!(compiled.findings.is_empty(), "{:#?}", compiled.findings);
    (compiled, schedule)
}

/// A cluster on `version` with a System pool of `count` nodes, one at a time (15 minutes a node
/// with the default estimates), plus `extra` YAML at the cluster's indentation.
fn cluster(name: &str, version: &str, count: u32, extra: &str) -> String {
    format!(
        r#"
    - name: {name}
      resourceGroup: rg-{name}
      current:
        kubernetesVersion: "{version}"
        nodePools:
          - name: system
            mode: System
            orchestratorVersion: "{version}"
            count: {count}
            upgradeSettings:
              maxSurge: 1
{extra}"#
    )
}

fn plan(as_of: &str, clusters: &[String], rollout: &str, windows: &[(&str, u32)]) -> String {
    let mut yaml = format!(
        "apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata:\n  name: schedule-test\nspec:\n  asOf: {as_of}\n  target:\n    kubernetesVersion: \"1.36\"\n{rollout}  clusters:{}\n",
        clusters.concat()
    );
    if !windows.is_empty() {
        yaml.push_str("  changeWindows:\n");
        for (i, (start, hours)) in windows.iter().enumerate() {
            yaml.push_str(&format!(
                "    - {{ name: slot {}, start: {start}, durationHours: {hours} }}\n",
                i + 1
            ));
        }
    }
    yaml
}

fn placed<'a>(schedule: &'a Schedule, id: &str) -> &'a aksplan_graph::Placement {
    schedule
        .placement(id)
        .unwrap_or_else(|| panic!("`{id}` is not placed: {:#?}", schedule))
}

fn at(schedule: &Schedule, id: &str) -> String {
    let p = placed(schedule, id);
    aksplan_graph::time::rfc3339(p.start, p.offset)
}

fn ends(schedule: &Schedule, id: &str) -> String {
    let p = placed(schedule, id);
    aksplan_graph::time::rfc3339(p.end, p.offset)
}

fn codes(schedule: &Schedule) -> Vec<&'static str> {
    schedule.findings.iter().map(|f| f.code.id()).collect()
}

#[test]
fn steps_land_in_the_first_window_they_fit() {
    // The control plane (20m) fits the one-hour window; the pool (3 nodes, 45m) after it does not
    // (22:20 + 45m is past 23:00), so it goes to the second window, at its start.
    let yaml = plan(
        "2026-12-01",
        &[cluster("aks-a", "1.35.3", 3, "")],
        "",
        &[("2026-12-05T22:00:00+01:00", 1), ("2026-12-06T22:00:00+01:00", 4)],
    );
    let (_, schedule) = run(&yaml);
    assert_eq!(at(&schedule, "aks-a/cp/1.36"), "2026-12-05T22:00:00+01:00");
    assert_eq!(placed(&schedule, "aks-a/cp/1.36").window_index, Some(0));
    assert_eq!(
        at(&schedule, "aks-a/pool/system/1.36"),
        "2026-12-06T22:00:00+01:00"
    );
    assert_eq!(placed(&schedule, "aks-a/pool/system/1.36").window_index, Some(1));
    assert!(schedule.unscheduled.is_empty());
    assert!(schedule.findings.is_empty(), "{:#?}", schedule.findings);
    assert_eq!(
        schedule
            .end
            .map(|e| aksplan_graph::time::rfc3339(e, schedule.offset)),
        Some("2026-12-06T22:45:00+01:00".to_owned())
    );
    assert_eq!(schedule.used_minutes(0), 20);
    assert_eq!(schedule.used_minutes(1), 45);
    // Kept to the end of the run: at its size, without the slack of growing.
    assert_eq!(schedule.placements.capacity(), schedule.placements.len());
}

#[test]
fn a_step_longer_than_any_window_gives_aks210_once_per_cluster() {
    // 40 nodes one at a time: 10h, in 8-hour windows. The web pool waits for it.
    let extra = r#"          - name: web
            mode: User
            orchestratorVersion: "1.35.3"
            count: 3
            upgradeSettings:
              maxSurge: 1
      poolOrder: [system, web]
"#;
    let yaml = plan(
        "2026-12-01",
        &[cluster("aks-a", "1.35.3", 40, extra)],
        "",
        &[("2026-12-05T22:00:00+01:00", 8), ("2026-12-12T22:00:00+01:00", 8)],
    );
    let (_, schedule) = run(&yaml);
    assert_eq!(codes(&schedule), ["AKS210"]);
    let finding = &schedule.findings[0];
    assert_eq!(finding.severity, Severity::Warning);
    assert!(
        finding
            .message
            .contains("`aks-a/pool/system/1.36` takes 10h 00m, longer than any change window"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("1 later step"), "{}", finding.message);
    assert_eq!(finding.pointer.as_deref(), Some("/spec/clusters/0/name"));
    assert_eq!(
        schedule.unscheduled,
        ["aks-a/pool/system/1.36", "aks-a/pool/web/1.36"]
    );
    assert_eq!(schedule.end, None);
    // The control plane still goes first.
    assert_eq!(at(&schedule, "aks-a/cp/1.36"), "2026-12-05T22:00:00+01:00");
}

#[test]
fn a_step_after_the_last_window_gives_aks210() {
    // 7h of pool work after 20m of control plane do not fit the rest of the only 7-hour window.
    let yaml = plan(
        "2026-12-01",
        &[cluster("aks-a", "1.35.3", 28, "")],
        "",
        &[("2026-12-05T22:00:00+01:00", 7)],
    );
    let (_, schedule) = run(&yaml);
    assert_eq!(codes(&schedule), ["AKS210"]);
    assert!(
        schedule.findings[0]
            .message
            .contains("fits in no change window: it is ready at 2026-12-05 22:20 +01:00"),
        "{}",
        schedule.findings[0].message
    );
}

fn two_clusters_one_stage(max_concurrency: u32) -> String {
    let rollout = format!(
        "  rollout:\n    stages:\n      - name: prod\n        clusters: [aks-a, aks-b]\n        maxConcurrency: {max_concurrency}\n"
    );
    plan(
        "2026-12-01",
        &[
            cluster("aks-a", "1.35.3", 3, ""),
            cluster("aks-b", "1.35.3", 3, ""),
        ],
        &rollout,
        &[("2026-12-05T22:00:00+01:00", 8)],
    )
}

#[test]
fn max_concurrency_one_serialises_the_clusters_of_a_stage() {
    let (_, schedule) = run(&two_clusters_one_stage(1));
    assert_eq!(
        ends(&schedule, "aks-a/pool/system/1.36"),
        "2026-12-05T23:05:00+01:00"
    );
    assert_eq!(at(&schedule, "aks-b/cp/1.36"), "2026-12-05T23:05:00+01:00");
    assert_eq!(
        ends(&schedule, "aks-b/pool/system/1.36"),
        "2026-12-06T00:10:00+01:00"
    );
    assert!(schedule.findings.is_empty(), "{:#?}", schedule.findings);

    // Two at a time: both start with the window.
    let (_, schedule) = run(&two_clusters_one_stage(2));
    assert_eq!(at(&schedule, "aks-a/cp/1.36"), "2026-12-05T22:00:00+01:00");
    assert_eq!(at(&schedule, "aks-b/cp/1.36"), "2026-12-05T22:00:00+01:00");
}

/// `aks-a` starts (control plane) but its 10-hour pool fits no window: with one slot, `aks-b`
/// never starts.
fn one_slot_never_freed() -> String {
    let rollout = "  rollout:\n    stages:\n      - name: prod\n        clusters: [aks-a, aks-b]\n        maxConcurrency: 1\n";
    plan(
        "2026-12-01",
        &[
            cluster("aks-a", "1.35.3", 40, ""),
            cluster("aks-b", "1.35.3", 3, ""),
        ],
        rollout,
        &[("2026-12-05T22:00:00+01:00", 8)],
    )
}

#[test]
fn a_cluster_that_never_finishes_keeps_its_slot() {
    // One finding per cluster.
    let (_, schedule) = run(&one_slot_never_freed());
    assert_eq!(codes(&schedule), ["AKS210", "AKS210"]);
    assert!(
        schedule.findings[0]
            .message
            .contains("`aks-a/pool/system/1.36` takes 10h 00m")
    );
    assert!(
        schedule.findings[1].message.contains(
            "stage `prod` upgrades 1 cluster at a time (`maxConcurrency`) and cluster `aks-a` does not finish"
        ),
        "{}",
        schedule.findings[1].message
    );
    assert!(placed(&schedule, "aks-a/cp/1.36").window_index.is_some());
    assert!(schedule.unscheduled.contains(&"aks-b/cp/1.36".to_owned()));
}

/// Every step is found by its id: a placed one at its own placement, an unscheduled one (and an
/// id no step has) nowhere. The lookup searches placements sorted by id.
#[test]
fn each_step_is_found_by_its_id() {
    let (compiled, schedule) = run(&one_slot_never_freed());
    assert!(!schedule.placements.is_empty() && !schedule.unscheduled.is_empty());
    for step in &compiled.steps {
        match schedule.placement(&step.id) {
            // The step's own id, shared.
            Some(placement) => assert!(std::sync::Arc::ptr_eq(&placement.step_id, &step.id)),
            None => assert!(
                schedule.unscheduled.iter().any(|u| **u == *step.id),
                "{} lost",
                step.id
            ),
        }
    }
    for placement in &schedule.placements {
        assert!(std::ptr::eq(
            schedule.placement(&placement.step_id).unwrap(),
            placement
        ));
    }
    for id in ["", "aks-a", "aks-a/cp/1.36/", "zzz"] {
        assert!(schedule.placement(id).is_none(), "{id}");
    }
}

#[test]
fn after_stage_wait_delays_the_next_stage() {
    let rollout = "  rollout:\n    stages:\n      - name: dev\n        clusters: [aks-a]\n        afterStageWait: 24h\n      - name: prod\n        clusters: [aks-b]\n";
    let yaml = plan(
        "2026-12-01",
        &[
            cluster("aks-a", "1.35.3", 3, ""),
            cluster("aks-b", "1.35.3", 3, ""),
        ],
        rollout,
        &[("2026-12-05T22:00:00+01:00", 8), ("2026-12-06T22:00:00+01:00", 8)],
    );
    let (_, schedule) = run(&yaml);
    // dev ends at 23:05; the soak takes 24h of wall time, outside any window.
    let wait = placed(&schedule, "stage/dev/wait");
    assert_eq!(wait.window_index, None);
    assert_eq!(at(&schedule, "stage/dev/wait"), "2026-12-05T23:05:00+01:00");
    assert_eq!(ends(&schedule, "stage/dev/wait"), "2026-12-06T23:05:00+01:00");
    assert_eq!(at(&schedule, "aks-b/cp/1.36"), "2026-12-06T23:05:00+01:00");
    assert_eq!(placed(&schedule, "aks-b/cp/1.36").window_index, Some(1));
}

#[test]
fn an_approval_gate_waits_for_the_next_window() {
    let rollout = "  rollout:\n    stages:\n      - name: dev\n        clusters: [aks-a]\n      - name: prod\n        clusters: [aks-b]\n        approval: true\n";
    let yaml = plan(
        "2026-12-01",
        &[
            cluster("aks-a", "1.35.3", 3, ""),
            cluster("aks-b", "1.35.3", 3, ""),
        ],
        rollout,
        &[("2026-12-05T22:00:00+01:00", 8), ("2026-12-12T22:00:00+01:00", 8)],
    );
    let (_, schedule) = run(&yaml);
    assert_eq!(at(&schedule, "stage/prod/approval"), "2026-12-12T22:00:00+01:00");
    assert_eq!(
        ends(&schedule, "stage/prod/approval"),
        "2026-12-12T22:00:00+01:00"
    );
    assert_eq!(at(&schedule, "aks-b/cp/1.36"), "2026-12-12T22:00:00+01:00");
}

#[test]
fn not_allowed_dates_skip_a_window() {
    let maintenance = r#"        maintenance:
          aksManagedNodeOSUpgradeSchedule:
            schedule:
              weekly:
                intervalWeeks: 1
                dayOfWeek: Sunday
            durationHours: 6
            startTime: "02:00"
            utcOffset: "+01:00"
            notAllowedDates:
              - { start: 2026-12-05, end: 2026-12-06 }
"#;
    // The maintenance configuration belongs under `current`: splice it in after the pools.
    let frozen = cluster("aks-a", "1.35.3", 3, "").replacen(
        "        nodePools:",
        &format!("{maintenance}        nodePools:"),
        1,
    );
    let yaml = plan(
        "2026-12-01",
        &[frozen, cluster("aks-b", "1.35.3", 3, "")],
        "",
        &[("2026-12-05T22:00:00+01:00", 8), ("2026-12-12T22:00:00+01:00", 8)],
    );
    let (_, schedule) = run(&yaml);
    // The frozen cluster skips the first window (it falls on 2026-12-05 and 2026-12-06).
    assert_eq!(placed(&schedule, "aks-a/cp/1.36").window_index, Some(1));
    assert_eq!(at(&schedule, "aks-a/cp/1.36"), "2026-12-12T22:00:00+01:00");
    // The other one does not.
    assert_eq!(placed(&schedule, "aks-b/cp/1.36").window_index, Some(0));
    assert!(schedule.findings.is_empty(), "{:#?}", schedule.findings);
}

#[test]
fn an_end_of_support_miss_gives_aks211() {
    // 1.34 ends on 2026-11-30; the first window opens on 2026-12-05.
    let yaml = plan(
        "2026-11-01",
        &[cluster("aks-a", "1.34.6", 3, "")],
        "",
        &[("2026-12-05T22:00:00+01:00", 8)],
    );
    let (_, schedule) = run(&yaml);
    assert_eq!(codes(&schedule), ["AKS211"]);
    let finding = &schedule.findings[0];
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(
        finding.message,
        "cluster `aks-a` leaves `1.34` on 2026-12-05, after its end of support on 2026-11-30"
    );
    assert_eq!(
        finding.pointer.as_deref(),
        Some("/spec/clusters/0/current/kubernetesVersion")
    );

    // A window before the end of support: no finding.
    let yaml = plan(
        "2026-11-01",
        &[cluster("aks-a", "1.34.6", 3, "")],
        "",
        &[("2026-11-28T22:00:00+01:00", 8)],
    );
    let (_, schedule) = run(&yaml);
    assert!(schedule.findings.is_empty(), "{:#?}", schedule.findings);
}

#[test]
fn no_change_windows_is_an_info_and_schedules_nothing() {
    let yaml = plan("2026-12-01", &[cluster("aks-a", "1.35.3", 3, "")], "", &[]);
    let (_, schedule) = run(&yaml);
    assert_eq!(codes(&schedule), ["AKS212"]);
    assert_eq!(schedule.findings[0].severity, Severity::Info);
    assert!(schedule.placements.is_empty());
    assert!(schedule.unscheduled.is_empty());
    assert_eq!(schedule.end, None);
}

#[test]
fn the_schedule_is_the_same_on_every_run() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fleet-three-stages.yaml"),
    )
    .unwrap();
    let render = || {
        let (_, schedule) = run(&text);
        let findings: Vec<String> = schedule.findings.iter().map(|f| f.message.clone()).collect();
        (serde_json::to_string(&schedule).unwrap(), findings)
    };
    let first = render();
    assert!(first.0.contains("\"placements\""));
    assert_eq!(first, render());
}

/// The policy input's schedule is the schedule's JSON less what each step carries (placements,
/// each window's step list), key for key and in the order that document has always had.
#[test]
fn the_schedule_without_placements_is_the_schedule_less_them() {
    let yaml = plan(
        "2026-12-01",
        &[
            cluster("aks-a", "1.35.3", 3, ""),
            cluster("aks-b", "1.35.3", 2, ""),
        ],
        "",
        &[("2026-12-05T22:00:00+01:00", 1), ("2026-12-06T22:00:00+01:00", 4)],
    );
    let (_, schedule) = run(&yaml);
    let mut whole = serde_json::to_value(&schedule).unwrap();
    assert!(!whole["placements"].as_array().unwrap().is_empty());
    for window in whole["windows"].as_array_mut().unwrap() {
        assert!(window.as_object_mut().unwrap().shift_remove("steps").is_some());
    }
    let whole = whole.as_object_mut().unwrap();
    whole.shift_remove("placements");
    // The order the document got from removing `placements` by swapping in the last key.
    let keys = ["windows", "channelWindows", "unscheduled", "end"];
    let expected: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), whole[*k].clone()))
        .collect();
    let without = serde_json::to_string(&aksplan_graph::schedule::WithoutPlacements(&schedule)).unwrap();
    assert_eq!(without, serde_json::to_string(&expected).unwrap());
}

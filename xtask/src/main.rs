//! Developer tasks: `cargo xtask codegen [--check]` writes (or checks) the files generated from
//! code: `schemas/plan.schema.json` (from the plan types), `docs/rules.md` (from the code
//! registry) and `docs/man/aksplan.1` (from the CLI's clap definition). CI runs `--check`, so none
//! can drift from the code.
//!
//! `cargo xtask gen-fleet --clusters N --pools M --seed S -o DIR` writes `DIR/plan.yaml`, a
//! synthetic but realistic fleet plan for benchmarks (`scripts/bench.sh`, docs/performance.md).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a developer tool run from a terminal: its messages are its output"
)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(check),
        Some("gen-fleet") => gen_fleet(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            eprintln!("       cargo xtask gen-fleet --clusters N --pools M [--seed S] -o DIR");
            ExitCode::from(2)
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The man page, from the binary's own clap definition (`aksplan man`).
fn man_page() -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    std::process::Command::new(cargo)
        .args(["run", "-q", "-p", "aksplan-cli", "--bin", "aksplan", "--", "man"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default()
}

/// `docs/rules.md`: the registry's codes plus the compiler's (verification and scheduling) and the
/// policy evaluator's, which the rules crate cannot name (those crates depend on it).
fn rules_markdown() -> String {
    let mut codes = aksplan_rules::registry::all_codes();
    codes.push(aksplan_graph::VERIFY_CODE);
    codes.push(aksplan_policy::POLICY_ERROR);
    codes.extend(aksplan_graph::schedule::CODES);
    aksplan_rules::registry::rules_markdown_for(&codes)
}

fn codegen(check: bool) -> ExitCode {
    let files = [
        (
            "schemas/plan.schema.json",
            aksplan_model::schema::plan_schema_text(),
        ),
        ("docs/rules.md", rules_markdown()),
        ("docs/man/aksplan.1", man_page()),
    ];
    let mut stale = false;
    for (path, content) in files {
        let full = root().join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == content {
            continue;
        }
        if check {
            eprintln!("{path} is out of date: run `cargo xtask codegen`");
            stale = true;
        } else if let Err(err) = std::fs::write(&full, content) {
            eprintln!("cannot write {path}: {err}");
            return ExitCode::FAILURE;
        } else {
            eprintln!("wrote {path}");
        }
    }
    if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A small deterministic generator (PCG-style LCG step, high bits out): no `rand` dependency.
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Self {
        let mut lcg = Lcg(seed ^ 0x9e37_79b9_7f4a_7c15);
        lcg.next();
        lcg
    }
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// A value in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn gen_fleet(args: &[String]) -> ExitCode {
    let mut clusters: Option<usize> = None;
    let mut pools: Option<usize> = None;
    let mut seed: u64 = 1;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next();
        let ok = match (arg.as_str(), value) {
            ("--clusters", Some(v)) => v.parse().map(|n| clusters = Some(n)).is_ok(),
            ("--pools", Some(v)) => v.parse().map(|n| pools = Some(n)).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|n| seed = n).is_ok(),
            ("-o" | "--output", Some(v)) => {
                out = Some(PathBuf::from(v));
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("gen-fleet: bad argument `{arg}`");
            return ExitCode::from(2);
        }
    }
    let (Some(clusters), Some(pools), Some(out)) = (clusters, pools, out) else {
        eprintln!("usage: cargo xtask gen-fleet --clusters N --pools M [--seed S] -o DIR");
        return ExitCode::from(2);
    };
    if clusters == 0 || pools == 0 {
        eprintln!("gen-fleet: --clusters and --pools must be at least 1");
        return ExitCode::from(2);
    }
    let text = fleet_yaml(clusters, pools, seed);
    let path = out.join("plan.yaml");
    if let Err(err) = std::fs::create_dir_all(&out).and_then(|()| std::fs::write(&path, text)) {
        eprintln!("gen-fleet: cannot write {}: {err}", path.display());
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {} ({clusters} clusters x {pools} pools)", path.display());
    ExitCode::SUCCESS
}

#[derive(Clone, Copy, PartialEq)]
enum PoolKind {
    System,
    User,
    Spot,
    Windows,
}

/// The kind of pool `j` of a cluster: the first is the System pool; every fourth a Windows pool,
/// every fourth (offset by one) a Spot pool, the rest Linux user pools.
fn pool_kind(j: usize) -> PoolKind {
    match (j, j % 4) {
        (0, _) => PoolKind::System,
        (_, 3) => PoolKind::Windows,
        (_, 2) => PoolKind::Spot,
        _ => PoolKind::User,
    }
}

fn pool_name(j: usize) -> String {
    match pool_kind(j) {
        PoolKind::System => "system".into(),
        PoolKind::User => format!("user{j}"),
        PoolKind::Spot => format!("spot{j}"),
        // Windows pool names have at most 6 characters.
        PoolKind::Windows => format!("win{}", j % 1000),
    }
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const LOCATIONS: [&str; 4] = ["westeurope", "northeurope", "swedencentral", "germanywestcentral"];
const UBUNTU_IMAGE: &str = "AKSUbuntu-2404gen2containerd-202610.14.0";
const UBUNTU_OLD_IMAGE: &str = "AKSUbuntu-2204gen2containerd-202608.19.0";
const WINDOWS_IMAGE: &str = "AKSWindows-2022-containerd-20348.5660.261014";

/// Is cluster `i` one of the few still on 1.34 (every 25th, from the eighth)?
fn on_134(i: usize) -> bool {
    i % 25 == 7
}

fn fleet_yaml(n: usize, m: usize, seed: u64) -> String {
    use std::fmt::Write as _;
    let mut rng = Lcg::new(seed);
    // Stages: dev 2 %, staging 8 %, prod the rest (each at least one cluster while there are any).
    let dev = n.div_ceil(50).max(1);
    let staging = (n * 8).div_ceil(100).max(1).min(n - dev);
    let stage_of = |i: usize| {
        if i < dev {
            "dev"
        } else if i < dev + staging {
            "staging"
        } else {
            "prod"
        }
    };
    let name = |i: usize| format!("aks-c{i:05}");
    let mut y = String::with_capacity(n * m * 700 + 4096);
    let _ = writeln!(
        y,
        "# Generated by `cargo xtask gen-fleet --clusters {n} --pools {m} --seed {seed}`."
    );
    y.push_str("apiVersion: aksplan/v1\nkind: UpgradePlan\nmetadata:\n");
    let _ = writeln!(y, "  name: fleet-{n}x{m}-to-1-36");
    y.push_str("  change: CHG-9000\n  owner: platform-team\n");
    y.push_str("  description: Synthetic fleet for benchmarks; moves every cluster to 1.36.\n");
    y.push_str("  labels:\n    costCenter: \"4711\"\n    generator: gen-fleet\n");
    y.push_str(
        "spec:\n  asOf: 2026-12-01\n  target:\n    kubernetesVersion: \"1.36\"\n    nodeImage: latest\n",
    );
    y.push_str("  rollout:\n    stages:\n");
    let stages = [
        ("dev", 0, dev, "24h", dev.max(1)),
        ("staging", dev, dev + staging, "2d", staging.div_ceil(2).max(1)),
        ("prod", dev + staging, n, "", (n / 10).max(4)),
    ];
    for (stage, from, to, wait, conc) in stages {
        if from >= to {
            continue;
        }
        let _ = writeln!(y, "      - name: {stage}");
        y.push_str("        clusters:\n");
        for i in from..to {
            let _ = writeln!(y, "          - {}", name(i));
        }
        if !wait.is_empty() && to < n {
            let _ = writeln!(y, "        afterStageWait: {wait}");
        }
        let _ = writeln!(y, "        maxConcurrency: {conc}");
    }
    y.push_str("  clusters:\n");
    let mut waived_134: Option<usize> = None;
    for i in 0..n {
        let stage = stage_of(i);
        let prod = stage == "prod";
        let (cp, image) = if on_134(i) {
            waived_134.get_or_insert(i);
            ("1.34.6".to_string(), UBUNTU_OLD_IMAGE)
        } else {
            (format!("1.35.{}", 1 + rng.below(3)), UBUNTU_IMAGE)
        };
        let _ = writeln!(y, "    - name: {}", name(i));
        let _ = writeln!(y, "      resourceGroup: rg-c{i:05}");
        let _ = writeln!(y, "      subscription: 2b7e1c40-5a9d-4e3f-9b21-{:012x}", i / 100);
        let _ = writeln!(y, "      location: {}", LOCATIONS[rng.below(4) as usize]);
        y.push_str("      current:\n");
        let _ = writeln!(y, "        kubernetesVersion: \"{cp}\"");
        let _ = writeln!(
            y,
            "        tier: {}",
            if stage == "dev" { "Free" } else { "Standard" }
        );
        y.push_str("        supportPlan: KubernetesOfficial\n        nodePools:\n");
        let mut linux = Vec::new();
        let mut windows = Vec::new();
        for j in 0..m {
            let kind = pool_kind(j);
            let pool = pool_name(j);
            let count = 2 + rng.below(10);
            let _ = writeln!(y, "          - name: {pool}");
            let mode = if kind == PoolKind::System {
                "System"
            } else {
                "User"
            };
            let _ = writeln!(y, "            mode: {mode}");
            if kind == PoolKind::Windows {
                y.push_str("            osType: Windows\n            osSKU: Windows2022\n");
            } else {
                y.push_str("            osType: Linux\n            osSKU: Ubuntu\n");
            }
            let _ = writeln!(y, "            orchestratorVersion: \"{cp}\"");
            let img = if kind == PoolKind::Windows {
                WINDOWS_IMAGE
            } else {
                image
            };
            let _ = writeln!(y, "            nodeImageVersion: {img}");
            let _ = writeln!(y, "            count: {count}");
            let vm = ["Standard_D4s_v5", "Standard_D8s_v5", "Standard_F16s_v2"][rng.below(3) as usize];
            let _ = writeln!(y, "            vmSize: {vm}");
            match kind {
                PoolKind::Spot => {
                    y.push_str("            scaleSetPriority: Spot\n            enableAutoScaling: true\n");
                    let _ = writeln!(y, "            minCount: 0\n            maxCount: {}", count * 2);
                    y.push_str("            upgradeSettings:\n              maxSurge: 0\n");
                    y.push_str("              maxUnavailable: 1\n");
                }
                PoolKind::User => {
                    if rng.below(2) == 0 {
                        y.push_str("            enableAutoScaling: true\n");
                        let _ = writeln!(y, "            minCount: 1\n            maxCount: {}", count * 2);
                    }
                    y.push_str("            upgradeSettings:\n              maxSurge: \"33%\"\n");
                    let _ = writeln!(
                        y,
                        "              drainTimeoutInMinutes: {}",
                        15 * (1 + rng.below(4))
                    );
                }
                PoolKind::System | PoolKind::Windows => {
                    y.push_str("            upgradeSettings:\n              maxSurge: \"33%\"\n");
                    y.push_str("              drainTimeoutInMinutes: 30\n");
                }
            }
            if kind == PoolKind::Windows {
                windows.push(pool);
            } else if kind != PoolKind::System {
                linux.push(pool);
            }
        }
        y.push_str("        channels:\n          upgradeChannel: patch\n");
        y.push_str("          nodeOSUpgradeChannel: NodeImage\n");
        y.push_str(
            "        maintenance:\n          default:\n            schedule:\n              weekly:\n",
        );
        let _ = writeln!(y, "                dayOfWeek: {}", DAYS[rng.below(5) as usize]);
        y.push_str("            durationHours: 4\n");
        let _ = writeln!(y, "            startTime: \"{:02}:00\"", rng.below(6));
        y.push_str("            utcOffset: \"+01:00\"\n");
        y.push_str(
            "          aksManagedNodeOSUpgradeSchedule:\n            schedule:\n              weekly:\n",
        );
        y.push_str("                intervalWeeks: 1\n");
        let _ = writeln!(
            y,
            "                dayOfWeek: {}",
            DAYS[5 + rng.below(2) as usize]
        );
        y.push_str("            durationHours: 6\n");
        let _ = writeln!(y, "            startTime: \"{:02}:00\"", rng.below(6));
        y.push_str("            utcOffset: \"+01:00\"\n");
        if prod {
            y.push_str(
                "            notAllowedDates:\n              - { start: 2026-12-20, end: 2027-01-03 }\n",
            );
        }
        // The change turns cluster auto-upgrade off, except on the first dev cluster (waived).
        if i != 0 {
            y.push_str("      channels: { upgradeChannel: none }\n");
        }
        // Waves: system, then the Linux user and Spot pools, then the Windows pools on their own.
        y.push_str("      poolOrder: [system");
        for wave in [&linux, &windows] {
            match wave.len() {
                0 => {}
                1 => {
                    let _ = write!(y, ", {}", wave[0]);
                }
                _ => {
                    let _ = write!(y, ", [{}]", wave.join(", "));
                }
            }
        }
        y.push_str("]\n");
    }
    // Recurring weekly CAB slots, 8 h each: every weeknight (Monday to Friday) for 12 weeks
    // from Wednesday 2026-12-02, enough for the whole fleet to finish before 1.35 leaves support.
    y.push_str("  changeWindows:\n");
    let mut slot = 0;
    for d in 0..7 * 12 {
        // Day 0 is a Wednesday (index 2 in DAYS).
        let weekday = (2 + d) % 7;
        if weekday >= 5 {
            continue;
        }
        slot += 1;
        let (year, month, day) = add_days(2026, 12, 2, d);
        let _ = writeln!(
            y,
            "    - {{ name: CAB {} slot {slot}, start: {year:04}-{month:02}-{day:02}T22:00:00+01:00, durationHours: 8 }}",
            DAYS[weekday]
        );
    }
    y.push_str("  waivers:\n");
    y.push_str("    - rule: AKS135\n      scope: clusters/aks-c00000\n");
    y.push_str(
        "      reason: The first dev cluster keeps the patch auto-upgrade channel during the change.\n",
    );
    y.push_str("      ticket: RISK-0042\n      approvedBy: head-of-platform@contoso.example\n");
    y.push_str("      expires: 2026-12-31\n");
    if let Some(i) = waived_134 {
        y.push_str("    - rule: AKS114\n");
        let _ = writeln!(y, "      scope: clusters/{}", name(i));
        y.push_str(
            "      reason: This cluster stayed on 1.34 until a vendor agent was certified for 1.35.\n",
        );
        y.push_str(
            "      ticket: CHG-5188\n      approvedBy: cab@contoso.example\n      expires: 2027-01-31\n",
        );
    }
    y
}

/// The civil date `days` days after `year-month-day` (Gregorian calendar).
fn add_days(mut year: u32, mut month: u32, mut day: u32, days: usize) -> (u32, u32, u32) {
    for _ in 0..days {
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let len = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        day += 1;
        if day > len {
            day = 1;
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
    }
    (year, month, day)
}

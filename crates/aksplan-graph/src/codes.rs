//! The compiler's own diagnostic codes: the verifier's (AKS200) and the scheduler's (AKS210-AKS212).
//!
//! They are declared here, together, and re-exported where callers have always found them
//! (`aksplan_graph::VERIFY_CODE`, `aksplan_graph::schedule::CODES`), so that moving them into the
//! central registry later touches one file. The rules' codes that steps and verifier findings
//! cite are the rules' own constants (`aksplan_rules::rules::<topic>::<rule>::CODE`).

use aksplan_model::codes::{Category, Code, CodeInfo};
use aksplan_model::finding::Severity;

/// The code of a verification finding: a compiled step breaks a rule in an intermediate state.
pub const VERIFY_CODE: Code = Code(&CodeInfo {
    id: "AKS200",
    title: "A compiled step would break an upgrade rule",
    severity: Severity::Error,
    category: Category::Rule,
    docs: "## What it checks
After compiling the plan into steps, aksplan replays them in graph order on a simulated cluster
state and checks, after every step: the control plane moves at most one minor (except an LTS
jump the catalog lists) and never down; no pool is newer than the control plane, on another
major, or further behind than the skew window (3 minors from 1.28, 2 before); pools move at
most one minor per upgrade (unless their `nodepool get-upgrades` file offers more); and at the
end every component has reached the target. The finding names the step, the broken rule and
the state of every component.

## Why
The rules of `aks-upgrade-rules.md` §1–§2 hold not only for the start and the end but for every
state in between: AKS rejects any step that would break them, mid-change, at 2 a.m.

## Example
```text
after step `aks-prod/cp/1.36.1`: AKS112: pool `legacy` (1.32.6) would be 4 minors behind the
control plane (1.36.1); state: control plane 1.36.1, legacy 1.32.6, system 1.36.1
```",
});

/// A step that fits no change window (and the steps after it).
pub const NO_FIT_CODE: Code = Code(&CodeInfo {
    id: "AKS210",
    title: "A step does not fit any change window",
    severity: Severity::Warning,
    category: Category::Rule,
    docs: "## What it checks
After compiling, aksplan places every step into the plan's `changeWindows`, in graph order, as
early as it fits: a step starts once the steps it depends on have finished and must start and
finish inside one window; a stage's `maxConcurrency` limits how many of its clusters run at once;
a cluster's steps stay off the days in the `notAllowedDates` of its maintenance configurations.
A step longer than every window, or one for which no window is left, is reported once per
cluster, with the number of the cluster's steps that cannot be scheduled after it; the steps of
later stages wait for it too, and their clusters are reported as well.

## Why
A change window is what the change board approved. A step planned to run past it, or after the
last one, is work nobody approved: the operator either stops half-way (a cluster between two
minors, pools behind the control plane) or overruns the window. Both should be decided before the
change, not at 2 a.m.

## Example
```text
warning[AKS210]: step `aks-prod/pool/web/1.36.1` takes 9h 00m, longer than any change window
(the longest is 8h); 2 later steps of cluster `aks-prod` are not scheduled either
```",
});

/// A cluster that leaves a version only after its end of support.
pub const SUPPORT_CODE: Code = Code(&CodeInfo {
    id: "AKS211",
    title: "A cluster passes its end of support before its last hop",
    severity: Severity::Error,
    category: Category::Rule,
    docs: "## What it checks
For each cluster, the version it runs now and every intermediate hop are held until the
control-plane step that leaves them finishes in the schedule. If that finish date (in the change
window's offset) is after the version's end of support (community `endOfLife`, or
`ltsEndOfLife` for clusters on the LTS plan, from the catalog), and that end of support is not
already past on `asOf` (AKS120 reports those), the plan is rejected. A leaving step that fits no
window counts as well when support ends before the end of the last window.

## Why
After end of support, AKS ships no more patches for the minor: no security fixes, no platform
SLA, and once the minor falls out of platform support AKS upgrades the cluster on its own
(`aks-upgrade-rules.md` §2.3). A plan that reaches the target only after that date leaves the
cluster exposed for the days in between; the windows must be earlier, or the cluster must move to
Long-Term Support first.

## Example
```text
error[AKS211]: cluster `aks-prod` leaves `1.34` on 2026-12-05, after its end of support on
2026-11-30
```",
});

/// A plan without change windows: nothing to schedule into.
pub const NO_WINDOWS_CODE: Code = Code(&CodeInfo {
    id: "AKS212",
    title: "No change windows: steps are not scheduled",
    severity: Severity::Info,
    category: Category::Rule,
    docs: "## What it checks
The plan has no `spec.changeWindows`, so aksplan does not place its steps in time: `aksplan
plan` shows the route and the estimates, but no schedule, no finish date and no end-of-support
check against that date (AKS211).

## Why
Whether the change fits the time the change board approved, and whether every cluster leaves
its version before the version's end of support, can only be judged against windows.

## Example
```text
info[AKS212]: the plan has no `changeWindows`, so its steps are not scheduled
```",
});

/// Every code of the scheduler.
pub const SCHEDULE_CODES: [Code; 3] = [NO_FIT_CODE, SUPPORT_CODE, NO_WINDOWS_CODE];

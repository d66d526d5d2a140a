//! The registry of diagnostic codes.
//!
//! Every finding carries a `Code`: a stable identifier that users put in waivers, SARIF rule ids
//! and `aksplan explain`. Codes are never renumbered or reused. `AKS0xx` are about reading the
//! plan and its own consistency, `AKS1xx` and up are the built-in upgrade rules (their own crate),
//! `AKS9xx` mean aksplan could not run at all (exit code 2, not a verdict on the plan).

use std::fmt;

use crate::finding::Severity;

/// What a code is about; decides the exit code and the docs section it is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// The file could not be read as a plan (syntax, encoding, limits, schema).
    Input,
    /// The plan is well-formed but not self-consistent.
    Model,
    /// A built-in Kubernetes or AKS upgrade rule.
    Rule,
    /// A team's Rego policy.
    Policy,
    /// aksplan could not run (missing file, bad usage): not a verdict on the plan.
    Tool,
}

/// Static facts about one code; `docs` is Markdown with `## What it checks`, `## Why` and
/// `## Example` sections.
#[derive(Debug)]
pub struct CodeInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub docs: &'static str,
}

/// A diagnostic code; cheap to copy, compares by id.
#[derive(Clone, Copy)]
pub struct Code(pub &'static CodeInfo);

impl Code {
    pub fn id(self) -> &'static str {
        self.0.id
    }
    pub fn title(self) -> &'static str {
        self.0.title
    }
    pub fn severity(self) -> Severity {
        self.0.severity
    }
    pub fn category(self) -> Category {
        self.0.category
    }
    pub fn docs(self) -> &'static str {
        self.0.docs
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}
impl Eq for Code {}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

macro_rules! define_codes {
    ($( $name:ident = $id:literal, $sev:ident, $cat:ident, $title:literal, $docs:literal; )*) => {
        $(
            pub const $name: Code = Code(&CodeInfo {
                id: $id,
                title: $title,
                severity: Severity::$sev,
                category: Category::$cat,
                docs: $docs,
            });
        )*
        /// Every code this crate defines, in id order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

define_codes! {
    SYNTAX = "AKS001", Error, Input, "The file is not valid YAML, TOML or JSON",
"## What it checks
The plan (or a file it points to) must parse in the format its extension names: `.yaml`/`.yml`,
`.toml` or `.json`. Tabs are not allowed for YAML indentation.

## Why
Nothing else can be checked in a file that does not parse.

## Example
```yaml
spec:
	target: {}      # a tab: YAML indentation must use spaces
```";

    LIMIT = "AKS002", Error, Input, "The file exceeds a safety limit",
"## What it checks
Every file aksplan reads (plans, `currentFrom` JSON, catalogs, manifests, policies) is refused
when it is larger than the input limit, 16 MiB unless `--max-input-size` (or `max-input-size`
in aksplan.toml, or `AKSPLAN_MAX_INPUT_SIZE`) raises it; the size is checked before the file is
read. Documents are also refused when they nest deeper than 64 levels, or expand YAML aliases
past the parser's budget (which grows with the input limit).

## Why
A plan is data a reviewer can read. Inputs past these limits are mistakes or attacks (the
\"billion laughs\" alias bomb) and would otherwise cost minutes of CPU or all of the memory.
A fleet that really is larger can raise the limit: `--max-input-size 32MiB`.

## Example
```yaml
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]   # ... and so on
```";

    ENCODING = "AKS003", Error, Input, "The file is not UTF-8 text",
"## What it checks
The file must be UTF-8 encoded text.

## Why
YAML, TOML and JSON are Unicode text formats; bytes that are not UTF-8 cannot be shown or parsed.

## Example
A plan saved as UTF-16 or Latin-1 by an editor, or a binary file given by mistake.";

    EMPTY = "AKS004", Error, Input, "The file is empty",
"## What it checks
The plan file must contain a document.

## Why
An empty file is almost always a wrong path or a failed redirect.

## Example
```console
$ aksplan check empty.yaml
```";

    DUPLICATE_KEY = "AKS005", Error, Input, "A key appears twice in one mapping",
"## What it checks
Every key in a mapping must be unique.

## Why
Parsers disagree on which duplicate wins; a reviewer reading the first one may not be reading
the one that counts.

## Example
```yaml
target:
  kubernetesVersion: \"1.31\"
  kubernetesVersion: \"1.32\"
```";

    NOT_A_PLAN = "AKS006", Error, Input, "The file is not an aksplan plan",
"## What it checks
A plan starts with `apiVersion: aksplan/v1` and `kind: UpgradePlan`.

## Why
Other documents (Kubernetes manifests, `az aks show` output) look similar enough to be passed by
mistake; saying so early is clearer than a page of schema errors.

## Example
```yaml
apiVersion: v1
kind: ConfigMap
```";

    AS_OF_TODAY = "AKS007", Info, Model, "No `asOf` date: support status is judged as of today",
"## What it checks
Support status is computed as of the plan's `spec.asOf`, or the `--as-of` flag. When neither is
given, aksplan uses today's date and says so with this note.

## Why
A plan checked in CI should give the same verdict tomorrow as today: results that depend on the
wall clock are not reproducible. Set `asOf` to the date of the change.

## Example
```yaml
spec:
  asOf: 2026-12-01
```";

    UNKNOWN_FIELD = "AKS010", Error, Input, "Unknown field",
"## What it checks
Every field must be one the plan language defines at that place.

## Why
A misspelt field (`maxSurg`) would otherwise be ignored silently and the plan would not do what
it says. The hint names the closest known field.

## Example
```yaml
upgradeSettings: { maxSurg: 33% }
```";

    MISSING_FIELD = "AKS011", Error, Input, "A required field is missing",
"## What it checks
Required fields (for example a cluster's `name` and `resourceGroup`) must be present.

## Why
aksplan cannot plan an upgrade for a cluster it cannot name or address.

## Example
```yaml
clusters:
  - name: aks-dev    # resourceGroup is missing
```";

    WRONG_TYPE = "AKS012", Error, Input, "A value has the wrong type",
"## What it checks
Each field has a type: string, integer, list, mapping.

## Why
A list where a mapping is expected (or the reverse) means the plan says something other than
what its author meant.

## Example
```yaml
count: three
```";

    INVALID_VALUE = "AKS013", Error, Input, "A value is not allowed here",
"## What it checks
Values must be one of the allowed names (for example `mode: System|User`), match the expected
pattern, or be within range.

## Why
AKS rejects these values; catching them in review is cheaper than at 2 a.m.

## Example
```yaml
mode: system      # AKS spells it `System`
```";

    UNQUOTED_VERSION = "AKS014", Error, Input, "A version is written as a number",
"## What it checks
Kubernetes versions must be quoted strings.

## Why
YAML and TOML read an unquoted `1.30` as the number 1.3, which is a different version. aksplan
refuses to guess.

## Example
```yaml
kubernetesVersion: 1.30     # write \"1.30\"
```";

    INVALID_VERSION = "AKS015", Error, Input, "A version is not a Kubernetes version AKS accepts",
"## What it checks
Versions are a minor (`1.30`) or an exact patch (`1.30.9`): no `v` prefix, no pre-release suffix,
no leading zeros. LTS patch numbers of 100 and more (`1.27.100`) are valid.

## Why
AKS accepts only these forms; anything else fails at `az aks upgrade` time.

## Example
```yaml
kubernetesVersion: v1.30.0
```";

    INVALID_TIME = "AKS016", Error, Input, "A date, time or duration does not parse",
"## What it checks
Dates are `YYYY-MM-DD`, times of day `HH:MM`, timestamps RFC 3339 with an offset
(`2026-12-05T22:00:00+01:00`), UTC offsets `+HH:MM`, durations like `48h` or `30m`.

## Why
Windows and expiry dates decide when a change may run; an ambiguous date is a change at the
wrong time.

## Example
```yaml
asOf: 2026-13-01
```";

    DUPLICATE_NAME = "AKS020", Error, Model, "A name is used twice",
"## What it checks
Cluster names, node pool names within a cluster, and stage names must be unique.

## Why
Steps, waivers and orders refer to things by name; a duplicate makes them ambiguous.

## Example
```yaml
clusters:
  - name: aks-prod
  - name: aks-prod
```";

    POOL_ORDER_UNKNOWN = "AKS021", Error, Model, "`poolOrder` names a pool the cluster does not have",
"## What it checks
Every name in a cluster's `poolOrder` must be one of its node pools.

## Why
A misspelt pool in the order would leave the real pool unordered.

## Example
```yaml
poolOrder: [system, wbe]
```";

    POOL_ORDER_INCOMPLETE = "AKS022", Error, Model, "`poolOrder` leaves out a pool or lists one twice",
"## What it checks
When a cluster has a `poolOrder`, it lists every node pool exactly once.

## Why
An order that forgets a pool is an order nobody reviewed for that pool.

## Example
```yaml
nodePools: [{name: system}, {name: web}]
poolOrder: [system]          # web is missing
```";

    STAGE_UNKNOWN_CLUSTER = "AKS023", Error, Model, "A rollout stage names an unknown cluster",
"## What it checks
Every cluster named in `rollout.stages[].clusters` must be defined under `clusters`.

## Why
A stage with a misspelt cluster silently skips the cluster the reviewer thinks it holds.

## Example
```yaml
rollout: { stages: [ { name: prod, clusters: [aks-prdo] } ] }
```";

    STAGE_COVERAGE = "AKS024", Error, Model, "A cluster is in no rollout stage, or in several",
"## What it checks
When the plan has rollout stages, each cluster belongs to exactly one stage.

## Why
A cluster outside every stage would never be upgraded; one in two stages would be upgraded twice
or at the wrong time.

## Example
```yaml
rollout: { stages: [ { name: dev, clusters: [aks-dev] } ] }   # aks-prod is in no stage
```";

    EMPTY_PLAN = "AKS025", Error, Model, "The plan has nothing to upgrade",
"## What it checks
A plan names at least one cluster, and every cluster at least one node pool.

## Why
An empty plan passing review would suggest work was checked that was never described.

## Example
```yaml
spec: { target: { kubernetesVersion: \"1.33\" }, clusters: [] }
```";

    CURRENT_STATE = "AKS026", Error, Model, "A cluster's current state is missing or given twice",
"## What it checks
Each cluster has exactly one of `current` (written in the plan) or `currentFrom` (read from saved
`az aks show -o json` output).

## Why
aksplan plans from the current state; with none it cannot plan, with two it would have to guess.

## Example
```yaml
clusters:
  - name: aks-dev
    resourceGroup: rg-dev      # neither current nor currentFrom
```";

    WAIVER_SCOPE = "AKS027", Error, Model, "A waiver's scope names nothing in the plan",
"## What it checks
A waiver `scope` is `plan`, `clusters/NAME` or `clusters/NAME/nodePools/POOL`, naming a cluster
and pool the plan defines.

## Why
A waiver for a misspelt scope waives nothing, while the reviewer believes it does.

## Example
```yaml
waivers: [ { rule: AKS123, scope: clusters/aks-prdo, reason: x } ]
```";

        WAIVER_EXPIRED = "AKS028", Error, Model, "A waiver has expired",
"## What it checks
A waiver whose `expires` date is before the plan's date (`asOf`, `--as-of`, or today) no longer
applies: the findings it waived count again, and the waiver itself is an error.

## Why
Waivers are decisions with a shelf life; an expired one left in the plan is a decision nobody
renewed.

## Example
```yaml
waivers: [ { rule: AKS135, scope: clusters/aks-dev, reason: x, expires: 2026-01-31 } ]
```";

    WAIVER_UNUSED = "AKS029", Warning, Model, "A waiver matches no finding",
"## What it checks
Every waiver accepts at least one finding of its rule in its scope.

## Why
A waiver that matches nothing is stale (the problem was fixed) or wrong (a misspelt rule or
scope), and in both cases reviewers would believe something is waived that is not.

## Example
```yaml
waivers: [ { rule: AKS999, scope: plan, reason: x } ]
```";

    CURRENT_FROM = "AKS030", Error, Input, "A `currentFrom` file cannot be read",
"## What it checks
Files named by `currentFrom` must exist (relative to the plan) and parse as JSON.

## Why
The current state is the starting point of every hop; without it there is no plan.

## Example
```yaml
currentFrom: state/aks-prod.json     # no such file
```";

    AZ_SHAPE = "AKS031", Error, Input, "A `currentFrom` file is not the expected `az` output",
"## What it checks
`currentFrom.show` must be the JSON printed by `az aks show -o json` (with `currentKubernetesVersion`
or `kubernetesVersion` and `agentPoolProfiles`); `currentFrom.nodePools` the JSON array printed
by `az aks nodepool list -o json`; `currentFrom.maintenanceConfigurations` the array printed by
`az aks maintenanceconfiguration list -o json`.

## Why
Another command's output (a `get-upgrades` profile, a list where a single object is expected)
would give a wrong or empty current state.

## Example
```yaml
currentFrom: { show: saved/get-upgrades.json }
```";

    AZ_MISMATCH = "AKS032", Warning, Model, "Saved `az` outputs disagree with the plan or with each other",
"## What it checks
The cluster name in `az aks show` output matches the plan's cluster `name`; the resource group
matches `resourceGroup`; a `nodepool list` agrees with the pools in `show`.

## Why
A state file saved from the wrong cluster is an easy mistake with serious consequences: the plan
would be computed for a cluster other than the one the script touches.

## Example
```yaml
- name: aks-prod
  currentFrom: state/aks-dev.json
```";

    VERIFY = "AKS200", Error, Rule, "A compiled step would break an upgrade rule",
"## What it checks
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
```";

    NO_FIT = "AKS210", Warning, Rule, "A step does not fit any change window",
"## What it checks
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
```";

    PAST_SUPPORT = "AKS211", Error, Rule, "A cluster passes its end of support before its last hop",
"## What it checks
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
```";

    NO_WINDOWS = "AKS212", Info, Rule, "No change windows: steps are not scheduled",
"## What it checks
The plan has no `spec.changeWindows`, so aksplan does not place its steps in time: `aksplan
plan` shows the route and the estimates, but no schedule, no finish date and no end-of-support
check against that date (AKS211).

## Why
Whether the change fits the time the change board approved, and whether every cluster leaves
its version before the version's end of support, can only be judged against windows.

## Example
```text
info[AKS212]: the plan has no `changeWindows`, so its steps are not scheduled
```";

    FLEET = "AKS220", Error, Rule, "The plan cannot be expressed exactly in Fleet Manager",
"## What it checks
`aksplan emit --format fleet` writes update runs that Fleet Manager executes as the plan says;
where Fleet would do something else, a finding says what differs. Errors (nothing is written):
a Fleet Full run would move a pool more than one minor in one upgrade (the plan moves it one
minor at a time, AKS114, and AKS may refuse the jump); two clusters, stages or runs would get one
Fleet name; a stage wait longer than Fleet's int32 seconds. Warnings: plan steps Fleet does not
run (upgrade settings, channel changes, maintenance windows, blue-green replacements), to be run
with `--format az` around the Fleet runs.

## Why
Fleet's update run applies one upgrade to whole member groups (`Azure/azure-rest-api-specs`,
Fleet.Management `updaterun.tsp`, `update/common.tsp`): a plan that only looks the same in Fleet
would upgrade clusters past their target, merge groups, or fail half-way in front of nobody.

## Example
```text
error[AKS220]: cluster `aks-prod`: the Fleet run to `1.35` would move pool `legacy` from
`1.32.6` in one upgrade (3 minors); the plan moves it one minor at a time, and AKS may refuse
the jump
```";

    POLICY_ERROR = "AKS300", Error, Tool, "A policy cannot be evaluated",
"## What it checks
Policies must parse (Rego v1), evaluate without runtime errors, and finish within the limits:
an instruction limit and a time limit per rule (`--policy-instructions`, `--policy-timeout`), and
a memory limit for the evaluator (`--policy-memory`). The message names the rule and the limit,
the help the flag that raises it. A policy that crashes the evaluator (for example a function that
calls itself forever, which OPA rejects at compile time) is reported here too.

## Why
A policy that cannot be evaluated says nothing about the plan: aksplan stops with exit code 2
rather than report a plan as compliant.

## Example
```rego
f(x) := f(x + 1)
deny contains \"loop\" if f(1)
```";

    POLICY_RESULT = "AKS301", Error, Tool, "A policy returned a malformed result",
"## What it checks
Each result of a `deny`, `violation` or `warn` rule must be a non-empty string, or an object
with a non-empty string `msg` and, optionally, string `code`, `severity` (`error`, `warning`,
`info`), `help` and `path` (a JSON pointer into the plan, such as `/spec/clusters/0`). A
policy's `code` must not be one of aksplan's own (`AKS...`), and these rules must not be
functions. The finding sits on the rule in the policy file.

## Why
A result aksplan would have to guess at (a number, a message that is an object, a `path` that is
not a pointer) would be shown as something other than what the policy's author meant, or land
on the wrong line; a policy finding that carries a built-in code could pass for aksplan's own
check (and be waived as one). Like any other policy that cannot be evaluated (AKS300), it stops
the run with exit code 2.

## Example
```rego
deny contains {\"msg\": 42}                                    # msg is a number
deny contains {\"msg\": \"x\", \"path\": \"spec.clusters[0]\"}      # not a JSON pointer
```";

    POLICY_INPUT = "AKS302", Error, Tool, "A policy reads input that is never there",
"## What it checks
Before any rule runs, every read of `input` in the policies (outside `_test.rego` files) is
checked against the input document's schema (`schemas/policy-input.schema.json`), following the
variables bound to it (`x := input.steps[id]`, `some c in input.clusters`, `every`,
comprehensions) and the package's helper rules (`steps := input.steps`, `prod contains c if
...`). A field the document never has (`input.cluster`), or a field of something that has none
(in version 2 of the document a step's `before` is an index into its cluster's `states`, so
`step.before.controlPlane` reads nothing), is reported at its place in the policy. Parts the
schema leaves open (the plan as written, a step's `settings`), functions' arguments, rules of
other packages and helpers with a default are not followed.

## Why
Rego reads a path that is not there as undefined, silently: a `deny` that reads one never
fires, and the plan passes. A policy written for an older input document, or with a typo, would
fail open; OPA catches such reads when given a schema (`opa check --schema`). Like any other
policy that cannot be evaluated (AKS300), it stops the run with exit code 2.

## Example
```rego
deny contains msg if {
    some id, step in input.steps
    step.before.controlPlane == \"1.29\"   # version 1: `before` is now an index into `states`
    msg := id
}
```";

    CANNOT_READ = "AKS901", Error, Tool, "A file given on the command line cannot be read",
"## What it checks
The plan file exists and is readable.

## Why
Not a verdict on the plan: aksplan exits with code 2 (could not run).

## Example
```console
$ aksplan check no-such-plan.yaml
```";

    UNKNOWN_FORMAT = "AKS902", Error, Tool, "The input format cannot be told from the file name",
"## What it checks
Plans end in `.yaml`, `.yml`, `.toml` or `.json`; other names need `--input-format`.

## Why
aksplan chooses the parser by extension so that a file is never read in a format its author did
not intend. Exit code 2.

## Example
```console
$ aksplan check plan.txt
```";

    CANNOT_WRITE = "AKS903", Error, Tool, "An output file cannot be written",
"## What it checks
Output files (`-o`) are written atomically: to a temporary file beside the target, then renamed.

## Why
A half-written script or plan must never be left behind. Exit code 2.

## Example
```console
$ aksplan init --from show.json -o /read-only/plan.yaml
```";

    BAD_CATALOG = "AKS904", Error, Tool, "The `--catalog` file cannot be used",
"## What it checks
`--catalog FILE` names the JSON printed by `az aks get-versions -l LOCATION -o json`.

## Why
Without a usable catalog no version can be judged; aksplan stops with exit code 2 rather than
fall back silently to its embedded snapshot.

## Example
```console
$ aksplan check plan.yaml --catalog get-upgrades.json
```";

    BAD_CONFIG = "AKS905", Error, Tool, "The `aksplan.toml` configuration is invalid",
"## What it checks
`aksplan.toml` (found in the current folder or a parent, up to the repository root) holds only
the known keys: `catalog`, `format`, `fail-on`, each with a valid value.

## Why
A misspelt setting would be ignored silently and CI would run with other settings than the team
wrote down. Exit code 2: the run cannot be trusted.

## Example
```toml
fail_on = \"warning\"   # the key is `fail-on`
```";

    SNAPSHOT = "AKS906", Error, Tool, "A command `aksplan snapshot` ran failed",
"## What it checks
`aksplan snapshot` runs `az` (and `kubectl` when given a context) and saves their JSON. Each
command must succeed and print JSON. When one fails, the snapshot names the command, says why
(not logged in, no permission, not found, not installed) and writes nothing: the folder appears
complete or not at all.

## Why
A plan judged on half a snapshot would miss exactly the facts that were not saved. Exit code 2.

## Example
```console
$ aksplan snapshot -g rg-prod -n aks-prod -o state/
error[AKS906]: `az aks show -g rg-prod -n aks-prod -o json` failed: not logged in
```";
}

/// Finds a code of this crate by id, case-insensitively.
pub fn lookup(id: &str) -> Option<Code> {
    ALL.iter()
        .copied()
        .find(|code| code.id().eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_documented() {
        let ids: Vec<&str> = ALL.iter().map(|c| c.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "codes must be unique and listed in id order");
        for code in ALL {
            for section in ["## What it checks", "## Why", "## Example"] {
                assert!(code.docs().contains(section), "{} lacks {section}", code.id());
            }
        }
    }
}

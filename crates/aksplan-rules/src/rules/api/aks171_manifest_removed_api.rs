//! AKS171: a manifest uses an API removed on the way to the target.

use aksplan_model::finding::Finding;
use aksplan_model::version::KubeVersion;

use super::aks170_removed_apis::{REMOVALS, Removal};
use crate::Context;

crate::rule_code!(
    "AKS171",
    Error,
    "A manifest uses a Kubernetes API removed on the way to the target",
    "## What it checks
With `--manifests DIR`, every Kubernetes object in the YAML files under `DIR` (all documents of
every `.yaml`/`.yml` file, recursively) whose `apiVersion` and `kind` are removed in a minor that
some cluster of the plan crosses (current minor, target minor]. The finding sits on the object's
`apiVersion` line and names the hop that removes it and the replacement.

## Why
A removed API is no longer served after the control-plane hop that removes it: applying the
manifest fails, and objects stored under it must have been migrated before
(`aks-upgrade-rules.md` §8, the Kubernetes deprecated-API migration guide). AKS also blocks a
minor upgrade to 1.26+ when it has seen such API use in the last 12 hours (§2.1).

## Example
```yaml
apiVersion: batch/v1beta1      # removed in 1.25: use batch/v1
kind: CronJob
metadata: { name: nightly }
```

## Applies to
Removals from 1.16 to 1.32 (the migration guide lists none after 1.32). Manifests are matched
against every cluster of the plan; put per-cluster manifests in separate runs."
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    // (from, to) minor ranges the plan crosses, with the clusters crossing them.
    let mut hops: Vec<(KubeVersion, KubeVersion, String)> = Vec::new();
    for cluster in ctx.clusters() {
        if let (Some((target, _)), Some(current)) = (cluster.target(), cluster.current_version())
            && target.major == current.major
        {
            hops.push((current, target, cluster.name().to_owned()));
        }
    }
    for doc in ctx.manifests {
        let (Some(api_version), Some(kind)) = (
            doc.value.get("apiVersion").and_then(|v| v.as_str()),
            doc.value.get("kind").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        let Some(removal) = REMOVALS
            .iter()
            .find(|r| r.group_version == api_version && r.kinds.contains(&kind))
        else {
            continue;
        };
        let crossing: Vec<&(KubeVersion, KubeVersion, String)> = hops
            .iter()
            .filter(|(from, to, _)| crosses(removal, *from, *to))
            .collect();
        let Some((from, to, _)) = crossing.first() else {
            continue;
        };
        let clusters: Vec<String> = crossing.iter().map(|(_, _, name)| format!("`{name}`")).collect();
        let name = doc
            .value
            .pointer("/metadata/name")
            .and_then(|v| v.as_str())
            .unwrap_or("(unnamed)");
        out.push(
            Finding::new(
                CODE,
                format!(
                    "`{kind}` `{name}` uses `{api_version}`, removed in Kubernetes {}.{}, which {} {} on the way from `{}` to `{}`",
                    removal.removed_in.0,
                    removal.removed_in.1,
                    clusters.join(", "),
                    if clusters.len() == 1 { "crosses" } else { "cross" },
                    from.minor_version(),
                    to.minor_version()
                ),
            )
            .at(doc.label("/apiVersion").with_message(format!("not served from {}.{}", removal.removed_in.0, removal.removed_in.1)))
            .help(format!(
                "migrate it before the control plane reaches {}.{}; replacement: {}",
                removal.removed_in.0, removal.removed_in.1, removal.replacement
            )),
        );
    }
}

fn crosses(removal: &Removal, from: KubeVersion, to: KubeVersion) -> bool {
    let removed = removal.removed_in;
    (from.major, from.minor) < removed && removed <= (to.major, to.minor)
}

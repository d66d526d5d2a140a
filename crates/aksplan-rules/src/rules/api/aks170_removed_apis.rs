//! AKS170: the Kubernetes APIs removed in the minors a plan crosses.

use aksplan_model::finding::Finding;

use crate::Context;

crate::rule_code!(
    "AKS170",
    Info,
    "The upgrade crosses minors that remove Kubernetes APIs",
    "## What it checks
For every cluster, the Kubernetes minors the plan crosses, `(current minor, target minor]`, and
the API versions the API server stops serving in each of them. One finding per cluster and
crossed minor that removes APIs, listing each group/version, its kinds and the replacement.

This rule only lists the removals: it does not know whether the cluster's workloads still use
them. Scanning manifests (`--manifests DIR`) is not implemented yet; until then, check with
`kubent` (kube-no-trouble) or the cluster's API server metrics.

## Why
`aks-upgrade-rules.md` §8 (from the Kubernetes \"Deprecated API Migration Guide\"): objects
written with a removed API version can no longer be read or applied after the upgrade; check
every removal in `(current_minor, target_minor]`, since LTS and unsupported-recovery jumps can
cross several. AKS's own gate only looks at API usage of the last 12 hours, and only for
targets from 1.26 (§2.1). The guide lists no removals after 1.32.

## Example
```yaml
target: { kubernetesVersion: \"1.32\" }
clusters:
  - name: aks-prod
    current: { kubernetesVersion: \"1.31.10\", ... }   # 1.32 removes flowcontrol.apiserver.k8s.io/v1beta3
```"
);

/// One API version a Kubernetes minor stops serving, for some kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removal {
    /// The first `(major, minor)` that no longer serves it.
    pub removed_in: (u64, u64),
    /// The removed group/version, e.g. `batch/v1beta1`.
    pub group_version: &'static str,
    /// The kinds it served that are gone.
    pub kinds: &'static [&'static str],
    /// What to use instead (a group/version, or a note when there is no replacement API).
    pub replacement: &'static str,
}

const fn removal(
    minor: u64,
    group_version: &'static str,
    kinds: &'static [&'static str],
    replacement: &'static str,
) -> Removal {
    Removal {
        removed_in: (1, minor),
        group_version,
        kinds,
        replacement,
    }
}

/// `aks-upgrade-rules.md` §8, one entry per removed group/version and row, by minor.
pub static REMOVALS: &[Removal] = &[
    // 1.16
    removal(
        16,
        "extensions/v1beta1",
        &["NetworkPolicy"],
        "networking.k8s.io/v1",
    ),
    removal(
        16,
        "extensions/v1beta1",
        &["DaemonSet", "Deployment", "ReplicaSet"],
        "apps/v1",
    ),
    removal(
        16,
        "apps/v1beta2",
        &["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
        "apps/v1",
    ),
    removal(
        16,
        "apps/v1beta1",
        &["Deployment", "ReplicaSet", "StatefulSet"],
        "apps/v1",
    ),
    removal(
        16,
        "extensions/v1beta1",
        &["PodSecurityPolicy"],
        "policy/v1beta1, itself removed in 1.25",
    ),
    // 1.22
    removal(
        22,
        "admissionregistration.k8s.io/v1beta1",
        &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
        "admissionregistration.k8s.io/v1",
    ),
    removal(
        22,
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
        "apiextensions.k8s.io/v1",
    ),
    removal(
        22,
        "apiregistration.k8s.io/v1beta1",
        &["APIService"],
        "apiregistration.k8s.io/v1",
    ),
    removal(
        22,
        "authentication.k8s.io/v1beta1",
        &["TokenReview"],
        "authentication.k8s.io/v1",
    ),
    removal(
        22,
        "authorization.k8s.io/v1beta1",
        &[
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
            "SubjectAccessReview",
        ],
        "authorization.k8s.io/v1",
    ),
    removal(
        22,
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
        "certificates.k8s.io/v1",
    ),
    removal(
        22,
        "coordination.k8s.io/v1beta1",
        &["Lease"],
        "coordination.k8s.io/v1",
    ),
    removal(22, "extensions/v1beta1", &["Ingress"], "networking.k8s.io/v1"),
    removal(
        22,
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        "networking.k8s.io/v1",
    ),
    removal(
        22,
        "rbac.authorization.k8s.io/v1beta1",
        &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        "rbac.authorization.k8s.io/v1",
    ),
    removal(
        22,
        "scheduling.k8s.io/v1beta1",
        &["PriorityClass"],
        "scheduling.k8s.io/v1",
    ),
    removal(
        22,
        "storage.k8s.io/v1beta1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        "storage.k8s.io/v1",
    ),
    // 1.25
    removal(25, "batch/v1beta1", &["CronJob"], "batch/v1"),
    removal(
        25,
        "discovery.k8s.io/v1beta1",
        &["EndpointSlice"],
        "discovery.k8s.io/v1",
    ),
    removal(25, "events.k8s.io/v1beta1", &["Event"], "events.k8s.io/v1"),
    removal(
        25,
        "autoscaling/v2beta1",
        &["HorizontalPodAutoscaler"],
        "autoscaling/v2",
    ),
    removal(
        25,
        "policy/v1beta1",
        &["PodDisruptionBudget"],
        "policy/v1, where an empty selector selects all pods",
    ),
    removal(
        25,
        "policy/v1beta1",
        &["PodSecurityPolicy"],
        "no replacement API: migrate to Pod Security Admission or a third-party admission webhook",
    ),
    removal(25, "node.k8s.io/v1beta1", &["RuntimeClass"], "node.k8s.io/v1"),
    // 1.26
    removal(
        26,
        "flowcontrol.apiserver.k8s.io/v1beta1",
        &["FlowSchema", "PriorityLevelConfiguration"],
        "flowcontrol.apiserver.k8s.io/v1beta3, or v1 from 1.29",
    ),
    removal(
        26,
        "autoscaling/v2beta2",
        &["HorizontalPodAutoscaler"],
        "autoscaling/v2",
    ),
    // 1.27
    removal(
        27,
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        "storage.k8s.io/v1",
    ),
    // 1.29
    removal(
        29,
        "flowcontrol.apiserver.k8s.io/v1beta2",
        &["FlowSchema", "PriorityLevelConfiguration"],
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // 1.32
    removal(
        32,
        "flowcontrol.apiserver.k8s.io/v1beta3",
        &["FlowSchema", "PriorityLevelConfiguration"],
        "flowcontrol.apiserver.k8s.io/v1",
    ),
];

/// The removals of Kubernetes 1.x minors in `(from_minor, to_minor]`, in minor order.
pub fn removals_between(from_minor: u64, to_minor: u64) -> Vec<&'static Removal> {
    REMOVALS
        .iter()
        .filter(|r| r.removed_in.0 == 1 && from_minor < r.removed_in.1 && r.removed_in.1 <= to_minor)
        .collect()
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let (Some((target, pointer)), Some(current)) = (cluster.target(), cluster.current_version()) else {
            continue;
        };
        if target.major != 1 || current.major != 1 || target.minor <= current.minor {
            continue;
        }
        for minor in current.minor + 1..=target.minor {
            let removals = removals_between(minor - 1, minor);
            if removals.is_empty() {
                continue;
            }
            let list: Vec<String> = removals.iter().map(|r| describe(r)).collect();
            out.push(
                Finding::new(
                    CODE,
                    format!(
                        "cluster `{}` crosses `1.{minor}`, which removes: {}",
                        cluster.name(),
                        list.join("; ")
                    ),
                )
                .at(ctx.doc.label(&pointer).with_message(format!("crosses 1.{minor}")))
                .also(cluster.current_version_label().with_message("from here"))
                .pointer(pointer.clone())
                .help(format!(
                    "migrate manifests, Helm charts and stored objects off these APIs before the control plane reaches 1.{minor} (`kubent` finds them)"
                )),
            );
        }
    }
}

/// `` `batch/v1beta1` CronJob (use `batch/v1`) ``: a replacement that starts with a
/// group/version gets a `use`.
fn describe(removal: &Removal) -> String {
    let text = removal.replacement;
    let (head, tail) = text.split_at(text.find([' ', ',']).unwrap_or(text.len()));
    let replacement = if head.contains('/') {
        format!("use `{head}`{tail}")
    } else {
        text.to_owned()
    };
    format!(
        "`{}` {} ({replacement})",
        removal.group_version,
        removal.kinds.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minors(removals: &[&Removal]) -> Vec<u64> {
        let mut minors: Vec<u64> = removals.iter().map(|r| r.removed_in.1).collect();
        minors.dedup();
        minors
    }

    #[test]
    fn crosses_the_half_open_range() {
        assert_eq!(minors(&removals_between(24, 26)), [25, 26]);
        assert_eq!(minors(&removals_between(25, 26)), [26]);
        assert_eq!(minors(&removals_between(15, 35)), [16, 22, 25, 26, 27, 29, 32]);
        let one = removals_between(31, 32);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].group_version, "flowcontrol.apiserver.k8s.io/v1beta3");
    }

    #[test]
    fn nothing_after_1_32() {
        assert!(removals_between(32, 35).is_empty());
        assert!(removals_between(35, 36).is_empty());
        assert!(removals_between(26, 26).is_empty());
        assert!(removals_between(30, 24).is_empty());
    }

    #[test]
    fn table_is_in_minor_order() {
        assert!(REMOVALS.windows(2).all(|w| w[0].removed_in <= w[1].removed_in));
    }

    #[test]
    fn describes_with_the_replacement() {
        let cron = removals_between(24, 25)[0];
        assert_eq!(describe(cron), "`batch/v1beta1` CronJob (use `batch/v1`)");
        let flow = removals_between(25, 26)[0];
        assert_eq!(
            describe(flow),
            "`flowcontrol.apiserver.k8s.io/v1beta1` FlowSchema, PriorityLevelConfiguration (use `flowcontrol.apiserver.k8s.io/v1beta3`, or v1 from 1.29)"
        );
    }
}

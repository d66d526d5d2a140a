# POL005: no cluster moves to a preview Kubernetes version.
#
# Why: preview versions are not covered by the AKS SLA or support, and are not meant for
# clusters that anyone relies on.
# AKS: https://learn.microsoft.com/azure/aks/supported-kubernetes-versions
package aksplan.no_preview

import rego.v1

deny_no_preview contains result if {
	some c in input.clusters
	is_preview(c.target.facts)
	result := {
		"msg": sprintf("cluster `%s` moves to `%s`, a preview version", [c.name, c.target.kubernetesVersion]),
		"code": "POL005",
		"help": "target a generally available minor; `az aks get-versions -l LOCATION` shows which are preview",
		"path": target_path(c),
	}
}

is_preview(facts) if facts.preview == true

is_preview(facts) if facts.support == "preview"

# A cluster's own `target` wins over `spec.target`.
target_path(c) := sprintf("%s/target/kubernetesVersion", [c.pointer]) if own_target(c)

target_path(c) := "/spec/target/kubernetesVersion" if not own_target(c)

own_target(c) if {
	some spec in input.plan.spec.clusters
	spec.name == c.name
	is_object(spec.target)
}

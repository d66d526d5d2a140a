# POL009: no cluster lands on a version whose support ends within 30 days after the plan
# finishes (its last scheduled step, or `asOf` when nothing is scheduled). LTS clusters
# (`supportPlan: AKSLongTermSupport`) count from the LTS end date.
#
# Why: an upgrade is weeks of work and risk; landing on a minor that leaves support a month later
# buys nothing but the next upgrade, under pressure. Target a newer minor instead.
# AKS: https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar
package aksplan.end_of_support

import rego.v1

min_days := 30

day_ns(date) := time.parse_rfc3339_ns(sprintf("%sT00:00:00Z", [date]))

# When the plan is done: the end of its schedule, else its `asOf`.
finish := substring(input.schedule.end, 0, 10) if is_string(input.schedule.end) else := input.asOf

deny_end_of_support contains result if {
	some c in input.clusters
	[kind, end] := support_end(c)
	day_ns(end) < time.add_date(day_ns(finish), 0, 0, min_days)
	result := {
		"msg": sprintf("cluster `%s` lands on `%s`, whose %s ends on %s, less than %d days after the plan finishes (%s)", [c.name, c.target.kubernetesVersion, kind, end, min_days, finish]),
		"code": "POL009",
		"help": "target a newer minor, so that the cluster has support for months after the change",
		"path": target_path(c),
	}
}

lts(c) if c.current.supportPlan == "AKSLongTermSupport"

support_end(c) := ["long-term support", c.target.facts.ltsEndOfLife] if {
	lts(c)
	is_string(c.target.facts.ltsEndOfLife)
}

support_end(c) := ["community support", c.target.facts.endOfLife] if {
	not lts(c)
	is_string(c.target.facts.endOfLife)
}

# A cluster's own `target` wins over `spec.target`.
target_path(c) := sprintf("%s/target/kubernetesVersion", [c.pointer]) if own_target(c)

target_path(c) := "/spec/target/kubernetesVersion" if not own_target(c)

own_target(c) if {
	some spec in input.plan.spec.clusters
	spec.name == c.name
	is_object(spec.target)
}

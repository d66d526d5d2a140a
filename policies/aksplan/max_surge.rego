# POL004: pools of production clusters (stage name starting with `prod`) surge at least 33% of
# their nodes (or an equal node count); an unset maxSurge is the AKS default, 10%.
#
# Why: a larger surge upgrades more nodes at once, so a production pool spends fewer hours half
# upgraded; Microsoft recommends 33% for production. Spot pools get no surge nodes and are left out.
# Windows pools only warn: their surge nodes are large and slow to provision, a trade-off to review.
# AKS: https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling#customize-node-surge-upgrade
package aksplan.max_surge

import rego.v1

min_percent := 33

deny_max_surge contains result if {
	some c in input.clusters
	some name, pool in c.pools
	object.get(pool, "osType", "Linux") != "Windows"
	result := finding(c, name, pool)
}

warn_max_surge_windows contains result if {
	some c in input.clusters
	some name, pool in c.pools
	object.get(pool, "osType", "Linux") == "Windows"
	result := finding(c, name, pool)
}

finding(c, name, pool) := result if {
	is_string(c.stage)
	startswith(lower(c.stage), "prod")
	object.get(pool, "scaleSetPriority", "Regular") != "Spot"
	nodes := object.get(pool, "count", 0)
	from := source(pool)
	surge := max_surge(pool, from)
	percent := surge_percent(surge, nodes)
	percent < min_percent
	result := {
		"msg": sprintf(
			"%s pool `%s` of production cluster `%s` surges %d%% (%s of %d nodes); production pools need at least %d%%",
			[object.get(pool, "osType", "Linux"), name, c.name, floor(percent), surge_text(surge, from), nodes, min_percent],
		),
		"code": "POL004",
		"help": sprintf("set `maxSurge: \"33%%\"` for pool `%s` (in the cluster's `poolSettings` for the change, or in the pool's `upgradeSettings`)", [name]),
		"path": surge_path(c, name, pool, from),
	}
}

# Where maxSurge comes from: the change's `poolSettings`, else the pool's current
# `upgradeSettings`, else the AKS default (10%). (`else`, not `not given(pool.x.y)`: under `not`,
# OPA fails on an undefined argument where regorus succeeds; see docs/policies.md.) Found once
# per pool and handed to the functions below: each calling it again cost a third of the rule's
# time on a 1,000-cluster plan.
source(pool) := "poolSettings" if {
	pool.settings.maxSurge != null
} else := "upgradeSettings" if {
	pool.upgradeSettings.maxSurge != null
} else := "default"

max_surge(pool, "poolSettings") := pool.settings.maxSurge

max_surge(pool, "upgradeSettings") := pool.upgradeSettings.maxSurge

max_surge(_, "default") := "10%"

surge_text(surge, from) := sprintf("maxSurge `%v`", [surge]) if from != "default"

surge_text(_, "default") := "maxSurge unset, the AKS default 10%"

# "33%" is a percentage of the pool; 3 or "3" is a node count.
is_percent(surge) if {
	is_string(surge)
	endswith(surge, "%")
}

surge_percent(surge, _) := to_number(trim_suffix(surge, "%")) if is_percent(surge)

surge_percent(surge, nodes) := (to_number(surge) * 100) / nodes if {
	not is_percent(surge)
	nodes > 0
}

surge_path(c, name, _, "poolSettings") := sprintf("%s/poolSettings/%s/maxSurge", [c.pointer, name])

surge_path(_, _, pool, "upgradeSettings") := sprintf("%s/upgradeSettings/maxSurge", [pool.pointer])

surge_path(_, _, pool, "default") := pool.pointer

# POL001: the first wave of `poolOrder` holds only System pools.
#
# Why: System pools run CoreDNS, konnectivity and metrics-server. Upgrading them first proves the
# new version on the cluster's own plumbing before any workload moves, and a failure stops the
# change before user pools are touched.
# AKS: https://learn.microsoft.com/azure/aks/use-system-pools
package aksplan.system_pools_first

import rego.v1

deny_system_pools_first contains result if {
	some c in input.clusters
	some name in wave_pools(c.poolOrder[0])
	c.pools[name].mode != "System"
	result := {
		"msg": sprintf(
			"cluster `%s` upgrades %s pool `%s` in the first wave of `poolOrder`; only System pools may go first",
			[c.name, c.pools[name].mode, name],
		),
		"code": "POL001",
		"help": "put the System pools alone in the first wave, e.g. `poolOrder: [system, [apps, spot]]`",
		"path": sprintf("%s/poolOrder/0", [c.pointer]),
	}
}

# A wave is one pool name or a list of names upgraded in parallel.
wave_pools(wave) := [wave] if is_string(wave)

wave_pools(wave) := wave if is_array(wave)

# POL010: Windows pools get their own wave in `poolOrder` (a wave mixing Windows and Linux pools
# warns).
#
# Why: Windows node images are large and their nodes are slow to replace, so a mixed wave runs as
# long as its Windows pool, and a Windows failure holds the Linux pools of that wave back.
# AKS: https://learn.microsoft.com/azure/aks/windows-best-practices
package aksplan.windows_own_wave

import rego.v1

warn_windows_own_wave contains result if {
	some c in input.clusters
	some i, wave in waves(c)
	is_array(wave)
	windows := [name | some name in wave; os(c.pools[name]) == "Windows"]
	linux := [name | some name in wave; os(c.pools[name]) != "Windows"]
	count(windows) > 0
	count(linux) > 0
	result := {
		"msg": sprintf("cluster `%s` upgrades Windows pools (%s) in the same wave as Linux pools (%s)", [c.name, concat(", ", windows), concat(", ", linux)]),
		"code": "POL010",
		"help": "give the Windows pools a wave of their own, e.g. `poolOrder: [system, apps, win]`",
		"path": sprintf("%s/poolOrder/%d", [c.pointer, i]),
	}
}

os(pool) := object.get(pool, "osType", "Linux")

# `poolOrder` is null when the plan gives none (regorus' interpreter refuses `some .. in null`).
waves(c) := c.poolOrder if is_array(c.poolOrder) else := []

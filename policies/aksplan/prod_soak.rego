# POL002: a production stage (name starting with `prod`) follows a non-production stage that
# soaks for at least 24 hours (`afterStageWait`).
#
# Why: a day on the new version lets nightly jobs, backups and a traffic peak run on it before
# production moves; most upgrade regressions show up there, not in the first minutes.
# AKS: https://learn.microsoft.com/azure/kubernetes-fleet/update-orchestration
package aksplan.prod_soak

import rego.v1

min_soak_seconds := 24 * 3600

is_prod(stage) if startswith(lower(stage.name), "prod")

# `48h`, `1d12h`, `30m`, `90s`: numbers with units d, h, m, s (the plan's duration syntax).
unit_seconds := {"d": 86400, "h": 3600, "m": 60, "s": 1}

seconds(duration) := sum([(to_number(p[1]) * unit_seconds[p[2]]) | some p in parts(duration)])

# ASCII digits in both engines (`\d` is Unicode in regorus, ASCII in OPA).
parts(duration) := regex.find_all_string_submatch_n(`([0-9]+)([dhms])`, duration, -1)

deny_prod_soak contains result if {
	some stage in input.stages
	is_prod(stage)
	stage.index == 0
	result := {
		"msg": sprintf("stage `%s` is the first stage: production goes first, with no non-production stage soaked before it", [stage.name]),
		"code": "POL002",
		"help": "add a non-production stage before it with `afterStageWait: 24h` or more",
		"path": sprintf("%s/name", [stage.pointer]),
	}
}

deny_prod_soak contains result if {
	some stage in input.stages
	is_prod(stage)
	before := input.stages[stage.index - 1]
	not is_prod(before)
	wait := soak(before)
	seconds(wait) < min_soak_seconds
	result := {
		"msg": sprintf("stage `%s` starts %s after stage `%s` finishes; production needs a non-production soak of at least 24h", [stage.name, wait, before.name]),
		"code": "POL002",
		"help": sprintf("set `afterStageWait: 24h` (or more) on stage `%s`", [before.name]),
		"path": soak_path(before),
	}
}

soak(stage) := stage.afterStageWait if is_string(stage.afterStageWait) else := "0s"

soak_path(stage) := sprintf("%s/afterStageWait", [stage.pointer]) if {
	is_string(stage.afterStageWait)
} else := stage.pointer

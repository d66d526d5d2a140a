# POL006: every step runs inside an approved change window.
#
# Why: the change board approved slots, not a free hand; a step that fits no window either runs
# unapproved or silently waits for the next slot while the fleet sits half upgraded.
# AKS: https://learn.microsoft.com/azure/aks/planned-maintenance (AKS windows are separate, and best effort)
package aksplan.steps_in_windows

import rego.v1

unscheduled := {id | some id in input.schedule.unscheduled}

deny_steps_in_windows contains result if {
	some c in input.clusters
	ids := [id | some id in c.steps; id in unscheduled]
	count(ids) > 0
	result := {
		"msg": sprintf("cluster `%s`: %d of its steps fit no change window, the first `%s`", [c.name, count(ids), ids[0]]),
		"code": "POL006",
		"help": "add or lengthen `changeWindows` so that every step fits (`aksplan plan` shows the schedule)",
		"path": c.pointer,
	}
}

# Steps of no cluster, such as the soak between stages.
deny_steps_in_windows contains result if {
	some id in unscheduled
	step := input.steps[id]
	not is_string(object.get(step, "cluster", null))
	result := {
		"msg": sprintf("step `%s` falls outside every change window", [id]),
		"code": "POL006",
		"help": "add or lengthen `changeWindows` so that every step fits (`aksplan plan` shows the schedule)",
		"path": "/spec/changeWindows",
	}
}

warn_steps_in_windows contains result if {
	count(input.steps) > 0
	not has_windows
	result := {
		"msg": sprintf("the plan has %d steps but no `changeWindows`: nothing says when they may run", [count(input.steps)]),
		"code": "POL006",
		"help": "add the slots the change board approved, e.g. `changeWindows: [{ name: CAB slot, start: 2026-12-05T22:00:00+01:00, durationHours: 8 }]`",
		"path": "/spec",
	}
}

has_windows if input.changeWindows[_]

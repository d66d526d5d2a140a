# POL003: every change window lasts 4 hours or more.
#
# Why: one node pool upgrade can take hours (surge nodes, drains, soak per node), and AKS itself
# asks for at least 4 hours for planned maintenance; a shorter slot invites an upgrade that overruns it.
# AKS: https://learn.microsoft.com/azure/aks/planned-maintenance
package aksplan.change_window_length

import rego.v1

min_hours := 4

deny_change_window_length contains result if {
	some i, window in input.changeWindows
	window.durationHours < min_hours
	result := {
		"msg": sprintf("change window `%s` lasts %d hours; change windows need at least %d", [object.get(window, "name", window.start), window.durationHours, min_hours]),
		"code": "POL003",
		"help": "ask the change board for a slot of 4 hours or more",
		"path": sprintf("/spec/changeWindows/%d/durationHours", [i]),
	}
}

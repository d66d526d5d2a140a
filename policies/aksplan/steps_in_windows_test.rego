package aksplan.steps_in_windows

import rego.v1

plan(windows, schedule) := {
	"changeWindows": windows,
	"steps": {
		"c1/cp/1.36": {"id": "c1/cp/1.36", "cluster": "c1"},
		"c1/pool/system/1.36": {"id": "c1/pool/system/1.36", "cluster": "c1"},
		"stage/dev/wait": {"id": "stage/dev/wait"},
	},
	"clusters": {"c1": {
		"name": "c1",
		"pointer": "/spec/clusters/0",
		"steps": ["c1/cp/1.36", "c1/pool/system/1.36"],
	}},
	"schedule": schedule,
}

window := {"start": "2026-12-05T22:00:00+01:00", "durationHours": 8}

test_all_scheduled_passes if {
	count(deny_steps_in_windows) == 0 with input as plan([window], {"unscheduled": []})
	count(warn_steps_in_windows) == 0 with input as plan([window], {"unscheduled": []})
}

test_unscheduled_steps_are_denied_per_cluster if {
	results := deny_steps_in_windows with input as plan([window], {"unscheduled": ["c1/pool/system/1.36", "stage/dev/wait"]})
	count(results) == 2
	some r in results
	r.path == "/spec/clusters/0"
	contains(r.msg, "1 of its steps fit no change window, the first `c1/pool/system/1.36`")
}

test_no_windows_warns if {
	results := warn_steps_in_windows with input as plan([], null)
	count(results) == 1
	results2 := warn_steps_in_windows with input as plan(null, null)
	count(results2) == 1
	count(deny_steps_in_windows) == 0 with input as plan(null, null)
}

test_no_steps_no_warning if {
	count(warn_steps_in_windows) == 0 with input as {"steps": {}, "changeWindows": []}
}

package aksplan.change_window_length

import rego.v1

test_long_window_passes if {
	count(deny_change_window_length) == 0 with input as {"changeWindows": [{"start": "2026-12-05T22:00:00+01:00", "durationHours": 4}]}
}

test_short_window_is_denied if {
	results := deny_change_window_length with input as {"changeWindows": [
		{"name": "ok", "start": "2026-12-05T22:00:00+01:00", "durationHours": 8},
		{"name": "short", "start": "2026-12-06T22:00:00+01:00", "durationHours": 2},
	]}
	count(results) == 1
	some r in results
	r.path == "/spec/changeWindows/1/durationHours"
	contains(r.msg, "`short` lasts 2 hours")
}

test_unnamed_window_is_named_by_its_start if {
	results := deny_change_window_length with input as {"changeWindows": [{"start": "2026-12-05T22:00:00+01:00", "durationHours": 1}]}
	some r in results
	contains(r.msg, "`2026-12-05T22:00:00+01:00`")
}

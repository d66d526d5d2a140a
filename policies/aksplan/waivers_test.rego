package aksplan.waivers

import rego.v1

plan(waiver) := {"asOf": "2026-12-01", "waivers": [waiver]}

good := {"rule": "AKS114", "scope": "clusters/c1", "reason": "r", "ticket": "CHG-1", "expires": "2027-02-28"}

test_tracked_short_waiver_passes if {
	count(deny_waivers) == 0 with input as plan(good)
	count(warn_waivers) == 0 with input as plan(good)
}

test_ninety_days_is_the_limit if {
	count(deny_waivers) == 0 with input as plan(object.union(good, {"expires": "2027-03-01"}))
	results := deny_waivers with input as plan(object.union(good, {"expires": "2027-03-02"}))
	count(results) == 1
	some r in results
	r.path == "/spec/waivers/0/expires"
}

test_untracked_cluster_waiver_is_denied if {
	results := deny_waivers with input as plan(object.remove(good, ["ticket", "expires"]))
	count(results) == 2
	some r in results
	r.msg == "the waiver of `AKS114` for `clusters/c1` has no `ticket`"
	r.path == "/spec/waivers/0"
}

test_untracked_plan_waiver_warns if {
	waiver := {"rule": "AKS170", "scope": "plan", "reason": "checked with kubent"}
	count(deny_waivers) == 0 with input as plan(waiver)
	count(warn_waivers) == 2 with input as plan(waiver)
}

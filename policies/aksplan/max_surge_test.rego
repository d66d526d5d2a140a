package aksplan.max_surge

import rego.v1

plan(stage, pool) := {"clusters": {"c1": {
	"name": "c1",
	"pointer": "/spec/clusters/0",
	"stage": stage,
	"pools": {"p": object.union({"name": "p", "pointer": "/spec/clusters/0/current/nodePools/0", "settings": null, "count": 6}, pool)},
}}}

test_percentages if {
	surge_percent("33%", 6) == 33
	surge_percent(2, 6) > 33
	surge_percent("1", 4) == 25
}

test_enough_surge_passes if {
	count(deny_max_surge) == 0 with input as plan("prod", {"upgradeSettings": {"maxSurge": "33%"}})
	count(deny_max_surge) == 0 with input as plan("prod", {"upgradeSettings": {"maxSurge": 2}})
}

test_small_surge_is_denied if {
	results := deny_max_surge with input as plan("prod-weu", {"upgradeSettings": {"maxSurge": "20%"}})
	count(results) == 1
	some r in results
	r.code == "POL004"
	r.path == "/spec/clusters/0/current/nodePools/0/upgradeSettings/maxSurge"
	contains(r.msg, "surges 20%")
}

test_unset_surge_is_the_default_10_percent if {
	results := deny_max_surge with input as plan("prod", {})
	some r in results
	contains(r.msg, "the AKS default 10%")
	r.path == "/spec/clusters/0/current/nodePools/0"
}

test_pool_settings_of_the_change_win if {
	count(deny_max_surge) == 0 with input as plan("prod", {"upgradeSettings": {"maxSurge": 1}, "settings": {"maxSurge": "50%"}})
	results := deny_max_surge with input as plan("prod", {"upgradeSettings": {"maxSurge": "50%"}, "settings": {"maxSurge": 1}})
	some r in results
	r.path == "/spec/clusters/0/poolSettings/p/maxSurge"
}

test_non_production_and_spot_are_not_judged if {
	count(deny_max_surge) == 0 with input as plan("staging", {})
	count(deny_max_surge) == 0 with input as plan(null, {})
	count(deny_max_surge) == 0 with input as plan("prod", {"scaleSetPriority": "Spot", "upgradeSettings": {"maxSurge": 0, "maxUnavailable": 1}})
}

test_windows_pools_warn if {
	input_doc := plan("prod", {"osType": "Windows", "upgradeSettings": {"maxSurge": 1}})
	count(deny_max_surge) == 0 with input as input_doc
	count(warn_max_surge_windows) == 1 with input as input_doc
}

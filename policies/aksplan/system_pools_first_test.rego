package aksplan.system_pools_first

import rego.v1

cluster(order) := {"clusters": {"c1": {
	"name": "c1",
	"pointer": "/spec/clusters/0",
	"poolOrder": order,
	"pools": {
		"system": {"name": "system", "mode": "System"},
		"apps": {"name": "apps", "mode": "User"},
	},
}}}

test_system_first_passes if {
	count(deny_system_pools_first) == 0 with input as cluster(["system", "apps"])
}

test_user_pool_in_first_wave_is_denied if {
	results := deny_system_pools_first with input as cluster([["system", "apps"]])
	count(results) == 1
	some r in results
	r.code == "POL001"
	r.path == "/spec/clusters/0/poolOrder/0"
	contains(r.msg, "User pool `apps`")
}

test_user_pool_alone_first_is_denied if {
	count(deny_system_pools_first) == 1 with input as cluster(["apps", "system"])
}

test_no_pool_order_is_not_judged if {
	count(deny_system_pools_first) == 0 with input as cluster(null)
}

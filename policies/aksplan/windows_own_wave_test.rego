package aksplan.windows_own_wave

import rego.v1

cluster(order) := {"clusters": {"c1": {
	"name": "c1",
	"pointer": "/spec/clusters/0",
	"poolOrder": order,
	"pools": {
		"system": {"mode": "System", "osType": "Linux"},
		"apps": {"mode": "User"},
		"win": {"mode": "User", "osType": "Windows"},
	},
}}}

test_own_wave_passes if {
	count(warn_windows_own_wave) == 0 with input as cluster(["system", "apps", "win"])
	count(warn_windows_own_wave) == 0 with input as cluster(null)
}

test_mixed_wave_warns if {
	results := warn_windows_own_wave with input as cluster(["system", ["apps", "win"]])
	count(results) == 1
	some r in results
	r.code == "POL010"
	r.path == "/spec/clusters/0/poolOrder/1"
	r.msg == "cluster `c1` upgrades Windows pools (win) in the same wave as Linux pools (apps)"
}

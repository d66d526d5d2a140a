package aksplan.no_preview

import rego.v1

plan(facts, own_target) := {
	"plan": {"spec": {"clusters": [object.union({"name": "c1"}, own_target)]}},
	"clusters": {"c1": {
		"name": "c1",
		"pointer": "/spec/clusters/0",
		"target": {"kubernetesVersion": "1.37", "facts": facts},
	}},
}

test_ga_version_passes if {
	count(deny_no_preview) == 0 with input as plan({"preview": false, "support": "supported"}, {})
}

test_preview_version_is_denied_at_spec_target if {
	results := deny_no_preview with input as plan({"preview": true, "support": "preview"}, {})
	count(results) == 1
	some r in results
	r.code == "POL005"
	r.path == "/spec/target/kubernetesVersion"
}

test_preview_version_is_denied_at_the_cluster_target if {
	results := deny_no_preview with input as plan({"preview": false, "support": "preview"}, {"target": {"kubernetesVersion": "1.37"}})
	some r in results
	r.path == "/spec/clusters/0/target/kubernetesVersion"
}

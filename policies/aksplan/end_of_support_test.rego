package aksplan.end_of_support

import rego.v1

plan(support_plan, end) := {
	"asOf": "2026-12-01",
	"schedule": {"end": end},
	"plan": {"spec": {"clusters": [{"name": "c1"}]}},
	"clusters": {"c1": {
		"name": "c1",
		"pointer": "/spec/clusters/0",
		"current": {"supportPlan": support_plan},
		"target": {"kubernetesVersion": "1.33", "facts": {"endOfLife": "2027-01-15", "ltsEndOfLife": "2028-01-15"}},
	}},
}

test_version_with_long_support_passes if {
	count(deny_end_of_support) == 0 with input as plan("KubernetesOfficial", "2026-12-10T02:00:00+01:00")
}

test_version_ending_soon_after_the_plan_is_denied if {
	results := deny_end_of_support with input as plan("KubernetesOfficial", "2026-12-20T02:00:00+01:00")
	count(results) == 1
	some r in results
	r.code == "POL009"
	r.path == "/spec/target/kubernetesVersion"
	contains(r.msg, "community support ends on 2027-01-15")
	contains(r.msg, "(2026-12-20)")
}

test_unscheduled_plan_counts_from_as_of if {
	count(deny_end_of_support) == 0 with input as plan("KubernetesOfficial", null)
}

test_lts_clusters_count_from_the_lts_end if {
	count(deny_end_of_support) == 0 with input as plan("AKSLongTermSupport", "2026-12-20T02:00:00+01:00")
}

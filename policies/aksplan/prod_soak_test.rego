package aksplan.prod_soak

import rego.v1

stages(list) := {"stages": [object.union(s, {"index": i, "pointer": sprintf("/spec/rollout/stages/%d", [i])}) |
	some i, s in list
]}

test_durations_parse if {
	seconds("48h") == 172800
	seconds("1d12h") == 129600
	seconds("30m") == 1800
	seconds("1d2h3m4s") == 93784
}

test_long_soak_passes if {
	count(deny_prod_soak) == 0 with input as stages([{"name": "staging", "afterStageWait": "1d12h"}, {"name": "prod"}])
}

test_short_soak_is_denied if {
	results := deny_prod_soak with input as stages([{"name": "staging", "afterStageWait": "12h"}, {"name": "prod-weu"}])
	count(results) == 1
	some r in results
	r.code == "POL002"
	r.path == "/spec/rollout/stages/0/afterStageWait"
}

test_missing_soak_is_denied_at_the_stage if {
	results := deny_prod_soak with input as stages([{"name": "dev"}, {"name": "Production"}])
	some r in results
	r.path == "/spec/rollout/stages/0"
}

test_prod_first_is_denied if {
	results := deny_prod_soak with input as stages([{"name": "prod"}, {"name": "dev"}])
	some r in results
	r.path == "/spec/rollout/stages/0/name"
}

test_prod_after_prod_passes if {
	count(deny_prod_soak) == 0 with input as stages([
		{"name": "staging", "afterStageWait": "2d"},
		{"name": "prod-weu", "afterStageWait": "30m"},
		{"name": "prod-neu"},
	])
}

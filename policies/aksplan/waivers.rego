# POL008: waivers are tracked and temporary: each names a ticket and expires within 90 days of
# the plan's `asOf`. A waiver of the whole plan (`scope: plan`) that lacks them only warns: it
# records a check done for this plan (e.g. removed APIs), reviewed with the plan itself.
#
# Why: an accepted risk without a ticket has no owner, and one without an end date outlives the
# reason it was granted; 90 days is one quarterly review.
# AKS: https://learn.microsoft.com/azure/aks/upgrade-cluster (what a waived finding puts at risk)
package aksplan.waivers

import rego.v1

max_days := 90

day_ns(date) := time.parse_rfc3339_ns(sprintf("%sT00:00:00Z", [date]))

deny_waivers contains result if {
	some i, waiver in input.waivers
	time.add_date(day_ns(input.asOf), 0, 0, max_days) < day_ns(waiver.expires)
	result := {
		"msg": sprintf("the waiver of `%s` for `%s` expires on %s, more than %d days after %s", [waiver.rule, waiver.scope, waiver.expires, max_days, input.asOf]),
		"code": "POL008",
		"help": "waive for one quarter at most, and renew the waiver with a new review",
		"path": sprintf("/spec/waivers/%d/expires", [i]),
	}
}

deny_waivers contains result if {
	some i, waiver in input.waivers
	waiver.scope != "plan"
	some field in missing(waiver)
	result := untracked(i, waiver, field)
}

warn_waivers contains result if {
	some i, waiver in input.waivers
	waiver.scope == "plan"
	some field in missing(waiver)
	result := untracked(i, waiver, field)
}

missing(waiver) := {field |
	some field in ["ticket", "expires"]
	blank(object.get(waiver, field, null))
}

blank(value) if not is_string(value)

blank(value) if {
	is_string(value)
	trim_space(value) == ""
}

untracked(i, waiver, field) := {
	"msg": sprintf("the waiver of `%s` for `%s` has no `%s`", [waiver.rule, waiver.scope, field]),
	"code": "POL008",
	"help": "give every waiver the ticket that records the decision and an `expires` date within 90 days",
	"path": sprintf("/spec/waivers/%d", [i]),
}

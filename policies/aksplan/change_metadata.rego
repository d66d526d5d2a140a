# POL007: the plan names its change ticket and its owner (`metadata.change`, `metadata.owner`),
# and the ticket looks like one (`CHG-4711`: capitals, a dash, digits).
#
# Why: an upgrade touches production; the change record says who approved it and whom to call
# when a step fails at 2 a.m. A malformed ticket usually means a typo the audit will not find.
# AKS: https://learn.microsoft.com/azure/architecture/operator-guides/aks/aks-upgrade-practices
package aksplan.change_metadata

import rego.v1

# `[0-9]`, not `\d`: OPA's `\d` is ASCII digits and regorus' any Unicode digit (and the
# Unicode class costs regorus a quarter of a millisecond to compile, twice a run).
ticket_pattern := `^[A-Z]+-[0-9]+$`

deny_change_metadata contains result if {
	some field in ["change", "owner"]
	blank(object.get(input.metadata, field, null))
	result := {
		"msg": sprintf("the plan has no `metadata.%s`", [field]),
		"code": "POL007",
		"help": "name the change ticket and the owning team, e.g. `metadata: { change: CHG-4711, owner: platform-team }`",
		"path": "/metadata",
	}
}

warn_change_metadata contains result if {
	ticket := input.metadata.change
	not blank(ticket)
	not regex.match(ticket_pattern, ticket)
	result := {
		"msg": sprintf("change ticket `%s` does not look like a ticket (`CHG-4711`: capitals, a dash, digits)", [ticket]),
		"code": "POL007",
		"help": "give the ticket id as the change system prints it, e.g. `CHG-4711`",
		"path": "/metadata/change",
	}
}

blank(value) if not is_string(value)

blank(value) if {
	is_string(value)
	trim_space(value) == ""
}

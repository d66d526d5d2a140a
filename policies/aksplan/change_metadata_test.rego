package aksplan.change_metadata

import rego.v1

test_ticket_pattern if {
	regex.match(ticket_pattern, "CHG-4711")
	regex.match(ticket_pattern, "RISK-0042")
	not regex.match(ticket_pattern, "chg-4711")
	not regex.match(ticket_pattern, "CHG-47a1")
	not regex.match(ticket_pattern, "CHG4711")
	not regex.match(ticket_pattern, "CHG-")
	# Digits of other scripts are not a ticket number, in OPA and regorus alike.
	not regex.match(ticket_pattern, "CHG-٤٧١١")
}

test_complete_metadata_passes if {
	doc := {"metadata": {"name": "x", "change": "CHG-4711", "owner": "platform-team"}}
	count(deny_change_metadata) == 0 with input as doc
	count(warn_change_metadata) == 0 with input as doc
}

test_missing_fields_are_denied if {
	results := deny_change_metadata with input as {"metadata": {"name": "x", "owner": " "}}
	count(results) == 2
	some r in results
	r.msg == "the plan has no `metadata.change`"
	r.path == "/metadata"
}

test_malformed_ticket_warns if {
	results := warn_change_metadata with input as {"metadata": {"name": "x", "change": "ticket 4711", "owner": "me"}}
	count(results) == 1
	some r in results
	r.code == "POL007"
	r.path == "/metadata/change"
}

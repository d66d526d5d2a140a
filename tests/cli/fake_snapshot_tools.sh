#!/usr/bin/env bash
# A fake `az` and `kubectl` for tests/cli/snapshot.rs: installed under both names, it serves the
# recorded outputs under fixtures/ for the commands `aksplan snapshot` runs, and logs each command
# line (shell-quoted, one per line) to $FAKE_LOG.
#
# Failure injection: when the command line contains $FAKE_FAIL, print $FAKE_STDERR on stderr and
# exit with $FAKE_STATUS (default 1) instead.
set -euo pipefail
tool=${FAKE_TOOL:-$(basename "$0")}
fixtures=${FAKE_FIXTURES:?}
# Words are quoted as a person would (plain, "double" or 'single'), so that the log is a script
# the Azure CLI parser check can read.
quote() {
  if [[ $1 =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]]; then
    printf '%s' "$1"
  elif [[ $1 != *[\\\"\$\`!]* ]]; then
    printf '"%s"' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}
line=$tool
for word in "$@"; do line+=" $(quote "$word")"; done
printf '%s\n' "$line" >>"${FAKE_LOG:?}"
if [[ -n ${FAKE_FAIL:-} && $line == *"$FAKE_FAIL"* ]]; then
  printf '%s\n' "${FAKE_STDERR:-}" >&2
  exit "${FAKE_STATUS:-1}"
fi
serve() { cat "$fixtures/$1"; exit 0; }
args=" $* "
if [[ $tool == kubectl ]]; then
  [[ $args == *" get pdb,deploy,sts -A -o json "* ]] && serve live/aks-prod/workloads-blocking.json
  echo "error: unknown kubectl command: $*" >&2; exit 1
fi
case "$args" in
  *" aks show "*"-n aks-prod "*) serve live/aks-prod/show.json ;;
  *" aks nodepool list "*"--cluster-name aks-prod "*) serve live/aks-prod/nodepools.json ;;
  *" aks maintenanceconfiguration list "*) serve az/maintenanceconfiguration-list-default.json ;;
  *" aks get-upgrades "*"-n aks-prod "*) serve live/aks-prod/get-upgrades.json ;;
  *" aks nodepool get-upgrades "*"--nodepool-name system "*) serve live/aks-prod/pool-upgrades-system.json ;;
  *" aks nodepool get-upgrades "*"--nodepool-name user "*) serve live/aks-prod/pool-upgrades-user.json ;;
  *" network vnet subnet show "*"--vnet-name vnet-prod -n aks-nodes "*) serve live/aks-prod/subnet-aks-nodes.json ;;
  *" rest --method get --url /subscriptions/"*"/virtualNetworks/vnet-prod/usages?api-version="*) serve live/aks-prod/vnet-usage-full.json ;;
  *" aks get-versions -l westus2 "*) serve az/get-versions-westus2-2025-09.json ;;
  *" vm list-usage -l westus2 "*) serve live/westus2/vm-usage-tight.json ;;
  *" vm list-skus -l westus2 "*) serve live/westus2/vm-skus.json ;;
esac
echo "ERROR: (ResourceNotFound) The Resource was not found: $*" >&2
exit 3

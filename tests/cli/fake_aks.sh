#!/usr/bin/env bash
# A stateful model of AKS behind a fake `az`, for the resumability tests (tests/cli/resume.rs).
# Bash, not Python: the script makes hundreds of `az` calls per run, and the tests run it hundreds
# of times (a Python start costs ~50 times a bash one).
#
# State: one file per fact under `$AKS_STATE/CLUSTER/`: `rg`, `cp`, `state`, `upgrade` and
# `nodeos` (channels), `maintenance/NAME`, and per pool `pools/POOL/version`, `pools/POOL/state`,
# `pools/POOL/settings/FIELD`. The script's reads (`az aks show --query ...`, `nodepool list`,
# `get-upgrades`, waits) answer from it; its writes change it.
#
# Failure injection: the `$AKS_FAIL_AT`-th state-changing call fails, as `$AKS_FAIL_MODE` says:
# - `sync`: the call exits 1 and changes nothing (a transient ARM error);
# - `async`: the call returns 0 (sent with `--no-wait`) but the operation ends `Failed` half-way:
#   a full upgrade moves the control plane and the first pool only, a pool upgrade leaves the pool
#   `Failed` on the new version, a control-plane upgrade or an update leaves the cluster `Failed`
#   and unchanged.
# AKS rules kept: a pool set to the same minor alias again is no change (§2.1), so a `Failed` pool
# is retried only by an exact version; a pool is never newer than the control plane; a full
# upgrade refuses a pool more than one minor behind (`AgentPoolUpgradeVersionNotAllowed`).
# `$AKS_DRIFT_AT` (`N:CLUSTER:VERSION`): at the N-th state-changing call someone else moves that
# cluster's control plane. Every state-changing call is logged to `$AKS_LOG` as
# `OUTCOME<TAB>ARGV...`. A wait whose condition does not hold exits 1 at once (as `az aks wait`
# would at its timeout).
set -euo pipefail

args=("$@")
opt() {
  local i
  for ((i = 0; i < ${#args[@]}; i++)); do
    for name in "$@"; do
      if [[ ${args[i]} == "$name" ]]; then
        printf '%s' "${args[i + 1]:-}"
        return
      fi
      if [[ ${args[i]} == "$name="* ]]; then
        printf '%s' "${args[i]#"$name="}"
        return
      fi
    done
  done
}
has() {
  local a
  for a in "${args[@]}"; do [[ $a == "$1" ]] && return 0; done
  return 1
}

words=()
for a in "${args[@]:0:3}"; do [[ $a == -* ]] || words+=("$a"); done
cmd="${words[*]}"

case $cmd in
  "account show") echo 00000000-0000-0000-0000-000000000000; exit 0 ;;
  account*) exit 0 ;;
esac

nodepool=false
[[ $cmd == *nodepool* ]] && nodepool=true
cluster=$(opt --cluster-name)
[[ -n $cluster ]] || cluster=$(opt -n --name)
c="$AKS_STATE/$cluster"
[[ -d $c ]] || { echo "fake az: no cluster $cluster: $*" >&2; exit 3; }
[[ $(opt --resource-group -g) == "$(cat "$c/rg")" ]] || { echo "fake az: wrong group: $*" >&2; exit 3; }
pool=$(opt --nodepool-name)
if [[ -z $pool ]] && $nodepool; then pool=$(opt -n); fi
query=$(opt --query)

get() { cat "$1" 2>/dev/null || true; }
minor() { local v=$1; v=${v#*.}; printf '%s' "${v%%.*}"; }
patch() { local v=$1; [[ $v == *.*.* ]] && printf '%s' "${v##*.}"; }
exact() { if [[ $1 == *.*.* ]]; then printf '%s' "$1"; else printf '%s.2' "$1"; fi; }

# The file behind a field of the cluster (`$1` empty) or of pool `$1`.
field_file() {
  local p=$1 f=$2
  if [[ -z $p ]]; then
    case $f in
      currentKubernetesVersion) echo "$c/cp" ;;
      provisioningState) echo "$c/state" ;;
      autoUpgradeProfile.upgradeChannel) echo "$c/upgrade" ;;
      autoUpgradeProfile.nodeOsUpgradeChannel) echo "$c/nodeos" ;;
      *) echo "fake az: unknown cluster field $f" >&2; exit 3 ;;
    esac
  else
    case $f in
      currentOrchestratorVersion) echo "$c/pools/$p/version" ;;
      provisioningState) echo "$c/pools/$p/state" ;;
      nodeImageVersion) echo "$c/image" ;;
      upgradeSettings.*) echo "$c/pools/$p/settings/${f#upgradeSettings.}" ;;
      maintenanceWindow.*) echo "$c/maintenance/${p#maintenance:}/${f#maintenanceWindow.}" ;;
      *) echo "fake az: unknown pool field $f" >&2; exit 3 ;;
    esac
  fi
}

# holds POOL QUERY: the `--custom` queries the script writes, terms joined by `&&`.
holds() {
  local p=$1 rest=$2 term value
  while [[ -n $rest ]]; do
    term=${rest%% && *}
    if [[ $term == "$rest" ]]; then rest=''; else rest=${rest#* && }; fi
    if [[ $term == '!(maintenanceWindow.notAllowedDates)' ]]; then
      : # the model keeps no notAllowedDates
    elif [[ $term =~ ^to_string\(([^\)]+)\)==\'([^\']*)\'$ ]]; then
      value=$(get "$(field_file "$p" "${BASH_REMATCH[1]}")")
      [[ $value == "${BASH_REMATCH[2]}" ]] || return 1
    elif [[ $term =~ ^starts_with\(([^,]+),\ \'([^\']*)\'\)$ ]]; then
      value=$(get "$(field_file "$p" "${BASH_REMATCH[1]}")")
      [[ $value == "${BASH_REMATCH[2]}"* ]] || return 1
    elif [[ $term =~ ^([^=]+)==\'([^\']*)\'$ ]]; then
      value=$(get "$(field_file "$p" "${BASH_REMATCH[1]}")")
      [[ $value == "${BASH_REMATCH[2]}" ]] || return 1
    elif [[ $term =~ ^([^=]+)==\`([^\`]*)\`$ ]]; then
      value=$(get "$(field_file "$p" "${BASH_REMATCH[1]}")")
      [[ $value == "${BASH_REMATCH[2]}" ]] || return 1
    else
      echo "fake az: unsupported query term: $term" >&2
      exit 3
    fi
  done
}

case $cmd in
  "aks show")
    get "$(field_file '' "$query")"
    exit 0
    ;;
  "aks nodepool list")
    [[ $query =~ ^\[\?name==\'([^\']*)\'\]\.([A-Za-z]+)\ \|\ \[0\]$ ]] || { echo "fake az: list query $query" >&2; exit 3; }
    p=${BASH_REMATCH[1]}
    if [[ -d $c/pools/$p ]]; then get "$(field_file "$p" "${BASH_REMATCH[2]}")"; else echo; fi
    exit 0
    ;;
  "aks nodepool show")
    if [[ $query == *==* ]]; then
      if holds "$(opt -n)" "$query"; then echo true; else echo false; fi
    else
      get "$(field_file "$(opt -n)" "$query")"
    fi
    exit 0
    ;;
  "aks get-upgrades")
    cp=$(get "$c/cp")
    m=$(minor "$cp")
    out=()
    for n in "$m" "$((m + 1))"; do for p in 1 2 100; do out+=("1.$n.$p"); done; done
    (IFS=$'\t'; echo "${out[*]}")
    exit 0
    ;;
  "aks nodepool get-upgrades")
    if [[ $query == latestNodeImageVersion ]]; then get "$c/image"; exit 0; fi
    m=$(minor "$(get "$c/cp")")
    out=()
    for ((n = m - 3; n <= m; n++)); do for p in 1 2 100; do out+=("1.$n.$p"); done; done
    (IFS=$'\t'; echo "${out[*]}")
    exit 0
    ;;
  "aks wait")
    holds '' "$(opt --custom)"
    exit $?
    ;;
  "aks nodepool wait")
    if has --deleted; then [[ ! -d $c/pools/$pool ]]; exit $?; fi
    [[ -d $c/pools/$pool ]] && holds "$pool" "$(opt --custom)"
    exit $?
    ;;
  "aks maintenanceconfiguration show")
    config=$(opt -n)
    [[ -d $c/maintenance/$config ]] || { echo "fake az: (NotFound) $config" >&2; exit 3; }
    if [[ -n $query ]]; then
      if holds "maintenance:$config" "$query"; then echo true; else echo false; fi
    fi
    exit 0
    ;;
esac

# State-changing calls.
calls=$(($(get "$AKS_STATE/calls") + 1))
echo "$calls" >"$AKS_STATE/calls"
failure=''
if [[ ${AKS_FAIL_AT:-} == "$calls" ]]; then failure=${AKS_FAIL_MODE:-sync}; fi
if [[ -n ${AKS_DRIFT_AT:-} ]]; then
  IFS=: read -r at other version <<<"$AKS_DRIFT_AT"
  if [[ $at == "$calls" ]]; then echo "$version" >"$AKS_STATE/$other/cp"; fi
fi
logged() { (IFS=' '; printf '%s\t%s\n' "$1" "${args[*]}") >>"$AKS_LOG"; }
if [[ $failure == sync ]]; then
  logged failed
  echo 'fake az: (Conflict) transient failure' >&2
  exit 1
fi
outcome=ok
[[ $failure == async ]] && outcome=async-failed

case $cmd in
  "aks upgrade")
    to=$(exact "$(opt -k)")
    if has --control-plane-only; then
      if [[ -n $failure ]]; then echo Failed >"$c/state"; else echo "$to" >"$c/cp"; echo Succeeded >"$c/state"; fi
    else
      for p in "$c"/pools/*; do
        if (($(minor "$to") - $(minor "$(get "$p/version")") > 1)); then
          logged refused
          echo 'fake az: AgentPoolUpgradeVersionNotAllowed' >&2
          exit 1
        fi
      done
      echo "$to" >"$c/cp"
      first=true
      for p in "$c"/pools/*; do
        if [[ -n $failure ]] && ! $first; then
          echo Failed >"$p/state"
          echo Failed >"$c/state"
        else
          echo "$to" >"$p/version"
          echo Succeeded >"$p/state"
        fi
        first=false
      done
      [[ -n $failure ]] || echo Succeeded >"$c/state"
    fi
    ;;
  "aks nodepool upgrade")
    p="$c/pools/$pool"
    k=$(opt -k)
    if [[ -z $(patch "$k") && $(minor "$k") == "$(minor "$(get "$p/version")")" ]]; then
      : # the same minor alias again: no change, also for a Failed pool
    else
      to=$(exact "$k")
      cp=$(get "$c/cp")
      if (($(minor "$to") > $(minor "$cp"))) || { (($(minor "$to") == $(minor "$cp"))) && (($(patch "$to") > $(patch "$cp"))); }; then
        logged refused
        echo 'fake az: pool newer than the control plane' >&2
        exit 1
      fi
      echo "$to" >"$p/version"
      if [[ -n $failure ]]; then echo Failed >"$p/state"; else echo Succeeded >"$p/state"; fi
    fi
    ;;
  "aks update")
    if [[ -n $failure ]]; then
      echo Failed >"$c/state"
    else
      up=$(opt --auto-upgrade-channel)
      os=$(opt --node-os-upgrade-channel)
      [[ -z $up ]] || echo "$up" >"$c/upgrade"
      [[ -z $os ]] || echo "$os" >"$c/nodeos"
      echo Succeeded >"$c/state"
    fi
    ;;
  "aks nodepool update")
    p="$c/pools/$pool"
    if [[ -n $failure ]]; then
      echo Failed >"$p/state"
    else
      mkdir -p "$p/settings"
      for pair in --max-surge:maxSurge --max-unavailable:maxUnavailable --drain-timeout:drainTimeoutInMinutes \
        --node-soak-duration:nodeSoakDurationInMinutes --undrainable-node-behavior:undrainableNodeBehavior; do
        value=$(opt "${pair%%:*}")
        [[ -z $value ]] || echo "$value" >"$p/settings/${pair#*:}"
      done
      echo Succeeded >"$p/state"
    fi
    ;;
  "aks maintenanceconfiguration add" | "aks maintenanceconfiguration update")
    if [[ -n $failure ]]; then
      logged failed
      exit 1
    fi
    # The window as AKS stores it: `add` and `update` leave the same configuration.
    m="$c/maintenance/$(opt -n)"
    rm -rf "$m"
    mkdir -p "$m"
    type=$(opt --schedule-type)
    case $type in
      Daily) echo "$(opt --interval-days)" >"$m/schedule.daily.intervalDays" ;;
      Weekly)
        echo "$(opt --interval-weeks)" >"$m/schedule.weekly.intervalWeeks"
        echo "$(opt --day-of-week)" >"$m/schedule.weekly.dayOfWeek"
        ;;
      AbsoluteMonthly)
        echo "$(opt --interval-months)" >"$m/schedule.absoluteMonthly.intervalMonths"
        echo "$(opt --day-of-month)" >"$m/schedule.absoluteMonthly.dayOfMonth"
        ;;
      RelativeMonthly)
        echo "$(opt --interval-months)" >"$m/schedule.relativeMonthly.intervalMonths"
        echo "$(opt --day-of-week)" >"$m/schedule.relativeMonthly.dayOfWeek"
        echo "$(opt --week-index)" >"$m/schedule.relativeMonthly.weekIndex"
        ;;
    esac
    echo "$(opt --duration)" >"$m/durationHours"
    echo "$(opt --start-time)" >"$m/startTime"
    echo "$(opt --utc-offset)" >"$m/utcOffset"
    start_date=$(opt --start-date)
    [[ -z $start_date ]] || echo "$start_date" >"$m/startDate"
    ;;
  *)
    echo "fake az: unexpected: $*" >&2
    exit 3
    ;;
esac
logged "$outcome"
exit 0

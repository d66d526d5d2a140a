#!/usr/bin/env bash
# Whole-process benchmark of the release binary on generated fleets (issue 8, docs/performance.md).
#
#   scripts/bench.sh                       # sizes 1 100 1000 5000, 8 pools each
#   SIZES="1 100" POOLS=8 scripts/bench.sh  # other sizes
#
# For each size: `cargo xtask gen-fleet` writes the plan; `aksplan emit --format az --policy builtin`
# (the whole pipeline) and `aksplan check --policy builtin` run RUNS times (3 for 5000 clusters);
# the table gives the median wall time and the median peak RSS. A run longer than LIMIT seconds
# (default 60) stops that size. Then the OPA comparison on the same input document (`aksplan input`)
# for 1 and 1000 clusters: OPA's median prepared evaluation (`opa-eval --bench`) and a cold
# `opa-eval` process. Prints a Markdown table.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
SIZES=${SIZES:-"1 100 1000 5000"}
POOLS=${POOLS:-8}
RUNS=${RUNS:-5}
LIMIT=${LIMIT:-60}
OPA_SIZES=${OPA_SIZES:-"1 1000"}
# A 5,000-cluster plan is ~21 MiB, past the default 16 MiB input limit.
MAX_INPUT=${MAX_INPUT:-64MiB}
opa_eval=${OPA_EVAL:-$root/../shared/tools/opa-eval}

cargo build --release -q -p aksplan-cli
cargo build --release -q -p xtask
bin=$root/target/release/aksplan
xtask=$root/target/release/xtask
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure OUT CMD...: runs CMD once, appends "seconds peak_kib" to OUT; fails (1) past LIMIT.
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e' true 2>/dev/null; then
  measure() {
    local out=$1; shift
    local status=0
    timeout "$LIMIT" /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>&1 || status=$?
    [[ $status -eq 124 ]] && return 1
    [[ $status -ne 0 && $status -ne 1 ]] && { echo "bench: \`$*\` failed ($status)" >&2; echo "failed (exit $status)" >"$tmp/why"; return 2; }
    tail -n 1 "$tmp/time" >>"$out"
  }
else
  measure() {
    local out=$1; shift
    python3 - "$LIMIT" "$out" "$@" <<'PY'
import resource, subprocess, sys, time
limit, out, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
t = time.perf_counter()
try:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=limit)
except subprocess.TimeoutExpired:
    sys.exit(1)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(out, "a").write(f"{wall:.3f} {rss}\n")
PY
  }
fi

# median COLUMN FILE
median() { sort -g -k"$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
ms() { awk -v s="$1" 'BEGIN { if (s=="-") print "-"; else printf "%.0f", s*1000 }'; }
mib() { awk -v k="$1" 'BEGIN { if (k=="-") print "-"; else printf "%.1f", k/1024 }'; }

rows=()
for n in $SIZES; do
  dir=$tmp/fleet$n
  "$xtask" gen-fleet --clusters "$n" --pools "$POOLS" --seed 1 -o "$dir" 2>/dev/null
  plan=$dir/plan.yaml
  size=$(stat -c %s "$plan")
  runs=$RUNS; [[ $n -ge 5000 ]] && runs=3
  row="| $n × $POOLS | $(mib $((size / 1024)))"
  stopped=""
  for mode in emit check; do
    : >"$tmp/$mode.times"
    note=""
    # When the whole pipeline ran past the limit, `check` (most of the same work) is not tried.
    for ((r = 0; r < runs && !${#stopped}; r++)); do
      if [[ $mode == emit ]]; then
        cmd=("$bin" emit "$plan" --format az --policy builtin --color never --max-input-size "$MAX_INPUT" -o "$tmp/out.sh")
      else
        cmd=("$bin" check "$plan" --policy builtin --color never --max-input-size "$MAX_INPUT")
      fi
      echo ">${LIMIT} s (stopped)" >"$tmp/why"
      if ! measure "$tmp/$mode.times" "${cmd[@]}"; then note=" ($(cat "$tmp/why"))"; stopped=1; break; fi
    done
    n_runs=$(wc -l <"$tmp/$mode.times")
    if [[ $n_runs -eq 0 ]]; then
      row+=" | $(cat "$tmp/why") | -"
    else
      row+=" | $(ms "$(median 1 "$tmp/$mode.times")") ms (n=$n_runs)$note | $(mib "$(median 2 "$tmp/$mode.times")")"
    fi
    echo "bench: $n clusters, $mode done" >&2
  done
  rows+=("$row |")
done

echo
echo "Whole process, release binary, starter policy pack (\`--policy builtin\`); times are medians."
echo
echo "| clusters × pools | plan MiB | emit --format az | emit peak RSS MiB | check | check peak RSS MiB |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

if [[ -x $opa_eval ]]; then
  echo
  echo "| clusters × pools | input.json MiB | OPA prepared eval (median of 5) | cold opa-eval process |"
  echo "|---|---|---|---|"
  for n in $OPA_SIZES; do
    dir=$tmp/opa$n
    "$xtask" gen-fleet --clusters "$n" --pools "$POOLS" --seed 1 -o "$dir" 2>/dev/null
    "$bin" input "$dir/plan.yaml" --color never --max-input-size "$MAX_INPUT" >"$dir/input.json"
    isize=$(stat -c %s "$dir/input.json")
    prepared=$("$opa_eval" -p policies/aksplan --skip-tests -i "$dir/input.json" --bench 5 'data.aksplan' \
      2>&1 >/dev/null | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
    : >"$tmp/opa.times"
    measure "$tmp/opa.times" "$opa_eval" -p policies/aksplan --skip-tests -i "$dir/input.json" 'data.aksplan' ||
      echo ">${LIMIT} s" >"$tmp/opa.times"
    echo "| $n × $POOLS | $(mib $((isize / 1024))) | ${prepared:-?} ms | $(ms "$(median 1 "$tmp/opa.times")") ms |"
  done
else
  echo "bench: $opa_eval not found; no OPA comparison" >&2
fi

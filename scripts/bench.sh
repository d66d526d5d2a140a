#!/usr/bin/env bash
# Whole-process benchmark of the release binary on generated fleets (issue 8, docs/performance.md).
#
#   scripts/bench.sh                       # sizes 1 100 1000 5000, 8 pools each
#   SIZES="1 100" POOLS=8 scripts/bench.sh  # other sizes
#
# For each size: `cargo xtask gen-fleet` writes the plan; `aksplan emit --format az --policy builtin`
# (the whole pipeline), the same with `--no-policy`, and `aksplan check --policy builtin` run RUNS
# times (30 for one cluster, where a run takes milliseconds; 3 for 5000 clusters), the two emits
# alternating; the table gives the median wall time, the median peak RSS, and the ratios issue 20
# sets targets for: policies' cost (emit / emit --no-policy) and peak RSS / plan size. A run
# longer than LIMIT seconds (default 60) stops that size. Then the OPA comparison on the same input
# document (`aksplan input`) for 1 and 1000 clusters: its size as the policy child receives it
# (compact JSON) against the plan's, OPA's median prepared evaluation (`opa-eval --bench`), a cold
# `opa-eval` process, and aksplan's whole pipeline against OPA's prepared evaluation. Prints
# Markdown tables. Needs Python 3 (the timer). Set AKSPLAN_CACHE_DIR to measure without the compiled-policy cache (empty).
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

# measure RUNS OUT1 CMD1... [--- OUT2 CMD2...]: runs the commands RUNS times, alternating (a
# machine that slows down during the run weighs on each alike), one Python process timing them
# all (a fresh interpreter per run, or GNU time's 10 ms steps, was too coarse and too noisy for a
# one-cluster run of ~15 ms). Appends "seconds peak_kib" per run to each OUT (the peak RSS of that
# run's process tree: `wait4` of the process, whose figure covers the children it waited for).
# Fails (1) when a run passes LIMIT seconds, (2) when one fails (exit code other than 0 and 1).
measure() {
  python3 - "$LIMIT" "$@" <<'PY'
import os, subprocess, sys, time
limit, runs, rest = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
jobs, cur = [], []
for arg in rest:
    if arg == "---":
        jobs.append(cur); cur = []
    else:
        cur.append(arg)
jobs.append(cur)
for _ in range(runs):
    for out, *cmd in jobs:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t > limit:
                p.kill(); p.wait(); sys.exit(1)
            time.sleep(0.0002)
        wall = time.perf_counter() - t
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            print(f"bench: {' '.join(cmd)} failed", file=sys.stderr); sys.exit(2)
        with open(out, "a") as f:
            f.write(f"{wall:.4f} {usage.ru_maxrss}\n")
PY
}

# median COLUMN FILE
median() { sort -g -k"$1" "$2" | awk -v c="$1" '{v[NR]=$c} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
ms() { awk -v s="$1" 'BEGIN { if (s=="-") print "-"; else if (s < 0.1) printf "%.1f", s*1000; else printf "%.0f", s*1000 }'; }
mib() { awk -v k="$1" 'BEGIN { if (k=="-") print "-"; else printf "%.1f", k/1024 }'; }

rows=()
for n in $SIZES; do
  dir=$tmp/fleet$n
  "$xtask" gen-fleet --clusters "$n" --pools "$POOLS" --seed 1 -o "$dir" 2>/dev/null
  plan=$dir/plan.yaml
  size=$(stat -c %s "$plan")
  runs=$RUNS; [[ $n -le 1 ]] && runs=${RUNS_SMALL:-30}; [[ $n -ge 5000 ]] && runs=3
  row="| $n × $POOLS | $(mib $((size / 1024)))"
  stopped=""
  : >"$tmp/emit.times"; : >"$tmp/bare.times"; : >"$tmp/check.times"
  common=(--color never --max-input-size "$MAX_INPUT")
  echo ">${LIMIT} s (stopped)" >"$tmp/why"
  measure "$runs" "$tmp/emit.times" "$bin" emit "$plan" --format az --policy builtin "${common[@]}" -o "$tmp/out.sh" \
    --- "$tmp/bare.times" "$bin" emit "$plan" --format az --no-policy "${common[@]}" -o "$tmp/out.sh" \
    --- "$tmp/check.times" "$bin" check "$plan" --policy builtin "${common[@]}" || stopped=" (stopped: $(cat "$tmp/why"))"
  cell() { # FILE: "median ms (n=N)"
    local n_runs; n_runs=$(wc -l <"$1")
    if [[ $n_runs -eq 0 ]]; then cat "$tmp/why"; else echo "$(ms "$(median 1 "$1")") ms (n=$n_runs)"; fi
  }
  emit_s=$(median 1 "$tmp/emit.times"); bare_s=$(median 1 "$tmp/bare.times"); rss=$(median 2 "$tmp/emit.times")
  ratio=$(awk -v a="$emit_s" -v b="$bare_s" 'BEGIN { if (a=="-"||b=="-"||b==0) print "-"; else printf "%.2f", a/b }')
  per_plan=$(awk -v k="$rss" -v s="$size" 'BEGIN { if (k=="-") print "-"; else printf "%.0f", k*1024/s }')
  row+=" | $(cell "$tmp/emit.times") | $(cell "$tmp/bare.times") | **$ratio** | $(mib "$rss") | **$per_plan ×** | $(cell "$tmp/check.times") | $(mib "$(median 2 "$tmp/check.times")")"
  echo "$n $emit_s" >>"$tmp/emit_by_size"
  echo "bench: $n clusters done" >&2
  rows+=("$row |$stopped")
done

echo
echo "Whole process, release binary, starter policy pack (\`--policy builtin\`); times are medians."
echo
echo "| clusters × pools | plan MiB | emit --format az | same, --no-policy | policies' cost (ratio) | emit peak RSS MiB | peak RSS / plan | check | check peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

if [[ -x $opa_eval ]]; then
  echo
  echo "| clusters × pools | input document MiB (compact) | input / plan | OPA prepared eval (median of 5) | cold opa-eval process | aksplan emit / OPA prepared |"
  echo "|---|---|---|---|---|---|"
  for n in $OPA_SIZES; do
    dir=$tmp/opa$n
    "$xtask" gen-fleet --clusters "$n" --pools "$POOLS" --seed 1 -o "$dir" 2>/dev/null
    "$bin" input "$dir/plan.yaml" --color never --max-input-size "$MAX_INPUT" >"$dir/input.json"
    # As the policy child receives it: compact JSON (`aksplan input` prints it indented).
    if command -v python3 >/dev/null; then
      python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), separators=(",", ":"))' \
        "$dir/input.json" "$dir/compact.json"
    else
      cp "$dir/input.json" "$dir/compact.json"
    fi
    isize=$(stat -c %s "$dir/compact.json")
    psize=$(stat -c %s "$dir/plan.yaml")
    prepared=$("$opa_eval" -p policies/aksplan --skip-tests -i "$dir/input.json" --bench 5 'data.aksplan' \
      2>&1 >/dev/null | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
    : >"$tmp/opa.times"
    measure 1 "$tmp/opa.times" "$opa_eval" -p policies/aksplan --skip-tests -i "$dir/input.json" 'data.aksplan' ||
      echo ">${LIMIT} s" >"$tmp/opa.times"
    ours=$(awk -v n="$n" '$1 == n { print $2 }' "$tmp/emit_by_size" 2>/dev/null | head -n 1)
    vs_opa=$(awk -v a="${ours:--}" -v b="${prepared:--}" 'BEGIN { if (a=="-"||b=="-"||b==0) print "-"; else printf "%.2f", a*1000/b }')
    echo "| $n × $POOLS | $(mib $((isize / 1024))) | $(awk -v i="$isize" -v p="$psize" 'BEGIN { printf "%.2f ×", i/p }') | ${prepared:-?} ms | $(ms "$(median 1 "$tmp/opa.times")") ms | **$vs_opa** |"
  done
else
  echo "bench: $opa_eval not found; no OPA comparison" >&2
fi

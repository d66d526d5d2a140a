#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's fixtures (the bad-input corpus included), so
# that every run starts from real plans and `az` outputs instead of from nothing. Safe to re-run:
# it only adds files, named after their source, so a re-run overwrites its own seeds and keeps
# what the fuzzer found. The corpora are not committed; the regression inputs under
# fixtures/fuzz-regressions/ are.
set -euo pipefail
cd "$(dirname "$0")/.."

# FUZZ_CORPUS: another folder, e.g. a fresh one holding the seeds only (the CI smoke run).
corpus=${FUZZ_CORPUS:-fuzz/corpus}
mkdir -p "$corpus"/{load_plan,az_import,catalog_import,check_pipeline,az_quoting}

# A seed's name: its path with `/` replaced, so files of the same name in two folders both land.
seed_name() { printf '%s' "${1//\//_}"; }

# load_plan: the first byte picks the format (0 YAML, 1 TOML, 2 JSON; see the target).
shopt -s nullglob globstar
for plan in fixtures/plans/**/*.yaml fixtures/plans/**/*.yml examples/*.yaml fixtures/diff/*.yaml \
  fixtures/policy/*.yaml fixtures/bad-inputs/plans/*.yaml; do
  { printf '\x00'; cat "$plan"; } >"$corpus/load_plan/$(seed_name "$plan")"
done
for plan in fixtures/plans/**/*.toml examples/*.toml fixtures/bad-inputs/plans/*.toml; do
  { printf '\x01'; cat "$plan"; } >"$corpus/load_plan/$(seed_name "$plan")"
done
for plan in fixtures/plans/**/*.json fixtures/bad-inputs/plans/*.json; do
  { printf '\x02'; cat "$plan"; } >"$corpus/load_plan/$(seed_name "$plan")"
done

# az_import: every saved `az` output (they all go through every reader).
for file in fixtures/az/*.json fixtures/live/*/*.json examples/state/*.json fixtures/bad-inputs/az/*/*.json; do
  cp "$file" "$corpus/az_import/$(seed_name "$file")"
done

# catalog_import: `az aks get-versions` outputs.
for file in fixtures/catalog/*.json fixtures/az/get-versions-*.json fixtures/bad-inputs/catalogs/*.json; do
  cp "$file" "$corpus/catalog_import/$(seed_name "$file")"
done

# az_quoting: the input is a list of strings decoded by `arbitrary`; raw bytes of hostile names
# are as good a start as any.
i=0
for word in "aks-prod" "it's" "\$(rm -rf ~)" '`id`' "a;b" $'a\nb' "'\"'\"'" "\\" "ünïcödé" " "; do
  printf '%s' "$word" >"$corpus/az_quoting/seed-$i"
  i=$((i + 1))
done

# check_pipeline: structured input (`arbitrary` bytes, not plan text); it starts empty and
# libFuzzer grows the corpus from coverage.

# Regression inputs found by earlier runs are seeds too, except check_pipeline's: those are the
# plans the target rendered (readable, and replayed by crates/aksplan-graph/tests), not its bytes.
for dir in fixtures/fuzz-regressions/*/; do
  target="$(basename "$dir")"
  [[ -d $corpus/$target && $target != check_pipeline ]] || continue
  for file in "$dir"*; do
    [[ -f $file ]] && cp "$file" "$corpus/$target/regression-$(basename "$file")"
  done
done

for target in "$corpus"/*/; do
  printf '%s: %s seeds\n' "$(basename "$target")" "$(find "$target" -type f | wc -l)"
done

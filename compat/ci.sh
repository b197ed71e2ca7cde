#!/usr/bin/env bash
# compat/ci.sh [EXPECTED_NODE] [ACTUAL_NODE]   (defaults: anvil ember)
# Runs every client against both nodes (compat/run.sh), then compare.mjs; prints each stage's
# wall time. Exit non-zero on any failed check or stage. `bash compat/ci.sh anvil anvil`
# checks the suite itself: two anvils must agree on every observation.
set -uo pipefail
COMPAT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$COMPAT/.." && pwd)"
EXPECTED="${1:-anvil}"
ACTUAL="${2:-ember}"
OUT="$ROOT/target/compat"
mkdir -p "$OUT"
status=0
T0=$SECONDS

stage() {
  local name="$1"
  shift
  local t=$SECONDS
  "$@"
  local rc=$?
  echo "== stage $name: $((SECONDS - t)) s (exit $rc)" >&2
  [ $rc -eq 0 ] || status=1
  return $rc
}

install() {
  source "$COMPAT/lib.sh"
  compat_install
}

stage install install
stage "run $EXPECTED" bash "$COMPAT/run.sh" "$EXPECTED"
cp "$OUT/$EXPECTED.jsonl" "$OUT/expected.jsonl"
stage "run $ACTUAL" bash "$COMPAT/run.sh" "$ACTUAL"
cp "$OUT/$ACTUAL.jsonl" "$OUT/actual.jsonl"
# Ember's deliberate differences from anvil (compat/deliberate.json, each with its reason) are
# compared in their own way only when ember is one side.
deliberate=()
[ "$ACTUAL" = ember ] && deliberate=(--deliberate)
stage compare node "$COMPAT/compare.mjs" "${deliberate[@]}" "$OUT/expected.jsonl" "$OUT/actual.jsonl"
echo "== total: $((SECONDS - T0)) s" >&2
exit $status

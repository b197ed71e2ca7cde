#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ briefly on its seed corpus (CI's fuzz smoke stage).
#
#   scripts/fuzz-ci.sh [TARGET...]        default: every target in fuzz/fuzz_targets
#   FUZZ_SECONDS=30                       libFuzzer -max_total_time per target
#
# Installs cargo-fuzz (crates.io, --locked) when missing, builds the targets with
# RUSTC_BOOTSTRAP=1 on the stable toolchain (cargo-fuzz needs nightly flags; no nightly
# toolchain is required), then runs each target for FUZZ_SECONDS on a scratch copy of its
# seed corpus (fuzz/corpus-work/, ignored by git: the committed fuzz/corpus/ stays as it
# is). Prints libFuzzer's closing stats line per target and `N passed, N failed`; exits 1
# when any target crashed, hung (-timeout) or ran out of memory (-rss_limit_mb).
# See docs/fuzzing.md. On a shared machine, run it under `nice -n 19`.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "::: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  TARGETS=()
  for f in fuzz_targets/*.rs; do TARGETS+=("$(basename "$f" .rs)"); done
fi

echo "::: building ${TARGETS[*]}"
start=$(date +%s)
cargo fuzz build
echo "::: build took $(( $(date +%s) - start ))s"

passed=0
failed=0
for t in "${TARGETS[@]}"; do
  work="corpus-work/$t"
  mkdir -p "$work" "artifacts/$t"
  log="artifacts/$t/ci.log"
  echo "::: $t (${SECONDS_PER_TARGET}s)"
  if cargo fuzz run "$t" "$work" "corpus/$t" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true
  else
    failed=$((failed + 1))
    echo "FAILED: $t (log: fuzz/$log)"
    grep -E '^(==[0-9]+==|thread .* panicked|SUMMARY|Test unit written|artifact_prefix|Running:)' "$log" | head -20 || true
    tail -30 "$log"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

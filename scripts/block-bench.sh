#!/usr/bin/env bash
# Ember and revm side by side on whole blocks (issue 22): imports each blockchain test of the
# gas-benchmark set (default: target/fixtures/eest-benchmark) in both, a median of --runs
# (default 5) fresh imports per test and side, after checking every block's gas used and
# roots on both sides against the fixture. Prints the table (test, gas, Ember Mgas/s, revm
# Mgas/s, ratio; slowest first) and the summary (whole-set time ratio) on stderr, and keeps
# the JSON lines (one per test) in $OUT (default target/block-bench.jsonl).
# Usage: scripts/block-bench.sh [--runs N] [--filter REGEX] [PATH...]
# Not in CI: the whole set takes several minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=${OUT:-target/block-bench.jsonl}
cargo build --release --locked -p ember-bench >&2
echo "CPU: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) core(s); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
./target/release/ember-bench --blocks "$@" >"$out"
echo "JSON lines: $out" >&2

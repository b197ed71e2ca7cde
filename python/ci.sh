#!/usr/bin/env bash
# The Python package in CI (issue 20): builds the wheel (maturin, into the workspace's
# target/) into a fresh virtual environment with the test dependencies from PyPI (pyrevm,
# eth-tester[py-evm], web3), then runs pytest on python/tests and prints its summary line.
# Fails when pytest fails or ran no test.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/py-venv
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
start=$(date +%s)
"$VENV/bin/pip" install --quiet "./python[test]"
echo "wheel built and installed with the test dependencies in $(( $(date +%s) - start ))s"
set +e
"$VENV/bin/python" -m pytest python/tests -q -p no:cacheprovider -o console_output_style=classic \
  >target/ci-pytest.log 2>&1
status=$?
set -e
grep -E '^(FAILED|ERROR)' target/ci-pytest.log || true
summary=$(tail -n 1 target/ci-pytest.log)
echo "pytest: $summary"
[ "$status" -eq 0 ] || { tail -n 60 target/ci-pytest.log >&2; echo "pytest failed (exit $status)" >&2; exit 1; }
grep -qE '[1-9][0-9]* passed' <<<"$summary" || { echo "pytest ran no test" >&2; exit 1; }

#!/usr/bin/env bash
# The Python package in CI (issue 20): builds the wheel (maturin, into the workspace's
# target/) into a fresh virtual environment with the test dependencies from PyPI (pyrevm,
# eth-tester[py-evm], web3), then runs pytest on python/tests and prints its summary line.
# Fails when pytest fails or ran no test.
set -euo pipefail
cd "$(dirname "$0")/.."
# The wheel's build reuses the workspace build's artifacts only when `-p ember-python`
# resolves the same features as `--workspace` (python/Cargo.toml unifies them by hand).
tree() { cargo tree "$@" -e normal,build -f '{p} {f}' --prefix none --locked | sort -u; }
python3 - <(tree -p ember-python) <(tree --workspace) <<'PY'
import sys
def load(path):
    d = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2:
            feats = parts[2] if len(parts) > 2 and not parts[2].startswith("(") else ""
            d.setdefault((parts[0], parts[1]), set()).update(f for f in feats.split(",") if f)
    return d
py, ws = load(sys.argv[1]), load(sys.argv[2])
if not py or not ws:
    sys.exit("cargo tree printed nothing: cannot compare the wheel's features with the workspace's")
diff = sorted(f"{n} {v}" for (n, v) in py if (n, v) in ws and py[(n, v)] != ws[(n, v)])
print(f"feature sets of the wheel's build and the workspace's: {len(diff)} crate(s) differ"
      + (" (the wheel recompiles them and their dependents): " + ", ".join(diff) if diff else ""))
PY
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

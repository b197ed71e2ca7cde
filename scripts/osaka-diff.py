#!/usr/bin/env python3
"""Ember against the execution spec on Osaka, BPO1 and BPO2: a front end to spec-diff.py.

Three selections, each a spec-diff.py run with the matching options (any further option is
passed on to spec-diff.py and wins over these defaults):

  --prague (default)  the execution-spec-tests state tests filled for Prague
                      (target/fixtures/execution-spec-tests/state_tests, post key `Prague`),
                      re-run under --forks (default Osaka): spec-diff.py --source-forks Prague
  --crafted           the hand-made tests in tests/osaka/ (scripts/osaka-cases.py), at their
                      own forks Prague, Osaka, BPO1 and BPO2
  --ci                a quick check (about 2 to 3 minutes on 2 shared cores): every crafted
                      case, then a seeded sample of 500 Prague cases under Osaka and 100 each
                      under BPO1 and BPO2, in a fresh temporary folder unless --out is given

Examples:

  scripts/osaka-diff.py --limit-cases 3000 --seed 7594             # 3,000 Prague cases as Osaka
  scripts/osaka-diff.py --forks BPO1,BPO2 --limit-cases 1500 --seed 7892
  scripts/osaka-diff.py --crafted
  scripts/osaka-diff.py --ci

Exit status as spec-diff.py's (the worst of the runs): 1 when a state root differs, 2 when
none differs but some case could not be compared, 0 otherwise.
"""
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_DIFF = os.path.join(REPO, "scripts", "spec-diff.py")
EEST = os.path.join(REPO, "target", "fixtures", "execution-spec-tests", "state_tests")
CRAFTED = os.path.join(REPO, "tests", "osaka")
OUT = os.path.join(REPO, "target", "osaka-diff")

CI_SAMPLE = [("Osaka", 500, 7594), ("BPO1", 100, 7892), ("BPO2", 100, 7893)]


def prague(out):
    return ["--fixtures", EEST, "--source-forks", "Prague", "--forks", "Osaka", "--out", out]


def crafted(out):
    return ["--fixtures", CRAFTED, "--forks", "Prague,Osaka,BPO1,BPO2", "--out", out]


def run(args):
    cmd = [sys.executable, SPEC_DIFF] + args
    print("osaka-diff: " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd).returncode


def worst(codes):
    return 1 if 1 in codes else (2 if any(codes) else 0)


def main():
    argv = sys.argv[1:]
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    mode = "prague"
    for m in ("--prague", "--crafted", "--ci"):
        if m in argv:
            argv.remove(m)
            mode = m[2:]
    out = None
    if "--out" in argv:
        i = argv.index("--out")
        out = argv[i + 1]
        del argv[i:i + 2]
    if mode == "prague":
        return run(prague(out or os.path.join(OUT, "prague-as-osaka")) + argv)
    if mode == "crafted":
        return run(crafted(out or os.path.join(OUT, "crafted")) + argv)
    # --ci: a fresh folder, so that nothing is skipped as already done
    base = out or tempfile.mkdtemp(prefix="osaka-diff-ci-")
    codes = [run(crafted(os.path.join(base, "crafted")) + argv)]
    for fork, n, seed in CI_SAMPLE:
        codes.append(run(prague(os.path.join(base, f"prague-as-{fork}"))
                         + ["--forks", fork, "--limit-cases", str(n), "--seed", str(seed)] + argv))
    print(f"osaka-diff: CI runs in {base}: exit codes {codes}", file=sys.stderr)
    return worst(codes)


if __name__ == "__main__":
    sys.exit(main())

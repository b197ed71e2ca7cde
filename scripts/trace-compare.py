#!/usr/bin/env python3
"""Compare Ember's EIP-3155 traces with the execution specs', step by step.

For a deterministic sample of GeneralStateTests cases (one case per fixture file, files and
cases chosen by a seeded hash, forks Istanbul..Cancun as each test's post keys give), run

    ember statetest --json --statetest.fork F --statetest.index N --run '^TEST$' FILE
    ethereum-spec-evm statetest --json --nomemory --noreturndata CHUNK

where CHUNK is a file of single-case copies of the same tests (post = {F: [entry N]}; the
spec has no fork or index selection), and compare every step line on pc, op, gas, gasCost,
stack, depth and memSize (numbers compared as integers, whatever their spelling).

Exit 0 when every compared case is identical after the normalisations below, 1 when some
case differs or could not be run, 2 on bad arguments or a missing tool.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FIXTURES = os.path.join(ROOT, "target", "fixtures", "ethereum-tests", "GeneralStateTests")
DEFAULT_EMBER = os.path.join(ROOT, "target", "release", "ember")
FORKS = ["Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun"]
FIELDS = ["pc", "op", "gas", "gasCost", "stack", "depth", "memSize"]

# Every normalisation the comparison applies, with its reason. Printed by --help and listed in
# scripts/README.md; keep the three in step.
NORMALISATIONS = [
    ("only step lines",
     "lines without a \"pc\" field are dropped on both sides: the per-transaction summary "
     "({\"output\",\"gasUsed\"}; the spec prints one per transaction, geth one per frame), "
     "the {\"stateRoot\"} line, and the spec's '# WARNING' lines"),
    ("names and errors ignored",
     "opName and error are not compared: the spec spells some opcodes differently "
     "(e.g. KECCAK256/SHA3, PREVRANDAO/DIFFICULTY) and words its errors its own way; "
     "op (the byte) is compared instead"),
    ("numbers as integers",
     "gas, gasCost and stack words are compared as integers, so 0x0a, 0xa and 10 agree"),
    ("geth's fault line",
     "when an instruction fails while running (bad jump, REVERT, write protection...) geth's "
     "JSON logger writes its line a second time with the error (its OnFault calls OnOpcode); "
     "Ember does as geth, the spec writes one line. An Ember line with an error that repeats "
     "the previous line's pc, op, depth and gas is dropped"),
    ("invalid opcode line",
     "geth writes a line for an undefined opcode or INVALID (0xfe) before failing on it "
     "(its jump table has an entry for every byte); the spec raises while decoding and writes "
     "none. Ember's line whose error starts 'invalid opcode' is dropped"),
    ("gasCost the spec cannot compute",
     "when the cost itself overflows (e.g. CODECOPY of 2^256-16 bytes) the spec raises before "
     "charging and its line has no gasCost; geth and Ember write the static cost. gasCost is "
     "not compared when the spec's line has none"),
    ("gasCost of a stack error",
     "on a stack underflow or overflow geth (and Ember) write the instruction's static cost "
     "(geth sets cost = constantGas before its stack check), the spec writes 0. gasCost is not "
     "compared on an Ember line whose error starts 'stack underflow' or 'stack limit'"),
    ("gasCost when the static cost is not covered",
     "when the gas left is below the static cost geth fails on that charge alone and writes "
     "the static cost (so does Ember); the spec charges static and dynamic cost in one "
     "charge_gas and writes their sum. gasCost is not compared on an out-of-gas line whose "
     "gas is below Ember's gasCost and Ember's gasCost is the static cost of op at the fork "
     "(checked: Ember's gasCost <= the spec's)"),
    ("no memory, return data or refund",
     "both run with memory and return data off; refund, storage and returnData are not "
     "compared (only the fields listed above)"),
]


def static_costs(op):
    """The static costs op has in geth's tables, Istanbul..Cancun (two for the opcodes EIP-2929
    changed: 700 or 800 before Berlin, 100 after)."""
    if 0x60 <= op <= 0x9f or 0x10 <= op <= 0x1d or op in (0x01, 0x03, 0x35, 0x37, 0x39, 0x3e, 0x49,
                                                        0x51, 0x52, 0x53, 0x5e):
        return (3,)
    if op in (0x02, 0x04, 0x05, 0x06, 0x07, 0x0b, 0x47):
        return (5,)
    if op in (0x08, 0x09, 0x56):
        return (8,)
    if 0xa0 <= op <= 0xa4:
        return (375 * (op - 0x9f),)
    table = {0x0a: (10,), 0x20: (30,), 0x40: (20,), 0x57: (10,), 0x5b: (1,), 0x5c: (100,),
             0x5d: (100,), 0xf0: (32000,), 0xf5: (32000,), 0xff: (5000,), 0x54: (800, 100)}
    for o in (0x31, 0x3b, 0x3c, 0x3f, 0xf1, 0xf2, 0xf4, 0xfa):
        table[o] = (700, 100)
    return table.get(op, (2,))




def epilog():
    lines = ["normalisations (every one applied):"]
    for name, why in NORMALISATIONS:
        lines.append(f"  - {name}: {why}")
    return "\n".join(lines)


def h(seed, text):
    return hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()


def list_files(fixtures):
    out = []
    for d, _, names in os.walk(fixtures):
        for n in names:
            if n.endswith(".json"):
                out.append(os.path.relpath(os.path.join(d, n), fixtures))
    out.sort()
    return out


def select(a):
    """One case per file: files in seeded-hash order, the case by a seeded hash too."""
    files = list_files(a.fixtures)
    if a.exclude:
        rx = re.compile(a.exclude)
        files = [f for f in files if not rx.search(f)]
    files.sort(key=lambda f: h(a.seed, f))
    cases = []
    for rel in files:
        if len(cases) >= a.cases:
            break
        try:
            with open(os.path.join(a.fixtures, rel)) as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as e:
            print(f"trace-compare: skip {rel}: {e}", file=sys.stderr)
            continue
        options = []
        for test, body in doc.items():
            if test.startswith("_") or not isinstance(body, dict):
                continue
            for fork, entries in body.get("post", {}).items():
                if fork in FORKS:
                    for i in range(len(entries)):
                        options.append((test, fork, i))
        if not options:
            continue
        test, fork, i = min(options, key=lambda o: h(a.seed, f"{rel}|{o[0]}|{o[1]}|{o[2]}"))
        cases.append({"file": rel, "test": test, "fork": fork, "index": i})
    return cases


def parse_steps(text):
    """The step lines of a trace (normalised), and how many lines were dropped."""
    steps = []
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if not isinstance(obj, dict) or "pc" not in obj:
            continue
        steps.append(obj)
    return steps


def num(v):
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        return int(v, 16) if v.lower().startswith("0x") else int(v)
    return v


def norm(step):
    out = {}
    for f in FIELDS:
        v = step.get(f)
        if f == "stack":
            out[f] = [num(x) for x in v] if v is not None else None
        else:
            out[f] = num(v) if v is not None else None
    return out


def run_ember(a, c):
    """Ember's steps for the case; stops reading (and kills Ember) past --max-steps lines."""
    path = os.path.join(a.fixtures, c["file"])
    cmd = [a.ember, "statetest", "--json", "--statetest.fork", c["fork"],
           "--statetest.index", str(c["index"]), "--run", "^" + re.escape(c["test"]) + "$", path]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines, roots, too_long = [], 0, False
    deadline = time.monotonic() + a.timeout
    for line in p.stderr:
        if line.startswith('{"stateRoot"'):
            roots += 1
        elif line.startswith('{"pc"'):
            lines.append(line)
            if len(lines) > a.max_steps:
                too_long = True
                break
        if time.monotonic() > deadline:
            p.kill()
            p.wait()
            return None, "ember timeout"
    if too_long:
        p.kill()
        p.wait()
        return lines, None
    rc = p.wait()
    if roots != 1:
        return None, f"ember ran {roots} cases (exit {rc})"
    return parse_steps("".join(lines)), None


def spec_case(a, c):
    with open(os.path.join(a.fixtures, c["file"])) as fh:
        test = json.load(fh)[c["test"]]
    test["post"] = {c["fork"]: [test["post"][c["fork"]][c["index"]]]}
    return test


def run_spec(a, chunk, workdir):
    """Runs the spec once on a chunk; returns per-case step lists (None when not reached)."""
    path = os.path.join(workdir, "chunk.json")
    doc = {}
    for n, c in enumerate(chunk):
        doc[f"{n:04d}|{c['test']}"] = spec_case(a, c)
    with open(path, "w") as fh:
        json.dump(doc, fh)
    cmd = a.spec.split() + ["statetest", "--json", "--nomemory", "--noreturndata", path]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout * len(chunk))
        err, why = r.stderr, f"spec exit {r.returncode}"
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        why = "spec timeout"
    results, current = [], []
    for line in err.splitlines():
        if line.startswith('{"stateRoot"'):
            results.append(parse_steps("\n".join(current)))
            current = []
        else:
            current.append(line)
    out = results + [None] * (len(chunk) - len(results))
    return out[: len(chunk)], why


def normalise_ember(steps, counts):
    """Drops the lines geth (and so Ember) writes and the spec does not (see NORMALISATIONS)."""
    out = []
    for st in steps:
        err = st.get("error") or ""
        if err.startswith("invalid opcode"):
            counts["invalid opcode line"] = counts.get("invalid opcode line", 0) + 1
            continue
        if err and out:
            prev = out[-1]
            if all(prev.get(k) == st.get(k) for k in ("pc", "op", "depth", "gas")) and not prev.get("error"):
                counts["geth's fault line"] = counts.get("geth's fault line", 0) + 1
                prev["_fault"] = err
                continue
        out.append(st)
    return out


def first_difference(ember, spec):
    """(step index, field, ember value, spec value) of the first difference, or None."""
    for i, (e, s) in enumerate(zip(ember, spec)):
        ne, ns = norm(e), norm(s)
        err = e.get("error") or ""
        for f in FIELDS:
            if f == "gasCost" and ns[f] is None:
                continue
            if f == "gasCost" and (err.startswith("stack underflow") or err.startswith("stack limit")):
                continue
            if (f == "gasCost" and err == "out of gas" and ne["gas"] < ne["gasCost"]
                    and ns["gasCost"] is not None and ne["gasCost"] <= ns["gasCost"]
                    and ne["gasCost"] in static_costs(ne["op"])):
                continue
            if ne[f] != ns[f]:
                return i, f, e, s
    if len(ember) != len(spec):
        i = min(len(ember), len(spec))
        return i, "length", len(ember), len(spec)
    return None


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, epilog=epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ci", action="store_true",
                    help="CI sample: 150 cases, at most 20,000 steps each (about 1-2 minutes)")
    ap.add_argument("--cases", type=int, default=None,
                    help="cases to compare (default 520; 150 with --ci)")
    ap.add_argument("--seed", default="ember", help="sample seed (default: ember)")
    ap.add_argument("--max-steps", type=int, default=None,
                    help="skip a case whose Ember trace is longer (default 60,000; 20,000 with --ci)")
    ap.add_argument("--exclude", metavar="REGEX", default=r"^stTimeConsuming/",
                    help="skip fixture files whose relative path matches (default: ^stTimeConsuming/)")
    ap.add_argument("--fixtures", default=DEFAULT_FIXTURES, help="GeneralStateTests folder")
    ap.add_argument("--ember", default=DEFAULT_EMBER, help="the ember binary")
    ap.add_argument("--spec", default="ethereum-spec-evm", help="the spec's command")
    ap.add_argument("--chunk", type=int, default=10, help="cases per spec run (default 10)")
    ap.add_argument("--jobs", type=int, default=2, help="spec runs in parallel (default 2)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per case (default 120)")
    ap.add_argument("--show", type=int, default=20, help="differences listed (default 20)")
    ap.add_argument("--save", metavar="DIR", help="write both traces of each differing case here")
    a = ap.parse_args()
    if a.cases is None:
        a.cases = 150 if a.ci else 520
    if a.max_steps is None:
        a.max_steps = 20_000 if a.ci else 60_000
    if not os.path.isdir(a.fixtures):
        print(f"trace-compare: no fixtures at {a.fixtures} (run ../shared/fixtures/unpack)", file=sys.stderr)
        return 2
    if not os.access(a.ember, os.X_OK):
        print(f"trace-compare: no ember binary at {a.ember} (cargo build --release --bin ember)",
              file=sys.stderr)
        return 2
    if not shutil.which(a.spec.split()[0]):
        print(f"trace-compare: {a.spec} not found (pip install ethereum-execution)", file=sys.stderr)
        return 2

    t0 = time.monotonic()
    cases = select(a)
    print(f"selected {len(cases)} cases ({time.monotonic() - t0:.1f} s)", file=sys.stderr)

    runnable, skipped, errors = [], [], []
    for c in cases:
        steps, err = run_ember(a, c)
        if err:
            errors.append((c, err))
        elif len(steps) > a.max_steps:
            skipped.append((c, f"{len(steps)} steps"))
        else:
            c["ember"] = steps
            runnable.append(c)
    print(f"ember: {len(runnable)} traced, {len(skipped)} over {a.max_steps} steps, "
          f"{len(errors)} errors ({time.monotonic() - t0:.1f} s)", file=sys.stderr)

    chunks = [runnable[i:i + a.chunk] for i in range(0, len(runnable), a.chunk)]
    done = [0]

    def work(chunk):
        with tempfile.TemporaryDirectory(prefix="trace-compare-") as d:
            res, why = run_spec(a, chunk, d)
            # a crash or timeout: run the unreached cases alone
            for k, (c, steps) in enumerate(zip(chunk, res)):
                if steps is None:
                    one, why1 = run_spec(a, [c], d)
                    res[k] = one[0]
                    if one[0] is None:
                        c["spec_error"] = why1
        for c, steps in zip(chunk, res):
            c["spec"] = steps
        done[0] += len(chunk)
        print(f"  spec: {done[0]}/{len(runnable)} ({time.monotonic() - t0:.0f} s)", file=sys.stderr)

    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        list(pool.map(work, chunks))

    same, diffs, steps_total = 0, [], 0
    by_kind, applied = {}, {}
    for c in runnable:
        if c.get("spec") is None:
            errors.append((c, c.get("spec_error", "spec gave no trace")))
            continue
        steps_total += len(c["ember"])
        counts = {}
        c["ember"] = normalise_ember(c["ember"], counts)
        for k, v in counts.items():
            applied[k] = applied.get(k, 0) + 1
        d = first_difference(c["ember"], c["spec"])
        if d is None:
            same += 1
            continue
        diffs.append((c, d))
        i, f, e, s = d
        op = e.get("opName", e.get("op")) if isinstance(e, dict) else "-"
        by_kind.setdefault((f, op), []).append(c)
        if a.save:
            os.makedirs(a.save, exist_ok=True)
            base = os.path.join(a.save, re.sub(r"[^A-Za-z0-9_.-]", "_", f"{c['test']}-{c['fork']}-{c['index']}"))
            for side in ("ember", "spec"):
                with open(f"{base}.{side}.jsonl", "w") as fh:
                    for st in c[side]:
                        fh.write(json.dumps(st) + "\n")

    wall = time.monotonic() - t0
    for c, (i, f, e, s) in diffs[: a.show]:
        print(f"DIFF {c['file']} {c['test']} {c['fork']}[{c['index']}] step {i} {f}:")
        if f == "length":
            print(f"  ember {e} steps, spec {s} steps")
        else:
            print(f"  ember {json.dumps(e)}\n  spec  {json.dumps(s)}")
    for c, why in errors[: a.show]:
        print(f"ERROR {c['file']} {c['test']} {c['fork']}[{c['index']}]: {why}")
    if by_kind:
        print("differences by field and Ember opcode:")
        for (f, op), cs in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
            print(f"  {f} at {op}: {len(cs)}")
    if applied:
        print("normalisations applied (cases): " + ", ".join(f"{k} {v}" for k, v in sorted(applied.items())))
    forks = {}
    for c in runnable:
        forks[c["fork"]] = forks.get(c["fork"], 0) + 1
    print("compared per fork: " + ", ".join(f"{k} {forks.get(k, 0)}" for k in FORKS))
    print(f"trace-compare: {same + len(diffs)} cases compared ({steps_total} steps): "
          f"{same} identical, "
          f"{len(diffs)} differ, {len(errors)} errors, {len(skipped)} skipped (> {a.max_steps} steps); "
          f"{wall:.0f} s wall")
    return 0 if not diffs and not errors else 1


if __name__ == "__main__":
    sys.exit(main())

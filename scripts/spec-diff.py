#!/usr/bin/env python3
"""Differential test: Ember against the executable specs on GeneralStateTests, old forks.

The GeneralStateTests fixtures are filled for Istanbul..Cancun; only 1,690 cases carry a
Frontier..ConstantinopleFix post state. This script re-targets the other cases at an old
fork: for every selected test it writes a copy whose `post` has a single key, the target
fork, holding one existing fork's entries (the target fork's own entries when the test has
them, else those of the nearest newer fork, else the nearest older one). Only the
`indexes` of the entries matter: the expected `hash` belongs to another fork, so the
fixture's verdict is ignored and the *computed* state roots are compared:

    ember statetest --fork F CHUNK.json (stdout not a terminal: JSON results)      (Ember)
    ethereum-spec-evm statetest CHUNK.json          (execution specs, PyPI ethereum-execution)

`--source-forks` restricts which post keys may be re-targeted (the execution-spec-tests
fixtures hold one fork per test: `--source-forks Prague --forks Osaka` re-runs their Prague
fills under Osaka; see osaka-diff.py). Target forks run up to Osaka, BPO1 and BPO2.

Cases whose transaction type the fork lacks are filtered out: a non-null
`accessLists[data]` before Berlin, `maxFeePerGas` before London, `blobVersionedHashes`
before Cancun, `authorizationList` before Prague.

Each case is written as its own test (named `NNNN|test|i`) so that results are matched by
name. The copies carry `_info.filling-transition-tool`, which makes Ember treat a rejected
transaction as the execution specs do (the pre-state is left as it was, no coinbase touch),
which is exactly what `ethereum-spec-evm statetest` does; without it Ember would apply
retesteth's convention (a zero-value block reward touches the coinbase) and every case with a
rejected transaction and an absent/empty coinbase would differ for that reason alone.
`--retesteth-convention` turns this off.

Selection is deterministic: the fixture files are sorted, tests are taken in file order and
entries in post order; `--limit-cases N` keeps N of the eligible cases per fork, evenly spaced
(stride) or, with `--seed S`, a seeded random sample (kept in order). `--part K/M` runs the
K-th of M parts of that selection, split at file boundaries into parts of about equal case
counts, so a long run can be done in pieces. Results are appended to OUT/results/FORK.jsonl;
a rerun with the same selection skips the cases already there (resume), and the summary is
always computed over every stored result of the selection (all parts done so far).

Exit status: 1 when some state roots differ, 2 when none differ but some cases could not be
compared (an error, a timeout or a missing result on one side), 0 otherwise.
"""
import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

FORK_ORDER = [
    "Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople",
    "ConstantinopleFix", "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun",
    "Prague", "Osaka", "BPO1", "BPO2",
]
ALIASES = {
    "tangerinewhistle": "EIP150", "spuriousdragon": "EIP158", "petersburg": "ConstantinopleFix",
    "merge": "Paris",
}
# The spec's statetest refuses plain "Constantinople".
UNSUPPORTED = {"Constantinople"}
# fork introducing each transaction feature
FEATURE_FORK = {
    "accessLists": "Berlin", "maxFeePerGas": "London", "blobVersionedHashes": "Cancun",
    "authorizationList": "Prague",
}

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FIXTURES = os.path.join(REPO, "target", "fixtures", "ethereum-tests", "GeneralStateTests")
DEFAULT_EMBER = os.path.join(REPO, "target", "release", "ember")


def fork_name(s):
    s = s.strip()
    for f in FORK_ORDER:
        if f.casefold() == s.casefold():
            return f
    if s.casefold() in ALIASES:
        return ALIASES[s.casefold()]
    raise argparse.ArgumentTypeError(f"unknown fork {s!r}; known: {', '.join(FORK_ORDER)}")


def rank(fork):
    return FORK_ORDER.index(fork)


def source_fork(post, target, sources=None):
    """The post key whose entries are re-targeted at `target`, and whether it is native.
    With `sources`, only those post keys may be used."""
    keys = [k for k in post if k in FORK_ORDER and (sources is None or k in sources)]
    if target in keys:
        return target, True
    newer = sorted((k for k in keys if rank(k) > rank(target)), key=rank)
    if newer:
        return newer[0], False
    older = sorted((k for k in keys if rank(k) < rank(target)), key=rank, reverse=True)
    if older:
        return older[0], False
    return None, False


def type_skip(tx, entry, target):
    """Why the case's transaction cannot exist at `target`, or None."""
    d = entry.get("indexes", {}).get("data", 0)
    for field in ("authorizationList", "blobVersionedHashes", "maxFeePerGas"):
        if field in tx and tx[field] is not None and rank(target) < rank(FEATURE_FORK[field]):
            return f"{field} tx before {FEATURE_FORK[field]}"
    al = tx.get("accessLists")
    if al is not None and rank(target) < rank("Berlin"):
        if isinstance(al, list) and d < len(al) and al[d] is not None:
            return "accessLists tx before Berlin"
    return None


# ---------------------------------------------------------------------------------------------
# selection

def list_files(fixtures, files_from):
    if files_from:
        out = []
        with open(files_from) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                p = line if os.path.isabs(line) else os.path.join(fixtures, line)
                out.append(os.path.relpath(os.path.abspath(p), fixtures))
        return sorted(set(out))
    out = []
    for root, dirs, files in os.walk(fixtures):
        for name in files:
            if name.endswith(".json"):
                out.append(os.path.relpath(os.path.join(root, name), fixtures))
    return sorted(out)


def enumerate_cases(fixtures, files, forks, exclude, sources=None):
    """Per fork: the eligible cases in order, and counters of what was filtered out."""
    cases = {f: [] for f in forks}
    skipped = {f: {} for f in forks}
    for rel in files:
        if exclude and exclude.search(rel):
            continue
        try:
            with open(os.path.join(fixtures, rel)) as fh:
                tests = json.load(fh)
        except (OSError, ValueError) as e:
            print(f"spec-diff: cannot read {rel}: {e}", file=sys.stderr)
            continue
        for tname, test in tests.items():
            if not isinstance(test, dict) or "post" not in test or "transaction" not in test:
                continue
            tx = test["transaction"]
            for fork in forks:
                src, native = source_fork(test["post"], fork, sources)
                if src is None:
                    skipped[fork]["no post entries"] = skipped[fork].get("no post entries", 0) + 1
                    continue
                for i, entry in enumerate(test["post"][src]):
                    why = type_skip(tx, entry, fork)
                    if why:
                        skipped[fork][why] = skipped[fork].get(why, 0) + 1
                        continue
                    ix = entry.get("indexes", {})
                    cases[fork].append({
                        "id": f"{rel}::{tname}::{src}[{i}]",
                        "file": rel, "test": tname, "src": src, "i": i, "native": native,
                        "indexes": [ix.get("data", 0), ix.get("gas", 0), ix.get("value", 0)],
                        "expected": entry.get("hash"),
                        "expect_exception": entry.get("expectException"),
                    })
    return cases, skipped


def cap_per_file(cases, cap):
    """At most `cap` cases of each file, evenly spaced within the file (order kept)."""
    if not cap:
        return cases
    out, i = [], 0
    while i < len(cases):
        j = i
        while j < len(cases) and cases[j]["file"] == cases[i]["file"]:
            j += 1
        n = j - i
        if n <= cap:
            out.extend(cases[i:j])
        else:
            out.extend(cases[i + k * n // cap] for k in range(cap))
        i = j
    return out


def select(cases, limit, seed):
    if limit is None or limit >= len(cases):
        return list(cases)
    if seed is not None:
        keep = sorted(random.Random(seed).sample(range(len(cases)), limit))
    else:
        keep = [i * len(cases) // limit for i in range(limit)]
    return [cases[i] for i in keep]


def part_of(selected, k, m):
    """The k-th (1-based) of m parts, split at file boundaries with about equal case counts."""
    if m == 1:
        return selected
    total = len(selected)
    out, pos = [], 0
    by_file = []
    for c in selected:
        if by_file and by_file[-1][0] == c["file"]:
            by_file[-1][1].append(c)
        else:
            by_file.append((c["file"], [c]))
    for _, group in by_file:
        # a file goes to the part in which its first case falls
        p = pos * m // total + 1
        if p == k:
            out.extend(group)
        pos += len(group)
    return out


# ---------------------------------------------------------------------------------------------
# running

class Runner:
    def __init__(self, a, fixtures):
        self.a = a
        self.fixtures = fixtures
        self._file_cache = {}
        self._lock = threading.Lock()

    def load(self, rel):
        with self._lock:
            if rel not in self._file_cache:
                if len(self._file_cache) > 64:
                    self._file_cache.clear()
                with open(os.path.join(self.fixtures, rel)) as fh:
                    self._file_cache[rel] = json.load(fh)
            return self._file_cache[rel]

    def case_test(self, c, fork):
        test = self.load(c["file"])[c["test"]]
        out = {k: v for k, v in test.items() if k not in ("post", "_info")}
        out["post"] = {fork: [test["post"][c["src"]][c["i"]]]}
        if not self.a.retesteth_convention:
            out["_info"] = {"filling-transition-tool": "scripts/spec-diff.py (execution-specs convention)"}
        return out

    def write_chunk(self, path, chunk, fork):
        doc = {}
        for n, c in enumerate(chunk):
            doc[f"{n:04d}|{c['test']}|{c['i']}"] = self.case_test(c, fork)
        with open(path, "w") as fh:
            json.dump(doc, fh)
        return list(doc)

    def run_ember(self, path, fork, names, chunk):
        t0 = time.monotonic()
        try:
            r = subprocess.run([self.a.ember, "statetest", "--fork", fork, path],
                               capture_output=True, text=True, timeout=self.a.timeout)
        except subprocess.TimeoutExpired:
            return {n: {"error": "ember timeout"} for n in names}, time.monotonic() - t0
        dt = time.monotonic() - t0
        res = {}
        try:
            arr = json.loads(r.stdout) if r.stdout.strip() else []
        except ValueError:
            arr = []
        expect = {n: bool(c.get("expect_exception")) for n, c in zip(names, chunk)}
        for e in arr:
            err = e.get("error") or ""
            # Ember prints `error` only for a failing case: a passing case with an expected
            # exception was rejected, a passing case without one was accepted.
            rejected = ("tx rejected:" in err or err.startswith("unexpected invalid tx")
                        or (bool(e.get("pass")) and expect.get(e.get("name"), False)))
            res[e.get("name")] = {"root": e.get("stateRoot"), "pass": e.get("pass"),
                                  "rejected": bool(rejected), "msg": err}
        for n in names:
            if n not in res:
                tail = (r.stderr or "").strip().splitlines()[-3:]
                res[n] = {"error": f"ember gave no result (exit {r.returncode}): {' | '.join(tail)}"}
        return res, dt

    def run_spec_once(self, path, names, timeout):
        """Runs the spec on a chunk. Returns ({name: result} for the cases it finished, complete?)."""
        cmd = self.a.spec.split() + ["statetest", path]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            out, err, rc, timed_out = r.stdout, r.stderr, r.returncode, False
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            rc, timed_out = None, True
        # stderr: per case, optional '# WARNING:T8N:Transaction 0 failed: ...', then {"stateRoot"}
        roots, warn = [], []
        pending = None
        for line in err.splitlines():
            if line.startswith("# WARNING:T8N:Transaction") or line.startswith(
                    "# WARNING:T8N:Failed to parse transaction"):
                pending = line[len("# WARNING:T8N:"):].strip()
            elif line.startswith('{"stateRoot"'):
                try:
                    roots.append(json.loads(line)["stateRoot"])
                except ValueError:
                    break
                warn.append(pending)
                pending = None
        res = {}
        for n, root, w in zip(names, roots, warn):
            res[n] = {"root": root, "rejected": w is not None, "msg": w or ""}
        complete = False
        if not timed_out and rc == 0:
            try:
                arr = json.loads(out)
                for e in arr:
                    if e.get("name") in res and res[e["name"]]["root"] != e.get("stateRoot"):
                        res[e["name"]]["error"] = "spec stdout/stderr roots disagree"
                complete = len(arr) == len(names)
            except ValueError:
                pass
        tail = " | ".join(err.strip().splitlines()[-2:])[-400:]
        why = "spec timeout" if timed_out else f"spec exit {rc}: {tail}"
        return res, complete, why

    def run_spec(self, path, names, chunk, fork, workdir):
        """Runs the chunk; on a crash or timeout keeps what finished, isolates the culprit."""
        t0 = time.monotonic()
        res, complete, why = self.run_spec_once(path, names, self.a.timeout)
        if not complete and len(names) > 0:
            done = len(res)
            if done < len(names):
                culprit = names[done]
                if len(names) == 1:
                    res[culprit] = {"error": why}
                else:
                    # the culprit alone, then the rest as a new chunk
                    one = os.path.join(workdir, "one.json")
                    idx = names.index(culprit)
                    n1 = self.write_chunk(one, [chunk[idx]], fork)
                    r1, _ = self.run_spec(one, n1, [chunk[idx]], fork, workdir)
                    res[culprit] = r1[n1[0]]
                    rest = chunk[idx + 1:]
                    if rest:
                        rest_path = os.path.join(workdir, "rest.json")
                        rn = self.write_chunk(rest_path, rest, fork)
                        r2, _ = self.run_spec(rest_path, rn, rest, fork, workdir)
                        for old, new in zip(names[idx + 1:], rn):
                            res[old] = r2[new]
        return res, time.monotonic() - t0

    def run_chunk(self, chunk, fork):
        workdir = tempfile.mkdtemp(prefix="chunk-", dir=self.a.tmp)
        try:
            path = os.path.join(workdir, "cases.json")
            names = self.write_chunk(path, chunk, fork)
            em, em_dt = self.run_ember(path, fork, names, chunk)
            sp, sp_dt = self.run_spec(path, names, chunk, fork, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        rows = []
        for n, c in zip(names, chunk):
            e, s = em.get(n, {}), sp.get(n, {})
            row = dict(c)
            row.update(fork=fork, ember_root=e.get("root"), spec_root=s.get("root"),
                       ember_rejected=e.get("rejected"), spec_rejected=s.get("rejected"),
                       ember_error=e.get("error"), spec_error=s.get("error"),
                       spec_msg=s.get("msg") or None, ember_msg=e.get("msg") or None,
                       ember_s=round(em_dt / len(chunk), 4), spec_s=round(sp_dt / len(chunk), 4))
            if row["ember_error"] or row["spec_error"] or not row["ember_root"] or not row["spec_root"]:
                row["status"] = "error"
            elif row["ember_root"].lower() == row["spec_root"].lower():
                row["status"] = "same"
            else:
                row["status"] = "differ"
            rows.append(row)
        return rows, em_dt, sp_dt


def save_case_file(runner, row, fork, dest_dir):
    """Writes the single-case fixture of a differing/erroring case for spec-trace."""
    os.makedirs(dest_dir, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{row['file']}__{row['test']}__{row['i']}")[:180]
    path = os.path.join(dest_dir, f"{fork}__{safe}.json")
    with open(path, "w") as fh:
        json.dump({row["test"]: runner.case_test(row, fork)}, fh, indent=1)
    return path


# ---------------------------------------------------------------------------------------------
# reporting

def load_results(out, fork):
    path = os.path.join(out, "results", f"{fork}.jsonl")
    got = {}
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                line = line.strip()
                if line:
                    try:
                        r = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by an interrupted run
                    got[r["id"]] = r  # the last result of a case wins
    return got


def summarize(fork, selected, results, skipped, show):
    rows = [results[c["id"]] for c in selected if c["id"] in results]
    same = sum(r["status"] == "same" for r in rows)
    differ = [r for r in rows if r["status"] == "differ"]
    errors = [r for r in rows if r["status"] == "error"]
    compared = same + len(differ)
    rej_both = sum(bool(r.get("ember_rejected")) and bool(r.get("spec_rejected")) for r in rows
                   if r["status"] != "error")
    rej_mismatch = [r for r in rows if r["status"] != "error"
                    and bool(r.get("ember_rejected")) != bool(r.get("spec_rejected"))]
    native = [r for r in rows if r.get("native") and r["status"] != "error"]
    native_match = sum((r.get("expected") or "").lower() == (r.get("ember_root") or "").lower()
                       for r in native)
    spec_s = sum(r.get("spec_s", 0) for r in rows)
    ember_s = sum(r.get("ember_s", 0) for r in rows)
    files = len({r["file"] for r in rows})
    line = (f"{fork}: {compared} compared, {len(differ)} differ, {len(errors)} errors "
            f"(selected {len(selected)}, pending {len(selected) - len(rows)}, {files} files; "
            f"tx rejected by both {rej_both}, rejection mismatches {len(rej_mismatch)}; "
            f"native {len(native)} of which Ember matches the fixture root {native_match}; "
            f"spec {spec_s:.0f}s = {len(rows) / spec_s if spec_s else 0:.2f} cases/s, "
            f"ember {ember_s:.1f}s; filtered out: "
            + (", ".join(f"{k} {v}" for k, v in sorted(skipped.items())) or "none") + ")")
    detail = []
    for r in differ[:show]:
        detail.append(f"  DIFF {r['file']} test {r['test']} {fork} (entries of {r['src']}[{r['i']}], "
                      f"indexes d/g/v {r['indexes']}): ember {r['ember_root']} spec {r['spec_root']}"
                      f" ember_rejected={r.get('ember_rejected')} spec_rejected={r.get('spec_rejected')}")
    for r in errors[:show]:
        detail.append(f"  ERROR {r['file']} test {r['test']} {fork} ({r['src']}[{r['i']}], indexes "
                      f"{r['indexes']}): ember={r.get('ember_error') or r.get('ember_root')} "
                      f"spec={r.get('spec_error') or r.get('spec_root')}")
    for r in rej_mismatch[:show]:
        detail.append(f"  REJECT-MISMATCH {r['file']} test {r['test']} {fork} ({r['src']}[{r['i']}]): "
                      f"ember {r.get('ember_rejected')} ({r.get('ember_msg')}) spec "
                      f"{r.get('spec_rejected')} ({r.get('spec_msg')})")
    return line, detail, len(differ), len(errors), compared


def sha256_16(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def provenance(a):
    def git(*args):
        try:
            return subprocess.run(["git", "-C", REPO] + list(args), capture_output=True,
                                  text=True, timeout=30).stdout.strip()
        except Exception:
            return ""
    try:
        ember_sha = sha256_16(a.ember)
        ember_mtime = datetime.datetime.fromtimestamp(os.path.getmtime(a.ember)).isoformat()
    except OSError:
        ember_sha, ember_mtime = None, None
    try:
        spec_version = subprocess.run(
            [sys.executable, "-c", "import importlib.metadata as m;print(m.version('ethereum-execution'))"],
            capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        spec_version = ""
    if a.commit:
        commit, dirty = a.commit, []
    else:
        commit = git("rev-parse", "HEAD")
        dirty = [l for l in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    return {
        "commit": commit, "dirty": dirty,
        "ember": a.ember, "ember_source": getattr(a, "ember_source", a.ember),
        "ember_sha256": ember_sha, "ember_mtime": ember_mtime,
        "ethereum_execution": spec_version,
    }


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forks", default="Frontier,Homestead,EIP150,EIP158,Byzantium,ConstantinopleFix",
                    help="comma-separated target forks (aliases: TangerineWhistle, SpuriousDragon, Petersburg)")
    ap.add_argument("--limit-cases", type=int, default=None, metavar="N",
                    help="cases per fork (default: every eligible case)")
    ap.add_argument("--max-per-file", type=int, default=None, metavar="N",
                    help="before --limit-cases, keep at most N cases per file (evenly spaced), so that the "
                    "few tests with thousands of entries (stTimeConsuming) do not fill the selection")
    ap.add_argument("--seed", type=int, default=None, help="seeded random sample instead of a stride")
    ap.add_argument("--part", default="1/1", metavar="K/M", help="run the K-th of M parts of the selection")
    ap.add_argument("--jobs", type=int, default=1, help="chunks run in parallel (each runs Ember then the spec)")
    ap.add_argument("--out", required=True, metavar="DIR", help="results directory (resumable)")
    ap.add_argument("--source-forks", metavar="LIST", default=None,
                    help="comma-separated post keys whose entries may be re-targeted (e.g. Prague for the "
                    "execution-spec-tests fixtures, which hold one fork per test); default: any")
    ap.add_argument("--files-from", metavar="LIST", help="fixture files to use, one per line (relative to --fixtures or absolute)")
    ap.add_argument("--exclude", metavar="REGEX", help="skip fixture files whose relative path matches")
    ap.add_argument("--fixtures", default=os.environ.get("EMBER_GST", DEFAULT_FIXTURES),
                    help="state-test folder (default: target/fixtures/ethereum-tests/GeneralStateTests, or $EMBER_GST)")
    ap.add_argument("--ember", default=DEFAULT_EMBER, help="the ember binary (default: target/release/ember)")
    ap.add_argument("--commit", default=None, help="record this commit for the Ember build (e.g. when --ember "
                    "was built from a clean `git archive` export); default: the repository's HEAD and dirty files")
    ap.add_argument("--spec", default="ethereum-spec-evm", help="the spec's command (default: ethereum-spec-evm)")
    ap.add_argument("--chunk", type=int, default=20, help="cases per spec/Ember invocation (default 20)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per spec/Ember invocation; a case alone "
                    "that exceeds it is reported as an error (default 600)")
    ap.add_argument("--max-minutes", type=float, default=None,
                    help="stop starting new chunks after this many minutes (rerun to resume)")
    ap.add_argument("--retesteth-convention", action="store_true",
                    help="do not mark the copies as spec-filled (Ember then touches the coinbase on a rejected tx)")
    ap.add_argument("--show", type=int, default=10, help="differences/errors listed per fork (default 10)")
    ap.add_argument("--no-snapshot", action="store_true",
                    help="run --ember in place instead of a copy in OUT/bin (made at start, keyed by its sha256)")
    ap.add_argument("--summary-only", action="store_true", help="run nothing, summarize OUT")
    ap.add_argument("--tmp", default=None, help="where chunk files are written (default: OUT/tmp)")
    a = ap.parse_args()

    forks = []
    for f in a.forks.split(","):
        f = fork_name(f)
        if f in UNSUPPORTED:
            ap.error(f"{f}: the spec's statetest does not run it (use ConstantinopleFix)")
        if f not in forks:
            forks.append(f)
    m = re.fullmatch(r"(\d+)/(\d+)", a.part)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        ap.error("--part must be K/M with 1 <= K <= M")
    k, mparts = int(m.group(1)), int(m.group(2))
    fixtures = os.path.abspath(a.fixtures)
    if not os.path.isdir(fixtures):
        sys.exit(f"spec-diff: no fixtures at {fixtures}; run ../shared/fixtures/unpack from the repository root")
    a.ember = os.path.abspath(a.ember)
    if not a.summary_only:
        if not os.access(a.ember, os.X_OK):
            sys.exit(f"spec-diff: no ember binary at {a.ember}; cargo build --release -p ember-cli")
        if not shutil.which(a.spec.split()[0]):
            sys.exit(f"spec-diff: {a.spec} not found; pip install ethereum-execution")
    os.makedirs(os.path.join(a.out, "results"), exist_ok=True)
    a.tmp = a.tmp or os.path.join(a.out, "tmp")
    os.makedirs(a.tmp, exist_ok=True)
    exclude = re.compile(a.exclude) if a.exclude else None

    t_start = time.monotonic()
    started = datetime.datetime.now().isoformat(timespec="seconds")
    files = list_files(fixtures, a.files_from)
    sources = {fork_name(f) for f in a.source_forks.split(",")} if a.source_forks else None
    all_cases, skipped = enumerate_cases(fixtures, files, forks, exclude, sources)
    selection = {f: select(cap_per_file(all_cases[f], a.max_per_file), a.limit_cases, a.seed) for f in forks}
    todo = {}
    for f in forks:
        done = load_results(a.out, f)
        mine = part_of(selection[f], k, mparts)
        todo[f] = [c for c in mine if c["id"] not in done]
        print(f"spec-diff: {f}: {len(all_cases[f])} eligible, {len(selection[f])} selected"
              f"{f' (at most {a.max_per_file} per file)' if a.max_per_file else ''}, "
              f"part {k}/{mparts}: {len(mine)} cases, {len(mine) - len(todo[f])} already done",
              file=sys.stderr)

    if not a.summary_only and not a.no_snapshot:
        # run a private copy: a rebuild of target/release/ember during a long run must not
        # mix two binaries into one result set. The copy is hashed, not the original.
        os.makedirs(os.path.join(a.out, "bin"), exist_ok=True)
        tmp_copy = os.path.join(a.out, "bin", f"ember.{os.getpid()}.part")
        shutil.copy2(a.ember, tmp_copy)
        sha = sha256_16(tmp_copy)
        snap = os.path.join(a.out, "bin", f"ember-{sha}")
        os.replace(tmp_copy, snap)
        a.ember_source, a.ember = a.ember, snap
    prov = provenance(a)
    runner = Runner(a, fixtures)
    run_stats = {f: {"cases": 0, "spec_s": 0.0, "ember_s": 0.0} for f in forks}
    stopped_early = False
    if not a.summary_only:
        jobs = [(f, todo[f][i:i + a.chunk]) for f in forks for i in range(0, len(todo[f]), a.chunk)]
        total = sum(len(c) for _, c in jobs)
        deadline = t_start + a.max_minutes * 60 if a.max_minutes else None
        files_out = {f: open(os.path.join(a.out, "results", f"{f}.jsonl"), "a") for f in forks}
        done_n, diff_n = 0, 0
        lock = threading.Lock()
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
                it = iter(jobs)
                running = {}

                def submit_next():
                    nonlocal stopped_early
                    if deadline and time.monotonic() > deadline:
                        stopped_early = True
                        return False
                    try:
                        f, chunk = next(it)
                    except StopIteration:
                        return False
                    running[pool.submit(runner.run_chunk, chunk, f)] = f
                    return True

                for _ in range(max(1, a.jobs)):
                    if not submit_next():
                        break
                while running:
                    fin, _ = concurrent.futures.wait(list(running), return_when=concurrent.futures.FIRST_COMPLETED)
                    for fut in fin:
                        f = running.pop(fut)
                        rows, em_dt, sp_dt = fut.result()
                        with lock:
                            for r in rows:
                                if r["status"] in ("differ", "error"):
                                    r["case_file"] = save_case_file(runner, r, f, os.path.join(a.out, "cases"))
                                files_out[f].write(json.dumps(r) + "\n")
                            files_out[f].flush()
                            st = run_stats[f]
                            st["cases"] += len(rows)
                            st["spec_s"] += sp_dt
                            st["ember_s"] += em_dt
                            done_n += len(rows)
                            diff_n += sum(r["status"] == "differ" for r in rows)
                            el = time.monotonic() - t_start
                            print(f"spec-diff: [{el:7.0f}s] {done_n}/{total} cases, {diff_n} differ "
                                  f"({f}: chunk of {len(rows)}, spec {sp_dt:.1f}s, ember {em_dt:.2f}s)",
                                  file=sys.stderr, flush=True)
                        submit_next()
        except KeyboardInterrupt:
            stopped_early = True
            print("spec-diff: interrupted; finished chunks are saved, rerun to resume", file=sys.stderr)
        finally:
            for fh in files_out.values():
                fh.close()
    wall = time.monotonic() - t_start

    run_rec = {"started": started, "wall_s": round(wall, 1), "args": vars(a), "stopped_early": stopped_early,
               "per_fork": run_stats, **prov}
    if not a.summary_only:
        with open(os.path.join(a.out, "runs.jsonl"), "a") as fh:
            fh.write(json.dumps(run_rec, default=str) + "\n")

    # summary over every stored result of the selection (all parts so far)
    total_wall, builds = 0.0, []
    try:
        with open(os.path.join(a.out, "runs.jsonl")) as fh:
            for l in fh:
                if l.strip():
                    r = json.loads(l)
                    total_wall += r.get("wall_s", 0)
                    b = f"{(r.get('commit') or '')[:12]}{'+dirty' if r.get('dirty') else ''}/ember {r.get('ember_sha256')}"
                    if b not in builds:
                        builds.append(b)
    except OSError:
        pass
    try:
        os.rmdir(a.tmp)  # only when empty
    except OSError:
        pass
    any_diff = any_err = 0
    lines = [f"spec-diff summary: commit {prov['commit'][:12]}{' (dirty tree)' if prov['dirty'] else ''}, "
             f"ember sha256 {prov['ember_sha256']}, ethereum-execution {prov['ethereum_execution']}; "
             f"this run {wall:.0f}s wall (jobs {a.jobs}), all runs in {a.out}: {total_wall:.0f}s wall"]
    if len(builds) > 1:
        lines.append("WARNING: the runs stored in this OUT used different builds: " + "; ".join(builds))
    for f in forks:
        line, detail, nd, ne, _ = summarize(f, selection[f], load_results(a.out, f), skipped[f], a.show)
        any_diff += nd
        any_err += ne
        lines.append(line)
        lines.extend(detail)
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(a.out, "summary.txt"), "w") as fh:
        fh.write(text + "\n")
    if stopped_early:
        print("spec-diff: stopped early (--max-minutes or interrupt); rerun the same command to resume",
              file=sys.stderr)
    return 1 if any_diff else (2 if any_err else 0)


if __name__ == "__main__":
    sys.exit(main())

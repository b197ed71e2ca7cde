#!/usr/bin/env python3
"""The execution-apis conformance tests against `ember node`, compared as hive's rpc-compat.

Starts `ember node --init tests/genesis.json --import tests/chain.rlp`, sends tests/headfcu.json
(the engine_forkchoiceUpdatedV3 call making block 54 head, safe and finalized), then runs every
`.io` file under tests/ in path order on that one node. A file is `>>` requests, `<<` expected
responses and `//` comments. Each response is compared with the expected one as whole JSON
(numbers by value) after dropping `message` from every `error` object both sides have, at the
top level and nested (eth_simulateV1's `calls[].error`): error codes and data still count. A file
whose comments say `speconly` is checked against the method's result schema from src/ (with its
`$ref`s resolved) when the node answers without an error.

Prints a line per failing file with the first difference, and ends with `N passed, N failed`.
Exits non-zero on a failure that the expected-failures file does not list with a reason, and on
a listed file that passes (so the list only shrinks), or when no test ran.

  python3 scripts/rpc-compat.py [--fixtures DIR] [--ember BIN] [--expected FILE] [--only SUBSTR]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

try:
    import yaml
    import jsonschema
except ImportError:  # reported when a speconly file needs them
    yaml = None
    jsonschema = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, timeout=60):
    req = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode()


def parse_io(path):
    """The file's (request, expected response) pairs and whether it is `speconly`."""
    pairs, speconly, request = [], False, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("//"):
                if "speconly" in line:
                    speconly = True
            elif line.startswith(">>"):
                request = line[2:].strip()
            elif line.startswith("<<"):
                if request is None:
                    raise ValueError(f"{path}: a response without a request")
                pairs.append((request, json.loads(line[2:].strip())))
                request = None
    if request is not None:
        pairs.append((request, None))
    return pairs, speconly


def drop_error_messages(a, b):
    """Removes `message` from every `error` object present on both sides (in place)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in set(a) & set(b):
            if key == "error" and isinstance(a[key], dict) and isinstance(b[key], dict):
                a[key].pop("message", None)
                b[key].pop("message", None)
            drop_error_messages(a[key], b[key])
    elif isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b):
            drop_error_messages(x, y)


def short(value):
    text = json.dumps(value)
    return text if len(text) <= 160 else text[:157] + "..."


def first_difference(got, want, path="$"):
    """The first place where `got` differs from `want`, or None (numbers compare by value)."""
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            if key not in got:
                return f"{path}.{key}: missing, want {short(want[key])}"
            if key not in want:
                return f"{path}.{key}: unexpected {short(got[key])}"
            d = first_difference(got[key], want[key], f"{path}.{key}")
            if d:
                return d
        return None
    if isinstance(want, list) and isinstance(got, list):
        for i, (x, y) in enumerate(zip(got, want)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        if len(got) != len(want):
            return f"{path}: {len(got)} items, want {len(want)}"
        return None
    numbers = (int, float)
    if isinstance(got, numbers) and isinstance(want, numbers) and not isinstance(got, bool) \
            and not isinstance(want, bool):
        return None if got == want else f"{path}: got {short(got)}, want {short(want)}"
    if type(got) is not type(want) or got != want:
        return f"{path}: got {short(got)}, want {short(want)}"
    return None


class Schemas:
    """The method result schemas of the OpenRPC specification under src/."""

    def __init__(self, src):
        self.methods, self.components = {}, {}
        for dirpath, _, files in os.walk(src):
            for name in sorted(files):
                if not name.endswith(".yaml"):
                    continue
                with open(os.path.join(dirpath, name)) as f:
                    doc = yaml.safe_load(f)
                if isinstance(doc, list):
                    for method in doc:
                        if isinstance(method, dict) and "name" in method:
                            self.methods[method["name"]] = method
                elif isinstance(doc, dict) and os.path.basename(dirpath) == "schemas":
                    self.components.update(doc)

    def check(self, method, result):
        """None when `result` fits the method's result schema, else the reason."""
        spec = self.methods.get(method)
        if spec is None or "result" not in spec:
            return f"no result schema for {method} in src/"
        schema = dict(spec["result"].get("schema", {}))
        schema["components"] = {"schemas": self.components}
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        errors = sorted(cls(schema).iter_errors(result), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.path)
            return f"schema: {where}: {e.message[:200]}"
        return None


def load_expected(path):
    """`path/to/file.io  reason` per line (# comments); every entry needs a reason."""
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                sys.exit(f"{path}:{n}: `{parts[0]}` has no reason")
            expected[parts[0]] = parts[1]
    return expected


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "target/fixtures/execution-apis"))
    ap.add_argument("--ember", default=os.environ.get("EMBER_BIN", os.path.join(ROOT, "target/release/ember")))
    ap.add_argument("--expected", default=os.path.join(ROOT, "tests/rpc-compat/expected-failures.txt"))
    ap.add_argument("--only", help="run only files whose path contains this")
    ap.add_argument("--verbose", action="store_true", help="print the whole response of failing files")
    args = ap.parse_args()

    tests = os.path.join(args.fixtures, "tests")
    for needed in ("genesis.json", "chain.rlp", "headfcu.json"):
        if not os.path.exists(os.path.join(tests, needed)):
            sys.exit(f"rpc-compat: {os.path.join(tests, needed)} is missing")
    if not os.access(args.ember, os.X_OK):
        sys.exit(f"rpc-compat: {args.ember} is not an executable (build it first)")
    files = []
    for dirpath, dirnames, names in os.walk(tests):
        dirnames.sort()
        for name in sorted(names):
            if name.endswith(".io"):
                files.append(os.path.relpath(os.path.join(dirpath, name), tests))
    files.sort()
    if args.only:
        files = [f for f in files if args.only in f]
    if not files:
        sys.exit("rpc-compat: no test files found")
    expected = load_expected(args.expected)
    schemas = None

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(ROOT, "target", "rpc-compat-node.log"), "w")
    node = subprocess.Popen(
        [args.ember, "node", "--init", os.path.join(tests, "genesis.json"),
         "--import", os.path.join(tests, "chain.rlp"), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                post(url, '{"jsonrpc":"2.0","id":0,"method":"eth_chainId","params":[]}', timeout=2)
                break
            except OSError:
                if node.poll() is not None or time.time() > deadline:
                    sys.exit(f"rpc-compat: the node did not start (target/rpc-compat-node.log)")
                time.sleep(0.1)
        with open(os.path.join(tests, "headfcu.json")) as f:
            fcu = json.loads(post(url, f.read()))
        if "error" in fcu:
            sys.exit(f"rpc-compat: headfcu.json failed: {short(fcu['error'])}")

        passed, failed, unexpected, fixed = 0, 0, [], []
        start = time.time()
        for rel in files:
            pairs, speconly = parse_io(os.path.join(tests, rel))
            problem = None
            for i, (request, want) in enumerate(pairs):
                try:
                    got = json.loads(post(url, request))
                except Exception as e:  # a dropped connection or a bad body
                    problem = f"request {i + 1}: no JSON answer: {e}"
                    break
                if want is None:
                    continue
                if speconly:
                    if "error" in got or "error" in want:
                        drop_error_messages(got, want)
                        d = first_difference(got.get("error"), want.get("error"), "$.error")
                        if d:
                            problem = f"request {i + 1}: {d}"
                            break
                        continue
                    if schemas is None:
                        if yaml is None or jsonschema is None:
                            sys.exit("rpc-compat: speconly files need PyYAML and jsonschema")
                        schemas = Schemas(os.path.join(args.fixtures, "src"))
                    method = json.loads(request).get("method")
                    reason = schemas.check(method, got.get("result"))
                    if reason:
                        problem = f"request {i + 1}: {reason}"
                        break
                    continue
                drop_error_messages(got, want)
                d = first_difference(got, want)
                if d:
                    problem = f"request {i + 1}: {d}"
                    if args.verbose:
                        problem += "\n    got: " + json.dumps(got)[:3000]
                    break
            if problem is None:
                passed += 1
                if rel in expected:
                    fixed.append(rel)
            else:
                failed += 1
                tag = "expected" if rel in expected else "FAIL"
                print(f"{tag} {rel}: {problem}")
                if rel not in expected:
                    unexpected.append(rel)
        elapsed = time.time() - start
    finally:
        node.terminate()
        try:
            node.wait(timeout=10)
        except subprocess.TimeoutExpired:
            node.kill()
    for rel in fixed:
        print(f"PASSES but listed as an expected failure: {rel} (remove it from {os.path.relpath(args.expected, ROOT)})")
    stale = [rel for rel in expected if rel not in files and not args.only]
    for rel in stale:
        print(f"listed as an expected failure but no such file: {rel}")
    print(f"rpc-compat: {len(files)} files in {elapsed:.1f} s; {len(unexpected)} unexpected failures")
    print(f"{passed} passed, {failed} failed")
    if passed == 0:
        sys.exit(1)
    if unexpected or (fixed and not args.only) or stale:
        sys.exit(1)


if __name__ == "__main__":
    main()

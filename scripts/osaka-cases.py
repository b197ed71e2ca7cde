#!/usr/bin/env python3
"""Writes the hand-made Osaka state tests in tests/osaka/, filled by the execution spec.

Each file is an execution-spec-tests style state test whose `post` has the keys Prague,
Osaka, BPO1 and BPO2 (Prague for contrast: no CLZ, no P256VERIFY, the old MODEXP price,
no gas cap and no per-transaction blob limit). The expected `hash` of every post entry, and
whether the transaction is rejected (`expectException`), come from running the files
through `ethereum-spec-evm statetest` (PyPI `ethereum-execution`): this script is the
filler, the spec is the reference. Ember then checks them with `ember statetest tests/osaka`
(no spec needed), and `scripts/osaka-diff.py --crafted` compares both sides again.

    scripts/osaka-cases.py [--out tests/osaka] [--spec ethereum-spec-evm] [--check]

`--check` regenerates into a temporary folder and fails if anything differs from the
committed files (the spec or this script changed). The output is deterministic.

Cases:
  clz.json           CLZ (EIP-7939) on 0, 1, 2, 3, 0xff, 2^128, 2^255 - 1, 2^255, 2^256 - 1, ...,
                     its result and gas; a stack underflow.
  modexp.json        MODEXP (EIP-7823 length caps at 1024 bytes, EIP-7883 prices): the EIP-198
                     example, 32/33-byte boundaries, exponent longer than 32 bytes, the 1024 and
                     1025 caps for each length, empty input, exactly enough / one gas short.
  p256verify.json    P256VERIFY (EIP-7951) at 0x100: a valid signature, high s, a flipped bit,
                     r or s zero / n / above n, qx or qy = p, the point at infinity, a point
                     off the curve, wrong input lengths, 6900 gas exactly and one short.
  tx_gas_cap.json    EIP-7825: gas limit 2^24 accepted, 2^24 + 1 rejected from Osaka.
  blobs.json         EIP-7594: 6 blobs accepted, 7 rejected from Osaka (Prague: up to 9);
                     BPO blob base fees (EIP-7892) at a high excess blob gas.
"""
import argparse
import filecmp
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORKS = ["Prague", "Osaka", "BPO1", "BPO2"]
EMPTY_LOGS = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
SENDER_KEY = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
SENDER = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"
COINBASE = "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"
CALLER = "0x00000000000000000000000000000000000c0de0"
INFO = {"comment": "hand-made by scripts/osaka-cases.py, filled with ethereum-spec-evm",
        "filling-transition-tool": "ethereum-execution (scripts/osaka-cases.py)"}

# opcodes
STOP, ADD, SUB, ISZERO, KECCAK256 = 0x00, 0x01, 0x03, 0x15, 0x20
CLZ = 0x1E
CALLDATALOAD, CALLDATASIZE, CALLDATACOPY = 0x35, 0x36, 0x37
RETURNDATASIZE, RETURNDATACOPY = 0x3D, 0x3E
MSTORE, SSTORE, GAS = 0x52, 0x55, 0x5A
PUSH0, PUSH1, PUSH2 = 0x5F, 0x60, 0x61
DUP4, SWAP1, CALL = 0x83, 0x90, 0xF1

# secp256r1
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
VALID_P256 = bytes.fromhex(
    "bb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023"
    "2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e18"
    "4cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd76"
    "2927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838"
    "c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e")


def w(n):
    return n.to_bytes(32, "big")


def hx(b):
    return "0x" + bytes(b).hex()


def q(n):
    return hex(n)


def env(**extra):
    e = {"currentCoinbase": COINBASE, "currentGasLimit": q(60_000_000), "currentNumber": "0x01",
         "currentTimestamp": "0x03e8", "currentDifficulty": "0x00",
         "currentRandom": hx(bytes(32)), "currentBaseFee": "0x07", "currentExcessBlobGas": "0x00"}
    e.update(extra)
    return e


def pre(code=None, storage=None):
    p = {SENDER: {"nonce": "0x00", "balance": q(10**21), "code": "0x", "storage": {}}}
    if code is not None:
        p[CALLER] = {"nonce": "0x01", "balance": "0x00", "code": hx(code),
                     "storage": {q(k): q(v) for k, v in (storage or {}).items()}}
    return p


def test(pre_state, tx, environment=None):
    """A state test; the post entries (every index combination, every fork) are filled later."""
    tx = dict(tx)
    tx.setdefault("nonce", "0x00")
    tx.setdefault("to", CALLER)
    tx.setdefault("value", ["0x00"])
    tx.setdefault("gasLimit", [q(1_000_000)])
    tx.setdefault("data", ["0x"])
    tx["secretKey"] = SENDER_KEY
    tx["sender"] = SENDER
    if "maxFeePerGas" not in tx:
        tx.setdefault("gasPrice", "0x0a")
    indexes = [{"data": d, "gas": g, "value": v} for d in range(len(tx["data"]))
               for g in range(len(tx["gasLimit"])) for v in range(len(tx["value"]))]
    post = {f: [{"indexes": dict(i), "hash": hx(bytes(32)), "logs": EMPTY_LOGS} for i in indexes]
            for f in FORKS}
    return {"_info": dict(INFO), "env": environment or env(), "pre": pre_state,
            "transaction": tx, "post": post}


def precompile_caller(address):
    """Calldata: a 32-byte call gas, then the precompile input. Stores slot 0 = success,
    1 = RETURNDATASIZE, 2 = keccak256(return data), 3 = gas spent from before the argument
    pushes to after the CALL (the CALL's own cost plus the precompile's)."""
    code = [PUSH1, 0x20, CALLDATASIZE, SUB,            # len = calldatasize - 32
            PUSH1, 0x20, CALLDATASIZE, SUB,            # len len
            PUSH1, 0x20, PUSH0, CALLDATACOPY,          # mem[0..len] = calldata[32..]; len
            GAS,                                       # len g1
            PUSH0, PUSH0,                              # retSize retOffset
            DUP4,                                      # argsSize = len
            PUSH0, PUSH0,                              # argsOffset value
            PUSH2, address >> 8, address & 0xFF,       # address
            PUSH0, CALLDATALOAD,                       # gas
            CALL,                                      # len g1 success
            GAS,                                       # len g1 success g2
            SWAP1, PUSH0, SSTORE,                      # slot0 = success; len g1 g2
            SWAP1, SUB, PUSH1, 3, SSTORE,              # slot3 = g1 - g2; len
            RETURNDATASIZE, PUSH1, 1, SSTORE,          # slot1 = returndatasize
            RETURNDATASIZE, PUSH0, PUSH0, RETURNDATACOPY,
            RETURNDATASIZE, PUSH0, KECCAK256, PUSH1, 2, SSTORE,
            STOP]
    return bytes(code)


# marker values: a slot the transaction leaves alone keeps it
MARKERS = {0: 0xBAD, 1: 0xBAD, 2: 0xBAD, 3: 0xBAD}


def clz_test():
    # slot 0 = clz(calldata[0..32]); slot 1 = gas between the two GAS: SWAP1 3 + CLZ 5 + GAS 2
    code = bytes([PUSH0, CALLDATALOAD, GAS, SWAP1, CLZ, GAS, SWAP1, PUSH0, SSTORE,
                  SWAP1, SUB, PUSH1, 1, SSTORE, STOP])
    values = [0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x100, (1 << 64) - 1, 1 << 64, 1 << 128,
              (1 << 254), (1 << 255) - 1, 1 << 255, (1 << 256) - 1, 0x00FF << 240]
    t = test(pre(code, MARKERS), {"data": [hx(w(v)) for v in values]})
    # CLZ on an empty stack: an exceptional halt (all gas gone, no storage change)
    u = test(pre(bytes([CLZ, PUSH0, SSTORE, STOP]), MARKERS), {"data": ["0x"]})
    return {"clz_values": t, "clz_stack_underflow": u}


def modexp_input(b, e, m, base=b"", exp=b"", mod=b""):
    return w(b) + w(e) + w(m) + base + exp + mod


def modexp_test():
    p = (1 << 255) - 19
    cases = [
        b"",                                                       # empty: the 500 floor
        modexp_input(1, 32, 32, b"\x03", w(p - 1), w(p)),          # EIP-198 Fermat example
        modexp_input(32, 1, 32, w(7), b"\x03", w(p)),              # 32-byte: complexity 16
        modexp_input(33, 1, 33, b"\x01" + w(7), b"\x03", b"\x01" + w(p)),  # 33-byte: 2*words^2
        modexp_input(1, 33, 1, b"\x02", b"\x01" + bytes(32), b"\x07"),     # exponent past 32 bytes
        modexp_input(1, 64, 1, b"\x02", b"\xff" * 64, b"\x07"),
        modexp_input(64, 3, 64, b"\x11" * 64, b"\x01\x00\x01", b"\xfd" * 64),
        modexp_input(1024, 1, 1024, b"\x05" * 1024, b"\x03", b"\xf1" * 1024),  # at the cap
        modexp_input(1025, 1, 1, b"\x05" * 1025, b"\x03", b"\x07"),            # len_B over
        modexp_input(1, 1025, 1, b"\x05", b"\x01" * 1025, b"\x07"),            # len_E over
        modexp_input(1, 1, 1025, b"\x05", b"\x03", b"\x07" * 1025),            # len_M over
        modexp_input(0, 1025, 0),                                  # len_E over, nothing to compute
        modexp_input(0, 0, 0),                                     # header only
        modexp_input(1, 1, 0, b"\x05", b"\x03"),                   # zero-length modulus
        modexp_input(0, 34, 33, b"", bytes(34), bytes(32) + b"\x02"),  # geth-fail-length
        modexp_input(2**64, 1, 1),                                 # huge length
    ]
    gases = [2**32]
    data = [hx(w(g) + c) for c in cases for g in gases]
    # exactly the Osaka price and one short: the EIP-198 example costs 4080 in Osaka
    # (1360 before), the empty input 500 (200 before)
    fermat = modexp_input(1, 32, 32, b"\x03", w(p - 1), w(p))
    for g in (4080, 4079, 1360, 500, 499, 200):
        data.append(hx(w(g) + (fermat if g not in (500, 499, 200) else b"")))
    return {"modexp": test(pre(precompile_caller(0x05), MARKERS),
                           {"data": data, "gasLimit": [q(16_000_000)]})}


def p256_test():
    v = VALID_P256

    def with_word(offset, n):
        return v[:offset] + w(n) + v[offset + 32:]

    r = int.from_bytes(v[32:64], "big")
    s = int.from_bytes(v[64:96], "big")
    qx = int.from_bytes(v[96:128], "big")
    qy = int.from_bytes(v[128:160], "big")
    flipped = bytearray(v)
    flipped[5] ^= 0x10
    cases = [
        v,                                   # valid
        with_word(64, N - s),                # high s: also valid (no malleability check)
        bytes(flipped),                      # hash changed
        with_word(32, 0), with_word(64, 0),  # r = 0, s = 0
        with_word(32, N), with_word(64, N),  # r = n, s = n
        with_word(32, r + N) if r + N < 2**256 else with_word(32, 2**256 - 1),
        with_word(32, N - 1),                # in range, wrong
        with_word(96, P), with_word(128, P),     # qx = p, qy = p
        with_word(96, qx + P) if qx + P < 2**256 else with_word(96, 2**256 - 1),
        v[:96] + bytes(64),                  # point at infinity
        with_word(128, (qy + 1) % P),        # off the curve
        with_word(0, 2**256 - 1),            # hash above n: reduced, signature no longer fits
        v[:159], v + b"\x00", b"", bytes(160),   # wrong lengths, all zeros
    ]
    data = [hx(w(100_000) + c) for c in cases]
    data += [hx(w(6_900) + v), hx(w(6_899) + v), hx(w(3_450) + v)]  # price, one short, RIP-7212
    return {"p256verify": test(pre(precompile_caller(0x100), MARKERS),
                               {"data": data, "gasLimit": [q(1_000_000)]})}


def gas_cap_test():
    # slot 0 = GAS at entry, so the forwarded gas shows in the state
    code = bytes([GAS, PUSH0, SSTORE, STOP])
    return {"tx_gas_cap": test(pre(code), {"gasLimit": [q(2**24 - 1), q(2**24), q(2**24 + 1),
                                                         q(30_000_000)]},
                               env(currentGasLimit=q(45_000_000)))}


def blob_tx(n, max_fee_per_blob_gas=1):
    hashes = ["0x01" + f"{i + 1:062x}" for i in range(n)]
    return {"maxFeePerGas": "0x0a", "maxPriorityFeePerGas": "0x01",
            "maxFeePerBlobGas": q(max_fee_per_blob_gas), "blobVersionedHashes": hashes,
            "gasLimit": [q(100_000)]}


def fake_exponential(factor, numerator, denominator):
    i, output, accum = 1, 0, factor * denominator
    while accum > 0:
        output += accum
        accum = accum * numerator // (denominator * i)
        i += 1
    return output // denominator


def blob_tests():
    code = bytes([PUSH1, 1, PUSH0, SSTORE, STOP])
    out = {}
    for n in (1, 6, 7, 9, 10, 15, 16, 21, 22):
        out[f"blobs_{n}"] = test(pre(code), blob_tx(n))
    # a high excess blob gas: the blob base fee differs per fork (update fraction)
    excess = 60_000_000
    fees = {f: fake_exponential(1, excess, frac) for f, frac in
            (("Prague", 5_007_716), ("BPO1", 8_346_193), ("BPO2", 11_684_671))}
    for fork, fee in sorted(fees.items()):
        out[f"blob_fee_cap_at_{fork}_fee"] = test(pre(code), blob_tx(2, fee),
                                                  env(currentExcessBlobGas=q(excess)))
    return out


def build():
    return {
        "clz.json": clz_test(),
        "modexp.json": modexp_test(),
        "p256verify.json": p256_test(),
        "tx_gas_cap.json": gas_cap_test(),
        "blobs.json": blob_tests(),
    }


def load_spec_diff():
    path = os.path.join(REPO, "scripts", "spec-diff.py")
    spec = importlib.util.spec_from_file_location("spec_diff", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fill(files, spec_cmd, timeout):
    """Runs each file through the spec and writes each post entry's root and verdict."""
    sd = load_spec_diff()
    runner = sd.Runner(argparse.Namespace(spec=spec_cmd, timeout=timeout), "/")
    with tempfile.TemporaryDirectory(prefix="osaka-cases-") as tmp:
        for fname, tests in files.items():
            path = os.path.join(tmp, fname)
            with open(path, "w") as fh:
                json.dump(tests, fh)
            names = [(t, f, i) for t, body in tests.items() for f in FORKS
                     for i in range(len(body["post"][f]))]
            res, complete, why = runner.run_spec_once(path, names, timeout)
            if not complete or len(res) != len(names):
                sys.exit(f"osaka-cases: the spec did not finish {fname}: {why}")
            for (t, f, i) in names:
                r = res[(t, f, i)]
                entry = tests[t]["post"][f][i]
                entry["hash"] = r["root"]
                if r["rejected"]:
                    entry["expectException"] = "TransactionException (per the execution spec: " \
                        + r["msg"].split(": ", 1)[-1][:120] + ")"


def write(files, out):
    os.makedirs(out, exist_ok=True)
    for fname, tests in files.items():
        with open(os.path.join(out, fname), "w") as fh:
            json.dump(tests, fh, indent=1, sort_keys=True)
            fh.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "osaka"))
    ap.add_argument("--spec", default="ethereum-spec-evm")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary folder and compare with --out")
    a = ap.parse_args()
    if not shutil.which(a.spec.split()[0]):
        sys.exit(f"osaka-cases: {a.spec} not found; pip install ethereum-execution")
    files = build()
    fill(files, a.spec, a.timeout)
    if a.check:
        with tempfile.TemporaryDirectory() as tmp:
            write(files, tmp)
            bad = [f for f in files if not os.path.exists(os.path.join(a.out, f))
                   or not filecmp.cmp(os.path.join(tmp, f), os.path.join(a.out, f), shallow=False)]
        if bad:
            sys.exit(f"osaka-cases: {', '.join(bad)} differ from a fresh fill")
        print(f"osaka-cases: {len(files)} files match a fresh fill")
        return 0
    write(files, a.out)
    n = sum(len(b["post"][f]) for t in files.values() for b in t.values() for f in FORKS)
    print(f"osaka-cases: wrote {len(files)} files, {n} post entries to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

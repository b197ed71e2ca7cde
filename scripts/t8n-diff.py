#!/usr/bin/env python3
"""Ember's `t8n` against the execution specs' (`ethereum-spec-evm t8n`), block by block.

Two sources of inputs (see scripts/README.md, section "t8n-diff.py"):

* fixtures: a deterministic sample of execution-spec-tests blockchain tests. Every block is
  turned into t8n inputs (alloc.json, txs.rlp, env.json) from its RLP and its parent's
  header; valid blocks are chained (each tool's output alloc feeds its next block), invalid
  ones (`expectException`) run once on the current state and are not chained.
* crafted: seeded multi-block chains for Osaka, BPO1 and BPO2 (value transfers, contract
  creations, storage and logs, blob transactions), where each block's env carries only the
  parent's fields (base fee, gas used and limit, excess blob gas and blob gas used,
  timestamp, block hashes), so both tools compute the base fee and the excess blob gas.

Both tools are called as execution-spec-tests calls geth:

    t8n --input.alloc=alloc.json --input.txs=txs.rlp --input.env=env.json
        --output.result=result.json --output.alloc=alloc.json --output.body=body.rlp
        --output.basedir=DIR --state.fork=F --state.chainid=N --state.reward=R

and the results are compared on stateRoot, receiptsRoot, logsHash, logsBloom, gasUsed and
the rejected transactions by index (error texts differ), plus txRoot, currentBaseFee,
currentExcessBlobGas, blobGasUsed, withdrawalsRoot and requestsHash when both give them.

Standard library only. Exit status 0 when there are no differences, 1 when there are,
2 on a usage error.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

FORKS = [
    "Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople",
    "ConstantinopleFix", "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun",
    "Prague", "Osaka", "BPO1", "BPO2",
]
REQUIRED = ["stateRoot", "receiptsRoot", "logsHash", "logsBloom", "gasUsed"]
OPTIONAL = ["txRoot", "currentBaseFee", "currentExcessBlobGas", "blobGasUsed",
            "withdrawalsRoot", "requestsHash"]


def fork_at_least(fork, other):
    return FORKS.index(fork) >= FORKS.index(other)


# --------------------------------------------------------------------------------------------
# RLP (decoding with raw slices, and encoding for crafted inputs)

def rlp_item(data, pos):
    """Decodes the item at `pos`: (value, end, raw) with value bytes or a list."""
    b = data[pos]
    if b < 0x80:
        return data[pos:pos + 1], pos + 1, data[pos:pos + 1]
    if b < 0xb8:
        n = b - 0x80
        start = pos + 1
    elif b < 0xc0:
        ll = b - 0xb7
        n = int.from_bytes(data[pos + 1:pos + 1 + ll], "big")
        start = pos + 1 + ll
    elif b < 0xf8:
        n = b - 0xc0
        start = pos + 1
    else:
        ll = b - 0xf7
        n = int.from_bytes(data[pos + 1:pos + 1 + ll], "big")
        start = pos + 1 + ll
    end = start + n
    if end > len(data):
        raise ValueError("RLP item runs past the end")
    if b < 0xc0:
        return data[start:end], end, data[pos:end]
    items, raws, p = [], [], start
    while p < end:
        v, p, raw = rlp_item(data, p)
        items.append(v)
        raws.append(raw)
    if p != end:
        raise ValueError("RLP list length mismatch")
    return (items, raws), end, data[pos:end]


def rlp_decode(data):
    value, end, raw = rlp_item(data, 0)
    if end != len(data):
        raise ValueError("trailing bytes after RLP")
    return value, raw


def rlp_encode(item):
    if isinstance(item, int):
        item = item.to_bytes((item.bit_length() + 7) // 8, "big") if item else b""
    if isinstance(item, (bytes, bytearray)):
        item = bytes(item)
        if len(item) == 1 and item[0] < 0x80:
            return item
        return rlp_length(len(item), 0x80) + item
    payload = b"".join(rlp_encode(x) for x in item)
    return rlp_length(len(payload), 0xc0) + payload


def rlp_length(n, offset):
    if n < 56:
        return bytes([offset + n])
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(ln)]) + ln


def plain(value):
    """The bytes/lists of a decoded item without the raw slices."""
    if isinstance(value, tuple):
        return [plain(v) for v in value[0]]
    return value


def qty(b):
    return hex(int.from_bytes(b, "big"))


def hexb(b):
    return "0x" + b.hex()


# --------------------------------------------------------------------------------------------
# Running the two tools

class Tools:
    def __init__(self, ember, spec, keep_dir, timeout):
        self.ember = ember
        self.spec = spec
        self.keep_dir = keep_dir
        self.timeout = timeout
        self.spec_seconds = 0.0
        self.ember_seconds = 0.0

    def run(self, tool, workdir, alloc, env, txs_rlp, txs_json, fork, chainid, reward):
        """Writes the inputs to `workdir/in`, runs `tool`, returns (result, alloc) or an
        error text."""
        indir = os.path.join(workdir, "in")
        outdir = os.path.join(workdir, tool)
        os.makedirs(indir, exist_ok=True)
        os.makedirs(outdir, exist_ok=True)
        with open(os.path.join(indir, "alloc.json"), "w") as f:
            json.dump(alloc, f)
        with open(os.path.join(indir, "env.json"), "w") as f:
            json.dump(env, f)
        if txs_json is not None:
            txs_name = "txs.json"
            with open(os.path.join(indir, txs_name), "w") as f:
                json.dump(txs_json, f)
        else:
            txs_name = "txs.rlp"
            with open(os.path.join(indir, txs_name), "w") as f:
                json.dump(txs_rlp, f)
        command = (self.ember + ["t8n"]) if tool == "ember" else (self.spec + ["t8n"])
        command += [
            "--input.alloc=" + os.path.join(indir, "alloc.json"),
            "--input.txs=" + os.path.join(indir, txs_name),
            "--input.env=" + os.path.join(indir, "env.json"),
            "--output.result=result.json",
            "--output.alloc=alloc.json",
            "--output.body=body.rlp",
            "--output.basedir=" + outdir,
            "--state.fork=" + fork,
            "--state.chainid=" + str(chainid),
            "--state.reward=" + str(reward),
        ]
        started = time.monotonic()
        try:
            proc = subprocess.run(command, capture_output=True, text=True,
                                  timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return "timeout after %ss" % self.timeout
        finally:
            spent = time.monotonic() - started
            if tool == "ember":
                self.ember_seconds += spent
            else:
                self.spec_seconds += spent
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            return "exit %d: %s" % (proc.returncode, lines[-1] if lines else "")
        try:
            with open(os.path.join(outdir, "result.json")) as f:
                result = json.load(f)
            with open(os.path.join(outdir, "alloc.json")) as f:
                out_alloc = json.load(f)
        except (OSError, ValueError) as e:
            return "unreadable output: %s" % e
        return result, out_alloc


def norm(key, value):
    if value is None:
        return None
    if key in ("gasUsed", "currentBaseFee", "currentExcessBlobGas", "blobGasUsed"):
        return int(value, 16) if isinstance(value, str) else int(value)
    return value.lower() if isinstance(value, str) else value


def count_txs(report, result):
    report["included"] = report.get("included", 0) + len(result.get("receipts") or [])
    report["rejected"] = report.get("rejected", 0) + len(result.get("rejected") or [])
    report["blob_gas"] = report.get("blob_gas", 0) + (norm("blobGasUsed", result.get("blobGasUsed")) or 0)


def receipts_of(result):
    """(succeeded, cumulative gas, logs) per receipt, whichever tool wrote them."""
    out = []
    for r in result.get("receipts") or []:
        ok = r["succeeded"] if "succeeded" in r else int(r.get("status", "0x0"), 16) == 1
        logs = [(l["address"].lower(), [t.lower() for t in l["topics"]], l["data"].lower())
                for l in r.get("logs") or []]
        out.append((ok, int(r["cumulativeGasUsed"], 16), logs))
    return out


def compare(ember, spec):
    """The differing fields of two results.

    The spec's t8n keys receipts (and the transactions trie and body) by the input index, so
    a rejected transaction leaves a gap: with rejections, receiptsRoot and txRoot are not
    comparable, and the receipts (status, cumulative gas, logs) are compared one by one
    instead (see scripts/README.md).
    """
    rejected = bool(ember.get("rejected")) or bool(spec.get("rejected"))
    diffs = []
    for key in REQUIRED + OPTIONAL:
        if rejected and key in ("receiptsRoot", "txRoot"):
            continue
        a, b = norm(key, ember.get(key)), norm(key, spec.get(key))
        if a != b and (key in REQUIRED or (a is not None and b is not None)):
            diffs.append("%s: ember %s spec %s" % (key, a, b))
    if rejected and receipts_of(ember) != receipts_of(spec):
        diffs.append("receipts: ember %s spec %s" % (receipts_of(ember), receipts_of(spec)))
    ra = sorted(r["index"] for r in ember.get("rejected") or [])
    rb = sorted(r["index"] for r in spec.get("rejected") or [])
    if ra != rb:
        diffs.append("rejected: ember %s spec %s" % (ra, rb))
    return diffs


# --------------------------------------------------------------------------------------------
# Blockchain-test fixtures to t8n inputs

def reward_of(fork):
    if not fork_at_least(fork, "Byzantium"):
        return 5 * 10**18
    if not fork_at_least(fork, "Constantinople"):
        return 3 * 10**18
    if not fork_at_least(fork, "Paris"):
        return 2 * 10**18
    return 0  # as execution-spec-tests passes it from the merge on


def network_fork(network, number, timestamp):
    """The fork of a block under a network name (`Cancun`, `ShanghaiToCancunAtTime15k`)."""
    if "To" not in network:
        return network
    first, rest = network.split("To", 1)
    second, at = rest.split("At", 1)
    by_time = at.startswith("Time")
    n = at[4:] if by_time else at
    n = int(n[:-1]) * 1000 if n.endswith("k") else int(n)
    return second if (timestamp if by_time else number) >= n else first


def header_env(fork, header, parent, block, hashes):
    """geth's env.json for a block with decoded `header` (list of bytes) after `parent`."""
    h, p = header, parent
    env = {
        "currentCoinbase": hexb(h[2]),
        "currentGasLimit": qty(h[9]),
        "currentNumber": qty(h[8]),
        "currentTimestamp": qty(h[11]),
        "parentTimestamp": qty(p[11]),
        "parentGasUsed": qty(p[10]),
        "parentGasLimit": qty(p[9]),
        "parentUncleHash": hexb(p[1]),
        "parentDifficulty": qty(p[7]),
    }
    if fork_at_least(fork, "Paris"):
        env["currentRandom"] = hexb(h[13])
        env["currentDifficulty"] = "0x0"
    else:
        env["currentDifficulty"] = qty(h[7])
    if len(h) > 15:
        env["currentBaseFee"] = qty(h[15])
    if len(p) > 15:
        env["parentBaseFee"] = qty(p[15])
    if len(h) > 18:
        env["currentExcessBlobGas"] = qty(h[18])
    if len(p) > 18:
        env["parentExcessBlobGas"] = qty(p[18])
        env["parentBlobGasUsed"] = qty(p[17])
    if len(h) > 19:
        env["parentBeaconBlockRoot"] = hexb(h[19])
    number = int.from_bytes(h[8], "big")
    env["blockHashes"] = {hex(n): hexb(x) for n, x in hashes.items() if number - 256 <= n < number}
    ommers = plain(block[2]) if len(block) > 2 else []
    env["ommers"] = [{"delta": number - int.from_bytes(o[8], "big"), "address": hexb(o[2])}
                     for o in ommers]
    if len(block) > 3:
        env["withdrawals"] = [
            {"index": qty(w[0]), "validatorIndex": qty(w[1]), "address": hexb(w[2]),
             "amount": qty(w[3])}
            for w in plain(block[3])
        ]
    return env


def fixture_chains(fixtures, sample, seed):
    """A deterministic sample of (file, name, test), spread over the networks."""
    files = []
    for root, _, names in os.walk(fixtures):
        files.extend(os.path.join(root, n) for n in names if n.endswith(".json"))
    files.sort()
    by_network = {}
    for path in files:
        with open(path) as f:
            data = json.load(f)
        for name in sorted(data):
            test = data[name]
            if isinstance(test, dict) and "blocks" in test:
                by_network.setdefault(test["network"], []).append((path, name))
    rng = random.Random(seed)
    pools = []
    for network in sorted(by_network):
        pool = by_network[network][:]
        rng.shuffle(pool)
        pools.append(pool)
    chosen = []
    while len(chosen) < sample and any(pools):
        for pool in pools:
            if pool and len(chosen) < sample:
                chosen.append(pool.pop())
    return chosen


def run_fixture_test(tools, path, name, workroot):
    """Runs every block of one blockchain test through both tools; returns a report."""
    with open(path) as f:
        test = json.load(f)[name]
    network = test["network"]
    chainid = int(test.get("config", {}).get("chainid", "0x1"), 16)
    genesis, _ = rlp_decode(bytes.fromhex(test["genesisRLP"][2:]))
    parent = plain(genesis)[0]
    hashes = {int.from_bytes(parent[8], "big"): bytes.fromhex(
        test["genesisBlockHeader"]["hash"][2:])}
    alloc = {"ember": test["pre"], "spec": test["pre"]}
    report = {"test": name, "file": path, "network": network, "blocks": 0, "diffs": [],
              "errors": [], "refused": [], "fixture_root_mismatch": 0}
    for i, block in enumerate(test["blocks"]):
        try:
            decoded, _ = rlp_decode(bytes.fromhex(block["rlp"][2:]))
            fields, raws = decoded
            header = plain(fields[0])
            txs_rlp = hexb(raws[1])
        except (ValueError, IndexError, TypeError, KeyError):
            continue  # a malformed block: nothing for t8n
        invalid = "expectException" in block
        number = int.from_bytes(header[8], "big")
        timestamp = int.from_bytes(header[11], "big")
        fork = network_fork(network, number, timestamp)
        env = header_env(fork, header, parent, fields, hashes)
        workdir = os.path.join(workroot, "b%02d" % i)
        outs = {}
        for tool in ("ember", "spec"):
            outs[tool] = tools.run(tool, workdir, alloc[tool], env, txs_rlp, None, fork,
                                   chainid, reward_of(fork))
        report["blocks"] += 1
        where = "block %d (%s%s)" % (number, fork, ", invalid" if invalid else "")
        bad = [t for t in outs if isinstance(outs[t], str)]
        if bad:
            line = "%s: %s" % (where, "; ".join("%s %s" % (t, outs[t]) for t in bad))
            if invalid:
                # A block the fixture rejects may be one a t8n refuses too (geth and Ember
                # exit 2 on a missing request contract or a bad deposit log; the spec's t8n
                # needs header fields an invalid block may lack): noted, not a difference.
                report["refused"].append(line)
                continue
            report["errors"].append(line)
            break
        diffs = compare(outs["ember"][0], outs["spec"][0])
        if diffs:
            report["diffs"].append("%s: %s" % (where, "; ".join(diffs)))
            report["keep"] = workdir
            break
        count_txs(report, outs["ember"][0])
        if invalid:
            continue
        if outs["ember"][0]["stateRoot"].lower() != hexb(header[3]):
            report["fixture_root_mismatch"] += 1
        alloc = {t: outs[t][1] for t in outs}
        hashes[number] = bytes.fromhex(block["blockHeader"]["hash"][2:])
        parent = header
    return report


# --------------------------------------------------------------------------------------------
# Crafted multi-block chains

KEYS = [
    "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
    "0x8a1f9a8f95be41cd7ccb6168179afb4504aefe388d1e14474d32c45c72ce7b7a",
    "0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4",
]
# The senders of KEYS (checked against both tools' output: a wrong one shows as a rejection).
SENDERS = [
    "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b",
    "0x703c4b2bd70c169f5717101caee543299fc946c7",
    "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826",
]
# Code: SSTORE(NUMBER, CALLVALUE+1); LOG1(0, 0, topic=TIMESTAMP); BLOBHASH(0) to slot 1
CONTRACT_CODE = "0x3460010143554260006000a1600049600155" + "00"
CONTRACT = "0x00000000000000000000000000000000000c0de1"
# Init code returning CONTRACT_CODE-like runtime: SSTORE(0, 1) then return 1 byte STOP.
INIT_CODE = "0x600160005560016000f3"


# The system contracts a Prague-or-later block calls (from the execution-spec-tests
# genesis allocations).
SYSTEM_CONTRACTS = {
    "0x000f3df6d732807ef1319fb7b8bb8522d0beac02": (
        "0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35"
        "801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62"
        "001fff42064281555f359062001fff015500"
    ),
    "0x0000f90827f1c53a10cb7a02335b175320002935": (
        "0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f3560014303"
        "8111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff600143"
        "03065500"
    ),
    "0x00000961ef480eb55e80d19ad83579a64c007002": (
        "0x3373fffffffffffffffffffffffffffffffffffffffe1460cb5760115f54807fffffffffffffff"
        "ffffffffffffffffffffffffffffffffffffffffffffffffff146101f457600182026001905f5b5f"
        "82111560685781019083028483029004916001019190604d565b9093900492505050366038146088"
        "57366101f457346101f4575f5260205ff35b34106101f45760015460010160015560035480600302"
        "6004013381556001015f35815560010160203590553360601b5f5260385f601437604c5fa0600101"
        "600355005b6003546002548082038060101160df575060105b5f5b81811461018357828101600302"
        "60040181604c02815460601b8152601401816001015481526020019060020154807fffffffffffff"
        "ffffffffffffffffffff00000000000000000000000000000000168252906010019060401c908160"
        "381c81600701538160301c81600601538160281c81600501538160201c81600401538160181c8160"
        "0301538160101c81600201538160081c81600101535360010160e1565b9101809214610195579060"
        "02556101a0565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffff"
        "ffffffffffffffffffffffffffff14156101cd57505f5b6001546002828201116101e25750505f61"
        "01e8565b01600290035b5f555f600155604c025ff35b5f5ffd"
    ),
    "0x0000bbddc7ce488642fb579f8b00f3a590007251": (
        "0x3373fffffffffffffffffffffffffffffffffffffffe1460d35760115f54807fffffffffffffff"
        "ffffffffffffffffffffffffffffffffffffffffffffffffff1461019a57600182026001905f5b5f"
        "82111560685781019083028483029004916001019190604d565b9093900492505050366060146088"
        "573661019a573461019a575f5260205ff35b341061019a5760015460010160015560035480600402"
        "6004013381556001015f358155600101602035815560010160403590553360601b5f5260605f6014"
        "3760745fa0600101600355005b6003546002548082038060021160e7575060025b5f5b8181146101"
        "295782810160040260040181607402815460601b8152601401816001015481526020018160020154"
        "81526020019060030154905260010160e9565b910180921461013b5790600255610146565b90505f"
        "6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        "ffffffff141561017357505f5b6001546001828201116101885750505f61018e565b01600190035b"
        "5f555f6001556074025ff35b5f5ffd"
    ),
}
WITHDRAWAL_REQUESTS = "0x00000961ef480eb55e80d19ad83579a64c007002"
CONSOLIDATION_REQUESTS = "0x0000bbddc7ce488642fb579f8b00f3a590007251"


def crafted_chain(fork, seed, blocks, with_blobs):
    """The inputs of one chain: genesis alloc and per block (env fields, txs)."""
    rng = random.Random("%s-%d" % (fork, seed))
    alloc = {
        s: {"balance": hex(10**24), "nonce": "0x0", "code": "0x", "storage": {}}
        for s in SENDERS
    }
    alloc[CONTRACT] = {"balance": "0x0", "nonce": "0x1", "code": CONTRACT_CODE, "storage": {}}
    for address, code in SYSTEM_CONTRACTS.items():
        alloc[address] = {"balance": "0x0", "nonce": "0x1", "code": code, "storage": {}}
    gas_limit = rng.choice([30_000_000, 36_000_000, 45_000_000, 60_000_000])
    parent = {
        "number": 0, "timestamp": 1000, "gas_limit": gas_limit,
        "gas_used": rng.choice([0, gas_limit // 2, gas_limit // 3, gas_limit]),
        "base_fee": rng.choice([7, 10**9, 3 * 10**9, 987654321]),
        "excess_blob_gas": rng.choice([0, 131072, 10 * 131072, 400 * 131072, 5_000_000]),
        "blob_gas_used": rng.choice([0, 131072, 6 * 131072]),
    }
    nonces = [0, 0, 0]
    plan = []
    for _ in range(blocks):
        txs = []
        for _ in range(rng.randint(0, 8)):
            who = rng.randrange(3)
            kind = rng.choice(["transfer", "call", "create", "blob", "blob", "blob", "legacy",
                               "withdrawal", "consolidation"])
            if kind == "blob" and not with_blobs:
                kind = "call"
            tx = {
                "secretKey": KEYS[who], "chainId": "0x1", "nonce": hex(nonces[who]),
                "value": hex(rng.choice([0, 1, 10**15])), "input": "0x",
                "gas": hex(rng.choice([21_000, 100_000, 300_000])),
                "v": "0x0", "r": "0x0", "s": "0x0",
            }
            # One transaction in ten is made invalid on purpose (and uses no nonce).
            broken = rng.choice(["fee", "tip", "nonce", "blobs"]) if rng.random() < 0.1 else None
            if kind == "legacy":
                tx.update({"type": "0x0", "gasPrice": hex(1 if broken == "fee" else 4 * 10**9),
                           "to": SENDERS[(who + 1) % 3]})
                if broken in ("tip", "blobs"):
                    broken = None
            else:
                tx.update({"type": "0x2", "maxFeePerGas": hex(10**11),
                           "maxPriorityFeePerGas": hex(rng.choice([0, 1, 10**9])),
                           "accessList": []})
                if kind == "transfer":
                    tx["to"] = SENDERS[(who + 2) % 3]
                elif kind == "call":
                    tx["to"] = CONTRACT
                elif kind == "withdrawal":  # EIP-7002: pubkey (48) and amount (8)
                    tx["to"] = WITHDRAWAL_REQUESTS
                    tx["input"] = "0x" + bytes([seed % 256, who] * 24).hex() + "%016x" % rng.randrange(2**40)
                    tx["value"] = hex(rng.choice([0, 1, 10**6]))
                    tx["gas"] = hex(200_000)
                elif kind == "consolidation":  # EIP-7251: source and target pubkeys
                    tx["to"] = CONSOLIDATION_REQUESTS
                    tx["input"] = "0x" + bytes([who, seed % 256] * 48).hex()
                    tx["value"] = hex(rng.choice([0, 1, 10**6]))
                    tx["gas"] = hex(200_000)
                elif kind == "create":
                    tx["to"] = None
                    tx["input"] = INIT_CODE
                    tx["gas"] = hex(200_000)
                else:
                    count = 7 if broken == "blobs" else rng.choice([1, 2, 3, 4, 5, 6])
                    tx.update({"type": "0x3", "to": CONTRACT,
                               "maxFeePerBlobGas": hex(rng.choice([10**3, 10**9, 10**12])),
                               "blobVersionedHashes": [
                                   "0x01" + hashlib.sha256(bytes([seed % 256, i, len(txs)])).hexdigest()[2:]
                                   for i in range(count)
                               ]})
                if broken == "fee":
                    tx["maxFeePerGas"] = "0x5"
                    tx["maxPriorityFeePerGas"] = "0x0"
                elif broken == "tip":
                    tx["maxPriorityFeePerGas"] = hex(10**11 + 1)
            if broken == "nonce":
                tx["nonce"] = hex(nonces[who] + 5)
            if broken is None or (broken == "blobs" and kind != "blob"):
                nonces[who] += 1  # (a blob count over the limit is invalid only in a blob tx)
            txs.append(tx)
        plan.append(txs)
    return alloc, parent, plan


def run_crafted_chain(tools, fork, seed, blocks, workroot):
    with_blobs = True
    alloc0, parent, plan = crafted_chain(fork, seed, blocks, with_blobs)
    alloc = {"ember": alloc0, "spec": alloc0}
    report = {"test": "crafted-%s-%d" % (fork, seed), "file": "", "network": fork,
              "blocks": 0, "diffs": [], "errors": [], "refused": [], "fixture_root_mismatch": 0}
    rng = random.Random("env-%s-%d" % (fork, seed))
    hashes = {0: "0x" + hashlib.sha256(b"genesis%d" % seed).hexdigest()}
    coinbase = "0x" + hashlib.sha256(b"coinbase%d" % seed).hexdigest()[:40]
    for i, txs in enumerate(plan):
        number = parent["number"] + 1
        timestamp = parent["timestamp"] + rng.choice([1, 12, 13])
        env = {
            "currentCoinbase": coinbase,
            "currentGasLimit": hex(parent["gas_limit"]),
            "currentNumber": hex(number),
            "currentTimestamp": hex(timestamp),
            "currentRandom": "0x" + hashlib.sha256(b"rnd%d" % number).hexdigest(),
            "currentDifficulty": "0x0",
            "parentTimestamp": hex(parent["timestamp"]),
            "parentBaseFee": hex(parent["base_fee"]),
            "parentGasUsed": hex(parent["gas_used"]),
            "parentGasLimit": hex(parent["gas_limit"]),
            "parentExcessBlobGas": hex(parent["excess_blob_gas"]),
            "parentBlobGasUsed": hex(parent["blob_gas_used"]),
            "parentBeaconBlockRoot": "0x" + hashlib.sha256(b"beacon%d" % number).hexdigest(),
            "parentUncleHash": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
            "blockHashes": {hex(n): h for n, h in hashes.items()},
            "withdrawals": [
                {"index": hex(number * 4 + k), "validatorIndex": hex(k),
                 "address": SENDERS[k % 3], "amount": hex(rng.choice([0, 1, 32 * 10**9]))}
                for k in range(rng.randint(0, 2))
            ],
        }
        workdir = os.path.join(workroot, "b%02d" % i)
        outs = {}
        for tool in ("ember", "spec"):
            outs[tool] = tools.run(tool, workdir, alloc[tool], env, None, txs, fork, 1, 0)
        report["blocks"] += 1
        where = "block %d (%s)" % (number, fork)
        bad = [t for t in outs if isinstance(outs[t], str)]
        if bad:
            report["errors"].append("%s: %s" % (where, "; ".join(
                "%s %s" % (t, outs[t]) for t in bad)))
            report["keep"] = workdir
            break
        diffs = compare(outs["ember"][0], outs["spec"][0])
        if diffs:
            report["diffs"].append("%s: %s" % (where, "; ".join(diffs)))
            report["keep"] = workdir
            break
        count_txs(report, outs["ember"][0])
        result = outs["spec"][0]
        alloc = {t: outs[t][1] for t in outs}
        hashes[number] = "0x" + hashlib.sha256(
            (result["stateRoot"] + str(number)).encode()).hexdigest()
        parent = {
            "number": number, "timestamp": timestamp, "gas_limit": parent["gas_limit"],
            "gas_used": norm("gasUsed", result["gasUsed"]),
            "base_fee": norm("currentBaseFee", result["currentBaseFee"]),
            "excess_blob_gas": norm("currentExcessBlobGas", result["currentExcessBlobGas"]),
            "blob_gas_used": norm("blobGasUsed", result.get("blobGasUsed") or "0x0"),
        }
    return report


# --------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixtures", default="target/fixtures/execution-spec-tests/blockchain_tests")
    ap.add_argument("--sample", type=int, default=240,
                    help="blockchain tests to sample, spread over the networks (0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--crafted-forks", default="Osaka,BPO1,BPO2",
                    help="forks of the crafted chains (empty: none)")
    ap.add_argument("--chains", type=int, default=12, help="crafted chains per fork")
    ap.add_argument("--blocks", type=int, default=4, help="blocks per crafted chain")
    ap.add_argument("--ci", action="store_true",
                    help="the CI sample: --sample 40 --chains 4 --blocks 3")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--ember", default="target/release/ember")
    ap.add_argument("--spec", default="ethereum-spec-evm")
    ap.add_argument("--out", default=None, help="keep the inputs of differing blocks here")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--show", type=int, default=20)
    args = ap.parse_args()
    if args.ci:
        args.sample, args.chains, args.blocks = 40, 4, 3
    if not os.path.exists(args.ember):
        print("no Ember binary at %s (cargo build --release --bin ember)" % args.ember,
              file=sys.stderr)
        return 2
    if shutil.which(args.spec.split()[0]) is None:
        print("no %s on PATH (pip install ethereum-execution)" % args.spec, file=sys.stderr)
        return 2
    tools = Tools([os.path.abspath(args.ember)], args.spec.split(), args.out, args.timeout)
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="t8n-diff-")
    jobs = []
    if args.sample > 0:
        for k, (path, name) in enumerate(fixture_chains(args.fixtures, args.sample, args.seed)):
            jobs.append(("fixture", (path, name), os.path.join(work, "f%04d" % k)))
    forks = [f for f in args.crafted_forks.split(",") if f]
    for fork in forks:
        for seed in range(args.chains):
            jobs.append(("crafted", (fork, seed), os.path.join(work, "c-%s-%03d" % (fork, seed))))

    def run(job):
        kind, what, workdir = job
        try:
            if kind == "fixture":
                return run_fixture_test(tools, what[0], what[1], workdir)
            return run_crafted_chain(tools, what[0], what[1], args.blocks, workdir)
        except Exception as e:  # a bug of this script: report it, do not hide it
            return {"test": str(what), "file": "", "network": "?", "blocks": 0, "diffs": [],
                    "errors": ["script error: %r" % e], "refused": [],
                    "fixture_root_mismatch": 0}

    reports = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for report in pool.map(run, jobs):
            reports.append(report)
            if report.get("keep") and args.out:
                dest = os.path.join(args.out, report["test"].replace("/", "_")[:150])
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(report["keep"], dest)
    shutil.rmtree(work, ignore_errors=True)

    by_source = {}
    for r in reports:
        key = "crafted " + r["network"] if r["test"].startswith("crafted-") else "fixtures"
        s = by_source.setdefault(key, {"tests": 0, "blocks": 0, "diffs": 0, "errors": 0,
                                       "included": 0, "rejected": 0, "blob_gas": 0})
        for k in ("included", "rejected", "blob_gas"):
            s[k] += r.get(k, 0)
        s["tests"] += 1
        s["blocks"] += r["blocks"]
        s["diffs"] += bool(r["diffs"])
        s["errors"] += bool(r["errors"])
    shown = 0
    for r in reports:
        for line in r["diffs"] + r["errors"]:
            if shown < args.show:
                print("DIFF %s %s: %s" % (r["test"], r["file"], line))
            shown += 1
    refused = [(r, line) for r in reports for line in r["refused"]]
    for r, line in refused[:args.show]:
        print("REFUSED %s: %s" % (r["test"], line))
    mismatched = sum(r["fixture_root_mismatch"] for r in reports)
    for key in sorted(by_source):
        s = by_source[key]
        print("%-16s %4d chains %5d blocks (%d txs included, %d rejected, %d blobs)  "
              "%d with differences, %d with errors"
              % (key, s["tests"], s["blocks"], s["included"], s["rejected"],
                 s["blob_gas"] // 131072, s["diffs"], s["errors"]))
    blocks = sum(r["blocks"] for r in reports)
    differing = sum(bool(r["diffs"]) for r in reports)
    erroring = sum(bool(r["errors"]) for r in reports)
    print("invalid fixture blocks one tool refused (not differences): %d" % len(refused))
    print("fixture valid blocks whose Ember root is not the fixture's: %d" % mismatched)
    print("time: %.0f s wall; t8n calls: ember %.0f s, spec %.0f s"
          % (time.monotonic() - started, tools.ember_seconds, tools.spec_seconds))
    print("%d chains, %d blocks: %d differ, %d errors" % (len(reports), blocks, differing,
                                                          erroring))
    return 1 if differing or erroring else 0


if __name__ == "__main__":
    sys.exit(main())

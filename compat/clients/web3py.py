#!/usr/bin/env python3
"""web3.py (HTTPProvider) against a dev node: deploy, call, transact, receipts, logs,
revert reasons (ContractLogicError message/data), balances. One JSON observation per line.

    compat/.venv/bin/python clients/web3py.py http://127.0.0.1:8545
"""
import json
import os
import sys
import time
from pathlib import Path

from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError, Web3RPCError

URL = os.environ.get("COMPAT_RPC") or (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8545")
ART = json.loads((Path(__file__).resolve().parent.parent / "build" / "all.json").read_text())
KEY2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"

w3 = Web3(Web3.HTTPProvider(URL, request_kwargs={"timeout": 30}))
SEEN = set()
START = 0


def plain(v):
    """JSON-able, deterministic: bytes to 0x-hex, AttributeDicts to dicts, big ints to strings."""
    if isinstance(v, (bytes, bytearray)):
        return "0x" + bytes(v).hex()
    if isinstance(v, dict) or hasattr(v, "items"):
        return {str(k): plain(x) for k, x in sorted(dict(v).items())}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v) if abs(v) > 2**53 else v
    return str(v)


def emit(check, value):
    if check in SEEN:
        raise RuntimeError(f"duplicate check {check}")
    SEEN.add(check)
    print(json.dumps({"client": "web3py", "check": check, "value": plain(value)}), flush=True)


def err(e):
    o = {"type": type(e).__name__}
    if isinstance(e, (ContractLogicError, ContractCustomError, ContractPanicError)):
        o["message"] = e.message if hasattr(e, "message") else str(e)
        o["data"] = plain(e.data) if getattr(e, "data", None) is not None else None
    elif isinstance(e, Web3RPCError):
        rpc = getattr(e, "rpc_response", None) or {}
        o["rpc"] = plain(rpc.get("error")) if isinstance(rpc, dict) else None
        o["message"] = getattr(e, "message", str(e))
    else:
        o["message"] = str(e)
    return o


def check(name, fn):
    try:
        emit(name, fn())
    except Exception as e:  # noqa: BLE001 - every failure is an observation
        if os.environ.get("COMPAT_DEBUG"):
            print(f"web3py {name}: {e!r}", file=sys.stderr)
        emit(name, {"threw": err(e)})


def rel(n):
    return None if n is None else int(n) - START


DROP = {"blockHash", "transactionHash", "blockTimestamp", "hash", "timestamp", "r", "s", "v", "yParity"}


def scrub_receipt(r):
    out = {}
    for k, v in dict(r).items():
        if k in DROP:
            continue
        if k == "blockNumber":
            out[k] = rel(v)
        elif k == "logs":
            out[k] = [{kk: (rel(vv) if kk == "blockNumber" else vv) for kk, vv in dict(l).items() if kk not in DROP} for l in v]
        else:
            out[k] = v
    return out


def wait(h):
    return w3.eth.wait_for_transaction_receipt(h, timeout=20, poll_latency=0.05)


def main():
    global START
    START = w3.eth.block_number
    acct = w3.eth.accounts
    a0, a1, a2, a9 = acct[0], acct[1], acct[2], acct[9]
    w3.eth.default_account = a0

    check("basics.connected", lambda: w3.is_connected())
    check("basics.chain_id", lambda: w3.eth.chain_id)
    check("basics.accounts", lambda: [a.lower() for a in acct])
    check("basics.block_number", lambda: rel(w3.eth.block_number))
    check("basics.gas_price", lambda: w3.eth.gas_price)
    check("basics.max_priority_fee", lambda: w3.eth.max_priority_fee)
    check("basics.balance", lambda: w3.eth.get_balance(a0))
    check("basics.client_version_prefix", lambda: w3.client_version.split("/")[0] in ("anvil", "ember"))

    C = {}

    def deploy(name, *args):
        def run():
            f = w3.eth.contract(abi=ART[name]["abi"], bytecode=ART[name]["bytecode"])
            h = f.constructor(*args).transact()
            r = wait(h)
            C[name] = w3.eth.contract(address=r.contractAddress, abi=ART[name]["abi"])
            return scrub_receipt(r)

        check(f"deploy.{name}", run)

    deploy("Counter", 3)
    deploy("Reverter")
    deploy("Token", "Py Token", "PY", 10**20)
    deploy("Vault")
    if "Counter" not in C or "Reverter" not in C or "Token" not in C:
        return
    counter, rev, token, vault = C["Counter"], C["Reverter"], C["Token"], C.get("Vault")

    check("call.count", lambda: counter.functions.count().call())
    check("call.info", lambda: [rel(x) if i == 0 else x for i, x in enumerate(counter.functions.info().call())])
    check("call.spin", lambda: counter.functions.spin(20).call())
    check("estimate.increment", lambda: counter.functions.increment().estimate_gas())
    check("estimate.set", lambda: counter.functions.set(1, 2, "py").estimate_gas())
    check("tx.increment", lambda: scrub_receipt(wait(counter.functions.increment().transact())))
    check("tx.set", lambda: scrub_receipt(wait(counter.functions.set(5, 25, "five").transact({"from": a1}))))
    check("tx.get", lambda: counter.functions.get(5).call())
    check("tx.byHash", lambda: {k: v for k, v in dict(w3.eth.get_transaction(counter.functions.increment().transact())).items() if k not in DROP | {"blockNumber"}})

    # Token transfers and their logs, decoded by web3.
    check("token.transfer", lambda: scrub_receipt(wait(token.functions.transfer(a1, 10).transact())))
    check("token.transfer2", lambda: scrub_receipt(wait(token.functions.transfer(a2, 20).transact())))
    check("token.balances", lambda: [token.functions.balanceOf(a).call() for a in (a0, a1, a2)])

    def decoded_events():
        r = wait(token.functions.transfer(a9, 5).transact())
        return [{"event": e.event, "args": dict(e.args), "logIndex": e.logIndex} for e in token.events.Transfer().process_receipt(r)]

    check("token.events.process_receipt", decoded_events)
    check("logs.get_logs.transfer", lambda: [{"args": dict(e.args), "block": rel(e.blockNumber)} for e in token.events.Transfer().get_logs(from_block=0)])
    check("logs.get_logs.filtered", lambda: [dict(e.args) for e in token.events.Transfer().get_logs(from_block=0, argument_filters={"to": a2})])
    check("logs.eth_getLogs.raw", lambda: [scrub_receipt(l) for l in w3.eth.get_logs({"fromBlock": 0, "address": counter.address})])

    def filter_flow():
        f = w3.eth.filter({"address": counter.address, "fromBlock": "latest"})
        for _ in range(2):
            wait(counter.functions.increment().transact())
        ch = f.get_new_entries()
        again = f.get_new_entries()
        ok = w3.eth.uninstall_filter(f.filter_id)
        return {"changes": len(ch), "again": len(again), "uninstalled": ok, "data": [l["data"] for l in ch]}

    check("logs.filter", filter_flow)

    def block_filter():
        f = w3.eth.filter("latest")
        w3.provider.make_request("evm_mine", [])
        w3.provider.make_request("evm_mine", [])
        return len(f.get_new_entries())

    check("logs.block_filter", block_filter)

    # Reverts: ContractLogicError and friends, message and data.
    cases = [("requireOk", (0,)), ("customError", (11,)), ("customError", (0,)), ("divide", (1, 0)), ("assertFalse", ()), ("overflow", (1,)), ("outOfBounds", (5,)), ("bareRevert", ())]
    for fn, args in cases:
        tag = f"{fn}.{'_'.join(map(str, args)) or 'none'}"
        check(f"revert.call.{tag}", lambda fn=fn, args=args: getattr(rev.functions, fn)(*args).call())
        check(f"revert.estimate.{tag}", lambda fn=fn, args=args: getattr(rev.functions, fn)(*args).estimate_gas())
    check("revert.transact.estimateFirst", lambda: getattr(rev.functions, "touchAndRequire")(0).transact())

    def mined_revert():
        h = rev.functions.touchAndError(11).transact({"gas": 100000})
        r = wait(h)
        # Replaying the mined transaction as a call at its block reproduces the reason.
        tx = w3.eth.get_transaction(h)
        try:
            w3.eth.call({"from": tx["from"], "to": tx["to"], "data": tx["input"]}, r.blockNumber - 1)
            replay = None
        except Exception as e:  # noqa: BLE001
            replay = err(e)
        return {"receipt": scrub_receipt(r), "replay": replay}

    check("revert.transact.mined", mined_revert)
    check("revert.insufficient_funds", lambda: w3.eth.send_transaction({"from": a1, "to": a9, "value": 10**30}))

    # Value and balances.
    def value_flow():
        before = w3.eth.get_balance(a9)
        r = wait(w3.eth.send_transaction({"from": a2, "to": a9, "value": 12345}))
        after = w3.eth.get_balance(a9)
        return {"delta": after - before, "gasUsed": r.gasUsed, "status": r.status, "sender": w3.eth.get_balance(a2)}

    check("value.transfer", value_flow)
    if vault is not None:
        check("value.deposit", lambda: scrub_receipt(wait(vault.functions.deposit().transact({"value": 10**18, "from": a1}))))
        check("value.vault_balance", lambda: w3.eth.get_balance(vault.address))
        check("value.withdraw_too_much", lambda: vault.functions.withdraw(10**20).call({"from": a1}))

    # A locally signed transaction (eth_account), legacy and EIP-1559.
    local = Account.from_key(KEY2)

    def signed(kind):
        def run():
            nonce = w3.eth.get_transaction_count(local.address)
            tx = {"to": a9, "value": 1, "gas": 21000, "nonce": nonce, "chainId": 31337}
            if kind == "legacy":
                tx["gasPrice"] = w3.eth.gas_price
            else:
                base = w3.eth.get_block("latest").baseFeePerGas
                tx.update({"maxFeePerGas": 2 * base + 10**9, "maxPriorityFeePerGas": 10**9, "type": 2})
            raw = local.sign_transaction(tx).raw_transaction
            return scrub_receipt(wait(w3.eth.send_raw_transaction(raw)))

        return run

    check("signed.legacy", signed("legacy"))
    check("signed.eip1559", signed("eip1559"))
    check("signed.replay", lambda: w3.eth.send_raw_transaction(local.sign_transaction({"to": a9, "value": 1, "gas": 21000, "nonce": 0, "chainId": 31337, "gasPrice": 10**10}).raw_transaction))
    check("sign.eth_sign", lambda: w3.eth.sign(a0, text="web3py"))

    check("storage.slot0", lambda: w3.eth.get_storage_at(counter.address, 0))
    check("code.len", lambda: len(w3.eth.get_code(counter.address)))
    check("block.latest", lambda: {k: (rel(v) if k == "number" else v) for k, v in dict(w3.eth.get_block("latest")).items() if k not in DROP | {"parentHash", "mixHash", "stateRoot", "transactionsRoot", "size", "transactions"}})
    time.sleep(0.3)  # anvil fills its fee history asynchronously
    check("block.fee_history", lambda: dict(w3.eth.fee_history(3, "latest", [50])))
    check("final.block_number", lambda: rel(w3.eth.block_number))
    for i, a in enumerate(acct):
        check(f"final.balance.{i}", lambda a=a: w3.eth.get_balance(a))
        check(f"final.nonce.{i}", lambda a=a: w3.eth.get_transaction_count(a))


if __name__ == "__main__":
    t = time.time()
    main()
    print(f"web3py: done in {time.time() - t:.1f} s", file=sys.stderr)

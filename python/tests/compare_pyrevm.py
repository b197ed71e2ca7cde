"""One script, two EVMs: run with `python compare_pyrevm.py pyrevm` or `... ember`.

It uses pyrevm 0.3.7's API only and prints one JSON line per observation; the test
test_compare.py runs it under both modules and requires identical output.
"""

import importlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contracts import INVALID, LOGGER, LOOP, REVERTER, STORE_VALUE, initcode  # noqa: E402

mod = importlib.import_module(sys.argv[1])
EVM, AccountInfo = mod.EVM, mod.AccountInfo

ALICE = "0x" + "a1" * 20
STORE = "0x" + "22" * 20
REV = "0x" + "33" * 20
LOG = "0x" + "4c" * 20
BAD = "0x" + "55" * 20
SPIN = "0x" + "66" * 20


def out(*values):
    print(json.dumps(values, default=lambda v: v.hex() if isinstance(v, bytes) else str(v)))


def result(evm):
    r = evm.result
    logs = [(log.address, log.topics, log.data[1]) for log in r.logs]
    return [r.is_success, r.is_halt, r.reason, r.gas_used, r.gas_refunded, logs]


def failure(f):
    try:
        f()
        return "no exception"
    except RuntimeError:  # pyrevm's type; ember's Revert and Halt subclass it
        return "RuntimeError"


evm = EVM(spec_id="SHANGHAI")
evm.set_balance(ALICE, 10**20)
out("balance", evm.get_balance(ALICE), evm.basic(ALICE).nonce)
for address, code in [(STORE, STORE_VALUE), (REV, REVERTER), (LOG, LOGGER), (BAD, INVALID), (SPIN, LOOP)]:
    evm.insert_account_info(address, AccountInfo(code=code))
    out("code", address, evm.get_code(address), evm.basic(address).code_hash)

out("call", evm.message_call(ALICE, STORE, value=5), result(evm))
out("storage", evm.storage(STORE, 0), evm.get_balance(STORE), evm.get_balance(ALICE))
# pyrevm prices a second uncommitted call as a continuation of the first (slots stay warm
# and dirty in its journal: 21225 gas here); Ember prices each call as the transaction it is
# (26125: cold account and slot, a non-zero slot changed). The gas is left out of this line.
out("call again", evm.message_call(ALICE, STORE, value=7, gas=100_000))
out("nonce after calls", evm.basic(ALICE).nonce)

checkpoint = evm.snapshot()
out("call in snapshot", evm.message_call(ALICE, STORE, value=9), evm.storage(STORE, 0))
evm.revert(checkpoint)
out("reverted", evm.storage(STORE, 0), evm.get_balance(STORE))

out("revert", failure(lambda: evm.message_call(ALICE, REV)), result(evm))
out("log", evm.message_call(ALICE, LOG), result(evm))
out("invalid", failure(lambda: evm.message_call(ALICE, BAD, gas=50_000)), result(evm))
out("loop", failure(lambda: evm.message_call(ALICE, SPIN, gas=60_000)), result(evm))
out("static", failure(lambda: evm.message_call(ALICE, STORE, is_static=True)), result(evm))
out("storage after failures", evm.storage(STORE, 0))

deployed = evm.deploy(ALICE, initcode(STORE_VALUE), gas=200_000)
# pyrevm 0.3.7 returns deployed code padded with 33 zero bytes (revm's analysed form).
code = evm.get_code(deployed)[: len(STORE_VALUE)]
out("deploy", deployed, code, result(evm), evm.basic(ALICE).nonce)
out("call deployed", evm.message_call(ALICE, deployed, value=1), evm.storage(deployed, 0))

evm.insert_account_storage(STORE, 3, 99)
out("inserted", evm.storage(STORE, 3))
evm.commit()
# pyrevm keeps the zero address (the coinbase, touched with a zero fee) where Ember, under
# EIP-161, removes it as empty; it is left out of the comparison.
accounts = {a: info for a, info in evm.db_accounts.items() if a != "0x" + "00" * 20}
out("committed", sorted(accounts))
out("after commit", [(evm.get_balance(a), evm.basic(a).nonce) for a in sorted(accounts)])

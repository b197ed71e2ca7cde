"""ember.EVM: every method, every error type, the panic path, threads."""

import threading
import time

import pytest

import ember
from contracts import CALL_0100, ECHO, LOGGER, LOOP, REVERTER, STORE_VALUE, initcode
from ember import (
    EVM,
    AccountInfo,
    BlockEnv,
    CfgEnv,
    Env,
    ExecutionResult,
    TxEnv,
)

ALICE = "0x" + "a1" * 20
BOB = "0x" + "b0" * 20
STORE = "0x" + "22" * 20


@pytest.fixture
def evm():
    e = EVM(spec_id="CANCUN")
    e.set_balance(ALICE, 10**21)
    e.insert_account_info(STORE, AccountInfo(code=STORE_VALUE))
    return e


def test_accounts(evm):
    assert evm.get_balance(ALICE) == 10**21
    info = evm.basic(ALICE)
    assert (info.balance, info.nonce) == (10**21, 0)
    assert evm.basic(BOB).balance == 0
    assert evm.get_code(BOB) is None
    assert evm.get_code(STORE) == STORE_VALUE
    assert len(evm.basic(STORE).code_hash) == 32
    evm.set_balance(BOB, 2**256 - 1)
    assert evm.get_balance(BOB) == 2**256 - 1
    assert evm.insert_account_storage(STORE, 7, 2**255) == 0
    assert evm.insert_account_storage(STORE, 7, 3) == 2**255
    assert evm.storage(STORE, 7) == 3
    info = AccountInfo(balance=5, nonce=2, code=b"\x00")
    evm.insert_account_info(BOB, info)
    assert (evm.basic(BOB).nonce, evm.get_balance(BOB), evm.get_code(BOB)) == (2, 5, b"\x00")
    assert "AccountInfo(balance=5" in repr(info)


def test_message_call_and_result(evm):
    out = evm.message_call(ALICE, STORE, value=5)
    assert int.from_bytes(out, "big") == 6
    assert evm.storage(STORE, 0) == 6
    r = evm.result
    assert isinstance(r, ExecutionResult)
    assert (r.is_success, r.is_halt, r.reason, r.logs) == (True, False, "Return", [])
    assert r.gas_used == 43225 and r.output == out
    # pyrevm's behaviour: a message_call leaves the caller's nonce unchanged.
    assert evm.basic(ALICE).nonce == 0
    assert evm.message_call(ALICE, BOB, calldata=b"\x01") == b""


def test_logs(evm):
    logger = "0x" + "4c" * 20
    evm.insert_account_info(logger, AccountInfo(code=LOGGER))
    evm.message_call(ALICE, logger)
    (log,) = evm.result.logs
    assert log.address == "0x4C4C4C4C4C4c4C4C4C4C4c4C4C4c4C4c4C4C4c4C"
    assert log.topics == ["0x" + "11" * 32]
    topics, data = log.data
    assert topics == [b"\x11" * 32] and data == (42).to_bytes(32, "big")
    assert "Log(" in repr(log)


def test_revert_and_halt_errors(evm):
    rev, spin = "0x" + "33" * 20, "0x" + "66" * 20
    evm.insert_account_info(rev, AccountInfo(code=REVERTER))
    evm.insert_account_info(spin, AccountInfo(code=LOOP))
    with pytest.raises(ember.Revert) as e:
        evm.message_call(ALICE, rev)
    assert isinstance(e.value, RuntimeError)
    assert e.value.output == (1).to_bytes(32, "big") and e.value.gas_used == 21016
    with pytest.raises(ember.Halt) as e:
        evm.message_call(ALICE, spin, gas=50_000)
    assert e.value.reason == "OutOfGas(Basic)" and e.value.gas_used == 50_000
    assert evm.result.is_halt
    with pytest.raises(ember.Halt, match="StateChangeDuringStaticCall"):
        evm.message_call(ALICE, STORE, is_static=True)
    assert evm.message_call(ALICE, "0x" + "ec" * 20, is_static=True) == b""


def test_invalid_transaction(evm):
    with pytest.raises(ember.InvalidTransaction, match="insufficient funds") as e:
        evm.message_call(BOB, STORE, value=1)
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(ember.InvalidTransaction, match="intrinsic gas"):
        evm.message_call(ALICE, STORE, gas=100)
    with pytest.raises(ember.InvalidTransaction):
        TxEnv(tx_type=9)


def test_invalid_hex_and_ints(evm):
    for bad in ["0x12", "zz", "0x" + "g" * 40]:
        with pytest.raises(ember.InvalidHex) as e:
            evm.get_balance(bad)
        assert isinstance(e.value, TypeError)
    with pytest.raises(ember.InvalidHex):
        BlockEnv(coinbase="0x1")
    with pytest.raises(ember.InvalidHex):
        BlockEnv(prevrandao=b"\x01")
    with pytest.raises(ember.InvalidHex):
        TxEnv(blob_hashes=[b"\x01"])
    with pytest.raises(ember.InvalidHex):
        evm.set_block_hash(1, b"\x00")
    with pytest.raises(OverflowError):
        evm.set_balance(ALICE, -1)
    with pytest.raises(OverflowError):
        evm.set_balance(ALICE, 2**256)


def test_unknown_fork_and_names():
    with pytest.raises(ember.UnknownFork) as e:
        EVM(spec_id="ATLANTIS")
    assert isinstance(e.value, ValueError)
    for name, ember_name in [("SHANGHAI", "Shanghai"), ("MERGE", "Paris"), ("LATEST", "Osaka"),
                             ("GRAY_GLACIER", "London"), ("Prague", "Prague"), ("EIP158", "EIP158")]:
        assert EVM(spec_id=name).spec_id == ember_name
    assert EVM().spec_id == "Shanghai"
    assert "Cancun" in ember.fork_names()
    with pytest.raises(NotImplementedError):
        EVM(fork_url="http://127.0.0.1:1")


def test_snapshot_revert_commit(evm):
    evm.commit()
    assert evm.journal_len == 0 and evm.journal_depth == 0
    cp = evm.snapshot()
    assert evm.journal_depth == 1 and cp in evm.checkpoint_ids
    evm.message_call(ALICE, STORE, value=9)
    assert evm.storage(STORE, 0) == 10 and evm.journal_len > 0
    assert ALICE.lower() in {k.lower() for k in evm.journal_state}
    evm.revert(cp)
    assert evm.storage(STORE, 0) == 0 and evm.journal_depth == 0
    assert (cp.log_i, cp.journal_i) == (0, 0)
    with pytest.raises(ValueError):
        evm.revert(cp)
    evm.message_call(ALICE, STORE, value=1)
    # STORE's address is digits only: its checksummed form is itself.
    assert evm.db_accounts[STORE].balance == 0
    evm.commit()
    assert evm.db_accounts[STORE].balance == 1
    assert "Journal" in evm.journal_str


def test_deploy(evm):
    address = evm.deploy(ALICE, initcode(STORE_VALUE))
    assert address == evm.result.created_address
    assert evm.get_code(address) == STORE_VALUE
    assert evm.basic(ALICE).nonce == 1
    with pytest.raises(ember.Revert):
        evm.deploy(ALICE, REVERTER)


def test_env_and_block(evm):
    env = Env(cfg=CfgEnv(chain_id=5), block=BlockEnv(number=100, timestamp=7, basefee=0))
    e = EVM(env=env, spec_id="CANCUN")
    assert e.env.cfg.chain_id == 5 and e.env.block.number == 100
    # NUMBER TIMESTAMP CHAINID -> return the three words.
    code = bytes.fromhex("435f52426020524660405260605ff3")
    e.insert_account_info(STORE, AccountInfo(code=code))
    out = e.message_call(ALICE, STORE)
    assert [int.from_bytes(out[i:i + 32], "big") for i in (0, 32, 64)] == [100, 7, 5]
    e.set_block_env(BlockEnv(number=200, timestamp=9))
    out = e.message_call(ALICE, STORE)
    assert int.from_bytes(out[:32], "big") == 200
    e.set_block_hash(199, b"\x42" * 32)
    assert e.block_hash(199) == b"\x42" * 32 and e.block_hash(5) == b"\x00" * 32
    e.reset_transient_storage()
    assert "BlockEnv" in repr(e.env.block) and "CfgEnv" in repr(e.env.cfg)


def test_transact_types(evm):
    evm.set_block_env(BlockEnv(basefee=7))
    r = evm.transact(TxEnv(caller=ALICE, to=BOB, value=3, gas_price=10, gas_limit=21000))
    assert r.is_success and r.gas_used == 21000 and evm.get_balance(BOB) == 3
    assert evm.basic(ALICE).nonce == 1
    r = evm.transact(TxEnv(caller=ALICE, to=STORE, gas_price=10, access_list=[(STORE, [0])]))
    assert r.is_success
    r = evm.transact(TxEnv(caller=ALICE, to=BOB, gas_price=10, gas_priority_fee=1, gas_limit=21000))
    assert r.is_success and evm.basic(ALICE).nonce == 3
    with pytest.raises(ember.InvalidTransaction, match="nonce"):
        evm.transact(TxEnv(caller=ALICE, to=BOB, gas_price=10, gas_limit=21000, nonce=0))
    with pytest.raises(ember.InvalidTransaction):
        evm.transact(TxEnv(caller=ALICE, to=BOB, gas_price=1, gas_limit=21000))  # below basefee
    blob = TxEnv(caller=ALICE, to=BOB, gas_price=10, gas_priority_fee=1, gas_limit=21000,
                 blob_hashes=[b"\x01" + b"\x00" * 31], max_fee_per_blob_gas=1)
    assert evm.transact(blob).is_success
    # A blob transaction cannot create a contract.
    blob.to = None
    with pytest.raises(ember.InvalidTransaction):
        evm.transact(blob)
    # A revert is a result, not an exception.
    evm.insert_account_info("0x" + "33" * 20, AccountInfo(code=REVERTER))
    r = evm.transact(TxEnv(caller=ALICE, to="0x" + "33" * 20, gas_price=10, gas_limit=50_000))
    assert not r.is_success and r.reason == "Revert"
    evm.set_tx_env(TxEnv(caller=ALICE, to=BOB, gas_price=10, gas_limit=21000, value=1))
    assert evm.transact().is_success and evm.env.tx.value == 1


def test_eip7702_authorization():
    evm = EVM(spec_id="PRAGUE")
    evm.set_balance(ALICE, 10**18)
    # An authorization whose signature recovers no authority is skipped; the transaction runs.
    auth = (1, STORE, 0, 0, 1, 1)
    r = evm.transact(TxEnv(caller=ALICE, to=BOB, gas_price=0, gas_priority_fee=0,
                           authorization_list=[auth], gas_limit=100_000))
    assert r.is_success
    with pytest.raises(ember.InvalidTransaction):
        evm.transact(TxEnv(caller=ALICE, to=None, authorization_list=[auth], tx_type=4))


def test_tracing(evm):
    assert not evm.tracing
    evm.tracing = True
    evm.message_call(ALICE, STORE, value=1)
    trace = evm.trace
    assert isinstance(trace, list) and isinstance(trace[0], dict)
    assert trace[0]["op"] == 0x34 and trace[0]["pc"] == 0
    ops = [line.get("opName") for line in trace if "opName" in line]
    assert "SSTORE" in ops and "RETURN" in ops
    evm.tracing = False
    assert EVM(tracing=True).tracing


def test_python_precompile(evm):
    calls = []

    def reverse(data, gas_limit):
        calls.append(gas_limit)
        return data[::-1], 50

    evm.add_precompile("0x" + "00" * 18 + "0100", reverse)
    caller = "0x" + "ca" * 20
    evm.insert_account_info(caller, AccountInfo(code=CALL_0100))
    assert evm.message_call(ALICE, caller, calldata=b"abc") == b"cba"
    assert len(calls) == 1

    def greedy(data, gas_limit):
        return b"", gas_limit + 1

    evm.add_precompile("0x" + "00" * 18 + "0100", greedy)
    assert evm.message_call(ALICE, caller, calldata=b"abc") == b""

    def broken(data, gas_limit):
        raise KeyError("from the precompile")

    evm.add_precompile("0x" + "00" * 18 + "0100", broken)
    with pytest.raises(KeyError, match="from the precompile"):
        evm.message_call(ALICE, caller, calldata=b"abc")


def test_panic_is_internal_error():
    with pytest.raises(ember.InternalError, match="panic"):
        ember._trigger_panic()
    try:
        ember._trigger_panic()
    except Exception as e:  # noqa: BLE001 - the point: `except Exception` catches it
        assert type(e).__name__ == "InternalError"


def test_execution_result_constructor():
    r = ExecutionResult(True, False, "Stop", 21000, 0)
    assert (r.is_success, r.gas_used, r.output, r.created_address) == (True, 21000, b"", None)
    assert "ExecutionResult" in repr(r)


def test_threads_run_in_parallel():
    """Four EVMs in four threads: every thread's result is right, and (the GIL released)
    the wall time is below the sum of the threads' own times."""
    spin = "0x" + "66" * 20
    gas = 30_000_000
    results, times = {}, {}

    def work(i):
        e = EVM(spec_id="CANCUN")
        e.set_balance(ALICE, 10**18)
        e.insert_account_info(spin, AccountInfo(code=LOOP))
        e.insert_account_info(STORE, AccountInfo(code=ECHO))
        start = time.perf_counter()
        try:
            e.message_call(ALICE, spin, gas=gas)
        except ember.Halt as h:
            results[i] = (h.reason, e.message_call(ALICE, STORE, calldata=bytes([i])))
        times[i] = time.perf_counter() - start

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    assert results == {i: ("OutOfGas(Basic)", bytes([i])) for i in range(4)}
    # With the GIL held the threads would run one after another: wall >= sum(times).
    assert wall < sum(times.values()) * 0.95, (wall, times)

"""Ember against what Python users use today (issue 20). One run, one machine:

    python python/bench/bench.py            # needs pyrevm==0.3.7 and eth-tester[py-evm]

1. 10,000 ERC-20 `transfer` calls through `message_call`: pyrevm vs ember (the token is
   hand-assembled below: balances keyed by address, a Transfer event, a bool returned).
2. An empty `message_call` round trip (a call to an account without code), per call.
3. 1,000 transactions sent and mined through eth-tester: py-evm's backend vs EmberBackend.
"""

import platform
import time

TRANSFER = bytes.fromhex("a9059cbb")
TOPIC = bytes.fromhex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")


def assemble(items):
    """Bytecode from opcodes (hex strings), pushes (bytes) and labels (`:name` / `@name`)."""
    labels, size = {}, 0
    for it in items:
        if isinstance(it, str) and it.startswith(":"):
            labels[it[1:]] = size
        elif isinstance(it, str) and it.startswith("@"):
            size += 3  # PUSH2 label
        elif isinstance(it, bytes):
            size += 1 + len(it)
        else:
            size += len(it) // 2
    out = b""
    for it in items:
        if isinstance(it, str) and it.startswith(":"):
            continue
        if isinstance(it, str) and it.startswith("@"):
            out += b"\x61" + labels[it[1:]].to_bytes(2, "big")
        elif isinstance(it, bytes):
            out += bytes([0x5F + len(it)]) + it
        else:
            out += bytes.fromhex(it)
    return out


# transfer(address to, uint256 amount): balances at slot = address.
TOKEN = assemble([
    b"\x00", "35", b"\xe0", "1c", TRANSFER, "14", "@ok", "57", "5f5ffd",
    ":ok", "5b",
    "33", "54",                    # bal_from
    b"\x24", "35",                 # amount, bal_from
    "80", "82", "10", "@fail", "57",  # bal_from < amount -> fail
    "80", "82", "03", "33", "55",  # balances[caller] = bal_from - amount
    b"\x04", "35", "80", "54",     # bal_to, to, amount, bal_from
    "82", "01", "90", "55",        # balances[to] = bal_to + amount
    "5f", "52", "50",              # mem[0] = amount
    b"\x04", "35", "33", TOPIC, b"\x20", "5f", "a3",  # LOG3 Transfer(caller, to, amount)
    b"\x01", "5f", "52", b"\x20", "5f", "f3",          # return true
    ":fail", "5b", "5f5ffd",
])

HOLDER = "0x" + "a1" * 20
TOKEN_ADDR = "0x" + "70" * 20
N_CALLS = 10_000
N_MINED = 1_000


def calldata(i):
    to = (0x1000 + i % 500).to_bytes(32, "big")
    return TRANSFER + to + (1).to_bytes(32, "big")


def erc20_calls(mod):
    evm = mod.EVM(spec_id="SHANGHAI")
    evm.set_balance(HOLDER, 10**20)
    evm.insert_account_info(TOKEN_ADDR, mod.AccountInfo(code=TOKEN))
    evm.insert_account_storage(TOKEN_ADDR, int(HOLDER, 16), 10**30)
    data = [calldata(i) for i in range(N_CALLS)]
    start = time.perf_counter()
    for d in data:
        out = evm.message_call(HOLDER, TOKEN_ADDR, calldata=d)
    elapsed = time.perf_counter() - start
    assert int.from_bytes(out, "big") == 1
    assert evm.storage(TOKEN_ADDR, int(HOLDER, 16)) == 10**30 - N_CALLS
    return elapsed


def empty_calls(mod, n=20_000):
    evm = mod.EVM(spec_id="SHANGHAI")
    evm.set_balance(HOLDER, 10**20)
    target = "0x" + "ee" * 20
    start = time.perf_counter()
    for _ in range(n):
        evm.message_call(HOLDER, target)
    return (time.perf_counter() - start) / n


def mined(backend):
    from eth_tester import EthereumTester

    tester = EthereumTester(backend=backend)
    accounts = tester.get_accounts()
    start = time.perf_counter()
    for i in range(N_MINED):
        tester.send_transaction({"from": accounts[0], "to": accounts[1], "value": 1, "gas": 21000})
    elapsed = time.perf_counter() - start
    assert tester.get_block_by_number("latest")["number"] == N_MINED
    return elapsed


def main():
    import ember
    import pyrevm
    from eth_tester import PyEVMBackend

    from ember.eth_tester import EmberBackend

    print(f"machine: {platform.processor() or platform.machine()}, {cpu_name()}, Python {platform.python_version()}")
    rows = []
    theirs, ours = erc20_calls(pyrevm), erc20_calls(ember)
    rows.append((f"{N_CALLS} ERC-20 transfers (message_call)", "pyrevm 0.3.7", theirs, ours))
    theirs, ours = empty_calls(pyrevm), empty_calls(ember)
    rows.append(("empty message_call round trip (per call)", "pyrevm 0.3.7", theirs, ours))
    theirs, ours = mined(PyEVMBackend()), mined(EmberBackend())
    rows.append((f"{N_MINED} mined transactions (eth-tester)", "py-evm backend", theirs, ours))
    print(f"{'workload':<45} {'against':<16} {'theirs':>11} {'ember':>11} {'speedup':>8}")
    for name, against, t, o in rows:
        unit = "us" if t < 0.01 else "s"
        f = (lambda x: f"{x * 1e6:.2f} us") if unit == "us" else (lambda x: f"{x:.3f} s")
        print(f"{name:<45} {against:<16} {f(t):>11} {f(o):>11} {t / o:>7.1f}x")


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()

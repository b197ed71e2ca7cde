#!/usr/bin/env bash
# node-crash-test.sh: `kill -9` an `ember node --data-dir` while transfers stream in, restart
# it on the same directory, and check that nothing it acknowledged was lost.
#
# Each round starts the node on the same data directory (the chain grows across rounds),
# streams N eth_sendTransaction transfers from 3 dev accounts at once (one client thread
# each) to a fresh recipient, and kills the node with SIGKILL after a random number of
# acknowledgements, while requests are in flight. After the restart it checks:
#   - the node reopens the directory (which verifies the head state root itself);
#   - every acknowledged transaction of every round so far has a successful receipt;
#   - blocks 0..head are contiguous (each parentHash is the previous block's hash);
#   - each sender's nonce grew by its acknowledged count, or by one more (a transaction
#     mined whose answer the kill cut off);
#   - the recipient's balance is exactly the sum of the values of the mined transfers.
# The last line is `N passed, N failed`; exit 1 when a check failed.
#
# Env: EMBER_BIN (default: target/release/ember, brought up to date with cargo), N (300 transfers per
# round), ROUNDS (3), DATA_DIR (default: a new temp dir, removed on success), SEED.
# Everything listens on 127.0.0.1 and has a timeout.
set -euo pipefail

cd "$(dirname "$0")/.."
if [[ -z "${EMBER_BIN:-}" ]]; then
    EMBER_BIN=target/release/ember
    echo "building $EMBER_BIN (cargo build --release -p ember-cli)" >&2
    timeout 3600 cargo build --release -p ember-cli >&2
fi
export EMBER_BIN N=${N:-300} ROUNDS=${ROUNDS:-3} SEED=${SEED:-$RANDOM}
OWN_DIR=0
if [[ -z "${DATA_DIR:-}" ]]; then
    DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ember-crash-XXXXXX")
    OWN_DIR=1
fi
export DATA_DIR

set +e
timeout 900 python3 - <<'PY'
import http.client, json, os, random, signal, socket, subprocess, sys, threading, time

BIN, N, ROUNDS = os.environ["EMBER_BIN"], int(os.environ["N"]), int(os.environ["ROUNDS"])
DATA, SEED = os.environ["DATA_DIR"], int(os.environ["SEED"])
rng = random.Random(SEED)
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port, timeout=10):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.id = 0

    def call(self, method, params):
        self.id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        self.conn.request("POST", "/", body, {"Content-Type": "application/json"})
        reply = json.loads(self.conn.getresponse().read())
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def close(self):
        self.conn.close()


def start(port):
    err = open(os.path.join(DATA, "node.stderr"), "ab")
    proc = subprocess.Popen(
        [BIN, "node", "--host", "127.0.0.1", "--port", str(port), "--data-dir", DATA, "--silent"],
        stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            return proc, f"exited with {proc.returncode}"
        try:
            c = Client(port, timeout=2)
            c.call("eth_blockNumber", [])
            c.close()
            return proc, None
        except (OSError, http.client.HTTPException, ValueError):
            time.sleep(0.05)
    return proc, "not answering after 60 s"


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


acked_all = []  # (round, hash) of every acknowledged transfer
rates = []
proc = None
try:
    for rnd in range(1, ROUNDS + 1):
        port = free_port()
        proc, problem = start(port)
        check(problem is None, f"round {rnd}: node starts on {DATA}" + (f" ({problem})" if problem else ""))
        if problem:
            break
        c = Client(port)
        senders = c.call("eth_accounts", [])[:3]
        recipient = "0x" + os.urandom(20).hex()
        nonces = {s: int(c.call("eth_getTransactionCount", [s, "latest"]), 16) for s in senders}
        # Per sender: the values it sends, in order; what was acknowledged.
        values = {s: [rng.randrange(1, 10**6) for _ in range(N // len(senders))] for s in senders}
        acked = {s: [] for s in senders}
        total = sum(len(v) for v in values.values())
        kill_after = rng.randrange(max(1, total // 10), total)
        lock = threading.Lock()
        count = [0]
        done = threading.Event()
        killed = threading.Event()
        errors = []

        def stream(sender):
            cl = Client(port)
            try:
                for v in values[sender]:
                    h = cl.call("eth_sendTransaction",
                                [{"from": sender, "to": recipient, "value": hex(v), "gas": "0x5208"}])
                    with lock:
                        acked[sender].append((h, v))
                        count[0] += 1
                        if count[0] >= kill_after:
                            done.set()
            except Exception as e:
                if not killed.is_set():  # else the kill: this one is not acknowledged
                    errors.append(f"{sender}: {e}")
                    done.set()
            finally:
                cl.close()

        t0 = time.time()
        threads = [threading.Thread(target=stream, args=(s,), daemon=True) for s in senders]
        for t in threads:
            t.start()
        done.wait(timeout=300)
        time.sleep(rng.uniform(0, 0.003))
        killed.set()
        proc.send_signal(signal.SIGKILL)
        killed_at = time.time()
        proc.wait(timeout=30)
        for t in threads:
            t.join(timeout=30)
        n_acked = sum(len(a) for a in acked.values())
        rates.append(n_acked / max(killed_at - t0, 1e-9))
        print(f"     round {rnd}: killed after {n_acked} acknowledged transfers "
              f"({rates[-1]:.0f}/s, 3 clients)", flush=True)
        acked_all += [(rnd, h) for a in acked.values() for h, _ in a]
        check(not errors, f"round {rnd}: no request failed before the kill" + (f" ({errors[0]})" if errors else ""))

        port = free_port()
        proc, problem = start(port)
        check(problem is None, f"round {rnd}: node restarts after kill -9" + (f" ({problem})" if problem else ""))
        if problem:
            break
        c = Client(port)
        missing = [h for _, h in acked_all
                   if (r := c.call("eth_getTransactionReceipt", [h])) is None or r["status"] != "0x1"]
        check(not missing, f"round {rnd}: all {len(acked_all)} acknowledged transfers have receipts"
              + (f" ({len(missing)} missing, e.g. {missing[0]})" if missing else ""))
        head = int(c.call("eth_blockNumber", []), 16)
        prev, gaps = None, []
        for n in range(head + 1):
            b = c.call("eth_getBlockByNumber", [hex(n), False])
            if b is None or int(b["number"], 16) != n or (prev and b["parentHash"] != prev):
                gaps.append(n)
            prev = b and b["hash"]
        check(not gaps, f"round {rnd}: blocks 0..{head} are contiguous" + (f" (broken at {gaps[:5]})" if gaps else ""))
        expected, bad = 0, []
        for s in senders:
            mined = int(c.call("eth_getTransactionCount", [s, "latest"]), 16) - nonces[s]
            if not len(acked[s]) <= mined <= len(acked[s]) + 1:
                bad.append(f"{s}: {mined} mined, {len(acked[s])} acknowledged")
            expected += sum(values[s][:mined])
        check(not bad, f"round {rnd}: sender nonces match the acknowledgements" + (f" ({bad})" if bad else ""))
        balance = int(c.call("eth_getBalance", [recipient, "latest"]), 16)
        check(balance == expected, f"round {rnd}: recipient balance {balance} = sum of mined transfers {expected}")
        c.close()
        stop(proc)
        proc = None
finally:
    if proc is not None:
        stop(proc)

if rates:
    print(f"     durable mode: {sum(rates) / len(rates):.0f} transfers/s on average (seed {SEED})")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
status=$?
set -e
if [[ $status -eq 0 && $OWN_DIR -eq 1 ]]; then
    rm -rf "$DATA_DIR"
elif [[ $status -ne 0 ]]; then
    echo "data directory kept: $DATA_DIR" >&2
    [[ $status -eq 124 ]] && echo "0 passed, 1 failed (timed out)"
fi
exit $status

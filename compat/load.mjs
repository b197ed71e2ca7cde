#!/usr/bin/env node
// compat/load.mjs URL [--calls N] [--transfers N] [--blocks N] [--max-seconds S]
// A bounded load test of a dev node on 127.0.0.1 (refuses other hosts):
//   1. eth_call (Counter.count()) N times (default 2,000) with 1 and with 8 concurrent clients;
//   2. N automined ETH transfers (default 500) by eth_sendTransaction from the unlocked dev
//      accounts, with 1 and with 8 concurrent clients (client i sends from account i, so
//      nonces never collide), each transfer waited for until its receipt is there;
//   3. "after 5,000 blocks": anvil_mine 5,000 blocks (falling back to transfers if the node
//      lacks anvil_mine), then the 8-client transfer run again.
// Every loop is bounded in count and in time (--max-seconds per phase, default 120): a phase
// that runs out of time stops and reports what it did. Prints one line per phase and a JSON
// summary as the last line.
import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const URL_ = args.find((a) => !a.startsWith("--")) || "http://127.0.0.1:8545";
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const CALLS = opt("calls", 2000);
const TRANSFERS = opt("transfers", 500);
const BLOCKS = opt("blocks", 5000);
const MAX_S = opt("max-seconds", 120);
const host = new URL(URL_).hostname;
if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host) && !host.startsWith("127.")) {
  console.error(`load.mjs only targets loopback addresses, not ${host}`);
  process.exit(2);
}

const ART = JSON.parse(fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "build", "all.json"), "utf8"));
let nextId = 1;
let requests = 0;
async function rpc(method, params = []) {
  requests++;
  const res = await fetch(URL_, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }), signal: AbortSignal.timeout(30000) });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

async function receipt(hash, deadline) {
  for (;;) {
    const r = await rpc("eth_getTransactionReceipt", [hash]);
    if (r) return r;
    if (Date.now() > deadline) throw new Error("receipt timeout");
    await new Promise((res) => setTimeout(res, 5));
  }
}

/// Runs `total` jobs over `clients` concurrent workers; each worker calls job(workerIndex, n).
/// Stops early at the deadline. Returns {done, seconds, errors}.
async function run(total, clients, job) {
  const start = Date.now();
  const deadline = start + MAX_S * 1000;
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError = null;
  const worker = async (w) => {
    while (issued < total && Date.now() < deadline) {
      const n = issued++;
      try {
        await job(w, n, deadline);
        done++;
      } catch (e) {
        errors++;
        firstError ??= String(e.message || e);
        if (errors > 20) return;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
  const seconds = (Date.now() - start) / 1000;
  return { done, seconds, errors, firstError, timedOut: done + errors < total };
}

const accounts = (await rpc("eth_accounts")).slice(0, 10);
const results = {};
function report(name, r, unit) {
  const rate = r.done / r.seconds;
  results[name] = { ...r, rate: Math.round(rate * 10) / 10, unit };
  console.log(`${name.padEnd(34)} ${String(r.done).padStart(6)} in ${r.seconds.toFixed(2).padStart(7)} s  ${rate.toFixed(1).padStart(9)} ${unit}${r.errors ? `  (${r.errors} errors: ${r.firstError})` : ""}${r.timedOut ? "  (stopped at the time limit)" : ""}`);
}

// A Counter to call.
const deployHash = await rpc("eth_sendTransaction", [{ from: accounts[0], data: ART.Counter.bytecode + "0".repeat(63) + "7" }]);
const counter = (await receipt(deployHash, Date.now() + 10000)).contractAddress;
const countData = "0x06661abd";

for (const clients of [1, 8]) {
  report(`eth_call x${CALLS}, ${clients} client(s)`, await run(CALLS, clients, () => rpc("eth_call", [{ to: counter, data: countData }, "latest"])), "req/s");
}

const transfer = async (w, n, deadline) => {
  const from = accounts[w % accounts.length];
  const h = await rpc("eth_sendTransaction", [{ from, to: "0x000000000000000000000000000000000000dEaD", value: "0x1" }]);
  await receipt(h, deadline);
};
for (const clients of [1, 8]) {
  const b0 = Number(await rpc("eth_blockNumber"));
  const r = await run(TRANSFERS, clients, transfer);
  r.blocks = Number(await rpc("eth_blockNumber")) - b0;
  report(`transfers x${TRANSFERS}, ${clients} client(s)`, r, "tx/s");
}

// Grow the chain, then measure again.
{
  const start = Date.now();
  let how = "anvil_mine";
  try {
    let left = BLOCKS;
    while (left > 0 && Date.now() < start + MAX_S * 1000) {
      const n = Math.min(left, 1000);
      await rpc("anvil_mine", ["0x" + n.toString(16)]);
      left -= n;
    }
  } catch {
    how = "transfers";
    await run(BLOCKS, 8, transfer);
  }
  const seconds = (Date.now() - start) / 1000;
  const height = Number(await rpc("eth_blockNumber"));
  console.log(`grew the chain to ${height} blocks with ${how} in ${seconds.toFixed(2)} s`);
  results.grow = { how, seconds, height };
  report(`after ${BLOCKS} blocks: eth_call x${CALLS}, 8 clients`, await run(CALLS, 8, () => rpc("eth_call", [{ to: counter, data: countData }, "latest"])), "req/s");
  for (const clients of [1, 8]) report(`after ${BLOCKS} blocks: transfers x${TRANSFERS}, ${clients} client(s)`, await run(TRANSFERS, clients, transfer), "tx/s");
}
console.log(JSON.stringify({ url: URL_, requests, results }));

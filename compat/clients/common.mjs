// Shared helpers for the JavaScript clients: where the node is, the compiled contracts, the
// dev accounts, a raw JSON-RPC caller, and `emit`, which prints one observation per line:
//   {"client":"ethers","check":"deploy.counter.status","value":...}
// Values must be the same on every correct node: no hashes, timestamps or versions (the
// scrubbers below drop them), block numbers relative to the block the client started at.
import fs from "node:fs";
import path from "node:path";

const HERE = path.dirname(new URL(import.meta.url).pathname);

export const RPC_URL = process.env.COMPAT_RPC || process.argv[2] || "http://127.0.0.1:8545";
export const WS_URL = process.env.COMPAT_WS || RPC_URL.replace(/^http/, "ws");
export const ART = JSON.parse(fs.readFileSync(path.join(HERE, "..", "build", "all.json"), "utf8"));

// The ten default accounts of "test test ... junk" (m/44'/60'/0'/0/i), lower case.
export const ACCOUNTS = [
  "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
  "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
  "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
  "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
  "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
  "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
  "0x976ea74026e726554db657fa54763abd0c3a0aa9",
  "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
  "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f",
  "0xa0ee7a142d267c1f36714e4a8f75612f20a79720",
];
export const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

let CLIENT = "unknown";
const seen = new Set();
let failures = 0;

export function setClient(name) {
  CLIENT = name;
}

/// Turns BigInts into decimal strings and ethers Result objects into plain arrays, recursively.
export function norm(v) {
  if (typeof v === "bigint") return v.toString();
  if (v === undefined) return null;
  if (Array.isArray(v)) return Array.from(v, norm);
  if (v && typeof v === "object") {
    if (typeof v.toArray === "function" && typeof v.getValue === "function") return norm(v.toArray());
    if (v instanceof Uint8Array) return "0x" + Buffer.from(v).toString("hex");
    const o = {};
    for (const k of Object.keys(v)) o[k] = norm(v[k]);
    return o;
  }
  return v;
}

export function emit(check, value) {
  if (seen.has(check)) throw new Error(`duplicate check name ${check}`);
  seen.add(check);
  process.stdout.write(JSON.stringify({ client: CLIENT, check, value: norm(value) }) + "\n");
}

/// Runs one observation: emits what fn returns, or {"threw": ...} (the same on every node
/// only when the failure is). A check that throws is still an observation, never a crash.
let errMapper = null;
/// A client-specific summary of a thrown error (viem's differ from ethers').
export function setErrorMapper(fn) {
  errMapper = fn;
}

const CHECK_TIMEOUT_MS = Number(process.env.COMPAT_CHECK_TIMEOUT_MS || 60000);

/// Runs one observation with a time limit, so a node that never answers cannot hang a client.
export async function check(name, fn) {
  let timer;
  try {
    const limit = new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`check timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    emit(name, await Promise.race([fn(), limit]));
  } catch (e) {
    failures++;
    if (process.env.COMPAT_DEBUG) console.error(`${CLIENT} ${name}:`, e);
    emit(name, { threw: (errMapper || errSummary)(e) });
  } finally {
    clearTimeout(timer);
  }
}

export function errSummary(e) {
  if (!e || typeof e !== "object") return String(e);
  const o = {};
  for (const k of ["code", "shortMessage", "reason", "data", "action"]) if (e[k] !== undefined) o[k] = e[k];
  if (e.revert) o.revert = { name: e.revert.name, signature: e.revert.signature, args: norm(e.revert.args) };
  if (e.rpcError) o.rpc = e.rpcError;
  const inner = e.info?.error ?? e.error;
  if (inner && typeof inner === "object") o.rpc = { code: inner.code, message: inner.message, data: inner.data };
  if (!Object.keys(o).length) o.message = String(e.message || e);
  return o;
}

export function failureCount() {
  return failures;
}

let nextId = 1;
/// Raw JSON-RPC over HTTP: returns {result} or {error} as the node sent them.
export async function rpc(method, params = []) {
  const res = await fetch(RPC_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    signal: AbortSignal.timeout(30000),
  });
  const j = await res.json();
  if ("error" in j) return { error: j.error };
  return { result: j.result };
}

/// Like rpc, but throws on an error response.
export async function call(method, params = []) {
  const r = await rpc(method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { code: r.error.code, data: r.error.data, rpcError: r.error });
  return r.result;
}

/// Raw body POST: the HTTP status and the parsed (or raw) body.
export async function rawPost(body, headers = { "content-type": "application/json" }) {
  const res = await fetch(RPC_URL, { method: "POST", headers, body, signal: AbortSignal.timeout(30000) });
  const text = await res.text();
  let parsed;
  try {
    parsed = text.length ? JSON.parse(text) : null;
  } catch {
    parsed = { unparsable: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed };
}

let START = 0;
export function setStartBlock(n) {
  START = Number(n);
}
export function rel(n) {
  if (n === null || n === undefined) return n;
  return Number(BigInt(n)) - START;
}

// Fields that differ between two runs of the same node: hashes (they cover timestamps),
// timestamps, random mix hashes, signatures of transactions, node versions.
const DROP = new Set([
  "hash",
  "blockHash",
  "transactionHash",
  "parentHash",
  "timestamp",
  "blockTimestamp",
  "mixHash",
  "prevRandao",
  "stateRoot",
  "transactionsRoot",
  "size",
  "r",
  "s",
  "v",
  "yParity",
]);

/// Drops nondeterministic fields and makes blockNumber relative, recursively.
export function scrub(v) {
  if (Array.isArray(v)) return v.map(scrub);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) {
      if (DROP.has(k)) continue;
      if (k === "blockNumber" || (k === "number" && typeof v[k] === "string")) o[k] = rel(v[k]);
      else o[k] = scrub(v[k]);
    }
    return o;
  }
  return v;
}

/// The sorted field names of an object: which fields a node returns.
export function keys(o) {
  return o && typeof o === "object" ? Object.keys(o).sort() : o;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Polls fn until pred(value) or timeout; returns the last value.
export async function until(fn, pred, timeoutMs = 5000, stepMs = 50) {
  const end = Date.now() + timeoutMs;
  let v = await fn();
  while (!pred(v) && Date.now() < end) {
    await sleep(stepMs);
    v = await fn();
  }
  return v;
}

/// Receipt as a node returns it, scrubbed.
export async function receipt(hash) {
  const r = await until(() => call("eth_getTransactionReceipt", [hash]), (x) => x !== null, 10000);
  return r;
}

export function toHex(n) {
  return "0x" + BigInt(n).toString(16);
}

// A node that drops a WebSocket or answers garbage must not crash a client mid-run: log and
// go on (the check in flight fails or times out and says so).
process.on("uncaughtException", (e) => console.error(`${CLIENT}: uncaught: ${e?.stack || e}`));
process.on("unhandledRejection", (e) => console.error(`${CLIENT}: unhandled rejection: ${e?.stack || e}`));

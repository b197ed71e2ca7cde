#!/usr/bin/env node
// viem v2 against a dev node: public, wallet and test clients. Deploy, read/write contracts,
// waitForTransactionReceipt, getLogs/watchEvent, estimateGas, revert decoding, test actions
// (mine, setBalance, snapshot/revert, impersonate, ...), EIP-7702 authorizations, signing.
//
//   node clients/viem.mjs http://127.0.0.1:8545
import { createPublicClient, createWalletClient, createTestClient, http, webSocket, encodeAbiParameters, keccak256, parseEventLogs, ContractFunctionRevertedError, BaseError, getContractAddress, toHex, pad, parseGwei, parseEther, zeroAddress, verifyMessage, verifyTypedData, serializeTransaction, recoverAddress, hashMessage } from "viem";
import { foundry } from "viem/chains";
import { privateKeyToAccount } from "viem/accounts";
import { ACCOUNTS, ART, KEYS, RPC_URL, WS_URL, call, check, emit, keys, rel, rpc, scrub, setClient, setErrorMapper, setStartBlock, sleep, until, failureCount } from "./common.mjs";

setClient("viem");
const [A0, A1, A2, A3, A4, A5, A6, A7, A8, A9] = ACCOUNTS;

/// viem errors: the walked revert (name, args, reason), the RPC error code, the details line.
function viemErr(e) {
  if (!(e instanceof BaseError)) return { message: String(e?.message || e) };
  const o = { name: e.name, shortMessage: e.shortMessage, details: e.details ?? null };
  const rev = e.walk((x) => x instanceof ContractFunctionRevertedError);
  if (rev) o.revert = { errorName: rev.data?.errorName ?? null, args: rev.data?.args ?? null, reason: rev.reason ?? null, signature: rev.signature ?? null, raw: rev.raw ?? null };
  const inner = e.walk((x) => typeof x?.code === "number");
  if (inner) o.rpc = { code: inner.code, name: inner.name };
  return o;
}
setErrorMapper(viemErr);

const transport = http(RPC_URL, { batch: false, retryCount: 0 });
const chain = { ...foundry, rpcUrls: { default: { http: [RPC_URL], webSocket: [WS_URL] } } };
const pub = createPublicClient({ chain, transport, pollingInterval: 100, cacheTime: 0 });
const wallet = createWalletClient({ chain, transport, account: A0 });
const test = createTestClient({ chain, transport, mode: "anvil" });
const local = privateKeyToAccount(KEYS[2]);
const localWallet = createWalletClient({ chain, transport, account: local });

const addr = {};

/// The next block's base fee (EIP-1559 from the latest block) plus 1 gwei.
async function oneGweiTipPrice() {
  const b = await pub.getBlock();
  const target = b.gasLimit / 2n;
  let next = b.baseFeePerGas;
  if (b.gasUsed > target) next += (b.baseFeePerGas * (b.gasUsed - target)) / target / 8n || 1n;
  else if (b.gasUsed < target) next -= (b.baseFeePerGas * (target - b.gasUsed)) / target / 8n;
  return next + parseGwei("1");
}

async function rcpt(hash) {
  const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: 50, timeout: 10000 });
  return { status: r.status, gasUsed: r.gasUsed, cumulativeGasUsed: r.cumulativeGasUsed, effectiveGasPrice: r.effectiveGasPrice, blockNumber: rel(r.blockNumber), contractAddress: r.contractAddress ?? null, from: r.from, to: r.to ?? null, type: r.type, logs: r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, logIndex: l.logIndex, transactionIndex: l.transactionIndex })) };
}

async function basics() {
  await check("basics.chainId", () => pub.getChainId());
  await check("basics.blockNumber", async () => rel(await pub.getBlockNumber()));
  await check("basics.gasPrice", () => pub.getGasPrice());
  await check("basics.estimateFeesPerGas", () => pub.estimateFeesPerGas());
  await check("basics.estimateMaxPriorityFeePerGas", () => pub.estimateMaxPriorityFeePerGas());
  await check("basics.addresses", () => wallet.getAddresses());
  await check("basics.balance.A0", () => pub.getBalance({ address: A0 }));
  await check("basics.block0", async () => {
    const b = await pub.getBlock({ blockNumber: 0n });
    return { number: b.number, gasLimit: b.gasLimit, baseFeePerGas: b.baseFeePerGas, miner: b.miner, blobGasUsed: b.blobGasUsed, excessBlobGas: b.excessBlobGas, transactions: b.transactions.length, withdrawals: b.withdrawals, difficulty: b.difficulty, extraData: b.extraData, nonce: b.nonce };
  });
  await check("basics.automine", () => test.getAutomine());
}

async function deploy() {
  for (const [name, args] of [
    ["Counter", [11n]],
    ["Reverter", []],
    ["Token", ["Viem Token", "VT", 10n ** 21n]],
    ["Factory", []],
  ]) {
    await check(`deploy.${name}`, async () => {
      const hash = await wallet.deployContract({ abi: ART[name].abi, bytecode: ART[name].bytecode, args });
      const r = await rcpt(hash);
      addr[name] = r.contractAddress;
      return r;
    });
  }
  await check("deploy.local.Counter", async () => {
    const hash = await localWallet.deployContract({ abi: ART.Counter.abi, bytecode: ART.Counter.bytecode, args: [1n] });
    const r = await rcpt(hash);
    addr.LocalCounter = r.contractAddress;
    const tx = await pub.getTransaction({ hash });
    return { receipt: r, nonce: tx.nonce, type: tx.type, gas: tx.gas, maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas, expectedAddress: getContractAddress({ from: local.address, nonce: 0n }) };
  });
  await check("deploy.bytecode", async () => keccak256(await pub.getCode({ address: addr.Counter })));
}

async function contracts() {
  const counter = { address: addr.Counter, abi: ART.Counter.abi };
  await check("read.count", () => pub.readContract({ ...counter, functionName: "count" }));
  await check("read.info", async () => {
    const r = await pub.readContract({ ...counter, functionName: "info" });
    return [rel(r[0]), ...r.slice(1)];
  });
  await check("read.spin", () => pub.readContract({ ...counter, functionName: "spin", args: [50n] }));
  await check("simulate.increment", async () => {
    const { result, request } = await pub.simulateContract({ ...counter, functionName: "increment", account: A1 });
    return { result, functionName: request.functionName };
  });
  await check("estimate.increment", () => pub.estimateContractGas({ ...counter, functionName: "increment", account: A0 }));
  await check("estimate.set", () => pub.estimateContractGas({ ...counter, functionName: "set", args: [3n, 9n, "three"], account: A0 }));
  await check("estimate.transfer", () => pub.estimateGas({ account: A0, to: A9, value: 1n }));
  await check("estimate.transfer.data", () => pub.estimateGas({ account: A0, to: A9, value: 1n, data: "0x00ff00ff" }));
  for (let i = 0; i < 2; i++) {
    await check(`write.increment.${i}`, async () => rcpt(await wallet.writeContract({ ...counter, functionName: "increment" })));
  }
  await check("write.set", async () => rcpt(await wallet.writeContract({ ...counter, functionName: "set", args: [3n, 9n, "three"] })));
  await check("write.local.increment", async () => {
    const hash = await localWallet.writeContract({ ...counter, functionName: "increment" });
    const tx = await pub.getTransaction({ hash });
    return { receipt: await rcpt(hash), nonce: tx.nonce, gas: tx.gas, maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas };
  });
  // Legacy-priced transactions pay exactly a 1 gwei tip here: anvil's eth_gasPrice and
  // eth_maxPriorityFeePerGas take the lowest tip of the latest block (when its fee-history
  // cache, filled in the background, has it yet), so a bigger tip would change later fees on
  // anvil's side depending on timing.
  await check("write.local.legacy", async () => {
    const hash = await localWallet.sendTransaction({ to: A9, value: 7n, type: "legacy", gasPrice: await oneGweiTipPrice() });
    const tx = await pub.getTransaction({ hash });
    return { receipt: await rcpt(hash), gasPrice: tx.gasPrice, type: tx.type };
  });
  await check("write.local.eip2930", async () => {
    const hash = await localWallet.sendTransaction({ to: addr.Counter, data: "0xd09de08a", type: "eip2930", gasPrice: await oneGweiTipPrice(), accessList: [{ address: addr.Counter, storageKeys: [pad("0x0")] }] });
    return rcpt(hash);
  });
  await check("read.afterWrites", async () => ({ count: await pub.readContract({ ...counter, functionName: "count" }), v3: await pub.readContract({ ...counter, functionName: "get", args: [3n] }), last: await pub.readContract({ ...counter, functionName: "lastCaller" }) }));
  await check("read.atBlock", async () => pub.readContract({ ...counter, functionName: "count", blockNumber: 5n }));
  await check("storage.slot0", () => pub.getStorageAt({ address: addr.Counter, slot: "0x0" }));
  await check("nonce.local", () => pub.getTransactionCount({ address: local.address }));
  await check("nonce.local.pending", () => pub.getTransactionCount({ address: local.address, blockTag: "pending" }));

  // Token and logs.
  const token = { address: addr.Token, abi: ART.Token.abi };
  await check("token.transfer", async () => rcpt(await wallet.writeContract({ ...token, functionName: "transfer", args: [A1, 100n] })));
  await check("token.transfer2", async () => rcpt(await wallet.writeContract({ ...token, functionName: "transfer", args: [A2, 200n] })));
  await check("token.approve", async () => rcpt(await wallet.writeContract({ ...token, functionName: "approve", args: [A3, 50n], account: A1 })));
  const transferEvent = ART.Token.abi.find((x) => x.type === "event" && x.name === "Transfer");
  await check("logs.getLogs.event", async () => (await pub.getLogs({ address: addr.Token, event: transferEvent, fromBlock: 0n })).map((l) => ({ args: l.args, eventName: l.eventName, block: rel(l.blockNumber), logIndex: l.logIndex })));
  await check("logs.getLogs.args", async () => (await pub.getLogs({ address: addr.Token, event: transferEvent, args: { to: A2 }, fromBlock: 0n })).map((l) => l.args));
  await check("logs.getLogs.argsArray", async () => (await pub.getLogs({ event: transferEvent, args: { to: [A1, A2] }, fromBlock: 0n })).map((l) => l.args));
  await check("logs.getContractEvents", async () => (await pub.getContractEvents({ ...token, fromBlock: 0n })).map((l) => ({ eventName: l.eventName, args: l.args })));
  await check("logs.strict", async () => (await pub.getContractEvents({ ...token, eventName: "Approval", fromBlock: 0n, strict: true })).map((l) => l.args));
  await check("logs.parseReceipt", async () => {
    const hash = await wallet.writeContract({ ...counter, functionName: "set", args: [4n, 16n, "four"] });
    const r = await pub.waitForTransactionReceipt({ hash });
    return parseEventLogs({ abi: ART.Counter.abi, logs: r.logs }).map((l) => ({ eventName: l.eventName, args: l.args }));
  });
  await check("logs.createEventFilter", async () => {
    const incEvent = ART.Counter.abi.find((x) => x.type === "event" && x.name === "Incremented");
    const f = await pub.createEventFilter({ address: addr.Counter, event: incEvent });
    await rcpt(await wallet.writeContract({ ...counter, functionName: "increment" }));
    await rcpt(await wallet.writeContract({ ...counter, functionName: "increment" }));
    const changes = await pub.getFilterChanges({ filter: f });
    const all = await pub.getFilterLogs({ filter: f });
    const un = await pub.uninstallFilter({ filter: f });
    return { changes: changes.map((l) => l.args), all: all.length, uninstalled: un };
  });
  await check("logs.blockFilter", async () => {
    const f = await pub.createBlockFilter();
    await test.mine({ blocks: 3 });
    const c = await pub.getFilterChanges({ filter: f });
    await pub.uninstallFilter({ filter: f });
    return c.length;
  });
  await check("watch.contractEvent.poll", async () => {
    const got = [];
    const unwatch = pub.watchContractEvent({ ...counter, eventName: "Incremented", pollingInterval: 100, onLogs: (logs) => logs.forEach((l) => got.push(l.args.newCount)) });
    await sleep(400);
    for (let i = 0; i < 3; i++) await rcpt(await wallet.writeContract({ ...counter, functionName: "increment" }));
    await until(async () => got.length, (n) => n >= 3, 8000);
    await sleep(300);
    unwatch();
    return got;
  });
  await check("watch.blockNumber.poll", async () => {
    const got = new Set();
    const unwatch = pub.watchBlockNumber({ pollingInterval: 50, emitMissed: true, onBlockNumber: (n) => got.add(rel(n)) });
    await sleep(300);
    const start = rel(await pub.getBlockNumber());
    await test.mine({ blocks: 1 });
    await sleep(200);
    await test.mine({ blocks: 1 });
    await until(async () => got.has(start + 2), (x) => x, 5000);
    unwatch();
    return [...got].filter((n) => n > start).sort((a, b) => a - b).map((n) => n - start);
  });
  await check("watch.event.ws", async () => {
    const wsPub = createPublicClient({ chain, transport: webSocket(WS_URL, { retryCount: 0 }) });
    const got = [];
    const blocks = [];
    const un1 = wsPub.watchContractEvent({ ...counter, eventName: "Incremented", onLogs: (logs) => logs.forEach((l) => got.push(l.args.newCount)) });
    const un2 = wsPub.watchBlocks({ onBlock: (b) => blocks.push(rel(b.number)) });
    await sleep(500);
    for (let i = 0; i < 3; i++) await rcpt(await wallet.writeContract({ ...counter, functionName: "increment" }));
    await until(async () => got.length + blocks.length, (n) => n >= 6, 8000);
    await sleep(300);
    un1();
    un2();
    const chainId = await wsPub.getChainId();
    await (await wsPub.transport.getRpcClient?.())?.close?.();
    return { events: got, blocks: blocks.length, chainId };
  });
}

async function reverts() {
  const rev = { address: addr.Reverter, abi: ART.Reverter.abi };
  for (const [fn, args] of [
    ["requireOk", [0n]],
    ["customError", [11n]],
    ["customError", [0n]],
    ["divide", [1n, 0n]],
    ["assertFalse", []],
    ["overflow", [1]],
    ["outOfBounds", [5n]],
    ["bareRevert", []],
  ]) {
    const tag = `${fn}.${args.join("_") || "none"}`;
    await check(`revert.read.${tag}`, () => pub.readContract({ ...rev, functionName: fn, args }));
    await check(`revert.estimate.${tag}`, () => pub.estimateContractGas({ ...rev, functionName: fn, args, account: A0 }));
    await check(`revert.simulate.${tag}`, () => pub.simulateContract({ ...rev, functionName: fn, args, account: A0 }).then((r) => r.result));
  }
  // viem does not estimate before eth_sendTransaction for a JSON-RPC account: the node does.
  await check("revert.write.nodeEstimates", async () => rcpt(await wallet.writeContract({ ...rev, functionName: "touchAndRequire", args: [0n] })));
  await check("revert.write.local.estimateFirst", () => localWallet.writeContract({ ...rev, functionName: "touchAndRequire", args: [0n] }));
  await check("revert.write.explicitGas", async () => {
    const hash = await wallet.writeContract({ ...rev, functionName: "touchAndError", args: [11n], gas: 100000n });
    return rcpt(hash);
  });
  await check("revert.local.explicitGas", async () => {
    const hash = await localWallet.writeContract({ ...rev, functionName: "touchAndRequire", args: [0n], gas: 100000n });
    return rcpt(hash);
  });
  await check("revert.call.raw", () => pub.call({ account: A0, to: addr.Reverter, data: "0x" + "12345678" }));
  await check("revert.estimate.burn", () => pub.estimateContractGas({ ...rev, functionName: "burn", account: A0 }));
  await check("revert.sendInsufficient", () => wallet.sendTransaction({ to: A9, value: 10n ** 30n }));
  await check("revert.local.insufficient", () => localWallet.sendTransaction({ to: A9, value: 10n ** 30n }));
}

async function testActions() {
  const counter = { address: addr.Counter, abi: ART.Counter.abi };
  const who = "0x000000000000000000000000000000000000beef";
  await check("test.setBalance", async () => {
    await test.setBalance({ address: who, value: parseEther("3") });
    return pub.getBalance({ address: who });
  });
  await check("test.impersonate", async () => {
    await test.impersonateAccount({ address: who });
    const hash = await wallet.writeContract({ ...counter, functionName: "increment", account: who });
    const r = await rcpt(hash);
    await test.stopImpersonatingAccount({ address: who });
    return { receipt: r, last: await pub.readContract({ ...counter, functionName: "lastCaller" }) };
  });
  await check("test.impersonate.stopped", () => wallet.sendTransaction({ account: who, to: A9, value: 1n }));
  await check("test.sendUnsigned", async () => {
    await test.impersonateAccount({ address: who });
    const hash = await test.sendUnsignedTransaction({ from: who, to: A9, value: 3n });
    await test.stopImpersonatingAccount({ address: who });
    return rcpt(hash);
  });
  await check("test.balanceAfter", () => pub.getBalance({ address: who }));
  await check("test.mine", async () => {
    const a = await pub.getBlockNumber();
    await test.mine({ blocks: 4 });
    return Number((await pub.getBlockNumber()) - a);
  });
  await check("test.mine.interval", async () => {
    await test.mine({ blocks: 3, interval: 5 });
    const n = await pub.getBlockNumber();
    const t = [];
    for (let i = 2n; i >= 0n; i--) t.push((await pub.getBlock({ blockNumber: n - i })).timestamp);
    return [t[1] - t[0], t[2] - t[1]];
  });
  await check("test.setCode", async () => {
    const a = "0x000000000000000000000000000000000000c0de";
    await test.setCode({ address: a, bytecode: ART.Counter.deployedBytecode });
    await test.setStorageAt({ address: a, index: 0, value: pad("0x63") });
    return pub.readContract({ address: a, abi: ART.Counter.abi, functionName: "count" });
  });
  await check("test.setNonce", async () => {
    await test.setNonce({ address: A8, nonce: 9 });
    return pub.getTransactionCount({ address: A8 });
  });
  await check("test.increaseTime", async () => {
    const b = await pub.getBlock();
    await test.increaseTime({ seconds: 100 });
    await test.mine({ blocks: 1 });
    const b2 = await pub.getBlock();
    const d = Number(b2.timestamp - b.timestamp);
    return d >= 100 && d < 110;
  });
  await check("test.setNextBlockTimestamp", async () => {
    const b = await pub.getBlock();
    await test.setNextBlockTimestamp({ timestamp: b.timestamp + 77n });
    await test.mine({ blocks: 1 });
    return (await pub.getBlock()).timestamp - b.timestamp;
  });
  await check("test.blockTimestampInterval", async () => {
    await test.setBlockTimestampInterval({ interval: 9 });
    await test.mine({ blocks: 1 });
    const b1 = await pub.getBlock();
    await test.mine({ blocks: 1 });
    const b2 = await pub.getBlock();
    await test.removeBlockTimestampInterval();
    return b2.timestamp - b1.timestamp;
  });
  await check("test.automine.pool", async () => {
    await test.setAutomine(false);
    const h1 = await wallet.sendTransaction({ to: A9, value: 1n });
    const h2 = await localWallet.sendTransaction({ to: A9, value: 2n });
    const status = await test.getTxpoolStatus();
    const content = await test.getTxpoolContent();
    const inspect = await test.inspectTxpool();
    const pendingNonce = await pub.getTransactionCount({ address: A0, blockTag: "pending" });
    await test.dropTransaction({ hash: h2 });
    const afterDrop = await test.getTxpoolStatus();
    await test.mine({ blocks: 1 });
    const r1 = await rcpt(h1);
    const r2 = await pub.getTransactionReceipt({ hash: h2 }).catch((e) => e.name);
    await test.setAutomine(true);
    return { status, pendingAddrs: Object.keys(content.pending).map((a) => a.toLowerCase()).sort(), inspect, pendingNonce, afterDrop, r1, r2 };
  });
  await check("test.setBlockGasLimit", async () => {
    await test.setBlockGasLimit({ gasLimit: 20_000_000n });
    await test.mine({ blocks: 1 });
    const g = (await pub.getBlock()).gasLimit;
    await test.setBlockGasLimit({ gasLimit: 30_000_000n });
    await test.mine({ blocks: 1 });
    return g;
  });
  await check("test.setNextBlockBaseFee", async () => {
    await test.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("3") });
    await test.mine({ blocks: 1 });
    return (await pub.getBlock()).baseFeePerGas;
  });
  // anvil fills its fee history from new blocks asynchronously: give it a moment.
  await sleep(300);
  await check("test.feeHistory", () => pub.getFeeHistory({ blockCount: 4, rewardPercentiles: [20, 80] }).then((h) => ({ ...h, oldestBlock: rel(h.oldestBlock) })));
  await check("test.createAccessList", () => pub.createAccessList({ account: A0, to: addr.Counter, data: "0xd09de08a" }));
}

async function prague() {
  // EIP-7702: A5 delegates to the Counter code, then is called as a Counter.
  const eoa = privateKeyToAccount(KEYS[5]);
  const eoaWallet = createWalletClient({ chain, transport, account: eoa });
  await check("eip7702.authorize", async () => {
    const auth = await eoaWallet.signAuthorization({ contractAddress: addr.Counter, executor: "self" });
    const hash = await eoaWallet.sendTransaction({ authorizationList: [auth], to: eoa.address, data: "0xd09de08a" });
    const tx = await pub.getTransaction({ hash });
    return { receipt: await rcpt(hash), type: tx.type, authCount: tx.authorizationList?.length ?? null };
  });
  await check("eip7702.code", () => pub.getCode({ address: eoa.address }));
  await check("eip7702.readAsCounter", () => pub.readContract({ address: eoa.address, abi: ART.Counter.abi, functionName: "count" }));
  await check("eip7702.sponsored", async () => {
    const auth = await eoaWallet.signAuthorization({ contractAddress: addr.Token });
    const hash = await wallet.sendTransaction({ authorizationList: [auth], to: eoa.address, data: "0x", gas: 200000n });
    return { receipt: await rcpt(hash), code: await pub.getCode({ address: eoa.address }), nonce: await pub.getTransactionCount({ address: eoa.address }) };
  });
  await check("eip7702.clear", async () => {
    const auth = await eoaWallet.signAuthorization({ contractAddress: zeroAddress, executor: "self" });
    const hash = await eoaWallet.sendTransaction({ authorizationList: [auth], to: A9, value: 1n });
    return { receipt: await rcpt(hash), code: (await pub.getCode({ address: eoa.address })) ?? null };
  });
}

async function signing() {
  await check("sign.message.jsonRpc", () => wallet.signMessage({ message: "viem says hi" }));
  await check("sign.message.local", () => localWallet.signMessage({ message: "viem says hi" }));
  await check("sign.message.verify", async () => verifyMessage({ address: A0, message: "viem says hi", signature: await wallet.signMessage({ message: "viem says hi" }) }));
  const td = { domain: { name: "Ember", version: "1", chainId: 31337, verifyingContract: "0x0000000000000000000000000000000000000001" }, types: { Order: [{ name: "id", type: "uint256" }, { name: "maker", type: "address" }, { name: "tags", type: "string[]" }] }, primaryType: "Order", message: { id: 5n, maker: A3, tags: ["a", "b"] } };
  await check("sign.typedData.jsonRpc", () => wallet.signTypedData(td));
  await check("sign.typedData.verify", async () => verifyTypedData({ address: A0, ...td, signature: await wallet.signTypedData(td) }));
}

async function final() {
  await check("final.blockNumber", async () => rel(await pub.getBlockNumber()));
  for (const [i, a] of ACCOUNTS.entries()) {
    await check(`final.balance.${i}`, () => pub.getBalance({ address: a }));
    await check(`final.nonce.${i}`, () => pub.getTransactionCount({ address: a }));
  }
  // Transaction hashes left out: they cover the fee fields anvil's background fee oracle sets.
  await check("final.latest", async () => {
    const b = scrub(await call("eth_getBlockByNumber", ["latest", false]));
    return { ...b, transactions: b.transactions.length };
  });
  await check("test.reset", async () => {
    const r = await rpc("anvil_reset", []);
    return { r: r.error ?? r.result, block: rel(await pub.getBlockNumber()) + Number(0), balance: await pub.getBalance({ address: A0 }), code: (await pub.getCode({ address: addr.Counter })) ?? null };
  });
}

// Snapshot and revert run last: anvil 1.7.1 does not roll its next base fee back on
// evm_revert, so every later fee would differ on anvil's side only.
async function snapshots() {
  const counter = { address: addr.Counter, abi: ART.Counter.abi };
  const who = "0x000000000000000000000000000000000000beef";
  let snap;
  await check("test.snapshot", async () => (snap = await test.snapshot()));
  await check("test.snapshot.mutate", async () => {
    await rcpt(await wallet.writeContract({ ...counter, functionName: "increment" }));
    await test.setBalance({ address: who, value: 1n });
    return { count: await pub.readContract({ ...counter, functionName: "count" }), bal: await pub.getBalance({ address: who }) };
  });
  await check("test.revert", async () => {
    await test.revert({ id: snap });
    return { count: await pub.readContract({ ...counter, functionName: "count" }), bal: await pub.getBalance({ address: who }) };
  });
}

async function main() {
  setStartBlock(await call("eth_blockNumber"));
  for (const [name, fn] of Object.entries({ basics, deploy, contracts, reverts, testActions, prague, signing, final, snapshots })) {
    const t = Date.now();
    try {
      await fn();
    } catch (e) {
      emit(`section.${name}.crashed`, String(e?.message || e));
    }
    if (process.env.COMPAT_DEBUG) console.error(`viem: ${name} ${Date.now() - t} ms`);
  }
  console.error(`viem: done, ${failureCount()} checks observed a thrown error (expected ones included)`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

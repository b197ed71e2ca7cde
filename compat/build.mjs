#!/usr/bin/env node
// Compiles compat/contracts/*.sol with solc-js (the version pinned in package.json, bundled:
// no compiler download) and writes compat/build/NAME.json = {abi, bytecode, deployedBytecode}
// for every contract, plus compat/build/all.json with all of them.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");
const HERE = path.dirname(new URL(import.meta.url).pathname);
const SRC = path.join(HERE, "contracts");
const OUT = path.join(HERE, "build");

const files = fs.readdirSync(SRC).filter((f) => f.endsWith(".sol")).sort();
const input = {
  language: "Solidity",
  sources: Object.fromEntries(files.map((f) => [f, { content: fs.readFileSync(path.join(SRC, f), "utf8") }])),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    // No metadata hash: the bytecode (and so gas and code size) does not depend on paths.
    metadata: { bytecodeHash: "none" },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter((e) => e.severity === "error");
for (const e of out.errors || []) if (e.severity !== "warning" || process.env.VERBOSE) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

fs.mkdirSync(OUT, { recursive: true });
const all = {};
for (const file of Object.keys(out.contracts).sort()) {
  for (const [name, c] of Object.entries(out.contracts[file])) {
    const art = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object, deployedBytecode: "0x" + c.evm.deployedBytecode.object };
    all[name] = art;
    fs.writeFileSync(path.join(OUT, `${name}.json`), JSON.stringify(art, null, 1) + "\n");
  }
}
fs.writeFileSync(path.join(OUT, "all.json"), JSON.stringify(all) + "\n");
console.error(`solc ${solc.version()}: ${Object.keys(all).length} contracts -> ${path.relative(process.cwd(), OUT) || OUT}`);

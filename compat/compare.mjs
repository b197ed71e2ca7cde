#!/usr/bin/env node
// compat/compare.mjs [--deliberate] EXPECTED.jsonl ACTUAL.jsonl
// Compares two observation files (one {"client","check","value"} per line) check by check:
// a value that differs, or a check present on one side only, is a failure. Prints every
// failure (the first differing path and both values), then exactly `N passed, N failed`.
// Exit 0 only when nothing failed and at least one check was compared.
import fs from "node:fs";

const args = process.argv.slice(2);
const useDeliberate = args[0] === "--deliberate";
const [fileA, fileB] = useDeliberate ? args.slice(1) : args;
if (!fileA || !fileB) {
  console.error("usage: node compare.mjs [--deliberate] expected.jsonl actual.jsonl");
  process.exit(2);
}

function load(file) {
  const map = new Map();
  const dups = [];
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let o;
    try {
      o = JSON.parse(line);
    } catch {
      dups.push(`${file}:${i + 1}: not JSON: ${line.slice(0, 120)}`);
      return;
    }
    const key = `${o.client}:${o.check}`;
    if (map.has(key)) dups.push(`${file}:${i + 1}: duplicate check ${key}`);
    map.set(key, o.value);
  });
  return { map, dups, missing: !fs.existsSync(file) };
}

/// The first path where a and b differ, or null when they are equal.
function diff(a, b, path = "") {
  if (a === b) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return { path: path || "(value)", a, b };
  if (Array.isArray(a) !== Array.isArray(b)) return { path: path || "(value)", a, b };
  if (Array.isArray(a)) {
    if (a.length !== b.length) return { path: `${path}.length`, a: a.length, b: b.length };
    for (let i = 0; i < a.length; i++) {
      const d = diff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of [...keys].sort()) {
    if (!(k in a)) return { path: `${path}.${k}`, a: "(absent)", b: b[k] };
    if (!(k in b)) return { path: `${path}.${k}`, a: a[k], b: "(absent)" };
    const d = diff(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

const short = (v) => {
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
  return s === undefined ? "undefined" : s.length > 300 ? s.slice(0, 300) + "…" : s;
};

// Deliberate differences (compat/deliberate.json): checks where ember does what issue 9 or
// the JSON-RPC spec asks rather than what anvil does. Each is still a check, in its own mode:
//   code           both sides equal once error messages and data are left out
//   ember-code     ember answers an error with this code (whatever anvil does)
//   ember-ok       ember answers without an error
//   ember-nonempty ember answers a non-empty value
//   ember-batch    ember answers a batch item by item (an array)
// Applied with --deliberate (anvil against ember); anvil against itself compares everything.
const deliberate = useDeliberate
  ? JSON.parse(fs.readFileSync(new URL("./deliberate.json", import.meta.url), "utf8"))
  : [];
const globToRe = (g) => new RegExp("^" + g.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
function ruleFor(key) {
  let found = null;
  for (const rule of deliberate) {
    for (const g of rule.checks) if (globToRe(g).test(key)) found = rule;
  }
  return found;
}
function codesOnly(v) {
  if (Array.isArray(v)) return v.map(codesOnly);
  if (v && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if ((k === "message" || k === "data" || k === "details") && "code" in v) continue;
      out[k] = codesOnly(x);
    }
    return out;
  }
  return v;
}
function findError(v) {
  if (!v || typeof v !== "object") return null;
  if (v.error && typeof v.error === "object" && "code" in v.error) return v.error;
  if (v.threw) return v.threw;
  for (const x of Object.values(v)) {
    const e = findError(x);
    if (e) return e;
  }
  return null;
}
/// The failure text of a deliberate check, or null when it holds.
function checkDeliberate(rule, a, b) {
  switch (rule.mode) {
    case "code": {
      const d = diff(codesOnly(a), codesOnly(b));
      return d ? `at ${d.path}: expected ${short(d.a)}, got ${short(d.b)} (codes only)` : null;
    }
    case "ember-code": {
      const e = findError(b);
      return e && e.code === rule.code ? null : `ember should answer error ${rule.code}, got ${short(b)}`;
    }
    case "ember-ok":
      return findError(b) ? `ember should answer without an error, got ${short(b)}` : null;
    case "ember-nonempty":
      return b && b !== "0x" ? null : `ember should answer a non-empty value, got ${short(b)}`;
    case "ember-batch": {
      const body = b && b.body;
      return Array.isArray(body) && body.length > 0 ? null : `ember should answer the batch item by item, got ${short(b)}`;
    }
    default:
      return `unknown mode ${rule.mode}`;
  }
}
let deliberateCount = 0;

const A = load(fileA);
const B = load(fileB);
let passed = 0;
let failed = 0;
for (const f of [A, B]) {
  for (const d of f.dups) {
    console.log(`FAIL ${d}`);
    failed++;
  }
}
const keys = [...new Set([...A.map.keys(), ...B.map.keys()])];
for (const key of keys) {
  if (!A.map.has(key)) {
    console.log(`FAIL ${key}: only in ${fileB}: ${short(B.map.get(key))}`);
    failed++;
    continue;
  }
  if (!B.map.has(key)) {
    console.log(`FAIL ${key}: missing from ${fileB} (expected ${short(A.map.get(key))})`);
    failed++;
    continue;
  }
  const rule = ruleFor(key);
  if (rule) {
    deliberateCount++;
    const why = checkDeliberate(rule, A.map.get(key), B.map.get(key));
    if (why) {
      console.log(`FAIL ${key} (deliberate: ${rule.mode}) ${why}`);
      failed++;
    } else passed++;
    continue;
  }
  const d = diff(A.map.get(key), B.map.get(key));
  if (d) {
    console.log(`FAIL ${key} at ${d.path}: expected ${short(d.a)}, got ${short(d.b)}`);
    failed++;
  } else passed++;
}
if (keys.length === 0) {
  console.log(`FAIL no observations in ${fileA} or ${fileB}`);
  failed++;
}
if (useDeliberate) console.log(`(${deliberateCount} of the checks are deliberate differences, compared as compat/deliberate.json says)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

#!/usr/bin/env node
// compat/compare.mjs EXPECTED.jsonl ACTUAL.jsonl
// Compares two observation files (one {"client","check","value"} per line) check by check:
// a value that differs, or a check present on one side only, is a failure. Prints every
// failure (the first differing path and both values), then exactly `N passed, N failed`.
// Exit 0 only when nothing failed and at least one check was compared.
import fs from "node:fs";

const [fileA, fileB] = process.argv.slice(2);
if (!fileA || !fileB) {
  console.error("usage: node compare.mjs expected.jsonl actual.jsonl");
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
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

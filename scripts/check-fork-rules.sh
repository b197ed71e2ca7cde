#!/usr/bin/env bash
# Issue 17: a rule that changed between forks is read from `Spec`
# (crates/primitives/src/spec.rs), never decided by comparing forks. This check fails, listing
# the lines, when non-test Rust code (crates/, bins/, python/src/) outside crates/primitives/src/{fork,spec}.rs
#   - calls `is_enabled` on a fork (`fork.is_enabled(..)`, `spec.fork.is_enabled(..)`) or
#     with a literal fork (`spec.is_enabled(Fork::Berlin)`): a table keyed by the fork that
#     introduced each entry (`spec.is_enabled(info.since)`) is fine;
#   - puts `Fork::X` (or `Some(Fork::X)`) next to `==`, `!=`, `<`, `<=`, `>`, `>=`;
#   - tests a fork with `matches!(.., Fork::X ..)`.
# Test code is skipped: `tests/` and `benches/` folders, `tests.rs` files, and everything from
# a `#[cfg(test)]` line followed by `mod NAME {` on (test modules sit at the end of files).
# Usage: scripts/check-fork-rules.sh [ROOT] (default: the repository root).
set -euo pipefail
root=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
cd "$root"

pattern='(\bfork\.is_enabled\(|is_enabled\(\s*(Some\()?Fork::'
pattern+='|(==|!=|<=|>=|(?<![=\-])>|<)\s*&?(Some\()?Fork::[A-Za-z0-9]'
pattern+='|\bFork::[A-Za-z0-9]+\)?\s*(==|!=|<=|>=|<|>(?![>=]))'
pattern+='|matches!\([^;]*Fork::)'

found=0
while IFS= read -r -d '' file; do
  case "$file" in
    crates/primitives/src/fork.rs | crates/primitives/src/spec.rs) continue ;;
    */tests/* | */benches/* | */tests.rs) continue ;;
  esac
  # Prints the file's lines numbered, up to a `#[cfg(test)]` line followed by `mod NAME {`.
  hits=$(awk '
    pending != "" && /^[[:space:]]*(pub(\([a-z]+\))? )?mod [A-Za-z_0-9]+[[:space:]]*\{/ { exit }
    pending != "" { print pending; pending = "" }
    /^[[:space:]]*#\[cfg\(test\)\][[:space:]]*$/ { pending = NR ":" $0; next }
    { print NR ":" $0 }
  ' "$file" \
    | grep -P "^[0-9]+:(?!\s*//).*(${pattern})" || true)
  if [ -n "$hits" ]; then
    while IFS= read -r line; do
      echo "$file:$line"
    done <<<"$hits"
    found=1
  fi
done < <(find crates bins python/src -name '*.rs' -not -path '*/target/*' -print0 | sort -z)

if [ "$found" -ne 0 ]; then
  echo "fork comparisons outside Spec (read the rule from crates/primitives/src/spec.rs instead)" >&2
  exit 1
fi
echo "fork rules: no fork comparison outside Spec"

#!/usr/bin/env bash
# Whole-suite throughput: `revme statetest` against `ember statetest` on the same
# GeneralStateTests files (revme's own skip list removed from Ember's list), then Ember on
# every file. Needs `revme` on PATH (`cargo install revme --locked`) and a release build of
# `ember`; prints wall, CPU and peak RSS of each run. Run it on an idle machine.
set -euo pipefail
GST=${1:-target/fixtures/ethereum-tests/GeneralStateTests}
EMBER=${EMBER:-target/release/ember}
[ -d "$GST" ] || { echo "revme-compare: $GST is missing (run ../shared/fixtures/unpack)" >&2; exit 2; }
command -v revme >/dev/null || { echo "revme-compare: revme is not on PATH" >&2; exit 2; }
# revme 43's `skip_test`: EIP-7610 collision tests, the malformed ValueOverflow, four slow files.
SKIP='RevertInCreateInInit|RevertInCreateInInit_Paris|RevertInCreateInInitCreate2|RevertInCreateInInitCreate2Paris'
SKIP+='|dynamicAccountOverwriteEmpty|dynamicAccountOverwriteEmpty_Paris|create2collisionStorage'
SKIP+='|create2collisionStorageParis|InitCollision|InitCollisionParis|test_init_collision_create_opcode'
SKIP+='|ValueOverflow|ValueOverflowParis|Call50000_sha256|static_Call50000_sha256|loopMul|CALLBlake2f_MaxRounds'
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "$GST" -name '*.json' | grep -Ev "/($SKIP)\.json$" | sort > "$list"
echo "files: $(wc -l < "$list") of $(find "$GST" -name '*.json' | wc -l)"
fmt='%e s wall, %U s user + %S s system, peak RSS %M KB'
mapfile -t files < "$list"
log=$(mktemp)
trap 'rm -f "$list" "$log"' EXIT
/usr/bin/time -o "$log" -f "revme statetest (its own list): $fmt" revme statetest "$GST" > /dev/null
cat "$log"
/usr/bin/time -o "$log" -f "ember statetest (the same files): $fmt" "$EMBER" statetest "${files[@]}" > /dev/null 2> >(tail -n 1 >&2)
cat "$log"
/usr/bin/time -o "$log" -f "ember statetest (every file): $fmt" "$EMBER" statetest "$GST" > /dev/null 2> >(tail -n 1 >&2)
cat "$log"

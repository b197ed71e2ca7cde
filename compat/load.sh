#!/usr/bin/env bash
# compat/load.sh NODE [load.mjs options]: starts a fresh in-memory NODE (anvil | ember, as in
# run.sh) on a free 127.0.0.1 port, runs load.mjs against it, stops it. Output also goes to
# target/compat/load-NODE.txt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODE="${1:?usage: compat/load.sh anvil|ember [--calls N --transfers N --blocks N --max-seconds S]}"
shift
OUT="$ROOT/target/compat"
mkdir -p "$OUT"
compat_install
trap compat_stop_node EXIT
compat_start_node "$NODE" "$OUT/load-$NODE.node.log"
echo "$NODE at $NODE_URL: $(compat_node_cmd "$NODE" PORT)" | tee "$OUT/load-$NODE.txt"
timeout 900 node "$COMPAT/load.mjs" "$NODE_URL" "$@" | tee -a "$OUT/load-$NODE.txt"

#!/usr/bin/env bash
# compat/run.sh NODE [CLIENT...]
#   NODE: anvil | ember (ember = ${EMBER_BIN:-target/release/ember} node; NODE_CMD overrides
#   either, with {port} for the port). CLIENTs: ethers viem web3py cast (default: all).
# Installs what is missing, builds the contracts, then for each client starts a fresh node on
# a free 127.0.0.1 port, runs the client against it and stops the node. All observations go
# to target/compat/NODE.jsonl (node logs and client stderr beside it). Exit 1 if a client
# crashed or printed nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE="${1:?usage: compat/run.sh anvil|ember [client...]}"
shift
CLIENTS=("$@")
[ ${#CLIENTS[@]} -eq 0 ] && CLIENTS=(ethers viem web3py cast)

OUT="$ROOT/target/compat"
mkdir -p "$OUT"
JSONL="$OUT/$NODE.jsonl"
: >"$JSONL"

compat_install
trap compat_stop_node EXIT

status=0
for client in "${CLIENTS[@]}"; do
  t0=$SECONDS
  : >"$OUT/$NODE.$client.jsonl"
  if ! compat_start_node "$NODE" "$OUT/$NODE.$client.node.log"; then
    echo "$NODE/$client: the node did not start, no observations" >&2
    status=1
    continue
  fi
  case "$client" in
    ethers | viem) cmd=(node "$COMPAT/clients/$client.mjs" "$NODE_URL") ;;
    web3py) cmd=("$VENV/bin/python" "$COMPAT/clients/web3py.py" "$NODE_URL") ;;
    cast) cmd=(bash "$COMPAT/clients/cast.sh" "$NODE_URL") ;;
    *) echo "unknown client $client" >&2; exit 2 ;;
  esac
  rc=0
  CAST="$CAST" timeout 300 "${cmd[@]}" >"$OUT/$NODE.$client.jsonl" 2>"$OUT/$NODE.$client.stderr" || rc=$?
  compat_stop_node
  n=$(wc -l <"$OUT/$NODE.$client.jsonl")
  cat "$OUT/$NODE.$client.jsonl" >>"$JSONL"
  echo "$NODE/$client: $n observations in $((SECONDS - t0)) s (exit $rc)" >&2
  if [ "$rc" -ne 0 ] || [ "$n" -eq 0 ]; then
    status=1
    tail -5 "$OUT/$NODE.$client.stderr" >&2
  fi
done
echo "$NODE: $(wc -l <"$JSONL") observations -> $JSONL" >&2
exit $status

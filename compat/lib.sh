# Sourced by run.sh and load.sh: installing, picking a port, starting and stopping a node.
# shellcheck shell=bash

COMPAT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$COMPAT/.." && pwd)"
ANVIL="$COMPAT/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
CAST="$COMPAT/node_modules/@foundry-rs/cast-linux-amd64/bin/cast"
VENV="$COMPAT/.venv"

# npm ci + the Python venv, each only when missing or out of date; then the contracts.
compat_install() {
  if [ ! -x "$ANVIL" ] || [ ! -d "$COMPAT/node_modules/ethers" ] || [ "$COMPAT/package-lock.json" -nt "$COMPAT/node_modules/.package-lock.json" ]; then
    (cd "$COMPAT" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
  if [ ! -x "$VENV/bin/python" ] || [ "$COMPAT/requirements.txt" -nt "$VENV/.installed" ]; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --disable-pip-version-check -q -r "$COMPAT/requirements.txt" >&2
    touch "$VENV/.installed"
  fi
  node "$COMPAT/build.mjs" >&2
}

compat_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The command line that starts NODE (anvil | ember) on port $1, with its defaults and Prague.
# NODE_CMD overrides it: a command with {port} where the port goes.
compat_node_cmd() {
  local node="$1" port="$2"
  if [ -n "${NODE_CMD:-}" ]; then
    echo "${NODE_CMD//\{port\}/$port}"
    return
  fi
  case "$node" in
    anvil) echo "$ANVIL --port $port --hardfork prague" ;;
    ember) echo "${EMBER_BIN:-$ROOT/target/release/ember} node --port $port --hardfork prague" ;;
    *) echo "unknown node '$node' (anvil | ember)" >&2; return 2 ;;
  esac
}

NODE_PID=""
NODE_URL=""
# Starts a fresh node, waits (at most 30 s) until eth_chainId answers; sets NODE_PID, NODE_URL.
compat_start_node() {
  local node="$1" log="$2" port cmd
  port="$(compat_free_port)"
  cmd="$(compat_node_cmd "$node" "$port")" || return 2
  # shellcheck disable=SC2086
  $cmd >"$log" 2>&1 &
  NODE_PID=$!
  NODE_URL="http://127.0.0.1:$port"
  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    if curl -s -m 2 -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$NODE_URL" 2>/dev/null | grep -q result; then
      return 0
    fi
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      echo "node exited early: $cmd" >&2
      tail -20 "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "node did not answer within 30 s: $cmd" >&2
  compat_stop_node
  return 1
}

compat_stop_node() {
  if [ -n "$NODE_PID" ]; then
    kill "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  NODE_PID=""
}

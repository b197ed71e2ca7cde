#!/usr/bin/env bash
# Foundry's cast against a dev node: chain-id, block-number, balance, send (--unlocked and
# --private-key), call with ABI decoding, receipt fields, cast rpc anvil_*, estimate, revert
# messages. One JSON observation per line: {"rc": exit code, "out": stdout, "err": stderr}
# with hashes and timestamps scrubbed from JSON output.
#
#   CAST=path/to/cast bash clients/cast.sh http://127.0.0.1:8545
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RPC="${COMPAT_RPC:-${1:-http://127.0.0.1:8545}}"
CAST="${CAST:-$HERE/../node_modules/@foundry-rs/cast-linux-amd64/bin/cast}"
BUILD="$HERE/../build"
export FOUNDRY_DISABLE_NIGHTLY_WARNING=1 NO_COLOR=1
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

A0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
A1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
A9=0xa0Ee7A142d267C1f36714E4a8F75612F20a79720
K1=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d

# obs CHECK MODE CMD...: runs CMD, emits its exit code, stdout and stderr. MODE "json" parses
# stdout as JSON and drops hashes/timestamps; "text" keeps it; "lines" drops lines naming hashes.
obs() {
  local check="$1" mode="$2"
  shift 2
  timeout 60 "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  python3 - "$check" "$mode" "$rc" "$TMP/out" "$TMP/err" <<'PY'
import json, re, sys
check, mode, rc, out, err = sys.argv[1], sys.argv[2], int(sys.argv[3]), open(sys.argv[4]).read(), open(sys.argv[5]).read()
DROP = {"blockHash", "transactionHash", "hash", "timestamp", "blockTimestamp", "parentHash", "mixHash", "stateRoot", "transactionsRoot", "size", "r", "s", "v", "yParity"}
def scrub(v):
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in sorted(v.items()) if k not in DROP}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    return v
val = out.strip()
if mode == "json":
    try:
        val = scrub(json.loads(out))
    except Exception:
        val = {"unparsable": out.strip()[:300]}
elif mode == "lines":
    val = [l.rstrip() for l in out.splitlines() if l.strip() and not re.search(r"(?i)hash|timestamp|^\s*(r|s|v|yParity)\s", l)]
# Error text: strip ANSI, keep the lines that say what went wrong.
e = re.sub(r"\x1b\[[0-9;]*m", "", err).strip()
print(json.dumps({"client": "cast", "check": check, "value": {"rc": rc, "out": val, "err": e}}), flush=True)
PY
}

c() {
  local sub="$1"
  shift
  timeout 60 "$CAST" "$sub" --rpc-url "$RPC" "$@"
}

bytecode() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytecode"])' "$BUILD/$1.json"; }

obs basics.chain-id text c chain-id
obs basics.chain text c chain
obs basics.block-number text c block-number
obs basics.balance text c balance "$A0"
obs basics.balance.ether text c balance --ether "$A1"
obs basics.nonce text c nonce "$A0"
obs basics.gas-price text c gas-price
obs basics.base-fee text c base-fee
obs basics.code.empty text c code "$A9"

# Deploy (unlocked, then a private key) and read the receipts.
COUNTER_CODE="$(bytecode Counter)$("$CAST" abi-encode 'f(uint256)' 41 | sed 's/^0x//')"
obs deploy.counter json c send --unlocked --from "$A0" --json --create "$COUNTER_CODE"
COUNTER=$(c receipt --json "$(c send --unlocked --from "$A0" --async --create "$COUNTER_CODE" 2>/dev/null | tail -1)" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["contractAddress"])')
obs deploy.counter.address text echo "$COUNTER"
REVERTER_HASH=$(c send --private-key "$K1" --async --create "$(bytecode Reverter)" 2>/dev/null | tail -1)
obs deploy.reverter.pk json c receipt --json "$REVERTER_HASH"
REVERTER=$(c receipt "$REVERTER_HASH" contractAddress 2>/dev/null)
obs deploy.reverter.address text echo "$REVERTER"
obs deploy.code.size text c codesize "$COUNTER"

# Calls with ABI decoding.
obs call.count text c call "$COUNTER" 'count()(uint256)'
obs call.get text c call "$COUNTER" 'get(uint256)(uint256)' 1
obs call.spin text c call "$COUNTER" 'spin(uint256)(uint256)' 7
obs call.info text c call "$COUNTER" 'info()(uint256,uint256,address,uint256,uint256)'
obs call.raw text c call "$COUNTER" 0x06661abd
obs call.json json c call --json "$COUNTER" 'count()(uint256)'

# Transactions and receipts.
obs send.increment json c send --unlocked --from "$A0" --json "$COUNTER" 'increment()'
obs send.set.pk json c send --private-key "$K1" --json "$COUNTER" 'set(uint256,uint256,string)' 1 11 'from cast'
H=$(c send --unlocked --from "$A0" --async "$COUNTER" 'increment()' 2>/dev/null | tail -1)
obs receipt.status text c receipt "$H" status
obs receipt.gasUsed text c receipt "$H" gasUsed
obs receipt.cumulativeGasUsed text c receipt "$H" cumulativeGasUsed
obs receipt.json json c receipt --json "$H"
obs receipt.from text c receipt "$H" from
obs receipt.to text c receipt "$H" to
obs tx.fields lines c tx "$H"
obs tx.input text c tx "$H" input
obs send.value json c send --unlocked --from "$A1" --json --value 1ether "$A9"
obs balance.after text c balance "$A9"
obs call.afterSends text c call "$COUNTER" 'count()(uint256)'
obs storage.slot0 text c storage "$COUNTER" 0
obs storage.slot3 text c storage "$COUNTER" 3

# Logs by event signature.
obs logs.incremented json c logs --json --from-block 0 --address "$COUNTER" 'Incremented(address indexed,uint256)'
obs logs.valueSet json c logs --json --from-block 0 'ValueSet(uint256 indexed,uint256 indexed,string)'

# Estimates.
obs estimate.increment text c estimate --from "$A0" "$COUNTER" 'increment()'
obs estimate.transfer text c estimate --from "$A0" --value 1 "$A9"
obs estimate.create text c estimate --from "$A0" --create "$COUNTER_CODE"
obs access-list text c access-list --from "$A0" "$COUNTER" 'set(uint256,uint256,string)' 2 3 x

# Reverts: call, estimate, send.
obs revert.call.require text c call "$REVERTER" 'requireOk(uint256)(uint256)' 0
obs revert.call.custom text c call "$REVERTER" 'customError(uint256)(uint256)' 11
obs revert.call.panic text c call "$REVERTER" 'divide(uint256,uint256)(uint256)' 1 0
obs revert.call.assert text c call "$REVERTER" 'assertFalse()'
obs revert.call.bare text c call "$REVERTER" 'bareRevert()'
obs revert.estimate.require text c estimate --from "$A0" "$REVERTER" 'requireOk(uint256)' 0
obs revert.send.require text c send --unlocked --from "$A0" "$REVERTER" 'touchAndRequire(uint256)' 0
obs revert.send.gas json c send --unlocked --from "$A0" --json --gas-limit 100000 "$REVERTER" 'touchAndRequire(uint256)' 0
obs revert.send.pk text c send --private-key "$K1" "$REVERTER" 'touchAndError(uint256)' 11
obs revert.decode-error text "$CAST" decode-error --sig 'Insufficient(uint256,uint256)' 0xe8620800000000000000000000000000000000000000000000000000000000000000000a000000000000000000000000000000000000000000000000000000000000000b

# cast rpc: anvil_* and evm_* methods.
WHO=0x00000000000000000000000000000000000c0ffe
obs rpc.setBalance text c rpc anvil_setBalance "$WHO" 0xde0b6b3a7640000
obs rpc.balance text c balance "$WHO"
obs rpc.impersonate text c rpc anvil_impersonateAccount "$WHO"
obs rpc.impersonate.send json c send --unlocked --from "$WHO" --json "$A9" --value 1000
obs rpc.stopImpersonating text c rpc anvil_stopImpersonatingAccount "$WHO"
obs rpc.impersonate.sendAfter text c send --unlocked --from "$WHO" "$A9" --value 1000
obs rpc.setCode text c rpc anvil_setCode "$WHO" 0x60016000526001601ff3
obs rpc.code text c code "$WHO"
obs rpc.call.setCode text c call "$WHO" 0x
obs rpc.setStorageAt text c rpc anvil_setStorageAt "$COUNTER" 0x0000000000000000000000000000000000000000000000000000000000000000 0x00000000000000000000000000000000000000000000000000000000000003e8
obs rpc.count.afterSetStorage text c call "$COUNTER" 'count()(uint256)'
obs rpc.setNonce text c rpc anvil_setNonce "$A9" 0x10
obs rpc.nonce text c nonce "$A9"
obs rpc.snapshot text c rpc evm_snapshot
obs rpc.mine text c rpc anvil_mine 0x3
obs rpc.blockNumber.afterMine text c block-number
obs rpc.revert text c rpc evm_revert 0x0
obs rpc.blockNumber.afterRevert text c block-number
obs rpc.evm_mine text c rpc evm_mine
obs rpc.automine text c rpc anvil_getAutomine
obs rpc.setAutomine text c rpc evm_setAutomine false
obs rpc.pool.send text bash -c "'$CAST' send --unlocked --from $A0 --async $A9 --value 5 --rpc-url $RPC >/dev/null && echo sent"
obs rpc.txpool.status text c rpc txpool_status
obs tx-pool.inspect text "$CAST" tx-pool inspect --rpc-url "$RPC"
obs rpc.pool.mine text c rpc evm_mine
obs rpc.txpool.status.after text c rpc txpool_status
obs rpc.setAutomine.on text c rpc evm_setAutomine true
obs rpc.unknown text c rpc anvil_notAMethod
obs rpc.badParams text c rpc eth_getBalance 0x1234 latest
obs rpc.raw.params text c rpc --raw eth_getBalance "[\"$A0\", \"0x0\"]"

# Blocks.
obs block.latest.number text c block latest --field number
obs block.latest.gasLimit text c block latest --field gasLimit
obs block.latest.baseFee text c block latest --field baseFeePerGas
obs block.json json c block --json 1
obs final.block-number text c block-number
obs final.balance.A0 text c balance "$A0"
obs final.nonce.A0 text c nonce "$A0"
obs final.nonce.A1 text c nonce "$A1"

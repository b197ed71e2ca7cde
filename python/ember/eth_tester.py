"""An eth-tester backend on `ember node`'s chain code.

``EmberBackend`` drives an in-process :class:`ember._ember.Node` (the same Rust code as
``ember node``, manual mining: eth-tester mines) with JSON-RPC requests that never touch a
socket, and converts the answers into eth-tester's raw forms (bytes, ints, snake_case)::

    from eth_tester import EthereumTester
    from web3 import Web3, EthereumTesterProvider
    from ember.eth_tester import EmberBackend

    w3 = Web3(EthereumTesterProvider(EthereumTester(backend=EmberBackend())))

Requires ``eth-tester`` (``pip install "eth-tester[py-evm]"`` brings it with its
dependencies, ``eth-account`` among them).
"""

from __future__ import annotations

import json
from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address
from eth_tester.backends.base import BaseChainBackend
from eth_tester.exceptions import (
    BlockNotFound,
    TransactionFailed,
    TransactionNotFound,
    ValidationError,
)

from ember._ember import Node, RpcError

__all__ = ["EmberBackend"]

# eth-tester's default chain id (py-evm backend's), so signed test transactions match.
DEFAULT_CHAIN_ID = 131277322940537

_BLOCK_KEYS = {
    "number": ("number", "int"),
    "hash": ("hash", "bytes"),
    "parentHash": ("parent_hash", "bytes"),
    "nonce": ("nonce", "bytes"),
    "sha3Uncles": ("sha3_uncles", "bytes"),
    "logsBloom": ("logs_bloom", "int"),
    "transactionsRoot": ("transactions_root", "bytes"),
    "receiptsRoot": ("receipts_root", "bytes"),
    "stateRoot": ("state_root", "bytes"),
    "miner": ("coinbase", "bytes"),
    "difficulty": ("difficulty", "int"),
    "totalDifficulty": ("total_difficulty", "int"),
    "mixHash": ("mix_hash", "bytes"),
    "size": ("size", "int"),
    "extraData": ("extra_data", "pad32"),
    "gasLimit": ("gas_limit", "int"),
    "gasUsed": ("gas_used", "int"),
    "timestamp": ("timestamp", "int"),
    "uncles": ("uncles", "bytes_list"),
    "baseFeePerGas": ("base_fee_per_gas", "int"),
    "withdrawalsRoot": ("withdrawals_root", "bytes"),
    "parentBeaconBlockRoot": ("parent_beacon_block_root", "bytes"),
    "blobGasUsed": ("blob_gas_used", "int"),
    "excessBlobGas": ("excess_blob_gas", "int"),
    "requestsHash": ("requests_hash", "bytes"),
}

_TX_KEYS = {
    "type": ("type", "int"),
    "hash": ("hash", "bytes"),
    "nonce": ("nonce", "int"),
    "blockHash": ("block_hash", "bytes"),
    "blockNumber": ("block_number", "int"),
    "transactionIndex": ("transaction_index", "int"),
    "from": ("from", "bytes"),
    "to": ("to", "to"),
    "value": ("value", "int"),
    "gas": ("gas", "int"),
    "gasPrice": ("gas_price", "int"),
    "input": ("data", "bytes"),
    "v": ("v", "int"),
    "r": ("r", "int"),
    "s": ("s", "int"),
    "yParity": ("y_parity", "int"),
    "chainId": ("chain_id", "int"),
    "maxFeePerGas": ("max_fee_per_gas", "int"),
    "maxPriorityFeePerGas": ("max_priority_fee_per_gas", "int"),
    "maxFeePerBlobGas": ("max_fee_per_blob_gas", "int"),
    "blobVersionedHashes": ("blob_versioned_hashes", "bytes_list"),
}

_RECEIPT_KEYS = {
    "transactionHash": ("transaction_hash", "bytes"),
    "transactionIndex": ("transaction_index", "int"),
    "blockNumber": ("block_number", "int"),
    "blockHash": ("block_hash", "bytes"),
    "cumulativeGasUsed": ("cumulative_gas_used", "int"),
    "effectiveGasPrice": ("effective_gas_price", "int"),
    "from": ("from", "bytes"),
    "gasUsed": ("gas_used", "int"),
    "contractAddress": ("contract_address", "bytes"),
    "status": ("status", "int"),
    "to": ("to", "to"),
    "type": ("type", "int"),
    "blobGasUsed": ("blob_gas_used", "int"),
    "blobGasPrice": ("blob_gas_price", "int"),
}

_LOG_KEYS = {
    "logIndex": ("log_index", "int"),
    "transactionIndex": ("transaction_index", "int"),
    "transactionHash": ("transaction_hash", "bytes"),
    "blockHash": ("block_hash", "bytes"),
    "blockNumber": ("block_number", "int"),
    "address": ("address", "bytes"),
    "data": ("data", "bytes"),
    "topics": ("topics", "bytes_list"),
}


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


def _convert(value: Any, kind: str) -> Any:
    if value is None:
        return b"" if kind == "to" else None
    if kind == "int":
        return int(value, 16) if isinstance(value, str) else int(value)
    if kind in ("bytes", "to"):
        return _bytes(value)
    if kind == "pad32":
        return _bytes(value).rjust(32, b"\x00")
    if kind == "bytes_list":
        return [_bytes(v) for v in value]
    raise AssertionError(kind)


def _from_rpc(obj: dict, keys: dict) -> dict:
    out = {}
    for key, (name, kind) in keys.items():
        if key in obj:
            out[name] = _convert(obj[key], kind)
    return out


def _hex(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return hex(value)
    return value


def _block_id(block_number: Any) -> Any:
    if isinstance(block_number, int):
        return hex(block_number)
    return block_number


_TX_REQUEST_KEYS = {
    "from": "from",
    "to": "to",
    "gas": "gas",
    "gas_price": "gasPrice",
    "max_fee_per_gas": "maxFeePerGas",
    "max_priority_fee_per_gas": "maxPriorityFeePerGas",
    "max_fee_per_blob_gas": "maxFeePerBlobGas",
    "value": "value",
    "data": "input",
    "nonce": "nonce",
    "chain_id": "chainId",
    "type": "type",
}


def _to_rpc_request(transaction: dict) -> dict:
    request = {}
    for key, value in transaction.items():
        if key == "access_list":
            request["accessList"] = [
                {
                    "address": _hex(item["address"]) if isinstance(item, dict) else _hex(item[0]),
                    "storageKeys": [
                        _hex(k if isinstance(k, (bytes, str)) else k.to_bytes(32, "big"))
                        if not isinstance(k, int)
                        else "0x" + k.to_bytes(32, "big").hex()
                        for k in (item["storage_keys"] if isinstance(item, dict) else item[1])
                    ],
                }
                for item in value
            ]
        elif key == "to" and value in (b"", "", None):
            continue
        elif key in _TX_REQUEST_KEYS:
            request[_TX_REQUEST_KEYS[key]] = _hex(value)
    return request


class EmberBackend(BaseChainBackend):
    """eth-tester's backend on Ember's dev chain (`ember node`'s code, in process)."""

    def __init__(self, chain_id: int = DEFAULT_CHAIN_ID, fork: str = "Prague") -> None:
        """A new chain of ten funded accounts (1,000,000 ether each) under ``fork``."""
        self._chain_id = chain_id
        self._fork = fork
        self._extra_keys: dict[bytes, bytes] = {}
        self.reset_to_genesis()

    # ---- plumbing ----
    def _rpc(self, method: str, *params: Any) -> Any:
        return json.loads(self._node.request(method, json.dumps(list(params))))

    # ---- snapshots, reset, time ----
    def take_snapshot(self) -> int:
        """Snapshot id of the current chain (evm_snapshot)."""
        return int(self._rpc("evm_snapshot"), 16)

    def revert_to_snapshot(self, snapshot: int) -> None:
        """Back to the chain at ``snapshot`` (evm_revert)."""
        if not self._rpc("evm_revert", hex(snapshot)):
            raise ValidationError(f"no snapshot {snapshot}")

    def reset_to_genesis(self) -> None:
        """A fresh chain."""
        self._node = Node(chain_id=self._chain_id, fork_name=self._fork, base_fee=1_000_000_000)
        self._extra_keys = {}

    def time_travel(self, to_timestamp: int) -> int:
        """Mines a block at ``to_timestamp``."""
        self._rpc("evm_mine", hex(to_timestamp))
        return to_timestamp

    def mine_blocks(self, num_blocks: int = 1, coinbase: bytes = b"\x00" * 20) -> tuple:
        """Mines ``num_blocks`` blocks; returns their hashes."""
        hashes = []
        for _ in range(num_blocks):
            self._rpc("evm_mine")
            hashes.append(self.get_block_by_number("latest", False)["hash"])
        return tuple(hashes)

    # ---- accounts ----
    def get_accounts(self) -> tuple:
        """The chain's dev accounts, then the added ones."""
        accounts = [_bytes(a) for a in self._rpc("eth_accounts")]
        return tuple(accounts + [a for a in self._extra_keys if a not in accounts])

    def add_account(self, private_key: bytes) -> None:
        """Adds an account this backend signs for."""
        address = _bytes(Account.from_key(private_key).address)
        self._extra_keys[address] = private_key

    # ---- blocks, transactions, receipts ----
    def _block(self, block: Any, full_transaction: bool) -> dict:
        if block is None:
            raise BlockNotFound("block not found")
        out = _from_rpc(block, _BLOCK_KEYS)
        out.setdefault("total_difficulty", out.get("difficulty", 0))
        # The pending block has no hash, nonce or miner yet; eth-tester wants bytes there.
        for key, size in (("hash", 32), ("nonce", 8), ("coinbase", 20), ("mix_hash", 32)):
            if out.get(key) is None:
                out[key] = b"\x00" * size
        if "withdrawals" in block:
            out["withdrawals"] = [
                {
                    "index": int(w["index"], 16),
                    "validator_index": int(w["validatorIndex"], 16),
                    "address": _bytes(w["address"]),
                    "amount": int(w["amount"], 16),
                }
                for w in block["withdrawals"]
            ]
        txs = block.get("transactions", [])
        out["transactions"] = [
            self._transaction(t) if full_transaction else _bytes(t) for t in txs
        ]
        return out

    def get_block_by_number(self, block_number: Any, full_transaction: bool = True) -> dict:
        """A block by number or tag."""
        try:
            block = self._rpc("eth_getBlockByNumber", _block_id(block_number), full_transaction)
        except RpcError as e:
            raise BlockNotFound(str(e)) from e
        return self._block(block, full_transaction)

    def get_block_by_hash(self, block_hash: bytes, full_transaction: bool = True) -> dict:
        """A block by hash."""
        block = self._rpc("eth_getBlockByHash", _hex(block_hash), full_transaction)
        return self._block(block, full_transaction)

    def _transaction(self, tx: dict) -> dict:
        out = _from_rpc(tx, _TX_KEYS)
        if "accessList" in tx:
            out["access_list"] = tuple(
                (_bytes(i["address"]), tuple(int(k, 16) for k in i["storageKeys"]))
                for i in tx["accessList"]
            )
        if "authorizationList" in tx:
            out["authorization_list"] = [
                {
                    "chain_id": int(a["chainId"], 16),
                    "address": _bytes(a["address"]),
                    "nonce": int(a["nonce"], 16),
                    "y_parity": int(a["yParity"], 16),
                    "r": int(a["r"], 16),
                    "s": int(a["s"], 16),
                }
                for a in tx["authorizationList"]
            ]
        tx_type = out.get("type", 0)
        if tx_type == 0:
            out.pop("chain_id", None)
            out.pop("y_parity", None)
        else:
            if "y_parity" not in out and "v" in out:
                out["y_parity"] = out["v"]
            out["v"] = out.get("y_parity", out.get("v"))
            out.setdefault("access_list", ())
        if tx_type in (2, 3, 4):
            out.setdefault("max_fee_per_gas", out.get("gas_price"))
            out.setdefault("max_priority_fee_per_gas", 0)
        if tx_type == 4:
            out.setdefault("authorization_list", [])
        return out

    def get_transaction_by_hash(self, transaction_hash: bytes) -> dict:
        """A transaction by hash."""
        tx = self._rpc("eth_getTransactionByHash", _hex(transaction_hash))
        if tx is None:
            raise TransactionNotFound(f"no transaction {_hex(transaction_hash)}")
        return self._transaction(tx)

    def get_transaction_receipt(self, transaction_hash: bytes) -> dict | None:
        """The receipt of a mined transaction (None while pending)."""
        receipt = self._rpc("eth_getTransactionReceipt", _hex(transaction_hash))
        if receipt is None:
            if self._rpc("eth_getTransactionByHash", _hex(transaction_hash)) is None:
                raise TransactionNotFound(f"no transaction {_hex(transaction_hash)}")
            return None
        out = _from_rpc(receipt, _RECEIPT_KEYS)
        out.setdefault("to", b"")
        if out.get("type") != 3:
            out.pop("blob_gas_used", None)
            out.pop("blob_gas_price", None)
        out["state_root"] = b"\x01" if out.get("status") == 1 else b""
        out["logs"] = []
        for log in receipt.get("logs", []):
            entry = _from_rpc(log, _LOG_KEYS)
            entry["type"] = "mined"
            out["logs"].append(entry)
        return out

    def get_fee_history(self, block_count: int = 1, newest_block: Any = "latest",
                        reward_percentiles: Any = ()) -> dict:
        """eth_feeHistory in eth-tester's form."""
        if isinstance(block_count, int) and not 1 <= block_count <= 1024:
            raise ValidationError("block_count must be between 1 and 1024")
        if newest_block == "pending":
            newest_block = "latest"
        history = self._rpc("eth_feeHistory", hex(block_count), _block_id(newest_block),
                            list(reward_percentiles))
        return {
            "oldest_block": int(history["oldestBlock"], 16),
            "base_fee_per_gas": [int(b, 16) for b in history["baseFeePerGas"]],
            "gas_used_ratio": history["gasUsedRatio"],
            "reward": [[int(r, 16) for r in rs] for rs in history.get("reward", [])],
        }

    # ---- state ----
    def get_nonce(self, account: bytes, block_number: Any = "latest") -> int:
        """The account's nonce."""
        return int(self._rpc("eth_getTransactionCount", _hex(account), _block_id(block_number)), 16)

    def get_balance(self, account: bytes, block_number: Any = "latest") -> int:
        """The account's balance."""
        return int(self._rpc("eth_getBalance", _hex(account), _block_id(block_number)), 16)

    def get_code(self, account: bytes, block_number: Any = "latest") -> bytes:
        """The account's code."""
        return _bytes(self._rpc("eth_getCode", _hex(account), _block_id(block_number)))

    def get_storage(self, account: bytes, slot: int, block_number: Any = "latest") -> int:
        """A storage slot's value (an int, as py-evm's backend gives it)."""
        value = self._rpc("eth_getStorageAt", _hex(account), hex(slot), _block_id(block_number))
        return int(value, 16)

    def get_base_fee(self, block_number: Any = "latest") -> int:
        """The block's base fee."""
        return self.get_block_by_number(block_number, False)["base_fee_per_gas"]

    # ---- transactions ----
    def _send_raw(self, raw: bytes) -> bytes:
        try:
            return _bytes(self._rpc("eth_sendRawTransaction", _hex(raw)))
        except RpcError as e:
            raise ValidationError(str(e)) from e

    def send_raw_transaction(self, raw_transaction: bytes) -> bytes:
        """Submits a signed, encoded transaction."""
        return self._send_raw(raw_transaction)

    def send_transaction(self, transaction: dict) -> bytes:
        """Submits a transaction from an account this backend signs for."""
        sender = transaction["from"]
        key = self._extra_keys.get(sender)
        if key is not None:
            request = _to_rpc_request(transaction)
            request.pop("from", None)
            request.setdefault("nonce", hex(self.get_nonce(sender, "pending")))
            request.setdefault("chainId", hex(self._chain_id))
            if "gasPrice" not in request and "maxFeePerGas" not in request:
                request["maxFeePerGas"] = hex(2 * self.get_base_fee("latest") + 10**9)
                request["maxPriorityFeePerGas"] = hex(10**9)
            if "gas" not in request:
                request["gas"] = hex(self.estimate_gas(transaction))
            if "input" in request:
                request["data"] = request.pop("input")
            if "to" in request:
                request["to"] = to_checksum_address(request["to"])
            signed = Account.sign_transaction(request, key)
            return self._send_raw(signed.raw_transaction)
        request = _to_rpc_request(transaction)
        # py-evm's defaults: no fee given is a dynamic-fee transaction at 1 gwei and 1 gwei;
        # a priority fee alone gets a max fee of itself plus twice the base fee.
        if not any(k in request for k in ("gasPrice", "maxFeePerGas", "maxPriorityFeePerGas")):
            request["maxFeePerGas"] = request["maxPriorityFeePerGas"] = hex(10**9)
        elif "maxPriorityFeePerGas" in request and "maxFeePerGas" not in request:
            request["maxFeePerGas"] = hex(
                int(request["maxPriorityFeePerGas"], 16) + 2 * self.get_base_fee("latest")
            )
        try:
            return _bytes(self._rpc("eth_sendTransaction", request))
        except RpcError as e:
            raise ValidationError(str(e)) from e

    def send_signed_transaction(self, signed_transaction: dict, block_number: Any = "latest") -> bytes:
        """Submits a transaction given with its signature fields."""
        from eth_account._utils.legacy_transactions import (
            encode_transaction,
            serializable_unsigned_transaction_from_dict,
        )

        tx = dict(signed_transaction)
        v, r, s = tx.pop("v"), tx.pop("r"), tx.pop("s")
        tx.pop("from", None)
        request = _to_rpc_request(tx)
        if "input" in request:
            request["data"] = request.pop("input")
        if "to" in request:
            request["to"] = to_checksum_address(request["to"])
        for key in ("gas", "gasPrice", "value", "nonce", "chainId", "maxFeePerGas",
                    "maxPriorityFeePerGas", "type"):
            if key in request:
                request[key] = int(request[key], 16)
        unsigned = serializable_unsigned_transaction_from_dict(request)
        raw = encode_transaction(unsigned, (v, r, s))
        return self._send_raw(raw)

    def _call_request(self, transaction: dict) -> dict:
        return _to_rpc_request(transaction)

    def estimate_gas(self, transaction: dict, block_number: Any = "latest") -> int:
        """eth_estimateGas; TransactionFailed when the call fails."""
        try:
            return int(
                self._rpc("eth_estimateGas", self._call_request(transaction), _block_id(block_number)),
                16,
            )
        except RpcError as e:
            raise TransactionFailed(_failure_message(e)) from e

    def call(self, transaction: dict, block_number: Any = "latest") -> bytes:
        """eth_call; TransactionFailed (with the revert reason) when the call fails."""
        try:
            return _bytes(
                self._rpc("eth_call", self._call_request(transaction), _block_id(block_number))
            )
        except RpcError as e:
            raise TransactionFailed(_failure_message(e)) from e


def _failure_message(e: RpcError) -> Any:
    """The revert reason of an Error(string), else the revert data, else the message."""
    data = getattr(e, "data", None)
    if data:
        raw = _bytes(json.loads(data)) if data.startswith('"') else b""
        if raw[:4] == bytes.fromhex("08c379a0"):
            from eth_abi import decode

            try:
                return decode(["string"], raw[4:])[0]
            except Exception:  # noqa: BLE001 - malformed reason: fall back to the bytes
                return raw
        if raw:
            return raw
    return e.message

//! Blocks, transactions, receipts and logs as JSON-RPC returns them.

use ember_blockchain::{Header, ReceiptOutcome};
use ember_evm::Log;
use ember_primitives::{hex, Address, Bytes, TxKind, TxType, U256};
use ember_transaction::Transaction;
use serde_json::{json, Map, Value};

use crate::chain::MinedBlock;
use crate::params::hex_u64;
use crate::tx::NodeTx;

/// Bytes as `0x`-hex.
pub fn hex_bytes(bytes: &[u8]) -> Value {
    Value::String(format!("0x{}", hex::encode(bytes)))
}

/// A 256-bit quantity as `0x`-hex without leading zeros.
pub fn hex_u256(n: U256) -> Value {
    Value::String(format!("{n:#x}"))
}

/// A header's fields as JSON-RPC writes them (also anvil's state dumps).
pub fn header(h: &Header) -> Value {
    let mut out = json!({
        "parentHash": h.parent_hash,
        "sha3Uncles": h.ommers_hash,
        "miner": h.beneficiary,
        "stateRoot": h.state_root,
        "transactionsRoot": h.transactions_root,
        "receiptsRoot": h.receipts_root,
        "logsBloom": hex_bytes(h.logs_bloom.as_slice()),
        "difficulty": hex_u256(h.difficulty),
        "number": hex_u64(h.number),
        "gasLimit": hex_u64(h.gas_limit),
        "gasUsed": hex_u64(h.gas_used),
        "timestamp": hex_u64(h.timestamp),
        "extraData": hex_bytes(&h.extra_data),
        "mixHash": h.mix_hash,
        "nonce": hex_bytes(h.nonce.as_slice()),
    });
    let map = out.as_object_mut().expect("an object");
    if let Some(fee) = h.base_fee_per_gas {
        map.insert("baseFeePerGas".into(), hex_u256(fee));
    }
    if let Some(root) = h.withdrawals_root {
        map.insert("withdrawalsRoot".into(), json!(root));
    }
    if let Some(gas) = h.blob_gas_used {
        map.insert("blobGasUsed".into(), hex_u64(gas));
    }
    if let Some(gas) = h.excess_blob_gas {
        map.insert("excessBlobGas".into(), hex_u64(gas));
    }
    if let Some(root) = h.parent_beacon_block_root {
        map.insert("parentBeaconBlockRoot".into(), json!(root));
    }
    if let Some(hash) = h.requests_hash {
        map.insert("requestsHash".into(), json!(hash));
    }
    out
}

/// A block; `full` puts whole transactions in it instead of their hashes.
pub fn block(block: &MinedBlock, full: bool) -> Value {
    let h = &block.block.header;
    let transactions: Vec<Value> = if full {
        (0..block.txs.len())
            .map(|i| mined_transaction(block, i))
            .collect()
    } else {
        block.txs.iter().map(|t| json!(t.hash)).collect()
    };
    let mut out = header(h);
    let map = out.as_object_mut().expect("an object");
    map.insert("hash".into(), json!(block.hash));
    map.insert("size".into(), hex_u64(block.block.encoded().len() as u64));
    map.insert("uncles".into(), json!([]));
    map.insert("transactions".into(), Value::Array(transactions));
    map.insert("totalDifficulty".into(), hex_u256(h.difficulty));
    if let Some(withdrawals) = &block.block.withdrawals {
        map.insert("withdrawals".into(), withdrawals_json(withdrawals));
    }
    out
}

/// The fields every form of a transaction has.
pub fn transaction_fields(tx: &NodeTx) -> Map<String, Value> {
    let t = &tx.tx;
    let mut map = Map::new();
    map.insert("hash".into(), json!(tx.hash));
    map.insert("from".into(), json!(tx.sender));
    map.insert(
        "to".into(),
        match t.kind() {
            TxKind::Call(to) => json!(to),
            TxKind::Create => Value::Null,
        },
    );
    map.insert("nonce".into(), hex_u64(t.nonce()));
    map.insert("gas".into(), hex_u64(t.gas_limit()));
    map.insert("type".into(), hex_u64(t.tx_type() as u64));
    let (value, input) = value_and_input(t);
    map.insert("value".into(), hex_u256(value));
    map.insert("input".into(), hex_bytes(&input));
    if let Some(chain_id) = t.chain_id() {
        map.insert("chainId".into(), hex_u256(chain_id));
    }
    match t {
        Transaction::Legacy(l) => {
            map.insert("gasPrice".into(), hex_u256(l.gas_price));
            map.insert("v".into(), hex_u256(l.v));
            map.insert("r".into(), hex_u256(l.r));
            map.insert("s".into(), hex_u256(l.s));
        }
        Transaction::AccessList(x) => {
            map.insert("gasPrice".into(), hex_u256(x.gas_price));
            map.insert("accessList".into(), access_list(&x.access_list));
            signature(&mut map, x.y_parity, x.r, x.s);
        }
        Transaction::FeeMarket(x) => {
            fees(&mut map, x.max_fee_per_gas, x.max_priority_fee_per_gas);
            map.insert("accessList".into(), access_list(&x.access_list));
            signature(&mut map, x.y_parity, x.r, x.s);
        }
        Transaction::Blob(x) => {
            fees(&mut map, x.max_fee_per_gas, x.max_priority_fee_per_gas);
            map.insert("accessList".into(), access_list(&x.access_list));
            map.insert("maxFeePerBlobGas".into(), hex_u256(x.max_fee_per_blob_gas));
            map.insert("blobVersionedHashes".into(), json!(x.blob_versioned_hashes));
            signature(&mut map, x.y_parity, x.r, x.s);
        }
        Transaction::SetCode(x) => {
            fees(&mut map, x.max_fee_per_gas, x.max_priority_fee_per_gas);
            map.insert("accessList".into(), access_list(&x.access_list));
            let auths: Vec<Value> = x
                .authorization_list
                .iter()
                .map(|a| {
                    json!({
                        "chainId": hex_u256(a.chain_id),
                        "address": a.address,
                        "nonce": hex_u64(a.nonce),
                        "yParity": hex_u256(a.y_parity),
                        "r": hex_u256(a.r),
                        "s": hex_u256(a.s),
                    })
                })
                .collect();
            map.insert("authorizationList".into(), Value::Array(auths));
            signature(&mut map, x.y_parity, x.r, x.s);
        }
    }
    map
}

fn fees(map: &mut Map<String, Value>, max_fee: U256, tip: U256) {
    map.insert("maxFeePerGas".into(), hex_u256(max_fee));
    map.insert("maxPriorityFeePerGas".into(), hex_u256(tip));
    map.insert("gasPrice".into(), hex_u256(max_fee));
}

fn signature(map: &mut Map<String, Value>, y_parity: U256, r: U256, s: U256) {
    map.insert("v".into(), hex_u256(y_parity));
    map.insert("yParity".into(), hex_u256(y_parity));
    map.insert("r".into(), hex_u256(r));
    map.insert("s".into(), hex_u256(s));
}

fn access_list(list: &[ember_primitives::AccessListItem]) -> Value {
    Value::Array(
        list.iter()
            .map(|item| json!({ "address": item.address, "storageKeys": item.storage_keys }))
            .collect(),
    )
}

/// A transaction's value and calldata.
pub fn value_and_input(t: &Transaction) -> (U256, Bytes) {
    match t {
        Transaction::Legacy(x) => (x.value, x.data.clone()),
        Transaction::AccessList(x) => (x.value, x.data.clone()),
        Transaction::FeeMarket(x) => (x.value, x.data.clone()),
        Transaction::Blob(x) => (x.value, x.data.clone()),
        Transaction::SetCode(x) => (x.value, x.data.clone()),
    }
}

/// A pending transaction (no block yet). With the next block's `base_fee`, an EIP-1559
/// transaction's `gasPrice` is what it would pay (as `eth_getTransactionByHash` shows it);
/// without, its max fee (as `txpool_content` shows it).
pub fn pending_transaction(tx: &NodeTx, base_fee: Option<U256>) -> Value {
    let mut map = transaction_fields(tx);
    if let Some(price) = base_fee.and_then(|fee| tx.effective_gas_price(fee)) {
        if tx.tx.max_priority_fee_per_gas().is_some() {
            map.insert("gasPrice".into(), hex_u256(price));
        }
    }
    map.insert("blockHash".into(), Value::Null);
    map.insert("blockNumber".into(), Value::Null);
    map.insert("transactionIndex".into(), Value::Null);
    Value::Object(map)
}

/// Transaction `index` of a mined block.
pub fn mined_transaction(block: &MinedBlock, index: usize) -> Value {
    let tx = &block.txs[index];
    let mut map = transaction_fields(tx);
    map.insert("blockHash".into(), json!(block.hash));
    map.insert("blockNumber".into(), hex_u64(block.number()));
    map.insert(
        "blockTimestamp".into(),
        hex_u64(block.block.header.timestamp),
    );
    map.insert("transactionIndex".into(), hex_u64(index as u64));
    if tx.tx.tx_type() != TxType::Legacy && tx.tx.tx_type() != TxType::AccessList {
        let price = block.outcomes[index].effective_gas_price;
        map.insert("gasPrice".into(), hex_u256(price));
    }
    Value::Object(map)
}

/// The logs of transaction `index` of a block, with their positions.
pub fn tx_logs(block: &MinedBlock, index: usize) -> Vec<Value> {
    let first = block.first_log_index(index);
    block.outcomes[index]
        .receipt
        .logs
        .iter()
        .enumerate()
        .map(|(i, log)| mined_log(block, index, first + i, log))
        .collect()
}

/// One log of a mined block.
pub fn mined_log(block: &MinedBlock, tx_index: usize, log_index: usize, log: &Log) -> Value {
    json!({
        "address": log.address,
        "topics": log.topics,
        "data": hex_bytes(&log.data),
        "blockHash": block.hash,
        "blockNumber": hex_u64(block.number()),
        "blockTimestamp": hex_u64(block.block.header.timestamp),
        "transactionHash": block.txs[tx_index].hash,
        "transactionIndex": hex_u64(tx_index as u64),
        "logIndex": hex_u64(log_index as u64),
        "removed": false,
    })
}

/// The receipt of transaction `index` of a block.
pub fn receipt(block: &MinedBlock, index: usize, blob_gas_price: Option<U256>) -> Value {
    let tx = &block.txs[index];
    let outcome = &block.outcomes[index];
    let (status, root) = match outcome.receipt.outcome {
        ReceiptOutcome::Status(ok) => (ok, None),
        ReceiptOutcome::StateRoot(root) => (true, Some(root)),
    };
    let to = match tx.tx.kind() {
        TxKind::Call(to) => json!(to),
        TxKind::Create => Value::Null,
    };
    let mut out = json!({
        "transactionHash": tx.hash,
        "transactionIndex": hex_u64(index as u64),
        "blockHash": block.hash,
        "blockNumber": hex_u64(block.number()),
        "blockTimestamp": hex_u64(block.block.header.timestamp),
        "from": tx.sender,
        "to": to,
        "cumulativeGasUsed": hex_u64(outcome.receipt.cumulative_gas_used),
        "gasUsed": hex_u64(outcome.gas_used),
        "contractAddress": outcome.contract_address.map_or(Value::Null, |a: Address| json!(a)),
        "logs": tx_logs(block, index),
        "logsBloom": hex_bytes(outcome.receipt.bloom.as_slice()),
        "type": hex_u64(tx.tx.tx_type() as u64),
        "status": if status { "0x1" } else { "0x0" },
        "effectiveGasPrice": hex_u256(outcome.effective_gas_price),
    });
    let map = out.as_object_mut().expect("object");
    // Before Byzantium (EIP-658) a receipt holds the state root instead of a status.
    if let Some(root) = root {
        map.remove("status");
        map.insert("root".into(), json!(root));
    }
    if tx.tx.tx_type() == TxType::Blob {
        map.insert("blobGasUsed".into(), hex_u64(outcome.blob_gas_used));
    }
    // Anvil reports the block's blob gas price on every receipt from Cancun.
    if let Some(price) = blob_gas_price {
        map.insert("blobGasPrice".into(), hex_u256(price));
    }
    out
}

/// EIP-4895 withdrawals as the JSON-RPC spec writes them (in blocks and engine payloads).
pub(crate) fn withdrawals_json(withdrawals: &[ember_blockchain::Withdrawal]) -> Value {
    withdrawals
        .iter()
        .map(|w| {
            json!({
                "index": hex_u64(w.index),
                "validatorIndex": hex_u64(w.validator_index),
                "address": w.address,
                "amount": hex_u64(w.amount),
            })
        })
        .collect()
}

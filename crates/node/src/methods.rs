//! The JSON-RPC methods: one table from name to handler, then the handlers by family
//! (`eth_`, `net_`/`web3_`, the `anvil_`/`hardhat_`/`evm_` cheat codes, `txpool_`).

use std::collections::BTreeMap;

use ember_evm::{ExecutionResult, NoopInspector};
use ember_primitives::{keccak256, Address, Bytes, TxType, B256, U256};
use ember_rpc::{RpcError, RpcService};
use ember_transaction::Transaction;
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

use crate::call::call_setup;
use crate::exec;
use crate::filter::{FilterKind, LogFilter};
use crate::filter::{Subscription, SubscriptionKind};
use crate::node::{Node, NodeState, CLIENT_VERSION};
use crate::params::{hex_u64, BlockId, Params, Quantity};
use crate::render::{self, hex_bytes, hex_u256};
use crate::tx::{NodeTx, TxRequest};

/// Reads that take microseconds under the lock (the lock is never held across I/O; a block
/// being mined holds it for about a millisecond).
const QUICK_METHODS: &[&str] = &[
    "eth_chainId",
    "net_version",
    "web3_clientVersion",
    "eth_blockNumber",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
    "eth_getBalance",
    "eth_getTransactionCount",
    "eth_getCode",
    "eth_getStorageAt",
    "eth_getTransactionReceipt",
    "eth_getTransactionByHash",
    "eth_accounts",
    "eth_syncing",
];

impl RpcService for Node {
    fn is_quick(&self, method: &str) -> bool {
        QUICK_METHODS.contains(&method)
    }

    fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let params = Params::new(params)?;
        dispatch(self, method, &params)
    }

    fn subscribe(&self, params: Value) -> Result<UnboundedReceiver<Value>, RpcError> {
        let params = Params::new(params)?;
        let kind: String = params.required(0, "subscription")?;
        let kind = match kind.as_str() {
            "newHeads" => SubscriptionKind::NewHeads,
            "logs" => SubscriptionKind::Logs(match params.raw(1) {
                Some(v) if !v.is_null() => LogFilter::from_value(v)?,
                _ => LogFilter::default(),
            }),
            "newPendingTransactions" => SubscriptionKind::PendingTransactions,
            other => {
                return Err(RpcError::invalid_params(format!(
                "`subscription`: unknown kind `{other}` (newHeads, logs, newPendingTransactions)"
            )))
            }
        };
        let (sender, receiver) = unbounded_channel();
        self.lock()?
            .subscriptions
            .add(Subscription { kind, sender });
        Ok(receiver)
    }
}

/// Runs `method`.
pub fn dispatch(node: &Node, method: &str, p: &Params) -> Result<Value, RpcError> {
    // Methods that run the EVM on a snapshot of the state, outside the lock.
    match method {
        "eth_call" => return eth_call(node, p),
        "eth_estimateGas" => return eth_estimate_gas(node, p),
        "eth_simulateV1" => return crate::simulate::simulate(node, p),
        "eth_createAccessList" => return eth_create_access_list(node, p),
        "debug_traceTransaction" => return crate::debug::trace_transaction(node, p),
        "debug_traceCall" => return crate::debug::trace_call(node, p),
        "trace_transaction" => return crate::parity_trace::trace_transaction(node, p),
        "trace_block" => return crate::parity_trace::trace_block(node, p),
        "trace_replayBlockTransactions" => {
            return crate::parity_trace::replay_block_transactions(node, p)
        }
        "ots_getApiLevel" => return Ok(crate::parity_trace::ots_api_level()),
        "ots_hasCode" => return crate::parity_trace::ots_has_code(node, p),
        "debug_traceBlockByNumber" | "debug_traceBlockByHash" => {
            return trace_block(node, method, p)
        }
        _ => {}
    }
    let mut s = node.lock()?;
    let result = match method {
        // ---- identity ----
        "web3_clientVersion" => json!(CLIENT_VERSION),
        "web3_sha3" => {
            let data: Bytes = p.required(0, "data")?;
            json!(keccak256(&data))
        }
        "net_version" => json!(s.chain.chain_id.to_string()),
        "net_listening" => json!(true),
        "net_peerCount" => hex_u64(0),
        "eth_chainId" => hex_u64(s.chain.chain_id),
        "eth_protocolVersion" => hex_u64(0x41),
        "eth_syncing" => json!(false),
        "engine_forkchoiceUpdatedV1"
        | "engine_forkchoiceUpdatedV2"
        | "engine_forkchoiceUpdatedV3" => forkchoice_updated(&mut s, p)?,
        "eth_hashrate" => hex_u64(0),
        "eth_coinbase" => json!(s.coinbase),
        "eth_accounts" => {
            let mut out: Vec<Address> = s.accounts.iter().map(|a| a.address).collect();
            let mut extra: Vec<Address> = s
                .impersonated
                .iter()
                .filter(|a| !out.contains(a))
                .copied()
                .collect();
            extra.sort();
            out.extend(extra);
            json!(out)
        }
        // ---- state ----
        "eth_blockNumber" => hex_u64(s.chain.head_number()),
        "eth_getBalance" => {
            let address: Address = p.required(0, "address")?;
            let state = s.state_at(p.optional(1, "block")?)?;
            hex_u256(
                s.account_in(&state, address)?
                    .map_or(U256::ZERO, |a| a.balance),
            )
        }
        "eth_getTransactionCount" => {
            let address: Address = p.required(0, "address")?;
            let block: Option<BlockId> = p.optional(1, "block")?;
            if block == Some(BlockId::Pending) {
                hex_u64(s.pending_nonce(address))
            } else {
                let state = s.state_at(block)?;
                hex_u64(s.account_in(&state, address)?.map_or(0, |a| a.nonce))
            }
        }
        "eth_getCode" => {
            let address: Address = p.required(0, "address")?;
            let state = s.state_at(p.optional(1, "block")?)?;
            let code = s
                .account_in(&state, address)?
                .and_then(|a| a.code.map(|c| c.original().clone()))
                .unwrap_or_default();
            hex_bytes(&code)
        }
        "eth_getStorageAt" => {
            if let (true, Some(Value::String(key))) = (s.config.follows_spec(), p.raw(1)) {
                if key.trim_start_matches("0x").len() > 64 {
                    return Err(RpcError::invalid_params(format!(
                        "storage key too long (want at most 32 bytes): {key:?}"
                    )));
                }
            }
            let address: Address = p.required(0, "address")?;
            let slot: U256 = p.required(1, "slot")?;
            let state = s.state_at(p.optional(2, "block")?)?;
            let value = s.slot_in(&state, address, slot)?;
            json!(B256::from(value))
        }
        "eth_getProof" => crate::proof::get_proof(&s, p)?,
        "eth_getStorageValues" => {
            let request: BTreeMap<Address, Vec<U256>> = p.required(0, "requests")?;
            if request.is_empty() {
                return Err(RpcError::invalid_params("empty request"));
            }
            let state = s.state_at(p.optional(1, "block")?)?;
            let mut out = serde_json::Map::new();
            for (address, slots) in &request {
                let values = slots
                    .iter()
                    .map(|slot| Ok(json!(B256::from(s.slot_in(&state, *address, *slot)?))))
                    .collect::<Result<Vec<Value>, RpcError>>()?;
                out.insert(format!("{address:#x}"), Value::Array(values));
            }
            Value::Object(out)
        }
        "eth_config" => match &s.config.spec_chain {
            Some(config) => config.clone(),
            None => return Err(RpcError::new(-32601, "Method not found: eth_config")),
        },
        "testing_buildBlockV1" => build_block(&s, p)?,
        "eth_baseFee" => hex_u256(s.peek_template().base_fee),
        "eth_capabilities" => {
            let head = s.chain.head();
            let oldest = json!({"disabled": false, "oldestBlock": hex_u64(s.chain.first_number())});
            json!({
                "head": {"number": hex_u64(head.number()), "hash": head.hash},
                "state": oldest, "tx": oldest, "receipts": oldest, "blocks": oldest,
                "stateproofs": oldest,
                "logs": {"disabled": false, "oldestBlock": hex_u64(s.chain.first_number())},
            })
        }
        "debug_getRawBlock" | "debug_getRawHeader" | "debug_getRawReceipts" => {
            require_0x(p, 0)?;
            let id: BlockId = p.required(0, "block")?;
            let block = s
                .resolve(Some(id))
                .ok()
                .and_then(|n| s.chain.block(n))
                .ok_or_else(|| RpcError::server("block not found"))?;
            match method {
                "debug_getRawBlock" => hex_bytes(&block.block.encoded()),
                "debug_getRawHeader" => hex_bytes(&block.block.header.encoded()),
                _ => Value::Array(
                    block
                        .outcomes
                        .iter()
                        .map(|o| hex_bytes(&o.receipt.encoded()))
                        .collect(),
                ),
            }
        }
        "debug_getRawTransaction" => {
            require_0x(p, 0)?;
            let hash: B256 = p.required(0, "hash")?;
            match s.chain.find_tx(&hash) {
                Some((block, i)) => hex_bytes(&block.txs[i].tx.encode()),
                None => match s.pool.get(&hash) {
                    Some(tx) => hex_bytes(&tx.tx.encode()),
                    None => Value::Null,
                },
            }
        }
        // ---- fees ----
        "eth_gasPrice" => hex_u256(s.gas_price()),
        "eth_maxPriorityFeePerGas" => hex_u256(s.suggested_tip()),
        "eth_blobBaseFee" => {
            let block = s.call_block_env(Some(BlockId::Pending))?;
            hex_u256(blob_base_fee(&block))
        }
        "eth_feeHistory" => fee_history(&s, p)?,
        // ---- transactions ----
        "eth_sendTransaction" => {
            let request: TxRequest = p.required(0, "transaction")?;
            json!(s.send_request(request)?)
        }
        "eth_sendUnsignedTransaction" => {
            let request: TxRequest = p.required(0, "transaction")?;
            json!(s.send_request_as(request, true)?)
        }
        "eth_sendRawTransaction" => {
            let raw: Bytes = p.required(0, "data")?;
            if raw.is_empty() {
                return Err(RpcError::invalid_params("Empty transaction data"));
            }
            // Anvil's words; the decoder's reason follows for people.
            let tx = decode_raw_transaction(&raw).map_err(|e| {
                // The decoder's reason goes to the node's log; anvil's words to the client.
                eprintln!("eth_sendRawTransaction: {e}");
                RpcError::invalid_params("Failed to decode transaction")
            })?;
            let sender = tx
                .recover_sender(s.spec())
                .map_err(|e| RpcError::server(format!("invalid signature: {e}")))?;
            json!(s.submit(NodeTx::signed(tx, sender))?)
        }
        "eth_getTransactionByHash" => {
            let hash: B256 = p.required(0, "hash")?;
            match s.chain.find_tx(&hash) {
                Some((block, i)) => render::mined_transaction(block, i),
                None => {
                    let base_fee = s.peek_template().base_fee;
                    s.pool.get(&hash).map_or(Value::Null, |tx| {
                        render::pending_transaction(tx, Some(base_fee))
                    })
                }
            }
        }
        "eth_getTransactionReceipt" => {
            let hash: B256 = p.required(0, "hash")?;
            match s.chain.find_tx(&hash) {
                Some((block, i)) => render::receipt(block, i, block_blob_price(&s, block)),
                None => Value::Null,
            }
        }
        "eth_getTransactionByBlockNumberAndIndex" | "eth_getTransactionByBlockHashAndIndex" => {
            let id: BlockId = p.required(0, "block")?;
            let index: Quantity = p.required(1, "index")?;
            match s.resolve(Some(id)).ok().and_then(|n| s.chain.block(n)) {
                Some(b) if (index.0 as usize) < b.txs.len() => {
                    render::mined_transaction(b, index.0 as usize)
                }
                _ => Value::Null,
            }
        }
        // ---- blocks ----
        "eth_getBlockByNumber" | "eth_getBlockByHash" => {
            let id: BlockId = p.required(0, "block")?;
            let full: bool = p.optional(1, "full")?.unwrap_or(false);
            if id == BlockId::Pending {
                pending_block(&s, full)
            } else {
                match s.resolve(Some(id)).ok().and_then(|n| s.chain.block(n)) {
                    Some(b) => render::block(b, full),
                    // In fork mode, blocks up to the fork block are the forked chain's.
                    None => match (&s.chain.remote, id) {
                        (Some(remote), BlockId::Number(n)) if n <= remote.block => remote
                            .cached_request(
                                "eth_getBlockByNumber",
                                json!([format!("{n:#x}"), full]),
                            )
                            .map_err(|e| RpcError::internal(e.to_string()))?,
                        (Some(remote), BlockId::Hash(h)) => remote
                            .cached_request("eth_getBlockByHash", json!([h, full]))
                            .map_err(|e| RpcError::internal(e.to_string()))?,
                        _ => Value::Null,
                    },
                }
            }
        }
        "eth_getBlockReceipts" => {
            let id: BlockId = p.required(0, "block")?;
            match s.resolve(Some(id)).ok().and_then(|n| s.chain.block(n)) {
                Some(b) => {
                    let price = block_blob_price(&s, b);
                    Value::Array(
                        (0..b.txs.len())
                            .map(|i| render::receipt(b, i, price))
                            .collect(),
                    )
                }
                None => Value::Null,
            }
        }
        "eth_getBlockTransactionCountByNumber" | "eth_getBlockTransactionCountByHash" => {
            let id: BlockId = p.required(0, "block")?;
            match s.resolve(Some(id)).ok().and_then(|n| s.chain.block(n)) {
                Some(b) => hex_u64(b.txs.len() as u64),
                None => Value::Null,
            }
        }
        "eth_getUncleCountByBlockNumber" | "eth_getUncleCountByBlockHash" => hex_u64(0),
        // ---- logs and filters ----
        "eth_getLogs" => {
            let filter = LogFilter::from_value(
                p.raw(0)
                    .ok_or_else(|| RpcError::invalid_params("missing parameter 0 `filter`"))?,
            )?;
            Value::Array(logs(&s, &filter)?)
        }
        "eth_newFilter" => {
            let filter = LogFilter::from_value(
                p.raw(0)
                    .ok_or_else(|| RpcError::invalid_params("missing parameter 0 `filter`"))?,
            )?;
            // The first poll reports from the filter's first block (the next one when it
            // names none or a tag).
            let next = match filter.from_block {
                Some(id @ (BlockId::Number(_) | BlockId::Earliest | BlockId::Hash(_))) => {
                    s.resolve(Some(id))?
                }
                _ => s.chain.head_number() + 1,
            };
            s.filters.install(FilterKind::Logs(filter), next)
        }
        "eth_newBlockFilter" => {
            let next = s.chain.head_number() + 1;
            s.filters.install(FilterKind::Blocks, next)
        }
        "eth_newPendingTransactionFilter" => {
            let next = s.chain.head_number() + 1;
            s.filters.install(FilterKind::PendingTransactions, next)
        }
        "eth_uninstallFilter" => {
            let id: String = p.required(0, "id")?;
            json!(s.filters.remove(&id))
        }
        "eth_getFilterChanges" => filter_changes(&mut s, p)?,
        "eth_getFilterLogs" => {
            let id: String = p.required(0, "id")?;
            let filter = match s.filters.get_mut(&id).map(|f| f.kind.clone()) {
                Some(FilterKind::Logs(f)) => f,
                Some(_) => return Err(RpcError::invalid_params("`id`: not a log filter")),
                None => return Err(RpcError::server("filter not found")),
            };
            Value::Array(logs(&s, &filter)?)
        }
        // ---- signing ----
        "eth_sign" => {
            let address: Address = p.required(0, "address")?;
            let message: Bytes = p.required(1, "message")?;
            let key = dev_key(&s, &address)?;
            hex_bytes(&ember_wallet::eth_sign(&key, &message).map_err(wallet_error)?)
        }
        "personal_sign" => {
            let message: Bytes = p.required(0, "message")?;
            let address: Address = p.required(1, "address")?;
            let key = dev_key(&s, &address)?;
            hex_bytes(&ember_wallet::eth_sign(&key, &message).map_err(wallet_error)?)
        }
        "eth_signTypedData_v4" | "eth_signTypedData" => {
            let address: Address = p.required(0, "address")?;
            let data = match p.raw(1) {
                Some(Value::String(text)) => serde_json::from_str(text)
                    .map_err(|e| RpcError::invalid_params(format!("`typedData`: not JSON: {e}")))?,
                Some(v) => v.clone(),
                None => return Err(RpcError::invalid_params("missing parameter 1 `typedData`")),
            };
            let key = dev_key(&s, &address)?;
            hex_bytes(&ember_wallet::sign_typed_data(&key, &data).map_err(wallet_error)?)
        }
        "eth_signTransaction" => {
            let request: TxRequest = p.required(0, "transaction")?;
            let from = request.from.ok_or_else(|| {
                RpcError::invalid_params("missing `from` (parameter `transaction`)")
            })?;
            let key = dev_key(&s, &from)?;
            let mut tx = s.fill(&request, from, false)?;
            ember_wallet::sign_transaction(&mut tx, &key).map_err(wallet_error)?;
            hex_bytes(&tx.encode())
        }
        "eth_fillTransaction" => {
            let request: TxRequest = p.required(0, "transaction")?;
            let from = request.from.unwrap_or_default();
            let tx = s.fill(&request, from, true)?;
            let raw = tx.encode();
            json!({ "raw": hex_bytes(&raw), "tx": render::pending_transaction(&NodeTx::signed(tx, from), None) })
        }
        // ---- pool ----
        "txpool_status" => {
            let (ready, queued) = split_pool(&s);
            json!({ "pending": hex_u64(ready.len() as u64), "queued": hex_u64(queued.len() as u64) })
        }
        // anvil has no txpool_contentFrom: only a chain that follows the spec answers it.
        "txpool_contentFrom" if s.config.follows_spec() => {
            let address: Address = p.required(0, "address")?;
            let (ready, queued) = split_pool(&s);
            let group = |txs: &[&NodeTx]| {
                let mut by_nonce = serde_json::Map::new();
                for tx in txs.iter().filter(|t| t.sender == address) {
                    by_nonce.insert(
                        tx.nonce().to_string(),
                        render::pending_transaction(tx, None),
                    );
                }
                Value::Object(by_nonce)
            };
            json!({ "pending": group(&ready), "queued": group(&queued) })
        }
        "txpool_content" | "txpool_inspect" => {
            let inspect = method == "txpool_inspect";
            let (ready, queued) = split_pool(&s);
            let group = |txs: &[&NodeTx]| {
                let mut by_sender: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
                for tx in txs {
                    let value = if inspect {
                        let (value, _) = render::value_and_input(&tx.tx);
                        let to = match tx.tx.kind() {
                            ember_primitives::TxKind::Call(to) => format!("{to:#x}"),
                            ember_primitives::TxKind::Create => "contract creation".into(),
                        };
                        json!(format!(
                            "{to}: {value} wei + {} gas × {} wei",
                            tx.tx.gas_limit(),
                            tx.tx.max_fee_per_gas()
                        ))
                    } else {
                        render::pending_transaction(tx, None)
                    };
                    by_sender
                        .entry(format!("{:#x}", tx.sender))
                        .or_default()
                        .insert(tx.nonce().to_string(), value);
                }
                json!(by_sender)
            };
            json!({ "pending": group(&ready), "queued": group(&queued) })
        }
        // ---- cheat codes ----
        _ => return crate::cheats::dispatch(node, &mut s, method, p),
    };
    let mut result = result;
    if s.config.follows_spec() {
        spec_fixups(method, &mut result);
    }
    Ok(result)
}

/// A block parameter written as a number must be `0x`-hex (geth's words).
fn require_0x(p: &Params, index: usize) -> Result<(), RpcError> {
    if let Some(Value::String(text)) = p.raw(index) {
        let tag = matches!(
            text.as_str(),
            "latest" | "earliest" | "pending" | "safe" | "finalized"
        );
        if !tag && !text.starts_with("0x") {
            return Err(RpcError::invalid_params(format!(
                "invalid argument {index}: hex string without 0x prefix"
            )));
        }
    }
    Ok(())
}

/// Where the specification and anvil differ, on a chain that follows the specification:
/// blocks carry no `totalDifficulty` (removed from the spec after the merge), receipts no
/// `blockTimestamp`, and `blobGasPrice` only for blob transactions.
fn spec_fixups(method: &str, result: &mut Value) {
    fn receipt(r: &mut Value) {
        if let Some(map) = r.as_object_mut() {
            map.remove("blockTimestamp");
            if map.get("type") != Some(&json!("0x3")) {
                map.remove("blobGasPrice");
            }
        }
    }
    match method {
        "eth_getBlockByNumber" | "eth_getBlockByHash" => {
            if let Some(map) = result.as_object_mut() {
                map.remove("totalDifficulty");
            }
        }
        "eth_getTransactionReceipt" => receipt(result),
        "eth_getBlockReceipts" => {
            if let Some(list) = result.as_array_mut() {
                list.iter_mut().for_each(receipt);
            }
        }
        _ => {}
    }
}

/// The block the pool would mine next: its header values and transactions (no roots yet).
fn pending_block(s: &NodeState, full: bool) -> Value {
    let template = s.peek_template();
    let head = s.chain.head();
    let state = s.chain.state();
    let txs = s.pool.select(
        |a| state.accounts.get(&a).map_or(0, |x| x.info.nonce),
        template.base_fee,
        template.gas_limit,
    );
    let transactions: Vec<Value> = txs
        .iter()
        .map(|tx| {
            if full {
                render::pending_transaction(tx, Some(template.base_fee))
            } else {
                json!(tx.hash)
            }
        })
        .collect();
    let mut block = render::block(head, false);
    let map = block.as_object_mut().expect("object");
    map.insert("hash".into(), Value::Null);
    map.insert("number".into(), hex_u64(head.number() + 1));
    map.insert("parentHash".into(), json!(head.hash));
    map.insert("timestamp".into(), hex_u64(template.timestamp));
    map.insert("gasLimit".into(), hex_u64(template.gas_limit));
    map.insert("gasUsed".into(), hex_u64(0));
    map.insert("miner".into(), json!(template.coinbase));
    map.insert("stateRoot".into(), json!(B256::ZERO));
    map.insert("transactions".into(), Value::Array(transactions));
    if s.spec().tx_fee_market {
        map.insert("baseFeePerGas".into(), hex_u256(template.base_fee));
    }
    block
}

fn wallet_error(e: ember_wallet::WalletError) -> RpcError {
    RpcError::invalid_params(e.to_string())
}

fn dev_key(s: &NodeState, address: &Address) -> Result<B256, RpcError> {
    s.signer(address)
        .map(|a| a.secret_key)
        .ok_or_else(|| RpcError::new(-32602, "No Signer available"))
}

fn split_pool(s: &NodeState) -> (Vec<&NodeTx>, Vec<&NodeTx>) {
    let state = s.chain.state();
    s.pool
        .split(|a| state.accounts.get(&a).map_or(0, |x| x.info.nonce))
}

/// The blob base fee of a block environment.
fn blob_base_fee(block: &ember_primitives::BlockEnv) -> U256 {
    match (block.excess_blob_gas, block.blob_params) {
        (Some(excess), Some(params)) => U256::from(params.base_fee(excess)),
        _ => U256::ZERO,
    }
}

fn block_blob_price(s: &NodeState, block: &crate::chain::MinedBlock) -> Option<U256> {
    let params = s.chain.config().blob_params(s.chain.fork)?;
    Some(U256::from(
        params.base_fee(block.block.header.excess_blob_gas?),
    ))
}

/// The logs a filter selects.
fn logs(s: &NodeState, filter: &LogFilter) -> Result<Vec<Value>, RpcError> {
    let mut out = Vec::new();
    if let Some(hash) = filter.block_hash {
        let block = s
            .chain
            .block_by_hash(&hash)
            .ok_or_else(|| RpcError::server("unknown block"))?;
        filter.block_logs(block, &mut out);
        return Ok(out);
    }
    let from = s.resolve(filter.from_block)?;
    let to = s.resolve(filter.to_block)?;
    if from > to {
        if s.config.follows_spec() {
            return Err(RpcError::invalid_params("invalid block range params"));
        }
        return Ok(out);
    }
    for number in from..=to {
        if let Some(block) = s.chain.block(number) {
            filter.block_logs(block, &mut out);
        }
    }
    Ok(out)
}

fn filter_changes(s: &mut NodeState, p: &Params) -> Result<Value, RpcError> {
    let id: String = p.required(0, "id")?;
    let head = s.chain.head_number();
    let (kind, next, pending) = {
        let f = s
            .filters
            .get_mut(&id)
            .ok_or_else(|| RpcError::server("filter not found"))?;
        let next = f.next_block;
        f.next_block = f.next_block.max(head + 1);
        (f.kind.clone(), next, std::mem::take(&mut f.pending))
    };
    Ok(match kind {
        FilterKind::Blocks => Value::Array(
            (next..=head)
                .filter_map(|n| s.chain.block(n))
                .map(|b| json!(b.hash))
                .collect(),
        ),
        FilterKind::PendingTransactions => json!(pending),
        FilterKind::Logs(filter) => {
            let mut out = Vec::new();
            let from = match filter.from_block {
                Some(BlockId::Number(n)) => n.max(next),
                _ => next,
            };
            let to = match filter.to_block {
                Some(BlockId::Number(n)) => n.min(head),
                _ => head,
            };
            for number in from..=to {
                if let Some(block) = s.chain.block(number) {
                    filter.block_logs(block, &mut out);
                }
            }
            Value::Array(out)
        }
    })
}

fn fee_history(s: &NodeState, p: &Params) -> Result<Value, RpcError> {
    let count: Quantity = p.required(0, "blockCount")?;
    let newest = s.resolve(Some(p.required::<BlockId>(1, "newestBlock")?))?;
    let percentiles: Vec<f64> = p.optional(2, "rewardPercentiles")?.unwrap_or_default();
    let count = count.0.min(1024).min(newest + 1 - s.chain.first_number());
    let oldest = newest + 1 - count;
    let mut base_fees = Vec::new();
    let mut ratios = Vec::new();
    let mut blob_fees = Vec::new();
    let mut blob_ratios = Vec::new();
    let mut rewards = Vec::new();
    let params = s.chain.config().blob_params(s.chain.fork);
    for number in oldest..=newest {
        let Some(block) = s.chain.block(number) else {
            continue;
        };
        let h = &block.block.header;
        base_fees.push(hex_u256(h.base_fee_per_gas.unwrap_or_default()));
        ratios.push(json!(h.gas_used as f64 / h.gas_limit.max(1) as f64));
        if let (Some(params), Some(excess)) = (params, h.excess_blob_gas) {
            blob_fees.push(hex_u256(U256::from(params.base_fee(excess))));
            blob_ratios.push(json!(
                h.blob_gas_used.unwrap_or(0) as f64 / params.max_blob_gas().max(1) as f64
            ));
        }
        if !percentiles.is_empty() {
            let base = h.base_fee_per_gas.unwrap_or_default();
            let mut tips: Vec<(U256, u64)> = block
                .txs
                .iter()
                .zip(&block.outcomes)
                .map(|(tx, o)| (tx.tip(base), o.gas_used))
                .collect();
            tips.sort();
            let total: u64 = tips.iter().map(|t| t.1).sum();
            let row: Vec<Value> = percentiles
                .iter()
                .map(|pct| {
                    if tips.is_empty() {
                        return hex_u64(0);
                    }
                    let threshold = (total as f64 * pct / 100.0) as u64;
                    let mut sum = 0;
                    for (tip, gas) in &tips {
                        sum += gas;
                        if sum >= threshold {
                            return hex_u256(*tip);
                        }
                    }
                    hex_u256(tips.last().expect("non-empty").0)
                })
                .collect();
            rewards.push(Value::Array(row));
        }
    }
    // Then the pending block's (anvil's choice, also for a past range).
    let next_base = s.next_base_fee.unwrap_or_else(|| s.chain.next_base_fee());
    base_fees.push(hex_u256(next_base));
    let mut out = json!({
        "oldestBlock": hex_u64(oldest),
        "baseFeePerGas": base_fees,
        "gasUsedRatio": ratios,
    });
    let map = out.as_object_mut().expect("object");
    if let Some(params) = params {
        let next_excess = s.chain.next_excess_blob_gas().unwrap_or(0);
        blob_fees.push(hex_u256(U256::from(params.base_fee(next_excess))));
        map.insert("baseFeePerBlobGas".into(), json!(blob_fees));
        map.insert("blobGasUsedRatio".into(), json!(blob_ratios));
    }
    map.insert("reward".into(), json!(rewards));
    Ok(out)
}

fn eth_call(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let c = call_setup(node, p)?;
    let (result, _) = exec::run(c.db, c.fork, c.chain_id, &c.block, &c.env, NoopInspector)
        .map_err(exec::invalid_tx_error)?;
    Ok(hex_bytes(&exec::call_output(&result)?))
}

fn eth_estimate_gas(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let c = call_setup(node, p)?;
    let gas = exec::estimate_gas(&c.db, c.fork, c.chain_id, &c.block, &c.env, c.cap)?;
    Ok(hex_u64(gas))
}

fn eth_create_access_list(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let follows_spec = node.lock()?.config.follows_spec();
    let c = call_setup(node, p)?;
    let mut always_warm: std::collections::HashSet<Address> = std::collections::HashSet::new();
    always_warm.insert(c.env.caller);
    if let ember_primitives::TxKind::Call(to) = c.env.kind {
        always_warm.insert(to);
    } else {
        always_warm.insert(ember_blockchain::execute::create_address(
            c.env.caller,
            c.env.nonce,
        ));
    }
    for address in ember_evm::Precompiles::for_fork(c.fork).addresses() {
        always_warm.insert(*address);
    }
    // Run until the list stops changing (warming changes gas, which can change paths).
    let mut env = c.env.clone();
    let mut list = BTreeMap::new();
    let mut last = None;
    for _ in 0..4 {
        let (result, collector) = exec::run(
            c.db.clone(),
            c.fork,
            c.chain_id,
            &c.block,
            &env,
            exec::AccessCollector::default(),
        )
        .map_err(exec::invalid_tx_error)?;
        let mut touched = collector.touched;
        exec::prune_access_list(&mut touched, &always_warm);
        let gas_used = result.result.gas_used();
        let error = match &result.result {
            ExecutionResult::Success { .. } => None,
            // Anvil answers a reverting call with the revert error.
            // The specification reports it in the result's `error`.
            ExecutionResult::Revert { .. } if follows_spec => Some("execution reverted".into()),
            ExecutionResult::Revert { output, .. } => return Err(exec::revert_error(output)),
            ExecutionResult::Halt { reason, .. } => Some(exec::halt_error(reason).message),
        };
        let done = touched == list;
        list = touched;
        last = Some((gas_used, error));
        env.access_list = list
            .iter()
            .map(|(a, slots)| ember_primitives::AccessListItem {
                address: *a,
                storage_keys: slots.iter().copied().collect(),
            })
            .collect();
        if env.tx_type == TxType::Legacy {
            env.tx_type = TxType::AccessList;
        }
        if done {
            break;
        }
    }
    let (gas_used, error) = last.expect("ran at least once");
    let access_list: Vec<Value> = list
        .iter()
        .map(|(a, slots)| json!({ "address": a, "storageKeys": slots }))
        .collect();
    let mut out = json!({ "accessList": access_list, "gasUsed": hex_u64(gas_used) });
    if let Some(error) = error {
        out["error"] = json!(error);
    }
    let _ = &c.request;
    Ok(out)
}

/// `engine_forkchoiceUpdated`: makes a held block the head (dropping the blocks after it when
/// its state is kept) and sets the safe and finalized blocks; building payloads is not
/// supported (`payloadId` is null).
fn forkchoice_updated(s: &mut NodeState, p: &Params) -> Result<Value, RpcError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ForkchoiceState {
        head_block_hash: B256,
        safe_block_hash: B256,
        finalized_block_hash: B256,
    }
    let fc: ForkchoiceState = p.required(0, "forkchoiceState")?;
    let Some(head) = s
        .chain
        .block_by_hash(&fc.head_block_hash)
        .map(|b| b.number())
    else {
        return Ok(json!({
            "payloadStatus": {"status": "SYNCING", "latestValidHash": null, "validationError": null},
            "payloadId": null,
        }));
    };
    let number_of = |s: &NodeState, hash: &B256| -> Result<u64, RpcError> {
        if hash.is_zero() {
            return Ok(0);
        }
        s.chain
            .block_by_hash(hash)
            .map(|b| b.number())
            .ok_or_else(|| RpcError::new(-38002, "Invalid forkchoice state"))
    };
    let safe = number_of(s, &fc.safe_block_hash)?;
    let finalized = number_of(s, &fc.finalized_block_hash)?;
    if safe > head || finalized > safe {
        return Err(RpcError::new(-38002, "Invalid forkchoice state"));
    }
    if head != s.chain.head_number() {
        let state = s.chain.state_at(head).ok_or_else(|| {
            RpcError::server(format!("the state of block {head} is no longer kept"))
        })?;
        s.chain.rewind(head, state);
    }
    s.safe_finalized = Some((safe, finalized));
    Ok(json!({
        "payloadStatus": {
            "status": "VALID",
            "latestValidHash": fc.head_block_hash,
            "validationError": null,
        },
        "payloadId": null,
    }))
}

/// `debug_traceBlockByNumber` / `debug_traceBlockByHash [block, options]`: each transaction
/// of the block traced as `debug_traceTransaction` traces it, with its hash.
fn trace_block(node: &Node, method: &str, p: &Params) -> Result<Value, RpcError> {
    require_0x(p, 0)?;
    let hashes: Vec<B256> = {
        let s = node.lock()?;
        let block = if method == "debug_traceBlockByHash" {
            let hash: B256 = p.required(0, "hash")?;
            s.chain
                .block_by_hash(&hash)
                .ok_or_else(|| RpcError::server(format!("block {hash} not found")))?
        } else {
            let id: BlockId = p.required(0, "block")?;
            let number = s.resolve(Some(id))?;
            s.chain
                .block(number)
                .ok_or_else(|| RpcError::server(format!("block #{number} not found")))?
        };
        if block.number() == 0 {
            return Err(RpcError::server("genesis is not traceable"));
        }
        block.txs.iter().map(|t| t.hash).collect()
    };
    let options = p.raw(1).filter(|o| !o.is_null()).cloned();
    let mut out = Vec::with_capacity(hashes.len());
    for hash in hashes {
        let params = match &options {
            Some(o) => json!([hash, o]),
            None => json!([hash]),
        };
        let result = crate::debug::trace_transaction(node, &Params::new(params)?)?;
        out.push(json!({"txHash": hash, "result": result}));
    }
    Ok(Value::Array(out))
}

/// A raw transaction, also a blob transaction in its network form (EIP-4844:
/// `0x03 || rlp([tx_payload_body, blobs, commitments, proofs])`; EIP-7594 adds a wrapper
/// version after the body), whose versioned hashes must be those of its commitments (the KZG
/// proofs are not verified).
fn decode_raw_transaction(raw: &[u8]) -> Result<Transaction, String> {
    let plain = match Transaction::decode(raw) {
        Ok(tx) => return Ok(tx),
        Err(e) => e.to_string(),
    };
    if raw.first() != Some(&0x03) {
        return Err(plain);
    }
    let mut outer = &raw[1..];
    let header = alloy_rlp::Header::decode(&mut outer).map_err(|e| e.to_string())?;
    if !header.list {
        return Err(plain);
    }
    let items = outer;
    let mut rest = items;
    let item = |rest: &mut &[u8], split: bool| -> Result<(Vec<u8>, Vec<Bytes>), String> {
        let start = *rest;
        let h = alloy_rlp::Header::decode(rest).map_err(|e| e.to_string())?;
        let len = start.len() - rest.len() + h.payload_length;
        if len > start.len() {
            return Err("truncated network-form blob transaction".into());
        }
        let whole = start[..len].to_vec();
        let mut payload = &rest[..h.payload_length];
        *rest = &rest[h.payload_length..];
        let mut elems = Vec::new();
        while split && h.list && !payload.is_empty() {
            let e = <alloy_rlp::Bytes as alloy_rlp::Decodable>::decode(&mut payload)
                .map_err(|e| e.to_string())?;
            elems.push(Bytes::from(e.to_vec()));
        }
        Ok((whole, elems))
    };
    let (body, _) = item(&mut rest, false)?;
    // Osaka's form (EIP-7594) puts a wrapper version before the blobs.
    let (second, _) = item(&mut rest, false)?;
    if second.first().is_some_and(|b| *b < 0xc0) {
        item(&mut rest, false)?;
    }
    let (_, commitments) = item(&mut rest, true)?;
    let mut typed = vec![0x03];
    typed.extend_from_slice(&body);
    let tx = Transaction::decode(&typed).map_err(|e| e.to_string())?;
    if let Transaction::Blob(blob) = &tx {
        let want: Vec<B256> = commitments
            .iter()
            .map(|c| {
                use sha2::Digest;
                let mut h = B256::from_slice(&sha2::Sha256::digest(c));
                h.0[0] = ember_primitives::VERSIONED_HASH_VERSION_KZG;
                h
            })
            .collect();
        if want != blob.blob_versioned_hashes {
            return Err("the sidecar's commitments are not the versioned hashes".into());
        }
    }
    Ok(tx)
}

/// `testing_buildBlockV1 [parentHash, payloadAttributes, transactions | null, extraData]`:
/// the block the node would build on the head (from these raw transactions, or the pool's
/// when null) as an engine API payload, without adding it to the chain.
fn build_block(s: &NodeState, p: &Params) -> Result<Value, RpcError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct RpcWithdrawal {
        index: Quantity,
        validator_index: Quantity,
        address: Address,
        amount: Quantity,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Attributes {
        timestamp: Quantity,
        prev_randao: B256,
        suggested_fee_recipient: Address,
        #[serde(default)]
        withdrawals: Option<Vec<RpcWithdrawal>>,
        #[serde(default)]
        parent_beacon_block_root: Option<B256>,
    }
    let parent: B256 = p.required(0, "parentHash")?;
    let attributes: Attributes = p.required(1, "payloadAttributes")?;
    let raw_txs: Option<Vec<Bytes>> = p.optional(2, "transactions")?;
    let extra_data: Bytes = p.optional(3, "extraData")?.unwrap_or_default();
    let head = s.chain.head();
    if parent != head.hash {
        return Err(RpcError::server(format!(
            "block {parent} is not the head: only the head can be built on"
        )));
    }
    let number = head.number() + 1;
    let timestamp = attributes.timestamp.0;
    let fork = s.chain.fork_at(number, timestamp);
    let spec = ember_primitives::Spec::of(fork);
    let base_fee = s.chain.next_base_fee();
    // geth's miner: the gas limit moves toward its 60M target by at most parent/1024 - 1.
    let parent_limit = head.block.header.gas_limit;
    let step = (parent_limit / 1024).saturating_sub(1);
    let target = 60_000_000u64;
    let gas_limit = if parent_limit > target {
        parent_limit.saturating_sub(step).max(target)
    } else {
        parent_limit.saturating_add(step).min(target)
    };
    let txs = match raw_txs {
        Some(list) => list
            .iter()
            .map(|raw| {
                let tx = decode_raw_transaction(raw)
                    .map_err(|e| RpcError::invalid_params(format!("transaction: {e}")))?;
                let sender = tx
                    .recover_sender(spec)
                    .map_err(|e| RpcError::server(format!("invalid signature: {e}")))?;
                Ok(NodeTx::signed(tx, sender))
            })
            .collect::<Result<Vec<_>, RpcError>>()?,
        None => {
            let state = s.chain.state();
            s.pool.select(
                |a| state.accounts.get(&a).map_or(0, |x| x.info.nonce),
                base_fee,
                gas_limit,
            )
        }
    };
    let ctx = ember_blockchain::BlockContext {
        fork,
        number,
        timestamp,
        gas_limit,
        coinbase: attributes.suggested_fee_recipient,
        base_fee,
        difficulty: U256::ZERO,
        prevrandao: attributes.prev_randao,
        excess_blob_gas: s.chain.next_excess_blob_gas(),
        parent_hash: Some(head.hash),
        parent_beacon_block_root: attributes.parent_beacon_block_root,
    };
    let withdrawals = attributes.withdrawals.map(|list| {
        list.into_iter()
            .map(|w| ember_blockchain::Withdrawal {
                index: w.index.0,
                validator_index: w.validator_index.0,
                address: w.address,
                amount: w.amount.0,
            })
            .collect::<Vec<_>>()
    });
    let mut sim = s.chain.clone();
    let mined = sim
        .mine_with(ctx, txs, withdrawals, extra_data)
        .map_err(|e| RpcError::server(e.to_string()))?;
    if let Some((_, reason)) = mined.rejected.first() {
        return Err(RpcError::server(reason.clone()));
    }
    let block = &mined.block;
    let h = &block.block.header;
    let value = block.outcomes.iter().fold(U256::ZERO, |sum, o| {
        sum + o.effective_gas_price.saturating_sub(base_fee) * U256::from(o.gas_used)
    });
    let mut payload = json!({
        "parentHash": h.parent_hash,
        "feeRecipient": h.beneficiary,
        "stateRoot": h.state_root,
        "receiptsRoot": h.receipts_root,
        "logsBloom": hex_bytes(h.logs_bloom.as_slice()),
        "prevRandao": h.mix_hash,
        "blockNumber": hex_u64(h.number),
        "gasLimit": hex_u64(h.gas_limit),
        "gasUsed": hex_u64(h.gas_used),
        "timestamp": hex_u64(h.timestamp),
        "extraData": hex_bytes(&h.extra_data),
        "baseFeePerGas": hex_u256(h.base_fee_per_gas.unwrap_or_default()),
        "blockHash": block.hash,
        "transactions": block.txs.iter().map(|t| hex_bytes(&t.tx.encode())).collect::<Vec<_>>(),
    });
    let map = payload.as_object_mut().expect("object");
    if let Some(list) = &block.block.withdrawals {
        map.insert("withdrawals".into(), crate::render::withdrawals_json(list));
    }
    if let Some(gas) = h.blob_gas_used {
        map.insert("blobGasUsed".into(), hex_u64(gas));
    }
    if let Some(gas) = h.excess_blob_gas {
        map.insert("excessBlobGas".into(), hex_u64(gas));
    }
    Ok(json!({
        "executionPayload": payload,
        "blockValue": hex_u256(value),
        "blobsBundle": {"commitments": [], "proofs": [], "blobs": []},
        "executionRequests": [],
        "shouldOverrideBuilder": false,
    }))
}

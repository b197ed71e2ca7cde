//! The cheat codes: `anvil_*`, with their `hardhat_*` and `evm_*` names.

use ember_primitives::{Address, Bytes, B256, U256};
use ember_rpc::RpcError;
use serde_json::{json, Value};

use crate::config::MiningMode;
use crate::genesis::account_info;
use crate::node::{revert_snapshot, take_snapshot, unix_now, Node, NodeState, CLIENT_VERSION};
use crate::params::{hex_u64, Params, Quantity};

/// The cheat code's name without its family prefix, so `anvil_setBalance` and
/// `hardhat_setBalance` are one method.
fn canonical(method: &str) -> &str {
    for prefix in ["anvil_", "hardhat_"] {
        if let Some(rest) = method.strip_prefix(prefix) {
            return rest;
        }
    }
    method
}

/// Runs a cheat code (or answers -32601).
pub fn dispatch(
    node: &Node,
    s: &mut NodeState,
    method: &str,
    p: &Params,
) -> Result<Value, RpcError> {
    let is_cheat = method.starts_with("anvil_")
        || method.starts_with("hardhat_")
        || method.starts_with("evm_");
    if !is_cheat {
        return Err(RpcError::method_not_found(method));
    }
    let result = match (method, canonical(method)) {
        (_, "setBalance") => {
            let address: Address = p.required(0, "address")?;
            s.materialize(address)?;
            let balance: U256 = p.required(1, "balance")?;
            s.modify(|db| {
                let acc = db.accounts.entry(address).or_default();
                acc.info.balance = balance;
            });
            s.persist_accounts(&[address])?;
            Value::Null
        }
        (_, "addBalance") => {
            let address: Address = p.required(0, "address")?;
            s.materialize(address)?;
            let amount: U256 = p.required(1, "balance")?;
            s.modify(|db| {
                let acc = db.accounts.entry(address).or_default();
                acc.info.balance = acc.info.balance.saturating_add(amount);
            });
            s.persist_accounts(&[address])?;
            Value::Null
        }
        (_, "setCode") => {
            let address: Address = p.required(0, "address")?;
            s.materialize(address)?;
            let code: Bytes = p.required(1, "code")?;
            s.modify(|db| {
                let acc = db.accounts.entry(address).or_default();
                acc.info = account_info(acc.info.balance, acc.info.nonce, code);
            });
            s.persist_accounts(&[address])?;
            Value::Null
        }
        (_, "setNonce") => {
            let address: Address = p.required(0, "address")?;
            s.materialize(address)?;
            let nonce: Quantity = p.required(1, "nonce")?;
            s.modify(|db| {
                db.accounts.entry(address).or_default().info.nonce = nonce.0;
            });
            s.persist_accounts(&[address])?;
            Value::Null
        }
        (_, "setStorageAt") => {
            let address: Address = p.required(0, "address")?;
            s.materialize(address)?;
            let slot: U256 = p.required(1, "slot")?;
            let value: B256 = p.required(2, "value")?;
            let value = U256::from_be_bytes(value.0);
            if let Some(remote) = &s.chain.remote {
                remote.record(&[], &[], &[(address, slot)]);
            }
            s.modify(|db| {
                let acc = db.accounts.entry(address).or_default();
                if value.is_zero() {
                    acc.storage.remove(&slot);
                } else {
                    acc.storage.insert(slot, value);
                }
            });
            s.persist_accounts(&[address])?;
            json!(true)
        }
        (_, "impersonateAccount") => {
            let address: Address = p.required(0, "address")?;
            s.impersonated.insert(address);
            Value::Null
        }
        (_, "stopImpersonatingAccount") => {
            let address: Address = p.required(0, "address")?;
            s.impersonated.remove(&address);
            Value::Null
        }
        (_, "autoImpersonateAccount") => {
            s.auto_impersonate = p.required(0, "enabled")?;
            Value::Null
        }
        ("evm_mine", _) => {
            // `[timestamp]` or `[{ "timestamp": t, "blocks": n }]`.
            let (blocks, timestamp) = match p.raw(0) {
                Some(Value::Object(o)) => (
                    o.get("blocks")
                        .map(|v| crate::params::parse::<Quantity>(v, "blocks"))
                        .transpose()?
                        .map_or(1, |q| q.0),
                    o.get("timestamp")
                        .map(|v| crate::params::parse::<Quantity>(v, "timestamp"))
                        .transpose()?
                        .map(|q| q.0),
                ),
                _ => (1, p.optional::<Quantity>(0, "timestamp")?.map(|q| q.0)),
            };
            for i in 0..blocks {
                s.mine_one(if i == 0 { timestamp } else { None })?;
            }
            json!("0x0")
        }
        ("evm_mine_detailed", _) | ("anvil_mine_detailed", _) => {
            let timestamp = p.optional::<Quantity>(0, "timestamp")?.map(|q| q.0);
            let block = s.mine_one(timestamp)?;
            json!([crate::render::block(&block, true)])
        }
        (_, "mine") => {
            let blocks = p.optional::<Quantity>(0, "blocks")?.map_or(1, |q| q.0);
            let interval = p.optional::<Quantity>(1, "interval")?.map(|q| q.0);
            if blocks > 1_000_000 {
                return Err(RpcError::invalid_params(
                    "`blocks`: at most 1,000,000 at once",
                ));
            }
            for i in 0..blocks {
                let timestamp = match (i, interval) {
                    (0, _) | (_, None) => None,
                    (_, Some(step)) => Some(s.chain.head().block.header.timestamp + step),
                };
                s.mine_one(timestamp)?;
            }
            Value::Null
        }
        ("evm_snapshot", _) | (_, "snapshot") => hex_u64(take_snapshot(s)?),
        ("evm_revert", _) | (_, "revert") => {
            let id: Quantity = p.required(0, "id")?;
            json!(revert_snapshot(s, id.0)?)
        }
        ("evm_increaseTime", _) | (_, "increaseTime") => {
            let seconds: i128 = match p.raw(0) {
                Some(Value::Number(n)) => n
                    .as_i64()
                    .map(i128::from)
                    .ok_or_else(|| RpcError::invalid_params("`seconds`: not an integer"))?,
                _ => p.required::<Quantity>(0, "seconds")?.0 as i128,
            };
            s.clock.offset += seconds;
            json!(s.clock.offset)
        }
        ("evm_setNextBlockTimestamp", _) | (_, "setNextBlockTimestamp") => {
            let t: Quantity = p.required(0, "timestamp")?;
            let parent = s.chain.head().block.header.timestamp;
            if t.0 < parent {
                return Err(RpcError::new(
                    -32602,
                    format!(
                        "Timestamp error: {} is lower than previous block's timestamp",
                        t.0
                    ),
                ));
            }
            s.clock.next = Some(t.0);
            Value::Null
        }
        ("evm_setTime", _) => {
            let t: Quantity = p.required(0, "timestamp")?;
            s.clock.offset = t.0 as i128 - unix_now() as i128;
            json!(t.0)
        }
        (_, "setBlockTimestampInterval") => {
            let step: Quantity = p.required(0, "seconds")?;
            s.clock.interval = Some(step.0);
            Value::Null
        }
        (_, "removeBlockTimestampInterval") => json!(s.clock.interval.take().is_some()),
        ("evm_setAutomine", _) | (_, "setAutomine") => {
            let on: bool = p.required(0, "enabled")?;
            s.mining = if on {
                MiningMode::Auto
            } else {
                MiningMode::Manual
            };
            node.mining_changed.notify_all();
            if on {
                // Anvil mines what is waiting when automine comes back.
                if !s.pool.is_empty() {
                    s.mine_one(None)?;
                }
            }
            Value::Null
        }
        (_, "getAutomine") => json!(s.mining == MiningMode::Auto),
        ("evm_setIntervalMining", _) | (_, "setIntervalMining") => {
            let seconds: Quantity = p.required(0, "interval")?;
            s.mining = if seconds.0 == 0 {
                MiningMode::Manual
            } else {
                MiningMode::Interval(std::time::Duration::from_secs(seconds.0))
            };
            node.mining_changed.notify_all();
            Value::Null
        }
        (_, "getIntervalMining") => match s.mining {
            MiningMode::Interval(d) => json!(d.as_secs()),
            _ => Value::Null,
        },
        (_, "dropTransaction") => {
            let hash: B256 = p.required(0, "hash")?;
            match s.pool.remove(&hash) {
                Some(tx) => json!(tx.hash),
                None => Value::Null,
            }
        }
        (_, "removePoolTransactions") => {
            let sender: Address = p.required(0, "address")?;
            s.pool.remove_sender(&sender);
            Value::Null
        }
        (_, "dropAllTransactions") => {
            s.pool.clear();
            Value::Null
        }
        (_, "setNextBlockBaseFeePerGas") => {
            let fee: U256 = p.required(0, "baseFee")?;
            s.next_base_fee = Some(fee);
            Value::Null
        }
        ("evm_setBlockGasLimit", _) | (_, "setBlockGasLimit") => {
            let limit: Quantity = p.required(0, "gasLimit")?;
            if limit.0 < 5_000 {
                return Err(RpcError::invalid_params("`gasLimit`: below 5,000"));
            }
            s.gas_limit = limit.0;
            json!(true)
        }
        (_, "setCoinbase") => {
            s.coinbase = p.required(0, "address")?;
            Value::Null
        }
        (_, "setMinGasPrice") => {
            if s.spec().tx_fee_market {
                return Err(RpcError::server(
                    "anvil_setMinGasPrice is not supported when EIP-1559 is active",
                ));
            }
            s.min_gas_price = Some(p.required(0, "gasPrice")?);
            Value::Null
        }
        (_, "setLoggingEnabled") => Value::Null,
        (_, "nodeInfo") => {
            let head = s.chain.head();
            json!({
                "currentBlockNumber": hex_u64(head.number()),
                "currentBlockTimestamp": head.block.header.timestamp,
                "currentBlockHash": head.hash,
                "hardFork": s.chain.fork.to_string(),
                "transactionOrder": "fees",
                "environment": {
                    "baseFee": format!("{:#x}", s.next_base_fee.unwrap_or_else(|| s.chain.next_base_fee())),
                    "chainId": s.chain.chain_id,
                    "gasLimit": hex_u64(s.gas_limit),
                    "gasPrice": format!("{:#x}", s.gas_price()),
                },
                "forkConfig": match &s.chain.remote {
                    Some(r) => json!({
                        "forkUrl": r.url(),
                        "forkBlockNumber": r.block,
                        "forkRetryBackoff": r.options().retry_backoff.as_millis() as u64,
                    }),
                    None => json!({ "forkUrl": null, "forkBlockNumber": null, "forkRetryBackoff": null }),
                },
            })
        }
        (_, "metadata") => json!({
            "clientVersion": CLIENT_VERSION,
            "chainId": s.chain.chain_id,
            "latestBlockNumber": s.chain.head_number(),
            "latestBlockHash": s.chain.head().hash,
            "instanceId": B256::ZERO,
            "snapshots": s.snapshots.iter().map(|(id, snap)| (id.to_string(), json!([snap.head, B256::ZERO]))).collect::<serde_json::Map<_, _>>(),
        }),
        (_, "reset") => {
            match p
                .raw(0)
                .and_then(|v| v.get("forking"))
                .filter(|f| !f.is_null())
            {
                // anvil's `{ forking: { jsonRpcUrl, blockNumber } }`: fork that URL (the
                // current one when absent) at that block (its head when absent).
                Some(forking) => {
                    let mut config = s.config.clone();
                    if let Some(url) = forking.get("jsonRpcUrl").filter(|u| !u.is_null()) {
                        let url = url.as_str().ok_or_else(|| {
                            RpcError::invalid_params("forking.jsonRpcUrl is not a string")
                        })?;
                        config.fork_url = Some(url.to_string());
                    }
                    if config.fork_url.is_none() {
                        return Err(RpcError::invalid_params(
                            "anvil_reset: forking needs a jsonRpcUrl when the node is not a fork",
                        ));
                    }
                    config.fork_block_number = match forking.get("blockNumber") {
                        None | Some(Value::Null) => None,
                        Some(Value::Number(n)) => Some(n.as_u64().ok_or_else(|| {
                            RpcError::invalid_params("forking.blockNumber is not a block number")
                        })?),
                        Some(Value::String(s)) => Some(
                            u64::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|_| {
                                RpcError::invalid_params("forking.blockNumber is not a quantity")
                            })?,
                        ),
                        Some(_) => {
                            return Err(RpcError::invalid_params(
                                "forking.blockNumber is not a block number",
                            ))
                        }
                    };
                    crate::startup::reset_to(s, config)?;
                }
                None => crate::startup::reset(s)?,
            }
            Value::Null
        }
        (_, "dumpState") => crate::state_file::dump_hex(s)?,
        (_, "loadState") => {
            let data: Bytes = p.required(0, "state")?;
            crate::state_file::load_bytes(s, &data)?;
            json!(true)
        }
        _ => return Err(RpcError::method_not_found(method)),
    };
    Ok(result)
}

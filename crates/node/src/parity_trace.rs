//! Parity-style traces: `trace_transaction` and `trace_block`, built from the call frames
//! `debug_traceTransaction`'s `callTracer` records (one transaction re-executed over its
//! block's parent state).
//!
//! A transaction's frames become a flat list in depth-first order, each with its
//! `traceAddress` (the path of child indexes from the top call) and `subtraces` (its number
//! of children); a SELFDESTRUCT is a `suicide` trace under the frame that ran it.

use serde_json::{json, Map, Value};

use ember_primitives::B256;
use ember_rpc::RpcError;

use crate::methods::dispatch;
use crate::node::Node;
use crate::params::Params;

/// Where a transaction is: what every one of its traces carries.
struct Position {
    block_hash: Value,
    block_number: Value,
    tx_hash: Value,
    tx_index: Value,
}

/// parity's word for a `callTracer` error.
fn parity_error(error: &str) -> String {
    match error {
        "execution reverted" => "Reverted".into(),
        "out of gas" => "Out of gas".into(),
        "invalid jump destination" => "Bad jump destination".into(),
        "stack underflow" => "Stack underflow".into(),
        "stack limit reached 1024 (1023)" => "Out of stack".into(),
        "write protection" => "Mutable Call In Static Context".into(),
        e if e.starts_with("invalid opcode") => "Bad instruction".into(),
        e => {
            let mut c = e.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

fn field(frame: &Value, name: &str) -> Value {
    frame.get(name).cloned().unwrap_or_else(|| json!("0x"))
}

/// Appends the traces of `frame` (at `address`) and its children to `out`.
fn flatten(frame: &Value, address: &mut Vec<usize>, at: &Position, out: &mut Vec<Value>) {
    let kind = frame["type"].as_str().unwrap_or("CALL");
    let children: &[Value] = frame["calls"].as_array().map_or(&[], |c| c.as_slice());
    let error = frame["error"].as_str();
    // A revert keeps its result (gas used, output), as anvil reports it; a hard failure
    // has none.
    let failed_hard = error.is_some_and(|e| e != "execution reverted");
    let mut m = Map::new();
    let (ty, action, result) = match kind {
        "SELFDESTRUCT" => (
            "suicide",
            json!({
                "address": frame["from"],
                "refundAddress": frame["to"],
                "balance": frame["value"],
            }),
            Value::Null,
        ),
        "CREATE" | "CREATE2" => (
            "create",
            json!({
                "from": frame["from"],
                "gas": frame["gas"],
                "init": field(frame, "input"),
                "value": frame.get("value").cloned().unwrap_or_else(|| json!("0x0")),
                "creationMethod": kind.to_ascii_lowercase(),
            }),
            match failed_hard {
                true => Value::Null,
                false => json!({
                    "address": frame["to"],
                    "code": field(frame, "output"),
                    "gasUsed": frame["gasUsed"],
                }),
            },
        ),
        call => (
            "call",
            json!({
                "from": frame["from"],
                "callType": call.to_ascii_lowercase(),
                "gas": frame["gas"],
                "input": field(frame, "input"),
                "to": frame["to"],
                "value": frame.get("value").cloned().unwrap_or_else(|| json!("0x0")),
            }),
            match failed_hard {
                true => Value::Null,
                false => json!({
                    "gasUsed": frame["gasUsed"],
                    "output": field(frame, "output"),
                }),
            },
        ),
    };
    m.insert("action".into(), action);
    m.insert("blockHash".into(), at.block_hash.clone());
    m.insert("blockNumber".into(), at.block_number.clone());
    if let Some(e) = error {
        m.insert("error".into(), json!(parity_error(e)));
    }
    m.insert("result".into(), result);
    m.insert("subtraces".into(), json!(children.len()));
    m.insert("traceAddress".into(), json!(address));
    m.insert("transactionHash".into(), at.tx_hash.clone());
    m.insert("transactionPosition".into(), at.tx_index.clone());
    m.insert("type".into(), json!(ty));
    out.push(Value::Object(m));
    for (i, child) in children.iter().enumerate() {
        address.push(i);
        flatten(child, address, at, out);
        address.pop();
    }
}

fn call(node: &Node, method: &str, params: Value) -> Result<Value, RpcError> {
    dispatch(node, method, &Params::new(params)?)
}

fn quantity(v: &Value) -> Value {
    hex(v).map_or(Value::Null, |n| json!(n))
}

fn hex(v: &Value) -> Option<u64> {
    v.as_str()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
}

/// The traces of the transaction `hash`, none when the node does not have it.
fn transaction_traces(node: &Node, hash: B256) -> Result<Vec<Value>, RpcError> {
    let tx = call(node, "eth_getTransactionByHash", json!([hash]))?;
    if tx.is_null() || tx["blockHash"].is_null() {
        return Ok(Vec::new());
    }
    let mut frame = call(
        node,
        "debug_traceTransaction",
        json!([hash, { "tracer": "callTracer" }]),
    )?;
    let at = Position {
        block_hash: tx["blockHash"].clone(),
        block_number: quantity(&tx["blockNumber"]),
        tx_hash: json!(hash),
        tx_index: quantity(&tx["transactionIndex"]),
    };
    // callTracer's top frame reports the transaction's gas used; a parity trace, the
    // gas its execution used: without the intrinsic gas (the gas limit less the gas the
    // frame was given).
    if let (Some(limit), Some(given), Some(used)) =
        (hex(&tx["gas"]), hex(&frame["gas"]), hex(&frame["gasUsed"]))
    {
        let intrinsic = limit.saturating_sub(given);
        frame["gasUsed"] = json!(format!("{:#x}", used.saturating_sub(intrinsic)));
    }
    let mut out = Vec::new();
    flatten(&frame, &mut Vec::new(), &at, &mut out);
    Ok(out)
}

/// `trace_transaction [hash]`: the transaction's traces, none for an unknown one (as
/// anvil answers).
pub fn trace_transaction(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let hash: B256 = p.required(0, "hash")?;
    Ok(Value::Array(transaction_traces(node, hash)?))
}

/// `trace_block [block]`: the traces of every transaction of the block, in order; `null`
/// for an unknown block.
pub fn trace_block(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let block = p.raw(0).cloned().unwrap_or_else(|| json!("latest"));
    let found = call(node, "eth_getBlockByNumber", json!([block, false]))?;
    let Some(hashes) = found["transactions"].as_array() else {
        return Ok(Value::Null);
    };
    let mut out = Vec::new();
    for hash in hashes {
        let hash: B256 = serde_json::from_value(hash.clone())
            .map_err(|e| RpcError::internal(format!("a transaction hash of the block: {e}")))?;
        out.extend(transaction_traces(node, hash)?);
    }
    Ok(Value::Array(out))
}

/// `trace_replayBlockTransactions [block, ["trace"]]`: per transaction of the block, its
/// output and traces (`stateDiff` and `vmTrace` are not recorded: `null`).
pub fn replay_block_transactions(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let block = p.raw(0).cloned().unwrap_or_else(|| json!("latest"));
    let found = call(node, "eth_getBlockByNumber", json!([block, false]))?;
    let Some(hashes) = found["transactions"].as_array() else {
        return Ok(Value::Null);
    };
    let mut out = Vec::new();
    for hash in hashes {
        let hash: B256 = serde_json::from_value(hash.clone())
            .map_err(|e| RpcError::internal(format!("a transaction hash of the block: {e}")))?;
        // A replay's traces carry no block or transaction position.
        let mut traces = transaction_traces(node, hash)?;
        for t in &mut traces {
            if let Some(m) = t.as_object_mut() {
                for k in [
                    "blockHash",
                    "blockNumber",
                    "transactionHash",
                    "transactionPosition",
                ] {
                    m.remove(k);
                }
            }
        }
        let output = traces
            .first()
            .map(|t| {
                let r = &t["result"];
                r.get("output")
                    .or_else(|| r.get("code"))
                    .cloned()
                    .unwrap_or_else(|| json!("0x"))
            })
            .unwrap_or_else(|| json!("0x"));
        out.push(json!({
            "output": output,
            "stateDiff": null,
            "trace": traces,
            "vmTrace": null,
            "transactionHash": hash,
        }));
    }
    Ok(Value::Array(out))
}

/// `ots_getApiLevel`: the Otterscan API level answered (8, as anvil).
pub fn ots_api_level() -> Value {
    json!(8)
}

/// `ots_hasCode [address, block]`: whether the account has code at the block.
pub fn ots_has_code(node: &Node, p: &Params) -> Result<Value, RpcError> {
    let address = p
        .raw(0)
        .cloned()
        .ok_or_else(|| RpcError::invalid_params("missing value for required argument 0"))?;
    let block = p.raw(1).cloned().unwrap_or_else(|| json!("latest"));
    let code = call(node, "eth_getCode", json!([address, block]))?;
    Ok(json!(code.as_str().is_some_and(|c| c != "0x")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_flatten_depth_first_with_addresses() {
        let frame = json!({
            "type": "CALL", "from": "0x01", "to": "0x02", "value": "0x0", "gas": "0x10",
            "gasUsed": "0x8", "input": "0xab",
            "calls": [
                { "type": "STATICCALL", "from": "0x02", "to": "0x03", "gas": "0x4",
                  "gasUsed": "0x1", "input": "0x", "output": "0x01" },
                { "type": "CREATE", "from": "0x02", "to": "0x04", "value": "0x0",
                  "gas": "0x4", "gasUsed": "0x4", "input": "0x00", "error": "out of gas",
                  "calls": [{ "type": "SELFDESTRUCT", "from": "0x04", "to": "0x05",
                              "value": "0x1", "gas": "0x0", "gasUsed": "0x0", "input": "0x" }] }
            ]
        });
        let at = Position {
            block_hash: json!("0xbb"),
            block_number: json!(1),
            tx_hash: json!("0xaa"),
            tx_index: json!(0),
        };
        let mut out = Vec::new();
        flatten(&frame, &mut Vec::new(), &at, &mut out);
        let addresses: Vec<&Value> = out.iter().map(|t| &t["traceAddress"]).collect();
        assert_eq!(
            addresses,
            [&json!([]), &json!([0]), &json!([1]), &json!([1, 0])]
        );
        assert_eq!(out[0]["subtraces"], 2);
        assert_eq!(out[0]["result"]["output"], "0x");
        assert_eq!(out[1]["action"]["callType"], "staticcall");
        assert_eq!(out[1]["action"]["value"], "0x0");
        assert_eq!(out[2]["type"], "create");
        assert_eq!(out[2]["error"], "Out of gas");
        let reverted = json!({ "type": "CALL", "from": "0x01", "to": "0x02", "gas": "0x10",
            "gasUsed": "0x8", "input": "0x", "output": "0x01", "error": "execution reverted" });
        let mut one = Vec::new();
        flatten(&reverted, &mut Vec::new(), &at, &mut one);
        assert_eq!(one[0]["error"], "Reverted");
        assert_eq!(one[0]["result"]["output"], "0x01");
        assert!(out[2]["result"].is_null());
        assert_eq!(out[3]["type"], "suicide");
        assert_eq!(out[3]["action"]["refundAddress"], "0x05");
    }
}

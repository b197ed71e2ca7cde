//! `debug_traceTransaction` and `debug_traceCall`. The expected values are anvil's (1.7.1,
//! `--hardfork prague --steps-tracing`) for the same transactions from the same accounts.

use std::sync::Arc;

use ember_node::methods::dispatch;
use ember_node::params::Params;
use ember_node::{build_state, Node, NodeConfig};
use ember_primitives::Fork;
use ember_rpc::RpcError;
use serde_json::{json, Value};

const FROM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const TO: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
/// The first two contracts `FROM` deploys.
const B: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const A: &str = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

/// Callee: word 0 of calldata is `x`. x = 1: revert `Error("nope")`; 2: INVALID; 3: loop
/// forever; otherwise store x in slot 0, log it under one topic and return it.
const B_INIT: &str =
    "0x6100ad61000f6000396100ad6000f36000358060011461004e57806002146100a657806003146100a85780\
600055806000527faaaa00000000000000000000000000000000000000000000000000000000000160206000\
a160206000f35b7f08c379a00000000000000000000000000000000000000000000000000000000060005260\
2060045260046024527f6e6f7065000000000000000000000000000000000000000000000000000000006044\
5260646000fd5bfe5b6100a856";

/// Caller, given B's address as calldata: CALL B(5), CALL B(1) (reverts), STATICCALL B(7)
/// (SSTORE in a static call), STATICCALL sha256, DELEGATECALL B(9), 1 wei to 0xdead, CREATE
/// of a one-byte contract, slot 1 += 1, LOG0, return a word.
const A_INIT: &str =
    "0x61008e61000f60003961008e6000f3600035600560005260206000602060006000855af150600160005260\
206000602060006000855af150600760005260006000602060008461c350fa50602060406020600060025afa\
5060096000526000600060206000845af4506000600060006000600161dead5af1506460016000f360005260\
05601b6000f05060015460010160015560206000a060206000f3";

fn node() -> Arc<Node> {
    let config = NodeConfig {
        port: 0,
        silent: true,
        fork: Fork::Prague,
        ..NodeConfig::default()
    };
    Node::new(build_state(config).expect("state"))
}

fn try_call(node: &Node, method: &str, params: Value) -> Result<Value, RpcError> {
    dispatch(node, method, &Params::new(params)?)
}

fn call(node: &Node, method: &str, params: Value) -> Value {
    try_call(node, method, params).unwrap_or_else(|e| panic!("{method}: {}", e.message))
}

fn send(node: &Node, tx: Value) -> String {
    let mut tx = tx;
    tx["from"] = json!(FROM);
    call(node, "eth_sendTransaction", json!([tx]))
        .as_str()
        .unwrap()
        .to_string()
}

fn word(n: u64) -> String {
    format!("0x{n:064x}")
}

/// Deploys B and A (with 10 wei), as the anvil run did.
fn deploy(node: &Node) {
    send(node, json!({ "data": B_INIT, "gas": "0xf4240" }));
    send(
        node,
        json!({ "data": A_INIT, "gas": "0xf4240", "value": "0xa" }),
    );
    let code = call(node, "eth_getCode", json!([A, "latest"]));
    assert!(code.as_str().unwrap().len() > 2, "A deployed");
}

fn nested(node: &Node) -> String {
    deploy(node);
    let input = format!("0x{:0>64}", &B[2..]);
    send(node, json!({ "to": A, "data": input, "gas": "0xf4240" }))
}

fn trace(node: &Node, hash: &str, options: Value) -> Value {
    call(node, "debug_traceTransaction", json!([hash, options]))
}

fn ops(logs: &Value) -> Vec<&str> {
    logs.as_array()
        .unwrap()
        .iter()
        .map(|l| l["op"].as_str().unwrap())
        .collect()
}

#[test]
fn call_tracer_of_a_transfer() {
    let node = node();
    let hash = send(&node, json!({ "to": TO, "value": "0x3039" }));
    let frame = trace(&node, &hash, json!({ "tracer": "callTracer" }));
    assert_eq!(
        frame,
        json!({
            "type": "CALL",
            "from": FROM,
            "to": TO,
            "value": "0x3039",
            "gas": "0x0",
            "gasUsed": "0x5208",
            "input": "0x",
        })
    );
    // No code ran: no struct logs.
    let logs = trace(&node, &hash, json!({}));
    assert_eq!(
        logs,
        json!({ "failed": false, "gas": 21000, "returnValue": "0x", "structLogs": [] })
    );
}

#[test]
fn struct_logs_of_a_tiny_contract() {
    let node = node();
    // Runtime: PUSH1 5, PUSH1 0, SSTORE, STOP.
    send(
        &node,
        json!({ "data": "0x61000661000f6000396100066000f3600560005500" }),
    );
    let hash = send(&node, json!({ "to": B, "gas": "0x186a0" }));
    let t = trace(&node, &hash, json!({}));
    assert_eq!(t["failed"], json!(false));
    assert_eq!(t["gas"], json!(43106));
    assert_eq!(t["returnValue"], json!("0x"));
    let logs = &t["structLogs"];
    assert_eq!(ops(logs), ["PUSH1", "PUSH1", "SSTORE", "STOP"]);
    let costs: Vec<u64> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["gasCost"].as_u64().unwrap())
        .collect();
    assert_eq!(costs, [3, 3, 22100, 0]);
    assert_eq!(
        logs[0],
        json!({ "pc": 0, "op": "PUSH1", "gas": 79000, "gasCost": 3, "depth": 1, "stack": [],
                "refund": 0 })
    );
    assert_eq!(logs[2]["stack"], json!(["0x5", "0x0"]));
    assert_eq!(
        logs[2]["storage"],
        json!({ "0x0000000000000000000000000000000000000000000000000000000000000000":
                "0x0000000000000000000000000000000000000000000000000000000000000005" })
    );
    assert_eq!(logs[3]["gas"], json!(79000 - 22106));

    // The options: no stack nor storage; memory and return data.
    let t = trace(
        &node,
        &hash,
        json!({ "disableStack": true, "disableStorage": true, "enableMemory": true,
                "enableReturnData": true }),
    );
    let l = &t["structLogs"][2];
    assert!(
        l.get("stack").is_none() && l.get("storage").is_none(),
        "{l}"
    );
    assert_eq!(l["memory"], json!([]));
    assert_eq!(l["returnData"], json!("0x"));
}

#[test]
fn nested_calls_match_anvil() {
    let node = node();
    let hash = nested(&node);
    let frame = trace(
        &node,
        &hash,
        json!({ "tracer": "callTracer", "tracerConfig": { "withLog": true } }),
    );
    assert_eq!(frame["gas"], json!("0xeeec8"));
    assert_eq!(frame["gasUsed"], json!("0x335e6"));
    assert_eq!(
        frame["output"],
        json!("0x00000000000000000000000000000000000000000000000000000060016000f3")
    );
    let calls = frame["calls"].as_array().unwrap();
    let field = |name: &str| -> Vec<Value> { calls.iter().map(|c| c[name].clone()).collect() };
    assert_eq!(
        field("type"),
        [
            "CALL",
            "CALL",
            "STATICCALL",
            "STATICCALL",
            "DELEGATECALL",
            "CALL",
            "CREATE"
        ]
    );
    assert_eq!(
        field("gasUsed"),
        ["0x5aab", "0x53", "0xc350", "0x48", "0x5aab", "0x0", "0xd1"]
    );
    assert_eq!(field("gas")[0], json!("0xea8e9"));
    // The revert with its reason, the write in a static call (revm's name for it).
    assert_eq!(calls[1]["error"], json!("execution reverted"));
    assert_eq!(calls[1]["revertReason"], json!("nope"));
    assert_eq!(calls[2]["error"], json!("StateChangeDuringStaticCall"));
    assert!(calls[2].get("output").is_none() && calls[2].get("value").is_none());
    // DELEGATECALL: from A to B's code; its log is A's.
    assert_eq!(calls[4]["from"], json!(A));
    assert_eq!(calls[4]["to"], json!(B));
    assert_eq!(calls[4]["logs"][0]["address"], json!(A));
    assert_eq!(calls[4]["logs"][0]["index"], json!("0x1"));
    assert_eq!(
        calls[6]["to"],
        json!("0xcafac3dd18ac6c6e92c921884f9e4176737c052c")
    );
    assert_eq!(calls[6]["output"], json!("0x00"));
    assert_eq!(
        calls[0]["logs"],
        json!([{
            "address": B,
            "topics": ["0xaaaa000000000000000000000000000000000000000000000000000000000001"],
            "data": word(5),
            "position": "0x0",
            "index": "0x0",
        }])
    );
    // The top frame's LOG0 came after its seven calls.
    assert_eq!(frame["logs"][0]["position"], json!("0x7"));
    assert_eq!(frame["logs"][0]["index"], json!("0x2"));

    let top = trace(
        &node,
        &hash,
        json!({ "tracer": "callTracer", "tracerConfig": { "onlyTopCall": true } }),
    );
    assert!(top.get("calls").is_none() && top.get("logs").is_none());
    assert_eq!(top["gasUsed"], json!("0x335e6"));

    // Struct logs: geth-style CALL costs (the gas handed over included), as anvil's.
    let t = trace(&node, &hash, json!({}));
    assert_eq!(t["gas"], json!(210406));
    let logs = t["structLogs"].as_array().unwrap();
    assert_eq!(logs.len(), 191);
    let calls: Vec<(&str, u64)> = logs
        .iter()
        .filter(|l| {
            matches!(
                l["op"].as_str().unwrap(),
                "CALL" | "STATICCALL" | "DELEGATECALL" | "CREATE"
            )
        })
        .map(|l| (l["op"].as_str().unwrap(), l["gasCost"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        calls,
        [
            ("CALL", 963345),
            ("CALL", 937867),
            ("STATICCALL", 50100),
            ("STATICCALL", 888323),
            ("DELEGATECALL", 888120),
            ("CALL", 865722),
            ("CREATE", 831866)
        ]
    );
    // The failing SSTORE in the static call: revm's error, nothing charged.
    let failing = logs
        .iter()
        .find(|l| l.get("error").is_some())
        .expect("a failing step");
    assert_eq!(failing["op"], json!("SSTORE"));
    assert_eq!(failing["error"], json!("Some(StateChangeDuringStaticCall)"));
    assert_eq!(failing["gasCost"], json!(0));
    assert_eq!(failing["depth"], json!(2));

    // 4byte: every call with at least four bytes of input (precompiles included).
    let four = trace(&node, &hash, json!({ "tracer": "4byteTracer" }));
    assert_eq!(four, json!({ "0x00000000-28": 6 }));
    assert_eq!(
        trace(&node, &hash, json!({ "tracer": "noopTracer" })),
        json!({})
    );
}

#[test]
fn reverts_and_halts() {
    let node = node();
    deploy(&node);
    let revert = send(&node, json!({ "to": B, "data": word(1), "gas": "0x186a0" }));
    let t = trace(&node, &revert, json!({}));
    assert_eq!(t["failed"], json!(true));
    assert_eq!(t["gas"], json!(21350));
    let reason = "0x08c379a0\
        0000000000000000000000000000000000000000000000000000000000000020\
        0000000000000000000000000000000000000000000000000000000000000004\
        6e6f706500000000000000000000000000000000000000000000000000000000";
    assert_eq!(t["returnValue"], json!(reason));
    let last = t["structLogs"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["op"], json!("REVERT"));
    assert!(last.get("error").is_none());
    let frame = trace(&node, &revert, json!({ "tracer": "callTracer" }));
    assert_eq!(frame["error"], json!("execution reverted"));
    assert_eq!(frame["revertReason"], json!("nope"));
    assert_eq!(frame["gasUsed"], json!("0x5366"));
    assert_eq!(frame["output"], json!(reason));

    let oog = send(&node, json!({ "to": B, "data": word(3), "gas": "0xea60" }));
    let t = trace(&node, &oog, json!({}));
    assert_eq!(t["failed"], json!(true));
    assert_eq!(t["gas"], json!(60000));
    assert_eq!(t["structLogs"].as_array().unwrap().len(), 9716);
    let last = t["structLogs"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last,
        json!({ "pc": 172, "op": "JUMP", "gas": 0, "gasCost": 0, "depth": 1,
                "error": "Some(OutOfGas)", "stack": ["0x3", "0xa8"], "refund": 0 })
    );
    let frame = trace(&node, &oog, json!({ "tracer": "callTracer" }));
    assert_eq!(frame["error"], json!("out of gas"));
    assert_eq!(frame["gas"], json!("0x97cc"));
    assert_eq!(frame["gasUsed"], json!("0xea60"));

    let invalid = send(&node, json!({ "to": B, "data": word(2), "gas": "0xea60" }));
    let frame = trace(&node, &invalid, json!({ "tracer": "callTracer" }));
    assert_eq!(frame["error"], json!("invalid opcode: INVALID"));
}

#[test]
fn a_creation_and_its_code() {
    let node = node();
    let hash = send(&node, json!({ "data": B_INIT, "gas": "0xf4240" }));
    let frame = trace(&node, &hash, json!({ "tracer": "callTracer" }));
    assert_eq!(frame["type"], json!("CREATE"));
    assert_eq!(frame["to"], json!(B));
    assert_eq!(frame["gas"], json!("0xe6c28"));
    assert_eq!(frame["gasUsed"], json!("0x15d76"));
    let code = call(&node, "eth_getCode", json!([B, "latest"]));
    assert_eq!(frame["output"], code);
    let t = trace(&node, &hash, json!({}));
    assert_eq!(t["returnValue"], code);
    assert_eq!(t["gas"], json!(89462));
    assert_eq!(t["structLogs"].as_array().unwrap().len(), 7);
}

#[test]
fn earlier_transactions_of_the_block_are_replayed() {
    let node = node();
    deploy(&node);
    call(&node, "evm_setAutomine", json!([false]));
    send(&node, json!({ "to": B, "data": word(5), "gas": "0x186a0" }));
    let second = send(&node, json!({ "to": B, "data": word(7), "gas": "0x186a0" }));
    call(&node, "evm_mine", json!([]));
    let receipt = call(&node, "eth_getTransactionReceipt", json!([second]));
    assert_eq!(receipt["transactionIndex"], json!("0x1"));
    let t = trace(&node, &second, json!({}));
    // Slot 0 already holds 5 from the first transaction: 2900 plus the cold access.
    let sstore: Vec<u64> = t["structLogs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["op"] == "SSTORE")
        .map(|l| l["gasCost"].as_u64().unwrap())
        .collect();
    assert_eq!(sstore, [5000]);
    // As anvil: the block's gas used up to and including the transaction.
    assert_eq!(t["gas"], json!(71602));
    assert_eq!(receipt["gasUsed"], json!("0x6a73"));
    assert_eq!(receipt["cumulativeGasUsed"], json!("0x117b2"));
}

#[test]
fn prestate_of_a_transfer() {
    let node = node();
    let hash = send(&node, json!({ "to": TO, "value": "0x3039" }));
    let pre = trace(&node, &hash, json!({ "tracer": "prestateTracer" }));
    assert_eq!(pre[TO], json!({ "balance": "0x21e19e0c9bab2400000" }));
    assert_eq!(pre[FROM]["balance"], json!("0x21e19e0c9bab2400000"));
    assert!(pre[FROM].get("nonce").is_none());
    let diff = trace(
        &node,
        &hash,
        json!({ "tracer": "prestateTracer", "tracerConfig": { "diffMode": true } }),
    );
    assert_eq!(
        diff["post"][TO],
        json!({ "balance": "0x21e19e0c9bab2403039" })
    );
    assert_eq!(diff["post"][FROM]["nonce"], json!(1));
    assert_eq!(
        diff["pre"][TO],
        json!({ "balance": "0x21e19e0c9bab2400000" })
    );
}

#[test]
fn trace_call_with_overrides() {
    let node = node();
    let target = "0x1000000000000000000000000000000000000001";
    let t = call(
        &node,
        "debug_traceCall",
        json!([
            { "from": FROM, "to": target },
            "latest",
            { "disableStack": true, "disableStorage": true,
              "stateOverrides": { target: { "code": "0x6001600055" } } }
        ]),
    );
    assert_eq!(
        t,
        json!({
            "failed": false, "gas": 43106, "returnValue": "0x",
            "structLogs": [
                { "pc": 0, "op": "PUSH1", "gas": 29979000, "gasCost": 3, "depth": 1, "refund": 0 },
                { "pc": 2, "op": "PUSH1", "gas": 29978997, "gasCost": 3, "depth": 1, "refund": 0 },
                { "pc": 4, "op": "SSTORE", "gas": 29978994, "gasCost": 22100, "depth": 1,
                  "refund": 0 },
                { "pc": 5, "op": "STOP", "gas": 29956894, "gasCost": 0, "depth": 1, "refund": 0 }
            ]
        })
    );
    // A panic's reason as geth words it; memory beyond the limit as revm names it.
    let panic = "0x7f4e487b7100000000000000000000000000000000000000000000000000000000\
                 600052601160045260246000fd";
    let frame = call(
        &node,
        "debug_traceCall",
        json!([
            { "from": FROM, "to": target },
            "latest",
            { "tracer": "callTracer", "stateOverrides": { target: { "code": panic } } }
        ]),
    );
    assert_eq!(
        frame["revertReason"],
        json!("arithmetic underflow or overflow")
    );
    let t = call(
        &node,
        "debug_traceCall",
        json!([
            { "from": FROM, "to": target },
            "latest",
            { "stateOverrides": { target: { "code": "0x63ffffffff51" } } }
        ]),
    );
    assert_eq!(t["structLogs"][1]["error"], json!("Some(MemoryLimitOOG)"));
    assert_eq!(t["structLogs"][1]["gasCost"], json!(3));
    assert_eq!(t["gas"], json!(30000000));
}

#[test]
fn errors() {
    let node = node();
    let unknown = format!("0x{}", "11".repeat(32));
    let e = try_call(&node, "debug_traceTransaction", json!([unknown, {}])).unwrap_err();
    assert!(e.message.contains("not found"), "{}", e.message);
    let hash = send(&node, json!({ "to": TO, "value": "0x1" }));
    let e = try_call(
        &node,
        "debug_traceTransaction",
        json!([hash, { "tracer": "{ result: function() {} }" }]),
    )
    .unwrap_err();
    assert_eq!(e.code, -32602);
    assert!(e.message.contains("unsupported tracer"), "{}", e.message);
    // States are kept for the last 256 blocks only.
    call(&node, "evm_mine", json!([{ "blocks": 257 }]));
    let e = try_call(&node, "debug_traceTransaction", json!([hash, {}])).unwrap_err();
    assert!(e.message.contains("no longer kept"), "{}", e.message);
}

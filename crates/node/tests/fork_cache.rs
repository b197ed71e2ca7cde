//! Fork mode's disk cache and upstream failures: a restart or `anvil_reset` on the same
//! fork block asks the upstream nothing it has seen (the test upstream counts its calls),
//! and an upstream that fails or stalls gives the caller an error naming the upstream
//! call, promptly.

mod support;

use std::time::{Duration, Instant};

use ember_node::fork_cache::ForkOptions;
use ember_node::methods::dispatch;
use ember_node::params::Params;
use ember_node::{build_state, Node, NodeConfig};
use ember_rpc::RpcError;
use serde_json::{json, Value};
use support::Behaviour;

const DEV: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const OTHER: &str = "0x1000000000000000000000000000000000000001";
/// Init code of a contract whose runtime returns slot 0 and stores its calldata word there
/// (as in `fork.rs`), deployed with slot 0 = 42.
const INIT: &str =
    "0x602a6000556018601160003960186000f33615600c57600035600055005b60005460005260206000f3";

fn try_call(node: &Node, method: &str, params: Value) -> Result<Value, RpcError> {
    dispatch(node, method, &Params::new(params).unwrap())
}

fn call(node: &Node, method: &str, params: Value) -> Value {
    try_call(node, method, params).unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn forked_config(url: &str, options: ForkOptions) -> NodeConfig {
    NodeConfig {
        fork_block_number: Some(1),
        fork_options: options,
        ..support::config(Some(url.to_string()))
    }
}

/// What the test reads of the fork: code, storage, a call, balances, an old block.
fn reads(node: &Node, contract: &str) -> Vec<Value> {
    vec![
        call(node, "eth_getCode", json!([contract, "latest"])),
        call(node, "eth_getStorageAt", json!([contract, "0x0", "latest"])),
        call(node, "eth_call", json!([{ "to": contract }, "latest"])),
        call(node, "eth_getBalance", json!([OTHER, "latest"])),
        call(node, "eth_getTransactionCount", json!([DEV, "latest"])),
        call(node, "eth_getBlockByNumber", json!(["0x0", false])),
    ]
}

#[test]
fn restart_and_reset_on_the_same_block_ask_the_upstream_nothing_seen() {
    let upstream = support::start(None);
    let hash = upstream.call(
        "eth_sendTransaction",
        json!([{ "from": DEV, "data": INIT }]),
    );
    let receipt = upstream.call("eth_getTransactionReceipt", json!([hash]));
    let contract = receipt["contractAddress"].as_str().unwrap().to_string();
    let dir = temp_dir("fork-cache");
    let options = ForkOptions {
        cache_dir: Some(dir.clone()),
        ..ForkOptions::default()
    };

    let first = Node::new(build_state(forked_config(&upstream.url, options.clone())).unwrap());
    let seen = reads(&first, &contract);
    assert_eq!(seen[1], format!("0x{:064x}", 42));
    let state_calls = |calls: &[String]| -> Vec<String> {
        calls
            .iter()
            .filter(|m| *m != "eth_chainId")
            .cloned()
            .collect()
    };
    assert!(!state_calls(&upstream.calls()).is_empty());
    drop(first);
    let file = dir.join("31337").join("1").join("storage.json");
    assert!(file.exists(), "no cache file at {}", file.display());
    let leftovers: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "storage.json")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // A restart on the same block: only the chain id is asked (it names the cache).
    upstream.reset_calls();
    let second = Node::new(build_state(forked_config(&upstream.url, options.clone())).unwrap());
    assert_eq!(reads(&second, &contract), seen);
    assert_eq!(upstream.calls(), vec!["eth_chainId".to_string()]);

    // anvil_reset, plain and to the same fork block: nothing seen is asked again.
    upstream.reset_calls();
    call(&second, "anvil_reset", json!([]));
    assert_eq!(reads(&second, &contract), seen);
    call(
        &second,
        "anvil_reset",
        json!([{ "forking": { "jsonRpcUrl": upstream.url, "blockNumber": 1 } }]),
    );
    assert_eq!(reads(&second, &contract), seen);
    assert_eq!(state_calls(&upstream.calls()), Vec::<String>::new());
    let info = call(&second, "anvil_nodeInfo", json!([]));
    assert_eq!(info["forkConfig"]["forkBlockNumber"], 1);
    assert_eq!(info["forkConfig"]["forkUrl"], upstream.url);

    // What was not seen is still fetched (and then kept).
    upstream.reset_calls();
    let slot = call(
        &second,
        "eth_getStorageAt",
        json!([contract, "0x1", "latest"]),
    );
    assert_eq!(slot, format!("0x{:064x}", 0));
    assert_eq!(state_calls(&upstream.calls()), vec!["eth_getStorageAt"]);
    drop(second);

    // --no-storage-caching: a restart asks again.
    upstream.reset_calls();
    let uncached = ForkOptions {
        storage_caching: false,
        ..options
    };
    let third = Node::new(build_state(forked_config(&upstream.url, uncached)).unwrap());
    assert_eq!(reads(&third, &contract), seen);
    assert!(upstream.calls().iter().any(|m| m == "eth_getCode"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_or_stalled_upstream_is_a_named_error() {
    let upstream = support::start(None);
    // Block 1, the fork block.
    upstream.call(
        "eth_sendTransaction",
        json!([{ "from": DEV, "to": "0x3000000000000000000000000000000000000003", "value": "0x1" }]),
    );
    let options = ForkOptions {
        storage_caching: false,
        retries: 1,
        retry_backoff: Duration::from_millis(10),
        timeout: Duration::from_millis(500),
        ..ForkOptions::default()
    };
    let forked = Node::new(build_state(forked_config(&upstream.url, options)).unwrap());

    // HTTP 503: retried once, then an error naming the calls.
    upstream.set(Behaviour::Fail);
    upstream.reset_calls();
    let start = Instant::now();
    let err = try_call(&forked, "eth_getBalance", json!([OTHER, "latest"])).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(err.message.contains("eth_getBalance"), "{}", err.message);
    assert!(err.message.contains("503"), "{}", err.message);
    assert!(err.message.contains("after 2 attempts"), "{}", err.message);

    // A stalled upstream: the request times out (no retry), promptly.
    upstream.set(Behaviour::Stall);
    let start = Instant::now();
    let err = try_call(&forked, "eth_getStorageAt", json!([OTHER, "0x5", "latest"])).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(err.message.contains("eth_getStorageAt"), "{}", err.message);
    assert!(
        err.message.to_lowercase().contains("timeout"),
        "{}",
        err.message
    );
    // A transaction that needs the upstream fails the same way, and the node goes on.
    let err = try_call(
        &forked,
        "eth_sendTransaction",
        json!([{ "from": DEV, "to": "0x2000000000000000000000000000000000000002", "value": "0x1" }]),
    )
    .unwrap_err();
    assert!(err.message.contains("upstream call"), "{}", err.message);

    upstream.set(Behaviour::Serve);
    assert_eq!(
        call(&forked, "eth_getBalance", json!([OTHER, "latest"])),
        upstream.call("eth_getBalance", json!([OTHER, "latest"]))
    );
    let tx = call(
        &forked,
        "eth_sendTransaction",
        json!([{ "from": DEV, "to": "0x2000000000000000000000000000000000000002", "value": "0x1" }]),
    );
    let receipt = call(&forked, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(receipt["status"], "0x1");
}
